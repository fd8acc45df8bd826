"""Checks on the merged result: ``@inaccessible`` consistency and interface implementations.

Why after merging: an element can be accessible in one subgraph and hidden in another, and an object may
implement an interface only in some subgraphs; only the merged supergraph shows the final shape.
"""

from __future__ import annotations

from gateway.compose import errors as E
from gateway.compose.errors import CompositionError
from gateway.compose.merge import Supergraph
from gateway.compose.model import Applied, base_type


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
                            f'"{t.name}", which implements "{itf_name}" only in some subgraphs, does not '
                            f'have field "{fname}". Add "{t.name}.{fname}" to the subgraphs defining '
                            f'"{t.name}".',
                            (),
                            f"{t.name}.{fname}",
                        )
                    )
    return errors
