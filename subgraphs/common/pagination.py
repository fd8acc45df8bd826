"""Cursor pagination shared by every list field that takes ``first``/``after``.

Why keyset cursors (the last row's integer key, base64-encoded with a kind prefix): they stay stable while
rows are inserted, cost one indexed range scan, and a cursor for one list cannot be replayed on another.
``PageInfo`` is defined once and marked ``@shareable`` because all three subgraphs return it.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import TypeVar

import strawberry

from subgraphs.common.errors import bad_user_input

T = TypeVar("T")

MAX_PAGE_SIZE = 100
"""Upper bound on ``first``; the ``@listSize`` directives tell the gateway the same thing."""


@strawberry.federation.type(shareable=True, description="Where a page of a connection ends.")
class PageInfo:
    """Relay-style page information."""

    has_next_page: bool
    end_cursor: str | None


@dataclass(frozen=True, slots=True)
class PageRequest:
    """A validated page request: return at most ``limit`` rows whose key is greater than ``after_key``."""

    limit: int
    after_key: int


def encode_cursor(kind: str, key: int) -> str:
    """Encode a row key as an opaque cursor for the list ``kind``."""
    return base64.urlsafe_b64encode(f"{kind}:{key}".encode()).decode("ascii")


def decode_cursor(kind: str, cursor: str) -> int:
    """Decode a cursor made by :func:`encode_cursor`; a malformed or foreign cursor is the client's fault."""
    try:
        raw = base64.urlsafe_b64decode(cursor.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise bad_user_input(f"Invalid cursor {cursor!r}") from exc
    prefix, _, key = raw.partition(":")
    if prefix != kind or not key.isdigit():
        raise bad_user_input(f"Cursor {cursor!r} does not belong to this list")
    return int(key)


def page_request(kind: str, first: int, after: str | None) -> PageRequest:
    """Validate ``first``/``after`` arguments, raising ``BAD_USER_INPUT`` when they are out of range."""
    if first < 0 or first > MAX_PAGE_SIZE:
        raise bad_user_input(f"'first' must be between 0 and {MAX_PAGE_SIZE}, got {first}")
    after_key = decode_cursor(kind, after) if after is not None else 0
    return PageRequest(limit=first, after_key=after_key)


def split_page(rows: list[T], request: PageRequest) -> tuple[list[T], bool]:
    """Split rows fetched with ``LIMIT limit + 1`` into the page and whether another page follows."""
    return rows[: request.limit], len(rows) > request.limit
