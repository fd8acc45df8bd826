"""GraphiQL served offline: the page, its assets from the package, its CSP, and the plan/cost extension.

The browser test (tests/browser) runs the page in headless Chromium; these check the same promises without a
browser: nothing in the page or in any served asset points at another origin, every asset the page (or its
stylesheet) references is served with the right type and caching, ``server.graphiql: false`` serves neither,
and ``Apollo-Expose-Query-Plan`` is honoured only when ``server.expose_query_plan`` is on.
"""

from __future__ import annotations

import fnmatch
import gzip
import hashlib
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from graphql import parse

from gateway.config.model import Config, ServerConfig
from gateway.config.policies import CsrfConfig, DemandControlConfig
from gateway.dev.options import DEMO_KEYS, embedded_config
from gateway.http.assets import CONTENT_TYPES, GRAPHIQL_DIR, STATIC_DIR, graphiql_assets
from gateway.http.graphiql import CONTENT_SECURITY_POLICY, render_graphiql
from gateway.pipeline.expose import PlanViews, wants_query_plan
from gateway.planner.build import build_query_plan
from gateway.planner.operation import find_operation, fragments_of
from gateway.planner.printer import format_plan, plan_to_json
from gateway.supergraph.model import load_supergraph
from tests.demand.support import GRJ, gateway_client, subgraph_specs
from tests.support.subgraph_kit import running_subgraphs

REPO = Path(__file__).resolve().parents[2]
BENCH_SUPERGRAPH = (REPO / "bench" / "data" / "supergraph.graphql").read_text()
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
ATTRIBUTE_URL = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']*)["']""")
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""")
# What would make a browser contact another origin from a script or a stylesheet.
FOREIGN = [
    re.compile(rb"""url\(\s*["']?\s*(?:https?:)?//""", re.IGNORECASE),
    re.compile(rb"""@import""", re.IGNORECASE),
    re.compile(rb"""\b(?:src|href|action)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE),
    re.compile(rb"""(?:fetch|importScripts|import|EventSource|WebSocket)\(\s*["'`](?:https?:|wss?:)?//"""),
    re.compile(rb"""\.src\s*=\s*["'`](?:https?:)?//"""),
    re.compile(rb"""sourceMappingURL"""),
    re.compile(rb"""fonts\.(?:googleapis|gstatic)\.com|unpkg\.com|jsdelivr\.net|cdnjs"""),
]


async def page_client(make_client: Any, **server: Any) -> Any:
    return await make_client(ServerConfig(**server), csrf=True)


async def get_page(client: Any, path: str = "/graphql") -> tuple[Any, str]:
    response = await client.get(path, headers=BROWSER)
    assert response.status == 200
    return response, await response.text()


def page_urls(page: str) -> list[str]:
    return ATTRIBUTE_URL.findall(page)


def settings_of(page: str) -> dict[str, Any]:
    match = re.search(r'<script id="graphiql-settings" type="application/json">(.*?)</script>', page, re.S)
    assert match is not None
    return json.loads(match.group(1))


# --- the page ---------------------------------------------------------------------------------------------


async def test_page_headers_allow_only_the_gateway_origin(make_client: Any) -> None:
    client = await page_client(make_client)
    response, _page = await get_page(client)
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    csp = response.headers["Content-Security-Policy"]
    assert csp == CONTENT_SECURITY_POLICY
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"  # no inline script, no eval
    assert directives["connect-src"] == "'self'"
    assert directives["font-src"] == "'self'"
    assert directives["img-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    for sources in directives.values():  # no other origin, scheme or wildcard anywhere
        assert set(sources.split()) <= {"'self'", "'none'", "'unsafe-inline'"}, sources
    assert "'unsafe-inline'" not in csp.replace("style-src 'self' 'unsafe-inline'", "")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Vary"] == "Accept"


async def test_page_loads_everything_from_its_own_assets_and_has_no_inline_script(make_client: Any) -> None:
    client = await page_client(make_client)
    _response, page = await get_page(client)
    base = graphiql_assets().base_url("/graphql")
    urls = page_urls(page)
    assert len(urls) == 7  # icon, 2 stylesheets, 4 scripts
    assert all(url.startswith(base + "/") for url in urls), urls
    assert "http://" not in page
    assert "https://" not in page
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    inline = [attrs for attrs, body in scripts if body.strip()]
    assert inline == [' id="graphiql-settings" type="application/json"']
    assert all("src=" in attrs for attrs, body in scripts if not body.strip())
    assert settings_of(page) == {"endpoint": "/graphql", "exposeQueryPlan": False, "headers": {}}


async def test_head_of_the_page(make_client: Any) -> None:
    client = await page_client(make_client)
    response = await client.head("/graphql", headers=BROWSER)
    assert response.status == 200
    assert "Content-Security-Policy" in response.headers


def test_settings_cannot_break_out_of_their_script_element() -> None:
    hostile = {"x-note": "</script><script>alert(1)</script><!-- &amp;"}
    page = render_graphiql("/graphql", "/graphql/_graphiql/x", headers=hostile).decode()
    assert page.count("</script>") == 5  # the settings block and the four scripts, nothing more
    assert "<!--" not in page
    assert settings_of(page)["headers"] == hostile


async def test_settings_carry_the_configured_headers_and_plan_switch(make_client: Any) -> None:
    client = await page_client(
        make_client, graphiql_headers={"x-api-key": "dev-user-1"}, expose_query_plan=True
    )
    _response, page = await get_page(client)
    assert settings_of(page) == {
        "endpoint": "/graphql",
        "exposeQueryPlan": True,
        "headers": {"x-api-key": "dev-user-1"},
    }


async def test_page_and_assets_follow_a_custom_graphql_path(make_client: Any) -> None:
    client = await page_client(make_client, graphql_path="/api/graphql")
    _response, page = await get_page(client, "/api/graphql")
    assert settings_of(page)["endpoint"] == "/api/graphql"
    for url in page_urls(page):
        assert url.startswith("/api/graphql/_graphiql/")
        assert (await client.get(url)).status == 200


# --- the assets -------------------------------------------------------------------------------------------


async def referenced_assets(client: Any) -> dict[str, Any]:
    """Every URL the page and its stylesheets reference (resolved), with its response."""
    _response, page = await get_page(client)
    pending = list(page_urls(page))
    seen: dict[str, Any] = {}
    while pending:
        url = pending.pop()
        if url in seen:
            continue
        response = await client.get(url)
        assert response.status == 200, url
        seen[url] = (response, await response.read())
        if url.endswith(".css"):
            folder = url.rsplit("/", 1)[0]
            for ref in CSS_URL.findall(seen[url][1].decode()):
                assert not ref.startswith(("data:", "http:", "https:", "//", "/")), ref
                pending.append(f"{folder}/{ref}")
    return seen


async def test_every_referenced_asset_is_served_with_its_type_and_caching(make_client: Any) -> None:
    client = await page_client(make_client)
    assets = await referenced_assets(client)
    fonts = [url for url in assets if "/fonts/" in url]
    assert len(fonts) == 34  # Roboto (woff2) and Fira Code (woff) subsets, out of graphiql.min.css
    for url, (response, body) in assets.items():
        suffix = "." + url.rsplit(".", 1)[1]
        assert response.headers["Content-Type"] == CONTENT_TYPES[suffix], url
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["ETag"].startswith('"')
        assert body, url


async def test_no_served_byte_points_at_another_origin(make_client: Any) -> None:
    client = await page_client(make_client)
    base = graphiql_assets().base_url("/graphql")
    names = sorted(graphiql_assets().files)
    assert {"vendor/graphiql.min.js", "vendor/react.production.min.js", "graphiql-gateway.js"} <= set(names)
    for name in names:
        if not name.endswith((".js", ".css", ".svg")):
            continue
        body = await (await client.get(f"{base}/{name}", headers={"Accept-Encoding": "identity"})).read()
        for pattern in FOREIGN:
            found = pattern.search(body)
            assert found is None, f"{name}: {found and body[max(0, found.start() - 60) : found.end() + 60]!r}"
    css = (GRAPHIQL_DIR / "vendor" / "graphiql.min.css").read_text()
    assert "data:" not in css
    assert "@font-face" in css


async def test_gzip_validators_and_other_digests(make_client: Any) -> None:
    client = await page_client(make_client)
    assets = graphiql_assets()
    url = f"{assets.base_url('/graphql')}/vendor/graphiql.min.js"
    original = assets.files["vendor/graphiql.min.js"].body
    zipped = await client.get(url, headers={"Accept-Encoding": "gzip, br"}, auto_decompress=False)
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert zipped.headers["Vary"] == "Accept-Encoding"
    compressed = await zipped.read()
    assert gzip.decompress(compressed) == original
    assert len(compressed) < len(original) / 2
    plain = await client.get(url, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert plain.headers["ETag"] != zipped.headers["ETag"]
    again = await client.get(url, headers={"If-None-Match": plain.headers["ETag"], "Accept-Encoding": ""})
    assert again.status == 304
    font = next(name for name in assets.files if name.endswith(".woff2"))
    font_response = await client.get(
        f"{assets.base_url('/graphql')}/{font}", headers={"Accept-Encoding": "gzip"}, auto_decompress=False
    )
    assert "Content-Encoding" not in font_response.headers  # already compressed
    stale = await client.get(url.replace(assets.digest, "000000000000"))
    assert stale.status == 200
    assert stale.headers["Cache-Control"] == "no-cache"
    for missing in ("vendor/MANIFEST.json", "vendor/LICENSE.graphiql.txt", "nope.js", "../assets.py"):
        assert (await client.get(f"{assets.base_url('/graphql')}/{missing}")).status == 404, missing


async def test_graphiql_off_serves_neither_page_nor_assets(make_client: Any) -> None:
    client = await page_client(make_client, graphiql=False)
    assert (await client.get("/graphql", headers={"Accept": "text/html"})).status == 406
    json_instead = await client.get("/graphql", headers=BROWSER)  # */* also accepts JSON: no page
    assert json_instead.headers["Content-Type"].startswith("application/json")
    assert "Content-Security-Policy" not in json_instead.headers
    base = graphiql_assets().base_url("/graphql")
    assert (await client.get(f"{base}/vendor/graphiql.min.js")).status == 404


# --- what is shipped --------------------------------------------------------------------------------------


def test_vendored_files_match_their_manifest() -> None:
    vendor = GRAPHIQL_DIR / "vendor"
    manifest = json.loads((vendor / "MANIFEST.json").read_text())
    assert manifest["packages"]["graphiql"]["version"].startswith("3.")
    assert manifest["packages"]["react"]["version"].startswith("18.")
    assert manifest["packages"]["react-dom"]["version"] == manifest["packages"]["react"]["version"]
    on_disk = {p.relative_to(vendor).as_posix() for p in vendor.rglob("*") if p.is_file()}
    assert on_disk - {"MANIFEST.json"} == set(manifest["files"])
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((vendor / name).read_bytes()).hexdigest() == digest, name
    for licence in ("LICENSE.graphiql.txt", "LICENSE.react.txt", "LICENSE.react-dom.txt"):
        assert "MIT License" in (vendor / licence).read_text()
    assert "Apache License" in (vendor / "fonts" / "LICENSE.Roboto.txt").read_text()
    assert "SIL OPEN FONT LICENSE" in (vendor / "fonts" / "LICENSE.FiraCode.txt").read_text()


def test_package_data_installs_every_static_file() -> None:
    patterns = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"][
        "gateway.http"
    ]
    package_dir = STATIC_DIR.parent
    for path in STATIC_DIR.rglob("*"):
        if not path.is_file() or path.suffix == ".py" or "__pycache__" in path.parts:
            continue
        name = path.relative_to(package_dir).as_posix()
        assert any(fnmatch.fnmatch(name, p) and name.count("/") == p.count("/") for p in patterns), name


# --- the plan and cost in the response --------------------------------------------------------------------

CROSS_SUBGRAPH = "{ products(first: 2) { name reviews(first: 1) { stars } } }"
EXPOSE = {**GRJ, "Apollo-Expose-Query-Plan": "true"}


@pytest.fixture
async def kit() -> Any:
    async with running_subgraphs(subgraph_specs()) as running:
        yield running


def config(expose_query_plan: bool, **demand: Any) -> Config:
    return Config(
        server=ServerConfig(expose_query_plan=expose_query_plan),
        demand_control=DemandControlConfig(**demand),
        csrf=CsrfConfig(),
    )


async def post(client: Any, headers: dict[str, str], query: str = CROSS_SUBGRAPH) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query}, headers=headers)
    assert response.status == 200
    return await response.json(content_type=None)


async def test_plan_and_cost_when_asked_and_configured(aiohttp_client: Any, kit: Any) -> None:
    client = await gateway_client(aiohttp_client, config(True, enabled=True, mode="measure"), kit.urls)
    body = await post(client, EXPOSE)
    assert body["data"]["products"][0]["reviews"] == [{"stars": 1}]
    plan = body["extensions"]["apolloQueryPlan"]
    assert set(plan) == {"object", "text"}
    assert plan["object"]["kind"] == "QueryPlan"
    assert plan["object"]["node"]["kind"] == "Sequence"
    fetch, flatten = plan["object"]["node"]["nodes"]
    assert fetch["kind"] == "Fetch"
    assert fetch["serviceName"] == "products"
    assert flatten["kind"] == "Flatten"
    assert flatten["node"]["serviceName"] == "reviews"
    assert plan["text"].startswith('QueryPlan {\n  Sequence {\n    Fetch(service: "products") {')
    assert 'Fetch(service: "reviews")' in plan["text"]
    cost = body["extensions"]["cost"]
    assert set(cost) == {"estimated", "actual", "max"}
    assert cost["max"] == 1000.0
    assert cost["estimated"] >= cost["actual"] > 0


@pytest.mark.parametrize(
    ("configured", "headers"),
    [
        (False, EXPOSE),  # asked, not configured: ignored
        (True, GRJ),  # configured, not asked
        (True, {**GRJ, "Apollo-Expose-Query-Plan": "dry-run"}),  # Apollo's other value: not supported
    ],
)
async def test_no_plan_unless_configured_and_asked(
    aiohttp_client: Any, kit: Any, configured: bool, headers: dict[str, str]
) -> None:
    client = await gateway_client(aiohttp_client, config(configured, enabled=True, mode="measure"), kit.urls)
    body = await post(client, headers)
    assert "data" in body
    assert "extensions" not in body  # neither the plan nor the (unexposed) cost


async def test_plan_without_demand_control_has_no_cost(aiohttp_client: Any, kit: Any) -> None:
    client = await gateway_client(aiohttp_client, config(True), kit.urls)
    body = await post(client, EXPOSE)
    assert set(body["extensions"]) == {"apolloQueryPlan"}


async def test_exposed_cost_is_not_added_twice(aiohttp_client: Any, kit: Any) -> None:
    client = await gateway_client(aiohttp_client, config(True, enabled=True, expose=True), kit.urls)
    body = await post(client, EXPOSE)
    assert set(body["extensions"]) == {"cost", "apolloQueryPlan"}
    plain = await post(client, GRJ)
    assert set(plain["extensions"]) == {"cost"}


def test_plan_views_are_computed_once_per_plan() -> None:
    document = parse("{ topProducts(first: 1) { upc } }")
    operation = find_operation(document, None)
    assert operation is not None
    plan = build_query_plan(load_supergraph(BENCH_SUPERGRAPH), operation, fragments_of(document), frozenset())
    views = PlanViews()
    first = views.view(plan)
    assert views.view(plan) is first  # cached plans share one view: no re-printing per request
    assert first == {"object": plan_to_json(plan), "text": format_plan(plan)}


def test_header_value_is_case_insensitive_true_only() -> None:
    assert wants_query_plan({"apollo-expose-query-plan": "TRUE"})
    assert wants_query_plan({"apollo-expose-query-plan": " true "})
    assert not wants_query_plan({"apollo-expose-query-plan": "1"})
    assert not wants_query_plan({})


def test_gateway_dev_prefills_a_demo_key_and_exposes_plan_and_cost() -> None:
    config = embedded_config("127.0.0.1", 4000)
    assert dict(config.server.graphiql_headers) == {"x-api-key": DEMO_KEYS[0].key}
    assert config.server.graphiql
    assert config.server.expose_query_plan
    assert config.demand_control.enabled
    assert config.demand_control.mode == "measure"
    assert not config.demand_control.expose  # only requests that ask get the numbers
