"""Human-readable and JSON forms of a query plan (for ``gateway plan`` and snapshot tests)."""

from __future__ import annotations

from typing import Any

from gateway.planner.nodes import FetchRef, ParallelNode, PlanNode, QueryPlan, SequenceNode


def format_plan(plan: QueryPlan) -> str:
    lines = ["QueryPlan {"]
    if plan.node is not None:
        _format(plan.node, 1, lines)
    lines.append("}")
    return "\n".join(lines)


def _format(node: PlanNode, indent: int, lines: list[str]) -> None:
    pad = "  " * indent
    if isinstance(node, SequenceNode | ParallelNode):
        lines.append(pad + ("Sequence {" if isinstance(node, SequenceNode) else "Parallel {"))
        for child in node.nodes:
            _format(child, indent + 1, lines)
        lines.append(pad + "},")
        return
    assert isinstance(node, FetchRef)
    fetch = node.fetch
    inner = indent
    if fetch.requires is not None:
        lines.append(pad + f'Flatten(path: "{".".join(fetch.path)}") {{')
        inner += 1
    ipad = "  " * inner
    lines.append(ipad + f'Fetch(service: "{fetch.service}") {{')
    if fetch.requires_text is not None:
        lines.append(ipad + "  " + fetch.requires_text + " =>")
    for line in fetch.pretty_operation.splitlines():
        lines.append(ipad + "  " + line)
    lines.append(ipad + "},")
    if fetch.requires is not None:
        lines.append(pad + "},")


def plan_to_json(plan: QueryPlan) -> dict[str, Any]:
    return plan.to_json()
