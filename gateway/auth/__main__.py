"""``python -m gateway.auth hash-key`` until ``gateway auth`` is wired into the main CLI."""

from __future__ import annotations

import sys

from gateway.auth.cli import main

sys.exit(main())
