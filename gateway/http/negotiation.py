"""Accept-header negotiation between the GraphQL-over-HTTP response media types.

Why: the spec's status-code rules depend on which media type the response uses, so the choice is made once,
up front. Results are memoised per distinct Accept value: real traffic repeats a handful of values, so the
per-request cost is one dictionary lookup.
"""

from __future__ import annotations

import functools

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
APPLICATION_JSON = "application/json"
TEXT_HTML = "text/html"

# Tie-break among equally acceptable types. An explicitly listed graphql-response+json wins over
# application/json (modern clients list both); a bare wildcard means application/json (legacy clients).
_EXPLICIT_PREFERENCE = {GRAPHQL_RESPONSE_JSON: 3, APPLICATION_JSON: 2, TEXT_HTML: 0}
_WILDCARD_PREFERENCE = {APPLICATION_JSON: 3, GRAPHQL_RESPONSE_JSON: 2, TEXT_HTML: 0}


def _parse(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        media, _, params = part.partition(";")
        media = media.strip().lower()
        if not media:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value.strip())
                except ValueError:
                    quality = 0.0
        ranges.append((media, quality))
    return ranges


def _match(media_type: str, ranges: list[tuple[str, float]]) -> tuple[float, int]:
    """(quality, specificity) of the most specific range matching ``media_type``; specificity 0 = no match."""
    main = media_type.split("/", 1)[0]
    best = (0.0, 0)
    for media_range, quality in ranges:
        if media_range == media_type:
            specificity = 3
        elif media_range == f"{main}/*":
            specificity = 2
        elif media_range == "*/*":
            specificity = 1
        else:
            continue
        if specificity > best[1]:
            best = (quality, specificity)
    return best


@functools.lru_cache(maxsize=1024)
def negotiate(
    accept: str | None, allow_html: bool = False, default: str = GRAPHQL_RESPONSE_JSON
) -> str | None:
    """The response media type for ``accept``, or ``None`` when nothing we produce is acceptable (406).

    A missing or empty Accept header means ``default``: application/graphql-response+json unless configured
    otherwise (``server.default_response_media_type``), as the GraphQL-over-HTTP draft says since its
    2025-01-01 watershed. ``text/html`` is only a candidate when ``allow_html`` (GET with GraphiQL enabled).
    """
    if not accept or not accept.strip():
        return default
    ranges = _parse(accept)
    candidates = [GRAPHQL_RESPONSE_JSON, APPLICATION_JSON]
    if allow_html:
        candidates.append(TEXT_HTML)
    best: tuple[float, int, int] | None = None
    chosen: str | None = None
    for candidate in candidates:
        quality, specificity = _match(candidate, ranges)
        if specificity == 0 or quality <= 0:
            continue
        preference = (_EXPLICIT_PREFERENCE if specificity == 3 else _WILDCARD_PREFERENCE)[candidate]
        key = (quality, specificity, preference)
        if best is None or key > best:
            best, chosen = key, candidate
    return chosen
