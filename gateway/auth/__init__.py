"""Authentication: JWT (JWKS, files, HMAC secrets) and API keys, producing a ``Principal`` per request."""

from gateway.auth.api_keys import hash_key
from gateway.auth.plugin import AUTH_ERROR, AuthenticationPlugin
from gateway.auth.principal import ANONYMOUS, Principal

__all__ = ["ANONYMOUS", "AUTH_ERROR", "AuthenticationPlugin", "Principal", "hash_key"]
