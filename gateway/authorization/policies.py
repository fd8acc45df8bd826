"""``@policy`` decisions: Python callables named in the config, evaluated at most once per request each.

Why callables instead of a rules language: policies are business rules (tenant membership, feature flags,
account state) that teams already write in their own code. A policy that raises, returns anything but
``True``, or is not registered denies: authorization must fail closed.
"""

from __future__ import annotations

import importlib
import inspect
import logging
from collections.abc import Callable, Mapping
from typing import Any

from gateway.pipeline.types import GraphQLRequest

log = logging.getLogger("gateway.authorization")

PolicyFunction = Callable[[Any, GraphQLRequest], Any]


def load_policies(targets: Mapping[str, str]) -> dict[str, PolicyFunction]:
    """Import every configured policy at start-up, so a typo fails the start, not a request."""
    loaded: dict[str, PolicyFunction] = {}
    for name, target in targets.items():
        module_name, _, attribute = target.partition(":")
        try:
            value: Any = importlib.import_module(module_name)
            for part in attribute.split("."):
                value = getattr(value, part)
        except (ImportError, AttributeError) as exc:
            raise ValueError(f"authorization.policies.{name}: cannot import {target!r}: {exc}") from None
        if not callable(value):
            raise ValueError(f"authorization.policies.{name}: {target!r} is not callable")
        loaded[name] = value
    return loaded


class PolicyEvaluator:
    """Decides policies for one request, memoizing each decision."""

    __slots__ = ("_decided", "_functions", "_principal", "_request", "_warned")

    def __init__(
        self,
        functions: Mapping[str, PolicyFunction],
        principal: Any,
        request: GraphQLRequest,
        warned: set[str],
    ) -> None:
        self._functions = functions
        self._principal = principal
        self._request = request
        self._decided: dict[str, bool] = {}
        self._warned = warned

    async def allows(self, name: str) -> bool:
        decided = self._decided.get(name)
        if decided is None:
            decided = self._decided[name] = await self._decide(name)
        return decided

    async def _decide(self, name: str) -> bool:
        function = self._functions.get(name)
        if function is None:
            if name not in self._warned:
                self._warned.add(name)
                log.warning("policy %r is used in the supergraph but not configured: denied", name)
            return False
        try:
            result = function(self._principal, self._request)
            if inspect.isawaitable(result):
                result = await result
        except Exception:
            log.exception("policy %r raised: denied", name)
            return False
        return result is True
