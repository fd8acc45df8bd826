"""``gateway auth hash-key``: print the SHA-256 to put in ``api_keys.keys[].sha256``.

Why a command: operators should never write the plain key into the config file; hashing it by hand invites
mistakes (a trailing newline from ``echo`` changes the digest). The key is read from stdin (or generated), so
it does not end up in the shell history.

Wiring (for ``gateway/cli.py``): ``add_arguments(commands.add_parser("auth", help=...))`` then dispatch
``args.command == "auth"`` to ``run(args)``. Until then: ``python -m gateway.auth hash-key``.
"""

from __future__ import annotations

import argparse
import secrets
import sys

from gateway.auth.api_keys import hash_key


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``auth`` sub-commands to ``parser``."""
    commands = parser.add_subparsers(dest="auth_command", required=True)
    hashing = commands.add_parser("hash-key", help="print the sha256 of an API key read from stdin")
    hashing.add_argument(
        "--generate", action="store_true", help="generate a new random key, print it and its sha256"
    )


def run(args: argparse.Namespace) -> int:
    """Run the parsed ``auth`` command; returns the exit status."""
    if args.auth_command != "hash-key":
        return 2
    if args.generate:
        key = "gk_" + secrets.token_urlsafe(32)
        sys.stdout.write(f"key:    {key}\nsha256: {hash_key(key)}\n")
        return 0
    key = sys.stdin.readline().rstrip("\r\n")
    if not key:
        sys.stderr.write("no key on stdin\n")
        return 1
    sys.stdout.write(hash_key(key) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gateway auth", description="authentication tools")
    add_arguments(parser)
    return run(parser.parse_args(argv))
