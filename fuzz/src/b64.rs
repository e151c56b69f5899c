//! Base64 for the references: a strict base64url decoder written from RFC 4648 (canonical
//! means "re-encodes to the same text"), and a lenient standard decoder for PEM fixtures.

const URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn encode(alphabet: &[u8; 64], data: &[u8], pad: bool) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(alphabet[(n >> (18 - 6 * i) & 63) as usize]));
        }
        if pad {
            for _ in chunk.len()..3 {
                out.push('=');
            }
        }
    }
    out
}

/// Unpadded base64url.
pub fn encode_url(data: &[u8]) -> String {
    encode(URL, data, false)
}

/// Padded standard base64.
pub fn encode_std(data: &[u8]) -> String {
    encode(STD, data, true)
}

/// Decodes the characters of `alphabet` in `text`, skipping every other byte.
fn decode_lenient(alphabet: &[u8; 64], text: &[u8]) -> Vec<u8> {
    let (mut bits, mut n, mut out) = (0u32, 0, Vec::new());
    for &c in text {
        let Some(v) = alphabet.iter().position(|&a| a == c) else { continue };
        bits = bits << 6 | v as u32;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    out
}

/// Strict unpadded base64url: only the alphabet, and canonical (the text is exactly what
/// encoding the decoded bytes gives back).
pub fn decode_url_canonical(text: &[u8]) -> Option<Vec<u8>> {
    if !text.iter().all(|c| URL.contains(c)) {
        return None;
    }
    let decoded = decode_lenient(URL, text);
    (encode_url(&decoded).as_bytes() == text).then_some(decoded)
}

/// Standard base64 with padding and line breaks ignored: PEM bodies of trusted fixtures.
pub fn decode_std_lenient(text: &[u8]) -> Vec<u8> {
    decode_lenient(STD, text)
}

/// The DER inside a trusted PEM fixture.
pub fn pem_body(pem: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(pem);
    let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    decode_std_lenient(body.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_url_decoding() {
        assert_eq!(decode_url_canonical(b"eyJhIjoxfQ").as_deref(), Some(&br#"{"a":1}"#[..]));
        assert_eq!(decode_url_canonical(b"").as_deref(), Some(&b""[..]));
        for bad in [&b"eyJhIjoxfQ="[..], b"eyJhIjoxfR", b"a", b"ab+c", b"ab c"] {
            assert_eq!(decode_url_canonical(bad), None, "{bad:?}");
        }
        assert_eq!(encode_std(b"ab"), "YWI=");
    }
}
