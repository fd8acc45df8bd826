"""A practical satisfiability check (``SATISFIABILITY_ERROR``).

Why: a supergraph can merge cleanly and still contain fields no query plan can fetch, e.g. an entity field in
a subgraph that has no resolvable ``@key`` for that entity. Like Apollo we follow query *paths*: a path is a
sequence of supergraph fields from a root type, and after each step the planner may be in any of a set of
*states* (subgraph, type). Following field ``f`` of ``T`` from state ``(S, T)`` is possible in every subgraph
``S'`` reachable from ``S`` by entity jumps (``S'`` has a resolvable ``@key`` for ``T`` whose top-level fields
``S`` has) that resolves ``f`` (not ``@external``, or provided by an ``@provides``). A field no state of its
path can fetch is reported. Paths are explored once per (type, set of states), so cycles terminate.

``@requires`` is checked for its top-level fields (each must be fetchable for the entity from the requiring
subgraph through key jumps). Lenient on purpose: nested ``@requires`` selections, nested key-field
provenance and per-path ``@provides`` are not followed, so rare unsatisfiable shapes pass (Apollo's
query-graph analysis would reject them).
"""

from __future__ import annotations

from gateway.compose import errors as E
from gateway.compose.errors import CompositionError
from gateway.compose.fieldset import Selection, parse_field_set, top_level_fields
from gateway.compose.merge import Supergraph
from gateway.compose.model import ROOT_TYPES, FieldDef, Subgraph, TypeDef, base_type

State = tuple[int, str]


def _provided(sub: Subgraph) -> set[tuple[str, str]]:
    """(type, field) pairs some ``@provides`` of the subgraph makes resolvable there."""
    out: set[tuple[str, str]] = set()

    def walk(type_name: str, sels: tuple[Selection, ...]) -> None:
        for sel in sels:
            owner = sel.type_condition or type_name
            out.add((owner, sel.name))
            t = sub.types.get(owner)
            f = t.fields.get(sel.name) if t else None
            if f is not None and sel.children:
                walk(base_type(f.type), sel.children)

    for t in sub.types.values():
        for f in t.fields.values():
            provides = f.first("provides")
            if provides is not None:
                try:
                    walk(base_type(f.type), parse_field_set(provides.str_arg("fields") or ""))
                except ValueError:
                    continue
    return out


def _resolvable_keys(t: TypeDef) -> list[list[str]]:
    return [
        top_level_fields(k.str_arg("fields") or "") for k in t.all("key") if k.bool_arg("resolvable", True)
    ]


class _Checker:
    def __init__(self, subs: list[Subgraph], sg: Supergraph) -> None:
        self.subs = subs
        self.sg = sg
        self.provided = [_provided(s) for s in subs]
        self.errors: list[CompositionError] = []
        self.reported: set[str] = set()
        self._closures: dict[State, list[int]] = {}
        self.overridden = self._overridden()

    def _overridden(self) -> set[tuple[int, str, str]]:
        """(subgraph, type, field) no longer serving queries because another subgraph ``@override``s it."""
        index = {s.name: i for i, s in enumerate(self.subs)}
        out: set[tuple[int, str, str]] = set()
        for i, sub in enumerate(self.subs):
            for t in sub.types.values():
                for f in t.fields.values():
                    o = f.first("override") if sub.fed2 else None
                    src = index.get(o.str_arg("from") or "") if o is not None else None
                    if o is not None and src is not None and src != i and o.str_arg("label") is None:
                        out.add((src, t.name, f.name))
        return out

    # -- subgraph capabilities -------------------------------------------------------------------------------

    def can_jump(self, src: int, dst: int, type_name: str) -> bool:
        """Whether a plan holding ``type_name`` in ``src`` can fetch it from ``dst`` by a resolvable key."""
        have = self.subs[src].types.get(type_name)
        target = self.subs[dst].types.get(type_name)
        if have is None or target is None:
            return False
        return any(all(f in have.fields for f in key) for key in _resolvable_keys(target))

    def closure(self, state: State) -> list[int]:
        """Subgraphs reachable from a state by (repeated) entity jumps, the state's own first."""
        cached = self._closures.get(state)
        if cached is not None:
            return cached
        src, type_name = state
        seen = [src]
        todo = [src]
        while todo:
            cur = todo.pop()
            for dst in range(len(self.subs)):
                if dst not in seen and self.can_jump(cur, dst, type_name):
                    seen.append(dst)
                    todo.append(dst)
        self._closures[state] = seen
        return seen

    def resolves(self, idx: int, type_name: str, field: str) -> bool:
        t = self.subs[idx].types.get(type_name)
        f = t.fields.get(field) if t is not None else None
        if f is None or (idx, type_name, field) in self.overridden:
            return False
        return not f.has("external") or (type_name, field) in self.provided[idx]

    def requires_ok(self, idx: int, type_name: str, field: str) -> bool:
        """Whether each top-level field a ``@requires`` needs can be fetched for the entity from this subgraph
        through key jumps (nested selections are not followed)."""
        t = self.subs[idx].types[type_name]
        requires = t.fields[field].first("requires")
        if requires is None:
            return True
        closure = self.closure((idx, type_name))
        return all(
            any(self.resolves(k, type_name, name) for k in closure)
            for name in top_level_fields(requires.str_arg("fields") or "")
        )

    def via_interface_object(self, state: State, field: str) -> bool:
        """An implementation field only an ``@interfaceObject`` provides: jump to it through the interface
        key."""
        idx, type_name = state
        obj = self.sg.types.get(type_name)
        have = self.subs[idx].types.get(type_name)
        if obj is None or have is None:
            return False
        for itf in obj.interfaces:
            for sub in self.subs:
                t = sub.types.get(itf)
                if t is None or not t.has("interfaceObject") or field not in t.fields:
                    continue
                if any(all(f in have.fields for f in key) for key in _resolvable_keys(t)):
                    return True
        return False

    def runtime_states(self, states: frozenset[State], abstract: str, concrete: str) -> frozenset[State]:
        """States after a ``... on Concrete`` condition on an abstract type."""
        out: set[State] = set()
        for state in states:
            for j in self.closure(state):
                t = self.subs[j].types.get(abstract)
                c = self.subs[j].types.get(concrete)
                if t is None or c is None:
                    continue
                if (t.kind == "union" and concrete in t.members) or abstract in c.interfaces:
                    out.add((j, concrete))
        return frozenset(out)

    # -- exploration -----------------------------------------------------------------------------------------

    def run(self) -> None:
        seen: set[tuple[str, frozenset[State]]] = set()
        todo: list[tuple[str, frozenset[State]]] = []
        for root in ROOT_TYPES:
            states = frozenset((i, root) for i, s in enumerate(self.subs) if root in s.types)
            if states and root in self.sg.types:
                todo.append((root, states))
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            type_name, states = node
            t = self.sg.types.get(type_name)
            if t is None:
                continue
            for f in t.fields.values():
                if any(d.name == "inaccessible" for d in f.directives):
                    continue  # not in the API schema: no query can select it
                nxt = self.follow(type_name, states, f)
                target = base_type(f.type)
                tt = self.sg.types.get(target)
                if not nxt or tt is None:
                    continue
                if tt.kind in ("object", "interface"):
                    todo.append((target, nxt))
                if tt.kind == "interface" and self.implementations(tt):
                    self.check_interface_object_casts(target, nxt)
                if tt.kind in ("interface", "union"):
                    for concrete in self.implementations(tt):
                        cond = self.runtime_states(nxt, target, concrete)
                        if cond:
                            todo.append((concrete, cond))

    def check_interface_object_casts(self, itf: str, states: frozenset[State]) -> None:
        """From an ``@interfaceObject``, ``... on Impl`` needs a key jump to a subgraph with the interface."""
        for idx, _ in states:
            t = self.subs[idx].types.get(itf)
            if t is None or t.kind != "object" or not t.has("interfaceObject"):
                continue
            if any(self.subs[j].type_kind(itf) == "interface" for j in self.closure((idx, itf))):
                continue
            if itf in self.reported:
                return
            self.reported.add(itf)
            name = self.subs[idx].name
            self.errors.append(
                CompositionError(
                    E.SATISFIABILITY_ERROR,
                    f'From subgraph "{name}": no subgraph can be reached to resolve the implementation type '
                    f'of @interfaceObject type "{itf}" (queries using "... on <implementation>" on "{itf}" '
                    f'values from "{name}" cannot be planned). To fix: add a resolvable @key to interface '
                    f'"{itf}" in a subgraph defining it as an interface, using fields subgraph "{name}" has.',
                    (name,),
                    itf,
                )
            )
            return

    def implementations(self, t: TypeDef) -> list[str]:
        if t.kind == "union":
            return list(t.members)
        return [o.name for o in self.sg.types.values() if o.kind == "object" and t.name in o.interfaces]

    def follow(self, type_name: str, states: frozenset[State], f: FieldDef) -> frozenset[State]:
        target = base_type(f.type)
        nxt: set[State] = set()
        for state in states:
            for j in self.closure(state):
                if self.resolves(j, type_name, f.name) and self.requires_ok(j, type_name, f.name):
                    nxt.add((j, target))
        if not nxt and self.sg.types[type_name].kind == "interface":
            nxt = self.explode(type_name, states, f)
        if nxt:
            return frozenset(nxt)
        if any(self.via_interface_object(state, f.name) for state in states):
            return frozenset()
        coordinate = f"{type_name}.{f.name}"
        if type_name not in ROOT_TYPES and coordinate not in self.reported:
            self.reported.add(coordinate)
            self.errors.append(self.error(type_name, f.name, sorted(states)))
        return frozenset()

    def explode(self, itf: str, states: frozenset[State], f: FieldDef) -> set[State]:
        """An interface field no subgraph resolves at the interface level: the planner asks each
        implementation separately (``... on Impl { f }``), which works when every implementation can."""
        target = base_type(f.type)
        candidates = dict.fromkeys(j for state in states for j in self.closure(state))
        for idx in candidates:
            t = self.subs[idx].types.get(itf)
            if t is None or t.kind != "interface":
                continue
            impls = [o.name for o in self.subs[idx].types.values() if itf in o.interfaces]
            found: set[State] = set()
            for impl in impls:
                via = [j for j in self.closure((idx, impl)) if self.resolves(j, impl, f.name)]
                if not via:
                    break
                found.update((j, target) for j in via)
            else:
                if impls:
                    return found
        return set()

    def error(self, type_name: str, fname: str, states: list[State]) -> CompositionError:
        """Explain, per subgraph resolving the field, why queries reaching the type cannot get there."""
        origin = self.subs[states[0][0]].name
        coordinate = f"{type_name}.{fname}"
        resolvers = [i for i in range(len(self.subs)) if self.resolves(i, type_name, fname)]
        reachable = {j for state in states for j in self.closure(state)}
        reasons = [f'- from subgraph "{origin}":', f'  - cannot find field "{coordinate}".']
        fixes: list[str] = []
        for i in resolvers:
            st = self.subs[i].types.get(type_name)
            name = self.subs[i].name
            if i in reachable:
                reasons.append(
                    f'  - cannot satisfy @requires conditions on field "{coordinate}" in subgraph "{name}": '
                    f'the required fields cannot be fetched for "{type_name}" from there.'
                )
                fixes.append(
                    f'give "{type_name}" a resolvable @key in the subgraphs resolving the fields required by '
                    f'"{coordinate}" in subgraph "{name}"'
                )
                continue
            if st is None or not st.all("key"):
                why = f'type "{type_name}" has no @key defined in subgraph "{name}"'
            elif not _resolvable_keys(st):
                why = (
                    f'none of the @key defined on type "{type_name}" in subgraph "{name}" are resolvable '
                    '(they are all declared with their "resolvable" argument set to false)'
                )
            else:
                why = (
                    f'none of the @key of "{type_name}" in subgraph "{name}" uses only fields "{origin}" has'
                )
            reasons.append(
                f'  - cannot move to subgraph "{name}", which has field "{coordinate}", because {why}.'
            )
            fixes.append(
                f'add a resolvable @key to "{type_name}" in subgraph "{name}" using fields "{origin}" has'
            )
        if not resolvers:
            reasons.append(f'  - no subgraph resolves "{coordinate}" (it is @external everywhere).')
        fixes.append(f'resolve "{fname}" in subgraph "{origin}"')
        return CompositionError(
            E.SATISFIABILITY_ERROR,
            f'Field "{coordinate}" cannot be fetched on every query path: queries reaching "{type_name}" in '
            f'subgraph "{origin}" cannot get it.\n'
            + "\n".join(reasons)
            + "\nTo fix: "
            + ", or ".join(fixes)
            + ".",
            tuple(dict.fromkeys([origin, *(self.subs[i].name for i in resolvers)])),
            coordinate,
        )


def check_satisfiability(subs: list[Subgraph], sg: Supergraph) -> list[CompositionError]:
    """Report supergraph fields some query path cannot fetch."""
    checker = _Checker(subs, sg)
    checker.run()
    return checker.errors
