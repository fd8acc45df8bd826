"""Who is calling, as established by the authentication plugin and read by every later policy.

Why a frozen value: authorization, rate limiting and identity headers all read the principal; none may change
it, and it is safe to share with user policy functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

Source = Literal["jwt", "api_key", "anonymous"]


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated (or anonymous) caller of one request."""

    authenticated: bool
    subject: str | None = None
    client_id: str | None = None
    scopes: frozenset[str] = frozenset()
    claims: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    tier: str | None = None
    source: Source = "anonymous"


ANONYMOUS = Principal(authenticated=False)


def scopes_from_claims(claims: Mapping[str, Any]) -> frozenset[str]:
    """Scopes per RFC 8693/9068 (``scope``: space-separated string) or the common ``scp``/``scope`` arrays."""
    found: set[str] = set()
    for name in ("scope", "scp"):
        value = claims.get(name)
        if isinstance(value, str):
            found.update(part for part in value.split() if part)
        elif isinstance(value, list | tuple):
            found.update(item for item in value if isinstance(item, str) and item)
    return frozenset(found)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return None


def principal_from_claims(claims: Mapping[str, Any], tier_claim: str | None) -> Principal:
    """Build the principal of a verified JWT."""
    tier = _text(claims.get(tier_claim)) if tier_claim else None
    return Principal(
        authenticated=True,
        subject=_text(claims.get("sub")),
        client_id=_text(claims.get("client_id")) or _text(claims.get("azp")),
        scopes=scopes_from_claims(claims),
        claims=MappingProxyType(dict(claims)),
        tier=tier,
        source="jwt",
    )


def identity_value(principal: Principal, expression: str) -> str | None:
    """The value of one identity-header expression (validated by the config) for ``principal``."""
    if expression == "subject":
        return principal.subject
    if expression == "client_id":
        return principal.client_id
    if expression == "scopes":
        return " ".join(sorted(principal.scopes)) if principal.scopes else None
    if expression == "tier":
        return principal.tier
    if expression == "source":
        return principal.source
    claim = principal.claims.get(expression.removeprefix("claims."))
    if isinstance(claim, list | tuple):
        parts = [_text(item) for item in claim]
        return " ".join(p for p in parts if p) or None
    return _text(claim)
