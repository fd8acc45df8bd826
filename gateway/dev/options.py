"""What ``gateway dev`` runs: its options, the subgraphs it finds, their ports, the embedded configuration."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

from gateway.config.model import Config

DEMO_SUBGRAPHS: tuple[str, ...] = ("users", "orders", "products")
"""The demo subgraphs come first, in this order, so they keep their ports (base, base+1, base+2)."""


class DevError(Exception):
    """The stack cannot start; the message is printed as one ``error:`` line."""


@dataclass(frozen=True, slots=True)
class DemoKey:
    """An API key the embedded dev configuration accepts: it stands for one demo user."""

    key: str
    user_id: str
    scopes: tuple[str, ...]


DEMO_KEYS: tuple[DemoKey, ...] = (
    DemoKey("dev-user-1", "1", ("users:read_email",)),
    DemoKey("dev-user-2", "2", ()),
)
"""Why demo keys: orders are ``@authenticated`` and ``User.email`` needs a scope, so exploring the demo graph
needs an identity; fixed, printed keys give one without a token issuer. They exist only in ``gateway dev``."""


@dataclass(frozen=True, slots=True)
class DevOptions:
    """Everything ``gateway dev`` needs, after command-line parsing."""

    host: str = "127.0.0.1"
    port: int = 4000
    subgraph_port_base: int = 4001
    start_subgraphs: bool = True
    source_root: Path | None = None
    poll_interval: float = 2.0
    startup_timeout: float = 60.0
    supergraph_out: Path | None = None
    config: Config = field(default_factory=Config)
    demo_keys: tuple[DemoKey, ...] = ()


@dataclass(frozen=True, slots=True)
class SubgraphEndpoint:
    """Where one demo subgraph listens (subgraphs always bind 127.0.0.1: they are private to the gateway)."""

    name: str
    port: int
    host: str = "127.0.0.1"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/graphql"

    @property
    def health_url(self) -> str:
        return f"http://{self.host}:{self.port}/health"


def discover_subgraphs(package_dir: Path) -> tuple[str, ...]:
    """The runnable subgraphs: every ``subgraphs/<name>/`` package with a ``__main__.py``.

    Why discover instead of a fixed list: a team that adds ``subgraphs/reviews/`` (same command line as the
    others: ``--host --port --db``) gets it started, composed and watched by the next ``gateway dev``.
    """
    found = {
        path.parent.name
        for path in package_dir.glob("*/__main__.py")
        if not path.parent.name.startswith(("_", "."))
    }
    return tuple(name for name in DEMO_SUBGRAPHS if name in found) + tuple(
        sorted(found - set(DEMO_SUBGRAPHS))
    )


def endpoints(port_base: int, names: Sequence[str] = DEMO_SUBGRAPHS) -> tuple[SubgraphEndpoint, ...]:
    """The subgraphs on consecutive ports starting at ``port_base``, in ``names`` order."""
    return tuple(SubgraphEndpoint(name, port_base + i) for i, name in enumerate(names))


def embedded_config(host: str, port: int) -> Config:
    """The ``gateway dev`` defaults: in-memory everything (no Redis), the demo API keys, the caller's id
    sent to subgraphs as ``x-user-id`` (what the demo subgraphs read for ``Query.me`` and ``createOrder``),
    and development mode (``dev``: subgraph stack traces reach the client, where a developer wants them)."""
    from gateway.auth.api_keys import hash_key
    from gateway.config.auth import ApiKey, ApiKeysConfig, AuthenticationConfig
    from gateway.config.load import config_with
    from gateway.config.policies import DemandControlConfig

    keys = tuple(ApiKey(hash_key(k.key), k.user_id, k.scopes) for k in DEMO_KEYS)
    authentication = AuthenticationConfig(
        api_keys=ApiKeysConfig(keys=keys), identity_headers={"x-user-id": "client_id"}
    )
    config = config_with(
        Config(authentication=authentication, dev=True), "server", host=host, port=port, workers=1
    )
    # one access line per request (with its request id): a developer wants to see each call
    config = config_with(config, "telemetry", logging=replace(config.telemetry.logging, access_log=True))
    # GraphiQL: starts with the first demo key in its headers editor and shows each run's plan and cost
    # (demand control measures, never rejects; the numbers reach only requests that ask, as the plan does).
    config = config_with(
        config,
        "server",
        graphiql_headers=MappingProxyType({authentication.api_keys.header_name: DEMO_KEYS[0].key}),
        expose_query_plan=True,
    )
    config = replace(config, demand_control=DemandControlConfig(enabled=True, mode="measure"))
    return config


def default_source_root() -> Path:
    """The directory holding the ``subgraphs`` package this interpreter imports (the repository root)."""
    import subgraphs

    return Path(subgraphs.__file__).resolve().parent.parent
