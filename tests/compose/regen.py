"""Regenerate the checked-in oracle outputs in ``tests/compose/expected/`` with the pinned
@apollo/composition.

Run: ``.venv/bin/python tests/compose/regen.py`` (needs node; run ``npm ci`` in tests/compose/oracle first).
Why checked in: the normal test run must not need node; the live oracle test re-checks them when node exists.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.compose.helpers import EXPECTED_DIR, case_names, load_case, run_oracle_batch


def main() -> int:
    """Compose every case with the oracle and write ``<case>.json`` (+ ``<case>.graphql`` when valid)."""
    EXPECTED_DIR.mkdir(exist_ok=True)
    results = run_oracle_batch({name: load_case(name) for name in case_names()})
    for name in case_names():
        result = results[name]
        sdl = result.pop("supergraphSdl")
        (EXPECTED_DIR / f"{name}.json").write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
        sdl_path = EXPECTED_DIR / f"{name}.graphql"
        if sdl is not None:
            sdl_path.write_text(sdl if sdl.endswith("\n") else sdl + "\n")
        elif sdl_path.exists():
            sdl_path.unlink()
        status = "valid" if sdl is not None else f"invalid {[e['code'] for e in result['errors']]}"
        print(f"{name}: {status}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
