"""Helpers shared by the three demo subgraphs: data fixtures, pagination, errors, the HTTP view, the CLI."""

from __future__ import annotations
