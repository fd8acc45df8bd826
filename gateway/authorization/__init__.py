"""Authorization directives (@authenticated, @requiresScopes, @policy) enforced before planning."""

from gateway.authorization.plugin import UNAUTHORIZED_FIELD_OR_TYPE, AuthorizationPlugin

__all__ = ["UNAUTHORIZED_FIELD_OR_TYPE", "AuthorizationPlugin"]
