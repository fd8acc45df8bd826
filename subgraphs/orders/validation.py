"""Validation of ``createOrder`` input, kept apart from the GraphQL types so it reads (and tests) alone.

Why collect every problem: a client fixing a form wants all rejected fields at once, so validation walks the
whole input and raises a single ``BAD_USER_INPUT`` error listing each problem with its argument path.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from subgraphs.common.errors import InputProblem, reject_if_any
from subgraphs.common.ids import parse_key
from subgraphs.orders.db import NewLine, OrdersDB

MAX_LINES = 20
MAX_QUANTITY = 99
GIFT_CARD_MIN_CENTS = 500
GIFT_CARD_MAX_CENTS = 50_000
_LAST4 = re.compile(r"\d{4}")


@dataclass(frozen=True, slots=True)
class ItemRequest:
    """One requested line, as the client sent it."""

    product_upc: str | None
    gift_card_amount: int | None
    quantity: int


@dataclass(frozen=True, slots=True)
class ValidOrder:
    """Input that passed validation, with prices resolved from the catalog copy."""

    buyer_id: int
    buyer_username: str
    lines: tuple[NewLine, ...]
    payment_last4: str


def _buyer(
    db: OrdersDB, buyer_arg: str | None, viewer: int | None, problems: list[InputProblem]
) -> tuple[int, str] | None:
    if buyer_arg is None and viewer is None:
        problems.append(InputProblem("input.buyerId", "required when no x-user-id header is forwarded"))
        return None
    buyer_id = parse_key(buyer_arg) if buyer_arg is not None else viewer
    if buyer_id is None:
        problems.append(InputProblem("input.buyerId", f"{buyer_arg!r} is not a valid user id"))
        return None
    if viewer is not None and buyer_id != viewer:
        problems.append(InputProblem("input.buyerId", "must be the signed-in user"))
        return None
    username = db.customer_username(buyer_id)
    if username is None:
        problems.append(InputProblem("input.buyerId", f"no user with id {buyer_id}"))
        return None
    return buyer_id, username


def _lines(db: OrdersDB, items: Sequence[ItemRequest], problems: list[InputProblem]) -> list[NewLine]:
    if not items:
        problems.append(InputProblem("input.items", "an order needs at least one item"))
        return []
    if len(items) > MAX_LINES:
        problems.append(InputProblem("input.items", f"at most {MAX_LINES} items per order"))
        return []
    catalog = db.catalog_entries(sorted({i.product_upc for i in items if i.product_upc is not None}))
    seen: set[str] = set()
    lines: list[NewLine] = []
    for index, item in enumerate(items):
        path = f"input.items[{index}]"
        if not 1 <= item.quantity <= MAX_QUANTITY:
            problems.append(InputProblem(f"{path}.quantity", f"must be between 1 and {MAX_QUANTITY}"))
        if (item.product_upc is None) == (item.gift_card_amount is None):
            problems.append(InputProblem(path, "set exactly one of productUpc or giftCardAmount"))
        elif item.product_upc is not None:
            entry = catalog.get(item.product_upc)
            if entry is None:
                problems.append(InputProblem(f"{path}.productUpc", f"unknown product {item.product_upc!r}"))
            elif not entry.in_stock:
                problems.append(
                    InputProblem(f"{path}.productUpc", f"product {item.product_upc} is out of stock")
                )
            elif item.product_upc in seen:
                problems.append(
                    InputProblem(f"{path}.productUpc", "product listed twice; raise the quantity")
                )
            else:
                seen.add(item.product_upc)
                lines.append(NewLine(item.product_upc, None, item.quantity, entry.price_cents))
        else:
            amount = item.gift_card_amount
            assert amount is not None
            if not GIFT_CARD_MIN_CENTS <= amount <= GIFT_CARD_MAX_CENTS:
                problems.append(
                    InputProblem(
                        f"{path}.giftCardAmount",
                        f"must be between {GIFT_CARD_MIN_CENTS} and {GIFT_CARD_MAX_CENTS} cents",
                    )
                )
            else:
                lines.append(NewLine(None, amount, item.quantity, amount))
    return lines


def validate_create_order(
    db: OrdersDB, buyer_arg: str | None, viewer: int | None, items: Sequence[ItemRequest], payment_last4: str
) -> ValidOrder:
    """Check the whole input against the database; raise one ``BAD_USER_INPUT`` listing every problem."""
    problems: list[InputProblem] = []
    buyer = _buyer(db, buyer_arg, viewer, problems)
    lines = _lines(db, items, problems)
    if not _LAST4.fullmatch(payment_last4):
        problems.append(InputProblem("input.paymentLast4", "must be exactly 4 digits"))
    reject_if_any(problems)
    assert buyer is not None
    return ValidOrder(buyer[0], buyer[1], tuple(lines), payment_last4)
