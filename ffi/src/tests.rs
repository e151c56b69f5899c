//! Tests of the crate as a whole: the committed header is what cbindgen makes of the
//! sources, the error-code set is the same in Rust, the C header, Node and Ruby, and the
//! version is the workspace's everywhere.

mod codes;
mod header;
mod version;
