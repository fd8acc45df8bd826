"""Integration: every supergraph we compose loads in the gateway's own supergraph loader.

Why: composition exists to feed the gateway; a supergraph Apollo would accept but our router could not read
would be useless. (Uses ``gateway.supergraph.model.load_supergraph``, owned by the supergraph package.)
"""

from __future__ import annotations

import pytest

from gateway.compose import SubgraphSource, compose
from tests.compose.helpers import case_names, load_case, load_expected

supergraph_model = pytest.importorskip("gateway.supergraph.model")

VALID = [c for c in case_names() if load_expected(c)["supergraph"] is not None]


@pytest.mark.parametrize("case", VALID)
def test_composed_supergraph_loads_in_gateway(case: str) -> None:
    result = compose([SubgraphSource(s["name"], s["url"], s["sdl"]) for s in load_case(case)])
    assert result.supergraph_sdl is not None
    loaded = supergraph_model.load_supergraph(result.supergraph_sdl)
    assert loaded is not None
