//! Strict unpadded base64url for token segments (RFC 7515: canonical, no padding, no
//! whitespace). Key material (PEM bodies, the one-line base64 PEM) goes through `base64ct`,
//! constant-time, in `keys::pem`.
//!
//! Token segments keep this table-driven decoder: a token is public bytes (anyone who holds
//! it sees them), so decoding it in constant time protects nothing, and this decoder is the
//! hot path of every verify (eight characters per step into a stack buffer, one validity
//! test per segment). Switching the token path to `base64ct` is to be measured against
//! `benches/` (`parse`) and taken only if it costs less than 10%.

/// Marks a byte that is not in the alphabet.
const INVALID: u8 = 0xff;

const URL_ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

const fn reverse(alphabet: &[u8; 64]) -> [u8; 256] {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 64 {
        table[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    table
}

const URL_DECODE: [u8; 256] = reverse(URL_ALPHABET);

/// Marks an invalid character in the shifted tables: above the 24 data bits.
const SHIFTED_INVALID: u32 = 1 << 24;

/// For each position in a group of four characters, its 6 bits already shifted into place:
/// one load and one OR per character.
const fn shifted(table: &[u8; 256]) -> [[u32; 256]; 4] {
    let mut out = [[SHIFTED_INVALID; 256]; 4];
    let mut c = 0;
    while c < 256 {
        if table[c] != INVALID {
            let v = table[c] as u32;
            out[0][c] = v << 18;
            out[1][c] = v << 12;
            out[2][c] = v << 6;
            out[3][c] = v;
        }
        c += 1;
    }
    out
}

const URL_SHIFTED: [[u32; 256]; 4] = shifted(&URL_DECODE);

/// Why a base64 input was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Base64Error {
    /// A byte outside the alphabet, a length that cannot be base64, bad padding, or
    /// non-zero unused bits in the last character.
    Invalid,
    /// The decoded bytes do not fit in the output buffer.
    TooLong,
}

/// The number of bytes `len` unpadded base64 characters decode to, if `len` is possible.
pub(crate) const fn decoded_len(len: usize) -> Option<usize> {
    match len % 4 {
        1 => None,
        rem => Some(len / 4 * 3 + rem.saturating_sub(1)),
    }
}

/// Decodes canonical unpadded `input` (no padding, no whitespace) with `table` into the
/// front of `out`, returning the decoded length. Allocates nothing.
fn decode_unpadded(
    table: &[u8; 256],
    shifted: &[[u32; 256]; 4],
    input: &[u8],
    out: &mut [u8],
) -> Result<usize, Base64Error> {
    let len = decoded_len(input.len()).ok_or(Base64Error::Invalid)?;
    let out = out.get_mut(..len).ok_or(Base64Error::TooLong)?;
    // Eight characters make six bytes. An invalid character sets bit 24, so OR-ing every
    // group and testing once at the end replaces a branch per character.
    let mut seen: u32 = 0;
    let mut chunks = input.chunks_exact(8);
    let mut out_chunks = out.chunks_exact_mut(6);
    let group = |c: &[u8]| {
        shifted[0][usize::from(c[0])]
            | shifted[1][usize::from(c[1])]
            | shifted[2][usize::from(c[2])]
            | shifted[3][usize::from(c[3])]
    };
    for (chunk, dst) in (&mut chunks).zip(&mut out_chunks) {
        let (hi, lo) = (group(&chunk[..4]), group(&chunk[4..]));
        seen |= hi | lo;
        let n = u64::from(hi) << 24 | u64::from(lo & 0xff_ffff);
        dst.copy_from_slice(&n.to_be_bytes()[2..]);
    }
    if seen & SHIFTED_INVALID != 0 {
        return Err(Base64Error::Invalid);
    }
    let rest = chunks.remainder();
    let dst = out_chunks.into_remainder();
    if rest.is_empty() {
        return Ok(len);
    }
    let mut n: u64 = 0;
    for &c in rest {
        let v = table[usize::from(c)];
        if v == INVALID {
            return Err(Base64Error::Invalid);
        }
        n = n << 6 | u64::from(v);
    }
    // Left-align the remaining bits and refuse non-zero unused bits: only the canonical
    // encoding of a byte string is accepted.
    let bits = rest.len() * 6;
    let unused = bits % 8;
    if n & ((1 << unused) - 1) != 0 {
        return Err(Base64Error::Invalid);
    }
    let n = n << (64 - bits);
    dst.copy_from_slice(&n.to_be_bytes()[..dst.len()]);
    Ok(len)
}

/// Strict base64url (RFC 7515 section 2): canonical, unpadded, no whitespace.
pub(crate) fn decode_url(input: &[u8], out: &mut [u8]) -> Result<usize, Base64Error> {
    decode_unpadded(&URL_DECODE, &URL_SHIFTED, input, out)
}

/// Appends unpadded base64url of `input` to `out`.
pub(crate) fn encode_url(input: &[u8], out: &mut String) {
    let mut chunks = input.chunks_exact(3);
    out.reserve(input.len().div_ceil(3) * 4);
    let sym = |n: u32, shift: u32| char::from(URL_ALPHABET[(n >> shift & 63) as usize]);
    for chunk in &mut chunks {
        let n = u32::from(chunk[0]) << 16 | u32::from(chunk[1]) << 8 | u32::from(chunk[2]);
        out.extend([sym(n, 18), sym(n, 12), sym(n, 6), sym(n, 0)]);
    }
    match *chunks.remainder() {
        [a] => out.extend([sym(u32::from(a) << 16, 18), sym(u32::from(a) << 16, 12)]),
        [a, b] => {
            let n = u32::from(a) << 16 | u32::from(b) << 8;
            out.extend([sym(n, 18), sym(n, 12), sym(n, 6)]);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(input: &str) -> Result<Vec<u8>, Base64Error> {
        let mut buf = [0u8; 64];
        decode_url(input.as_bytes(), &mut buf).map(|n| buf[..n].to_vec())
    }

    #[test]
    fn rfc4648_vectors_round_trip() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(url(encoded).unwrap(), plain.as_bytes());
            let mut s = String::new();
            encode_url(plain.as_bytes(), &mut s);
            assert_eq!(s, encoded);
        }
    }

    #[test]
    fn url_decoding_is_strict() {
        for bad in ["Zg==", "Zm8=", "Z", "Zh", "Zm9", "Zm+v", "Zm/v", "Zm9v\n", " Zm9v", "Zm\u{e9}v"] {
            assert_eq!(url(bad), Err(Base64Error::Invalid), "{bad:?}");
        }
        let mut small = [0u8; 2];
        assert_eq!(decode_url(b"Zm9v", &mut small), Err(Base64Error::TooLong));
    }

    #[test]
    fn all_bytes_round_trip() {
        let data: Vec<u8> = (0..=255).collect();
        let mut s = String::new();
        encode_url(&data, &mut s);
        let mut buf = [0u8; 256];
        assert_eq!(decode_url(s.as_bytes(), &mut buf), Ok(256));
        assert_eq!(&buf[..], &data[..]);
    }
}
