"""The orders subgraph schema: ``Order`` (key ``id``), plus fields contributed to ``User`` and ``Product``.

Directives demonstrated here:
- ``@key`` on ``Order``, and on the ``User``/``Product`` references this subgraph extends;
- ``@requires``: ``Product.shippingEstimate`` needs the products subgraph's ``weightGrams`` and
  ``price { amount }`` (declared ``@external`` here);
- ``@provides``: ``Order.buyer`` provides ``username`` from the copy stored with each order;
- ``@override``: ``User.orderCount`` moved here from the users subgraph (live count, not a stale counter);
- ``@authenticated`` on the ``Order`` type, ``@policy`` on ``Order.paymentLast4``;
- ``@listSize``/``@cost`` on the ``first``/``after`` list fields and ``@cost`` on ``shippingEstimate``;
- the ``Purchasable`` union spans subgraphs: ``Product`` (owned by products) | ``GiftCard`` (owned here).
"""

from __future__ import annotations

import enum
import math
from datetime import UTC, datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from subgraphs.common.errors import bad_user_input
from subgraphs.common.federation import FEDERATION_VERSION, cost, paginated
from subgraphs.common.ids import parse_key
from subgraphs.common.money import CURRENCY, Money, usd
from subgraphs.common.pagination import MAX_PAGE_SIZE, PageInfo, encode_cursor, page_request, split_page
from subgraphs.orders.context import OrdersContext
from subgraphs.orders.db import LineRow, OrderRow
from subgraphs.orders.validation import ItemRequest, validate_create_order

_ORDER_CURSOR = "Order"
FREE_SHIPPING_FROM_CENTS = 10_000
_BASE_SHIPPING_CENTS = 499
_SHIPPING_CENTS_PER_500G = 150

OrdersInfo = Info[OrdersContext, None]
ORDER_COUNT_DESCRIPTION = "Number of orders the user has placed."


@strawberry.enum(description="Where an order is in its life cycle.")
class OrderStatus(enum.Enum):
    """Order life cycle; only PENDING and PAID orders can be cancelled."""

    PENDING = "PENDING"
    PAID = "PAID"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"


@strawberry.federation.type(keys=["id"])
class User:
    """A reference to the users subgraph's ``User``, extended with order fields."""

    id: strawberry.ID
    username: str = strawberry.federation.field(
        external=True, description="Owned by users; resolvable here only through Order.buyer's @provides."
    )

    @classmethod
    def resolve_reference(cls, **representation: Any) -> User:
        """Any id is a valid reference: a user without orders simply has an empty order list."""
        return User(id=strawberry.ID(str(representation["id"])), username=representation.get("username", ""))

    # Moved here from the users subgraph, whose stored counter went stale; same description in both.
    @strawberry.federation.field(override="users", description=ORDER_COUNT_DESCRIPTION)
    async def order_count(self, info: OrdersInfo) -> int:
        """Counted from the orders table, batched across users."""
        key = parse_key(self.id)
        return 0 if key is None else await info.context.loaders.order_count_by_buyer.load(key)

    @strawberry.field(
        description="The user's orders, oldest first, paginated.",
        directives=paginated(weight=3, sized_fields=["edges"]),
    )
    async def orders(self, info: OrdersInfo, first: int = 10, after: str | None = None) -> OrderConnection:
        """A page of this user's orders; batched across users into one windowed query."""
        page = page_request(_ORDER_CURSOR, first, after)
        key = parse_key(self.id)
        rows = [] if key is None else await info.context.loaders.orders_by_buyer.load((key, page))
        rows, has_next = split_page(rows, page)
        return order_connection(rows, has_next)


@strawberry.federation.type(keys=["upc"])
class Product:
    """A reference to the products subgraph's ``Product``, extended with sales fields."""

    upc: strawberry.ID
    weight_grams: int | None = strawberry.federation.field(
        external=True, graphql_type=int, default=None, description="Owned by products; needed for shipping."
    )
    price: Money | None = strawberry.federation.field(
        external=True, graphql_type=Money, default=None, description="Owned by products; needed for shipping."
    )

    @classmethod
    def resolve_reference(cls, **representation: Any) -> Product:
        """Build the reference from the representation, with the ``@requires`` fields when they were sent."""
        price = representation.get("price")
        return Product(
            upc=strawberry.ID(str(representation["upc"])),
            weight_grams=representation.get("weightGrams"),
            price=usd(int(price["amount"])) if isinstance(price, dict) and "amount" in price else None,
        )

    @strawberry.federation.field(
        requires=["weightGrams", "price { amount }"],
        directives=[cost(5)],
        description=f"Standard shipping; free from {FREE_SHIPPING_FROM_CENTS // 100} {CURRENCY}.",
    )
    def shipping_estimate(self) -> Money:
        """A flat fee plus a per-500 g charge, waived for expensive items; needs the @requires fields."""
        if self.weight_grams is None or self.price is None:
            raise bad_user_input("shippingEstimate needs weightGrams and price in the entity representation")
        if self.price.amount >= FREE_SHIPPING_FROM_CENTS:
            return usd(0)
        return usd(_BASE_SHIPPING_CENTS + math.ceil(self.weight_grams / 500) * _SHIPPING_CENTS_PER_500G)

    @strawberry.field(description="Units sold in orders that were not cancelled.")
    async def units_sold(self, info: OrdersInfo) -> int:
        """Summed from order lines, batched across products."""
        return await info.context.loaders.units_sold_by_upc.load(str(self.upc))

    @strawberry.field(
        description="The most recent orders containing this product.", directives=paginated(weight=3)
    )
    async def recent_orders(self, info: OrdersInfo, first: int = 5) -> list[Order]:
        """Newest first; ``first`` must be between 0 and 100."""
        if first < 0 or first > MAX_PAGE_SIZE:
            raise bad_user_input(f"'first' must be between 0 and {MAX_PAGE_SIZE}, got {first}")
        rows = await info.context.loaders.recent_orders_by_upc.load((str(self.upc), first))
        return [order_from_row(row) for row in rows]


@strawberry.type(description="A gift card bought as part of an order.")
class GiftCard:
    """Gift cards exist only in the orders service."""

    id: strawberry.ID
    amount: Money


Purchasable = Annotated[
    Product | GiftCard, strawberry.union("Purchasable", description="Anything an order line can contain.")
]


@strawberry.type(description="One line of an order.")
class LineItem:
    """A product line or a gift-card line, with the price paid per unit."""

    id: strawberry.ID
    quantity: int
    unit_price: Money
    product: Product | None = strawberry.field(description="The product, or null for a gift-card line.")
    item: Purchasable = strawberry.field(description="What was bought: a product or a gift card.")

    @strawberry.field(description="quantity x unitPrice.")
    def subtotal(self) -> Money:
        """Computed, never stored, so it cannot disagree with the line."""
        return usd(self.quantity * self.unit_price.amount)


def line_from_row(row: LineRow) -> LineItem:
    """Map an ``order_lines`` row to the GraphQL type."""
    product = Product(upc=strawberry.ID(row.product_upc)) if row.product_upc is not None else None
    item: Product | GiftCard = (
        product
        if product is not None
        else GiftCard(id=strawberry.ID(f"GC-{row.id}"), amount=usd(row.gift_card_cents or 0))
    )
    return LineItem(
        id=strawberry.ID(str(row.id)),
        quantity=row.quantity,
        unit_price=usd(row.unit_price_cents),
        product=product,
        item=item,
    )


@strawberry.federation.type(
    keys=["id"], authenticated=True, description="A purchase; needs an authenticated caller."
)
class Order:
    """An order; other subgraphs may reference it by ``id``."""

    id: strawberry.ID
    status: OrderStatus
    created_at: str = strawberry.field(description="ISO 8601 UTC timestamp.")
    buyer: User = strawberry.federation.field(
        provides=["username"], description="Who placed the order (username as recorded at purchase time)."
    )
    payment_last4: str = strawberry.federation.field(
        policy=[["read_payment_details"]], description="Last four digits of the card; needs a policy grant."
    )

    @classmethod
    async def resolve_reference(cls, info: OrdersInfo, **representation: Any) -> Order | None:
        """Resolve ``{__typename: "Order", id}`` through the request's batched loader."""
        key = parse_key(representation.get("id"))
        if key is None:
            return None
        row = await info.context.loaders.order_by_id.load(key)
        return order_from_row(row) if row is not None else None

    @strawberry.field(description="The order's lines, in the order they were added.")
    async def items(self, info: OrdersInfo) -> list[LineItem]:
        """Loaded for all orders of the response in one query."""
        rows = await info.context.loaders.lines_by_order.load(int(self.id))
        return [line_from_row(row) for row in rows]

    @strawberry.field(description="Sum of the line subtotals.")
    async def total(self, info: OrdersInfo) -> Money:
        """Computed from the lines (shares the lines loader with ``items``)."""
        rows = await info.context.loaders.lines_by_order.load(int(self.id))
        return usd(sum(row.quantity * row.unit_price_cents for row in rows))


def order_from_row(row: OrderRow) -> Order:
    """Map an ``orders`` row to the GraphQL type."""
    return Order(
        id=strawberry.ID(str(row.id)),
        status=OrderStatus(row.status),
        created_at=row.created_at,
        buyer=User(id=strawberry.ID(str(row.buyer_id)), username=row.buyer_username),
        payment_last4=row.payment_last4,
    )


@strawberry.type
class OrderEdge:
    """An order and the cursor that points just after it."""

    cursor: str
    node: Order


@strawberry.type
class OrderConnection:
    """A page of orders."""

    edges: list[OrderEdge]
    page_info: PageInfo


def order_connection(rows: list[OrderRow], has_next: bool) -> OrderConnection:
    """Wrap one page of rows as a connection."""
    edges = [OrderEdge(cursor=encode_cursor(_ORDER_CURSOR, row.id), node=order_from_row(row)) for row in rows]
    return OrderConnection(
        edges=edges,
        page_info=PageInfo(has_next_page=has_next, end_cursor=edges[-1].cursor if edges else None),
    )


@strawberry.input(description="One line of a new order: a product (by UPC) or a gift card (by amount).")
class OrderItemInput:
    """Exactly one of ``productUpc`` and ``giftCardAmount`` must be set."""

    product_upc: strawberry.ID | None = None
    gift_card_amount: int | None = strawberry.field(default=None, description="Gift card value in cents.")
    quantity: int = 1


@strawberry.input(description="A new order.")
class CreateOrderInput:
    """``buyerId`` defaults to the forwarded x-user-id; when both are given they must agree."""

    items: list[OrderItemInput]
    payment_last4: str
    buyer_id: strawberry.ID | None = None


@strawberry.type
class Query:
    """Order lookups."""

    @strawberry.field(description="One order by id, or null.")
    async def order(self, info: OrdersInfo, id: strawberry.ID) -> Order | None:
        """Look an order up through the loader so it shares batches with entity resolution."""
        key = parse_key(id)
        if key is None:
            return None
        row = await info.context.loaders.order_by_id.load(key)
        return order_from_row(row) if row is not None else None

    @strawberry.field(
        description="All orders, oldest first, optionally with one status, paginated.",
        directives=paginated(weight=3, sized_fields=["edges"]),
    )
    def orders(
        self, info: OrdersInfo, first: int = 20, after: str | None = None, status: OrderStatus | None = None
    ) -> OrderConnection:
        """A page of orders; ``first`` is capped at 100 and ``after`` is a cursor from a previous page."""
        page = page_request(_ORDER_CURSOR, first, after)
        rows = info.context.db.list_orders(page, status.value if status is not None else None)
        rows, has_next = split_page(rows, page)
        return order_connection(rows, has_next)


@strawberry.type
class Mutation:
    """Order changes; both persist to the database before answering."""

    @strawberry.field(description="Place an order at current catalog prices.")
    def create_order(self, info: OrdersInfo, input: CreateOrderInput) -> Order:
        """Validate everything (one BAD_USER_INPUT listing each problem), then insert order and lines."""
        db = info.context.db
        valid = validate_create_order(
            db,
            input.buyer_id,
            info.context.viewer_id,
            [ItemRequest(i.product_upc, i.gift_card_amount, i.quantity) for i in input.items],
            input.payment_last4,
        )
        created_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        order_id = db.create_order(
            valid.buyer_id, valid.buyer_username, valid.lines, valid.payment_last4, created_at
        )
        row = db.orders_by_ids([order_id])[order_id]
        return order_from_row(row)

    @strawberry.field(description="Cancel a PENDING or PAID order.")
    def cancel_order(self, info: OrdersInfo, id: strawberry.ID) -> Order:
        """Unknown orders and orders past the cancellable states are client errors, not server errors."""
        db = info.context.db
        key = parse_key(id)
        existing = db.orders_by_ids([key]).get(key) if key is not None else None
        if existing is None or key is None:
            raise bad_user_input(f"No order with id {id!r}")
        if not db.cancel_order(key):
            raise bad_user_input(f"Order {id} is {existing.status} and can no longer be cancelled")
        return order_from_row(db.orders_by_ids([key])[key])


schema = strawberry.federation.Schema(
    query=Query, mutation=Mutation, types=[GiftCard], federation_version=FEDERATION_VERSION
)
"""The orders subgraph schema (immutable once built)."""
