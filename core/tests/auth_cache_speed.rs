//! The verified-token cache against a full verify, through `authenticate` (the aim: a hit
//! costs at most a twentieth of a verify). Timing-dependent, so ignored by default; run
//! `cargo test --release -p notiflows-auth --test auth_cache_speed -- --ignored --nocapture`.

mod auth_support;

use auth_support::{authenticator, keys, project, API_KEY, NOW};
use notiflows_auth::{Authenticator, SecurityMode};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// The fastest of several rounds of `n` authentications, per authentication.
fn per_call(auth: &Authenticator, token: &str, n: u32) -> Duration {
    let headers =
        [("x-notiflows-api-key", API_KEY), ("x-notiflows-user-key", token), ("origin", "https://app.example.com")];
    (0..5)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..n {
                black_box(auth.authenticate(black_box(headers), NOW).unwrap());
            }
            start.elapsed() / n
        })
        .min()
        .unwrap()
}

#[test]
#[ignore = "timing; run in release with --ignored"]
fn a_cache_hit_costs_at_most_a_twentieth_of_a_verify() {
    let token = keys()[0].token("user-1234567890", NOW);
    let setup = |capacity| {
        let auth = authenticator(capacity);
        auth.add_project(project(SecurityMode::Secure, Some(&keys()[0].public), &["https://app.example.com"])).unwrap();
        auth
    };
    let verify = per_call(&setup(0), &token, 2_000);
    let hit = per_call(&setup(10_000), &token, 200_000);
    let ratio = verify.as_secs_f64() / hit.as_secs_f64();
    println!("full verify {verify:?}, cache hit {hit:?}: a hit is {ratio:.0}x cheaper");
    if !cfg!(debug_assertions) {
        assert!(ratio >= 20.0, "a hit should cost at most a twentieth of a verify");
    }
}
