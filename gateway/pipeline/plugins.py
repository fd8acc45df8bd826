"""Which plugins run, in which order, for a given configuration: the one place plugins are registered.

Why one place: the order of edge policies matters (authenticate before authorizing, authorize before costing,
cost before rate limiting) and must be readable at a glance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gateway.pipeline.context import Plugin

if TYPE_CHECKING:
    from gateway.config.model import Config


def build_plugins(config: Config) -> list[Plugin]:
    """Plugins in call order. Each factory returns None when its feature is not configured."""
    from gateway.pipeline.apq import PersistedQueriesPlugin

    plugins: list[Plugin] = []
    # --- authentication and authorization (gateway/auth, gateway/authorization); authentication first, so
    # bad credentials are refused before anything else answers ---
    identity = _identity_and_access(config)
    plugins.extend(p for p in identity if p.name != "authorization")
    # --- automatic persisted queries: resolve the query text before anything reads it (when disabled it
    # answers PERSISTED_QUERY_NOT_SUPPORTED instead of a confusing "missing query") ---
    plugins.append(PersistedQueriesPlugin(config.persisted_queries))
    plugins.extend(p for p in identity if p.name == "authorization")
    # --- limits, demand control, rate limiting (gateway/limits, gateway/demand, gateway/ratelimit) ---
    plugins.extend(_edge_limits(config))
    return plugins


def _edge_limits(config: Config) -> list[Plugin]:
    """Operation limits, then cost (also when only the rate limiter needs it), then rate limiting."""
    from gateway.demand.plugin import DemandControlPlugin
    from gateway.limits.plugin import LimitsPlugin
    from gateway.ratelimit.plugin import RateLimitPlugin

    found: list[Plugin] = [LimitsPlugin(config.limits)]
    if config.demand_control.enabled or config.rate_limit.enabled:
        found.append(DemandControlPlugin(config.demand_control))
    if config.rate_limit.enabled:
        found.append(RateLimitPlugin(config.rate_limit))
    return found


def _identity_and_access(config: Config) -> list[Plugin]:
    """Authentication (sets the principal) before authorization (filters the operation by it)."""
    from gateway.auth.plugin import AuthenticationPlugin
    from gateway.authorization.plugin import AuthorizationPlugin

    found: list[Plugin] = []
    if config.authentication.enabled:
        found.append(AuthenticationPlugin(config.authentication))
    # Without authentication nobody can ever be authorized: the directives are then not enforced (as in
    # Apollo Gateway and Hive Gateway) and the pipeline logs a warning when the supergraph uses them.
    if config.authorization.enabled and config.authentication.enabled:
        found.append(AuthorizationPlugin(config.authorization))
    return found
