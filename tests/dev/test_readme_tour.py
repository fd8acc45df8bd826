"""The README's tour, run for real: every ```graphql block of the tour section is sent, in order, to a fresh
``gateway dev`` and its answer must equal the ```json block that follows it.

Why: the README is what a new user tries first; its examples must stay true as the code changes.
"""

from __future__ import annotations

import json
import re

from tests.dev.helpers import DEMO_KEY, REPO, gateway_dev, post

SECTION = "## A tour of the demo graph"
PAIR = re.compile(r"```graphql\n(.*?)\n```\s*```json\n(.*?)\n```", re.DOTALL)


def tour_examples() -> list[tuple[str, object]]:
    text = (REPO / "README.md").read_text()
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    section = text[start : end if end != -1 else len(text)]
    return [(query, json.loads(expected)) for query, expected in PAIR.findall(section)]


def test_readme_has_cross_subgraph_examples() -> None:
    examples = tour_examples()
    assert len(examples) >= 5
    assert any(query.lstrip().startswith("mutation") for query, _ in examples)
    assert any(api_key_for(query) is None for query, _ in examples)  # one anonymous example


def api_key_for(query: str) -> str | None:
    """The tour sends ``dev-user-1`` unless the first line is ``# x-api-key: KEY`` or ``# anonymous ...``."""
    first = query.splitlines()[0]
    if first.startswith("# x-api-key:"):
        return first.split(":", 1)[1].strip()
    if first.startswith("# anonymous"):
        return None
    return DEMO_KEY


def test_readme_tour_answers_match() -> None:
    examples = tour_examples()
    with gateway_dev(REPO) as dev:
        for query, expected in examples:
            assert post(dev.url, query, api_key=api_key_for(query)) == expected, query
