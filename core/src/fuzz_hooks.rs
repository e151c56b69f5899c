//! Hooks for the fuzz targets in `fuzz/` (the JSON differential target). Not part of the
//! API: hidden from the docs and free to change at any time.

use crate::error::Error;
use crate::json::{self, Value};

/// A top-level member's value as the strict JSON reader reports it, in an owned form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JsonMember {
    /// A string, unescaped (UTF-8 bytes).
    String(Vec<u8>),
    /// A number's exact text.
    Number(String),
    /// `true` or `false` (the reader does not say which).
    Bool,
    /// `null`.
    Null,
    /// A nested object (validated, not exposed).
    Object,
    /// An array (validated, not exposed).
    Array,
}

/// Reads `input` as a header or payload is read: one strict JSON object. Returns its
/// top-level members in order, names unescaped, or the reader's error.
pub fn json_object_members(input: &[u8]) -> Result<Vec<(Vec<u8>, JsonMember)>, Error> {
    let mut members = Vec::new();
    json::parse_object(input, |name, value| {
        let value = match value {
            Value::String(s) => JsonMember::String(s.bytes().collect()),
            Value::Number(text) => JsonMember::Number(text.to_owned()),
            Value::Bool(_) => JsonMember::Bool,
            Value::Null => JsonMember::Null,
            Value::Object(_) => JsonMember::Object,
            Value::Array(_) => JsonMember::Array,
        };
        members.push((name.bytes().collect(), value));
    })?;
    Ok(members)
}
