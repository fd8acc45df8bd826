"""``python -m subgraphs.users --port 4001 [--host 127.0.0.1] [--db PATH|:memory:]``."""

from __future__ import annotations

from subgraphs.common.server import serve
from subgraphs.users.app import create_app

DEFAULT_PORT = 4001

if __name__ == "__main__":
    serve("users", DEFAULT_PORT, create_app)
