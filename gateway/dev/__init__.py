"""``gateway dev``: the whole demo stack from one command, recomposed and hot-reloaded as subgraphs change.

Why it exists: a subgraph team's inner loop is "edit a resolver or a type, look at the result through the
gateway". Doing that by hand means starting three services, exporting SDL, composing, restarting the gateway.
``gateway dev`` does all of it and keeps doing it:

* the subgraphs (``subgraphs.users``/``orders``/``products``, plus any other ``subgraphs/<name>/`` package
  with a ``__main__.py``) run as child processes, each in its own session (process group) with an in-memory
  SQLite database, their output prefixed with their name;
* the supergraph is composed in-process by ``gateway.compose`` from the subgraphs' live ``_service { sdl }``
  answers, i.e. exactly what they serve, not what was last exported;
* the gateway runs in this process on embedded defaults (in-memory caches, no Redis, no Docker), so a new
  supergraph is swapped in with ``pipeline.load_supergraph`` without dropping connections;
* every ``--poll-interval`` seconds the subgraph source files are checked (a changed subgraph is restarted: a
  Strawberry schema is built at import time, so a code change needs a new process) and every subgraph's SDL is
  fetched again; a changed SDL set is recomposed and hot-reloaded. A composition error is printed and the last
  good supergraph keeps serving;
* Ctrl-C or SIGTERM stops the gateway, then every child's process group (SIGTERM, SIGKILL after a grace
  period). Children also get ``PR_SET_PDEATHSIG`` so that even a SIGKILL of this process leaves none behind.

Modules: ``options`` (what runs, where, with which configuration), ``children`` (the subgraph processes),
``watch`` (polling helpers), ``stack`` (the running stack), ``cli`` (flags).
"""

from __future__ import annotations

from gateway.dev.cli import add_arguments, main
from gateway.dev.options import (
    DEMO_KEYS,
    DEMO_SUBGRAPHS,
    DemoKey,
    DevError,
    DevOptions,
    SubgraphEndpoint,
    discover_subgraphs,
    embedded_config,
    endpoints,
)
from gateway.dev.stack import DevStack, compose_supergraph, run, run_stack
from gateway.dev.watch import SourceWatcher, check_port_free, fetch_sdl, wait_healthy

__all__ = [
    "DEMO_KEYS",
    "DEMO_SUBGRAPHS",
    "DemoKey",
    "DevError",
    "DevOptions",
    "DevStack",
    "SourceWatcher",
    "SubgraphEndpoint",
    "add_arguments",
    "check_port_free",
    "compose_supergraph",
    "discover_subgraphs",
    "embedded_config",
    "endpoints",
    "fetch_sdl",
    "main",
    "run",
    "run_stack",
    "wait_healthy",
]
