"""The users subgraph: owns ``User`` (key ``id``), ``me``, the user list and profile fields."""

from __future__ import annotations
