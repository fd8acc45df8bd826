"""API keys: looked up by the SHA-256 of the presented key.

Why hashed: the config file (often in a repository or a ConfigMap) must not hold usable secrets. Looking up
the digest of the presented key in a dict does not leak the stored digests through timing: the attacker
controls the input, not the digest it hashes to.
"""

from __future__ import annotations

import hashlib
from types import MappingProxyType

from gateway.auth.principal import Principal
from gateway.config.auth import ApiKey, ApiKeysConfig


def hash_key(key: str) -> str:
    """The value to put in ``api_keys.keys[].sha256`` for ``key``."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiKeyStore:
    """Maps presented keys to principals."""

    def __init__(self, config: ApiKeysConfig) -> None:
        self.header_name = config.header_name
        self._by_digest: dict[str, ApiKey] = {key.sha256: key for key in config.keys}

    def principal(self, presented: str) -> Principal | None:
        """The principal of a valid key, else ``None``."""
        entry = self._by_digest.get(hash_key(presented.strip()))
        if entry is None:
            return None
        return Principal(
            authenticated=True,
            subject=entry.client_id,
            client_id=entry.client_id,
            scopes=frozenset(entry.scopes),
            claims=MappingProxyType({}),
            tier=entry.tier,
            source="api_key",
        )
