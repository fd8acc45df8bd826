"""Recompose every case's supergraph and record expected responses from Apollo's gateway (the oracle).

Run by hand after adding or changing a case (never in CI), from the repository root:

    .venv/bin/python -m tests.federation.regen                 # every case
    .venv/bin/python -m tests.federation.regen keys errors     # only these cases
    .venv/bin/python -m tests.federation.regen --no-compose    # keep the checked-in supergraphs

For each case: ``oracle/compose.mjs`` composes ``subgraphs/*.graphql`` into ``supergraph.graphql`` (with
``@apollo/federation`` 0.x when ``case.json`` says ``"federation": 1``; not at all when it says
``"compose": false``); then the case's subgraphs start, ``oracle/gateway.mjs`` serves the supergraph, and
each query's response is written to ``queries/<NN-name>.json``. The subgraph requests each query caused are
printed, with any ``.requests.json`` expectation Apollo does not meet, so a reviewer can check the recording.
Review the diff of the recorded files before committing them: the oracle is a reference, not an authority.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from tests.federation.case_loader import Case, load_cases
from tests.federation.gateways import ORACLE_DIR, ensure_oracle_installed, start_apollo_gateway
from tests.federation.runner import CaseEnvironment, check_requests


def compose(case: Case) -> None:
    """Write ``supergraph.graphql`` for a case from its subgraph SDL files; exit on composition errors."""
    command = ["node", "compose.mjs", str(case.path / "subgraphs")]
    if case.federation == 1:
        command.append("--fed1")
    result = subprocess.run(command, cwd=ORACLE_DIR, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        sys.exit(f"composition of case {case.name} failed:\n{result.stderr}")
    case.supergraph_path.write_text(result.stdout)
    print(f"[{case.name}] composed supergraph.graphql")


def record(case: Case) -> None:
    """Run every query of a case through @apollo/gateway and write the expected responses."""
    environment = CaseEnvironment(case)
    try:
        url = environment.gateway("apollo", start_apollo_gateway)
        for query in case.queries:
            status, body, log = environment.run(query, url)
            if query.oracle_deviation is None:
                query.expected_path.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
            else:
                print(f"[{case.name}] {query.name}: kept the hand-corrected expected file (oracle deviation)")
            summary = {}
            for request in log:
                entry = summary.setdefault(request.subgraph, [0, 0, 0])
                entry[0] += 1
                entry[1] += int(request.is_entities)
                entry[2] += len(request.representations)
            counts = ", ".join(
                f"{k}: {v[0]} req/{v[1]} _entities/{v[2]} reps" for k, v in sorted(summary.items())
            )
            print(f"[{case.name}] {query.name}: HTTP {status}; {counts or 'no subgraph requests'}")
            for problem in check_requests(query, log):
                print(f"    note: Apollo does not meet {query.name}.requests.json: {problem[:200]}")
    finally:
        environment.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("cases", nargs="*", help="case names (default: all)")
    parser.add_argument("--no-compose", action="store_true", help="keep the checked-in supergraphs")
    parser.add_argument("--no-record", action="store_true", help="only compose")
    args = parser.parse_args()
    ensure_oracle_installed()
    cases = load_cases(args.cases or None)
    if args.cases and len(cases) != len(args.cases):
        sys.exit(f"unknown case among {args.cases}")
    for case in cases:
        if not args.no_compose and case.compose:
            compose(case)
        if not args.no_record:
            record(case)


if __name__ == "__main__":
    main()
