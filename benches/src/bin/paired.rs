//! Interleaved A/B timing of the ratios the targets are about, which a sequential benchmark
//! on a busy machine cannot resolve to within 2%: short batches of A and B alternate, and
//! the median of the per-round time ratios is reported, so load that comes and goes hits
//! both sides alike.
//!
//! `cargo run --release -p notiflows-auth-benches --bin paired [-- --json] [--rounds N] [--only TEXT] [--cpu]`
//!
//! With `--cpu`, times are process CPU time: immune to other processes on a busy machine;
//! for the 2-thread pair the ratio is then CPU per run of 2 threads (twice the hits) over 1
//! thread's, so no contention gives 2.0 and >= 1.8x throughput needs <= 2.22.

use notiflows_auth_benches::{auth, operations, Fixture, Operation, VERIFY_BITS};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// (name, A, B, what the target says about time(A) / time(B)).
const PAIRS: [(&str, &str, &str, &str); 15] = [
    ("verify 2048: ours / bare ring", "verify/2048/ours", "verify/2048/ring", "<= 1.02"),
    (
        "verify 2048: ours (aws-lc-rs provider) / bare ParsedPublicKey",
        "verify/2048/ours_aws_lc_rs",
        "verify/2048/aws_lc_rs",
        "<= 1.03",
    ),
    (
        "verify 3072: ours (aws-lc-rs provider) / bare ParsedPublicKey",
        "verify/3072/ours_aws_lc_rs",
        "verify/3072/aws_lc_rs",
        "<= 1.03",
    ),
    (
        "verify 4096: ours (aws-lc-rs provider) / bare ParsedPublicKey",
        "verify/4096/ours_aws_lc_rs",
        "verify/4096/aws_lc_rs",
        "<= 1.03",
    ),
    (
        "verify 2048: ours (aws-lc-rs provider) / jwt-simple",
        "verify/2048/ours_aws_lc_rs",
        "verify/2048/jwt_simple",
        "<= 0.87 (>= 1.15x)",
    ),
    ("verify 2048: ours (aws-lc-rs provider) / ours (ring)", "verify/2048/ours_aws_lc_rs", "verify/2048/ours", "< 1"),
    ("verify 2048: ours (ring) / jwt-simple", "verify/2048/ours", "verify/2048/jwt_simple", "-"),
    (
        "cache hits: 2 threads / 1 thread (same hits per thread)",
        "authenticate_threads/cache_hit_2_threads",
        "authenticate_threads/cache_hit_1_thread",
        "<= 1.11 (>= 1.8x throughput)",
    ),
    ("verify 3072: ours / bare ring", "verify/3072/ours", "verify/3072/ring", "<= 1.02"),
    ("verify 4096: ours / bare ring", "verify/4096/ours", "verify/4096/ring", "<= 1.02"),
    ("verify 2048: ours (borrowed claims) / bare ring", "verify/2048/ours_borrowed", "verify/2048/ring", "<= 1.02"),
    ("parse only / verify 2048 (ours)", "parse/ours", "verify/2048/ours", "< 0.01"),
    ("authenticate: cache hit / full verify", "authenticate/secure_cache_hit", "authenticate/secure", "<= 0.05"),
    ("sign 2048: ours / bare aws-lc-rs", "sign/2048/ours", "sign/2048/aws_lc_rs", "<= 1.00"),
    (
        "authenticate: kid among 8 keys / no kid, 1 key (cache off)",
        "authenticate/secure_kid_8_keys",
        "authenticate/secure",
        "<= 1.01",
    ),
];

/// `--cpu`: time is the process's CPU time (every thread's, only while on a core), which a
/// busy machine's other processes do not inflate; wall-clock time otherwise.
static CPU_TIME: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn process_cpu_time() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant the kernel knows.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime");
    Duration::new(u64::try_from(ts.tv_sec).unwrap_or(0), u32::try_from(ts.tv_nsec).unwrap_or(0))
}

fn time_batch(op: &mut Operation, n: u32) -> Duration {
    if CPU_TIME.load(std::sync::atomic::Ordering::Relaxed) {
        let start = process_cpu_time();
        for _ in 0..n {
            (op.run)();
        }
        return process_cpu_time() - start;
    }
    let start = Instant::now();
    for _ in 0..n {
        (op.run)();
    }
    start.elapsed()
}

/// A batch size taking about `target` for `op`.
fn batch_size(op: &mut Operation, target: Duration) -> u32 {
    let mut n = 1;
    loop {
        let t = time_batch(op, n);
        if t >= target / 4 || n >= 1 << 20 {
            let scaled = target.as_secs_f64() / t.as_secs_f64() * f64::from(n);
            return scaled.clamp(1.0, f64::from(u32::MAX)) as u32;
        }
        n *= 2;
    }
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[i]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    CPU_TIME.store(args.iter().any(|a| a == "--cpu"), std::sync::atomic::Ordering::Relaxed);
    let rounds: usize = args
        .iter()
        .position(|a| a == "--rounds")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let only: Option<String> = args.iter().position(|a| a == "--only").and_then(|i| args.get(i + 1)).cloned();
    let fixtures: Vec<Fixture> = VERIFY_BITS.iter().map(|&b| Fixture::new(b)).collect();
    let mut ops = operations(&fixtures);
    ops.extend(auth::operations(&fixtures[0]));
    ops.extend(auth::thread_operations(&fixtures[0]));
    let index = |ops: &[Operation], name: &str| {
        ops.iter().position(|op| format!("{}/{}", op.group, op.id) == name).expect("operation")
    };
    let mut rows = Vec::new();
    // `--only TEXT`: the pairs whose name contains TEXT.
    for (name, a, b, target) in PAIRS.into_iter().filter(|p| only.as_deref().map_or(true, |o| p.0.contains(o))) {
        let (ia, ib) = (index(&ops, a), index(&ops, b));
        let na = batch_size(&mut ops[ia], Duration::from_millis(4));
        let nb = batch_size(&mut ops[ib], Duration::from_millis(4));
        // Fewer rounds for the slow signing pair keep the run short.
        let rounds = if a.starts_with("sign") { rounds / 4 } else { rounds };
        let mut ratios: Vec<f64> = (0..rounds)
            .map(|round| {
                // Alternate which side goes first, so neither always runs on a warmer cache.
                let (ta, tb) = if round % 2 == 0 {
                    let ta = time_batch(&mut ops[ia], na);
                    (ta, time_batch(&mut ops[ib], nb))
                } else {
                    let tb = time_batch(&mut ops[ib], nb);
                    (time_batch(&mut ops[ia], na), tb)
                };
                (ta.as_secs_f64() / f64::from(na)) / (tb.as_secs_f64() / f64::from(nb))
            })
            .collect();
        ratios.sort_by(f64::total_cmp);
        let (q1, median, q3) = (quantile(&ratios, 0.25), quantile(&ratios, 0.5), quantile(&ratios, 0.75));
        rows.push((name, a, b, target, q1, median, q3));
        black_box(&ops);
    }
    if json {
        let items: Vec<String> = rows
            .iter()
            .map(|(name, a, b, target, q1, median, q3)| {
                format!(
                    r#"{{"name":"{name}","a":"{a}","b":"{b}","target":"{target}","q1":{q1:.5},"median":{median:.5},"q3":{q3:.5}}}"#
                )
            })
            .collect();
        println!("[{}]", items.join(",\n "));
        return;
    }
    println!("Interleaved A/B: time(A) / time(B), median of {rounds} rounds (interquartile range)\n");
    for (name, _, _, target, q1, median, q3) in rows {
        println!("{name:50} {median:.4}  ({q1:.4} .. {q3:.4})  target {target}");
    }
}
