"""One module per `mlf` command; each exposes `register(app)`."""
