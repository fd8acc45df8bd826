"""Merging the applied directives that survive into the supergraph (``@tag``, ``@inaccessible``, auth...).

Why a module: each directive has its own rule when several subgraphs apply it to the same element. Repeatable
ones (``@tag``, composed custom directives) are de-duplicated; ``@requiresScopes``/``@policy`` requirements
of all subgraphs are AND-ed; ``@cost`` and ``@listSize`` merge argument by argument with Apollo's strategies
(MAX, NULLABLE_MAX, NULLABLE_UNION, NULLABLE_AND); others keep the first application.
"""

from __future__ import annotations

from collections.abc import Callable

from graphql import BooleanValueNode, IntValueNode, ListValueNode, StringValueNode, ValueNode

from gateway.compose.model import Applied

MERGED_DIRECTIVES = (
    "inaccessible",
    "tag",
    "authenticated",
    "requiresScopes",
    "policy",
    "cost",
    "listSize",
    "deprecated",
    "specifiedBy",
)
REPEATABLE_MERGED = frozenset({"tag"})
_DNF_ARGUMENT = {"requiresScopes": "scopes", "policy": "policies"}


def _ints(values: list[ValueNode | None]) -> list[int]:
    return [int(v.value) for v in values if isinstance(v, IntValueNode)]


def _strings(values: list[ValueNode | None]) -> list[list[str]]:
    return [[getattr(x, "value", "") for x in v.values] for v in values if isinstance(v, ListValueNode)]


def _max(values: list[ValueNode | None]) -> ValueNode | None:
    ints = _ints(values)
    return IntValueNode(value=str(max(ints))) if ints else None


def _union(values: list[ValueNode | None]) -> ValueNode | None:
    lists = _strings(values)
    if not lists:
        return None
    merged = list(dict.fromkeys(x for lst in lists for x in lst))
    return ListValueNode(values=tuple(StringValueNode(value=x) for x in merged))


def _and(values: list[ValueNode | None]) -> ValueNode | None:
    bools = [v.value for v in values if isinstance(v, BooleanValueNode)]
    return BooleanValueNode(value=all(bools)) if bools else None


Strategy = Callable[[list[ValueNode | None]], ValueNode | None]
# directive -> [(argument, strategy, default)] in definition order.
STRATEGIES: dict[str, list[tuple[str, Strategy, ValueNode | None]]] = {
    "cost": [("weight", _max, None)],
    "listSize": [
        ("assumedSize", _max, None),
        ("slicingArguments", _union, None),
        ("sizedFields", _union, None),
        ("requireOneSlicingArgument", _and, BooleanValueNode(value=True)),
    ],
}


def _dnf(value: ValueNode | None) -> list[list[str]]:
    return [
        [getattr(v, "value", "") for v in getattr(inner, "values", ())]
        for inner in getattr(value, "values", ())
    ]


def _conjunction(apps: list[Applied], arg: str) -> ValueNode:
    """AND the disjunctions of conjunctions of every subgraph (each subgraph's requirement must hold)."""
    result: list[list[str]] | None = None
    for app in apps:
        dnf = _dnf(app.arg(arg))
        if result is None:
            result = dnf
            continue
        combined: list[list[str]] = []
        for a in result:
            for b in dnf:
                merged = list(dict.fromkeys([*a, *b]))
                if merged not in combined:
                    combined.append(merged)
        result = combined
    return ListValueNode(
        values=tuple(
            ListValueNode(values=tuple(StringValueNode(value=v) for v in inner)) for inner in result or []
        )
    )


def _with_strategies(name: str, apps: list[Applied]) -> Applied:
    args: list[tuple[str, ValueNode]] = []
    for arg, strategy, default in STRATEGIES[name]:
        values = [app.arg(arg) if app.arg(arg) is not None else default for app in apps]
        merged = strategy(values)
        if merged is not None:
            args.append((arg, merged))
    return Applied(name, tuple(args))


def merge_applied(sources: list[list[Applied]], composed: set[str]) -> tuple[list[Applied], list[str]]:
    """Merge the surviving directives of one element.

    Returns them, and the names of non-repeatable directives whose differing arguments had to be merged
    (reported as ``MERGED_NON_REPEATABLE_DIRECTIVE_ARGUMENTS`` hints).
    """
    by_name: dict[str, list[Applied]] = {}
    for directives in sources:
        for d in directives:
            if d.name in MERGED_DIRECTIVES or d.name in composed:
                by_name.setdefault(d.name, []).append(d)
    out: list[Applied] = []
    merged_names: list[str] = []
    for name, apps in by_name.items():
        if name in _DNF_ARGUMENT:
            out.append(Applied(name, ((_DNF_ARGUMENT[name], _conjunction(apps, _DNF_ARGUMENT[name])),)))
        elif name in REPEATABLE_MERGED or name in composed:
            seen: set[str] = set()
            for app in apps:
                if app.signature() not in seen:
                    seen.add(app.signature())
                    out.append(app)
        elif name in STRATEGIES and len({a.signature() for a in apps}) > 1:
            out.append(_with_strategies(name, apps))
            merged_names.append(name)
        else:
            out.append(apps[0])
    return out, merged_names
