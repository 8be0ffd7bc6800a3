-- The users and permissions of MLflow's basic-auth app live in a database of their own, beside the runs'.
CREATE DATABASE mlflow_auth OWNER mlflow;
