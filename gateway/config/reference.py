"""Markdown reference of every configuration key, generated from the dataclasses.

Why: ``docs/configuration.md`` must list every key with its default; writing that table by hand would drift
from ``model.py`` as sections are added. The docs embed this output between markers, a test fails when it is
stale, and ``python -m gateway.config.reference --write docs/configuration.md`` refreshes it.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from gateway.config.introspect import (
    FieldSpec,
    ListOf,
    MapOf,
    Optional,
    Record,
    Scalar,
    Shape,
    Tagged,
    Toggle,
    fields_of,
)
from gateway.config.model import Config

BEGIN = (
    "<!-- BEGIN GENERATED REFERENCE (python -m gateway.config.reference --write docs/configuration.md) -->"
)
END = "<!-- END GENERATED REFERENCE -->"

_SCALAR_NAMES = {
    "str": "string",
    "int": "integer",
    "float": "number",
    "bool": "boolean",
    "duration": "duration",
}


def _type_name(shape: Shape) -> str:
    if isinstance(shape, Scalar):
        return _SCALAR_NAMES[shape.name]
    if isinstance(shape, Optional):
        return f"{_type_name(shape.inner)} or null"
    if isinstance(shape, ListOf):
        return f"list of {_type_name(shape.item)}"
    if isinstance(shape, MapOf):
        return f"map of name to {_type_name(shape.value)}"
    if isinstance(shape, Record):
        return "section"
    if isinstance(shape, Toggle):
        return "boolean or section"
    assert isinstance(shape, Tagged)
    return " / ".join(shape.members) + " rule"


def _format_seconds(seconds: float) -> str:
    if seconds and seconds < 1:
        return f"{seconds * 1000:g}ms"
    return f"{seconds:g}s"


def _default(spec: FieldSpec) -> str:
    value, shape = spec.default, spec.shape
    if value is dataclasses.MISSING:
        return "required"
    if value is None:
        return "`null`"
    inner = shape.inner if isinstance(shape, Optional) else shape
    if isinstance(inner, Scalar) and inner.name == "duration":
        return f"`{_format_seconds(value)}`"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f"`{value}`" if value else '`""`'
    if isinstance(value, int | float):
        return f"`{value}`" if isinstance(value, int) else f"`{value:g}`"
    if isinstance(value, tuple):
        return f"`[{', '.join(str(item) for item in value)}]`" if value else "`[]`"
    if isinstance(value, Mapping):
        return "`{}`" if not value else "see the sub-keys"
    return "see the sub-keys"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _rows(cls: type, prefix: str, rows: list[tuple[str, str, str, str]]) -> None:
    for spec in fields_of(cls):
        path = f"{prefix}{spec.name}"
        shape = spec.shape.inner if isinstance(spec.shape, Optional) else spec.shape
        rows.append((path, _type_name(spec.shape), _default(spec), spec.doc))
        if isinstance(shape, Record | Toggle):
            _rows(shape.cls, f"{path}.", rows)
        elif isinstance(shape, MapOf) and isinstance(shape.value, Record | Toggle):
            _rows(shape.value.cls, f"{path}.<name>.", rows)
        elif isinstance(shape, ListOf) and isinstance(shape.item, Record):
            _rows(shape.item.cls, f"{path}[].", rows)
        elif isinstance(shape, ListOf) and isinstance(shape.item, Tagged):
            for key, member in shape.item.members.items():
                _rows(member, f"{path}[].{key}.", rows)


def reference_markdown() -> str:
    """One table per top-level section."""
    out: list[str] = []
    for spec in fields_of(Config):
        rows: list[tuple[str, str, str, str]] = []
        shape = spec.shape
        if isinstance(shape, Record):
            _rows(shape.cls, f"{spec.name}.", rows)
        else:
            rows.append((spec.name, _type_name(shape), _default(spec), spec.doc))
        out.append(f"### `{spec.name}`\n\n{spec.doc}\n")
        out.append("| key | type | default | description |")
        out.append("| --- | --- | --- | --- |")
        out.extend(f"| `{path}` | {kind} | {default} | {_cell(doc)} |" for path, kind, default, doc in rows)
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def embed(document: str, reference: str) -> str:
    """``document`` with the text between the markers replaced by ``reference``."""
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(document):
        raise ValueError("the generated-reference markers are missing")
    return pattern.sub(lambda _m: f"{BEGIN}\n\n{reference}\n{END}", document)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the reference, or rewrite it inside a Markdown file with ``--write``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", metavar="MARKDOWN_FILE")
    args = parser.parse_args(argv)
    reference = reference_markdown()
    if args.write is None:
        sys.stdout.write(reference)
        return 0
    path = Path(args.write)
    path.write_text(embed(path.read_text(encoding="utf-8"), reference), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
