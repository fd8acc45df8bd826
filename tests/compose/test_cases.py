"""Oracle tests: our composition vs the checked-in outputs of the pinned @apollo/composition.

Valid sets must give a supergraph semantically equal to Apollo's (normalized, see helpers); invalid sets must
be rejected by us too, and our errors must name the type/field Apollo's errors name.
"""

from __future__ import annotations

import re

import pytest

from gateway.compose import SubgraphSource, compose
from tests.compose.helpers import (
    apollo_coordinates,
    case_names,
    load_case,
    load_expected,
    normalize_supergraph,
)

CASES = case_names()


def _compose(name: str):
    return compose([SubgraphSource(s["name"], s["url"], s["sdl"]) for s in load_case(name)])


@pytest.mark.parametrize("case", CASES)
def test_case_matches_apollo(case: str) -> None:
    expected = load_expected(case)
    result = _compose(case)
    if expected["supergraph"] is not None:
        assert result.errors == (), [str(e) for e in result.errors]
        assert result.supergraph_sdl is not None
        assert normalize_supergraph(result.supergraph_sdl) == normalize_supergraph(expected["supergraph"])
    else:
        assert result.supergraph_sdl is None, "Apollo rejects this subgraph set but we composed it"
        ours = " ".join(f"{e.message} {e.coordinate or ''}" for e in result.errors)
        subgraph_names = {s["name"] for s in load_case(case)}
        wanted: set[str] = set()
        for err in expected["errors"]:
            wanted |= apollo_coordinates(err["message"]) - subgraph_names
        coordinates = {w for w in wanted if "." in w}
        if coordinates:
            assert any(c in ours for c in coordinates), (
                f"our errors {ours!r} name none of {sorted(coordinates)}"
            )
        else:
            if not wanted:  # e.g. NO_QUERIES: nothing to name, the same code is what matters
                assert {e.code for e in result.errors} >= {e["code"] for e in expected["errors"]}
                return
            assert any(re.search(rf"\b{re.escape(w)}\b", ours) for w in wanted), (
                f"our errors {ours!r} name none of {sorted(wanted)}"
            )


@pytest.mark.parametrize("case", [c for c in CASES if load_expected(c)["supergraph"] is None])
def test_invalid_case_uses_apollo_code(case: str) -> None:
    expected_codes = {e["code"] for e in load_expected(case)["errors"]}
    ours = {e.code for e in _compose(case).errors}
    assert ours & expected_codes, f"ours {sorted(ours)} vs Apollo {sorted(expected_codes)}"


@pytest.mark.parametrize("case", CASES)
def test_deterministic(case: str) -> None:
    first = _compose(case)
    second = _compose(case)
    assert first.supergraph_sdl == second.supergraph_sdl
    assert [str(e) for e in first.errors] == [str(e) for e in second.errors]
