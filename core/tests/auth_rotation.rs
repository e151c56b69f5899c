//! Key rotation and mode switches are atomic while other threads authenticate: once the
//! call returns, every authentication that starts afterwards sees the new state, cached
//! tokens included.

mod auth_support;

use auth_support::{project, Keys, API_KEY, NOW};
use notiflows_auth::{Authenticator, AuthenticatorOptions, ErrorKind, Policy, SecurityMode};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

const THREADS: usize = 4;

fn authenticator(cache_capacity: usize) -> Arc<Authenticator> {
    Arc::new(Authenticator::new(AuthenticatorOptions { policy: Policy::default(), cache_capacity }).unwrap())
}

/// Waits until `count` has grown by `at_least` (the workers made progress), or panics.
fn wait_for_progress(count: &AtomicUsize, at_least: usize) {
    let start = count.load(SeqCst);
    let deadline = Instant::now() + Duration::from_secs(60);
    while count.load(SeqCst) < start + at_least {
        assert!(Instant::now() < deadline, "workers made no progress");
        thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn after_rotation_returns_no_old_token_succeeds() {
    // Keys are never reinstated, so a token of a key older than the one installed when an
    // authentication starts must fail, whatever other rotations happen during it.
    const KEYS: usize = 5;
    let keys: Vec<Keys> = (0..KEYS).map(|_| Keys::generate()).collect();
    let tokens: Arc<Vec<String>> = Arc::new(keys.iter().map(|k| k.token("alice", NOW)).collect());
    for cache_capacity in [0, 1024] {
        let auth = authenticator(cache_capacity);
        auth.add_project(project(SecurityMode::Secure, Some(&keys[0].public), &[])).unwrap();
        // The index of the newest key whose installation has returned.
        let installed = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let successes = Arc::new(AtomicUsize::new(0));
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let (auth, tokens, installed, stop, successes) =
                    (auth.clone(), tokens.clone(), installed.clone(), stop.clone(), successes.clone());
                thread::spawn(move || {
                    let mut checked_old = 0usize;
                    let mut i = t;
                    while !stop.load(SeqCst) {
                        i += 1;
                        let current = installed.load(SeqCst);
                        // Mostly the current token (cached), sometimes every older one.
                        let which = if i % 3 == 0 { i / 3 % (current + 1) } else { current };
                        let headers = [("x-notiflows-api-key", API_KEY), ("x-notiflows-user-key", &tokens[which])];
                        let result = auth.authenticate(headers, NOW);
                        if which < current {
                            let err = result.expect_err("a token of a replaced key succeeded");
                            assert_eq!(err.kind(), ErrorKind::KeyUnknown, "its kid names a removed key");
                            checked_old += 1;
                        } else if result.is_ok() {
                            successes.fetch_add(1, SeqCst);
                        }
                    }
                    checked_old
                })
            })
            .collect();
        for next in 1..KEYS {
            // Let the workers fill the cache with the current token first.
            wait_for_progress(&successes, 50);
            auth.set_signing_key(API_KEY, Some(keys[next].public.clone())).unwrap();
            installed.store(next, SeqCst);
            // Right after the call returns, on this thread too.
            let old = [("x-notiflows-api-key", API_KEY), ("x-notiflows-user-key", tokens[next - 1].as_str())];
            assert_eq!(auth.authenticate(old, NOW).unwrap_err().kind(), ErrorKind::KeyUnknown);
        }
        wait_for_progress(&successes, 50);
        stop.store(true, SeqCst);
        let checked_old: usize =
            workers.into_iter().map(|w| w.join().expect("a worker saw an old token succeed")).sum();
        assert!(checked_old > 0, "old tokens were tried after rotations");
        let current = [("x-notiflows-api-key", API_KEY), ("x-notiflows-user-key", tokens[KEYS - 1].as_str())];
        assert!(auth.authenticate(current, NOW).is_ok());
    }
}

#[test]
fn mode_switches_are_atomic_under_concurrency() {
    // A seqlock-style counter: odd while a switch is in progress, even once it returned;
    // `phase / 2` counts completed switches, so even phases alternate Development, Secure.
    let keys = Keys::generate();
    let token = keys.token("from-token", NOW);
    for cache_capacity in [0, 1024] {
        let auth = authenticator(cache_capacity);
        auth.add_project(project(SecurityMode::Development, Some(&keys.public), &[])).unwrap();
        let phase = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let done = Arc::new(AtomicUsize::new(0));
        let workers: Vec<_> = (0..THREADS)
            .map(|_| {
                let (auth, phase, stop, done, token) =
                    (auth.clone(), phase.clone(), stop.clone(), done.clone(), token.clone());
                thread::spawn(move || {
                    let mut determined = 0;
                    while !stop.load(SeqCst) {
                        let before = phase.load(SeqCst);
                        let id_only =
                            auth.authenticate([("x-notiflows-api-key", API_KEY), ("x-notiflows-user-id", "u")], NOW);
                        let with_token = auth
                            .authenticate([("x-notiflows-api-key", API_KEY), ("x-notiflows-user-key", &token)], NOW);
                        let after = phase.load(SeqCst);
                        done.fetch_add(1, SeqCst);
                        if before != after || before % 2 == 1 {
                            continue; // a switch overlapped these calls
                        }
                        determined += 1;
                        let mode = if before / 2 % 2 == 0 { SecurityMode::Development } else { SecurityMode::Secure };
                        match mode {
                            SecurityMode::Development => assert_eq!(id_only.unwrap().user_id.as_str(), "u"),
                            _ => assert_eq!(id_only.unwrap_err().kind(), ErrorKind::UserKeyMissing),
                        }
                        assert_eq!(with_token.unwrap().mode, mode, "a cached token reports the mode in force");
                    }
                    determined
                })
            })
            .collect();
        for switch in 0..40 {
            wait_for_progress(&done, 5);
            let mode = if switch % 2 == 0 { SecurityMode::Secure } else { SecurityMode::Development };
            phase.fetch_add(1, SeqCst);
            auth.set_security_mode(API_KEY, mode).unwrap();
            phase.fetch_add(1, SeqCst);
        }
        wait_for_progress(&done, 5);
        stop.store(true, SeqCst);
        let determined: usize = workers.into_iter().map(|w| w.join().expect("a worker saw a stale mode")).sum();
        assert!(determined > 0);
    }
}

#[test]
fn after_a_revocation_returns_no_revoked_token_succeeds() {
    let keys = Keys::generate();
    // Each round revokes one more user; a worker that saw the round start must see it.
    const USERS: usize = 6;
    let tokens: Arc<Vec<String>> = Arc::new((0..USERS).map(|i| keys.token(&format!("user{i}"), NOW - 10)).collect());
    for cache_capacity in [0, 1024] {
        let auth = authenticator(cache_capacity);
        auth.add_project(project(SecurityMode::Secure, Some(&keys.public), &[])).unwrap();
        // Users below this index are revoked (the revocation has returned).
        let revoked = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let calls = Arc::new(AtomicUsize::new(0));
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let (auth, tokens, revoked, stop, calls) =
                    (auth.clone(), tokens.clone(), revoked.clone(), stop.clone(), calls.clone());
                thread::spawn(move || {
                    let mut checked = 0usize;
                    let mut i = t;
                    while !stop.load(SeqCst) {
                        i += 1;
                        let before = revoked.load(SeqCst);
                        let which = i % USERS;
                        let headers = [("x-notiflows-api-key", API_KEY), ("x-notiflows-user-key", &tokens[which])];
                        let result = auth.authenticate(headers, NOW);
                        if which < before {
                            let err = result.expect_err("a revoked token succeeded");
                            assert_eq!(err.kind(), ErrorKind::TokenRevoked);
                            checked += 1;
                        }
                        calls.fetch_add(1, SeqCst);
                    }
                    checked
                })
            })
            .collect();
        for user in 0..USERS - 1 {
            wait_for_progress(&calls, 50);
            auth.revoke_user_tokens_issued_before(API_KEY, &format!("user{user}"), NOW).unwrap();
            revoked.store(user + 1, SeqCst);
        }
        wait_for_progress(&calls, 50);
        stop.store(true, SeqCst);
        let checked: usize = workers.into_iter().map(|w| w.join().expect("a worker saw a revoked token pass")).sum();
        assert!(checked > 0);
        let last = [("x-notiflows-api-key", API_KEY), ("x-notiflows-user-key", tokens[USERS - 1].as_str())];
        assert!(auth.authenticate(last, NOW).is_ok(), "the user never revoked");
    }
}
