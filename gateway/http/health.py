"""Health checks: ``<health_path>`` (loaded?), ``<health_path>/live`` (serving?) and ``<health_path>/ready``
(should traffic come here?).

Why three: orchestrators ask two different questions. Liveness ("restart me?") must stay 200 as long as the
process answers HTTP, even while it drains or has no supergraph, or a slow start or a graceful stop would be
turned into a kill. Readiness ("route to me?") is 200 only when a supergraph is loaded and the process is not
draining, so a load balancer stops sending requests as soon as SIGTERM arrives. Open circuit breakers are
reported but do not make the process unready: another replica would call the same failing subgraph, and the
rest of each response is still answered. The original ``<health_path>`` keeps its contract
(``application/health+json`` draft ``status`` values). Every answer is ``no-store`` JSON.
"""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web
from aiohttp.typedefs import Handler

from gateway.http.drain import DrainState
from gateway.keys import ManagedPipeline

_PASS = b'{"status":"pass"}'
_FAIL = b'{"status":"fail"}'
_LIVE = b'{"status":"live"}'
_HEADERS = {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"}

# A subgraph's state is the worst of its URLs' breakers.
_SEVERITY = {"closed": 0, "half_open": 1, "open": 2}


def health_handler(pipeline: ManagedPipeline) -> Handler:
    """``<health_path>``: 200 ``{"status":"pass"}`` once a supergraph is loaded, 503 ``fail`` before."""

    async def health(_request: web.Request) -> web.Response:
        if pipeline.ready:
            return web.Response(body=_PASS, status=200, headers=_HEADERS)
        return web.Response(body=_FAIL, status=503, headers=_HEADERS)

    return health


def live_handler() -> Handler:
    """``<health_path>/live``: 200 whenever this process answers HTTP."""

    async def live(_request: web.Request) -> web.Response:
        return web.Response(body=_LIVE, status=200, headers=_HEADERS)

    return live


def ready_handler(pipeline: ManagedPipeline, state: DrainState) -> Handler:
    """``<health_path>/ready``: 200 when a supergraph is loaded and the process is not draining, else 503."""

    async def ready(_request: web.Request) -> web.Response:
        body = readiness(pipeline, state)
        status = 200 if body["status"] == "ready" else 503
        return web.Response(body=orjson.dumps(body), status=status, headers=_HEADERS)

    return ready


def readiness(pipeline: ManagedPipeline, state: DrainState) -> dict[str, Any]:
    """The ``/ready`` body: status, draining, the supergraph's sha256 and each subgraph's breaker state."""
    supergraph = _loaded_supergraph(pipeline)
    is_ready = pipeline.ready and not state.draining
    return {
        "status": "ready" if is_ready else "not_ready",
        "draining": state.draining,
        "supergraph": getattr(supergraph, "sha256", None),
        "subgraphs": subgraph_states(pipeline, supergraph),
    }


def _loaded_supergraph(pipeline: ManagedPipeline) -> Any:
    """The engine's current ``Supergraph`` (``pipeline.snapshot.supergraph``), or ``None``.

    Read defensively: the ``ManagedPipeline`` protocol does not promise a snapshot, and a pipeline from
    ``--pipeline-factory`` may have none (it then reports ``"supergraph": null`` and only the subgraphs its
    breakers know).
    """
    return getattr(getattr(pipeline, "snapshot", None), "supergraph", None)


def subgraph_states(pipeline: ManagedPipeline, supergraph: Any) -> dict[str, dict[str, Any]]:
    """subgraph -> ``{"circuit_breaker": worst URL state, "urls": {url: state}}``.

    The subgraphs of the loaded supergraph are listed (``closed`` with no URLs until a breaker exists for
    one of them); breakers of subgraphs a reload removed are left out. Without a known supergraph, every
    subgraph that has a breaker is listed.
    """
    breakers = getattr(pipeline, "breakers", None)
    states: dict[str, dict[str, str]] = breakers.states() if breakers is not None else {}
    graphs = getattr(supergraph, "graphs", None)
    names = sorted(graphs) if graphs is not None else sorted(states)
    result: dict[str, dict[str, Any]] = {}
    for name in names:
        urls = dict(states.get(name, {}))
        worst = max(urls.values(), key=lambda s: _SEVERITY.get(s, 0), default="closed")
        result[name] = {"circuit_breaker": worst, "urls": urls}
    return result
