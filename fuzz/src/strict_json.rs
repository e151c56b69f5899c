//! The reference JSON reader: serde_json, plus the rules README documents on top of
//! RFC 8259 (a top-level object, no duplicate member names after unescaping, at most 64
//! levels of nesting and 128 top-level members). serde_json itself refuses invalid UTF-8,
//! a BOM, lone surrogates, control characters in strings, numbers that overflow a double,
//! and trailing data.

use serde::de::{self, Deserializer as _, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;
use std::fmt;

pub const MAX_DEPTH: usize = 64;
pub const MAX_MEMBERS: usize = 128;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonError {
    /// Anything but a duplicate: `token_json`.
    Syntax,
    /// A repeated member name: `token_duplicate_member`.
    Duplicate,
}

impl JsonError {
    pub fn code(self) -> &'static str {
        match self {
            JsonError::Syntax => "token_json",
            JsonError::Duplicate => "token_duplicate_member",
        }
    }
}

/// A top-level member: its unescaped name, its exact text and its value.
#[derive(Clone, Debug)]
pub struct Member {
    pub name: String,
    pub raw: String,
    pub value: Value,
}

const DUPLICATE: &str = "duplicate member name";

/// Reads `input` as exactly one JSON object and returns its top-level members in order.
pub fn parse_object(input: &[u8]) -> Result<Vec<Member>, JsonError> {
    // From bytes, so that invalid UTF-8 is found where it lies, in document order.
    let mut de = serde_json::Deserializer::from_slice(input);
    let members = de.deserialize_map(ObjectVisitor).map_err(|e| {
        if e.to_string().starts_with(DUPLICATE) {
            JsonError::Duplicate
        } else {
            JsonError::Syntax
        }
    })?;
    de.end().map_err(|_| JsonError::Syntax)?;
    Ok(members)
}

/// Nesting depth: 0 for a scalar, 1 for `[]` or `{}`.
pub fn depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(members) => 1 + members.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

struct ObjectVisitor;

impl<'de> Visitor<'de> for ObjectVisitor {
    type Value = Vec<Member>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<Member>, A::Error> {
        let mut members: Vec<Member> = Vec::new();
        while let Some(name) = map.next_key::<String>()? {
            if members.iter().any(|m| m.name == name) {
                return Err(de::Error::custom(DUPLICATE));
            }
            if members.len() == MAX_MEMBERS {
                return Err(de::Error::custom("too many members"));
            }
            let raw: &'de RawValue = map.next_value()?;
            // RawValue only skips over the value; reading it again validates everything.
            let value: Value = serde_json::from_str(raw.get()).map_err(de::Error::custom)?;
            if 1 + depth(&value) > MAX_DEPTH {
                return Err(de::Error::custom("nested too deeply"));
            }
            members.push(Member { name, raw: raw.get().to_owned(), value });
        }
        Ok(members)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_rules() {
        assert_eq!(parse_object(br#" {"a":1,"b":[{}]} "#).unwrap().len(), 2);
        assert_eq!(parse_object(br#"{"a":1,"\u0061":2}"#).unwrap_err(), JsonError::Duplicate);
        assert!(parse_object(br#"{"a":{"b":1,"b":2}}"#).is_ok(), "nested duplicates are not looked for");
        for bad in [&b"[]"[..], b"{", b"{}x", b"\xef\xbb\xbf{}", br#"{"a":"\ud800"}"#, b"{\"a\":1e400}", b"{\"a\":01}"]
        {
            assert_eq!(parse_object(bad).unwrap_err(), JsonError::Syntax, "{bad:?}");
        }
        let deep = |n: usize| format!("{{\"a\":{}1{}}}", "[".repeat(n), "]".repeat(n));
        assert!(parse_object(deep(63).as_bytes()).is_ok());
        assert_eq!(parse_object(deep(64).as_bytes()).unwrap_err(), JsonError::Syntax);
        assert_eq!(parse_object(deep(500).as_bytes()).unwrap_err(), JsonError::Syntax);
        let many = |n: usize| format!("{{{}}}", (0..n).map(|i| format!("\"k{i}\":0")).collect::<Vec<_>>().join(","));
        assert!(parse_object(many(128).as_bytes()).is_ok());
        assert_eq!(parse_object(many(129).as_bytes()).unwrap_err(), JsonError::Syntax);
        assert_eq!(parse_object(br#"{"n": -1.5e3 }"#).unwrap()[0].raw, "-1.5e3");
    }
}
