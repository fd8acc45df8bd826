"""``python -m subgraphs.products --port 4003 [--host 127.0.0.1] [--db PATH|:memory:]``."""

from __future__ import annotations

from subgraphs.common.server import serve
from subgraphs.products.app import create_app

DEFAULT_PORT = 4003

if __name__ == "__main__":
    serve("products", DEFAULT_PORT, create_app)
