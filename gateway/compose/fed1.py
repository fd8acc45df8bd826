"""Apollo's Fed 1 -> Fed 2 schema upgrade, limited to what changes composition results.

Why: Federation 1 subgraphs (no federation ``@link``) followed looser rules; Apollo composes them after an
automatic upgrade instead of rejecting them. We apply the same rewrites to our model:

* ``@external`` on the key fields of type extensions is dropped (Fed 1 needed it because the type was
  "owned" elsewhere; in Fed 2 key fields are resolved by every subgraph with the key);
* ``@key`` on interfaces is dropped (Fed 1 ignored it);
* ``@provides``/``@requires`` keep only their ``@external`` leaf fields and disappear when none remain (a
  ``@provides`` also when the field's type is not composite); invalid field sets are left for validation;
* unused ``@external`` fields are removed later by the subgraph checks (they are an error in Fed 2 only).
"""

from __future__ import annotations

from graphql import StringValueNode

from gateway.compose.fieldset import Selection, parse_field_set
from gateway.compose.model import Applied, FieldDef, Subgraph, base_type


def _print(sels: tuple[Selection, ...]) -> str:
    parts: list[str] = []
    for sel in sels:
        text = sel.name + (" { " + _print(sel.children) + " }" if sel.children else "")
        parts.append(f"... on {sel.type_condition} {{ {text} }}" if sel.type_condition else text)
    return " ".join(parts)


def _valid(sub: Subgraph, type_name: str, sels: tuple[Selection, ...]) -> bool:
    """Whether every selected field exists (Apollo leaves invalid sets alone for validation to report)."""
    for sel in sels:
        owner = sub.types.get(sel.type_condition or type_name)
        field = owner.fields.get(sel.name) if owner else None
        if field is None or (sel.children and not _valid(sub, base_type(field.type), sel.children)):
            return False
    return True


def _keep_external(sub: Subgraph, type_name: str, sels: tuple[Selection, ...]) -> tuple[Selection, ...]:
    kept: list[Selection] = []
    for sel in sels:
        owner = sub.types.get(sel.type_condition or type_name)
        field = owner.fields[sel.name] if owner else None
        if field is None:
            continue
        if not sel.children:
            if field.has("external"):
                kept.append(sel)
            continue
        children = _keep_external(sub, base_type(field.type), sel.children)
        if children:
            kept.append(Selection(sel.name, sel.has_args, children, sel.type_condition))
    return tuple(kept)


def _drop_inactive(sub: Subgraph, field: FieldDef, directive: str, type_name: str) -> None:
    """Keep only the ``@external`` leaves of a ``@provides``/``@requires``; drop it when none remain."""
    app = field.first(directive)
    if app is None:
        return
    try:
        sels = parse_field_set(app.str_arg("fields") or "")
    except ValueError:
        return
    if not _valid(sub, type_name, sels):
        return
    kept = _keep_external(sub, type_name, sels)
    if not kept:
        field.directives = [d for d in field.directives if d is not app]
    elif kept != sels:
        rewritten = Applied(directive, (("fields", StringValueNode(value=_print(kept))),), app.from_extension)
        field.directives = [rewritten if d is app else d for d in field.directives]


def upgrade_fed1(sub: Subgraph) -> None:
    """Rewrite a Fed 1 subgraph in place (see the module docstring)."""
    for tdef in sub.types.values():
        if tdef.kind == "interface":
            tdef.directives = [d for d in tdef.directives if d.name != "key"]
        key_fields: set[str] = set()
        for key in tdef.all("key"):
            try:
                key_fields.update(s.name for s in parse_field_set(key.str_arg("fields") or ""))
            except ValueError:
                continue
        for fname in key_fields:
            f = tdef.fields.get(fname)
            if f is not None and f.has("external"):
                f.directives = [d for d in f.directives if d.name != "external"]
    # Second pass, after all key fields lost their @external (the order of Apollo's upgrade steps).
    for tdef in sub.types.values():
        for f in tdef.fields.values():
            _drop_inactive(sub, f, "requires", tdef.name)
            target = base_type(f.type)
            if f.has("provides") and sub.type_kind(target) not in ("object", "interface", "union"):
                f.directives = [d for d in f.directives if d.name != "provides"]
            else:
                _drop_inactive(sub, f, "provides", target)
