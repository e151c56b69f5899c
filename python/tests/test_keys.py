"""Key generation and loading: every form users paste, and every refusal."""

from __future__ import annotations

import base64
from typing import Dict, Union

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

import notiflows_auth as na


def test_generate_default_is_2048_and_forms_agree(key_pair: na.GeneratedKeyPair) -> None:
    assert key_pair.bits == 2048
    assert key_pair.private_key_pem.startswith("-----BEGIN PRIVATE KEY-----\n")
    assert key_pair.public_key_pem.startswith("-----BEGIN PUBLIC KEY-----\n")
    assert key_pair.private_key_base64.startswith("LS0tLS1CRUdJTi")
    assert "\n" not in key_pair.private_key_base64
    assert base64.b64decode(key_pair.private_key_base64).decode() == key_pair.private_key_pem
    key = key_pair.signing_key()
    assert key.modulus_bits == 2048
    assert key.public_key_pem == key_pair.public_key_pem
    assert na.SigningKey(key_pair.private_key_base64).public_key_pem == key_pair.public_key_pem
    public = serialization.load_pem_public_key(key_pair.public_key_pem.encode())
    assert isinstance(public, rsa.RSAPublicKey) and public.key_size == 2048


def test_generate_3072() -> None:
    pair = na.generate_signing_key(3072)
    assert pair.bits == 3072 and pair.signing_key().modulus_bits == 3072


@pytest.mark.parametrize("bits", [0, 1024, 2047, 2049, 8192])
def test_generate_refuses_other_sizes(bits: int) -> None:
    with pytest.raises(na.SigningKeyError) as info:
        na.generate_signing_key(bits)
    assert (info.value.code, info.value.status) == ("key_unsupported", 500)


def test_generate_negative_bits_is_an_overflow() -> None:
    with pytest.raises(OverflowError):
        na.generate_signing_key(-1)


def test_generated_pair_repr_hides_private_key(key_pair: na.GeneratedKeyPair) -> None:
    text = repr(key_pair)
    assert text == "GeneratedKeyPair(bits=2048, private_key_pem=<redacted>, private_key_base64=<redacted>)"
    assert "PRIVATE" not in text and key_pair.private_key_base64[20:40] not in text


def test_frozen_objects(key_pair: na.GeneratedKeyPair, shared_signing_key: na.SigningKey) -> None:
    with pytest.raises(AttributeError):
        key_pair.public_key_pem = "x"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        shared_signing_key.modulus_bits = 4096  # type: ignore[misc]


def _pkcs1_pem(pem: str) -> bytes:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )


def _der(pem: str) -> bytes:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    return key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def test_signing_key_forms(shared_private_pem: str, shared_public_pem: str) -> None:
    pkcs1 = _pkcs1_pem(shared_private_pem)
    forms: Dict[str, Union[str, bytes]] = {
        "pkcs8 str": shared_private_pem,
        "pkcs8 bytes": shared_private_pem.encode(),
        "pkcs1 bytes": pkcs1,
        "pkcs1 base64 line (what dashboards hand out)": base64.b64encode(pkcs1).decode(),
        "pkcs8 base64 line": base64.b64encode(shared_private_pem.encode()).decode(),
        "der": _der(shared_private_pem),
        "crlf and spaces": "  " + shared_private_pem.replace("\n", "\r\n") + "\n\n",
        "literal \\n escapes (env files)": shared_private_pem.replace("\n", "\\n"),
    }
    for name, form in forms.items():
        key = na.SigningKey(form)
        assert key.public_key_pem == shared_public_pem, name
        assert repr(key) == "SigningKey(modulus_bits=2048)"


def test_signing_key_refusals(shared_public_pem: str) -> None:
    refusals = {
        "": "key_invalid",
        "not a key": "key_invalid",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n": "key_invalid",
        shared_public_pem: "key_invalid",
    }
    for text, code in refusals.items():
        with pytest.raises(na.SigningKeyError) as info:
            na.SigningKey(text)
        assert info.value.code == code, text
        assert info.value.status == 500


def test_small_and_non_rsa_keys_are_unsupported() -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    small_pem = small.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(na.SigningKeyError) as info:
        na.SigningKey(small_pem)
    assert info.value.code == "key_unsupported"
    small_public = small.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(na.SigningKeyError) as info:
        na.Verifier(small_public)
    assert info.value.code == "key_unsupported"
    ec_public = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(na.SigningKeyError) as info:
        na.Verifier(ec_public)
    assert info.value.code in ("key_unsupported", "key_invalid")


def test_key_messages_never_echo_key_material(shared_private_pem: str) -> None:
    broken = shared_private_pem[:200] + "!" + shared_private_pem[201:]
    with pytest.raises(na.SigningKeyError) as info:
        na.SigningKey(broken)
    body = shared_private_pem.splitlines()[1]
    assert body[:16] not in str(info.value) and body[:16] not in repr(info.value)


@pytest.mark.parametrize("bad", [None, 42, bytearray(b"x"), ["pem"]])
def test_key_arguments_must_be_str_or_bytes(bad: object) -> None:
    with pytest.raises(TypeError):
        na.SigningKey(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        na.Verifier(bad)  # type: ignore[arg-type]


def test_signing_key_from_env(monkeypatch: pytest.MonkeyPatch, key_pair: na.GeneratedKeyPair) -> None:
    monkeypatch.setenv("NOTIFLOWS_SIGNING_KEY", key_pair.private_key_base64)
    assert na.SigningKey.from_env().public_key_pem == key_pair.public_key_pem
    monkeypatch.setenv("MY_KEY", key_pair.private_key_pem)
    assert na.SigningKey.from_env("MY_KEY").public_key_pem == key_pair.public_key_pem
    for unset in ("", "   "):
        monkeypatch.setenv("NOTIFLOWS_SIGNING_KEY", unset)
        with pytest.raises(na.SigningKeyError) as info:
            na.SigningKey.from_env()
        assert info.value.code == "signing_key_not_configured"
    monkeypatch.delenv("NOTIFLOWS_SIGNING_KEY")
    with pytest.raises(na.SigningKeyError) as info:
        na.SigningKey.from_env()
    assert info.value.code == "signing_key_not_configured"
    # The message says what is wrong here (no key in the environment), not a project's mode.
    for message in (str(info.value), str(pytest.raises(na.SigningKeyError, na.sign_user_token, "u").value)):
        assert "NOTIFLOWS_SIGNING_KEY" in message and "unset or empty" in message, message
        assert "Secure Mode" not in message and "project" not in message, message
    monkeypatch.setenv("NOTIFLOWS_SIGNING_KEY", "garbage")
    with pytest.raises(na.SigningKeyError) as info:
        na.SigningKey.from_env()
    assert info.value.code == "key_invalid"
