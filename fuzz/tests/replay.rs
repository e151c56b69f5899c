//! Replays the committed corpus and every past crash through the targets' checks, on
//! stable: `cargo test` in `fuzz/`.

use std::path::Path;

#[test]
fn corpus_and_regressions_pass_every_invariant() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut replayed = 0;
    let mut failed = Vec::new();
    for (target, check) in notiflows_auth_fuzz::TARGETS {
        for dir in ["corpus", "regressions"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else { continue };
            let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect();
            paths.sort();
            for path in paths {
                if path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.') || n == "README.md") {
                    continue;
                }
                let data = std::fs::read(&path).unwrap();
                if std::panic::catch_unwind(|| check(&data)).is_err() {
                    failed.push(format!("{target}: {}", path.display()));
                }
                replayed += 1;
            }
        }
    }
    assert!(replayed > 0, "no corpus found under {}", root.display());
    assert!(failed.is_empty(), "{} of {replayed} inputs failed (messages above):\n{}", failed.len(), failed.join("\n"));
    println!("replayed {replayed} inputs");
}
