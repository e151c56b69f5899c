//! Tests of the crate as a whole: the committed header is what cbindgen makes of the
//! sources, and the code lists written outside the error table (the header's enum, the
//! TypeScript type) agree with it.

mod codes;
mod header;
