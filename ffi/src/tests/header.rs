//! `include/notiflows_auth.h` must be exactly what cbindgen makes of `src/`.
//!
//! `NOTIFLOWS_AUTH_WRITE_HEADER=1` rewrites it instead (what `scripts/gen-header` does).

use std::path::Path;

/// The version macros, from the workspace version in Cargo.toml (cbindgen cannot evaluate
/// `env!`, so they are written here; a version bump makes the committed header stale).
fn version_macros() -> String {
    format!(
        "\n// The version of this header, the workspace version in Cargo.toml; the library's own is\n\
         // notiflows_auth_version().\n\
         #define NOTIFLOWS_AUTH_VERSION \"{}\"\n\
         #define NOTIFLOWS_AUTH_VERSION_MAJOR {}\n\
         #define NOTIFLOWS_AUTH_VERSION_MINOR {}\n\
         #define NOTIFLOWS_AUTH_VERSION_PATCH {}",
        env!("CARGO_PKG_VERSION"),
        env!("CARGO_PKG_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MINOR"),
        env!("CARGO_PKG_VERSION_PATCH"),
    )
}

#[test]
fn committed_header_is_what_cbindgen_generates() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    config.after_includes = Some(version_macros());
    let bindings = cbindgen::Builder::new()
        .with_src(dir.join("src/lib.rs"))
        .with_config(config)
        .generate()
        .expect("cbindgen parses the sources");
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    let path = dir.join("include/notiflows_auth.h");
    if std::env::var_os("NOTIFLOWS_AUTH_WRITE_HEADER").is_some() {
        std::fs::write(&path, &generated).expect("write the header");
        return;
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is stale or missing: run scripts/gen-header and commit the result",
        path.display()
    );
}
