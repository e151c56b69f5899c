//! Tests of the crate as a whole: the committed header is what cbindgen makes of the
//! sources, and the error-code set is the same in Rust, the C header, Node and Ruby.

mod codes;
mod header;
