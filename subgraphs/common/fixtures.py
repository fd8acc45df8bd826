"""Deterministic demo data shared by the three subgraphs' seeders.

Why one generator for all three: the subgraphs reference each other's entities (orders point at user ids
and product UPCs, and keep a copy of usernames and prices), so their seeds must agree. Each data set uses
its own ``random.Random`` with a fixed seed, so every run -- and every machine -- gets identical rows, and
changing one data set does not reshuffle the others.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

USER_COUNT = 48
PRODUCT_COUNT = 320
ORDER_COUNT = 640

_USERS_SEED = 20240101
_PRODUCTS_SEED = 20240202
_ORDERS_SEED = 20240303
_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)

_FIRST_NAMES = (
    "Ada", "Alan", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "Edsger",
    "Radia", "Donald", "Katherine", "John", "Hedy", "Tim", "Sophie", "Guido", "Anita", "Bjarne",
)  # fmt: skip
_LAST_NAMES = (
    "Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson", "Allen",
    "Dijkstra", "Perlman", "Knuth", "Johnson", "McCarthy", "Lamarr", "Berners-Lee", "Wilson", "Rossum",
)  # fmt: skip
_ADJECTIVES = (
    "Compact", "Deluxe", "Ergonomic", "Rugged", "Wireless", "Portable", "Smart", "Classic", "Modular",
    "Silent", "Heavy-Duty", "Eco", "Pro", "Mini", "Ultra", "Vintage",
)  # fmt: skip
_CATEGORIES: dict[str, tuple[str, ...]] = {
    "kitchen": ("Kettle", "Blender", "Knife Set", "Toaster", "Coffee Grinder", "Cutting Board"),
    "office": ("Desk Lamp", "Keyboard", "Monitor Stand", "Notebook", "Office Chair", "Stapler"),
    "outdoor": ("Tent", "Backpack", "Camping Stove", "Headlamp", "Water Filter", "Sleeping Bag"),
    "audio": ("Headphones", "Speaker", "Turntable", "Microphone", "Soundbar", "Earbuds"),
    "garden": ("Hose", "Pruning Shears", "Planter", "Wheelbarrow", "Rake", "Sprinkler"),
}
_ORDER_STATUSES = ("PENDING", "PAID", "SHIPPED", "DELIVERED", "CANCELLED")
_STATUS_WEIGHTS = (1, 2, 3, 6, 1)


@dataclass(frozen=True, slots=True)
class UserSeed:
    """One demo user as the users subgraph stores it."""

    id: int
    username: str
    name: str
    email: str
    created_at: str
    internal_notes: str


@dataclass(frozen=True, slots=True)
class ProductSeed:
    """One demo product as the products subgraph stores it."""

    upc: str
    sku: str
    title: str
    description: str
    category: str
    price_cents: int
    cost_cents: int
    weight_grams: int
    in_stock: bool


@dataclass(frozen=True, slots=True)
class LineSeed:
    """One order line: a product (``product_upc``) or a gift card (``gift_card_cents``)."""

    product_upc: str | None
    gift_card_cents: int | None
    quantity: int
    unit_price_cents: int


@dataclass(frozen=True, slots=True)
class OrderSeed:
    """One demo order, referencing a user id and product UPCs from the other data sets."""

    id: int
    buyer_id: int
    status: str
    created_at: str
    payment_last4: str
    lines: tuple[LineSeed, ...]


def _timestamp(rng: random.Random, max_days: int) -> str:
    moment = _EPOCH + timedelta(seconds=rng.randrange(max_days * 86400))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@cache
def users() -> tuple[UserSeed, ...]:
    """The demo users, ids 1..USER_COUNT; cached because the tuple is immutable."""
    rng = random.Random(_USERS_SEED)
    result: list[UserSeed] = []
    taken: set[str] = set()
    for user_id in range(1, USER_COUNT + 1):
        first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
        base = f"{first[0]}{last}".lower().replace("-", "")
        username = base if base not in taken else f"{base}{user_id}"
        taken.add(username)
        result.append(
            UserSeed(
                id=user_id,
                username=username,
                name=f"{first} {last}",
                email=f"{username}@example.com",
                created_at=_timestamp(rng, 120),
                internal_notes=rng.choice(("vip", "chargeback-risk", "wholesale", "none")),
            )
        )
    return tuple(result)


@cache
def products() -> tuple[ProductSeed, ...]:
    """The demo catalog, each product with a unique 12-digit UPC and a unique SKU."""
    rng = random.Random(_PRODUCTS_SEED)
    result: list[ProductSeed] = []
    upcs: set[str] = set()
    categories = sorted(_CATEGORIES)
    for index in range(1, PRODUCT_COUNT + 1):
        category = categories[index % len(categories)]
        noun = rng.choice(_CATEGORIES[category])
        adjective = rng.choice(_ADJECTIVES)
        upc = f"{rng.randrange(10**11, 10**12)}"
        while upc in upcs:
            upc = f"{rng.randrange(10**11, 10**12)}"
        upcs.add(upc)
        price = rng.randrange(4, 500) * 100 - 1  # $3.99 .. $499.99
        result.append(
            ProductSeed(
                upc=upc,
                sku=f"{category[:3].upper()}-{index:05d}",
                title=f"{adjective} {noun}",
                description=f"A {adjective.lower()} {noun.lower()} for everyday {category} use.",
                category=category,
                price_cents=price,
                cost_cents=price * rng.randrange(35, 70) // 100,
                weight_grams=rng.randrange(80, 12000),
                in_stock=rng.random() > 0.12,
            )
        )
    return tuple(result)


@cache
def orders() -> tuple[OrderSeed, ...]:
    """The demo order history: buyers are demo users, lines are demo products or gift cards."""
    rng = random.Random(_ORDERS_SEED)
    catalog = products()
    result: list[OrderSeed] = []
    # Sorted so that order ids and timestamps increase together, as they would in a real shop.
    stamps = sorted(_timestamp(rng, 300) for _ in range(ORDER_COUNT))
    for order_id in range(1, ORDER_COUNT + 1):
        lines: list[LineSeed] = []
        for product in rng.sample(catalog, rng.randint(1, 4)):
            if rng.random() < 0.05:
                cents = rng.choice((2500, 5000, 10000))
                lines.append(LineSeed(None, cents, 1, cents))
            else:
                lines.append(LineSeed(product.upc, None, rng.randint(1, 3), product.price_cents))
        result.append(
            OrderSeed(
                id=order_id,
                buyer_id=rng.randint(1, USER_COUNT),
                status=rng.choices(_ORDER_STATUSES, _STATUS_WEIGHTS)[0],
                created_at=stamps[order_id - 1],
                payment_last4=f"{rng.randrange(10000):04d}",
                lines=tuple(lines),
            )
        )
    return tuple(result)
