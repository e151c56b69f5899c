"""The GIL is released during RSA work: threads verify in parallel, with the same results."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Optional

import notiflows_auth as na
from conftest import CASES


def run(verifier: na.Verifier, cases: List[Dict[str, Any]]) -> List[Optional[str]]:
    """Each case's outcome: the sub when valid, else the error code."""
    out: List[Optional[str]] = []
    for case in cases:
        try:
            out.append("ok:" + verifier.verify(case["token"], now=case["now"]).sub)
        except na.TokenError as e:
            out.append(e.code)
    return out


def test_two_threads_give_the_same_results_as_one(shared_public_pem: str) -> None:
    verifier = na.Verifier(shared_public_pem, require_exp=True, max_token_bytes=16384, iat_skew=0)
    cases = CASES * 5
    expected = run(verifier, cases)
    start = threading.Barrier(2)

    def worker(order: int) -> List[Optional[str]]:
        start.wait()
        ordered = cases if order == 0 else cases[::-1]
        result = run(verifier, ordered)
        return result if order == 0 else result[::-1]

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(worker, [0, 1]))
    assert results == [expected, expected]


def test_signing_and_verifying_across_threads(key_pair: na.GeneratedKeyPair) -> None:
    key = key_pair.signing_key()
    verifier = na.Verifier(key_pair.public_key_pem)
    subs = [f"user-{i}" for i in range(200)]

    def round_trip(sub: str) -> str:
        return verifier.verify(key.sign_user_token(sub, now=1_700_000_000), now=1_700_000_000).sub

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(round_trip, subs)) == subs


def test_the_gil_is_released_during_key_generation() -> None:
    """While another thread is inside one long native call (a 4096-bit key generation), this
    thread keeps running Python code. With the GIL held, it could not run at all until the
    call returned."""
    inside = threading.Event()
    done = threading.Event()

    def generate() -> None:
        inside.set()
        na.generate_signing_key(4096)
        done.set()

    thread = threading.Thread(target=generate)
    thread.start()
    inside.wait()
    ticks = 0
    started = time.monotonic()
    while not done.is_set():
        ticks += 1
    elapsed = time.monotonic() - started
    thread.join()
    # Tens of millions of ticks per second when the GIL is free; a held GIL allows a few
    # switch intervals at most around the call.
    assert ticks > 1000, (ticks, elapsed)
