"""Per-subgraph validation: what Apollo checks on each subgraph before merging.

Why separate from merging: these errors belong to exactly one subgraph team (``[name]`` prefix), and they must
be found even when the subgraph composes with nothing else. Also computes which ``@external`` fields are used,
because unused ones are an error in Fed 2 and silently dropped for Fed 1 subgraphs (Apollo's upgrade does
that).
"""

from __future__ import annotations

from gateway.compose import errors as E
from gateway.compose.errors import CompositionError
from gateway.compose.fieldset import Selection, parse_field_set
from gateway.compose.model import BUILTIN_SCALARS, ROOT_TYPES, Subgraph, TypeDef, base_type

_KEY_ADVICE = (
    "the field should either be added to this subgraph or, if it should not be resolved by this subgraph, "
    "you need to add it to this subgraph with @external"
)
_REQUIRES_ADVICE = (
    "if the field is defined in another subgraph, you need to add it to this subgraph with @external"
)


class _Checker:
    def __init__(self, sub: Subgraph) -> None:
        self.sub = sub
        self.errors: list[CompositionError] = []
        self.used_external: set[tuple[str, str]] = set()

    def error(self, code: str, message: str, coordinate: str | None) -> None:
        self.errors.append(
            CompositionError(code, f"[{self.sub.name}] {message}", (self.sub.name,), coordinate)
        )

    # -- field-set walking -----------------------------------------------------------------------------------

    def walk(
        self,
        type_name: str,
        selections: tuple[Selection, ...],
        directive: str,
        where: str,
        code_invalid: str,
        advice: str,
        require_external: bool,
    ) -> bool:
        """Check a selection against ``type_name``; mark externals used. Returns False after an error."""
        ok = True
        for sel in selections:
            owner_name = sel.type_condition or type_name
            owner = self.sub.types.get(owner_name)
            if owner is None or owner.kind not in ("object", "interface"):
                self.error(code_invalid, f'{where}: Unknown type "{owner_name}"', owner_name)
                return False
            field = owner.fields.get(sel.name)
            coordinate = f"{owner_name}.{sel.name}"
            if field is None:
                self.error(
                    code_invalid,
                    f'{where}: Cannot query field "{sel.name}" on type "{owner_name}" ({advice}).',
                    coordinate,
                )
                ok = False
                continue
            if field.has("external"):
                self.used_external.add((owner_name, sel.name))
            target = base_type(field.type)
            target_kind = self.sub.type_kind(target)
            if directive == "key":
                if target_kind in ("interface", "union"):
                    label = "Interface" if target_kind == "interface" else "Union"
                    self.error(
                        E.KEY_FIELDS_SELECT_INVALID_TYPE,
                        f'{where}: field "{coordinate}" is a {label} type which is not allowed in @key',
                        coordinate,
                    )
                    ok = False
                    continue
                if field.args:
                    self.error(
                        E.KEY_FIELDS_HAS_ARGS,
                        f"{where}: field {coordinate} cannot be included because it has arguments (fields "
                        "with argument are not allowed in @key)",
                        coordinate,
                    )
                    ok = False
                    continue
            composite = target_kind in ("object", "interface", "union")
            if composite and not sel.children:
                self.error(
                    code_invalid,
                    f'{where}: Field "{sel.name}" of type "{field.type}" must have a selection of subfields.',
                    coordinate,
                )
                ok = False
                continue
            if not composite and sel.children:
                self.error(
                    code_invalid,
                    f'{where}: Field "{sel.name}" must not have a selection since type "{field.type}" has '
                    "no subfields.",
                    coordinate,
                )
                ok = False
                continue
            if sel.children:
                ok = (
                    self.walk(
                        target,
                        sel.children,
                        directive,
                        where,
                        code_invalid,
                        advice,
                        require_external and not field.has("external"),
                    )
                    and ok
                )
            elif require_external and not field.has("external"):
                code = (
                    E.REQUIRES_FIELDS_MISSING_EXTERNAL
                    if directive == "requires"
                    else E.PROVIDES_FIELDS_MISSING_EXTERNAL
                )
                self.error(
                    code,
                    f'{where}: field "{coordinate}" should not be part of a @{directive} since it is '
                    "already provided by this subgraph (it is not marked @external)",
                    coordinate,
                )
                ok = False
        return ok

    def parse(self, text: str, code: str, where: str, coordinate: str) -> tuple[Selection, ...] | None:
        try:
            return parse_field_set(text)
        except ValueError as exc:
            self.error(code, f"{where}: {exc}", coordinate)
            return None

    # -- directive checks ------------------------------------------------------------------------------------

    def check_keys(self, tdef: TypeDef) -> None:
        for key in tdef.all("key"):
            text = key.str_arg("fields") or ""
            where = f'On type "{tdef.name}", for @key(fields: "{text}")'
            sels = self.parse(text, E.KEY_INVALID_FIELDS, where, tdef.name)
            if sels is not None:
                self.walk(tdef.name, sels, "key", where, E.KEY_INVALID_FIELDS, _KEY_ADVICE, False)

    def check_field_directives(self, tdef: TypeDef) -> None:
        for field in tdef.fields.values():
            coordinate = f"{tdef.name}.{field.name}"
            requires = field.first("requires")
            if requires is not None:
                text = requires.str_arg("fields") or ""
                where = f'On field "{coordinate}", for @requires(fields: "{text}")'
                sels = self.parse(text, E.REQUIRES_INVALID_FIELDS, where, coordinate)
                if sels is not None:
                    self.walk(
                        tdef.name,
                        sels,
                        "requires",
                        where,
                        E.REQUIRES_INVALID_FIELDS,
                        _REQUIRES_ADVICE,
                        self.sub.fed2,
                    )
            provides = field.first("provides")
            if provides is not None:
                text = provides.str_arg("fields") or ""
                target = base_type(field.type)
                if self.sub.type_kind(target) not in ("object", "interface", "union"):
                    self.error(
                        E.PROVIDES_ON_NON_OBJECT_FIELD,
                        f'Invalid @provides directive on field "{coordinate}": field has type '
                        f'"{field.type}" which is not a Composite Type',
                        coordinate,
                    )
                    continue
                where = f'On field "{coordinate}", for @provides(fields: "{text}")'
                sels = self.parse(text, E.PROVIDES_INVALID_FIELDS, where, coordinate)
                if sels is not None:
                    self.walk(
                        target,
                        sels,
                        "provides",
                        where,
                        E.PROVIDES_INVALID_FIELDS,
                        _REQUIRES_ADVICE,
                        self.sub.fed2,
                    )

    def check_references(self, tdef: TypeDef) -> None:
        refs: list[tuple[str, str]] = []
        for field in tdef.fields.values():
            refs.append((f"{tdef.name}.{field.name}", base_type(field.type)))
            refs.extend(
                (f"{tdef.name}.{field.name}({a.name}:)", base_type(a.type)) for a in field.args.values()
            )
        refs.extend((f"{tdef.name}.{f.name}", base_type(f.type)) for f in tdef.input_fields.values())
        refs.extend((tdef.name, m) for m in tdef.members)
        for coordinate, name in refs:
            if name not in BUILTIN_SCALARS and name not in self.sub.types:
                self.error(
                    E.INVALID_GRAPHQL, f'Unknown type "{name}" (referenced by "{coordinate}").', coordinate
                )

    def check_interfaces(self, tdef: TypeDef) -> None:
        for itf_name in tdef.interfaces:
            itf = self.sub.types.get(itf_name)
            if itf is None or itf.kind != "interface":
                self.error(
                    E.INVALID_GRAPHQL,
                    f"Type {tdef.name} must only implement Interface types, it cannot implement {itf_name}.",
                    tdef.name,
                )
                continue
            for fname in itf.fields:
                field = tdef.fields.get(fname)
                if field is None:
                    self.error(
                        E.INVALID_GRAPHQL,
                        f"Interface field {itf_name}.{fname} expected but {tdef.name} does not provide it.",
                        f"{tdef.name}.{fname}",
                    )
                elif field.has("external"):
                    self.used_external.add((tdef.name, fname))

    def check_externals(self) -> None:
        for tdef in self.sub.types.values():
            for fname in list(tdef.fields):
                field = tdef.fields[fname]
                if not field.has("external") or (tdef.name, fname) in self.used_external:
                    continue
                if not self.sub.fed2:
                    # Apollo's Fed 1 upgrade removes unused @external fields instead of failing.
                    del tdef.fields[fname]
                    continue
                self.error(
                    E.EXTERNAL_UNUSED,
                    f'Field "{tdef.name}.{fname}" is marked @external but is not used in any federation '
                    "directive (@key, @provides, @requires) or to satisfy an interface; the field "
                    "declaration has no use and should be removed (or the field should not be @external).",
                    f"{tdef.name}.{fname}",
                )

    def run(self) -> list[CompositionError]:
        for tdef in self.sub.types.values():
            self.check_references(tdef)
            if tdef.kind in ("object", "interface"):
                self.check_keys(tdef)
                self.check_field_directives(tdef)
                self.check_interfaces(tdef)
        if not self.errors:
            self.check_externals()
        return self.errors


def check_subgraph(sub: Subgraph) -> list[CompositionError]:
    """Validate one subgraph (keys, requires, provides, externals, interfaces, references)."""
    return _Checker(sub).run()


def check_extensions(subs: list[Subgraph]) -> list[CompositionError]:
    """An ``extend type`` needs a definition (``type X``) in some subgraph (``EXTENSION_WITH_NO_BASE``).

    Checked across subgraphs before the per-subgraph checks, as Apollo does before its Fed 1 upgrade.
    """
    errors: list[CompositionError] = []
    defined = {name for sub in subs for name, t in sub.types.items() if not t.only_extension}
    for sub in subs:
        for name, t in sub.types.items():
            if t.only_extension and name not in defined and name not in ROOT_TYPES:
                errors.append(
                    CompositionError(
                        E.EXTENSION_WITH_NO_BASE,
                        f'[{sub.name}] Type "{name}" is an extension type, but there is no type definition '
                        f'for "{name}" in any subgraph. Define "{name}" with "type {name}" in one subgraph.',
                        (sub.name,),
                        name,
                    )
                )
    return errors
