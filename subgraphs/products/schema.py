"""The products subgraph schema: ``Product`` (keys ``upc`` and ``sku``) and the catalog queries.

Directives demonstrated here: two ``@key`` directives on one entity, the ``@shareable`` ``Money`` and
``PageInfo`` value types, ``@inaccessible`` (``Product.cost``, the supplier cost), ``@listSize``/``@cost``
on the paginated lists. ``weightGrams`` and ``price`` are the fields the orders subgraph ``@requires``.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from subgraphs.common.errors import bad_user_input
from subgraphs.common.federation import FEDERATION_VERSION, paginated
from subgraphs.common.money import Money, usd
from subgraphs.common.pagination import MAX_PAGE_SIZE, PageInfo, encode_cursor, page_request, split_page
from subgraphs.products.context import ProductsContext
from subgraphs.products.db import ProductRow

_CURSOR_KIND = "Product"


@strawberry.federation.type(keys=["upc", "sku"], description="An item in the catalog.")
class Product:
    """A catalog product; other subgraphs may reference it by ``upc`` or by ``sku``."""

    upc: strawberry.ID = strawberry.field(description="12-digit Universal Product Code.")
    sku: str = strawberry.field(description="Internal stock-keeping unit.")
    title: str
    description: str
    category: str
    price: Money
    weight_grams: int = strawberry.field(description="Shipping weight in grams.")
    in_stock: bool
    cost: Money = strawberry.federation.field(
        inaccessible=True, description="Supplier cost; internal to the catalog team, hidden by the gateway."
    )

    @classmethod
    async def resolve_reference(
        cls, info: Info[ProductsContext, None], **representation: Any
    ) -> Product | None:
        """Resolve a representation by whichever key it carries (``upc`` first, then ``sku``)."""
        loaders = info.context.loaders
        if isinstance(representation.get("upc"), str):
            row = await loaders.product_by_upc.load(representation["upc"])
        elif isinstance(representation.get("sku"), str):
            row = await loaders.product_by_sku.load(representation["sku"])
        else:
            return None
        return product_from_row(row) if row is not None else None


def product_from_row(row: ProductRow) -> Product:
    """Map a database row to the GraphQL type."""
    return Product(
        upc=strawberry.ID(row.upc),
        sku=row.sku,
        title=row.title,
        description=row.description,
        category=row.category,
        price=usd(row.price_cents),
        weight_grams=row.weight_grams,
        in_stock=row.in_stock,
        cost=usd(row.cost_cents),
    )


@strawberry.type
class ProductEdge:
    """A product and the cursor that points just after it."""

    cursor: str
    node: Product


@strawberry.type
class ProductConnection:
    """A page of products."""

    edges: list[ProductEdge]
    page_info: PageInfo


@strawberry.type
class Query:
    """Catalog lookups."""

    @strawberry.field(description="One product by exactly one of its keys (upc or sku), or null.")
    async def product(
        self, info: Info[ProductsContext, None], upc: strawberry.ID | None = None, sku: str | None = None
    ) -> Product | None:
        """Look a product up by UPC or SKU; giving both or neither is a client error."""
        if (upc is None) == (sku is None):
            raise bad_user_input("Pass exactly one of 'upc' or 'sku'")
        loaders = info.context.loaders
        row = await (
            loaders.product_by_upc.load(upc) if upc is not None else loaders.product_by_sku.load(sku)
        )
        return product_from_row(row) if row is not None else None

    @strawberry.field(
        description="The catalog in id order, optionally within one category, paginated.",
        directives=paginated(weight=2, sized_fields=["edges"]),
    )
    def products(
        self,
        info: Info[ProductsContext, None],
        first: int = 20,
        after: str | None = None,
        category: str | None = None,
    ) -> ProductConnection:
        """A page of products; ``first`` is capped at 100 and ``after`` is a cursor from a previous page."""
        page = page_request(_CURSOR_KIND, first, after)
        rows, has_next = split_page(info.context.db.list_products(page, category), page)
        edges = [
            ProductEdge(cursor=encode_cursor(_CURSOR_KIND, row.id), node=product_from_row(row))
            for row in rows
        ]
        return ProductConnection(
            edges=edges,
            page_info=PageInfo(has_next_page=has_next, end_cursor=edges[-1].cursor if edges else None),
        )

    @strawberry.field(description="The most expensive in-stock products.", directives=paginated(weight=1))
    def top_products(self, info: Info[ProductsContext, None], first: int = 5) -> list[Product]:
        """The premium picks; ``first`` must be between 0 and 100."""
        if first < 0 or first > MAX_PAGE_SIZE:
            raise bad_user_input(f"'first' must be between 0 and {MAX_PAGE_SIZE}, got {first}")
        return [product_from_row(row) for row in info.context.db.top_products(first)]

    @strawberry.field(description="Every product category.")
    def categories(self, info: Info[ProductsContext, None]) -> list[str]:
        """Category names, sorted."""
        return info.context.db.categories()


schema = strawberry.federation.Schema(query=Query, federation_version=FEDERATION_VERSION)
"""The products subgraph schema (immutable once built)."""
