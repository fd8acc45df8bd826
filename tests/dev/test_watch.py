"""Which subgraphs a source change restarts (pure file-system logic, no processes)."""

from __future__ import annotations

import os
from pathlib import Path

from gateway.dev import SourceWatcher, endpoints


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
