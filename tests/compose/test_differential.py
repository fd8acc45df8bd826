"""Differential test: random subgraph sets composed by us and by the pinned @apollo/composition must agree.

Both must accept or both reject; accepted sets must give semantically equal supergraphs. Marked ``node``.
"""

from __future__ import annotations

import pytest

from gateway.compose import SubgraphSource, compose
from tests.compose.fuzzgen import generate, generate_fed1, generate_interfaces, generate_misc
from tests.compose.helpers import normalize_supergraph, oracle_available, run_oracle_batch

pytestmark = [
    pytest.mark.node,
    pytest.mark.skipif(not oracle_available(), reason="node or tests/compose/oracle/node_modules missing"),
]

# (family, seed): "mild"/"wild" entity sets (mild = fewer error-prone directives), "itf" interface sets,
# "misc" value types, unions, enums, inputs, descriptions, tags and override labels, "fed1" Federation 1 sets.
FAMILIES = ("mild", "wild", "itf", "misc", "fed1")
SEEDS = [(family, seed) for family in FAMILIES for seed in range(50)]


def _generate(family: str, seed: int) -> list[dict[str, str]]:
    if family == "itf":
        return generate_interfaces(seed)
    if family == "misc":
        return generate_misc(seed)
    if family == "fed1":
        return generate_fed1(seed)
    return generate(seed, family == "mild")


@pytest.fixture(scope="module")
def apollo() -> dict[str, dict]:
    return run_oracle_batch({f"{f}-{s}": _generate(f, s) for f, s in SEEDS}, timeout=600)


def test_random_sets_agree_with_apollo(apollo: dict[str, dict]) -> None:
    disagreements: list[str] = []
    valid = 0
    for family, seed in SEEDS:
        subgraphs = _generate(family, seed)
        theirs = apollo[f"{family}-{seed}"]
        ours = compose([SubgraphSource(s["name"], s["url"], s["sdl"]) for s in subgraphs])
        if (theirs["supergraphSdl"] is None) != (ours.supergraph_sdl is None):
            disagreements.append(
                f"{family} seed {seed}: apollo {[e['code'] for e in theirs['errors']] or 'valid'}, "
                f"ours {[e.code for e in ours.errors] or 'valid'}"
            )
        elif ours.supergraph_sdl is not None:
            valid += 1
            if normalize_supergraph(ours.supergraph_sdl) != normalize_supergraph(theirs["supergraphSdl"]):
                disagreements.append(f"{family} seed {seed}: different supergraphs")
    assert not disagreements, "\n".join(disagreements)
    assert valid >= 40, f"generator produced only {valid} composable sets; the comparison would be weak"
