//! Request authentication: the `authenticate` group.
//!
//! Each operation authenticates one browser request carrying the headers a browser really
//! sends (host, user agent, accept, ...) plus the Notiflows ones, with an allowed `Origin`:
//! - `secure`: Secure Mode, verified-token cache off, so every request is a full verify;
//! - `secure_cache_hit`: Secure Mode, the same token again, answered from the cache (its time
//!   claims re-checked against `now`);
//! - `development`: Development Mode, the unsigned `x-notiflows-user-id`.
//!
//! And the `authenticate_threads` group: [`HITS_PER_THREAD`] cache hits of one token of one
//! project, on 1 thread and on 2 threads at once sharing one `Authenticator`. Hits that
//! scale take the same time for both: throughput on 2 threads over 1 is
//! `2 * time(1 thread) / time(2 threads)`.

use crate::{Fixture, Library, Operation, SUBJECT};
use notiflows_auth::{Authenticator, AuthenticatorOptions, ProjectConfig, SecurityMode};
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

/// The `authenticate` group's operations, on the fixture's key and token.
pub fn operations(f: &Fixture) -> Vec<Operation> {
    let secure = request(("x-notiflows-user-key", f.token.clone()));
    let dev = request(("x-notiflows-user-id", SUBJECT.to_string()));
    let mut ops = vec![
        authenticate_op("secure", authenticator(f, SecurityMode::Secure, 0), secure.clone(), f.now),
        authenticate_op("secure_cache_hit", authenticator(f, SecurityMode::Secure, 10_000), secure, f.now),
        authenticate_op("development", authenticator(f, SecurityMode::Development, 0), dev, f.now),
    ];
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
