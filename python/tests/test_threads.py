"""The GIL is released during RSA work: threads verify in parallel, with the same results."""

from __future__ import annotations

import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, List, Optional, Tuple

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


def longest_pause_during(call: Callable[[], object]) -> Tuple[float, float]:
    """Runs ``call`` on another thread while this one keeps running Python code, and returns
    (how long the call took, the longest time this thread could not run during it)."""
    span: List[float] = []

    def worker() -> None:
        span.append(time.perf_counter())
        call()
        span.append(time.perf_counter())

    thread = threading.Thread(target=worker)
    samples: List[float] = []
    thread.start()
    ticks = 0
    while thread.is_alive():
        ticks += 1
        if ticks % 64 == 0:  # keep the list small: growing it costs pauses of its own
            samples.append(time.perf_counter())
    thread.join()
    t0, t1 = span
    inside = [t0] + [s for s in samples if t0 < s < t1] + [t1]
    return t1 - t0, max(b - a for a, b in zip(inside, inside[1:]))


def test_the_gil_is_released_during_key_generation() -> None:
    """While another thread is inside one long native call (a 4096-bit key generation), this
    thread keeps running. Were the GIL held, this thread would stall for the whole call."""
    for _ in range(5):
        duration, pause = longest_pause_during(lambda: na.generate_signing_key(4096))
        if duration >= 0.05:
            break
    assert duration >= 0.05, "key generation was too quick to tell"
    assert pause < duration / 2, (pause, duration)


def test_cache_hits_and_misses_give_the_same_results(shared_public_pem: str) -> None:
    """A cache hit is answered holding the GIL, a miss verifies without it: every jwt-case,
    cold then warm, gives the answer of a verifier without a cache."""
    plain = na.Verifier(shared_public_pem, require_exp=True, max_token_bytes=16384, iat_skew=0)
    cached = na.Verifier(shared_public_pem, require_exp=True, max_token_bytes=16384, iat_skew=0, cache_size=1000)
    expected = run(plain, CASES)
    assert run(cached, CASES) == expected  # misses (and refusals before the signature)
    assert run(cached, CASES) == expected  # hits for the tokens that verified
    assert run(cached, CASES[::-1]) == expected[::-1]


def other_thread_ran_during(call: Callable[[], object], calls: int) -> bool:
    """Whether another Python thread, counting in a loop, ran while ``calls`` calls ran one
    after another on this thread. With a long switch interval (50 ms) the interpreter never
    takes the GIL from this thread during the calls (far shorter than that), so the count
    moves only if a call gives the GIL up. Counts, not times; the first moving call stops."""
    counter = [0]
    stop = threading.Event()

    def competitor() -> None:
        while not stop.is_set():
            counter[0] += 1

    previous = sys.getswitchinterval()
    sys.setswitchinterval(0.05)
    thread = threading.Thread(target=competitor)
    thread.start()
    try:
        while counter[0] == 0:
            time.sleep(0.001)
        # Sleeping hands the GIL to the competitor; taking it back starts a full interval.
        time.sleep(0.001)
        before = counter[0]
        for _ in range(calls):
            call()
            if counter[0] != before:
                return True
        return False
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(previous)


def test_a_cache_hit_keeps_the_gil_and_rsa_work_releases_it(key_pair: na.GeneratedKeyPair) -> None:
    """While cache hits run, no other Python thread runs (the GIL is kept: releasing it for a
    sub-microsecond hit costs more than the hit); full verifies let the other thread run."""
    key = key_pair.signing_key()
    token = key.sign_user_token("alice")
    cached = na.Verifier(key_pair.public_key_pem, cache_size=10)
    cold = na.Verifier(key_pair.public_key_pem)
    auth = na.Authenticator(cache_size=10)
    auth.add_project("pk", security_mode="secure", signing_public_key=key_pair.public_key_pem)
    headers = {"x-notiflows-api-key": "pk", "x-notiflows-user-key": token}
    assert cached.verify(token).sub == "alice" and auth.authenticate(headers).user_id == "alice"

    def kept(call: Callable[[], object]) -> bool:
        # A machine that stalls this thread for 50 ms would let the interpreter switch: a
        # call that keeps the GIL is seen keeping it in at least one of three tries.
        return any(not other_thread_ran_during(call, 200) for _ in range(3))

    assert kept(lambda: cached.verify(token))
    assert kept(lambda: auth.authenticate(headers))
    # Refusals before the signature keep it too.
    assert kept(lambda: run(cold, [{"token": "a.b", "now": None}]))
    # RSA work gives it up: the other thread runs during some full verify.
    assert other_thread_ran_during(lambda: cold.verify(token), 1000)
