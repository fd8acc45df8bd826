"""Merge parsed subgraphs into supergraph types carrying ``@join__*`` metadata.

Why one module: these are Apollo's merging rules (Federation docs, "Composition rules"), applied type by type:
objects/interfaces (field sharing, external, override, subtype-compatible field types, argument intersection),
interface objects, unions (union of members), enums (by usage: input -> intersection, output -> union, both ->
must match), input objects (intersection, required fields everywhere), scalars, descriptions and the applied
directives that survive into the supergraph (``@tag``, ``@inaccessible``, auth, cost, composed directives).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from graphql import (
    BooleanValueNode,
    EnumValueNode,
    ListValueNode,
    NameNode,
    ObjectFieldNode,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
    print_ast,
)

from gateway.compose import errors as E
from gateway.compose.directives import merge_applied
from gateway.compose.errors import CompositionError, CompositionHint, subgraph_list
from gateway.compose.fieldset import Selection, parse_field_set
from gateway.compose.model import (
    Applied,
    ComposedDirective,
    EnumValueDef,
    ExecutableDirective,
    FieldDef,
    InputValue,
    Subgraph,
    TypeDef,
    TypeKind,
    base_type,
)
from gateway.compose.typeref import is_required, is_strict_subtype

_LABEL = re.compile(r"^[a-zA-Z][a-zA-Z0-9_\-:./]*$")
_PERCENT = re.compile(r"^percent\((\d{1,2}(\.\d{1,8})?|100)\)$")


def _s(value: str) -> StringValueNode:
    return StringValueNode(value=value)


def _b(value: bool) -> BooleanValueNode:
    return BooleanValueNode(value=value)


def _e(value: str) -> EnumValueNode:
    return EnumValueNode(value=value)


def graph_enum_name(name: str) -> str:
    """Apollo's ``join__Graph`` value for a subgraph name (upper-cased, GraphQL-safe)."""
    out = re.sub(r"\W", "_", name)
    if re.match(r"^\d", out):
        out = "_" + out
    if re.search(r"_\d+$", out):
        out += "_"
    return out.upper()


@dataclass(slots=True)
class Supergraph:
    """The merged schema, ready to print."""

    types: dict[str, TypeDef]
    graphs: list[tuple[str, str, str]]  # (enum value, subgraph name, url)
    join_version: tuple[int, int]
    specs: list[str] = field(default_factory=list)
    composed: list[ComposedDirective] = field(default_factory=list)
    executable: list[ExecutableDirective] = field(default_factory=list)


@dataclass(slots=True)
class _Override:
    """Per-field override state, by subgraph index."""

    used_overridden: set[int] = field(default_factory=set)
    unused_overridden: set[int] = field(default_factory=set)
    targetless: set[int] = field(default_factory=set)
    labels: dict[int, str] = field(default_factory=dict)


class Merger:
    """Runs the merge; errors and hints accumulate instead of stopping at the first problem."""

    def __init__(self, subgraphs: list[Subgraph]) -> None:
        self.subs = subgraphs
        self.index = {s.name: i for i, s in enumerate(subgraphs)}
        self.errors: list[CompositionError] = []
        self.hints: list[CompositionHint] = []
        names = [graph_enum_name(s.name) for s in subgraphs]
        counts = Counter(names)
        seen: Counter[str] = Counter()
        self.graph_names: list[str] = []
        for n in names:
            if counts[n] > 1:
                seen[n] += 1
                self.graph_names.append(f"{n}_{seen[n]}")
            else:
                self.graph_names.append(n)
        self.types: dict[str, TypeDef] = {}
        self.enum_usage: dict[str, set[str]] = {}
        self.enum_example: dict[str, dict[str, str]] = {}
        self.used: set[str] = set()
        self.key_fields: list[set[tuple[str, str]]] = [self._key_fields(s) for s in subgraphs]
        self.itf_object_fields: dict[str, dict[str, list[int]]] = {}

    # -- helpers ---------------------------------------------------------------------------------------------

    def error(self, code: str, message: str, subgraphs: list[str], coordinate: str | None) -> None:
        self.errors.append(CompositionError(code, message, tuple(subgraphs), coordinate))

    def hint(self, code: str, message: str, coordinate: str | None = None) -> None:
        self.hints.append(CompositionHint(code, message, coordinate))

    def _key_fields(self, sub: Subgraph) -> set[tuple[str, str]]:
        """(type, field) pairs selected by any @key in the subgraph (they are implicitly shareable)."""
        out: set[tuple[str, str]] = set()

        def walk(type_name: str, sels: tuple[Selection, ...]) -> None:
            tdef = sub.types.get(type_name)
            for sel in sels:
                owner = sel.type_condition or type_name
                out.add((owner, sel.name))
                f = tdef.fields.get(sel.name) if tdef else None
                if f is not None and sel.children:
                    walk(base_type(f.type), sel.children)

        for tdef in sub.types.values():
            for key in tdef.all("key"):
                try:
                    walk(tdef.name, parse_field_set(key.str_arg("fields") or ""))
                except ValueError:
                    continue
        return out

    def named_subtype(self, sup: str, sub: str) -> bool:
        """Whether named type ``sub`` implements interface / is a member of union ``sup`` in some subgraph."""
        for s in self.subs:
            t = s.types.get(sub)
            u = s.types.get(sup)
            if t is not None and sup in t.interfaces:
                return True
            if u is not None and u.kind == "union" and sub in u.members:
                return True
        return False

    def is_interface_object(self, idx: int, tdef: TypeDef) -> bool:
        return tdef.kind == "object" and tdef.has("interfaceObject")

    def shareable(self, idx: int, tdef: TypeDef, f: FieldDef) -> bool:
        sub = self.subs[idx]
        if not sub.fed2:
            return True
        return f.has("shareable") or tdef.has("shareable") or (tdef.name, f.name) in self.key_fields[idx]

    def merge_description(self, descs: list[str | None]) -> str | None:
        present = [d for d in descs if d]
        if not present:
            return None
        counts = Counter(present)
        best = max(counts.values())
        return next(d for d in present if counts[d] == best)

    def merge_directives(self, sources: list[list[Applied]], coordinate: str = "") -> list[Applied]:
        """Copy the directives that survive composition (see ``directives.merge_applied``)."""
        composed = {n for s in self.subs for n in s.composed}
        out, merged = merge_applied(sources, composed)
        self.used.update(d.name for d in out)
        for name in merged:
            self.hint(
                E.MERGED_NON_REPEATABLE_DIRECTIVE_ARGUMENTS,
                f'Directive @{name} is applied to "{coordinate}" in multiple subgraphs with different '
                "arguments; the arguments were merged (see Apollo's merging strategies).",
                coordinate,
            )
        return out

    # -- driver ----------------------------------------------------------------------------------------------

    def merge(self) -> Supergraph:
        by_name: dict[str, list[tuple[int, TypeDef]]] = {}
        for idx, sub in enumerate(self.subs):
            for tdef in sub.types.values():
                by_name.setdefault(tdef.name, []).append((idx, tdef))
        kinds: dict[str, TypeKind] = {}
        for name, defs in by_name.items():
            k: set[TypeKind] = {"interface" if self.is_interface_object(i, t) else t.kind for i, t in defs}
            if len(k) > 1:
                detail = " but ".join(
                    f'"{name}" is a {t.kind} in subgraph "{self.subs[i].name}"' for i, t in defs
                )
                self.error(
                    E.TYPE_KIND_MISMATCH,
                    f'Type "{name}" has mismatched kind: it is defined with different kinds: {detail}',
                    [self.subs[i].name for i, _ in defs],
                    name,
                )
                continue
            kinds[name] = k.pop()
            self.check_interface_object(name, defs)
        # Interface-object fields, so implementations can get them.
        for name, defs in by_name.items():
            for i, t in defs:
                if self.is_interface_object(i, t):
                    for fname in t.fields:
                        self.itf_object_fields.setdefault(name, {}).setdefault(fname, []).append(i)
        order = ["object", "interface", "union", "input", "scalar", "enum"]
        for kind in order:
            for name, defs in by_name.items():
                if kinds.get(name) != kind:
                    continue
                if kind in ("object", "interface"):
                    merged = self.merge_composite(name, kind, defs)
                    if merged.fields:  # e.g. the implicit empty Query of subgraphs without root fields
                        self.types[name] = merged
                elif kind == "union":
                    self.types[name] = self.merge_union(name, defs)
                elif kind == "input":
                    self.types[name] = self.merge_input(name, defs)
                elif kind == "scalar":
                    self.types[name] = self.merge_scalar(name, defs)
                else:
                    self.types[name] = self.merge_enum(name, defs)
        self.add_interface_object_fields()
        return Supergraph(
            types=self.types,
            graphs=[(self.graph_names[i], s.name, s.url) for i, s in enumerate(self.subs)],
            join_version=self.join_version(),
            specs=self.specs(),
            composed=self.composed(),
            executable=self.executable(),
        )

    def executable(self) -> list[ExecutableDirective]:
        """Executable directives defined in every subgraph, restricted to the locations all agree on."""
        out: list[ExecutableDirective] = []
        first = self.subs[0].executable if self.subs else {}
        for name, d in first.items():
            defs = [s.executable.get(name) for s in self.subs]
            if any(x is None for x in defs):
                continue
            present = [x for x in defs if x is not None]
            locations = tuple(loc for loc in d.locations if all(loc in x.locations for x in present))
            if not locations:
                continue
            arg_names = [
                a.name for a in d.args if all(any(b.name == a.name for b in x.args) for x in present)
            ]
            args = tuple(a for a in d.args if a.name in arg_names)
            out.append(ExecutableDirective(name, args, all(x.repeatable for x in present), locations))
        return out

    def check_interface_object(self, name: str, defs: list[tuple[int, TypeDef]]) -> None:
        """An interface object needs its interface in at least one subgraph."""
        if all(self.is_interface_object(i, t) for i, t in defs):
            names = [self.subs[i].name for i, _ in defs]
            self.error(
                E.INTERFACE_OBJECT_USAGE_ERROR,
                f'Type "{name}" is declared with @interfaceObject in all the subgraphs in which it is '
                f"defined (it is defined in {subgraph_list(names)} but should be defined as an interface in "
                "at least one subgraph)",
                names,
                name,
            )

    def join_version(self) -> tuple[int, int]:
        latest = max((s.version for s in self.subs), default=(2, 0))
        if latest >= (2, 8):
            return (0, 5)
        if latest >= (2, 7):
            return (0, 4)
        return (0, 3)

    def specs(self) -> list[str]:
        """Linked specs used, in Apollo's order.

        Apollo walks each subgraph's directive definitions, where @tag and @inaccessible (core federation
        spec) come first and sub-feature specs (auth, cost) follow in import order.
        """
        order = ["tag", "inaccessible", *(name for sub in self.subs for name in sub.imports)]
        order += ["authenticated", "requiresScopes", "policy", "context", "cost", "listSize"]
        return [s for s in dict.fromkeys(order) if s in self.used]

    def composed(self) -> list[ComposedDirective]:
        out: dict[str, ComposedDirective] = {}
        for s in self.subs:
            for name, cd in s.composed.items():
                out.setdefault(name, cd)
        return list(out.values())

    def join_type(self, idx: int, tdef: TypeDef, is_itf_object: bool) -> list[Applied]:
        graph = ("graph", _e(self.graph_names[idx]))
        keys = tdef.all("key") if tdef.kind in ("object", "interface") else []
        extra: list[tuple[str, ValueNode]] = []
        if is_itf_object:
            extra.append(("isInterfaceObject", _b(True)))
        if not keys:
            return [Applied("join__type", (graph, *extra))]
        out: list[Applied] = []
        for key in keys:
            args: list[tuple[str, ValueNode]] = [graph, ("key", _s(key.str_arg("fields") or ""))]
            if (self.subs[idx].fed2 and key.from_extension) or tdef.has("extends"):
                args.append(("extension", _b(True)))
            if not key.bool_arg("resolvable", True):
                args.append(("resolvable", _b(False)))
            out.append(Applied("join__type", (*args, *extra)))
        return out

    # -- objects & interfaces --------------------------------------------------------------------------------

    def merge_composite(self, name: str, kind: TypeKind, defs: list[tuple[int, TypeDef]]) -> TypeDef:
        dest = TypeDef(name=name, kind=kind)
        dest.description = self.merge_description([t.description for _, t in defs])
        implements: list[Applied] = []
        join_types: list[Applied] = []
        for idx, t in defs:
            itf_obj = self.is_interface_object(idx, t)
            join_types.extend(self.join_type(idx, t, itf_obj))
            for itf in t.interfaces:
                if itf not in dest.interfaces:
                    dest.interfaces.append(itf)
                implements.append(
                    Applied(
                        "join__implements", (("graph", _e(self.graph_names[idx])), ("interface", _s(itf)))
                    )
                )
        contexts = [
            Applied("context", (("name", _s(f"{self.subs[i].name}__{d.str_arg('name') or ''}")),))
            for i, t in defs
            for d in t.all("context")
        ]
        if contexts:
            self.used.add("context")
        merged = self.merge_directives([t.directives for _, t in defs], name)
        dest.directives = implements + join_types + contexts + merged
        field_names: list[str] = []
        for _, t in defs:
            for fname in t.fields:
                if fname not in field_names:
                    field_names.append(fname)
        has_type = {idx for idx, _ in defs}
        tdefs = dict(defs)
        for fname in field_names:
            sources: dict[int, FieldDef] = {i: t.fields[fname] for i, t in defs if fname in t.fields}
            field = self.merge_field(dest, fname, sources, tdefs, has_type, kind)
            if field is not None:
                dest.fields[fname] = field
        return dest

    def merge_field(
        self,
        parent: TypeDef,
        fname: str,
        sources: dict[int, FieldDef],
        tdefs: dict[int, TypeDef],
        has_type: set[int],
        kind: str,
    ) -> FieldDef | None:
        coordinate = f"{parent.name}.{fname}"
        external = {i for i, f in sources.items() if f.has("external")}
        if len(external) == len(sources):
            names = [self.subs[i].name for i in sources]
            self.error(
                E.EXTERNAL_MISSING_ON_BASE,
                f'Field "{coordinate}" is marked @external on all the subgraphs in which it is listed '
                f"({subgraph_list(names)}).",
                names,
                coordinate,
            )
            return None
        ov = self.validate_override(coordinate, fname, sources, tdefs)
        if kind == "object" and parent.name != "Subscription":
            self.validate_sharing(coordinate, sources, tdefs, external, ov)
        active = {i: f for i, f in sources.items() if i not in external}
        dest = FieldDef(name=fname, type="")
        dest.description = self.merge_description([f.description for f in active.values()])
        dest.type, all_equal = self.merge_type(
            coordinate, "field", {i: f.type for i, f in active.items()}, False
        )
        self.record_enum(dest.type, "Output", coordinate)
        if external:
            for i in external:
                t = sources[i].type
                # An @external declaration must not promise more than the resolving subgraphs deliver.
                compatible = not all_equal and is_strict_subtype(dest.type, t, self.named_subtype)
                if t != dest.type and not compatible:
                    names = [self.subs[i].name for i in sources]
                    self.error(
                        E.EXTERNAL_TYPE_MISMATCH,
                        f'Type of field "{coordinate}" is incompatible across subgraphs (where marked '
                        f'@external): it has type "{dest.type}" in the defining subgraphs but type "{t}" in '
                        f'subgraph "{self.subs[i].name}"',
                        names,
                        coordinate,
                    )
        contexts: dict[int, ValueNode] = {}
        for i, f in active.items():
            context = _context_arguments(self.subs[i].name, f)
            if context is not None:
                contexts[i] = context
        dest.args = self.merge_args(
            coordinate,
            {i: {n: a for n, a in f.args.items() if not a_has(a, "fromContext")} for i, f in active.items()},
        )
        directives = self.merge_directives([f.directives for f in active.values()], coordinate)
        joins = self.join_fields(parent.name, sources, has_type, external, ov, all_equal, contexts)
        dest.directives = _inaccessible_first(joins, directives)
        return dest

    def validate_override(
        self, coordinate: str, fname: str, sources: dict[int, FieldDef], tdefs: dict[int, TypeDef]
    ) -> _Override:
        ov = _Override()
        for i, f in sources.items():
            d = f.first("override") if self.subs[i].fed2 else None
            if d is None:
                continue
            me = self.subs[i].name
            src = d.str_arg("from") or ""
            label = d.str_arg("label")
            if label is not None and not (_LABEL.match(label) or _PERCENT.match(label)):
                self.error(
                    E.OVERRIDE_LABEL_INVALID,
                    f'Invalid @override label "{label}" on field "{coordinate}" on subgraph "{me}": labels '
                    "must start with a letter and after that may contain alphanumerics, underscores, "
                    "minuses, colons, periods, or slashes. Alternatively, labels may be of the form "
                    '"percent(x)" where x is a float between 0-100 inclusive.',
                    [me],
                    coordinate,
                )
                label = None
            if src == me:
                self.error(
                    E.OVERRIDE_FROM_SELF_ERROR,
                    f'Source and destination subgraphs "{me}" are the same for overridden field '
                    f'"{coordinate}"',
                    [me],
                    coordinate,
                )
                continue
            j = self.index.get(src)
            if j is None:
                ov.targetless.add(i)
                self.hint(
                    E.FROM_SUBGRAPH_DOES_NOT_EXIST,
                    f'Source subgraph "{src}" for field "{coordinate}" on subgraph "{me}" does not exist.',
                    coordinate,
                )
                continue
            from_field = sources.get(j)
            if from_field is None:
                continue
            if from_field.first("override") is not None:
                self.error(
                    E.OVERRIDE_SOURCE_HAS_OVERRIDE,
                    f'Field "{coordinate}" on subgraph "{me}" is also marked with directive @override in '
                    f'subgraph "{src}". Only one @override directive is allowed per field.',
                    [me, src],
                    coordinate,
                )
                continue
            if from_field.has("requires") or from_field.has("provides") or f.has("external"):
                self.error(
                    E.OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE,
                    f'@override cannot be used on field "{coordinate}" on subgraph "{me}" since '
                    f'"{coordinate}" on "{src}" is marked with directive @requires, @provides or @external',
                    [me, src],
                    coordinate,
                )
                continue
            if from_field.has("external"):
                continue
            if label is not None:
                ov.labels[i] = label
                ov.labels[j] = label
                self.hint(
                    E.OVERRIDE_MIGRATION_IN_PROGRESS,
                    f'Field "{coordinate}" is currently being migrated with progressive @override. Once the '
                    f'migration is complete, remove the field from subgraph "{src}".',
                    coordinate,
                )
            if (tdefs[j].name, fname) in self.key_fields[j]:
                ov.used_overridden.add(j)
            else:
                ov.unused_overridden.add(j)
                if label is None:
                    self.hint(
                        E.OVERRIDDEN_FIELD_CAN_BE_REMOVED,
                        f'Field "{coordinate}" on subgraph "{src}" is overridden. Consider removing it.',
                        coordinate,
                    )
        return ov

    def validate_sharing(
        self,
        coordinate: str,
        sources: dict[int, FieldDef],
        tdefs: dict[int, TypeDef],
        external: set[int],
        ov: _Override,
    ) -> None:
        resolving: list[int] = []
        non_shareable: list[int] = []
        shareable_count = 0
        for i, f in sources.items():
            if i in external or i in ov.used_overridden or i in ov.unused_overridden:
                continue
            resolving.append(i)
            if self.shareable(i, tdefs[i], f):
                shareable_count += 1
            else:
                non_shareable.append(i)
        if non_shareable and (shareable_count > 0 or len(non_shareable) > 1):
            names = [self.subs[i].name for i in resolving]
            which = (
                subgraph_list([self.subs[i].name for i in non_shareable])
                if shareable_count
                else "all of them"
            )
            extra = ""
            targetless = [i for i in non_shareable if i in ov.targetless]
            if targetless:
                extra = (
                    f' (please note that "{coordinate}" has an @override directive in '
                    f'"{self.subs[targetless[0]].name}" that targets an unknown subgraph so this could be '
                    "due to misspelling the @override(from:) argument)"
                )
            self.error(
                E.INVALID_FIELD_SHARING,
                f'Non-shareable field "{coordinate}" is resolved from multiple subgraphs: it is resolved '
                f"from {subgraph_list(names)} and defined as non-shareable in {which}{extra}. To fix it, "
                "mark the field @shareable in every subgraph that resolves it, or resolve it from a single "
                "subgraph.",
                names,
                coordinate,
            )

    def join_fields(
        self,
        parent_name: str,
        sources: dict[int, FieldDef],
        has_type: set[int],
        external: set[int],
        ov: _Override,
        all_equal: bool,
        contexts: dict[int, ValueNode],
    ) -> list[Applied]:
        needs = not all_equal or bool(ov.used_overridden) or bool(ov.labels) or bool(contexts)
        if not needs:
            for i in has_type:
                f = sources.get(i)
                if f is None or i in ov.unused_overridden:
                    needs = True
                    break
                if i in external or f.has("provides") or f.has("requires"):
                    needs = True
                    break
        if not needs:
            return []
        out: list[Applied] = []
        for i in sorted(sources):
            f = sources[i]
            if i in ov.unused_overridden and i not in ov.labels:
                continue
            args: list[tuple[str, ValueNode]] = [("graph", _e(self.graph_names[i]))]
            for d in ("requires", "provides"):
                app = f.first(d)
                if app is not None:
                    args.append((d, _s(app.str_arg("fields") or "")))
            if not all_equal:
                args.append(("type", _s(f.type)))
            if i in external:
                args.append(("external", _b(True)))
            o = f.first("override") if self.subs[i].fed2 else None
            if o is not None and i not in ov.targetless and (o.str_arg("from") or "") in self.index:
                args.append(("override", _s(o.str_arg("from") or "")))
            if i in ov.used_overridden:
                args.append(("usedOverridden", _b(True)))
            if i in ov.labels:
                args.append(("overrideLabel", _s(ov.labels[i])))
            if i in contexts:
                args.append(("contextArguments", contexts[i]))
                self.used.add("context")
            out.append(Applied("join__field", tuple(args)))
        return out

    def merge_type(
        self, coordinate: str, what: str, types: dict[int, str], input_position: bool
    ) -> tuple[str, bool]:
        dest: str | None = None
        subtypes = incompatible = False
        for t in types.values():
            if dest is None or t == dest:
                dest = t
            elif is_strict_subtype(dest, t, self.named_subtype):
                subtypes = True
                if input_position:
                    dest = t
            elif is_strict_subtype(t, dest, self.named_subtype):
                subtypes = True
                if not input_position:
                    dest = t
            else:
                incompatible = True
        assert dest is not None
        if incompatible:
            groups: dict[str, list[str]] = {}
            for i, t in types.items():
                groups.setdefault(t, []).append(self.subs[i].name)
            parts = [f'type "{t}" in {subgraph_list(n)}' for t, n in groups.items()]
            label = "field" if what == "field" else "argument"
            code = (
                E.FIELD_TYPE_MISMATCH if what in ("field", "input field") else E.FIELD_ARGUMENT_TYPE_MISMATCH
            )
            self.error(
                code,
                f'Type of {label} "{coordinate}" is incompatible across subgraphs: it has '
                + " but ".join(parts),
                [self.subs[i].name for i in types],
                coordinate,
            )
        elif subtypes:
            code = (
                E.INCONSISTENT_BUT_COMPATIBLE_FIELD_TYPE
                if what != "argument"
                else (E.INCONSISTENT_BUT_COMPATIBLE_ARGUMENT_TYPE)
            )
            self.hint(
                code,
                f'Type of {what} "{coordinate}" is inconsistent but compatible across subgraphs: will use '
                f'type "{dest}" in supergraph.',
                coordinate,
            )
        return dest, not subtypes and not incompatible

    def merge_args(self, coordinate: str, sources: dict[int, dict[str, InputValue]]) -> dict[str, InputValue]:
        names: list[str] = []
        for args in sources.values():
            for a in args:
                if a not in names:
                    names.append(a)
        out: dict[str, InputValue] = {}
        for name in names:
            arg_coord = f"{coordinate}({name}:)"
            present = {i: args[name] for i, args in sources.items() if name in args}
            if len(present) < len(sources):
                # Apollo records the enum usage before dropping the argument.
                self.record_enum(next(iter(present.values())).type, "Input", arg_coord)
                have = [self.subs[i].name for i in present]
                missing = [self.subs[i].name for i in sources if i not in present]
                required = [
                    self.subs[i].name
                    for i, a in present.items()
                    if is_required(a.type, a.default is not None)
                ]
                if required:
                    self.error(
                        E.REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH,
                        f'Argument "{arg_coord}" is required in some subgraphs but does not appear in all '
                        f"subgraphs: it is required in {subgraph_list(required)} but does not appear in "
                        f"{subgraph_list(missing)}. Add the argument to {subgraph_list(missing)} or make it "
                        "optional everywhere.",
                        required + missing,
                        arg_coord,
                    )
                else:
                    self.hint(
                        E.INCONSISTENT_ARGUMENT_PRESENCE,
                        f'Optional argument "{arg_coord}" will not be included in the supergraph as it does '
                        f"not appear in all subgraphs: it is defined in {subgraph_list(have)} but not in "
                        f"{subgraph_list(missing)}.",
                        arg_coord,
                    )
                continue
            out[name] = self.merge_input_value(arg_coord, "argument", present)
        return out

    def merge_input_value(self, coordinate: str, what: str, present: dict[int, InputValue]) -> InputValue:
        type_ref, _ = self.merge_type(coordinate, what, {i: a.type for i, a in present.items()}, True)
        self.record_enum(type_ref, "Input", coordinate)
        default = self.merge_default(coordinate, what, present)
        return InputValue(
            name=next(iter(present.values())).name,
            type=type_ref,
            default=default,
            description=self.merge_description([a.description for a in present.values()]),
            directives=self.merge_directives([a.directives for a in present.values()], coordinate),
        )

    def merge_default(self, coordinate: str, what: str, present: dict[int, InputValue]) -> ValueNode | None:
        """Apollo's rule for defaults of arguments and input fields.

        The same default everywhere is kept; a default in only some subgraphs is dropped (hint); two different
        defaults are an error.
        """
        chosen: ValueNode | None = None
        seen = inconsistent = incompatible = False
        for a in present.values():
            if chosen is None:
                chosen = a.default
                inconsistent = inconsistent or (seen and a.default is not None)
            elif a.default is None or print_ast(a.default) != print_ast(chosen):
                inconsistent = True
                incompatible = incompatible or a.default is not None
            seen = True
        printed = {i: print_ast(a.default) if a.default is not None else None for i, a in present.items()}
        if incompatible:
            code = E.FIELD_ARGUMENT_DEFAULT_MISMATCH if what == "argument" else E.INPUT_FIELD_DEFAULT_MISMATCH
            parts = [
                (f"default value {v}" if v is not None else "no default value")
                + f' in subgraph "{self.subs[i].name}"'
                for i, v in printed.items()
            ]
            self.error(
                code,
                f'{what.capitalize()} "{coordinate}" has incompatible default values across subgraphs: it '
                "has " + " but ".join(parts) + ". Use the same default value in every subgraph.",
                [self.subs[i].name for i in present],
                coordinate,
            )
            return chosen
        if inconsistent:
            have = [self.subs[i].name for i, v in printed.items() if v is not None]
            missing = [self.subs[i].name for i, v in printed.items() if v is None]
            self.hint(
                E.INCONSISTENT_DEFAULT_VALUE_PRESENCE,
                f'{what.capitalize()} "{coordinate}" has a default value in only some subgraphs: will not '
                f"use a default in the supergraph (there is no default in {subgraph_list(missing)}) but it "
                f"has one in {subgraph_list(have)}.",
                coordinate,
            )
            return None
        return chosen

    def add_interface_object_fields(self) -> None:
        """Implementations of an interface get the fields only interface objects provide
        (``@join__field``)."""
        for itf_name, fields in self.itf_object_fields.items():
            itf = self.types.get(itf_name)
            if itf is None:
                continue
            for t in self.types.values():
                if t.kind != "object" or itf_name not in t.interfaces:
                    continue
                for fname in fields:
                    if fname in t.fields or fname not in itf.fields:
                        continue
                    src = itf.fields[fname]
                    t.fields[fname] = FieldDef(
                        name=fname,
                        type=src.type,
                        args=dict(src.args),
                        description=src.description,
                        directives=[Applied("join__field")]
                        + [d for d in src.directives if not d.name.startswith("join__")],
                    )

    # -- other kinds -----------------------------------------------------------------------------------------

    def merge_union(self, name: str, defs: list[tuple[int, TypeDef]]) -> TypeDef:
        dest = TypeDef(name=name, kind="union")
        dest.description = self.merge_description([t.description for _, t in defs])
        members: list[Applied] = []
        for _, t in defs:
            for m in t.members:
                if m not in dest.members:
                    dest.members.append(m)
        for m in dest.members:
            for idx, t in defs:
                if m in t.members:
                    graph = ("graph", _e(self.graph_names[idx]))
                    members.append(Applied("join__unionMember", (graph, ("member", _s(m)))))
        for m in dest.members:
            have = [self.subs[i].name for i, t in defs if m in t.members]
            if len(have) < len(defs):
                missing = [self.subs[i].name for i, t in defs if m not in t.members]
                self.hint(
                    E.INCONSISTENT_UNION_MEMBER,
                    f'Union type "{name}" includes member type "{m}" in some but not all defining '
                    f'subgraphs: "{m}" is defined in {subgraph_list(have)} but not in '
                    f"{subgraph_list(missing)}.",
                    name,
                )
        join_types = [a for i, t in defs for a in self.join_type(i, t, False)]
        dest.directives = join_types + members + self.merge_directives([t.directives for _, t in defs], name)
        return dest

    def merge_scalar(self, name: str, defs: list[tuple[int, TypeDef]]) -> TypeDef:
        dest = TypeDef(name=name, kind="scalar")
        dest.description = self.merge_description([t.description for _, t in defs])
        join_types = [a for i, t in defs for a in self.join_type(i, t, False)]
        dest.directives = join_types + self.merge_directives([t.directives for _, t in defs], name)
        return dest

    def merge_input(self, name: str, defs: list[tuple[int, TypeDef]]) -> TypeDef:
        dest = TypeDef(name=name, kind="input")
        dest.description = self.merge_description([t.description for _, t in defs])
        join_types = [a for i, t in defs for a in self.join_type(i, t, False)]
        dest.directives = join_types + self.merge_directives([t.directives for _, t in defs], name)
        names: list[str] = []
        for _, t in defs:
            for f in t.input_fields:
                if f not in names:
                    names.append(f)
        for fname in names:
            coordinate = f"{name}.{fname}"
            present = {i: t.input_fields[fname] for i, t in defs if fname in t.input_fields}
            if len(present) < len(defs):
                # Apollo records the enum usage before dropping the field.
                self.record_enum(next(iter(present.values())).type, "Input", coordinate)
                have = [self.subs[i].name for i in present]
                missing = [self.subs[i].name for i, t in defs if fname not in t.input_fields]
                required = [
                    self.subs[i].name
                    for i, a in present.items()
                    if is_required(a.type, a.default is not None)
                ]
                if required:
                    self.error(
                        E.REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH,
                        f'Input object field "{coordinate}" is required in some subgraphs but does not '
                        f"appear in all subgraphs: it is required in {subgraph_list(required)} but does not "
                        f"appear in {subgraph_list(missing)}. Add the field to {subgraph_list(missing)} or "
                        "make it optional everywhere.",
                        required + missing,
                        coordinate,
                    )
                else:
                    self.hint(
                        E.INCONSISTENT_INPUT_OBJECT_FIELD,
                        f'Input object field "{fname}" will not be added to "{name}" in the supergraph as '
                        f"it does not appear in all subgraphs: it is defined in {subgraph_list(have)} but "
                        f"not in {subgraph_list(missing)}.",
                        coordinate,
                    )
                continue
            merged = self.merge_input_value(coordinate, "input field", present)
            if any(a.type != merged.type for a in present.values()):
                joins = [
                    Applied("join__field", (("graph", _e(self.graph_names[i])), ("type", _s(a.type))))
                    for i, a in present.items()
                ]
                merged.directives = joins + merged.directives
            dest.input_fields[fname] = merged
        if not dest.input_fields:
            self.error(
                E.EMPTY_MERGED_INPUT_TYPE,
                f'None of the fields of input object type "{name}" are consistently defined in all the '
                "subgraphs defining that type. As only fields common to all subgraphs are merged, this "
                "would result in an empty type.",
                [self.subs[i].name for i, _ in defs],
                name,
            )
        return dest

    def record_enum(self, type_ref: str, position: str, coordinate: str) -> None:
        name = base_type(type_ref)
        self.enum_usage.setdefault(name, set()).add(position)
        self.enum_example.setdefault(name, {}).setdefault(position, coordinate)

    def merge_enum(self, name: str, defs: list[tuple[int, TypeDef]]) -> TypeDef:
        dest = TypeDef(name=name, kind="enum")
        dest.description = self.merge_description([t.description for _, t in defs])
        join_types = [a for i, t in defs for a in self.join_type(i, t, False)]
        dest.directives = join_types + self.merge_directives([t.directives for _, t in defs], name)
        usage = self.enum_usage.get(name, set())
        names: list[str] = []
        for _, t in defs:
            for v in t.values:
                if v not in names:
                    names.append(v)
        for vname in names:
            present = [(i, t.values[vname]) for i, t in defs if vname in t.values]
            if len(present) < len(defs):
                have = [self.subs[i].name for i, _ in present]
                missing = [self.subs[i].name for i, t in defs if vname not in t.values]
                where = f'"{vname}" is defined in {subgraph_list(have)} but not in {subgraph_list(missing)}'
                if usage == {"Input", "Output"}:
                    ex = self.enum_example[name]
                    self.error(
                        E.ENUM_VALUE_MISMATCH,
                        f'Enum type "{name}" is used as both input type (for example, as type of '
                        f'"{ex["Input"]}") and output type (for example, as type of "{ex["Output"]}"), but '
                        f'value "{vname}" is not defined in all the subgraphs defining "{name}": {where}',
                        have + missing,
                        f"{name}.{vname}",
                    )
                    continue
                if usage == {"Input"}:
                    self.hint(
                        E.INCONSISTENT_ENUM_VALUE_FOR_INPUT_ENUM,
                        f'Value "{vname}" of enum type "{name}" will not be part of the supergraph as it is '
                        f'not defined in all the subgraphs defining "{name}": {where}.',
                        f"{name}.{vname}",
                    )
                    continue
                self.hint(
                    E.INCONSISTENT_ENUM_VALUE_FOR_OUTPUT_ENUM,
                    f'Value "{vname}" of enum type "{name}" has been added to the supergraph but is only '
                    f'defined in a subset of the subgraphs defining "{name}": {where}.',
                    f"{name}.{vname}",
                )
            value = EnumValueDef(name=vname)
            value.description = self.merge_description([v.description for _, v in present])
            joins = [Applied("join__enumValue", (("graph", _e(self.graph_names[i])),)) for i, _ in present]
            value.directives = _inaccessible_first(
                joins, self.merge_directives([v.directives for _, v in present], f"{name}.{vname}")
            )
            dest.values[vname] = value
        if not dest.values:
            self.error(
                E.EMPTY_MERGED_ENUM_TYPE,
                f'None of the values of enum type "{name}" are defined consistently in all the subgraphs '
                "defining that type. As only values common to all subgraphs are merged, this would result "
                "in an empty type.",
                [self.subs[i].name for i, _ in defs],
                name,
            )
        return dest


def a_has(value: InputValue, directive: str) -> bool:
    """Whether an argument carries a directive (canonical name)."""
    return any(d.name == directive for d in value.directives)


_CONTEXT_REF = re.compile(r"^\s*\$([A-Za-z_][A-Za-z0-9_]*)(.*)$", re.DOTALL)


def _context_arguments(subgraph: str, field: FieldDef) -> ValueNode | None:
    """``join__field(contextArguments:)`` for the ``@fromContext`` arguments of a subgraph field.

    ``@fromContext(field: "$ctx { sel }")`` arguments are filled by the router from the context ``ctx`` set
    with ``@context`` on an ancestor type; they leave the public field and are recorded here instead.
    """
    items: list[ValueNode] = []
    for arg in field.args.values():
        app = next((d for d in arg.directives if d.name == "fromContext"), None)
        match = _CONTEXT_REF.match(app.str_arg("field") or "") if app is not None else None
        if match is None:
            continue
        entries = (
            ("context", f"{subgraph}__{match.group(1)}"),
            ("name", arg.name),
            ("type", arg.type),
            ("selection", match.group(2)),
        )
        fields = tuple(ObjectFieldNode(name=NameNode(value=k), value=_s(v)) for k, v in entries)
        items.append(ObjectValueNode(fields=fields))
    return ListValueNode(values=tuple(items)) if items else None


def _inaccessible_first(joins: list[Applied], others: list[Applied]) -> list[Applied]:
    """Apollo prints ``@inaccessible`` before the join metadata of fields and enum values."""
    hidden = [d for d in others if d.name == "inaccessible"]
    return hidden + joins + [d for d in others if d.name != "inaccessible"]
