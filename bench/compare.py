"""Compare a gateway's response to the expected benchmark response, strictly.

Why strict: the reference gateways return exactly ``expected/*.json``; a gateway that is faster because it
returns something else (missing fields, nulls, other key order) must not be measured as if it were right.
Equal parsed JSON (``==``) is required, and so is the same key order (re-serialising both with orjson,
which keeps insertion order).
"""

from __future__ import annotations

from typing import Any

import orjson


def first_difference(actual: Any, expected: Any, path: str = "$") -> str | None:
    """A short description of where two JSON values first differ (values, then key order), or None."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        if list(actual) != list(expected):
            if set(actual) != set(expected):
                missing = sorted(set(expected) - set(actual))
                extra = sorted(set(actual) - set(expected))
                return f"{path}: keys differ (missing {missing}, unexpected {extra})"
            for key in expected:
                found = first_difference(actual[key], expected[key], f"{path}.{key}")
                if found:
                    return found
            return f"{path}: key order {list(actual)} != expected {list(expected)}"
        for key in expected:
            found = first_difference(actual[key], expected[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        if len(actual) != len(expected):
            return f"{path}: list length {len(actual)} != expected {len(expected)}"
        for index, (a, e) in enumerate(zip(actual, expected)):
            found = first_difference(a, e, f"{path}[{index}]")
            if found:
                return found
        return None
    if type(actual) is not type(expected) or actual != expected:
        shown, wanted = orjson.dumps(actual)[:120].decode(), orjson.dumps(expected)[:120].decode()
        return f"{path}: {shown} != expected {wanted}"
    return None


def check_response(raw: bytes, expected_raw: bytes) -> str | None:
    """None when ``raw`` equals the expected JSON in values and key order, else the first difference."""
    try:
        actual = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return f"response is not JSON: {raw[:200]!r}"
    expected = orjson.loads(expected_raw)
    if actual == expected and orjson.dumps(actual) == orjson.dumps(expected):
        return None
    return first_difference(actual, expected) or "responses differ"
