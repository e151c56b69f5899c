"""Shared fixtures: the vectors in ``testdata/vectors``, and keys."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

import pytest

import notiflows_auth as na

# python/tests/conftest.py -> parents[2] is the repository root.
VECTORS = Path(__file__).resolve().parents[2] / "testdata" / "vectors"
JWT_CASES = VECTORS / "jwt-cases"


def load_cases() -> Dict[str, Any]:
    doc: Dict[str, Any] = json.loads((JWT_CASES / "cases.json").read_text(encoding="utf-8"))
    return doc


CASES: List[Dict[str, Any]] = load_cases()["cases"]


@pytest.fixture(scope="session")
def shared_private_pem() -> str:
    return (JWT_CASES / "rsa_private_pkcs8.pem").read_text(encoding="ascii")


@pytest.fixture(scope="session")
def shared_public_pem() -> str:
    return (JWT_CASES / "rsa_public_spki.pem").read_text(encoding="ascii")


@pytest.fixture(scope="session")
def shared_signing_key(shared_private_pem: str) -> na.SigningKey:
    return na.SigningKey(shared_private_pem)


@pytest.fixture(scope="session")
def shared_verifier(shared_public_pem: str) -> na.Verifier:
    return na.Verifier(shared_public_pem)


@pytest.fixture(scope="session")
def key_pair() -> na.GeneratedKeyPair:
    """One freshly generated 2048-bit pair for the whole run."""
    return na.generate_signing_key()


@pytest.fixture(scope="session")
def other_key_pair() -> na.GeneratedKeyPair:
    return na.generate_signing_key()
