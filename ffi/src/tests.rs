//! Tests of the crate as a whole: the committed header is what cbindgen makes of the
//! sources, the error-code set is the same in Rust, the C header, Node and Ruby, and the C
//! authenticate path allocates nothing per call.

mod allocs;
mod codes;
mod header;
