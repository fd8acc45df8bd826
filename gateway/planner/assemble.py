"""Plan assembly: freeze the fetch groups into FetchNodes (operation text, representation specs, conditions)
and order them into a DAG plus a display tree.
"""

from __future__ import annotations

from graphql import (
    OperationDefinitionNode,
    print_ast,
)

from gateway.planner.errors import PlanningError
from gateway.planner.nodes import (
    ContextInput,
    EntityRequirement,
    FetchNode,
    FetchRef,
    ParallelNode,
    PlanNode,
    QueryPlan,
    RepField,
    RepSpec,
    SequenceNode,
    flat_reads,
)
from gateway.planner.selection import FieldItem, FragmentItem, SelectionSet
from gateway.planner.state import Group
from gateway.supergraph.model import Supergraph


def _rep_spec(selection: SelectionSet, supergraph: Supergraph) -> RepSpec:
    fields: list[RepField] = []
    by_type: list[tuple[str, RepSpec]] = []
    for item in selection.items.values():
        if isinstance(item, FieldItem):
            sub = _rep_spec(item.sub, supergraph) if item.sub is not None else None
            fields.append(RepField(item.name, item.response_key, sub))
        else:
            assert isinstance(item, FragmentItem)
            spec = _rep_spec(item.sub, supergraph)
            condition = item.type_condition
            runtimes = supergraph.possible_types(condition) if condition else ()
            for runtime in runtimes or ((condition,) if condition else ()):
                by_type.append((runtime, spec))
            if condition is None:
                fields.extend(spec.fields)
    return RepSpec(tuple(fields), tuple(by_type))


def _requires_text(group: Group) -> str:
    seen: dict[str, SelectionSet] = {}
    for requirement in group.requirements.values():
        merged = seen.setdefault(requirement.rep_type, SelectionSet())
        merged.add_field("__typename")
        _copy(merged, requirement.selection)
    parts = [f"... on {rep_type} {sel.print()}" for rep_type, sel in seen.items()]
    return "{" + " ".join(parts) + "}"


def _copy(target: SelectionSet, source: SelectionSet) -> None:
    for item in source.items.values():
        if isinstance(item, FieldItem):
            new = target.add_field(item.name, None, item.arguments, (), item.sub is not None)
            if item.sub is not None and new.sub is not None:
                _copy(new.sub, item.sub)
        else:
            assert isinstance(item, FragmentItem)
            _copy(target.add_fragment(item.type_condition), item.sub)


_NEVER = object()


def _item_conditions(directives: tuple) -> frozenset[tuple[str, bool]] | object:  # type: ignore[type-arg]
    """Variable conditions an item's @skip/@include put on it; ``_NEVER`` when a literal excludes it."""
    found: set[tuple[str, bool]] = set()
    for directive in directives:
        name = directive.name.value
        if name not in ("skip", "include"):
            continue
        for argument in directive.arguments or ():
            if argument.name.value != "if":
                continue
            value = argument.value
            include_when = name == "include"
            if value.kind == "boolean_value":
                if value.value is not include_when:
                    return _NEVER
            elif value.kind == "variable":
                found.add((value.name.value, include_when))
    return frozenset(found)


def _fetch_conditions(group: Group) -> tuple[frozenset[tuple[str, bool]], ...] | None:
    """Alternatives of variable conditions under which the fetch selects anything (None = always)."""
    alternatives: list[frozenset[tuple[str, bool]]] = []

    def walk(selection: SelectionSet, acc: frozenset[tuple[str, bool]], top: bool) -> None:
        for item in selection.items.values():
            conditions = _item_conditions(item.directives)
            if conditions is _NEVER:
                continue
            combined = acc | conditions  # type: ignore[operator]
            if isinstance(item, FragmentItem) and (item.type_condition is None or top):
                walk(item.sub, combined, False)
            else:
                alternatives.append(combined)

    walk(group.selection, frozenset(), group.root_kind is None)
    if any(not alt for alt in alternatives):
        return None
    return tuple(dict.fromkeys(alternatives))


def _topological(groups: list[Group]) -> list[Group]:
    by_id = {g.id: g for g in groups}
    done: set[int] = set()
    order: list[Group] = []
    remaining = sorted(by_id)
    while remaining:
        progressed = False
        for gid in list(remaining):
            if by_id[gid].deps <= done:
                order.append(by_id[gid])
                done.add(gid)
                remaining.remove(gid)
                progressed = True
                break
        if not progressed:
            raise PlanningError("internal planning error: fetch dependencies form a cycle")
    return order


def _display_tree(fetches: list[FetchNode]) -> PlanNode | None:
    level: dict[int, int] = {}
    for fetch in fetches:
        level[fetch.id] = 1 + max((level[d] for d in fetch.depends_on), default=-1)
    if not fetches:
        return None
    stages: list[PlanNode] = []
    for depth in range(max(level.values()) + 1):
        nodes: list[PlanNode] = [FetchRef(f) for f in fetches if level[f.id] == depth]
        stages.append(nodes[0] if len(nodes) == 1 else ParallelNode(tuple(nodes)))
    return stages[0] if len(stages) == 1 else SequenceNode(tuple(stages))


def assemble_plan(
    supergraph: Supergraph, operation: OperationDefinitionNode, kind: str, groups: list[Group]
) -> QueryPlan:
    """Freeze the planner's groups: drop empty and never-needed fetches, order them, print operations."""
    for group in groups:
        group.selection.prune()
    live = [g for g in groups if not g.selection.is_empty()]
    # A fetch whose every selection is excluded by a literal @skip/@include is never sent, and neither is
    # anything waiting on it (the objects it would have produced never exist).
    never = {g.id for g in live if _fetch_conditions(g) == ()}
    changed = bool(never)
    while changed:
        changed = False
        for group in live:
            if group.id not in never and group.deps & never:
                never.add(group.id)
                changed = True
    live = [g for g in live if g.id not in never]
    live_ids = {g.id for g in live}
    for group in live:
        group.deps = {d for d in group.deps if d in live_ids and d != group.id}
    ordered = _topological(live)
    renumber = {g.id: i for i, g in enumerate(ordered)}

    variable_defs = {
        v.variable.name.value: print_ast(v.type)
        + (f"={print_ast(v.default_value)}" if v.default_value else "")
        for v in operation.variable_definitions or ()
    }
    op_name = operation.name.value if operation.name else None
    fetches: list[FetchNode] = []
    for group in ordered:
        index = renumber[group.id]
        context_variables = {c[0] for c in group.contexts}
        used = sorted(group.selection.variables(set()) - context_variables)
        fetch_name = f"{op_name}__{group.graph}__{index}" if op_name else None
        var_text = ",".join(f"${v}:{variable_defs[v]}" for v in used if v in variable_defs)
        body = group.selection.print()
        if group.root_kind is not None:
            kind_text = group.root_kind
            head = kind_text
            if fetch_name:
                head += f" {fetch_name}"
            if var_text:
                head += f"({var_text})"
            text = body if head == "query" else f"{head}{body}"
            if head != "query" and not fetch_name and not var_text:
                text = f"{head}{body}"
            requires = None
            requires_text = None
            operation_kind = kind_text
        else:
            reps = "$representations:[_Any!]!" + "".join(f",${c[0]}:{c[3]}" for c in group.contexts)
            reps += "," + var_text if var_text else ""
            head = f"query {fetch_name}" if fetch_name else "query"
            text = f"{head}({reps}){{_entities(representations:$representations){body}}}"
            specs = {
                runtime: _rep_spec(req.selection, supergraph) for runtime, req in group.requirements.items()
            }
            requires = tuple(
                EntityRequirement(
                    runtime,
                    req.rep_type,
                    specs[runtime],
                    flat_reads(specs[runtime]),
                    runtime == req.rep_type
                    and supergraph.is_abstract(runtime)
                    and not supergraph.is_interface_object(runtime, group.graph),
                )
                for runtime, req in group.requirements.items()
            )
            requires_text = _requires_text(group)
            operation_kind = "query"
        pretty = "\n".join(group.selection.pretty())
        fetches.append(
            FetchNode(
                id=index,
                service=group.graph,
                operation=text,
                operation_kind=operation_kind,  # type: ignore[arg-type]
                operation_name=fetch_name,
                variable_usages=tuple(used),
                path=group.path,
                requires=requires,
                requires_text=requires_text,
                depends_on=tuple(sorted(renumber[d] for d in group.deps)),
                pretty_operation=pretty,
                conditions=_fetch_conditions(group),
                contexts=tuple(
                    ContextInput(variable, depth, _rep_spec(spec, supergraph), type_text)
                    for variable, depth, spec, type_text in group.contexts
                ),
                entities_selection=body if group.contexts else None,
                client_variables_text=var_text,
            )
        )
    return QueryPlan(kind, tuple(fetches), _display_tree(fetches))  # type: ignore[arg-type]
