//! Tests of the crate as a whole: the committed header is what cbindgen makes of the
//! sources, the code lists written outside the error table (the header's enum, the
//! TypeScript type) agree with it, the version is the workspace's everywhere, and the C
//! authenticate path allocates nothing per call.

mod allocs;
mod codes;
mod header;
mod version;
