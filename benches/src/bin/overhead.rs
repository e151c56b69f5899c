//! The Rust side of the per-call overhead table (issue 15): the same operations the Node,
//! Python and Ruby comparisons measure through their bindings (a cold verify on each
//! provider, a `Verifier` cache hit, an `Authenticator` cache hit of a request with six
//! headers), on the same 2048-bit key and a token signed the same way (the key's `kid` in
//! the header, valid for a day). A binding's overhead is its time minus this one.
//!
//! `cargo run --release -p notiflows-auth-benches --bin overhead [-- --rounds N] [--seconds S]`
//! prints `{"results": [{"id", "ns_per_op", "runs"}]}`: medians of interleaved rounds.

use notiflows_auth::{
    Authenticator, AuthenticatorOptions, Policy, ProjectConfig, Provider, SecurityMode, SignOptions, SigningKey,
    Verifier,
};
use notiflows_auth_benches::{unix_now, SUBJECT};
use std::hint::black_box;
use std::time::Instant;

/// One measured operation.
type Op<'a> = Box<dyn FnMut() + 'a>;

fn arg(name: &str, default: f64) -> f64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Nanoseconds per call of `f` over about `seconds`.
fn ns_per_op(f: &mut dyn FnMut(), seconds: f64) -> f64 {
    let mut n: u64 = 1;
    loop {
        let start = Instant::now();
        for _ in 0..n {
            f();
        }
        let elapsed = start.elapsed().as_secs_f64();
        if elapsed > seconds {
            return elapsed * 1e9 / n as f64;
        }
        n *= 2;
    }
}

fn main() {
    let rounds = arg("--rounds", 5.0) as usize;
    let seconds = arg("--seconds", 0.2);
    let key = SigningKey::parse(include_str!("../../keys/rsa2048.pem").as_bytes()).expect("benchmark key loads");
    let now = unix_now();
    let token =
        key.sign_user_token(SUBJECT, &SignOptions { expires_in: Some(86_400), ..SignOptions::new(now) }).expect("sign");
    let public = key.public_key().clone();
    let verifier = |provider, cache| {
        Verifier::with_cache(public.clone(), Policy { provider, ..Policy::default() }, cache).expect("verifier")
    };
    let (ring, aws_lc, cached) =
        (verifier(Provider::Ring, 0), verifier(Provider::AwsLcRs, 0), verifier(Provider::Ring, 1000));
    let auth =
        Authenticator::new(AuthenticatorOptions { policy: Policy::default(), cache_capacity: 1000 }).expect("auth");
    auth.add_project(ProjectConfig {
        api_key: "pk_bench".into(),
        security_mode: SecurityMode::Secure,
        signing_public_key: Some(public.clone()),
        ..ProjectConfig::default()
    })
    .expect("project");
    let headers = [
        ("host", "api.example.com"),
        ("user-agent", "Mozilla/5.0"),
        ("accept", "*/*"),
        ("origin", "https://app.example.com"),
        ("x-notiflows-api-key", "pk_bench"),
        ("x-notiflows-user-key", token.as_str()),
    ];
    let bytes = token.as_bytes();
    let mut ops: Vec<(&str, Op<'_>)> = vec![
        (
            "verify_ring",
            Box::new(|| {
                black_box(ring.verify(black_box(bytes), now).expect("ok"));
            }),
        ),
        (
            "verify_aws_lc_rs",
            Box::new(|| {
                black_box(aws_lc.verify(black_box(bytes), now).expect("ok"));
            }),
        ),
        (
            "verify_cache_hit",
            Box::new(|| {
                black_box(cached.verify(black_box(bytes), now).expect("ok"));
            }),
        ),
        (
            "authenticate_cache_hit",
            Box::new(|| {
                black_box(auth.authenticate(black_box(headers), now).expect("ok"));
            }),
        ),
    ];
    let mut runs: Vec<Vec<f64>> = vec![Vec::new(); ops.len()];
    for _ in 0..rounds {
        for (i, (_, op)) in ops.iter_mut().enumerate() {
            runs[i].push(ns_per_op(op.as_mut(), seconds));
        }
    }
    let results: Vec<String> = ops
        .iter()
        .zip(&runs)
        .map(|((id, _), r)| {
            let mut sorted = r.clone();
            sorted.sort_by(f64::total_cmp);
            let median = sorted[sorted.len() / 2];
            let list: Vec<String> = r.iter().map(|x| format!("{x:.1}")).collect();
            format!(r#"  {{"id": "{id}", "ns_per_op": {median:.1}, "runs": [{}]}}"#, list.join(", "))
        })
        .collect();
    println!("{{\"language\": \"rust\", \"results\": [\n{}\n]}}", results.join(",\n"));
}
