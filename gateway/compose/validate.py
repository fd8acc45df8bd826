"""Checks on the merged result: ``@inaccessible`` consistency and interface implementations.

Why after merging: an element can be accessible in one subgraph and hidden in another, and an object may
implement an interface only in some subgraphs; only the merged supergraph shows the final shape.
"""

from __future__ import annotations

from graphql import EnumValueNode, ListValueNode, ValueNode, print_ast

from gateway.compose import errors as E
from gateway.compose.errors import CompositionError
from gateway.compose.merge import Supergraph
from gateway.compose.model import Applied, InputValue, Subgraph, TypeDef, base_type


def _inaccessible(directives: list[Applied]) -> bool:
    return any(d.name == "inaccessible" for d in directives)


def check_inaccessible(sg: Supergraph) -> list[CompositionError]:
    """An accessible element may not reference an inaccessible type; a type may not hide all its fields."""
    errors: list[CompositionError] = []
    hidden = {n for n, t in sg.types.items() if _inaccessible(t.directives)}
    for t in sg.types.values():
        if t.name in hidden:
            continue
        refs: list[tuple[str, str, list[Applied]]] = []
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
                        f'Type "{target}" is @inaccessible but is referenced by "{coordinate}", which is in '
                        f'the API schema. Mark "{coordinate}" @inaccessible too, or remove @inaccessible '
                        f'from "{target}".',
                        (),
                        coordinate,
                    )
                )
        children: list[list[Applied]] = [f.directives for f in t.fields.values()]
        children += [f.directives for f in t.input_fields.values()]
        children += [v.directives for v in t.values.values()]
        if children and all(_inaccessible(directives) for directives in children):
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
                            f'"{t.name}", which implements "{itf_name}" only in some subgraphs, does not '
                            f'have field "{fname}". Add "{t.name}.{fname}" to the subgraphs defining '
                            f'"{t.name}".',
                            (),
                            f"{t.name}.{fname}",
                        )
                    )
    return errors


def _implementations(sg: Supergraph, interface: str) -> list[str]:
    return [t.name for t in sg.types.values() if t.kind == "object" and interface in t.interfaces]


def _missing_implementations_error(
    sub: Subgraph, itf: TypeDef, key: str, missing: list[str]
) -> CompositionError:
    plural = len(missing) > 1
    listed = ", ".join(f'"{n}"' for n in missing)
    return CompositionError(
        E.INTERFACE_KEY_MISSING_IMPLEMENTATION_TYPE,
        f'[{sub.name}] Interface type "{itf.name}" has a resolvable key (@key(fields: "{key}")) in subgraph '
        f'"{sub.name}" but that subgraph is missing some of the supergraph implementation types of '
        f'"{itf.name}". Subgraph "{sub.name}" should define type{"s" if plural else ""} {listed} (and have '
        f'{"them" if plural else "it"} implement "{itf.name}").',
        (sub.name,),
        itf.name,
    )


def _implementation_in_interface_object_error(sub: Subgraph, itf: str, impl: str) -> CompositionError:
    return CompositionError(
        E.INTERFACE_OBJECT_USAGE_ERROR,
        f'[{sub.name}] Interface type "{itf}" is defined as an @interfaceObject in subgraph "{sub.name}" so '
        f'that subgraph should not define any of the implementation types of "{itf}", but it defines type '
        f'"{impl}". Remove "{impl}" from subgraph "{sub.name}" (or define "{itf}" as an interface there).',
        (sub.name,),
        itf,
    )


def check_interface_entities(subs: list[Subgraph], sg: Supergraph) -> list[CompositionError]:
    """Entity interfaces: a subgraph with a resolvable interface ``@key`` must know every implementation (it
    may be asked to resolve any of them), and an ``@interfaceObject`` subgraph must know none of them."""
    errors: list[CompositionError] = []
    for sub in subs:
        for t in sub.types.values():
            implementations = _implementations(sg, t.name)
            if t.kind == "interface":
                keys = [k for k in t.all("key") if k.bool_arg("resolvable", True)]
                missing = [
                    n for n in implementations if t.name not in getattr(sub.types.get(n), "interfaces", ())
                ]
                if keys and missing:
                    errors.append(
                        _missing_implementations_error(sub, t, keys[0].str_arg("fields") or "", missing)
                    )
            elif t.kind == "object" and t.has("interfaceObject"):
                defined = [n for n in implementations if n in sub.types]
                if defined:
                    errors.append(_implementation_in_interface_object_error(sub, t.name, defined[0]))
    return errors


def _enum_default_ok(sg: Supergraph, type_ref: str, value: ValueNode) -> bool:
    enum = sg.types.get(base_type(type_ref))
    if enum is None or enum.kind != "enum":
        return True
    if isinstance(value, ListValueNode):
        return all(_enum_default_ok(sg, type_ref, v) for v in value.values)
    if isinstance(value, EnumValueNode):
        return value.value in enum.values
    return True


def check_default_values(sg: Supergraph) -> list[CompositionError]:
    """Enum default values must still exist after merging (input enums keep only common values)."""
    errors: list[CompositionError] = []
    for t in sg.types.values():
        values: list[tuple[str, str, InputValue]] = []
        for f in t.fields.values():
            values.extend(
                (f"argument {t.name}.{f.name}({a.name}:)", f"{t.name}.{f.name}", a) for a in f.args.values()
            )
        values.extend(
            (f"input field {t.name}.{f.name}", f"{t.name}.{f.name}", f) for f in t.input_fields.values()
        )
        for what, coordinate, iv in values:
            if iv.default is not None and not _enum_default_ok(sg, iv.type, iv.default):
                errors.append(
                    CompositionError(
                        E.INVALID_GRAPHQL,
                        f"Invalid default value (got: {print_ast(iv.default)}) provided for {what} of type "
                        f"{iv.type}: the value is not in the merged enum (input enums only keep the values "
                        "every subgraph defines). Add the value to every subgraph's enum or change the "
                        "default.",
                        (),
                        coordinate,
                    )
                )
    return errors
