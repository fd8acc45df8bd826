"""What an orders-subgraph resolver sees as ``info.context``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from subgraphs.common.ids import viewer_id
from subgraphs.orders.db import OrdersDB
from subgraphs.orders.loaders import OrdersLoaders, create_loaders


@dataclass(frozen=True, slots=True)
class OrdersContext:
    """Per-request state: the database, this request's loaders and the forwarded caller id."""

    db: OrdersDB
    loaders: OrdersLoaders
    viewer_id: int | None


def context_factory(db: OrdersDB) -> Callable[[web.Request, web.StreamResponse], OrdersContext]:
    """A ``(request, response) -> OrdersContext`` callable for the subgraph view."""

    def build(request: web.Request, _response: web.StreamResponse) -> OrdersContext:
        return OrdersContext(db=db, loaders=create_loaders(db), viewer_id=viewer_id(request.headers))

    return build
