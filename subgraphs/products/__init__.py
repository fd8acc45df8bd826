"""The products subgraph: owns ``Product`` (keys ``upc`` and ``sku``) and the catalog queries."""

from __future__ import annotations
