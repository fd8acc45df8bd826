"""``gateway dev`` pieces without processes: which subgraphs a source change restarts, the embedded config."""

from __future__ import annotations

import os
from pathlib import Path

from gateway.auth.api_keys import ApiKeyStore
from gateway.auth.principal import identity_value
from gateway.dev import DEMO_KEYS, SourceWatcher, discover_subgraphs, embedded_config, endpoints


def touch(path: Path, text: str = "x = 1\n") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    stat = path.stat()
    # Bump the mtime explicitly: two writes within the file system's timestamp granularity look the same.
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def make_package(root: Path) -> Path:
    package = root / "subgraphs"
    for name in ("users", "orders", "products", "common"):
        touch(package / name / "schema.py")
    touch(package / "__init__.py")
    return package


def test_change_in_one_subgraph_restarts_only_it(tmp_path: Path) -> None:
    package = make_package(tmp_path)
    watcher = SourceWatcher(package, ("users", "orders", "products"))
    assert watcher.changed_subgraphs() == set()
    touch(package / "orders" / "schema.py", "x = 2\n")
    assert watcher.changed_subgraphs() == {"orders"}
    assert watcher.changed_subgraphs() == set()


def test_new_and_deleted_files_count_as_changes(tmp_path: Path) -> None:
    package = make_package(tmp_path)
    watcher = SourceWatcher(package, ("users", "orders", "products"))
    touch(package / "products" / "extra.py")
    assert watcher.changed_subgraphs() == {"products"}
    (package / "users" / "schema.py").unlink()
    assert watcher.changed_subgraphs() == {"users"}


def test_shared_code_restarts_every_subgraph(tmp_path: Path) -> None:
    package = make_package(tmp_path)
    watcher = SourceWatcher(package, ("users", "orders", "products"))
    touch(package / "common" / "schema.py", "y = 3\n")
    assert watcher.changed_subgraphs() == {"users", "orders", "products"}


def test_endpoints_use_consecutive_ports() -> None:
    assert [(e.name, e.url) for e in endpoints(4001)] == [
        ("users", "http://127.0.0.1:4001/graphql"),
        ("orders", "http://127.0.0.1:4002/graphql"),
        ("products", "http://127.0.0.1:4003/graphql"),
    ]


def test_embedded_config_is_in_memory_and_knows_the_demo_keys() -> None:
    config = embedded_config("127.0.0.1", 4100)
    assert (config.server.host, config.server.port, config.server.workers) == ("127.0.0.1", 4100, 1)
    assert config.rate_limit.redis_url is None  # nothing outside the process
    api_keys = config.authentication.api_keys
    assert api_keys is not None
    store = ApiKeyStore(api_keys)
    assert store.principal("not-a-demo-key") is None
    for demo in DEMO_KEYS:
        principal = store.principal(demo.key)
        assert principal is not None
        assert principal.client_id == demo.user_id
        assert principal.scopes == frozenset(demo.scopes)
        # The demo subgraphs read the caller from x-user-id.
        expression = config.authentication.identity_headers["x-user-id"]
        assert identity_value(principal, expression) == demo.user_id


def test_discovery_keeps_demo_ports_and_adds_new_subgraphs(tmp_path: Path) -> None:
    package = make_package(tmp_path)
    for name in ("products", "users", "orders", "reviews", "accounts"):
        touch(package / name / "__main__.py")
    touch(package / "common" / "helpers.py")  # no __main__.py: not a service
    names = discover_subgraphs(package)
    assert names == ("users", "orders", "products", "accounts", "reviews")
    assert [(e.name, e.port) for e in endpoints(4001, names)][-2:] == [("accounts", 4004), ("reviews", 4005)]


def test_the_repository_subgraphs_are_discovered() -> None:
    repo = Path(__file__).resolve().parents[2]
    assert discover_subgraphs(repo / "subgraphs")[:3] == ("users", "orders", "products")
