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
    plugins: list[Plugin] = []
    return plugins
