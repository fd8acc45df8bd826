"""Planning errors."""

from __future__ import annotations


class PlanningError(Exception):
    """The operation cannot be planned against this supergraph (deterministic, safe to cache)."""
