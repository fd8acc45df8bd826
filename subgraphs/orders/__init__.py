"""The orders subgraph: owns ``Order`` (key ``id``) and contributes ``User.orders`` and ``Product`` fields."""

from __future__ import annotations
