"""The comparison rule for gateway responses, shared by every test and the oracle check.

Why: ``data`` must be identical, key order included (GraphQL responses follow the selection order, and a
gateway that reorders fields is wrong), so it is compared as ``json.dumps`` text without sorting keys.
Error messages are free text that differs between implementations, so only the number of errors and, where the
expected error has them, ``path`` and ``extensions.code`` are compared.

@apollo/gateway 2.x reports a null it finds in a non-null position (without a subgraph error) in
``extensions.valueCompletion`` instead of ``errors``; the GraphQL spec makes it a field error. Both places are
counted as errors (compared by path only), so a spec-following gateway and Apollo compare equal.
"""

from __future__ import annotations

import json
from typing import Any


def compare_responses(actual: Any, expected: Any) -> list[str]:
    """Differences between two response bodies under the suite's rules; empty when they match."""
    problems: list[str] = []
    if not isinstance(actual, dict):
        return [f"response is not a JSON object: {actual!r}"]
    if ("data" in expected) != ("data" in actual):
        problems.append(f"'data' present: expected {'data' in expected}, got {'data' in actual}")
    elif "data" in expected:
        want = json.dumps(expected["data"], ensure_ascii=False)
        got = json.dumps(actual["data"], ensure_ascii=False)
        if want != got:
            problems.append(f"data differs:\n  expected: {want}\n  actual:   {got}")
    want_errors = _all_errors(expected)
    got_errors = _all_errors(actual)
    if len(want_errors) != len(got_errors):
        problems.append(
            f"expected {len(want_errors)} error(s), got {len(got_errors)}: {json.dumps(got_errors)[:2000]}"
        )
        return problems
    # Gateways may report independent errors in a different order: compare them sorted by (path, code).
    want_errors = sorted(want_errors, key=_error_sort_key)
    got_errors = sorted(got_errors, key=_error_sort_key)
    for index, (want, got) in enumerate(zip(want_errors, got_errors)):
        if "path" in want and want["path"] != got.get("path"):
            problems.append(f"errors[{index}].path: expected {want['path']}, got {got.get('path')}")
        code = (want.get("extensions") or {}).get("code")
        got_code = (got.get("extensions") or {}).get("code")
        if code is not None and code != got_code:
            problems.append(f"errors[{index}].extensions.code: expected {code}, got {got_code}")
    return problems


def _error_sort_key(error: Any) -> str:
    if not isinstance(error, dict):
        return ""
    return json.dumps(error.get("path")) + str((error.get("extensions") or {}).get("code"))


def _all_errors(body: Any) -> list[Any]:
    errors = list(body.get("errors") or [])
    extensions = body.get("extensions")
    if isinstance(extensions, dict):
        # Their code (INVALID_GRAPHQL) is Apollo's own: only the path is compared.
        errors += [
            {"message": e.get("message"), "path": e.get("path")} if isinstance(e, dict) and "path" in e else e
            for e in extensions.get("valueCompletion") or []
        ]
    return errors
