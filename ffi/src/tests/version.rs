//! One version everywhere. The Rust crates, the CLI (`--version`), the Python module
//! (`__version__`) and the library (`notiflows_auth_version()`, read by Node's `version`)
//! take it from the workspace's Cargo.toml; the files that must spell it out (the generated
//! header's macros, node/package.json, the gem's version.rb) are checked here against it.
//! `scripts/suites/80-install` checks the installed artifacts report it too.

use crate::report::notiflows_auth_version;
use std::ffi::CStr;
use std::path::Path;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn read(relative: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::read_to_string(root.join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// The first `"..."` on the line of `text` that starts with `prefix` (after indentation).
fn quoted_after(text: &str, prefix: &str) -> Option<String> {
    let line = text.lines().map(str::trim_start).find(|line| line.starts_with(prefix))?;
    let rest = &line[prefix.len()..];
    let start = rest.find('"')? + 1;
    let len = rest[start..].find('"')?;
    Some(rest[start..start + len].to_owned())
}

#[test]
fn the_library_reports_the_workspace_version() {
    // SAFETY: the function returns a static NUL-terminated string.
    let version = unsafe { CStr::from_ptr(notiflows_auth_version()) };
    assert_eq!(version.to_str(), Ok(VERSION));
}

#[test]
fn the_header_macros_are_the_workspace_version() {
    let header = read("ffi/include/notiflows_auth.h");
    assert_eq!(quoted_after(&header, "#define NOTIFLOWS_AUTH_VERSION ").as_deref(), Some(VERSION));
    let parts: Vec<&str> = VERSION.split('.').collect();
    for (name, part) in ["MAJOR", "MINOR", "PATCH"].iter().zip(&parts) {
        let line = format!("#define NOTIFLOWS_AUTH_VERSION_{name} {part}");
        assert!(header.lines().any(|l| l == line), "the header lacks `{line}`");
    }
}

#[test]
fn the_node_package_and_the_gem_have_the_workspace_version() {
    let package = read("node/package.json");
    assert_eq!(quoted_after(&package, "\"version\":").as_deref(), Some(VERSION), "node/package.json");
    let gem = read("ruby/lib/notiflows_auth/version.rb");
    assert_eq!(quoted_after(&gem, "VERSION =").as_deref(), Some(VERSION), "ruby/lib/notiflows_auth/version.rb");
}
