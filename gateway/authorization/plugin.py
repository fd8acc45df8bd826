"""The authorization plugin: enforces the supergraph's @authenticated, @requiresScopes and @policy.

Why three caches: the rules are read once per schema generation (keyed on the supergraph object), the clauses
an operation touches once per prepared operation, and the filtered operation once per (operation, denied
clauses). A request then only evaluates its few distinct clauses against the principal, and its plan is
cached under a ``plan_key`` naming the denied clauses, so two principals with different rights never share a
plan.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from graphql import FragmentDefinitionNode, OperationDefinitionNode

from gateway.auth.principal import ANONYMOUS, Principal
from gateway.authorization.filter import Filtered, clauses_used, filter_operation
from gateway.authorization.nullify import null_removed
from gateway.authorization.policies import PolicyEvaluator, PolicyFunction, load_policies
from gateway.authorization.rules import Clause, SchemaRules, read_rules
from gateway.cache.lru import LRUCache
from gateway.config.auth import AuthorizationConfig
from gateway.errors import FormattedError, make_error
from gateway.pipeline.context import BasePlugin, RequestContext
from gateway.pipeline.types import GraphQLResponse

log = logging.getLogger("gateway.authorization")

UNAUTHORIZED_FIELD_OR_TYPE = "UNAUTHORIZED_FIELD_OR_TYPE"
_MESSAGE = "Unauthorized field or type"
_OPERATIONS_PER_SCHEMA = 2000
_OUTCOMES_PER_OPERATION = 32


@dataclass(slots=True)
class _OperationAuth:
    """What one prepared operation needs: the clauses it touches and its filtered forms by denied set."""

    operation: OperationDefinitionNode
    clauses: frozenset[Clause]
    outcomes: dict[frozenset[Clause], tuple[Filtered, list[FormattedError], Any]] = field(
        default_factory=dict
    )


@dataclass(slots=True)
class _SchemaState:
    rules: SchemaRules
    operations: LRUCache[tuple[str, str | None], _OperationAuth]


def _errors(filtered: Filtered) -> list[FormattedError]:
    return [
        make_error(_MESSAGE, UNAUTHORIZED_FIELD_OR_TYPE, path=list(entry.path)) for entry in filtered.removed
    ]


def _copies(errors: list[FormattedError]) -> list[FormattedError]:
    """Fresh error dicts per response: the cached ones must never be mutated by later stages."""
    return [
        make_error(e["message"], UNAUTHORIZED_FIELD_OR_TYPE, path=list(e.get("path", []))) for e in errors
    ]


class AuthorizationPlugin(BasePlugin):
    """Removes (or rejects, or only reports) selections the principal may not see."""

    name = "authorization"

    def __init__(self, config: AuthorizationConfig) -> None:
        self.config = config
        self.policies: dict[str, PolicyFunction] = load_policies(config.policies)
        self._states: list[_SchemaState] = []
        self._warned: set[str] = set()

    def _state(self, ctx: RequestContext) -> _SchemaState:
        supergraph = ctx.snapshot.supergraph
        for state in self._states:
            if state.rules.supergraph is supergraph:
                return state
        state = _SchemaState(
            read_rules(supergraph, ctx.snapshot.api_schema), LRUCache(_OPERATIONS_PER_SCHEMA)
        )
        self._states = [state, *self._states[:1]]  # current and previous generation (in-flight requests)
        return state

    def _operation(
        self, state: _SchemaState, ctx: RequestContext, operation: OperationDefinitionNode
    ) -> _OperationAuth:
        key = (ctx.request.query or "", ctx.request.operation_name)
        found = state.operations.get(key)
        if found is None or found.operation is not operation:
            fragments: dict[str, FragmentDefinitionNode] = ctx.fragments or {}
            found = _OperationAuth(operation, clauses_used(state.rules, operation, fragments))
            state.operations.put(key, found)
        return found

    async def _denied(self, clauses: frozenset[Clause], ctx: RequestContext) -> frozenset[Clause]:
        principal: Principal = ctx.principal if isinstance(ctx.principal, Principal) else ANONYMOUS
        policies = PolicyEvaluator(self.policies, principal, ctx.request, self._warned)
        denied: set[Clause] = set()
        for clause in clauses:
            if clause.kind == "authenticated":
                ok = principal.authenticated
            elif clause.kind == "scopes":
                ok = any(alternative <= principal.scopes for alternative in clause.alternatives)
            else:
                ok = False
                for alternative in clause.alternatives:
                    for name in alternative:
                        if not await policies.allows(name):
                            break
                    else:
                        ok = True
                        break
            if not ok:
                denied.add(clause)
        return frozenset(denied)

    async def on_operation(self, ctx: RequestContext) -> GraphQLResponse | None:
        operation = ctx.operation
        if not self.config.enabled or operation is None:
            return None
        state = self._state(ctx)
        if state.rules.empty:
            return None
        auth = self._operation(state, ctx, operation)
        if not auth.clauses:
            return None
        denied = await self._denied(auth.clauses, ctx)
        if not denied:
            return None
        outcome = auth.outcomes.get(denied)
        if outcome is None:
            filtered = filter_operation(state.rules, operation, ctx.fragments or {}, denied)
            # The denied guards fully determine the filtered operation of this prepared operation (paths alone
            # do not: `... on A { x }` and `... on B { x: y }` remove different selections at one path).
            plan_key = ("authorization", denied)
            outcome = (filtered, _errors(filtered), plan_key)
            if len(auth.outcomes) >= _OUTCOMES_PER_OPERATION:
                auth.outcomes.pop(next(iter(auth.outcomes)))
            auth.outcomes[denied] = outcome
        filtered, errors, plan_key = outcome
        if not filtered.removed:
            return None
        paths = [list(entry.path) for entry in filtered.removed]
        if self.config.dry_run:
            log.warning("authorization dry run: would remove %s", paths)
            ctx.extensions["authorization"] = {"dryRun": True, "unauthorizedPaths": paths}
            return None
        if self.config.reject_unauthorized:
            return GraphQLResponse({"errors": _copies(errors)}, 400)
        ctx.operation = filtered.operation
        ctx.plan_key = plan_key if ctx.plan_key is None else (ctx.plan_key, plan_key)
        ctx.errors.extend(_copies(errors))
        ctx.store["authorization"] = filtered
        return None

    async def on_response(self, ctx: RequestContext, body: dict[str, Any]) -> None:
        filtered = ctx.store.get("authorization")
        if isinstance(filtered, Filtered):
            null_removed(body, filtered.removed)
