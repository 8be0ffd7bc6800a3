"""`mlf-scaffold tracking-server`: a lab's MLflow tracking server, rendered (command.py) from the templates under
templates/tracking-server/, with its image's hash-locked requirements (lock.py, `make lock-tracking-server`)."""
