"""``SupergraphWatcher``: what counts as a change, and a bad new supergraph keeps the old one."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from gateway.reload import SupergraphWatcher
from tests.http.fake_pipeline import FAKE_SDL, FakePipeline

NEW_SDL = FAKE_SDL.replace("pid: Int", "pid: Int\n  added: String")


def bump_mtime(path: Path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, FakePipeline]:
    path = tmp_path / "supergraph.graphql"
    path.write_text(FAKE_SDL)
    pipeline = FakePipeline()
    pipeline.load_supergraph(FAKE_SDL)
    return path, pipeline


def test_unchanged_and_touched_files_are_not_reloaded(setup: tuple[Path, FakePipeline]) -> None:
    path, pipeline = setup
    watcher = SupergraphWatcher(pipeline, path, 1.0)
    assert watcher.check_once() is False
    bump_mtime(path)
    assert watcher.check_once() is False
    assert pipeline.loads == 1


def test_changed_content_is_reloaded(setup: tuple[Path, FakePipeline]) -> None:
    path, pipeline = setup
    watcher = SupergraphWatcher(pipeline, path, 1.0)
    path.write_text(NEW_SDL)
    bump_mtime(path)
    assert watcher.check_once() is True
    assert pipeline.loads == 2
    assert pipeline.schema is not None
    assert "added" in pipeline.schema.query_type.fields  # type: ignore[union-attr]


def test_change_before_the_watcher_started_is_noticed(setup: tuple[Path, FakePipeline]) -> None:
    path, pipeline = setup
    path.write_text(NEW_SDL)  # changed after the start-up load, before the worker's watcher exists
    watcher = SupergraphWatcher(pipeline, path, 1.0, initial_sdl=FAKE_SDL)
    assert watcher.check_once() is True
    assert watcher.check_once() is False


def test_bad_new_supergraph_keeps_the_old_one(
    setup: tuple[Path, FakePipeline], caplog: pytest.LogCaptureFixture
) -> None:
    path, pipeline = setup
    old_schema = pipeline.schema
    watcher = SupergraphWatcher(pipeline, path, 1.0)
    path.write_text("type Query { broken: Nope }")
    bump_mtime(path)
    with caplog.at_level(logging.ERROR, logger="gateway.reload"):
        assert watcher.check_once() is False
    assert pipeline.schema is old_schema
    assert "not reloaded, keeping the previous one" in caplog.text
    assert watcher.check_once() is False  # the same bad content is not retried on every poll


def test_missing_file_is_tolerated(setup: tuple[Path, FakePipeline]) -> None:
    path, pipeline = setup
    watcher = SupergraphWatcher(pipeline, path, 1.0)
    path.unlink()
    assert watcher.check_once() is False
    path.write_text(NEW_SDL)
    assert watcher.check_once() is True
