"""The generated key reference in docs/configuration.md is complete and up to date."""

from __future__ import annotations

from pathlib import Path

from gateway.config.introspect import MapOf, Record, fields_of
from gateway.config.model import Config
from gateway.config.reference import BEGIN, END, embed, reference_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_docs_reference_is_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert embed(text, reference_markdown()) == text, (
        "docs/configuration.md is stale: run python -m gateway.config.reference --write docs/configuration.md"
    )


def test_reference_lists_every_key_with_a_description() -> None:
    reference = reference_markdown()

    def walk(cls: type, prefix: str) -> None:
        for spec in fields_of(cls):
            path = f"{prefix}{spec.name}"
            top_section = not prefix and isinstance(spec.shape, Record)
            assert (f"### `{path}`" if top_section else f"| `{path}` |") in reference, path
            assert spec.doc, f"{path} has no description"
            if isinstance(spec.shape, Record):
                walk(spec.shape.cls, f"{path}.")
            elif isinstance(spec.shape, MapOf) and isinstance(spec.shape.value, Record):
                walk(spec.shape.value.cls, f"{path}.<name>.")

    walk(Config, "")
    assert "| `server.request_timeout` | duration | `60s` |" in reference
    assert "| `traffic_shaping.subgraphs.<name>.timeout` | duration or null | `null` |" in reference


def test_embed_replaces_only_between_markers() -> None:
    document = f"intro\n{BEGIN}\nold\n{END}\noutro\n"
    assert embed(document, "new\n") == f"intro\n{BEGIN}\n\nnew\n\n{END}\noutro\n"
