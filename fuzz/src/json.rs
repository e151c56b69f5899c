//! Target `json`: our strict JSON reader against serde_json (see [`crate::strict_json`]).
//!
//! Invariants: ours accepts exactly what the reference accepts, with the same members in
//! the same order (names and strings unescaped alike, numbers with the same text and
//! value, the same kinds), and refuses with the same code (`token_json` or
//! `token_duplicate_member`).

use crate::codes;
use crate::strict_json::{self, Member};
use notiflows_auth::__fuzz::{json_object_members, JsonMember};
use serde_json::Value;

/// A decoded header plus payload is at most 12 KiB (16 KiB of base64url).
const MAX_INPUT: usize = 12 * 1024;

pub fn check(data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    let ours = json_object_members(data);
    let reference = strict_json::parse_object(data);
    let context = String::from_utf8_lossy(data);
    match (&ours, &reference) {
        (Ok(ours), Ok(theirs)) => {
            assert_eq!(ours.len(), theirs.len(), "member count of {context}");
            for ((name, value), member) in ours.iter().zip(theirs) {
                assert_eq!(name, member.name.as_bytes(), "member name in {context}");
                assert_same_value(value, member, &context);
            }
        }
        (Err(ours), Err(theirs)) => {
            codes::assert_error(ours, &["token_json", "token_duplicate_member"], &context);
            assert_eq!(ours.code(), theirs.code(), "refused differently: {context}");
        }
        _ => panic!("ours {ours:?}, serde_json {reference:?} for {context}"),
    }
}

fn assert_same_value(ours: &JsonMember, theirs: &Member, context: &str) {
    match (ours, &theirs.value) {
        (JsonMember::String(a), Value::String(b)) => assert_eq!(a, b.as_bytes(), "string in {context}"),
        (JsonMember::Number(text), Value::Number(n)) => {
            assert_eq!(text, &theirs.raw, "number text in {context}");
            let ours: f64 = text.parse().expect("a number");
            assert_eq!(Some(ours), n.as_f64(), "number value in {context}");
        }
        (JsonMember::Bool, Value::Bool(_))
        | (JsonMember::Null, Value::Null)
        | (JsonMember::Object, Value::Object(_))
        | (JsonMember::Array, Value::Array(_)) => {}
        _ => panic!("ours {ours:?}, serde_json {:?} in {context}", theirs.value),
    }
}
