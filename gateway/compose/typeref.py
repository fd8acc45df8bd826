"""Type-reference comparison for merging (``String!`` vs ``String``, ``[Int!]`` vs ``[Int]``).

Why: Apollo merges a shareable field typed differently in two subgraphs when one type is a subtype of the
other (the most general wins for outputs, the most specific for inputs); anything else is
``FIELD_TYPE_MISMATCH``.
"""

from __future__ import annotations

from collections.abc import Callable


def _unwrap_list(t: str) -> str | None:
    return t[1:-1] if t.startswith("[") and t.endswith("]") else None


def is_strict_subtype(sup: str, sub: str, named_subtype: Callable[[str, str], bool]) -> bool:
    """True when ``sub`` is a strict subtype of ``sup``: non-null of it, a list of subtypes, or an object
    implementing the interface / member of the union ``sup`` names (``named_subtype(sup, sub)``)."""
    return sup != sub and _is_subtype(sup, sub, named_subtype)


def _is_subtype(sup: str, sub: str, named_subtype: Callable[[str, str], bool]) -> bool:
    if sup == sub:
        return True
    if sub.endswith("!"):
        inner_sub = sub[:-1]
        inner_sup = sup[:-1] if sup.endswith("!") else sup
        return _is_subtype(inner_sup, inner_sub, named_subtype)
    if sup.endswith("!"):
        return False
    list_sup, list_sub = _unwrap_list(sup), _unwrap_list(sub)
    if list_sup is not None and list_sub is not None:
        return _is_subtype(list_sup, list_sub, named_subtype)
    if list_sup is not None or list_sub is not None:
        return False
    return named_subtype(sup, sub)


def is_required(type_ref: str, has_default: bool) -> bool:
    """An argument/input field is required when non-null and without a default value."""
    return type_ref.endswith("!") and not has_default
