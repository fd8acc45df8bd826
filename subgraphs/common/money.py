"""The ``Money`` value type shared by the products and orders subgraphs.

Why a shared ``@shareable`` value type: both subgraphs return prices, and Federation 2 requires a type
resolved by several subgraphs to be declared shareable in each of them. Amounts are integer cents so
totals never suffer floating-point drift.
"""

from __future__ import annotations

import strawberry

CURRENCY = "USD"


@strawberry.federation.type(shareable=True, description="An amount of money in the smallest currency unit.")
class Money:
    """Integer cents plus an ISO 4217 currency code."""

    amount: int = strawberry.field(description="Amount in cents.")
    currency: str = strawberry.field(description="ISO 4217 currency code.")


def usd(cents: int) -> Money:
    """Build a ``Money`` in the demo's only currency."""
    return Money(amount=cents, currency=CURRENCY)
