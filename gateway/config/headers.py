"""Builds the headers of a subgraph request from the client's headers and the configured rules.

Why: a pure function (no I/O, no config lookups) is cheap to call per subgraph fetch and easy to test. Rules
run in order, like Apollo Router's: ``propagate`` copies from the client request, ``insert`` sets a fixed
value, ``remove`` drops what earlier rules added. Hop-by-hop and body-describing headers are never forwarded,
whatever the rules say, because the subgraph client computes its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from gateway.config.model import RESERVED_HEADERS, HeaderRule, Insert, Propagate, Remove


def apply_header_rules(rules: Iterable[HeaderRule], incoming: Mapping[str, str]) -> dict[str, str]:
    """Headers for one subgraph request; ``incoming`` names must be lower-case (the HTTP layer does that)."""
    out: dict[str, str] = {}
    for rule in rules:
        if isinstance(rule, Propagate):
            if rule.pattern is None:
                name = rule.named or ""
                value = incoming.get(name, rule.default)
                if value is not None:
                    out[rule.rename or name] = value
            else:
                search = rule.pattern.search
                for name, value in incoming.items():
                    if name not in RESERVED_HEADERS and search(name):
                        out[name] = value
        elif isinstance(rule, Insert):
            out[rule.name] = rule.value
        elif isinstance(rule, Remove):
            if rule.pattern is None:
                out.pop(rule.named or "", None)
            else:
                search = rule.pattern.search
                for name in [name for name in out if search(name)]:
                    del out[name]
    return out
