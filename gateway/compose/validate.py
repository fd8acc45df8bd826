"""Checks on the merged result: ``@inaccessible`` consistency and a practical satisfiability check.

Why after merging: these properties only exist for the whole graph. The satisfiability check is a pragmatic
version of Apollo's: every field of a type reachable from the root types must be resolvable by some
subgraph in
which that type can be reached, either from its own root fields or by an entity jump through a resolvable
``@key`` whose fields another subgraph (that reaches the type) can provide.
"""

from __future__ import annotations

from gateway.compose import errors as E
from gateway.compose.errors import CompositionError
from gateway.compose.fieldset import top_level_fields
from gateway.compose.merge import Supergraph
from gateway.compose.model import ROOT_TYPES, Subgraph, TypeDef, base_type


def _inaccessible(directives: list) -> bool:  # type: ignore[type-arg]
    return any(d.name == "inaccessible" for d in directives)


def check_inaccessible(sg: Supergraph) -> list[CompositionError]:
    """An accessible element may not reference an inaccessible type; a type may not hide all its fields."""
    errors: list[CompositionError] = []
    hidden = {n for n, t in sg.types.items() if _inaccessible(t.directives)}
    for t in sg.types.values():
        if t.name in hidden:
            continue
        refs: list[tuple[str, str, list]] = []  # type: ignore[type-arg]
        for f in t.fields.values():
            refs.append((f"{t.name}.{f.name}", f.type, f.directives))
            refs.extend((f"{t.name}.{f.name}({a.name}:)", a.type, a.directives) for a in f.args.values())
        refs.extend((f"{t.name}.{f.name}", f.type, f.directives) for f in t.input_fields.values())
        for coordinate, type_ref, directives in refs:
            target = base_type(type_ref)
            if target in hidden and not _inaccessible(directives):
                errors.append(
                    CompositionError(
                        E.REFERENCED_INACCESSIBLE,
                        f'Type "{target}" is @inaccessible but is referenced by "{coordinate}", '
                        f"which is in the API "
                        f'schema. Mark "{coordinate}" @inaccessible too, or remove @inaccessible '
                        f'from "{target}".',
                        (),
                        coordinate,
                    )
                )
        children = list(t.fields.values()) or list(t.input_fields.values()) or list(t.values.values())
        if children and all(_inaccessible(c.directives) for c in children):
            errors.append(
                CompositionError(
                    E.ONLY_INACCESSIBLE_CHILDREN,
                    f'Type "{t.name}" is in the API schema but all of its members are @inaccessible.',
                    (),
                    t.name,
                )
            )
    return errors


def check_interface_fields(sg: Supergraph) -> list[CompositionError]:
    """Every supergraph implementation must have the fields of its interfaces."""
    errors: list[CompositionError] = []
    for t in sg.types.values():
        for itf_name in t.interfaces:
            itf = sg.types.get(itf_name)
            for fname in itf.fields if itf else ():
                if fname not in t.fields:
                    errors.append(
                        CompositionError(
                            E.INTERFACE_FIELD_NO_IMPLEM,
                            f'Interface field "{itf_name}.{fname}" is declared in some subgraphs but type '
                            f'"{t.name}", which implements "{itf_name}" only in some subgraphs, '
                            f"does not have "
                            f'field "{fname}". Add "{t.name}.{fname}" to the subgraphs defining "{t.name}".',
                            (),
                            f"{t.name}.{fname}",
                        )
                    )
    return errors


class _Reach:
    """Per-subgraph reachability of types, with entity jumps between subgraphs."""

    def __init__(self, subs: list[Subgraph]) -> None:
        self.subs = subs
        self.reach: list[set[str]] = [set() for _ in subs]

    def _possible(self, sub: Subgraph, name: str) -> list[str]:
        t = sub.types.get(name)
        if t is None:
            return []
        if t.kind == "union":
            return list(t.members)
        if t.kind == "interface":
            return [o.name for o in sub.types.values() if name in o.interfaces]
        return []

    def _expand(self, idx: int, start: set[str]) -> None:
        sub = self.subs[idx]
        todo = [n for n in start if n not in self.reach[idx]]
        while todo:
            name = todo.pop()
            if name in self.reach[idx] or name not in sub.types:
                continue
            self.reach[idx].add(name)
            t = sub.types[name]
            nxt = [base_type(f.type) for f in t.fields.values() if not f.has("external")]
            nxt += self._possible(sub, name)
            todo.extend(n for n in nxt if n not in self.reach[idx])

    def _resolves(self, idx: int, type_name: str, fields: list[str]) -> bool:
        t = self.subs[idx].types.get(type_name)
        return t is not None and all(f in t.fields for f in fields)

    def run(self) -> None:
        for idx, sub in enumerate(self.subs):
            self._expand(idx, {r for r in ROOT_TYPES if r in sub.types})
        changed = True
        while changed:
            changed = False
            for idx, sub in enumerate(self.subs):
                for t in sub.types.values():
                    if t.name in self.reach[idx] or not self.entry_keys(idx, t):
                        continue
                    for key_fields in self.entry_keys(idx, t):
                        if any(
                            t.name in self.reach[j] and self._resolves(j, t.name, key_fields)
                            for j in range(len(self.subs))
                            if j != idx
                        ):
                            self._expand(idx, {t.name})
                            changed = True
                            break

    def entry_keys(self, idx: int, t: TypeDef) -> list[list[str]]:
        return [
            top_level_fields(k.str_arg("fields") or "")
            for k in t.all("key")
            if k.bool_arg("resolvable", True)
        ]


def check_satisfiability(subs: list[Subgraph], sg: Supergraph) -> list[CompositionError]:
    """Report fields that no query path can reach (``SATISFIABILITY_ERROR``)."""
    r = _Reach(subs)
    r.run()
    errors: list[CompositionError] = []
    for t in sg.types.values():
        if t.kind not in ("object", "interface"):
            continue
        reached_in = [i for i in range(len(subs)) if t.name in r.reach[i]]
        if not reached_in:
            continue
        for fname, f in t.fields.items():
            if any(d.name == "join__field" and not d.args for d in f.directives):
                continue  # provided through an @interfaceObject
            resolvers = [
                i
                for i, s in enumerate(subs)
                if (st := s.types.get(t.name)) is not None
                and fname in st.fields
                and not st.fields[fname].has("external")
            ]
            if not resolvers:
                # interface objects resolve interface fields for implementations
                resolvers = [
                    i
                    for i, s in enumerate(subs)
                    for itf in t.interfaces
                    if (st := s.types.get(itf)) is not None and fname in st.fields
                ]
            if any(i in reached_in for i in resolvers):
                continue
            origin = subs[reached_in[0]].name
            reasons = []
            for i in resolvers:
                st = subs[i].types.get(t.name)
                if st is not None and not st.all("key"):
                    why = f'type "{t.name}" has no @key defined in subgraph "{subs[i].name}"'
                elif st is not None:
                    why = (
                        f'none of the @key of "{t.name}" in subgraph "{subs[i].name}" is '
                        f"resolvable or can be "
                        f'provided by subgraph "{origin}"'
                    )
                else:
                    why = f'type "{t.name}" is not reachable in subgraph "{subs[i].name}"'
                reasons.append(
                    f'  - cannot move to subgraph "{subs[i].name}", which has field '
                    f'"{t.name}.{fname}", because {why}.'
                )
            errors.append(
                CompositionError(
                    E.SATISFIABILITY_ERROR,
                    f'Field "{t.name}.{fname}" cannot be reached by any query: type "{t.name}" is '
                    f"reachable from "
                    f'subgraph "{origin}" but the field is only resolvable elsewhere.\n- from '
                    f'subgraph "{origin}":\n'
                    f'  - cannot find field "{t.name}.{fname}".\n'
                    + "\n".join(reasons)
                    + f'\nFix: add a resolvable @key to "{t.name}" in the subgraph resolving "{fname}".',
                    tuple(subs[i].name for i in [reached_in[0], *resolvers]),
                    f"{t.name}.{fname}",
                )
            )
    return errors
