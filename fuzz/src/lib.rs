//! The fuzz targets of notiflows-auth and the invariants they assert.
//!
//! Each target in `fuzz_targets/` is one line that calls `<module>::check` here, so that the
//! same checks also run on stable, in `tests/replay.rs`, over the committed corpus and every
//! past crash. A check panics when an invariant fails; libFuzzer reports the panic as a crash.
//!
//! The references the targets compare against are deliberately independent of `core`:
//! [`strict_json`] is serde_json with the documented limits added, [`reference`] a plain
//! compact-JWS verifier over serde_json and ring (the key read from the shared JWK, not
//! through our key loading), [`origin_ref`] a second reading of the origin rules;
//! [`providers`] holds the two verify providers to each other.

pub mod authenticate;
pub mod b64;
pub mod codes;
pub mod fixtures;
pub mod json;
pub mod key_sets;
pub mod keys;
pub mod origin_ref;
pub mod origins;
pub mod providers;
pub mod reference;
pub mod strict_json;
pub mod token_parse;
pub mod verify;

/// A target's check: panics when an invariant fails.
pub type Check = fn(&[u8]);

/// Every target, by name: the directories under `corpus/` and `regressions/`.
pub const TARGETS: &[(&str, Check)] = &[
    ("token_parse", token_parse::check),
    ("verify", verify::check),
    ("keys", keys::check),
    ("json", json::check),
    ("authenticate", authenticate::check),
    ("origins", origins::check),
    ("providers", providers::check),
    ("key_sets", key_sets::check),
];
