"""Live oracle: run the pinned @apollo/composition now; compare with our output and the checked-in files.

Marked ``node``: skipped when node or the oracle's node_modules are missing (``cd tests/compose/oracle && npm
ci``).
"""

from __future__ import annotations

import pytest

from gateway.compose import SubgraphSource, compose
from tests.compose.helpers import (
    case_names,
    load_case,
    load_expected,
    normalize_supergraph,
    oracle_available,
    run_oracle_batch,
)

pytestmark = [
    pytest.mark.node,
    pytest.mark.skipif(not oracle_available(), reason="node or tests/compose/oracle/node_modules missing"),
]


@pytest.fixture(scope="module")
def live() -> dict[str, dict]:
    return run_oracle_batch({name: load_case(name) for name in case_names()})


@pytest.mark.parametrize("case", case_names())
def test_live_oracle_agrees(case: str, live: dict[str, dict]) -> None:
    apollo = live[case]
    ours = compose([SubgraphSource(s["name"], s["url"], s["sdl"]) for s in load_case(case)])
    stored = load_expected(case)
    # The checked-in expectation is still what the pinned oracle produces.
    assert (apollo["supergraphSdl"] is None) == (stored["supergraph"] is None)
    if apollo["supergraphSdl"] is None:
        assert ours.supergraph_sdl is None
        assert {e.code for e in ours.errors} & {e["code"] for e in apollo["errors"]}
    else:
        assert ours.supergraph_sdl is not None, [str(e) for e in ours.errors]
        assert normalize_supergraph(ours.supergraph_sdl) == normalize_supergraph(apollo["supergraphSdl"])
        assert normalize_supergraph(stored["supergraph"]) == normalize_supergraph(apollo["supergraphSdl"])
