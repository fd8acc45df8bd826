"""Configuration of the edge policies: demand control, rate limiting, operation limits, CSRF and CORS.

Why a module of its own: these sections are owned by the policy packages (``gateway/demand``,
``gateway/ratelimit``, ``gateway/limits``, ``gateway/http/csrf.py``, ``gateway/http/cors.py``) and change with
them; ``model.py`` only adds one field per section to ``Config``. Defaults follow Apollo Router where it has
one, so that no configuration file is needed: limits on but generous, CSRF prevention on, CORS open to
localhost only, demand control and rate limiting off until configured.

This module must not import ``gateway.config.model`` at import time (``model.py`` imports it), so it keeps its
own tiny ``_doc`` helper and raises ``InvalidField`` through a lazy import.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Annotated, Any, NoReturn

# Same marker as ``gateway.config.model.DURATION`` (kept literal to avoid the import cycle).
Duration = Annotated[float, "duration"]


def _doc(text: str) -> dict[str, str]:
    return {"doc": text}


def _invalid(field_name: str, message: str) -> NoReturn:
    from gateway.config.model import InvalidField

    raise InvalidField(field_name, message)


def _positive_or_none(obj: Any, names: tuple[str, ...]) -> None:
    for name in names:
        value = getattr(obj, name)
        if value is not None and value < 1:
            _invalid(name, f"{name} must be at least 1 (or null to disable the limit)")


# --- demand control ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DemandControlConfig:
    """Static query cost (IBM cost spec, as Apollo Router implements it) and its maximum."""

    enabled: bool = field(default=False, metadata=_doc("Compute the cost of every operation."))
    mode: str = field(
        default="enforce",
        metadata=_doc("enforce: reject operations over `max`; measure: compute and report only."),
    )
    list_size: int = field(
        default=10,
        metadata=_doc("Assumed size of a list without @listSize(assumedSize) or a slicing argument."),
    )
    max: float = field(
        default=1000.0, metadata=_doc("Largest estimated cost accepted (COST_ESTIMATED_TOO_EXPENSIVE above).")
    )
    expose: bool = field(
        default=False,
        metadata=_doc("Add extensions.cost {estimated, actual, max} to every executed response."),
    )

    def __post_init__(self) -> None:
        if self.mode not in ("enforce", "measure"):
            _invalid("mode", f"mode must be 'enforce' or 'measure', got {self.mode!r}")
        if self.list_size < 0:
            _invalid("list_size", "list_size cannot be negative")
        if self.max < 0:
            _invalid("max", "max cannot be negative")


# --- rate limiting ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RateLimitTier:
    """One token bucket shape: ``capacity`` cost units, refilled continuously."""

    capacity: float = field(default=1000.0, metadata=_doc("Bucket size in cost units (largest burst)."))
    refill_per_second: float = field(
        default=10.0, metadata=_doc("Cost units added back per second (the sustained rate).")
    )

    def __post_init__(self) -> None:
        if self.capacity <= 0:
            _invalid("capacity", "capacity must be greater than zero")
        if self.refill_per_second <= 0:
            _invalid("refill_per_second", "refill_per_second must be greater than zero")


def _default_tiers() -> Mapping[str, RateLimitTier]:
    return MappingProxyType({"default": RateLimitTier()})


@dataclass(frozen=True, slots=True)
class RateLimitConfig:
    """Cost-based rate limiting per client (JWT sub, API key client id, else client IP)."""

    enabled: bool = field(default=False, metadata=_doc("Rate-limit every operation."))
    redis_url: str | None = field(
        default=None,
        metadata=_doc("Redis shared by every gateway instance (redis://host:port/db); null: in memory."),
    )
    key_prefix: str = field(default="gateway:ratelimit:", metadata=_doc("Prefix of the Redis keys."))
    tiers: Mapping[str, RateLimitTier] = field(
        default_factory=_default_tiers, metadata=_doc("Bucket shapes by tier name (principal.tier).")
    )
    default_tier: str = field(
        default="default", metadata=_doc("Tier of anonymous clients and of clients with an unknown tier.")
    )
    on_redis_error: str = field(
        default="allow", metadata=_doc("When Redis fails: allow (fail open) or deny (fail closed, 429).")
    )
    redis_timeout: Duration = field(
        default=0.05, metadata=_doc("Connect and command timeout of one Redis call.")
    )

    def __post_init__(self) -> None:
        if self.on_redis_error not in ("allow", "deny"):
            _invalid(
                "on_redis_error", f"on_redis_error must be 'allow' or 'deny', got {self.on_redis_error!r}"
            )
        if self.default_tier not in self.tiers:
            _invalid("default_tier", f"default_tier {self.default_tier!r} is not one of the tiers")
        if self.redis_timeout <= 0:
            _invalid("redis_timeout", "redis_timeout must be greater than zero")


# --- operation limits -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LimitsConfig:
    """Operation shape limits (Apollo Router's ``limits``); null disables one limit."""

    max_depth: int | None = field(default=100, metadata=_doc("Deepest field nesting (a root field is 1)."))
    max_height: int | None = field(
        default=1000, metadata=_doc("Distinct fields (type and name) in the operation, fragments included.")
    )
    max_aliases: int | None = field(default=100, metadata=_doc("Aliased fields, fragments expanded."))
    max_root_fields: int | None = field(
        default=50, metadata=_doc("Root fields, aliases and fragments included.")
    )
    max_recursive_selections: int | None = field(
        default=10_000,
        metadata=_doc("Field selections with fragments expanded at every spread (fragment bombs)."),
    )
    parser_max_tokens: int | None = field(
        default=15000, metadata=_doc("Lexical tokens in the query document (checked before parsing).")
    )
    warn_only: bool = field(default=False, metadata=_doc("Log violations instead of rejecting."))

    def __post_init__(self) -> None:
        _positive_or_none(
            self,
            (
                "max_depth",
                "max_height",
                "max_aliases",
                "max_root_fields",
                "max_recursive_selections",
                "parser_max_tokens",
            ),
        )


# --- CSRF and CORS ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CsrfConfig:
    """Apollo's CSRF prevention: refuse requests a browser could send without a CORS preflight."""

    enabled: bool = field(default=True, metadata=_doc("Refuse non-preflighted GraphQL requests."))
    required_headers: tuple[str, ...] = field(
        default=("x-apollo-operation-name", "apollo-require-preflight"),
        metadata=_doc("Any one of these headers marks a request as preflighted."),
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "required_headers", tuple(h.strip().lower() for h in self.required_headers))
        if self.enabled and not self.required_headers:
            _invalid("required_headers", "required_headers cannot be empty while CSRF prevention is on")


@dataclass(frozen=True, slots=True)
class CorsConfig:
    """Cross-origin resource sharing for browser clients on other origins."""

    enabled: bool = field(default=True, metadata=_doc("Answer preflights and add CORS headers."))
    allow_any_origin: bool = field(
        default=False, metadata=_doc("Allow every origin (never with credentials).")
    )
    origins: tuple[str, ...] = field(
        default=(), metadata=_doc("Allowed origins, exactly as browsers send them.")
    )
    match_origins: tuple[str, ...] = field(
        default=(r"^https?://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$",),
        metadata=_doc("Regular expressions; an origin matching any of them is allowed (default: localhost)."),
    )
    methods: tuple[str, ...] = field(
        default=("GET", "POST", "OPTIONS"), metadata=_doc("Methods announced in preflight answers.")
    )
    allow_headers: tuple[str, ...] = field(
        default=(),
        metadata=_doc("Request headers allowed; empty: mirror Access-Control-Request-Headers."),
    )
    expose_headers: tuple[str, ...] = field(
        default=("ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "retry-after"),
        metadata=_doc("Response headers browser scripts may read."),
    )
    allow_credentials: bool = field(default=False, metadata=_doc("Send Access-Control-Allow-Credentials."))
    max_age: Duration | None = field(default=None, metadata=_doc("How long browsers may cache a preflight."))
    patterns: tuple[re.Pattern[str], ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.allow_any_origin and self.allow_credentials:
            _invalid("allow_credentials", "allow_credentials cannot be combined with allow_any_origin")
        compiled = []
        for pattern in self.match_origins:
            try:
                compiled.append(re.compile(pattern))
            except re.error as exc:
                _invalid("match_origins", f"invalid regular expression {pattern!r}: {exc}")
        object.__setattr__(self, "patterns", tuple(compiled))
        object.__setattr__(self, "methods", tuple(m.upper() for m in self.methods))
        if self.max_age is not None and self.max_age < 0:
            _invalid("max_age", "max_age cannot be negative")

    def origin_allowed(self, origin: str) -> bool:
        """Whether a browser page on ``origin`` may call the gateway."""
        if self.allow_any_origin or origin in self.origins:
            return True
        return any(pattern.match(origin) for pattern in self.patterns)
