#!/bin/sh
# Back up mlflow-lab: both databases (pg_dump, custom format) and the artifact folder, into backups/. The databases
# are dumped first: a run recorded in a dump has its files in the artifact archive taken after it (MLflow never
# removes an artifact by itself), so a restore never lacks a file a run names.
set -eu
cd "$(dirname "$0")"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p backups
docker compose exec -T db pg_dump -U mlflow -Fc mlflow > "backups/mlflow-$stamp.dump"
docker compose exec -T db pg_dump -U mlflow -Fc mlflow_auth > "backups/mlflow_auth-$stamp.dump"
docker compose exec -T mlflow tar -C /srv/mlflow -c artifacts | gzip > "backups/artifacts-$stamp.tar.gz"
echo "backups/*-$stamp.*"
