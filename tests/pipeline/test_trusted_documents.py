"""Trusted documents: the persisted query manifest (Apollo's and Relay's formats), documentId, safelisting."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import pytest

from gateway.config.model import Config, PersistedQueriesConfig
from gateway.pipeline.apq import PersistedQueriesPlugin
from gateway.pipeline.manifest import Manifest, ManifestError
from gateway.pipeline.runner import GatewayPipeline
from gateway.pipeline.types import GraphQLRequest

SUPERGRAPH = (Path(__file__).parent.parent.parent / "bench" / "data" / "supergraph.graphql").read_text()
LISTED = "query Typename { __typename }"
LISTED_HASH = hashlib.sha256(LISTED.encode()).hexdigest()
OTHER = "query Other { __typename t: __typename }"
OTHER_HASH = hashlib.sha256(OTHER.encode()).hexdigest()


def apollo_manifest(*bodies: str) -> dict:
    operations = [
        {"id": hashlib.sha256(body.encode()).hexdigest(), "body": body, "name": "Op", "type": "query"}
        for body in bodies
    ]
    return {"format": "apollo-persisted-query-manifest", "version": 1, "operations": operations}


def write(tmp_path: Path, data: object) -> str:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(data))
    return str(path)


def pipeline(manifest: str | None, safelist: str = "off", enabled: bool = True) -> GatewayPipeline:
    config = PersistedQueriesConfig(enabled=enabled, manifest=manifest, safelist=safelist)
    gateway = GatewayPipeline(Config(persisted_queries=config))
    gateway.load_supergraph(SUPERGRAPH)
    return gateway


def code(body: dict) -> str:
    return body["errors"][0]["extensions"]["code"]


def apq(query: str | None, digest: str) -> GraphQLRequest:
    return GraphQLRequest(query=query, extensions={"persistedQuery": {"version": 1, "sha256Hash": digest}})


TYPENAME = {"data": {"__typename": "Query"}}


async def test_apollo_manifest_by_document_id_and_by_hash(tmp_path: Path) -> None:
    gateway = pipeline(write(tmp_path, apollo_manifest(LISTED)))
    by_id = await gateway.run(GraphQLRequest(query=None, document_id=LISTED_HASH))
    assert by_id.body == TYPENAME
    by_hash = await gateway.run(apq(None, LISTED_HASH.upper()))
    assert by_hash.body == TYPENAME
    unknown = await gateway.run(GraphQLRequest(query=None, document_id="nope"))
    assert (unknown.http_status, code(unknown.body)) == (400, "PERSISTED_QUERY_NOT_FOUND")


async def test_relay_manifest_by_document_id(tmp_path: Path) -> None:
    gateway = pipeline(write(tmp_path, {"a1b2": LISTED}), safelist="enforce")
    assert (await gateway.run(GraphQLRequest(query=None, document_id="a1b2"))).body == TYPENAME
    # Relay ids are opaque: also accepted as the APQ hash of a persisted-query link
    assert (await gateway.run(apq(None, "a1b2"))).body == TYPENAME


async def test_document_id_with_a_different_query_is_refused(tmp_path: Path) -> None:
    gateway = pipeline(write(tmp_path, {"a": LISTED}))
    response = await gateway.run(GraphQLRequest(query=OTHER, document_id="a"))
    assert (response.http_status, code(response.body)) == (400, "BAD_REQUEST")


async def test_document_id_without_a_manifest_is_not_supported() -> None:
    response = await pipeline(None).run(GraphQLRequest(query=None, document_id="a"))
    assert (response.http_status, code(response.body)) == (400, "PERSISTED_QUERY_NOT_SUPPORTED")


async def test_enforce_refuses_every_other_document(tmp_path: Path) -> None:
    gateway = pipeline(write(tmp_path, apollo_manifest(LISTED)), safelist="enforce")
    text = await gateway.run(GraphQLRequest(query=OTHER))
    assert (text.http_status, code(text.body)) == (400, "PERSISTED_QUERY_NOT_IN_LIST")
    registered = await gateway.run(apq(OTHER, OTHER_HASH))
    assert (registered.http_status, code(registered.body)) == (400, "PERSISTED_QUERY_NOT_IN_LIST")
    # nothing was stored by the refused registration
    hash_only = await gateway.run(apq(None, OTHER_HASH))
    assert code(hash_only.body) == "PERSISTED_QUERY_NOT_FOUND"
    # the listed document as full text, also with other whitespace and commas, is in the list
    assert (await gateway.run(GraphQLRequest(query=LISTED))).body == TYPENAME
    spaced = "query Typename {\n  __typename,\n}\n# a comment"
    assert (await gateway.run(GraphQLRequest(query=spaced))).body == TYPENAME
    assert (await gateway.run(apq(LISTED, LISTED_HASH))).body == TYPENAME


async def test_log_mode_lets_others_through_and_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    gateway = pipeline(write(tmp_path, apollo_manifest(LISTED)), safelist="log")
    with caplog.at_level(logging.WARNING, logger="gateway.apq"):
        first = await gateway.run(GraphQLRequest(query=OTHER))
        second = await gateway.run(GraphQLRequest(query=OTHER))
        await gateway.run(GraphQLRequest(query=LISTED))
    assert first.body == second.body == {"data": {"__typename": "Query", "t": "Query"}}
    plugin = next(p for p in gateway.plugins if isinstance(p, PersistedQueriesPlugin))
    assert plugin.not_in_list == 2
    logged = [r for r in caplog.records if "not in the persisted query manifest" in r.getMessage()]
    assert len(logged) == 1  # rate-limited
    assert OTHER_HASH in logged[0].getMessage()


async def test_manifest_without_apq_answers_unknown_hashes_not_found(tmp_path: Path) -> None:
    gateway = pipeline(write(tmp_path, apollo_manifest(LISTED)), enabled=False)
    assert (await gateway.run(apq(None, LISTED_HASH))).body == TYPENAME
    response = await gateway.run(apq(OTHER, OTHER_HASH))
    assert (response.http_status, code(response.body)) == (400, "PERSISTED_QUERY_NOT_FOUND")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("not json", "is not valid JSON"),
        ([1, 2], "must be a JSON object"),
        ({"a": 1}, "neither Apollo's format nor a Relay map"),
        ({"format": "other", "version": 1, "operations": []}, "format must be"),
        ({"format": "apollo-persisted-query-manifest", "version": 2, "operations": []}, "version"),
        (
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [{"id": "0" * 64, "body": LISTED}],
            },
            "is not the sha256 of its body",
        ),
    ],
)
def test_bad_manifests_are_refused_at_load(tmp_path: Path, data: object, message: str) -> None:
    path = tmp_path / "manifest.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    with pytest.raises(ManifestError, match=message) as caught:
        Manifest.load(path)
    assert "\n" not in str(caught.value)


def test_missing_manifest_fails_plugin_creation(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="cannot read persisted query manifest"):
        PersistedQueriesPlugin(PersistedQueriesConfig(manifest=str(tmp_path / "missing.json")))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"safelist": "on"}, "safelist must be"),
        ({"safelist": "enforce"}, "needs a manifest"),
        ({"store": "redis"}, "needs a redis_url"),
        ({"store": "disk"}, "store must be"),
    ],
)
def test_config_validation(changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PersistedQueriesConfig(**changes)
