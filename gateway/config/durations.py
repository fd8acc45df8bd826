"""Parsing of human-friendly durations (``30s``, ``500ms``, ``2m``) into seconds.

Why: timeouts and poll intervals are easier to read with a unit, and Apollo Router's YAML uses this style.
A bare number is taken as seconds so that ``timeout: 5`` also works.
"""

from __future__ import annotations

import math
import re

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)?\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}

DURATION_HINT = "expected a duration such as 30s, 500ms, 2m, 1h or a number of seconds"


def parse_duration(value: str | int | float) -> float:
    """Return ``value`` in seconds; raise ``ValueError`` with a readable message when it is not a duration."""
    if isinstance(value, bool):
        raise ValueError(f"invalid duration {value!r}; {DURATION_HINT}")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _DURATION.match(value)
        if match is None:
            raise ValueError(f"invalid duration {value!r}; {DURATION_HINT}")
        seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"invalid duration {value!r}; a duration must be a finite, non-negative number")
    return seconds
