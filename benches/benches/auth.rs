//! `cargo bench -p notiflows-auth-benches`: every group, ours and the peers in the same run.
//!
//! Groups: `parse`, `verify/2048`, `verify/3072`, `verify/4096`, `sign/2048`, `authenticate`,
//! `authenticate_threads`.
//! Criterion's usual arguments work, e.g. `-- verify/2048` or `--measurement-time 10`.

use criterion::{criterion_group, criterion_main, Criterion};
use notiflows_auth_benches::{auth, operations, Fixture, Operation, VERIFY_BITS};
use std::time::Duration;

fn all(c: &mut Criterion) {
    let fixtures: Vec<Fixture> = VERIFY_BITS.iter().map(|&bits| Fixture::new(bits)).collect();
    let mut ops: Vec<Operation> = operations(&fixtures);
    ops.extend(auth::operations(&fixtures[0]));
    ops.extend(auth::thread_operations(&fixtures[0]));
    let mut groups: Vec<String> = Vec::new();
    for op in &ops {
        if !groups.contains(&op.group) {
            groups.push(op.group.clone());
        }
    }
    for name in groups {
        let mut group = c.benchmark_group(&name);
        if name.starts_with("sign") {
            // Slow peers (RustCrypto signs in milliseconds): fewer samples, same time budget.
            group.sample_size(20);
        }
        for op in ops.iter_mut().filter(|op| op.group == name) {
            group.bench_function(op.id, |b| b.iter(&mut op.run));
        }
        group.finish();
    }
}

fn config() -> Criterion {
    Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3)).sample_size(50)
}

criterion_group! { name = benches; config = config(); targets = all }
criterion_main!(benches);
