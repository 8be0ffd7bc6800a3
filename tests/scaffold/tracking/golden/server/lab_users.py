"""The lab's users, managed by the server's admin: `lab users add NAME --writer|--reviewer`,
`lab users password NAME`, `lab users remove NAME` (run in the server's container: `docker compose exec mlflow lab
users ...`).

A writer may create runs in every experiment (the role `writers`: EDIT on experiment "*"); a reviewer reads
everything and writes nothing (the server's default_permission, READ). A new password is read from standard input
(one line, so it never appears in a command line or the shell's history), or made up and printed once with
--generate. The admin logs in with MLFLOW_AUTH_ADMIN_USERNAME / MLFLOW_AUTH_ADMIN_PASSWORD from the environment.
Uses MLflow's own client of its basic-auth API (mlflow.server.auth.client.AuthServiceClient).
"""

from __future__ import annotations

import argparse
import getpass
import os
import secrets
import sys

WRITERS_ROLE = "writers"
WORKSPACE = "default"  # MLflow's workspace when workspaces are off (its basic-auth app's roles live in one)


def _admin():
    os.environ["MLFLOW_TRACKING_USERNAME"] = os.environ.get("MLFLOW_AUTH_ADMIN_USERNAME", "admin")
    os.environ["MLFLOW_TRACKING_PASSWORD"] = os.environ["MLFLOW_AUTH_ADMIN_PASSWORD"]
    from mlflow.server.auth.client import AuthServiceClient

    uri = os.environ.get("LAB_SERVER_URI") or f"http://127.0.0.1:{os.environ.get('MLFLOW_PORT', '5000')}"
    return AuthServiceClient(uri)


def _writers_role(admin):
    found = [role for role in admin.list_roles(WORKSPACE) if role.name == WRITERS_ROLE]
    if found:
        return found[0]
    role = admin.create_role(WORKSPACE, WRITERS_ROLE, "may create and edit runs in every experiment")
    admin.add_role_permission(role.id, "experiment", "*", "EDIT")
    return role


def _new_password(generate: bool) -> str:
    if generate:
        password = secrets.token_urlsafe(18)
        print(f"password: {password}")
        return password
    password = getpass.getpass("password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    if len(password) < 12:
        raise SystemExit("lab users: a password has at least 12 characters")
    return password


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lab users", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="create a user")
    add.add_argument("name")
    kind = add.add_mutually_exclusive_group(required=True)
    kind.add_argument("--writer", action="store_true", help="may write runs in every experiment")
    kind.add_argument("--reviewer", action="store_true", help="reads everything, writes nothing")
    add.add_argument("--generate", action="store_true", help="make up a password and print it once")
    password = commands.add_parser("password", help="set a user's password")
    password.add_argument("name")
    password.add_argument("--generate", action="store_true")
    remove = commands.add_parser("remove", help="delete a user")
    remove.add_argument("name")
    args = parser.parse_args(argv)
    admin = _admin()
    if args.command == "add":
        admin.create_user(args.name, _new_password(args.generate))
        if args.writer:
            admin.assign_role(args.name, _writers_role(admin).id)
        print(f"{args.name}: {'writer' if args.writer else 'reviewer'}")
    elif args.command == "password":
        admin.update_user_password(args.name, _new_password(args.generate))
    else:
        admin.delete_user(args.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
