//! Tests of the crate as a whole: the committed header is what cbindgen makes of the
//! sources, the code lists written outside the error table (the header's enum, the
//! TypeScript type) agree with it, and the version is the workspace's everywhere.

mod codes;
mod header;
mod version;
