"""Errors raised while loading a supergraph."""

from __future__ import annotations

from gateway.errors import ClientError


class SupergraphError(ClientError):
    """The supergraph SDL cannot be used; the message says why in terms an operator can act on."""

    code = "INVALID_SUPERGRAPH"
    http_status = 500
