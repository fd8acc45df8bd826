"""Write each subgraph's federation SDL to ``schema/subgraphs/<name>.graphql``.

``python -m subgraphs.export`` rewrites the three files; ``--check`` writes nothing and exits 1 when any
file is missing or differs, so CI catches a schema change that was not re-exported.
Why query ``_service { sdl }`` instead of printing the schema directly: that answer is exactly what a
gateway or composition tool fetches from the running service, so the files match what is served.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

from subgraphs import SUBGRAPH_NAMES

DEFAULT_OUT_DIR = Path(__file__).resolve().parent.parent / "schema" / "subgraphs"


def subgraph_sdl(name: str) -> str:
    """The ``_service { sdl }`` answer of subgraph ``name``, newline-terminated."""
    schema = importlib.import_module(f"subgraphs.{name}.schema").schema
    result = schema.execute_sync("{ _service { sdl } }")
    if result.errors:
        raise RuntimeError(f"{name}: _service query failed: {result.errors}")
    assert result.data is not None
    return str(result.data["_service"]["sdl"]).rstrip("\n") + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Export (or with ``--check``, verify) every subgraph's SDL; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m subgraphs.export", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if any exported file is stale")
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR, help="default: schema/subgraphs")
    args = parser.parse_args(argv)
    stale: list[str] = []
    for name in SUBGRAPH_NAMES:
        path: Path = args.out_dir / f"{name}.graphql"
        sdl = subgraph_sdl(name)
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == sdl:
            continue
        if args.check:
            stale.append(str(path))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(sdl, encoding="utf-8")
            print(f"wrote {path}")
    if stale:
        print("stale SDL (run `python -m subgraphs.export`): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
