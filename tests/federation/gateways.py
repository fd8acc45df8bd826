"""Start the two gateways under test as real processes: ours (through its CLI) and Apollo's (the oracle).

Why: the suite tests what users run. Our gateway is started exactly as documented
(``python -m gateway serve --supergraph FILE --port PORT``) and probed on ``GET /health``; Apollo's runs from
``oracle/gateway.mjs`` with a pinned npm install that is made once and cached in ``oracle/node_modules``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.support.ports import free_port
from tests.support.processes import RunningProcess, http_ok, line_printed, start_process, wait_until

ORACLE_DIR = Path(__file__).parent / "oracle"
REPO_ROOT = Path(__file__).resolve().parents[2]
GATEWAY_START_TIMEOUT = 10.0


def start_our_gateway(supergraph_file: Path) -> tuple[RunningProcess, str]:
    """Start our gateway on a free port; return the process and its GraphQL endpoint URL."""
    port = free_port()
    process = start_process(
        [sys.executable, "-m", "gateway", "serve", "--supergraph", str(supergraph_file), "--port", str(port)],
        cwd=REPO_ROOT,
    )
    try:
        wait_until(
            process,
            http_ok(f"http://127.0.0.1:{port}/health"),
            timeout=GATEWAY_START_TIMEOUT,
            what="our gateway (python -m gateway serve)",
        )
    except BaseException:
        process.stop()
        raise
    return process, f"http://127.0.0.1:{port}/graphql"


def node_missing_reason() -> str | None:
    """Why the oracle cannot run here (no node or npm), or None when it can."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed; the @apollo/gateway oracle needs Node.js and npm"
    return None


def ensure_oracle_installed() -> None:
    """``npm ci`` (or ``npm install``) in the oracle folder once; later calls reuse ``node_modules``."""
    if (ORACLE_DIR / "node_modules" / "@apollo" / "gateway").is_dir():
        return
    command = ["npm", "ci"] if (ORACLE_DIR / "package-lock.json").exists() else ["npm", "install"]
    subprocess.run([*command, "--no-audit", "--no-fund"], cwd=ORACLE_DIR, check=True, timeout=300)


def start_apollo_gateway(supergraph_file: Path) -> tuple[RunningProcess, str]:
    """Start @apollo/gateway on a free port; return the process and its GraphQL endpoint URL."""
    ensure_oracle_installed()
    process = start_process(["node", "gateway.mjs", str(supergraph_file), "0"], cwd=ORACLE_DIR)
    try:
        wait_until(process, line_printed(process, "READY "), timeout=30.0, what="@apollo/gateway")
    except BaseException:
        process.stop()
        raise
    line = next(x for x in process.output().splitlines() if x.startswith("READY "))
    return process, line.split(" ", 1)[1].strip()


def post_graphql(url: str, query: str, variables: dict[str, Any] | None = None) -> tuple[int, Any]:
    """POST one GraphQL request (Accept: application/json); return the status and the decoded body."""
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"content-type": "application/json", "accept": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        body = error.read()
        try:
            return error.code, json.loads(body)
        except ValueError:
            return error.code, {"non_json_body": body.decode(errors="replace")}
