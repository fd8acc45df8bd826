"""Demo Apollo Federation v2 subgraphs (users, orders, products) built with Strawberry.

Why they exist: the gateway needs real subgraphs to plan against and to call in tests and benchmarks.
Each one is its own aiohttp service with its own SQLite database, and together they exercise the
federation features the gateway must support (keys, @requires, @provides, @override, unions across
subgraphs, policy directives, cost directives, batched entity resolution).
"""

from __future__ import annotations

SUBGRAPH_NAMES: tuple[str, ...] = ("users", "orders", "products")
"""The subgraph names, in the order composition and the SDL export list them."""
