"""The gateway configuration as frozen dataclasses, with defaults so that no file is needed.

Why: the engine reads configuration on hot paths (per subgraph fetch), so it gets plain attribute access and a
few pure helper methods instead of dictionaries. The dataclasses are the single source of truth: the YAML
loader (``load.py``) and the JSON Schema (``schema.py``) are both derived from their type hints and the
``doc`` metadata of each field.

Sections follow Apollo Router's YAML style: positive option names, and per-subgraph settings as ``all`` plus
``subgraphs.<name>`` overrides merged field by field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Annotated, Any, ClassVar

from gateway.config.auth import AuthenticationConfig, AuthorizationConfig
from gateway.config.policies import (
    CorsConfig,
    CsrfConfig,
    DemandControlConfig,
    LimitsConfig,
    RateLimitConfig,
)
from gateway.config.resilience import (
    CircuitBreakerConfig,
    CircuitBreakerOverride,
    ConcurrencyConfig,
    ConcurrencyOverride,
    RetryConfig,
    RetryOverride,
    RouterTrafficConfig,
    merge,
)
from gateway.config.telemetry import TelemetryConfig

DURATION = "duration"
# A number of seconds; written in YAML as ``30s``, ``500ms``, ``2m``, ``1h`` or a bare number.
Duration = Annotated[float, DURATION]

# Headers that must never be forwarded to a subgraph: hop-by-hop headers (RFC 9110 section 7.6.1) and the ones
# the subgraph client computes itself for the body it sends.
RESERVED_HEADERS = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "content-length",
        "host",
        "content-type",
        "accept-encoding",
    }
)


EVENT_LOOPS = ("auto", "uvloop", "asyncio")
RESPONSE_MEDIA_TYPES = ("application/graphql-response+json", "application/json")


class InvalidField(ValueError):
    """Raised by ``__post_init__`` so the loader can point at the offending key's line."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field_name = field_name


def _doc(text: str) -> dict[str, str]:
    """Field metadata: the description shown in the JSON Schema and the docs."""
    return {"doc": text}


def _empty_mapping() -> Mapping[str, Any]:
    return MappingProxyType({})


def _compile(field_name: str, pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise InvalidField(field_name, f"invalid regular expression {pattern!r}: {exc}") from None


def _header_name(field_name: str, name: str) -> str:
    lowered = name.strip().lower()
    if not lowered:
        raise InvalidField(field_name, "a header name cannot be empty")
    if lowered in RESERVED_HEADERS:
        raise InvalidField(
            field_name, f"header {lowered!r} is managed by the gateway and cannot be forwarded"
        )
    return lowered


# --- server -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """Where and how the gateway listens."""

    host: str = field(
        default="127.0.0.1", metadata=_doc("Address to listen on (use 0.0.0.0 to listen on every interface).")
    )
    port: int = field(
        default=4000, metadata=_doc("TCP port to listen on (0 picks a free port with a single worker).")
    )
    workers: int = field(
        default=1, metadata=_doc("Number of server processes sharing the port (SO_REUSEPORT).")
    )
    graphql_path: str = field(
        default="/graphql", metadata=_doc("URL path of the GraphQL endpoint (GET and POST).")
    )
    health_path: str = field(
        default="/health",
        metadata=_doc(
            "URL path of the health check: 200 once a supergraph is loaded. `<health_path>/live` "
            "(liveness) and `<health_path>/ready` (readiness: loaded and not draining) are served too."
        ),
    )
    max_request_bytes: int = field(
        default=2_000_000, metadata=_doc("Largest accepted request body; larger bodies get 413.")
    )
    request_timeout: Duration = field(
        default=60.0, metadata=_doc("Overall time limit per client request (504 GATEWAY_TIMEOUT).")
    )
    shutdown_timeout: Duration = field(
        default=10.0,
        metadata=_doc(
            "On SIGTERM, how long in-flight requests may take to finish (counted from the signal)."
        ),
    )
    header_read_timeout: Duration = field(
        default=10.0,
        metadata=_doc(
            "Time a client has to send the complete headers of a request, counted from the connection's "
            "opening or the first byte of a request on a kept-alive connection; slower ones get 408 "
            "REQUEST_TIMEOUT and are closed."
        ),
    )
    body_read_timeout: Duration = field(
        default=30.0,
        metadata=_doc(
            "Time a client has to send a request's body once its headers arrived (never more than "
            "request_timeout); slower ones get 408 REQUEST_TIMEOUT and are closed."
        ),
    )
    keepalive_timeout: Duration = field(
        default=75.0, metadata=_doc("How long an idle kept-alive client connection stays open.")
    )
    max_connections: int = field(
        default=4096,
        metadata=_doc(
            "Most client connections open at once per process; a connection beyond it is answered 503 "
            "SERVICE_OVERLOADED and closed. 0 means no limit."
        ),
    )
    max_header_bytes: int = field(
        default=16384,
        metadata=_doc("Longest request line or single header field; longer ones get 431."),
    )
    default_response_media_type: str = field(
        default="application/graphql-response+json",
        metadata=_doc(
            "Media type of the answer to a request without an Accept header: "
            "application/graphql-response+json (the GraphQL-over-HTTP draft's default since 2025) or "
            "application/json (what clients written before it may expect)."
        ),
    )
    graphiql: bool = field(
        default=True,
        metadata=_doc(
            "Serve the GraphiQL IDE on GET graphql_path when a browser asks for HTML (every asset from the "
            "gateway itself, under graphql_path/_graphiql/); false serves neither the page nor its assets."
        ),
    )
    graphiql_headers: Mapping[str, str] = field(
        default_factory=_empty_mapping,
        metadata=_doc(
            "Headers GraphiQL's headers editor starts with (gateway dev: a demo API key). They are written "
            "into the page: never put a production secret here."
        ),
    )
    expose_query_plan: bool = field(
        default=False,
        metadata=_doc(
            "Honour the `Apollo-Expose-Query-Plan: true` request header: that request's response gets its "
            "query plan (extensions.apolloQueryPlan {object, text}) and, when demand control measured it, "
            "its cost (extensions.cost). GraphiQL sends the header. The plan shows how the supergraph is "
            "split between subgraphs: keep this off on a public endpoint."
        ),
    )
    access_log: bool = field(
        default=False,
        metadata=_doc("Older switch of telemetry.logging.access_log: true turns the access line on too."),
    )
    event_loop: str = field(
        default="auto",
        metadata=_doc("Event loop: uvloop (faster), asyncio, or auto (uvloop when installed)."),
    )

    def __post_init__(self) -> None:
        if self.event_loop not in EVENT_LOOPS:
            raise InvalidField("event_loop", f"event_loop must be one of: {', '.join(EVENT_LOOPS)}")
        if not 0 <= self.port <= 65535:
            raise InvalidField("port", f"port {self.port} is out of range 0-65535")
        if self.workers < 1:
            raise InvalidField("workers", "workers must be at least 1")
        if self.max_request_bytes < 1:
            raise InvalidField("max_request_bytes", "max_request_bytes must be at least 1")
        if self.request_timeout <= 0:
            raise InvalidField("request_timeout", "request_timeout must be greater than zero")
        for name in ("header_read_timeout", "body_read_timeout", "keepalive_timeout"):
            if getattr(self, name) <= 0:
                raise InvalidField(name, f"{name} must be greater than zero")
        if self.default_response_media_type not in RESPONSE_MEDIA_TYPES:
            raise InvalidField(
                "default_response_media_type",
                f"default_response_media_type must be one of: {', '.join(RESPONSE_MEDIA_TYPES)}",
            )
        if self.max_connections < 0:
            raise InvalidField("max_connections", "max_connections cannot be negative")
        if self.max_header_bytes < 1024:
            raise InvalidField("max_header_bytes", "max_header_bytes must be at least 1024")
        for name in ("graphql_path", "health_path"):
            if not getattr(self, name).startswith("/"):
                raise InvalidField(name, f"{name} must start with '/'")
        if self.graphql_path in self.health_paths:
            raise InvalidField(
                "health_path", "health_path (and its /live and /ready paths) must differ from graphql_path"
            )

    @property
    def health_paths(self) -> tuple[str, str, str]:
        """``(health, liveness, readiness)`` paths: ``health_path``, ``<health_path>/live``, ``/ready``."""
        base = self.health_path.rstrip("/")
        return self.health_path, f"{base}/live", f"{base}/ready"


# --- supergraph -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SupergraphConfig:
    """Which supergraph to serve and how it is reloaded."""

    path: str | None = field(
        default=None, metadata=_doc("Supergraph SDL file; the --supergraph command-line flag overrides it.")
    )
    introspection: bool = field(
        default=True, metadata=_doc("Answer introspection queries (__schema, __type).")
    )
    watch: bool = field(
        default=False, metadata=_doc("Poll the supergraph file and hot-reload it when it changes.")
    )
    poll_interval: Duration = field(
        default=2.0, metadata=_doc("How often the file is checked when watch is on.")
    )

    def __post_init__(self) -> None:
        if self.poll_interval <= 0:
            raise InvalidField("poll_interval", "poll_interval must be greater than zero")


# --- traffic shaping --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrafficShapingAll:
    """Subgraph request settings that apply to every subgraph unless overridden."""

    timeout: Duration = field(
        default=30.0, metadata=_doc("Time limit of one subgraph request (SUBGRAPH_TIMEOUT).")
    )
    deduplicate_query: bool = field(
        default=True, metadata=_doc("Share one in-flight subgraph request between identical fetches.")
    )
    circuit_breaker: CircuitBreakerConfig = field(
        default_factory=CircuitBreakerConfig, metadata=_doc("Per-subgraph (per URL) circuit breaker.")
    )
    retry: RetryConfig = field(
        default_factory=RetryConfig,
        metadata=_doc("Retries of failed subgraph calls of queries, with a budget."),
    )
    concurrency: ConcurrencyConfig = field(
        default_factory=ConcurrencyConfig, metadata=_doc("Bound on the calls in flight to each subgraph.")
    )
    # Why 16 MiB: eight times the largest client request body (server.max_request_bytes) and far above what a
    # GraphQL answer of normal pages is, yet a runaway answer (an unpaginated list, a stream that never ends,
    # a compression bomb) is stopped before it costs more than that, plus its decoding (several times the
    # size in Python objects), per call in flight.
    max_response_bytes: int = field(
        default=16 * 1024 * 1024,
        metadata=_doc(
            "Largest subgraph response body accepted, counted after decompression (16 MiB by default). "
            "A larger one is refused by its Content-Length or abandoned as soon as it passes the limit; the "
            "fetch fails with SUBREQUEST_RESPONSE_TOO_LARGE and is not retried."
        ),
    )

    def __post_init__(self) -> None:
        if self.timeout <= 0:
            raise InvalidField("timeout", "timeout must be greater than zero")
        if self.max_response_bytes < 1:
            raise InvalidField("max_response_bytes", "max_response_bytes must be at least 1")


@dataclass(frozen=True, slots=True)
class TrafficShapingOverride:
    """Per-subgraph overrides; an unset field inherits the value from ``all``."""

    timeout: Duration | None = field(default=None, metadata=_doc("Overrides all.timeout for this subgraph."))
    deduplicate_query: bool | None = field(
        default=None, metadata=_doc("Overrides all.deduplicate_query for this subgraph.")
    )
    circuit_breaker: CircuitBreakerOverride | None = field(
        default=None, metadata=_doc("Overrides fields of all.circuit_breaker for this subgraph.")
    )
    retry: RetryOverride | None = field(
        default=None, metadata=_doc("Overrides fields of all.retry for this subgraph.")
    )
    concurrency: ConcurrencyOverride | None = field(
        default=None, metadata=_doc("Overrides fields of all.concurrency for this subgraph.")
    )
    max_response_bytes: int | None = field(
        default=None, metadata=_doc("Overrides all.max_response_bytes for this subgraph.")
    )

    def __post_init__(self) -> None:
        if self.timeout is not None and self.timeout <= 0:
            raise InvalidField("timeout", "timeout must be greater than zero")
        if self.max_response_bytes is not None and self.max_response_bytes < 1:
            raise InvalidField("max_response_bytes", "max_response_bytes must be at least 1")


@dataclass(frozen=True, slots=True)
class TrafficShapingConfig:
    """Subgraph request settings: ``all`` merged field by field with ``subgraphs.<name>``."""

    all: TrafficShapingAll = field(
        default_factory=TrafficShapingAll, metadata=_doc("Defaults for every subgraph.")
    )
    subgraphs: Mapping[str, TrafficShapingOverride] = field(
        default_factory=_empty_mapping, metadata=_doc("Overrides by subgraph name.")
    )
    router: RouterTrafficConfig = field(
        default_factory=RouterTrafficConfig,
        metadata=_doc("Gateway-wide admission of client requests (load shedding)."),
    )


# --- headers ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Propagate:
    """Copy a client request header (by name, or every header matching a regex) to the subgraph request."""

    yaml_key: ClassVar[str] = "propagate"

    named: str | None = field(default=None, metadata=_doc("Header to copy (case-insensitive)."))
    matching: str | None = field(
        default=None, metadata=_doc("Regular expression; every matching client header is copied.")
    )
    rename: str | None = field(
        default=None, metadata=_doc("Send the `named` header under this name instead.")
    )
    default: str | None = field(
        default=None, metadata=_doc("Value to send when the client did not send the `named` header.")
    )
    pattern: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if (self.named is None) == (self.matching is None):
            raise InvalidField("named", "propagate needs exactly one of 'named' or 'matching'")
        if self.named is not None:
            object.__setattr__(self, "named", _header_name("named", self.named))
        if self.rename is not None:
            object.__setattr__(self, "rename", _header_name("rename", self.rename))
        if self.matching is not None:
            if self.rename is not None or self.default is not None:
                raise InvalidField("matching", "'rename' and 'default' only work with 'named'")
            object.__setattr__(self, "pattern", _compile("matching", self.matching))


@dataclass(frozen=True, slots=True)
class Insert:
    """Set a header with a fixed value on the subgraph request."""

    yaml_key: ClassVar[str] = "insert"

    name: str = field(default="", metadata=_doc("Header name."))
    value: str = field(default="", metadata=_doc("Header value (may use ${env.NAME})."))

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", _header_name("name", self.name))


@dataclass(frozen=True, slots=True)
class Remove:
    """Drop a header (by name or regex) that an earlier rule added to the subgraph request."""

    yaml_key: ClassVar[str] = "remove"

    named: str | None = field(default=None, metadata=_doc("Header to drop (case-insensitive)."))
    matching: str | None = field(
        default=None, metadata=_doc("Regular expression; every matching header is dropped.")
    )
    pattern: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if (self.named is None) == (self.matching is None):
            raise InvalidField("named", "remove needs exactly one of 'named' or 'matching'")
        if self.named is not None:
            object.__setattr__(self, "named", self.named.strip().lower())
        if self.matching is not None:
            object.__setattr__(self, "pattern", _compile("matching", self.matching))


HeaderRule = Propagate | Insert | Remove


@dataclass(frozen=True, slots=True)
class HeaderRules:
    """Rules for one scope (``all`` or one subgraph), applied in order."""

    request: tuple[HeaderRule, ...] = field(
        default=(), metadata=_doc("Rules that build the headers of subgraph requests.")
    )


@dataclass(frozen=True, slots=True)
class HeadersConfig:
    """Header propagation: ``all`` rules run first, then the subgraph's own rules."""

    all: HeaderRules = field(default_factory=HeaderRules, metadata=_doc("Rules for every subgraph."))
    subgraphs: Mapping[str, HeaderRules] = field(
        default_factory=_empty_mapping, metadata=_doc("Extra rules by subgraph name.")
    )


# --- errors, caches, overrides ----------------------------------------------------------------------------


# Extension keys every error from a subgraph keeps, whatever its policy: the gateway sets both.
ALWAYS_KEPT_EXTENSIONS = frozenset({"code", "service"})


def _extension_keys(field_name: str, keys: tuple[str, ...] | None, *, denied: bool) -> None:
    for key in keys or ():
        if not key:
            raise InvalidField(field_name, "an extension key cannot be empty")
        if denied and key in ALWAYS_KEPT_EXTENSIONS:
            raise InvalidField(field_name, f"{key!r} is always kept and cannot be denied")


@dataclass(frozen=True, slots=True)
class SubgraphErrorsPolicy:
    """How errors from a subgraph reach clients: the message kept or redacted, extension keys filtered.
    ``true`` is short for the defaults, ``false`` for ``{redact_message: true,
    allow_extensions_keys: []}``."""

    redact_message: bool = field(
        default=False, metadata=_doc('Replace each error message with "Subgraph errors redacted".')
    )
    allow_extensions_keys: tuple[str, ...] | None = field(
        default=None,
        metadata=_doc(
            "Pass on only these extension keys (code and service always pass); null: every key that "
            "deny_extensions_keys does not drop."
        ),
    )
    deny_extensions_keys: tuple[str, ...] | None = field(
        default=None,
        metadata=_doc(
            "Drop these extension keys (code and service cannot be dropped); not with an allow-list."
        ),
    )

    def __post_init__(self) -> None:
        if self.allow_extensions_keys is not None and self.deny_extensions_keys is not None:
            raise InvalidField(
                "deny_extensions_keys", "set allow_extensions_keys or deny_extensions_keys, not both"
            )
        _extension_keys("allow_extensions_keys", self.allow_extensions_keys, denied=False)
        _extension_keys("deny_extensions_keys", self.deny_extensions_keys, denied=True)


@dataclass(frozen=True, slots=True)
class SubgraphErrorsOverride:
    """One subgraph's error policy; unset fields inherit from ``all``, and its key lists extend the list of
    ``all`` of the same kind (an allow-list where ``all`` has a deny-list, or the reverse, replaces it)."""

    redact_message: bool | None = field(default=None, metadata=_doc("Overrides all.redact_message."))
    allow_extensions_keys: tuple[str, ...] | None = field(
        default=None,
        metadata=_doc("Extension keys this subgraph may also pass on (extends the allow-list of `all`)."),
    )
    deny_extensions_keys: tuple[str, ...] | None = field(
        default=None,
        metadata=_doc("Extension keys this subgraph must also drop (extends the deny-list of `all`)."),
    )
    exclude_global_keys: tuple[str, ...] = field(
        default=(),
        metadata=_doc("Keys of the allow- or deny-list of `all` that this subgraph does not inherit."),
    )

    def __post_init__(self) -> None:
        if self.allow_extensions_keys is not None and self.deny_extensions_keys is not None:
            raise InvalidField(
                "deny_extensions_keys", "set allow_extensions_keys or deny_extensions_keys, not both"
            )
        _extension_keys("allow_extensions_keys", self.allow_extensions_keys, denied=False)
        _extension_keys("deny_extensions_keys", self.deny_extensions_keys, denied=True)


_INCLUDE = SubgraphErrorsPolicy()
_REDACT = SubgraphErrorsPolicy(redact_message=True, allow_extensions_keys=())


@dataclass(frozen=True, slots=True)
class SubgraphErrorRules:
    """One subgraph's error policy resolved (``all`` merged with its entry): what the executor applies.

    Not a configuration section: ``Config.subgraph_errors(name)`` builds it once per schema generation."""

    redact_message: bool = False
    allow: frozenset[str] | None = None  # None: every key but the denied ones
    deny: frozenset[str] = frozenset()
    keep_stack_traces: bool = False  # development mode only


@dataclass(frozen=True, slots=True)
class IncludeSubgraphErrorsConfig:
    """Which parts of subgraph errors reach clients (Apollo Router's ``include_subgraph_errors``).

    Whatever the policy, stack traces and exception objects in a subgraph's error extensions are dropped
    unless the gateway runs in development mode (``dev``)."""

    all: bool | SubgraphErrorsPolicy = field(
        default=True,
        metadata=_doc(
            "Policy of every subgraph: true (messages and extensions included), false (messages redacted, "
            "only code and service kept) or a policy section."
        ),
    )
    subgraphs: Mapping[str, bool | SubgraphErrorsOverride] = field(
        default_factory=_empty_mapping,
        metadata=_doc(
            "Policies by subgraph name: true or false (replaces `all`) or a section merged with `all`."
        ),
    )

    def rules(self, name: str, *, dev: bool = False) -> SubgraphErrorRules:
        """The resolved policy of subgraph ``name``."""
        base = _INCLUDE if self.all is True else _REDACT if self.all is False else self.all
        entry = self.subgraphs.get(name)
        if isinstance(entry, bool):
            base, entry = (_INCLUDE if entry else _REDACT), None
        assert not isinstance(base, bool)
        allow = None if base.allow_extensions_keys is None else frozenset(base.allow_extensions_keys)
        deny = frozenset(base.deny_extensions_keys or ())
        redact = base.redact_message
        if entry is not None:
            excluded = frozenset(entry.exclude_global_keys)
            allow = None if allow is None else allow - excluded
            deny -= excluded
            if entry.redact_message is not None:
                redact = entry.redact_message
            if entry.allow_extensions_keys is not None:
                own = frozenset(entry.allow_extensions_keys)
                allow, deny = (own if allow is None else allow | own), frozenset()
            elif entry.deny_extensions_keys is not None:
                own = frozenset(entry.deny_extensions_keys)
                allow, deny = None, (own if allow is not None else deny | own)
        return SubgraphErrorRules(redact, allow, deny - ALWAYS_KEPT_EXTENSIONS, dev)


@dataclass(frozen=True, slots=True)
class PlanCacheConfig:
    """In-memory cache of query plans."""

    max_entries: int = field(
        default=1000, metadata=_doc("Plans kept (least recently used evicted); 0 disables the cache.")
    )

    def __post_init__(self) -> None:
        if self.max_entries < 0:
            raise InvalidField("max_entries", "max_entries cannot be negative")


@dataclass(frozen=True, slots=True)
class ProgressiveOverrideConfig:
    """Progressive @override: labels listed here are always treated as enabled."""

    enabled_labels: tuple[str, ...] = field(default=(), metadata=_doc("Override labels that are always on."))


@dataclass(frozen=True, slots=True)
class PersistedQueriesConfig:
    """Persisted queries: automatic persisted queries (APQ, Apollo's protocol: clients send a sha256 hash
    instead of the query text once the gateway has seen it) and trusted documents from a manifest file."""

    enabled: bool = field(default=True, metadata=_doc("Accept extensions.persistedQuery (APQ)."))
    max_entries: int = field(
        default=10000, metadata=_doc("Queries kept per process (least recently used out).")
    )
    manifest: str | None = field(
        default=None,
        metadata=_doc(
            "Trusted documents file, loaded at start-up: Apollo's persisted query list "
            "(format apollo-persisted-query-manifest) or Relay's JSON map of id to query text."
        ),
    )
    safelist: str = field(
        default="off",
        metadata=_doc(
            "off; enforce: refuse any document not in the manifest (400 PERSISTED_QUERY_NOT_IN_LIST); "
            "log: allow them but log and count them. Needs a manifest."
        ),
    )
    store: str = field(
        default="memory",
        metadata=_doc("Where APQ queries live: memory (per process) or redis (shared, LRU in front)."),
    )
    redis_url: str | None = field(
        default=None, metadata=_doc("Redis of the APQ store (redis://host:port/db); needed by store: redis.")
    )
    key_prefix: str = field(default="gateway:apq:", metadata=_doc("Prefix of the Redis keys."))
    ttl: Duration = field(default=86400.0, metadata=_doc("How long Redis keeps a registered query."))
    redis_timeout: Duration = field(
        default=0.05, metadata=_doc("Connect and command timeout of one Redis call (then: local LRU only).")
    )

    def __post_init__(self) -> None:
        if self.max_entries < 1:
            raise InvalidField("max_entries", "max_entries must be at least 1")
        if self.safelist not in ("off", "enforce", "log"):
            raise InvalidField(
                "safelist", f"safelist must be 'off', 'enforce' or 'log', got {self.safelist!r}"
            )
        if self.safelist != "off" and not self.manifest:
            raise InvalidField("safelist", f"safelist {self.safelist!r} needs a manifest")
        if self.store not in ("memory", "redis"):
            raise InvalidField("store", f"store must be 'memory' or 'redis', got {self.store!r}")
        if self.store == "redis" and not self.redis_url:
            raise InvalidField("redis_url", "store 'redis' needs a redis_url")
        if self.ttl <= 0:
            raise InvalidField("ttl", "ttl must be greater than zero")
        if self.redis_timeout <= 0:
            raise InvalidField("redis_timeout", "redis_timeout must be greater than zero")


@dataclass(frozen=True, slots=True)
class BatchingConfig:
    """Query batching (Apollo Router's contract): a POST body that is a JSON array of requests is answered
    with a JSON array of responses, in order. Off by default, as in Apollo Router."""

    enabled: bool = field(default=False, metadata=_doc("Accept JSON arrays of GraphQL requests."))
    maximum_size: int = field(
        default=10, metadata=_doc("Most requests in one batch; more -> 400 BATCH_LIMIT_EXCEEDED.")
    )

    def __post_init__(self) -> None:
        if self.maximum_size < 1:
            raise InvalidField("maximum_size", "maximum_size must be at least 1")


# --- root -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Config:
    """The whole gateway configuration."""

    server: ServerConfig = field(default_factory=ServerConfig, metadata=_doc("HTTP server."))
    supergraph: SupergraphConfig = field(
        default_factory=SupergraphConfig, metadata=_doc("Supergraph source and reloading.")
    )
    traffic_shaping: TrafficShapingConfig = field(
        default_factory=TrafficShapingConfig, metadata=_doc("Subgraph request settings.")
    )
    override_subgraph_url: Mapping[str, str] = field(
        default_factory=_empty_mapping,
        metadata=_doc("Subgraph URLs that replace the ones in the supergraph, by subgraph name."),
    )
    headers: HeadersConfig = field(
        default_factory=HeadersConfig, metadata=_doc("Header propagation to subgraphs.")
    )
    include_subgraph_errors: IncludeSubgraphErrorsConfig = field(
        default_factory=IncludeSubgraphErrorsConfig,
        metadata=_doc("Which subgraph errors are shown to clients."),
    )
    plan_cache: PlanCacheConfig = field(default_factory=PlanCacheConfig, metadata=_doc("Query plan cache."))
    progressive_override: ProgressiveOverrideConfig = field(
        default_factory=ProgressiveOverrideConfig, metadata=_doc("Progressive @override labels.")
    )
    batching: BatchingConfig = field(
        default_factory=BatchingConfig, metadata=_doc("Query batching (JSON arrays of requests).")
    )
    persisted_queries: PersistedQueriesConfig = field(
        default_factory=PersistedQueriesConfig,
        metadata=_doc("Automatic persisted queries (APQ) and trusted documents."),
    )
    authentication: AuthenticationConfig = field(
        default_factory=AuthenticationConfig, metadata=_doc("JWT / API-key authentication (gateway/auth).")
    )
    authorization: AuthorizationConfig = field(
        default_factory=AuthorizationConfig,
        metadata=_doc("@authenticated / @requiresScopes / @policy enforcement (gateway/authorization)."),
    )
    demand_control: DemandControlConfig = field(
        default_factory=DemandControlConfig, metadata=_doc("Query cost estimation and its maximum.")
    )
    rate_limit: RateLimitConfig = field(
        default_factory=RateLimitConfig, metadata=_doc("Cost-based rate limiting per client.")
    )
    limits: LimitsConfig = field(default_factory=LimitsConfig, metadata=_doc("Operation shape limits."))
    csrf: CsrfConfig = field(default_factory=CsrfConfig, metadata=_doc("CSRF prevention."))
    cors: CorsConfig = field(default_factory=CorsConfig, metadata=_doc("Cross-origin resource sharing."))
    telemetry: TelemetryConfig = field(
        default_factory=TelemetryConfig, metadata=_doc("Prometheus metrics (gateway/telemetry).")
    )
    dev: bool = field(
        default=False,
        metadata=_doc(
            "Development mode: subgraph stack traces and exception objects in error extensions pass to "
            "clients (they are dropped otherwise). On in `gateway dev`; never turn it on in production."
        ),
    )

    def subgraph_timeout(self, name: str) -> float:
        """Seconds allowed for one request to subgraph ``name``."""
        override = self.traffic_shaping.subgraphs.get(name)
        if override is not None and override.timeout is not None:
            return override.timeout
        return self.traffic_shaping.all.timeout

    def subgraph_dedupe(self, name: str) -> bool:
        """Whether identical in-flight requests to subgraph ``name`` are shared."""
        override = self.traffic_shaping.subgraphs.get(name)
        if override is not None and override.deduplicate_query is not None:
            return override.deduplicate_query
        return self.traffic_shaping.all.deduplicate_query

    def subgraph_circuit_breaker(self, name: str) -> CircuitBreakerConfig:
        """Circuit breaker settings of subgraph ``name`` (``all`` merged with its override)."""
        override = self.traffic_shaping.subgraphs.get(name)
        return merge(self.traffic_shaping.all.circuit_breaker, override and override.circuit_breaker)

    def subgraph_retry(self, name: str) -> RetryConfig:
        """Retry settings of subgraph ``name`` (``all`` merged with its override)."""
        override = self.traffic_shaping.subgraphs.get(name)
        return merge(self.traffic_shaping.all.retry, override and override.retry)

    def subgraph_concurrency(self, name: str) -> ConcurrencyConfig:
        """Concurrency bound of subgraph ``name`` (``all`` merged with its override)."""
        override = self.traffic_shaping.subgraphs.get(name)
        return merge(self.traffic_shaping.all.concurrency, override and override.concurrency)

    def subgraph_max_response_bytes(self, name: str) -> int:
        """Largest response body (decompressed) accepted from subgraph ``name``."""
        override = self.traffic_shaping.subgraphs.get(name)
        if override is not None and override.max_response_bytes is not None:
            return override.max_response_bytes
        return self.traffic_shaping.all.max_response_bytes

    def subgraph_url(self, name: str, default: str) -> str:
        """The URL to call for subgraph ``name``: the override if configured, else the supergraph's."""
        return self.override_subgraph_url.get(name, default)

    def headers_for(self, name: str) -> tuple[HeaderRule, ...]:
        """Header rules for subgraph ``name``: the ``all`` rules, then the subgraph's own."""
        own = self.headers.subgraphs.get(name)
        if own is None or not own.request:
            return self.headers.all.request
        return self.headers.all.request + own.request

    def subgraph_errors(self, name: str) -> SubgraphErrorRules:
        """The error policy of subgraph ``name`` (``include_subgraph_errors`` resolved; ``dev`` keeps stack
        traces)."""
        return self.include_subgraph_errors.rules(name, dev=self.dev)

    def include_errors(self, name: str) -> bool:
        """Whether error messages from subgraph ``name`` are shown to clients (not redacted)."""
        return not self.subgraph_errors(name).redact_message
