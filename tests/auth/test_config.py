"""The authentication/authorization config sections: loading, validation with lines, schema, CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from gateway.auth.api_keys import hash_key
from gateway.config import auth as auth_config
from gateway.config import model
from gateway.config.errors import ConfigError
from gateway.config.load import load_config_text
from gateway.config.schema import config_json_schema

REPO = Path(__file__).resolve().parents[2]

FULL = f"""
authentication:
  jwt:
    header_name: Authorization
    cookie_name: session
    leeway: 1m
    tier_claim: plan
    sources:
      - url: https://idp.example.com/.well-known/jwks.json
        issuer: https://idp.example.com/
        audiences: [gateway]
        algorithms: [RS256, ES256]
        poll_interval: 5m
        min_refetch_interval: 30s
      - secret: "${{env.JWT_SECRET}}"
  api_keys:
    header_name: X-Api-Key
    keys:
      - sha256: {hash_key("k1")}
        client_id: partner
        scopes: [read:email]
        tier: gold
  require_authentication: false
  identity_headers:
    X-User-Id: subject
    x-user-scopes: scopes
    x-tenant: claims.tenant
  forward_token: true
authorization:
  reject_unauthorized: false
  dry_run: false
  policies:
    is_staff: tests.authorization.policies:is_staff
"""
ENV = {"JWT_SECRET": "s" * 40}


def test_duration_alias_matches_the_model() -> None:
    assert auth_config.Duration == model.Duration


def test_full_example_loads() -> None:
    config = load_config_text(FULL, "full.yaml", ENV)
    authn = config.authentication
    assert authn.jwt is not None
    assert authn.jwt.header_name == "authorization"
    assert authn.jwt.leeway == 60.0
    url_source, secret_source = authn.jwt.sources
    assert url_source.poll_interval == 300.0
    assert url_source.algorithms == ("RS256", "ES256")
    assert secret_source.secret == "s" * 40
    assert secret_source.algorithms == ("HS256", "HS384", "HS512")
    assert authn.api_keys is not None
    assert authn.api_keys.header_name == "x-api-key"
    assert dict(authn.identity_headers) == {
        "x-user-id": "subject",
        "x-user-scopes": "scopes",
        "x-tenant": "claims.tenant",
    }
    assert config.authorization.policies["is_staff"] == "tests.authorization.policies:is_staff"


def test_defaults_need_no_config() -> None:
    config = load_config_text("", "empty.yaml")
    assert not config.authentication.enabled
    assert config.authorization.enabled


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("authentication:\n  jwt:\n    sources: []\n    leway: 1s\n", "unknown key 'leway'", 4),
        ("authorization:\n  dryrun: true\n", "unknown key 'dryrun'", 2),
        (
            "authentication:\n  jwt:\n    sources:\n      - url: https://x/jwks\n"
            "        algorithms: [none]\n",
            "algorithm 'none' is not allowed",
            5,
        ),
        (
            "authentication:\n  jwt:\n    sources:\n      - secret: "
            + "x" * 40
            + "\n        algorithms: [RS256]\n",
            "algorithm 'RS256' is not allowed for an HMAC secret",
            5,
        ),
        (
            "authentication:\n  jwt:\n    sources:\n      - url: https://x/jwks\n        file: k.pem\n",
            "exactly one of 'url', 'file' or 'secret'",
            4,
        ),
        ("authentication:\n  jwt:\n    sources:\n      - secret: short\n", "at least 32 bytes", 4),
        (
            "authentication:\n  api_keys:\n    keys:\n      - sha256: plaintext-key\n        client_id: a\n",
            "sha256 must be 64 hexadecimal characters",
            4,
        ),
        (
            "authentication:\n  identity_headers:\n    x-user: password\n",
            "unknown identity value 'password'",
            2,
        ),
        ("authentication:\n  require_authentication: true\n", "needs jwt or api_keys", 2),
        ("authorization:\n  policies:\n    p: not-a-target\n", "expected 'package.module:function'", 2),
    ],
)
def test_invalid_sections_are_reported_with_line(text: str, message: str, line: int) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config_text(text, "bad.yaml")
    issues = caught.value.issues
    assert any(message in issue.message and issue.line == line for issue in issues), issues


def test_schema_describes_the_sections() -> None:
    schema = config_json_schema()
    assert "authentication" in schema["properties"]
    assert "authorization" in schema["properties"]
    assert schema["$defs"]["JwtKeySource"]["additionalProperties"] is False
    validator = jsonschema.Draft202012Validator(schema)
    import yaml

    document = yaml.safe_load(FULL.replace("${env.JWT_SECRET}", "s" * 40))
    assert list(validator.iter_errors(document)) == []
    document["authorization"]["dryrun"] = True
    assert list(validator.iter_errors(document)) != []


def test_cli_validate_rejects_unknown_key_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "gateway.yaml"
    path.write_text("authentication:\n  api_keys:\n    header: x-key\n")
    result = subprocess.run(
        [sys.executable, "-m", "gateway", "config", "validate", str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"unknown key 'header' at authentication.api_keys ({path} line 3)" in result.stderr
    schema = subprocess.run(
        [sys.executable, "-m", "gateway", "config", "schema"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert schema.returncode == 0
    assert "AuthenticationConfig" in json.loads(schema.stdout)["$defs"]
