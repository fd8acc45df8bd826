"""Trusted documents: the persisted query manifest, loaded once at start-up.

Why: a gateway that only serves operations its own clients were built with (a safelist) refuses arbitrary,
possibly hostile documents before any parsing or planning. Two file formats are recognised:

  - Apollo's persisted query list: ``{"format": "apollo-persisted-query-manifest", "version": 1,
    "operations": [{"id": "<sha256 of body>", "body": "...", "name": "...", "type": "query"}]}``; every id
    must be the sha256 of its body (checked at load, a mismatch refuses the file);
  - Relay's persisted queries map: ``{"<id>": "<query text>"}`` (ids are opaque, Relay uses md5).

A full-text query counts as in the list when its sha256, or its text with insignificant characters
(whitespace, commas, comments) stripped, matches an entry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
from graphql import GraphQLError
from graphql.utilities import strip_ignored_characters

APOLLO_FORMAT = "apollo-persisted-query-manifest"


class ManifestError(ValueError):
    """The manifest file cannot be used; the message is one line naming the file."""


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _normalized(text: str) -> str | None:
    try:
        return strip_ignored_characters(text)
    except GraphQLError:
        return None


class Manifest:
    """Trusted documents by id, with the hashes and normalized texts of their bodies for safelisting."""

    def __init__(self, documents: Mapping[str, str], source: str = "<manifest>") -> None:
        self.source = source
        self.documents = dict(documents)
        self._hashes = {sha256_hex(body) for body in self.documents.values()}
        self._normalized = {n for body in self.documents.values() if (n := _normalized(body)) is not None}

    def __len__(self) -> int:
        return len(self.documents)

    def get(self, document_id: str) -> str | None:
        """The body of ``document_id``; sha256 ids are matched case-insensitively."""
        body = self.documents.get(document_id)
        if body is None and document_id != document_id.lower():
            body = self.documents.get(document_id.lower())
        return body

    def contains_text(self, query: str) -> bool:
        if sha256_hex(query) in self._hashes:
            return True
        normalized = _normalized(query)
        return normalized is not None and normalized in self._normalized

    @classmethod
    def parse(cls, raw: bytes, source: str = "<manifest>") -> Manifest:
        try:
            data: Any = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise ManifestError(f"persisted query manifest {source} is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise ManifestError(f"persisted query manifest {source} must be a JSON object")
        if "format" in data or "operations" in data:
            return cls(_apollo_documents(data, source), source)
        bad = next((key for key, value in data.items() if not isinstance(value, str)), None)
        if bad is not None:
            raise ManifestError(
                f"persisted query manifest {source}: neither Apollo's format nor a Relay map of id to query "
                f"text (the value of {bad!r} is not a string)"
            )
        return cls(data, source)

    @classmethod
    def load(cls, path: str | Path) -> Manifest:
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            raise ManifestError(
                f"cannot read persisted query manifest {path}: {exc.strerror or exc}"
            ) from None
        return cls.parse(raw, str(path))


def _apollo_documents(data: dict[str, Any], source: str) -> dict[str, str]:
    where = f"persisted query manifest {source}"
    if data.get("format") != APOLLO_FORMAT:
        raise ManifestError(f"{where}: format must be {APOLLO_FORMAT!r}, got {data.get('format')!r}")
    if data.get("version") != 1:
        raise ManifestError(f"{where}: unsupported version {data.get('version')!r}; expected 1")
    operations = data.get("operations")
    if not isinstance(operations, list):
        raise ManifestError(f"{where}: 'operations' must be a list")
    documents: dict[str, str] = {}
    for index, operation in enumerate(operations):
        if not isinstance(operation, dict):
            raise ManifestError(f"{where}: operations[{index}] must be an object")
        document_id, body = operation.get("id"), operation.get("body")
        if not isinstance(document_id, str) or not isinstance(body, str):
            raise ManifestError(f"{where}: operations[{index}] needs a string 'id' and a string 'body'")
        if sha256_hex(body) != document_id.lower():
            raise ManifestError(
                f"{where}: operations[{index}] id {document_id!r} is not the sha256 of its body"
            )
        documents[document_id.lower()] = body
    return documents
