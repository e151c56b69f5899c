//! Heap allocations per operation, ours and each peer's, counted by a counting global
//! allocator: `cargo run --release -p notiflows-auth-benches --bin allocs [-- --json]`.
//!
//! The counter sees every allocation made through Rust's allocator, in Rust code and in the
//! C code that ring compiles in (ring never calls malloc). It does not see `malloc` calls
//! made inside C libraries (aws-lc, BoringSSL): `scripts/bench` counts those separately with
//! valgrind, using `--only GROUP/ID --iters N`, which runs one operation N times and prints
//! nothing.

use notiflows_auth_benches::{
    auth, operations, parse_operations, sign_operations, verify_operations, Fixture, Library, Operation,
    JWT_SIMPLE_BACKEND, VERIFY_BITS,
};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
    static BYTES: Cell<u64> = const { Cell::new(0) };
}

fn record(size: usize) {
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
    let _ = BYTES.try_with(|c| c.set(c.get() + u64::try_from(size).unwrap_or(u64::MAX)));
}

// SAFETY: every call is forwarded to the system allocator unchanged; the wrapper only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: the caller's contract for `alloc` is passed on as is.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // A growing vector or string: counted as one more allocation of the new size.
        record(new_size);
        // SAFETY: the caller's contract for `realloc` is passed on as is.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const ITERATIONS: u64 = 200;

fn counters() -> (u64, u64) {
    (ALLOCATIONS.with(Cell::get), BYTES.with(Cell::get))
}

/// Allocations and bytes per run of `op`, averaged over [`ITERATIONS`] runs after warm-up.
fn measure(op: &mut Operation) -> (f64, f64) {
    for _ in 0..3 {
        (op.run)();
    }
    let before = counters();
    for _ in 0..ITERATIONS {
        (op.run)();
    }
    let after = counters();
    let per = |a: u64, b: u64| (a - b) as f64 / ITERATIONS as f64;
    (per(after.0, before.0), per(after.1, before.1))
}

/// Runs `op` `n` times. Not inlined, so that `valgrind --tool=callgrind
/// --collect-atstart=no --toggle-collect='*measured_loop*'` counts exactly this loop.
#[inline(never)]
fn measured_loop(op: &mut Operation, n: u64) {
    for _ in 0..n {
        (op.run)();
    }
}

fn all_operations(bits: &[usize]) -> Vec<Operation> {
    let fixtures: Vec<Fixture> = bits.iter().map(|&b| Fixture::new(b)).collect();
    let mut ops = operations(&fixtures);
    ops.extend(auth::operations(&fixtures[0]));
    ops
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value_of = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    if let Some(only) = value_of("--only") {
        let iterations: u64 = value_of("--iters").and_then(|n| n.parse().ok()).unwrap_or(100);
        // Only the key size the operation needs (the first fixture also serves parse and sign).
        let bits = VERIFY_BITS.iter().copied().find(|b| only.contains(&format!("/{b}/"))).unwrap_or(2048);
        let fixture = Fixture::new(bits);
        let mut ops = match only.split('/').next() {
            Some("parse") => parse_operations(&fixture),
            Some("verify") => verify_operations(&fixture),
            Some("sign") => sign_operations(&fixture),
            _ => auth::operations(&fixture),
        };
        let op = ops.iter_mut().find(|op| format!("{}/{}", op.group, op.id) == only);
        let Some(op) = op else {
            eprintln!("no operation {only}");
            std::process::exit(2);
        };
        // Once outside the measured loop: checks the result, fills caches.
        (op.run)();
        measured_loop(op, iterations);
        return;
    }
    let json = args.iter().any(|a| a == "--json");
    let check = args.iter().any(|a| a == "--check");
    let mut ops = all_operations(&VERIFY_BITS);
    let rows: Vec<Row> = ops
        .iter_mut()
        .map(|op| {
            let (allocs, bytes) = measure(op);
            (op.group.clone(), op.id, op.library, allocs, bytes)
        })
        .collect();
    if check {
        std::process::exit(check_targets(&rows));
    }
    if json {
        let items: Vec<String> = rows
            .iter()
            .map(|(group, id, library, allocs, bytes)| {
                format!(
                    r#"{{"group":"{group}","id":"{id}","ours":{},"allocations":{allocs},"bytes":{bytes}}}"#,
                    *library == Library::Ours
                )
            })
            .collect();
        println!("[{}]", items.join(",\n "));
        return;
    }
    println!("Heap allocations per operation (Rust allocator; mean of {ITERATIONS} runs)");
    println!("jwt-simple backend: {JWT_SIMPLE_BACKEND}\n");
    println!("| operation | library | allocations | bytes |");
    println!("| --- | --- | ---: | ---: |");
    for (group, id, _, allocs, bytes) in &rows {
        println!("| {group} | {id} | {allocs} | {bytes} |");
    }
}

type Row = (String, &'static str, Library, f64, f64);

/// `--check`: our verify allocates exactly what the bare library's does (per provider), and parsing, a cache hit and
/// Development Mode allocate nothing. Returns the exit status.
fn check_targets(rows: &[Row]) -> i32 {
    let find = |group: &str, id: &str| {
        rows.iter().find(|r| r.0 == group && r.1 == id).map(|r| (r.3, r.4)).expect("operation measured")
    };
    let mut failures = 0;
    for bits in VERIFY_BITS {
        let group = format!("verify/{bits}");
        let ring = find(&group, "ring");
        for id in ["ours", "ours_borrowed"] {
            let ours = find(&group, id);
            let ok = ours == ring;
            println!("{group}/{id}: {ours:?} allocations and bytes; bare ring {ring:?}: {}", verdict(ok));
            failures += usize::from(!ok);
        }
        // aws-lc-rs allocates in C (counted by valgrind in scripts/bench); in Rust, as its bare
        // `ParsedPublicKey` verify does: nothing.
        let (ours, bare) = (find(&group, "ours_aws_lc_rs"), find(&group, "aws_lc_rs"));
        let ok = ours == bare;
        println!("{group}/ours_aws_lc_rs: {ours:?} allocations and bytes; bare aws-lc-rs {bare:?}: {}", verdict(ok));
        failures += usize::from(!ok);
    }
    for (group, id) in [("parse", "ours"), ("authenticate", "secure_cache_hit"), ("authenticate", "development")] {
        let ours = find(group, id);
        let ok = ours == (0.0, 0.0);
        println!("{group}/{id}: {ours:?} allocations and bytes: {}", verdict(ok));
        failures += usize::from(!ok);
    }
    i32::from(failures > 0)
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "ok"
    } else {
        "FAILED"
    }
}
