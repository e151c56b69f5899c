//! Build settings of the C library that cargo cannot express in Cargo.toml.
//!
//! On Linux the shared library gets a versioned soname, so programs linked against it record
//! `libnotiflows_auth.so.0.1` (not the unversioned development name) and the SDK can ship
//! `libnotiflows_auth.so.0.1.0` with its symlinks. Until 1.0 each minor release may change
//! the ABI (cargo's reading of semver), so the soname carries `0.MINOR`; from 1.0, `MAJOR`.

fn main() {
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").expect("cargo sets the version");
    let minor = std::env::var("CARGO_PKG_VERSION_MINOR").expect("cargo sets the version");
    let abi = if major == "0" { format!("0.{minor}") } else { major };
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libnotiflows_auth.so.{abi}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
