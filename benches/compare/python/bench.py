"""Python: notiflows_auth (both verify providers) against PyJWT, jwcrypto, joserfc and
authlib, and bare `cryptography` (the
floor), RS256 verify and sign on the same 2048-bit key and token, 1 and 2 threads.

Every library's key is loaded once, before measuring. Runs are interleaved (each run
measures every library once, in turn), so a change of machine load hits all of them alike.

Usage: python bench.py [--runs N] [--seconds S] > compare-python.json
"""

import argparse
import json
import os
import platform
import statistics
import sys
import threading
import time
from importlib import metadata

import jwt as pyjwt
from authlib.jose import JsonWebKey as AuthlibJWK
from authlib.jose import JsonWebToken as AuthlibJWT
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from joserfc import jwt as joserfc_jwt
from joserfc.jwk import RSAKey as JoseRFCKey
from jwcrypto import jwk as jwcrypto_jwk
from jwcrypto import jwt as jwcrypto_jwt

import notiflows_auth

HERE = os.path.dirname(os.path.abspath(__file__))
KEY_PATH = os.path.join(HERE, "..", "..", "keys", "rsa2048.pem")
SUBJECT = "user_2f1c9a7e-5d4b-4c1a-9b3e-8f6d2a1c0e7b"


def b64url_decode(s: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def operations():
    """(group, id, label, is_ours, is_floor, fn) for every measured operation."""
    private_pem = open(KEY_PATH, "rb").read()
    now = int(time.time())
    ours_key = notiflows_auth.SigningKey(private_pem)
    public_pem = ours_key.public_key_pem.encode()
    token = ours_key.sign_user_token(SUBJECT, expires_in=86400, now=now)
    signing_input, _, sig_b64 = token.rpartition(".")
    signing_input_bytes = signing_input.encode()
    signature = b64url_decode(sig_b64)

    verifier = notiflows_auth.Verifier(public_pem)
    aws_lc = notiflows_auth.Verifier(public_pem, provider="aws-lc-rs")
    auth = notiflows_auth.Authenticator(cache_size=1000)
    auth.add_project("pk_bench", security_mode="secure", signing_public_key=public_pem)
    headers = {
        "host": "api.example.com",
        "user-agent": "Mozilla/5.0",
        "accept": "*/*",
        "origin": "https://app.example.com",
        "x-notiflows-api-key": "pk_bench",
        "x-notiflows-user-key": token,
    }
    jwcrypto_public = jwcrypto_jwk.JWK.from_pem(public_pem)
    try:
        cached = notiflows_auth.Verifier(public_pem, cache_size=1000)
    except TypeError:  # a build without the verified-token cache
        cached = None
    crypto_public = serialization.load_pem_public_key(public_pem)
    crypto_private = serialization.load_pem_private_key(private_pem, password=None)
    joserfc_public = JoseRFCKey.import_key(public_pem)
    joserfc_private = JoseRFCKey.import_key(private_pem)
    authlib_public = AuthlibJWK.import_key(public_pem, {"kty": "RSA"})
    authlib_private = AuthlibJWK.import_key(private_pem, {"kty": "RSA"})
    authlib_jwt = AuthlibJWT(["RS256"])
    pyjwt_api = pyjwt.PyJWT()

    def ours_verify():
        return verifier.verify(token)

    def ours_cached_verify():
        return cached.verify(token)

    def ours_aws_lc_verify():
        return aws_lc.verify(token)

    def ours_auth_cache_hit():
        return auth.authenticate(headers)

    def jwcrypto_verify():
        return json.loads(jwcrypto_jwt.JWT(jwt=token, key=jwcrypto_public, algs=["RS256"]).claims)

    def pyjwt_verify():
        return pyjwt_api.decode(token, key=crypto_public, algorithms=["RS256"])

    def joserfc_verify():
        t = joserfc_jwt.decode(token, joserfc_public, algorithms=["RS256"])
        joserfc_jwt.JWTClaimsRegistry().validate(t.claims)
        return t

    def authlib_verify():
        claims = authlib_jwt.decode(token, authlib_public)
        claims.validate()
        return claims

    def bare_verify():
        crypto_public.verify(signature, signing_input_bytes, padding.PKCS1v15(), hashes.SHA256())

    def ours_sign():
        return ours_key.sign_user_token(SUBJECT)

    def claims():
        t = int(time.time())
        return {"sub": SUBJECT, "iat": t, "exp": t + 3600}

    def pyjwt_sign():
        return pyjwt_api.encode(claims(), crypto_private, algorithm="RS256")

    def joserfc_sign():
        return joserfc_jwt.encode({"alg": "RS256"}, claims(), joserfc_private, algorithms=["RS256"])

    def authlib_sign():
        return authlib_jwt.encode({"alg": "RS256"}, claims(), authlib_private)

    def bare_sign():
        return crypto_private.sign(signing_input_bytes, padding.PKCS1v15(), hashes.SHA256())

    ops = [
        ("verify/2048", "ours", "notiflows_auth", True, False, ours_verify),
        ("verify/2048", "pyjwt", "PyJWT (cryptography key)", False, False, pyjwt_verify),
        ("verify/2048", "ours_aws_lc_rs", "notiflows_auth, aws-lc-rs provider", True, False, ours_aws_lc_verify),
        ("verify/2048", "ours_cache_hit", "notiflows_auth, cache hit (cache_size=1000)", True, False, ours_cached_verify),
        (
            "verify/2048",
            "ours_auth_cache_hit",
            "notiflows_auth Authenticator, cache hit (6 headers)",
            True,
            False,
            ours_auth_cache_hit,
        ),
        ("verify/2048", "jwcrypto", "jwcrypto", False, False, jwcrypto_verify),
        ("verify/2048", "joserfc", "joserfc", False, False, joserfc_verify),
        ("verify/2048", "authlib", "authlib", False, False, authlib_verify),
        ("verify/2048", "cryptography", "cryptography (bare verify)", False, True, bare_verify),
        ("sign/2048", "ours", "notiflows_auth", True, False, ours_sign),
        ("sign/2048", "pyjwt", "PyJWT (cryptography key)", False, False, pyjwt_sign),
        ("sign/2048", "joserfc", "joserfc", False, False, joserfc_sign),
        ("sign/2048", "authlib", "authlib", False, False, authlib_sign),
        ("sign/2048", "cryptography", "cryptography (bare sign)", False, True, bare_sign),
    ]
    # Check every peer on the token once, so that no error path is measured.
    check = {
        "ours": lambda: ours_verify().sub,
        "ours_aws_lc_rs": lambda: ours_aws_lc_verify().sub,
        "ours_auth_cache_hit": lambda: ours_auth_cache_hit().user_id,
        "jwcrypto": lambda: jwcrypto_verify()["sub"],
        "pyjwt": lambda: pyjwt_verify()["sub"],
        "joserfc": lambda: joserfc_verify().claims["sub"],
        "authlib": lambda: authlib_verify()["sub"],
    }
    for name, fn in check.items():
        assert fn() == SUBJECT, name
    bare_verify()
    if cached is None:
        ops = [op for op in ops if op[1] != "ours_cache_hit"]
    else:
        assert ours_cached_verify().sub == SUBJECT
    for _, _, _, _, _, fn in ops:
        fn()
    assert verifier.verify(ours_sign()).sub == SUBJECT
    assert verifier.verify(pyjwt_sign()).sub == SUBJECT
    return ops


def rate(fn, threads: int, seconds: float) -> float:
    """Operations per second of `fn` on `threads` threads for about `seconds`."""
    # Calibrate a batch of about 20 ms on one thread.
    n, t = 1, 0.0
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        t = time.perf_counter() - start
        if t > 0.02:
            break
        n *= 2
    batch = max(1, int(n * 0.02 / t))
    counts = [0] * threads
    stop = time.perf_counter() + seconds
    barrier = threading.Barrier(threads + 1)

    def worker(i: int) -> None:
        barrier.wait()
        done = 0
        while time.perf_counter() < stop:
            for _ in range(batch):
                fn()
            done += batch
        counts[i] = done

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    start = time.perf_counter()
    stop = start + seconds
    barrier.wait()
    for w in workers:
        w.join()
    return sum(counts) / (time.perf_counter() - start)


def versions():
    names = ["pyjwt", "jwcrypto", "cryptography", "joserfc", "authlib", "notiflows-auth"]
    out = {"python": f"{platform.python_implementation()} {platform.python_version()}"}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "?"
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.5)
    args = parser.parse_args()
    ops = operations()
    runs = {}
    for _ in range(args.runs):
        for threads in (1, 2):
            for group, ident, label, ours, floor, fn in ops:
                # Signing is slow; a shorter run keeps the whole suite short.
                secs = args.seconds if group.startswith("verify") else args.seconds * 2
                runs.setdefault((group, threads, ident), []).append(rate(fn, threads, secs))
    results = []
    for group, ident, label, ours, floor, _ in ops:
        for threads in (1, 2):
            results.append(
                {
                    "group": group,
                    "threads": threads,
                    "id": ident,
                    "label": label,
                    "ours": ours,
                    "floor": floor,
                    "runs": runs[(group, threads, ident)],
                    "ops_per_sec": statistics.median(runs[(group, threads, ident)]),
                }
            )
    json.dump({"language": "python", "versions": versions(), "results": results}, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
