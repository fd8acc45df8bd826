"""Regenerate tests/authorization/supergraph.graphql with Apollo's composition (run when subgraphs change).

    .venv/bin/python -m tests.authorization.regen

Why checked in: the authorization tests must not depend on Node at run time; Apollo's own composition (the
pinned npm package in tests/compose/oracle) decides how the directives appear in the supergraph.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

HERE = Path(__file__).parent
ORACLE = HERE.parent / "compose" / "oracle"
NAMES = ("accounts", "billing")


def main() -> None:
    subgraphs = [
        {
            "name": n,
            "url": f"http://{n}.invalid/graphql",
            "sdl": (HERE / "subgraphs" / f"{n}.graphql").read_text(),
        }
        for n in NAMES
    ]
    done = subprocess.run(
        ["node", "compose.mjs"],
        cwd=ORACLE,
        input=json.dumps(subgraphs),
        capture_output=True,
        text=True,
        timeout=120,
    )
    result = json.loads(done.stdout)
    if result["errors"]:
        raise SystemExit(f"composition failed: {result['errors']}")
    (HERE / "supergraph.graphql").write_text(result["supergraphSdl"])


if __name__ == "__main__":
    main()
