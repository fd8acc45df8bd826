"""What a products-subgraph resolver sees as ``info.context``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from subgraphs.products.db import ProductsDB
from subgraphs.products.loaders import ProductsLoaders, create_loaders


@dataclass(frozen=True, slots=True)
class ProductsContext:
    """Per-request state: the database and this request's loaders."""

    db: ProductsDB
    loaders: ProductsLoaders


def context_factory(db: ProductsDB) -> Callable[[web.Request, web.StreamResponse], ProductsContext]:
    """A ``(request, response) -> ProductsContext`` callable for the subgraph view."""

    def build(_request: web.Request, _response: web.StreamResponse) -> ProductsContext:
        return ProductsContext(db=db, loaders=create_loaders(db))

    return build
