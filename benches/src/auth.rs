//! Request authentication: the `authenticate` group.
//!
//! Each operation authenticates one browser request carrying the headers a browser really
//! sends (host, user agent, accept, ...) plus the Notiflows ones, with an allowed `Origin`:
//! - `secure`: Secure Mode, verified-token cache off, so every request is a full verify;
//! - `secure_cache_hit`: Secure Mode, the same token again, answered from the cache (its time
//!   claims re-checked against `now`);
//! - `development`: Development Mode, the unsigned `x-notiflows-user-id`;
//! - `secure_kid_8_keys`: as `secure`, but the project holds 8 keys (an active one and 7
//!   retiring) and the token's `kid` names the last one scanned, after 7 kids differing only
//!   in their last character: against `secure` (one key,
//!   a token without `kid`) it measures choosing the key by `kid` (issue 12);
//! - `secure_kid_1_key`: the same token with `kid` in a project of that one key: what the
//!   longer header costs (decoding, hashing), apart from the choice among 8 keys.
//!
//! And the `authenticate_threads` group: [`HITS_PER_THREAD`] cache hits of one token of one
//! project, on 1 thread and on 2 threads at once sharing one `Authenticator`. Hits that
//! scale take the same time for both: throughput on 2 threads over 1 is
//! `2 * time(1 thread) / time(2 threads)`.

use crate::{Fixture, Library, Operation, SUBJECT};
use notiflows_auth::{
    Authenticator, AuthenticatorOptions, ProjectConfig, PublicKey, RetiringKey, SecurityMode, SignOptions,
};
use std::hint::black_box;
use std::sync::Arc;

/// Cache hits per thread in one run of an `authenticate_threads` operation: enough that
/// starting the threads is about 1% of a run.
pub const HITS_PER_THREAD: u32 = 10_000;

/// The project's public API key in the benchmark.
pub const API_KEY: &str = "pk_live_3f9a8c2e7b1d4a6f";
/// The allowed browser origin the requests come from.
pub const ORIGIN: &str = "https://app.example.com";

/// The other headers of a typical browser request (names lower-case, as HTTP/2 sends them).
const BROWSER_HEADERS: [(&str, &str); 7] = [
    ("host", "api.notiflows.example"),
    ("user-agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"),
    ("accept", "application/json"),
    ("accept-language", "en-US,en;q=0.5"),
    ("accept-encoding", "gzip, deflate, br"),
    ("origin", ORIGIN),
    ("referer", "https://app.example.com/inbox"),
];

fn authenticator(f: &Fixture, mode: SecurityMode, cache_capacity: usize) -> Authenticator {
    let options = AuthenticatorOptions { cache_capacity, ..AuthenticatorOptions::default() };
    let auth = Authenticator::new(options).expect("authenticator");
    auth.add_project(ProjectConfig {
        api_key: API_KEY.to_string(),
        security_mode: mode,
        signing_public_key: Some(f.verifier.public_key().clone()),
        allowed_origins: vec![ORIGIN.to_string(), "http://localhost:3000".to_string()],
        ..ProjectConfig::default()
    })
    .expect("project");
    auth
}

fn request(credential: (&'static str, String)) -> Vec<(&'static str, String)> {
    let mut headers: Vec<(&'static str, String)> =
        BROWSER_HEADERS.iter().map(|&(name, value)| (name, value.to_string())).collect();
    headers.push(("x-notiflows-api-key", API_KEY.to_string()));
    headers.push(credential);
    headers
}

fn authenticate_op(id: &'static str, auth: Authenticator, headers: Vec<(&'static str, String)>, now: i64) -> Operation {
    Operation::new("authenticate", id, Library::Ours, move || {
        let user = auth.authenticate(black_box(&headers), now).expect("authenticated");
        assert_eq!(user.user_id.as_str().len(), SUBJECT.len());
        black_box(user);
    })
}

/// A project of 8 keys, cache off, and a token of the fixture's key naming it by `kid`: the
/// fixture's key retiring and last, after 7 keys (one active) whose kids share all but the
/// last character with it (the slowest kids to tell apart). The 7 are the fixture's key
/// under other kids: set-up stays deterministic (no key generation), and the choice is by
/// kid alone anyway.
fn eight_keys(f: &Fixture) -> (Authenticator, String) {
    let key = f.verifier.public_key().clone();
    let kid = key.kid().to_string();
    let (prefix, last) = kid.split_at(kid.len() - 1);
    let others: Vec<PublicKey> = "ABCDEFGH"
        .chars()
        .filter(|c| c.to_string() != last)
        .take(7)
        .map(|c| key.clone().with_kid(&format!("{prefix}{c}")).expect("a kid"))
        .collect();
    let until = f.now + 7 * 86_400;
    let mut retiring: Vec<RetiringKey> = others[1..].iter().map(|k| RetiringKey { key: k.clone(), until }).collect();
    retiring.push(RetiringKey { key, until });
    let auth = Authenticator::new(AuthenticatorOptions { cache_capacity: 0, ..AuthenticatorOptions::default() })
        .expect("authenticator");
    auth.add_project(ProjectConfig {
        api_key: API_KEY.to_string(),
        security_mode: SecurityMode::Secure,
        signing_public_key: Some(others[0].clone()),
        allowed_origins: vec![ORIGIN.to_string(), "http://localhost:3000".to_string()],
        retiring_keys: retiring,
        ..ProjectConfig::default()
    })
    .expect("project");
    let options = SignOptions { expires_in: Some(86_400), ..SignOptions::new(f.now) };
    (auth, f.signing_key.sign_user_token(SUBJECT, &options).expect("sign"))
}

/// The `authenticate` group's operations, on the fixture's key and token.
pub fn operations(f: &Fixture) -> Vec<Operation> {
    let secure = request(("x-notiflows-user-key", f.token.clone()));
    let dev = request(("x-notiflows-user-id", SUBJECT.to_string()));
    let mut ops = vec![
        authenticate_op("secure", authenticator(f, SecurityMode::Secure, 0), secure.clone(), f.now),
        authenticate_op("secure_cache_hit", authenticator(f, SecurityMode::Secure, 10_000), secure, f.now),
        authenticate_op("development", authenticator(f, SecurityMode::Development, 0), dev, f.now),
    ];
    let (eight, kid_token) = eight_keys(f);
    let kid_request = request(("x-notiflows-user-key", kid_token));
    ops.push(authenticate_op(
        "secure_kid_1_key",
        authenticator(f, SecurityMode::Secure, 0),
        kid_request.clone(),
        f.now,
    ));
    ops.push(authenticate_op("secure_kid_8_keys", eight, kid_request, f.now));
    // The first run of the cached one fills the cache; every later run is a hit.
    for op in &mut ops {
        (op.run)();
    }
    ops
}

/// The `authenticate_threads` group: cache hits on 1 and on 2 threads (see the module docs).
pub fn thread_operations(f: &Fixture) -> Vec<Operation> {
    let auth = Arc::new(authenticator(f, SecurityMode::Secure, 10_000));
    let headers = Arc::new(request(("x-notiflows-user-key", f.token.clone())));
    let now = f.now;
    auth.authenticate(headers.iter(), now).expect("fills the cache");
    let op = |id, threads: usize| {
        let (auth, headers) = (Arc::clone(&auth), Arc::clone(&headers));
        Operation::new("authenticate_threads", id, Library::Ours, move || {
            std::thread::scope(|scope| {
                for _ in 0..threads {
                    scope.spawn(|| {
                        for _ in 0..HITS_PER_THREAD {
                            let user = auth.authenticate(black_box(headers.iter()), now).expect("hit");
                            black_box(user.user_id.as_str().len());
                        }
                    });
                }
            });
        })
    };
    vec![op("cache_hit_1_thread", 1), op("cache_hit_2_threads", 2)]
}
