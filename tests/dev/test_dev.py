"""``gateway dev`` end to end, as a real process with real subgraph processes.

What is checked: the four services answer; a cross-subgraph query goes through the in-process gateway; editing
a subgraph's source restarts that subgraph only, recomposes and hot-reloads the gateway; a change that breaks
composition is reported and the previous supergraph keeps serving; Ctrl-C (SIGINT to the foreground process
group), SIGTERM and even SIGKILL of the dev process leave no subgraph process behind.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.dev.helpers import (
    REPO,
    children_of,
    copy_sources,
    eventually,
    free_port_run,
    gateway_dev,
    post,
    processes_mentioning,
    status,
)
from tests.support.processes import RunningProcess, http_ok, start_process, wait_until

CROSS_SUBGRAPH = """
{
  users(first: 2) {
    edges { node { id username orderCount
      orders(first: 1) { edges { node { id total { amount }
        items { quantity item { __typename
          ... on Product { upc title price { amount } shippingEstimate { amount } } } }
      } } }
    } }
  }
  topProducts(first: 2) { upc title shippingEstimate { amount } }
}
"""

PROBE_FIELD = '''
    @strawberry.field(description="Added by the gateway dev reload test.")
    def dev_probe(self) -> str:
        """A field that only exists in the edited copy."""
        return "reloaded"
'''

# A second root field named like the users subgraph's ``Query.user`` but with another type and without
# @shareable: composition must reject it (the field is resolved by two subgraphs with different types).
CONFLICTING_FIELD = '''
    @strawberry.field
    def user(self) -> str:
        """Clashes with users' Query.user."""
        return "clash"
'''

SCHEMA_ANCHOR = "\n\nschema = strawberry.federation.Schema("


def add_to_products_query(source_root: Path, snippet: str) -> None:
    path = source_root / "subgraphs" / "products" / "schema.py"
    text = path.read_text()
    assert SCHEMA_ANCHOR in text, "products/schema.py layout changed; update the test's anchor"
    path.write_text(text.replace(SCHEMA_ANCHOR, "\n" + snippet + SCHEMA_ANCHOR, 1))


def subgraph_children(pid: int) -> dict[str, int]:
    found: dict[str, int] = {}
    for child, cmdline in children_of(pid).items():
        for name in ("users", "orders", "products"):
            if f"-m subgraphs.{name} " in cmdline:
                found[name] = child
    return found


def assert_no_subgraph_left(base: int, pids: dict[str, int]) -> None:
    def gone() -> bool:
        if any(Path(f"/proc/{pid}").exists() and _alive(pid) for pid in pids.values()):
            return False
        return not any(processes_mentioning(f"--port {base + offset} ") for offset in range(3))

    assert eventually(gone, timeout=10), {
        "children": {name: _alive(pid) for name, pid in pids.items()},
        "by port": [processes_mentioning(f"--port {base + offset} ") for offset in range(3)],
    }


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_dev_runs_reloads_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    source_root = copy_sources(tmp_path / "src")
    with gateway_dev(source_root) as dev:
        # All four answer.
        assert status(f"http://127.0.0.1:{dev.port}/health") == 200
        for offset in range(3):
            assert status(dev.subgraph_url(offset, "/health")) == 200
        output = dev.process.output()
        for offset, name in enumerate(("users", "orders", "products")):
            assert f"{name}" in output
            assert dev.subgraph_url(offset) in output
        assert dev.url in output

        # One client query spanning users -> orders -> products, plus a @requires round trip.
        result = post(dev.url, CROSS_SUBGRAPH)
        assert "errors" not in result, result
        users = result["data"]["users"]["edges"]
        assert len(users) == 2
        first = users[0]["node"]
        assert first["username"]
        assert isinstance(first["orderCount"], int)
        order = first["orders"]["edges"][0]["node"]
        product_lines = [line for line in order["items"] if line["item"]["__typename"] == "Product"]
        assert product_lines, order
        assert all(line["item"]["title"] for line in product_lines)
        assert all(isinstance(line["item"]["price"]["amount"], int) for line in product_lines)
        # users -> orders -> products -> orders again: shippingEstimate @requires products' weight and price.
        assert all(isinstance(line["item"]["shippingEstimate"]["amount"], int) for line in product_lines)
        # products -> orders' Product.shippingEstimate @requires(weightGrams price) -> back to products' data.
        top = result["data"]["topProducts"]
        assert len(top) == 2
        assert all(isinstance(product["shippingEstimate"]["amount"], int) for product in top)

        children = subgraph_children(dev.pid)
        assert set(children) == {"users", "orders", "products"}, children_of(dev.pid)

        # The new field is unknown until the edited subgraph is restarted and the supergraph recomposed.
        before = post(dev.url, "{ devProbe }")
        assert before["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        add_to_products_query(source_root, PROBE_FIELD)
        assert eventually(
            lambda: post(dev.url, "{ devProbe }").get("data") == {"devProbe": "reloaded"}, 45
        ), dev.process.output()
        output = dev.process.output()
        assert "restarting products" in output
        assert "schema of products changed; supergraph recomposed and reloaded" in output
        after = subgraph_children(dev.pid)
        assert after["users"] == children["users"]
        assert after["orders"] == children["orders"]
        assert after["products"] != children["products"]
        assert not _alive(children["products"])
        # The rest of the graph still works after the reload.
        assert "errors" not in post(dev.url, CROSS_SUBGRAPH)

        # A change that breaks composition is reported; the last good supergraph keeps serving.
        add_to_products_query(source_root, CONFLICTING_FIELD)
        assert eventually(lambda: "still serving the previous supergraph" in dev.process.output(), 45), (
            dev.process.output()
        )
        assert "composition failed" in dev.process.output()
        assert post(dev.url, "{ devProbe }") == {"data": {"devProbe": "reloaded"}}

        # Ctrl-C in a terminal sends SIGINT to the foreground process group: the dev process leads it.
        children = subgraph_children(dev.pid)
        os.killpg(dev.pid, signal.SIGINT)
        assert dev.process.popen.wait(20) == 0, dev.process.output()
        assert "gateway dev: stopped" in dev.process.output()
        assert_no_subgraph_left(dev.subgraph_base, children)
        assert status(f"http://127.0.0.1:{dev.port}/health") is None


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_dev_leaves_no_process_behind(tmp_path: Path, signum: signal.Signals) -> None:
    """SIGTERM is a clean stop; SIGKILL cannot be handled, so the children's PDEATHSIG must do the work."""
    with gateway_dev(copy_sources(tmp_path / "src")) as dev:
        children = subgraph_children(dev.pid)
        assert set(children) == {"users", "orders", "products"}
        os.kill(dev.pid, signum)
        code = dev.process.popen.wait(20)
        assert code == (0 if signum == signal.SIGTERM else -signal.SIGKILL), dev.process.output()
        assert_no_subgraph_left(dev.subgraph_base, children)


def run_dev_to_failure(source_root: Path, port: int, base: int) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "gateway", "dev", "--port", str(port), "--subgraph-port-base", str(base)]
    argv += ["--source-root", str(source_root)]
    return subprocess.run(
        argv, cwd=REPO, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
    )


@pytest.mark.parametrize("taken", ["gateway", "subgraph"])
def test_dev_refuses_ports_in_use(tmp_path: Path, taken: str) -> None:
    """A taken port (another dev stack, say) fails fast with the port named, before anything starts."""
    base = free_port_run(3)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0 if taken == "gateway" else base + 1))
        sock.listen()
        busy = sock.getsockname()[1]
        port = busy if taken == "gateway" else free_port_run(1)
        result = run_dev_to_failure(REPO, port, base)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"error: cannot listen on 127.0.0.1:{busy}" in result.stderr
    assert "gateway dev: stopped" in result.stdout
    assert "listening on" not in result.stdout  # no subgraph was started


def test_dev_stops_its_children_when_the_first_composition_fails(tmp_path: Path) -> None:
    source_root = copy_sources(tmp_path / "src")
    add_to_products_query(source_root, CONFLICTING_FIELD)
    base = free_port_run(3)
    result = run_dev_to_failure(source_root, free_port_run(1), base)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "error: composition failed" in result.stderr
    assert "products subgraph listening on" in result.stdout  # the children had started
    assert "gateway dev: stopped" in result.stdout
    assert not any(processes_mentioning(f"--port {base + offset} ") for offset in range(3))


def test_no_subgraphs_mode_uses_running_subgraphs_and_follows_their_schema(tmp_path: Path) -> None:
    """--no-subgraphs: dev starts no child, composes from subgraphs someone else runs, recomposes when one of
    them comes back with a new schema, and leaves them running when it stops."""
    source_root = copy_sources(tmp_path / "src")
    base = free_port_run(3)

    def start(name: str, offset: int) -> RunningProcess:
        process = start_process(
            [sys.executable, "-m", f"subgraphs.{name}", "--port", str(base + offset)],
            cwd=source_root,
            env={"PYTHONPATH": str(source_root)},
        )
        wait_until(process, http_ok(f"http://127.0.0.1:{base + offset}/health"), timeout=60, what=name)
        return process

    running = {name: start(name, offset) for offset, name in enumerate(("users", "orders", "products"))}
    try:
        with gateway_dev(source_root, "--no-subgraphs", subgraph_base=base) as dev:
            assert children_of(dev.pid) == {}
            assert "(external)" in dev.process.output()
            result = post(dev.url, CROSS_SUBGRAPH)
            assert "errors" not in result, result

            # Someone restarts products with a new field: the SDL poll notices and the gateway reloads.
            add_to_products_query(source_root, PROBE_FIELD)
            running["products"].stop()
            running["products"] = start("products", 2)
            assert eventually(
                lambda: post(dev.url, "{ devProbe }").get("data") == {"devProbe": "reloaded"}, 30
            ), dev.process.output()
            assert "restarting" not in dev.process.output()

            os.kill(dev.pid, signal.SIGINT)
            assert dev.process.popen.wait(20) == 0, dev.process.output()
        assert all(process.alive() for process in running.values())
        assert status(f"http://127.0.0.1:{base}/health") == 200
    finally:
        for process in running.values():
            process.stop()


def test_ctrl_c_during_start_up_still_cleans_up(tmp_path: Path) -> None:
    """Interrupted while the subgraphs boot: exit 0, no error, no child left."""
    base = free_port_run(3)
    argv = [sys.executable, "-m", "gateway", "dev", "--port", str(free_port_run(1))]
    argv += ["--subgraph-port-base", str(base)]
    process = start_process(argv, cwd=REPO)
    try:
        assert eventually(lambda: len(subgraph_children(process.popen.pid)) == 3, 30, 0.02), process.output()
        children = subgraph_children(process.popen.pid)
        os.killpg(process.popen.pid, signal.SIGINT)
        assert process.popen.wait(20) == 0, process.output()
        assert "error:" not in process.output()
        assert "watching subgraph schemas" not in process.output()
        assert_no_subgraph_left(base, children)
    finally:
        process.stop()


def test_bad_flags_and_config_fail_before_starting_anything(tmp_path: Path) -> None:
    bad = tmp_path / "gateway.yaml"
    bad.write_text("server:\n  prot: 4000\n")
    result = subprocess.run(
        [sys.executable, "-m", "gateway", "dev", "--config", str(bad)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "invalid configuration" in result.stderr
    assert "prot" in result.stderr
    result = subprocess.run(
        [sys.executable, "-m", "gateway", "dev", "--poll-interval", "0"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--poll-interval must be greater than zero" in result.stderr
