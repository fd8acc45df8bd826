"""Key parsing and the algorithm/family rules that stop algorithm-confusion attacks."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from gateway.auth.keys import KeyLoadError, key_from_pem, key_from_secret, keys_from_file, keys_from_jwks
from gateway.auth.principal import Principal, identity_value, scopes_from_claims
from tests.auth.harness import public_jwk, public_pem

RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC256 = ec.generate_private_key(ec.SECP256R1())
EC384 = ec.generate_private_key(ec.SECP384R1())
ED = ed25519.Ed25519PrivateKey.generate()

ALL = [
    "HS256",
    "HS384",
    "HS512",
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "EdDSA",
]


@pytest.mark.parametrize(
    ("key", "accepted"),
    [
        (key_from_secret("x" * 32, None), {"HS256", "HS384", "HS512"}),
        (keys_from_jwks(public_jwk(RSA, "r"))[0], {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}),
        (keys_from_jwks(public_jwk(RSA, "r", "RS256"))[0], {"RS256"}),
        (keys_from_jwks(public_jwk(EC256, "e"))[0], {"ES256"}),
        (keys_from_jwks(public_jwk(EC384, "e"))[0], {"ES384"}),
        (key_from_pem(public_pem(EC384), None), {"ES384"}),
        (key_from_pem(public_pem(RSA), None), {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}),
        (keys_from_jwks(public_jwk(ED, "o"))[0], {"EdDSA"}),
    ],
)
def test_a_key_only_verifies_its_own_family(key, accepted: set[str]) -> None:
    assert {alg for alg in ALL if key.accepts(alg)} == accepted
    assert not key.accepts("none")


def test_jwks_skips_encryption_and_mismatched_keys() -> None:
    document = {
        "keys": [
            {**public_jwk(RSA, "enc"), "use": "enc"},
            {**public_jwk(RSA, "liar"), "alg": "HS256"},  # an RSA key claiming to be an HMAC key
            {"kty": "weird", "kid": "w"},
            public_jwk(EC256, "good"),
        ]
    }
    assert [k.kid for k in keys_from_jwks(document)] == ["good"]
    with pytest.raises(KeyLoadError):
        keys_from_jwks({"not": "a jwks"})


def test_key_files(tmp_path: Path) -> None:
    pem = tmp_path / "k.pem"
    pem.write_bytes(public_pem(RSA))
    (key,) = keys_from_file(str(pem), "k1")
    assert (key.kid, key.family) == ("k1", "rsa")
    bad = tmp_path / "bad.txt"
    bad.write_text("hello")
    with pytest.raises(KeyLoadError):
        keys_from_file(str(bad), None)
    with pytest.raises(KeyLoadError):
        keys_from_file(str(tmp_path / "missing.pem"), None)


def test_scopes_from_every_claim_shape() -> None:
    assert scopes_from_claims({"scope": "a b  c"}) == {"a", "b", "c"}
    assert scopes_from_claims({"scp": ["a", "b"]}) == {"a", "b"}
    assert scopes_from_claims({"scope": ["a"], "scp": "b"}) == {"a", "b"}
    assert scopes_from_claims({"scope": 3}) == frozenset()


def test_identity_values() -> None:
    principal = Principal(
        authenticated=True,
        subject="u1",
        scopes=frozenset({"b", "a"}),
        claims={"tenant": "acme", "groups": ["x", "y"], "n": 3, "obj": {"a": 1}},
        source="jwt",
    )
    assert identity_value(principal, "subject") == "u1"
    assert identity_value(principal, "scopes") == "a b"
    assert identity_value(principal, "claims.tenant") == "acme"
    assert identity_value(principal, "claims.groups") == "x y"
    assert identity_value(principal, "claims.n") == "3"
    assert identity_value(principal, "claims.obj") is None
    assert identity_value(principal, "client_id") is None
