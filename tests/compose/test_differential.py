"""Differential test: random subgraph sets composed by us and by the pinned @apollo/composition must agree.

Both must accept or both reject; accepted sets must give semantically equal supergraphs. Marked ``node``.
"""

from __future__ import annotations

import pytest

from gateway.compose import SubgraphSource, compose
from tests.compose.fuzzgen import generate
from tests.compose.helpers import normalize_supergraph, oracle_available, run_oracle_batch

pytestmark = [
    pytest.mark.node,
    pytest.mark.skipif(not oracle_available(), reason="node or tests/compose/oracle/node_modules missing"),
]

SEEDS = [(seed, True) for seed in range(80)] + [(seed, False) for seed in range(100, 180)]


@pytest.fixture(scope="module")
def apollo() -> dict[str, dict]:
    return run_oracle_batch({f"{seed}-{mild}": generate(seed, mild) for seed, mild in SEEDS}, timeout=600)


def test_random_sets_agree_with_apollo(apollo: dict[str, dict]) -> None:
    disagreements: list[str] = []
    valid = 0
    for seed, mild in SEEDS:
        subgraphs = generate(seed, mild)
        theirs = apollo[f"{seed}-{mild}"]
        ours = compose([SubgraphSource(s["name"], s["url"], s["sdl"]) for s in subgraphs])
        if (theirs["supergraphSdl"] is None) != (ours.supergraph_sdl is None):
            disagreements.append(
                f"seed {seed} mild={mild}: apollo {[e['code'] for e in theirs['errors']] or 'valid'}, "
                f"ours {[e.code for e in ours.errors] or 'valid'}"
            )
        elif ours.supergraph_sdl is not None:
            valid += 1
            if normalize_supergraph(ours.supergraph_sdl) != normalize_supergraph(theirs["supergraphSdl"]):
                disagreements.append(f"seed {seed} mild={mild}: different supergraphs")
    assert not disagreements, "\n".join(disagreements)
    assert valid >= 20, f"generator produced only {valid} composable sets; the comparison would be weak"
