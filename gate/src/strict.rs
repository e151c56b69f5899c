//! Strict configuration reading: JSON or TOML into a `serde_json::Value`, and a member check
//! that refuses an unknown member by name, with the nearest known one.

use crate::core_api::nearest_name;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Parses `text` as TOML when `toml` is set, else as JSON.
pub fn parse_document(bytes: &[u8], toml: bool) -> Result<Value, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "the file is not UTF-8".to_string())?;
    if toml {
        let value: toml::Table = toml::from_str(text).map_err(|e| e.message().to_string())?;
        serde_json::to_value(value).map_err(|e| e.to_string())
    } else {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }
}

/// Checks that `value` is an object whose members are all in `known`.
pub fn check_members(value: &Value, at: &str, known: &[&str]) -> Result<(), String> {
    let object = value.as_object().ok_or_else(|| format!("{} must be an object", name_of(at)))?;
    for member in object.keys() {
        if !known.contains(&member.as_str()) {
            let full = if at.is_empty() { member.clone() } else { format!("{at}.{member}") };
            return Err(match nearest_name(member, known) {
                Some(near) => format!("unknown member `{full}` (did you mean `{near}`?)"),
                None => format!("unknown member `{full}` (known: {})", known.join(", ")),
            });
        }
    }
    Ok(())
}

/// Converts a checked value into `T`, naming where a type is wrong.
pub fn typed<T: DeserializeOwned>(value: Value, at: &str) -> Result<T, String> {
    serde_json::from_value(value).map_err(|e| format!("{}: {e}", name_of(at)))
}

fn name_of(at: &str) -> &str {
    if at.is_empty() {
        "the document"
    } else {
        at
    }
}
