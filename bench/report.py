"""Describe the machine, summarise runs into medians, and render the markdown report.

Why: benchmark figures only mean something next to the machine, software versions and exact command that
produced them, and next to a baseline measured in the same sitting (absolute figures move day to day on
shared machines, ratios much less).
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

# Summary metrics: key, label, unit, whether larger is better.
METRICS: tuple[tuple[str, str, str, bool], ...] = (
    ("heavy_rps", "heavy, requests/s (50 conns)", "", True),
    ("heavy_p50_ms", "heavy, p50 latency (50 conns)", "ms", False),
    ("heavy_p99_ms", "heavy, p99 latency (50 conns)", "ms", False),
    ("heavy_subgraph_requests_single", "heavy, subgraph requests for one client request", "", False),
    (
        "heavy_subgraph_requests_per_request",
        "heavy, subgraph requests per client request under load",
        "",
        False,
    ),
    ("light_rps", "light, requests/s (50 conns)", "", True),
    ("light_p50_ms", "light, p50 latency (50 conns)", "ms", False),
    ("light_p99_ms", "light, p99 latency (50 conns)", "ms", False),
    ("light_subgraph_requests_single", "light, subgraph requests for one client request", "", False),
    (
        "light_subgraph_requests_per_request",
        "light, subgraph requests per client request under load",
        "",
        False,
    ),
    ("heavy_gateway_cpu_pct", "heavy, gateway process CPU (% of a core)", "%", False),
    ("heavy_subgraphs_cpu_pct", "heavy, subgraphs process CPU (% of a core)", "%", False),
    ("heavy_gateway_core_cpu_pct", "heavy, gateway core busy (all processes)", "%", False),
    ("heavy_load_core_cpu_pct", "heavy, load core busy (subgraphs + wrk + others)", "%", False),
    ("light_gateway_cpu_pct", "light, gateway process CPU (% of a core)", "%", False),
    ("light_subgraphs_cpu_pct", "light, subgraphs process CPU (% of a core)", "%", False),
    ("light_gateway_core_cpu_pct", "light, gateway core busy (all processes)", "%", False),
    ("light_load_core_cpu_pct", "light, load core busy (subgraphs + wrk + others)", "%", False),
    ("light_c1_p50_ms", "light, 1 connection, p50 latency", "ms", False),
    ("light_c1_p99_ms", "light, 1 connection, p99 latency", "ms", False),
    (
        "light_c1_p50_above_direct_ms",
        "light, 1 connection, p50 above hitting the subgraph directly",
        "ms",
        False,
    ),
    ("peak_rss_mb", "peak memory (RSS, process + children)", "MB", False),
)

# Metrics the shared reference table has, compared as measured / reference.
REFERENCE_KEYS = ("heavy_rps", "light_rps", "light_c1_p50_above_direct_ms", "peak_rss_mb")


def _first_line(command: Sequence[str]) -> str:
    try:
        completed = subprocess.run(list(command), capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"unavailable ({error})"
    text = (completed.stdout or completed.stderr).strip()
    return text.splitlines()[0] if text else "unavailable"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _package_version(node_dir: Path, package: str) -> str:
    try:
        manifest = orjson.loads((node_dir / "node_modules" / package / "package.json").read_bytes())
        return str(manifest["version"])
    except (OSError, KeyError, orjson.JSONDecodeError):
        return "not installed"


def machine_info(python: str, node: str, node_dir: Path) -> dict[str, Any]:
    """CPU, cores, kernel and the versions of everything that runs during the benchmark."""
    return {
        "cpu_model": _cpu_model(),
        "cores": os.cpu_count(),
        "kernel": platform.release(),
        "python": _first_line([python, "--version"]),
        "node": _first_line([node, "--version"]),
        "node_binary": node,
        "wrk": _first_line(["wrk", "--version"]),
        "apollo_gateway": _package_version(node_dir, "@apollo/gateway"),
        "apollo_server": _package_version(node_dir, "@apollo/server"),
        "hive_gateway": _package_version(node_dir, "@graphql-hive/gateway"),
        "loadavg_at_start": os.getloadavg(),
    }


def summarise(runs: Sequence[Mapping[str, Any]], gateways: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Median of every metric per gateway over the runs that produced it (errors are kept aside)."""
    summary: dict[str, dict[str, Any]] = {}
    for gateway in gateways:
        mine = [run for run in runs if run["gateway"] == gateway]
        values: dict[str, Any] = {"runs": len(mine), "errors": [e for run in mine for e in run["errors"]]}
        for key, *_ in METRICS:
            samples = [run["metrics"][key] for run in mine if run["metrics"].get(key) is not None]
            values[key] = statistics.median(samples) if samples else None
            values[f"{key}_samples"] = samples
        summary[gateway] = values
    return summary


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    if unit == "ms":
        return f"{value:.2f} ms"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "%":
        return f"{value:.0f} %"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}"


def _ratio(value: float | None, base: float | None) -> str:
    if value is None or not base:
        return "—"
    return f"{value / base:.2f}x"


def render_markdown(result: Mapping[str, Any]) -> str:
    """The human report: settings, machine, medians per gateway, ratios to a same-sitting baseline."""
    gateways: list[str] = list(result["settings"]["gateways"])
    summary = result["summary"]
    machine = result["machine"]
    settings = result["settings"]
    lines = [
        f"# Federation gateway benchmark — {result['started']}",
        "",
        f"Command: `{result['command']}`",
        "",
        f"Machine: {machine['cpu_model']}, {machine['cores']} cores, kernel {machine['kernel']}; "
        f"{machine['python']}; Node {machine['node']} ({machine['node_binary']}); {machine['wrk']}; "
        f"load average at start {', '.join(f'{x:.2f}' for x in machine['loadavg_at_start'])}.",
        f"Versions: @apollo/gateway {machine['apollo_gateway']}, @apollo/server {machine['apollo_server']}, "
        f"@graphql-hive/gateway {machine['hive_gateway']}.",
        "",
        (
            "Method: --check-only, no load: each gateway was started and its answers were checked against "
            "the expected JSON (values and key order); subgraph requests were counted for one request."
            if settings.get("check_only")
            else f"Method: gateway pinned to CPU {settings['gateway_cpu']}, subgraphs and wrk to CPU "
            f"{settings['load_cpu']}; {settings['connections']} connections; {settings['warmup']:g} s "
            f"warm-up, {settings['duration']:g} s measured; median of {settings['runs']} alternating run(s). "
            "Every gateway's answer was checked against the expected JSON (values and key order) before it "
            "was measured."
        ),
        "",
        "| metric | " + " | ".join(gateways) + " |",
        "|---|" + "---|" * len(gateways),
    ]
    for key, label, unit, _ in METRICS:
        if all(summary[g].get(key) is None for g in gateways):
            continue  # not measured in this sitting (a query left out, --check-only)
        cells = [_fmt(summary[g].get(key), unit) for g in gateways]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    direct = result.get("direct_subgraph_c1_p50_ms")
    if direct:
        lines += ["", f"Direct subgraph (accounts, 1 connection) p50: {statistics.median(direct):.3f} ms."]

    if "apollo" in gateways and len(gateways) > 1:
        lines += ["", "Ratios to @apollo/gateway measured in this sitting:", ""]
        others = [g for g in gateways if g != "apollo"]
        lines += ["| metric | " + " | ".join(others) + " |", "|---|" + "---|" * len(others)]
        for key, label, _unit, _ in METRICS:
            if key.endswith("_cpu_pct") or all(summary[g].get(key) is None for g in gateways):
                continue  # CPU figures diagnose the sitting; they are not properties of a gateway
            cells = [_ratio(summary[g].get(key), summary["apollo"].get(key)) for g in others]
            lines.append(f"| {label} | " + " | ".join(cells) + " |")

    reference = result.get("reference", {}).get("gateways", {})
    with_reference = [g for g in gateways if g in reference]
    if with_reference and not settings.get("check_only"):
        lines += ["", "Measured / shared reference figures (reference: Node 26, quiet machine):", ""]
        lines += ["| metric | " + " | ".join(with_reference) + " |", "|---|" + "---|" * len(with_reference)]
        labels = {key: label for key, label, *_ in METRICS}
        for key in REFERENCE_KEYS:
            cells = [
                f"{_fmt(summary[g].get(key))} / {_fmt(reference[g][key])} = "
                f"{_ratio(summary[g].get(key), reference[g][key])}"
                for g in with_reference
            ]
            lines.append(f"| {labels[key]} | " + " | ".join(cells) + " |")

    errors = [(g, e) for g in gateways for e in summary[g]["errors"]]
    if errors:
        lines += ["", "Errors:", ""]
        lines += [f"- {g}: {e}" for g, e in errors]
    return "\n".join(lines) + "\n"
