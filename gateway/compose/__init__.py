"""Apollo Federation 2 composition in Python: subgraph SDLs -> supergraph SDL (``gateway compose``)."""

from __future__ import annotations

from gateway.compose.cli import cli_main
from gateway.compose.compose import CompositionResult, SubgraphSource, compose
from gateway.compose.errors import CompositionError, CompositionHint

__all__ = [
    "CompositionError",
    "CompositionHint",
    "CompositionResult",
    "SubgraphSource",
    "cli_main",
    "compose",
]
