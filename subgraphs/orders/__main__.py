"""``python -m subgraphs.orders --port 4002 [--host 127.0.0.1] [--db PATH|:memory:]``."""

from __future__ import annotations

from subgraphs.common.server import serve
from subgraphs.orders.app import create_app

DEFAULT_PORT = 4002

if __name__ == "__main__":
    serve("orders", DEFAULT_PORT, create_app)
