//! `inspect`: a token's header and claims, clearly marked as NOT verified. Every member is
//! shown as written, a repeated one as many times as it appears, and the output says when
//! verification would refuse the token for what it shows.

use crate::{input, Failure};
use notiflows_auth::verify::{decode_parts_unverified, decode_unverified, MAX_TOKEN_BYTES_LIMIT};
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use std::fmt::{self, Write as _};

#[derive(clap::Args)]
pub struct Args {
    /// The token, or `-` (or nothing) to read it from stdin.
    token: Option<String>,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let token = input::token(args.token)?;
    let parts = decode_parts_unverified(&token)?;
    // The verifier's own reading without a key: what it refuses before the signature.
    let verdict = match decode_unverified(&token, MAX_TOKEN_BYTES_LIMIT) {
        Ok(_) => "well formed; the signature and the claims' times were NOT checked".to_owned(),
        Err(e) => format!("verification refuses this token: {}: {e}", e.code()),
    };
    let mut out = String::from("{\n");
    let _ = writeln!(out, "  \"verified\": false,");
    let _ = writeln!(out, "  \"warning\": \"NOT VERIFIED: neither the signature nor any claim was checked\",");
    let _ = writeln!(out, "  \"verdict\": {},", json_text(&serde_json::Value::from(verdict.as_str())));
    let _ = writeln!(out, "  \"header\": {},", shown(&parts.header));
    let _ = writeln!(out, "  \"claims\": {}", shown(&parts.payload));
    out.push('}');
    eprintln!("warning: NOT VERIFIED: this shows what the token claims, not what is true");
    if verdict.starts_with("verification refuses") {
        eprintln!("warning: {verdict}");
    }
    println!("{out}");
    Ok(())
}

/// A JSON object's members in order, repeated names included (a map would keep one).
struct Members(Vec<(String, serde_json::Value)>);

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct InOrder;
        impl<'de> Visitor<'de> for InOrder {
            type Value = Members;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry::<String, serde_json::Value>()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(InOrder)
    }
}

/// A decoded segment: its members one per line when it is a JSON object, else its text.
fn shown(bytes: &[u8]) -> String {
    match serde_json::from_slice::<Members>(bytes) {
        Ok(Members(members)) if members.is_empty() => "{}".to_owned(),
        Ok(Members(members)) => {
            let lines: Vec<String> = members
                .iter()
                .map(|(name, value)| format!("    {}: {}", json_text(&name.as_str().into()), json_text(value)))
                .collect();
            format!("{{\n{}\n  }}", lines.join(",\n"))
        }
        Err(_) => json_text(&String::from_utf8_lossy(bytes).into_owned().into()),
    }
}

fn json_text(value: &serde_json::Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
