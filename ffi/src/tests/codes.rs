//! The error-code set is the same everywhere: the core's taxonomy plus the C ABI's own codes,
//! with the same numbers, in Rust, in the committed C header, in the Node package (its code
//! table and its TypeScript `ErrorCode` type) and in the Ruby gem; the Python package's
//! families hold exactly the core's codes.
//!
//! Node, Ruby and Python are run when found on `PATH`; with `NOTIFLOWS_AUTH_REQUIRE_BINDINGS=1`
//! (set by `scripts/suites/40-ruby`, once all are installed) a missing one fails the test.

use crate::result::notiflows_auth_result;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

type Codes = BTreeMap<String, u32>;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace root").to_path_buf()
}

/// The core's codes, from its one table.
fn core_codes() -> Codes {
    notiflows::ErrorKind::ALL.iter().map(|k| (k.code().to_owned(), k.number())).collect()
}

/// Every code of the C ABI, from the Rust enum.
fn rust_codes() -> Codes {
    let mut codes = core_codes();
    for r in notiflows_auth_result::ERRORS {
        let code = r.code().expect("every error has a code");
        assert_eq!(*codes.entry(code.to_owned()).or_insert(r as u32), r as u32, "{code}");
    }
    codes
}

/// `NOTIFLOWS_AUTH_RESULT_TOKEN_EXPIRED = 11,` lines of the committed header.
fn header_codes() -> Codes {
    let header = std::fs::read_to_string(repo().join("ffi/include/notiflows_auth.h")).expect("the header");
    header
        .lines()
        .filter_map(|line| line.trim().strip_prefix("NOTIFLOWS_AUTH_RESULT_"))
        .filter_map(|rest| rest.trim_end_matches(',').split_once(" = "))
        .filter(|(name, _)| *name != "OK")
        .map(|(name, number)| (name.to_ascii_lowercase(), number.parse().expect("a number")))
        .collect()
}

/// Parses `code number` lines.
fn parse_lines(text: &str) -> Codes {
    text.lines()
        .filter_map(|line| line.split_once(' '))
        .map(|(code, number)| (code.to_owned(), number.trim().parse().expect("a number")))
        .collect()
}

/// Runs `program args...` and returns its output, or `None` when the program is not
/// installed (a failure when all bindings are required).
fn run(program: &str, args: &[&str]) -> Option<String> {
    let required = std::env::var_os("NOTIFLOWS_AUTH_REQUIRE_BINDINGS").is_some_and(|v| v == "1");
    match Command::new(program).args(args).current_dir(repo()).output() {
        Ok(out) => {
            assert!(out.status.success(), "{program} failed: {}", String::from_utf8_lossy(&out.stderr));
            Some(String::from_utf8(out.stdout).expect("UTF-8 output"))
        }
        Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("note: {program} is not installed; its code set is checked by its own suite");
            None
        }
        Err(e) => panic!("cannot run {program}: {e}"),
    }
}

/// The string literals of `export type ErrorCode = ...;` in `node/index.d.ts`.
fn typescript_codes() -> Vec<String> {
    let dts = std::fs::read_to_string(repo().join("node/index.d.ts")).expect("node/index.d.ts");
    let start = dts.find("export type ErrorCode =").expect("an ErrorCode type");
    let end = start + dts[start..].find(';').expect("the end of ErrorCode");
    dts[start..end].split('\'').skip(1).step_by(2).map(str::to_owned).collect()
}

#[test]
fn rust_and_the_c_header_have_the_same_codes() {
    let rust = rust_codes();
    assert_eq!(rust.len(), notiflows::ErrorKind::ALL.len() + 4);
    assert_eq!(header_codes(), rust);
}

#[test]
fn node_has_the_same_codes() {
    let rust = rust_codes();
    let script = "const c = require('./node/lib/codes.js').ERROR_CODES; \
                  for (const [k, v] of Object.entries(c)) console.log(k + ' ' + v);";
    if let Some(out) = run("node", &["-e", script]) {
        assert_eq!(parse_lines(&out), rust, "node/lib/codes.js");
    }
    let mut typescript = typescript_codes();
    typescript.sort();
    assert_eq!(typescript, rust.keys().cloned().collect::<Vec<_>>(), "ErrorCode in node/index.d.ts");
}

#[test]
fn ruby_has_the_same_codes() {
    let script = "require './ruby/lib/notiflows_auth/errors'; \
                  NotiflowsAuth::ERROR_CODES.each { |k, v| puts \"#{k} #{v}\" }";
    if let Some(out) = run("ruby", &["-e", script]) {
        assert_eq!(parse_lines(&out), rust_codes(), "ruby/lib/notiflows_auth/errors.rb");
    }
}

#[test]
fn python_families_hold_the_core_codes() {
    let errors = repo().join("python/notiflows_auth/_errors.py");
    if !errors.exists() {
        eprintln!("note: no python/notiflows_auth/_errors.py: nothing to compare");
        return;
    }
    // Loads the pure-Python module by path, without the native extension.
    let script = "import importlib.util, sys\n\
                  spec = importlib.util.spec_from_file_location('errors', sys.argv[1])\n\
                  m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n\
                  for cls in m._FAMILIES:\n    for code in sorted(cls.codes): print(code)\n";
    let path = errors.to_str().expect("a UTF-8 path");
    if let Some(out) = run("python3", &["-c", script, path]) {
        let mut python: Vec<&str> = out.lines().collect();
        python.sort_unstable();
        let core = core_codes();
        let core: Vec<&str> = core.keys().map(String::as_str).collect();
        assert_eq!(python, core, "python/notiflows_auth/_errors.py families");
    }
}
