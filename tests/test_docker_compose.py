"""docker-compose.yml, the Dockerfile and deploy/*.yaml, checked without a Docker engine (none runs here).

What is checked: the Compose client (``docker compose`` or ``docker-compose``, when installed) parses the
file; the services, health checks and start order are what the README promises; every file the Dockerfile
copies exists; the gateway configuration validates and points rate limiting at the redis service; the
supergraph the image composes at build time routes to the compose service names and loads in the gateway;
the subgraph health-check command works against a real subgraph process and fails against a dead port.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import redis
import yaml

from gateway.auth.api_keys import ApiKeyStore
from gateway.compose import cli_main as compose_main
from gateway.config.load import load_config
from gateway.dev import DEMO_KEYS
from tests.ratelimit.support import REDIS_URL, require_redis, unique_prefix
from tests.support.ports import free_port, unused_port
from tests.support.processes import http_ok, start_process, wait_until

REPO = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO / "docker-compose.yml"
SUBGRAPHS = {"users": 4001, "orders": 4002, "products": 4003}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(data, dict)
    return data


def compose_client() -> list[str] | None:
    """The Compose CLI if one is installed (the v2 plugin first, then the standalone v1 client)."""
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_compose_client_parses_the_file() -> None:
    client = compose_client()
    if client is None:
        pytest.skip("no Compose client installed (the structure tests below still run)")
    result = subprocess.run(
        [*client, "-f", str(COMPOSE_FILE), "config", "-q"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_compose_client_rejects_a_broken_file(tmp_path: Path) -> None:
    """Guards the test above: the client really validates (a misspelt key must fail)."""
    client = compose_client()
    if client is None:
        pytest.skip("no Compose client installed")
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(COMPOSE_FILE.read_text().replace("healthcheck:", "helthcheck:", 1))
    result = subprocess.run(
        [*client, "-f", str(broken), "config", "-q"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0


def test_services_and_health_checks(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"redis", "users", "orders", "products", "gateway"}
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    for name, port in SUBGRAPHS.items():
        service = services[name]
        command = service["command"]
        assert command[:3] == ["python", "-m", f"subgraphs.{name}"]
        assert command[command.index("--port") + 1] == str(port)
        assert command[command.index("--host") + 1] == "0.0.0.0"  # reachable from the gateway container
        assert f"http://127.0.0.1:{port}/health" in " ".join(service["healthcheck"]["test"])
    gateway = services["gateway"]
    # readiness, not mere health: a draining gateway (SIGTERM) reports unhealthy and gets no new traffic
    assert "http://127.0.0.1:4000/health/ready'" in " ".join(gateway["healthcheck"]["test"])
    assert gateway["depends_on"] == {name: {"condition": "service_healthy"} for name in [*SUBGRAPHS, "redis"]}
    assert "4000:4000" in gateway["ports"]
    for service in services.values():
        assert service["healthcheck"]["test"][0] == "CMD"


def test_python_services_are_built_from_this_repository(compose: dict[str, Any]) -> None:
    for name in [*SUBGRAPHS, "gateway"]:
        service = compose["services"][name]
        assert service["build"] == "."
        assert service["image"] == "pygraph-gateway:dev"
    copied = re.findall(r"^COPY\s+(.+?)\s+\S+$", (REPO / "Dockerfile").read_text(), flags=re.MULTILINE)
    assert copied
    for sources in copied:
        for source in sources.split():
            assert (REPO / source).exists(), f"Dockerfile copies {source}, which does not exist"


def _config_path(compose: dict[str, Any]) -> Path:
    command = compose["services"]["gateway"]["command"]
    assert command[:2] == ["gateway", "serve"]
    return REPO / command[command.index("--config") + 1]


def test_gateway_config_validates_and_uses_redis(compose: dict[str, Any]) -> None:
    """Also: the container accepts the same demo keys as ``gateway dev`` (the README says so)."""
    environment = compose["services"]["gateway"]["environment"]
    config = load_config(_config_path(compose), environ=environment)
    assert config.rate_limit.enabled
    assert config.rate_limit.redis_url == "redis://redis:6379/0"
    assert config.server.host == "0.0.0.0"
    assert config.server.port == 4000
    assert config.supergraph.path == "/srv/supergraph.graphql"
    api_keys = config.authentication.api_keys
    assert api_keys is not None
    store = ApiKeyStore(api_keys)
    for demo in DEMO_KEYS:
        principal = store.principal(demo.key)
        assert principal is not None
        assert (principal.client_id, principal.scopes) == (demo.user_id, frozenset(demo.scopes))
    assert config.authentication.identity_headers == {"x-user-id": "client_id"}
    # Without the variable the file's own default still names the compose service.
    assert load_config(_config_path(compose), environ={}).rate_limit.redis_url == "redis://redis:6379/0"


def test_build_time_composition_routes_to_the_compose_services(tmp_path: Path) -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    match = re.search(r"gateway compose --config (\S+) --out (\S+)", dockerfile)
    assert match is not None
    out = tmp_path / "supergraph.graphql"
    assert compose_main(["--config", str(REPO / match.group(1)), "--out", str(out)]) == 0
    sdl = out.read_text()
    for name, port in SUBGRAPHS.items():
        assert f'@join__graph(name: "{name}", url: "http://{name}:{port}/graphql")' in sdl
    from gateway.config.model import Config
    from gateway.pipeline.runner import GatewayPipeline

    GatewayPipeline(Config()).load_supergraph(sdl, str(out))  # raises if the gateway cannot serve it


def test_dockerfile_compose_command_runs_through_the_cli(tmp_path: Path) -> None:
    """The exact ``gateway compose`` command of the Dockerfile's RUN step, through the real command line."""
    match = re.search(r"gateway compose (--config \S+) --out \S+", (REPO / "Dockerfile").read_text())
    assert match is not None
    out = tmp_path / "supergraph.graphql"
    argv = [sys.executable, "-m", "gateway", "compose", *match.group(1).split(), "--out", str(out)]
    result = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert '@join__graph(name: "users", url: "http://users:4001/graphql")' in out.read_text()


def test_subgraph_health_check_command_works(compose: dict[str, Any]) -> None:
    """Run the users service's health-check command (port rewritten) against a real subgraph process."""
    port = free_port()
    test = compose["services"]["users"]["healthcheck"]["test"]
    argv = [sys.executable if part == "python" else part.replace(":4001/", f":{port}/") for part in test[1:]]
    dead = [part.replace(f":{port}/", f":{unused_port()}/") for part in argv]
    assert subprocess.run(dead, capture_output=True, timeout=30).returncode != 0
    process = start_process([sys.executable, "-m", "subgraphs.users", "--port", str(port)], cwd=REPO)
    try:
        wait_until(process, http_ok(f"http://127.0.0.1:{port}/health"), timeout=60, what="users subgraph")
        assert subprocess.run(argv, capture_output=True, timeout=30).returncode == 0
    finally:
        process.stop()


def _post(url: str, query: str, api_key: str | None) -> tuple[int, dict[str, str], dict[str, Any]]:
    headers = {"Content-Type": "application/json"}
    if api_key is not None:
        headers["x-api-key"] = api_key
    request = urllib.request.Request(url, data=json.dumps({"query": query}).encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


@pytest.mark.redis
def test_the_container_gateway_config_serves_the_demo_with_redis(
    compose: dict[str, Any], tmp_path: Path
) -> None:
    """Without Docker, as close as it gets: the gateway service's command and config file, the supergraph the
    image composes, real subgraph processes and the real Redis. Only what is container-specific is changed:
    the listen address and port, the subgraph and Redis URLs (no compose DNS here) and the rate-limit key
    prefix (so the test's keys can be found and deleted)."""
    require_redis()
    service = compose["services"]["gateway"]
    config = yaml.safe_load(_config_path(compose).read_text())
    ports = {name: free_port() for name in SUBGRAPHS}
    config["override_subgraph_url"] = {
        name: f"http://127.0.0.1:{port}/graphql" for name, port in ports.items()
    }
    supergraph = tmp_path / "supergraph.graphql"
    assert compose_main(["--config", str(REPO / "deploy" / "supergraph.yaml"), "--out", str(supergraph)]) == 0
    config["supergraph"]["path"] = str(supergraph)
    port = free_port()
    subgraphs = []
    with unique_prefix() as prefix:
        config["rate_limit"]["key_prefix"] = prefix
        config_file = tmp_path / "gateway.yaml"
        config_file.write_text(yaml.safe_dump(config))
        try:
            for name, subgraph_port in ports.items():
                process = start_process(
                    [sys.executable, "-m", f"subgraphs.{name}", "--port", str(subgraph_port)]
                )
                subgraphs.append(process)
                wait_until(
                    process, http_ok(f"http://127.0.0.1:{subgraph_port}/health"), timeout=60, what=name
                )
            argv = [sys.executable, "-m", *service["command"]]
            argv[argv.index("--config") + 1] = str(config_file)
            argv += ["--host", "127.0.0.1", "--port", str(port)]
            assert set(service["environment"]) == {"REDIS_URL"}
            gateway = start_process(argv, cwd=REPO, env={"REDIS_URL": REDIS_URL})  # no compose DNS here
            subgraphs.append(gateway)
            wait_until(gateway, http_ok(f"http://127.0.0.1:{port}/health"), timeout=60, what="gateway")
            url = f"http://127.0.0.1:{port}/graphql"

            status, headers, body = _post(
                url, '{ me { id username } order(id: "19") { status } }', "dev-user-1"
            )
            assert status == 200, body
            assert body == {
                "data": {"me": {"id": "1", "username": "blamarr"}, "order": {"status": "DELIVERED"}}
            }
            assert "RateLimit-Remaining" in headers
            _status, _headers, body = _post(url, '{ order(id: "19") { status } }', None)
            assert body["errors"][0]["extensions"]["code"] == "UNAUTHORIZED_FIELD_OR_TYPE"
            # The buckets live in Redis (what lets the two workers share them).
            client = redis.Redis.from_url(REDIS_URL)
            try:
                assert list(client.scan_iter(match=prefix + "*"))
            finally:
                client.close()
        finally:
            for process in reversed(subgraphs):
                process.stop()
