"""Metrics with several worker processes: ``/metrics`` on any worker reports the sum over all workers.

Why not prometheus-client's multiprocess mode: it needs prometheus-client's own ``Counter``/``Histogram``
classes (already ~10x the per-call cost of ``accumulators.py``, and writing to an mmap'ed file on every
increment in that mode) and ``PROMETHEUS_MULTIPROC_DIR`` set before prometheus-client is imported. The
scheme here keeps the cheap event-loop-local accumulators and moves the sharing to a periodic step:

- The supervisor (``gateway/workers.py``) creates a private directory before forking (``create_directory``)
  and removes it when it exits (``remove_directory``). With one worker there is no directory and nothing here
  runs.
- Each worker, after the fork (``share_worker_metrics``), zeroes its counters and histograms and keeps what
  they held as a *baseline* (values recorded by the supervisor before forking, e.g. the start-up supergraph
  load, identical in every worker: counted once, not once per worker). It then writes a snapshot of its own
  values, ``<pid>-<random>.json`` (orjson; temp file + ``os.replace``, so readers never see half a file),
  every ``telemetry.metrics.worker_flush_interval``, before answering each scrape, and at clean exit.
- A scrape answered by a worker reports: its own live values + the baseline + every other worker's latest
  snapshot + ``retired.json`` (the folded snapshots of workers that exited). Flushing before answering means a
  value a scrape has shown is always on disk, so a worker killed later (SIGKILL, OOM) cannot make a counter go
  down; other workers' values are at most one flush interval old.
- When a worker exits (crash, SIGKILL, or clean stop), the supervisor folds its snapshot into
  ``retired.json`` (``retire_worker``), so the counters and histograms of dead and replaced workers stay in
  the sum (as in prometheus-client's multiprocess mode) while the directory holds one file per live worker.
  ``retired.json`` lists the folded snapshot ids; it is written *before* the snapshot is deleted and scrapes
  list the directory *before* reading it, so a scrape counts a retiring worker exactly once (see
  ``WorkerMetrics.read_others``).
- Gauges come from live workers only (retired snapshots carry none): open connections are summed; the
  breaker-state gauge counts the live workers whose breaker for a URL is in each state; the supergraph info
  has one series per distinct supergraph served (see ``metrics.py``).

Values an exited worker had not yet flushed, and had shown to no scrape, are lost (at most one interval's).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson
from aiohttp import web

from gateway.telemetry.accumulators import Row, sum_rows
from gateway.telemetry.http import METRICS_KEY
from gateway.telemetry.metrics import OtherProcesses, PrometheusMetrics

log = logging.getLogger("gateway.telemetry")

DIRECTORY_PREFIX = "gateway-metrics-"
RETIRED = "retired.json"
# A worker's snapshot: <pid>-<random>.json (the random part keeps ids unique when a pid is reused).
_SNAPSHOT = re.compile(r"^(\d+)-[0-9a-f]+\.json$")
# A scrape that finds a snapshot gone (retired meanwhile) reads the directory again; a few times at most.
_READ_ATTEMPTS = 5


def create_directory() -> str:
    """A new private directory for the workers' snapshots (under ``$TMPDIR``), made by the supervisor."""
    return tempfile.mkdtemp(prefix=DIRECTORY_PREFIX)


def remove_directory(directory: str) -> None:
    shutil.rmtree(directory, ignore_errors=True)


def _read_json(path: Path) -> Any:
    """The decoded file, or ``None`` when it does not exist."""
    try:
        return orjson.loads(path.read_bytes())
    except FileNotFoundError:
        return None


def _write_atomic(path: Path, body: bytes, temp: Path) -> None:
    temp.write_bytes(body)
    os.replace(temp, path)


def retire_worker(directory: str, pid: int) -> None:
    """Fold the snapshot of the exited worker ``pid`` into ``retired.json``, then delete it.

    The supervisor calls this after reaping the worker (it can write no more) and before forking a
    replacement (which could get the same pid). Errors are logged: the snapshot then stays and still counts.
    """
    root = Path(directory)
    try:
        names = os.listdir(root)
        dead = [root / name for name in names if (m := _SNAPSHOT.match(name)) and int(m.group(1)) == pid]
        for name in names:  # a temp file left by a worker killed while writing
            if name.startswith(f".{pid}-") and name.endswith(".tmp"):
                (root / name).unlink(missing_ok=True)
        if not dead:
            return
        retired = _read_json(root / RETIRED) or {"folded": [], "families": {}}
        snapshots = [found for path in dead if (found := _read_json(path)) is not None]
        families: dict[str, list[Row]] = {}
        for name in {*retired["families"], *(name for s in snapshots for name in s["families"])}:
            families[name] = sum_rows(
                [retired["families"].get(name, []), *(s["families"].get(name, []) for s in snapshots)]
            )
        folded = [*retired["folded"], *(path.stem for path in dead)]
        body = orjson.dumps({"folded": folded, "families": families})
        _write_atomic(root / RETIRED, body, root / f".retired-{pid}.tmp")
        for path in dead:  # only now: a scrape that misses the snapshot finds it in retired.json
            path.unlink(missing_ok=True)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("cannot fold the metrics of exited worker %d: %s", pid, exc)


class WorkerMetrics:
    """One worker's side: publishes its snapshot, and adds the others' values to its scrapes.

    Create it in the worker, after the fork (it zeroes the inherited values and takes the worker's pid;
    ``pid`` is only given by tests that play several workers in one process).
    """

    def __init__(
        self, metrics: PrometheusMetrics, directory: str, interval: float, *, pid: int | None = None
    ) -> None:
        self.metrics = metrics
        self.directory = Path(directory)
        self.interval = interval
        self.id = f"{os.getpid() if pid is None else pid}-{secrets.token_hex(4)}"
        self.path = self.directory / f"{self.id}.json"
        self._temp = self.directory / f".{self.id}.tmp"
        self._baseline = metrics.restart_from_zero()
        self._written: bytes | None = None
        self._failing = False
        metrics.before_scrape = self.refresh
        self.flush()

    def flush(self) -> None:
        """Publish this worker's values (no write when nothing changed since the last one)."""
        body = orjson.dumps(self.metrics.worker_snapshot())
        if body == self._written:
            return
        try:
            _write_atomic(self.path, body, self._temp)
        except OSError as exc:
            if not self._failing:
                log.warning("cannot publish this worker's metrics to %s: %s", self.directory, exc)
            self._failing = True
            return
        self._failing = False
        self._written = body

    def refresh(self) -> None:
        """Before a scrape: publish this worker's values first (what the scrape shows is then on disk even if
        this worker is killed right after), then read the other workers'."""
        self.flush()
        self.metrics.set_others(self.read_others())

    def read_others(self) -> OtherProcesses:
        """The baseline, the retired workers' values and every other live worker's latest snapshot."""
        retired: dict[str, Any] = {"folded": [], "families": {}}
        live: list[dict[str, Any]] = []
        for _attempt in range(_READ_ATTEMPTS):
            live = []
            vanished = False
            try:
                # List first, then read retired.json: a snapshot missing from the listing was deleted after
                # retired.json had it, so this read of retired.json has it too.
                names = os.listdir(self.directory)
                retired = _read_json(self.directory / RETIRED) or {"folded": [], "families": {}}
            except (OSError, ValueError) as exc:
                log.warning("cannot read the other workers' metrics in %s: %s", self.directory, exc)
                break
            folded = set(retired["folded"])
            for name in names:
                if _SNAPSHOT.match(name) is None:
                    continue
                stem = name.removesuffix(".json")
                if stem == self.id or stem in folded:
                    continue
                try:
                    snapshot = _read_json(self.directory / name)
                except (OSError, ValueError):
                    continue
                if snapshot is None:  # retired after the listing: read again, retired.json now has it
                    vanished = True
                    break
                live.append(snapshot)
            if not vanished:
                break
        families: dict[str, list[list[Row]]] = {}
        for source in (self._baseline, retired["families"], *(s["families"] for s in live)):
            for name, rows in source.items():
                if rows:
                    families.setdefault(name, []).append(rows)
        return OtherProcesses(
            families=families,
            connections=[float(s.get("connections", 0.0)) for s in live],
            breakers=[s.get("breakers", {}) for s in live],
            supergraphs=[s.get("supergraph", {}) for s in live],
        )

    async def publish_periodically(self, _app: web.Application) -> AsyncIterator[None]:
        """An aiohttp ``cleanup_ctx``: flush every interval while the app serves, and once at the end."""
        task = asyncio.create_task(self._run())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            self.flush()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            self.flush()


def share_worker_metrics(app: web.Application, directory: str, interval: float) -> WorkerMetrics | None:
    """In a worker process: share ``app``'s metrics with the other workers through ``directory`` (nothing
    when the app has no Prometheus metrics)."""
    metrics = app.get(METRICS_KEY)
    if not isinstance(metrics, PrometheusMetrics):
        return None
    shared = WorkerMetrics(metrics, directory, interval)
    app.cleanup_ctx.append(shared.publish_periodically)
    return shared
