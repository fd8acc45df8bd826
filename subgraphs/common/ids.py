"""Parsing GraphQL ``ID`` values that name integer primary keys.

Why: IDs arrive as strings (arguments, entity representations, headers); an ID that is not a positive
integer cannot match any row, so callers treat it as "not found" rather than crashing on ``int()``.
"""

from __future__ import annotations

VIEWER_HEADER = "x-user-id"
"""Header the gateway forwards with the authenticated user's id (used by ``me`` and ``createOrder``)."""


def parse_key(value: object) -> int | None:
    """The integer behind an ID, or ``None`` if it cannot name a row."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        key = int(value)
        return key if key > 0 else None
    return None


def viewer_id(headers: object) -> int | None:
    """The caller's user id from the forwarded header, if present and well-formed."""
    getter = getattr(headers, "get", None)
    return parse_key(getter(VIEWER_HEADER)) if getter is not None else None
