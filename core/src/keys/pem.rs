//! Recognising what a user pasted: DER, a PEM block, or a PEM block base64-encoded on one
//! line (the form dashboards hand out for environment variables).
//!
//! Text may arrive with surrounding whitespace, CRLF line ends, or literal two-character
//! `\n` escapes (as written in env files); all of these are tolerated. Nothing read here
//! is ever put into an error message.

use crate::error::{Error, ErrorKind};
use base64ct::{Base64, Encoding as _};
use zeroize::Zeroizing;

/// How the one-line base64 form starts: the encoding of `-----BEGIN`.
pub(crate) const BASE64_PEM_PREFIX: &str = "LS0tLS1CRUdJTi";
const BEGIN: &str = "-----BEGIN ";
const END: &str = "-----END ";
const DASHES: &str = "-----";
/// Far above any RSA key we accept (an 8192-bit PKCS#1 PEM is about 6.5 KiB): bounds the
/// work done on a mistaken input such as a whole file of something else.
const MAX_INPUT_BYTES: usize = 64 * 1024;

/// The PEM labels we read keys from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Label {
    /// `PUBLIC KEY`: SubjectPublicKeyInfo.
    Public,
    /// `RSA PUBLIC KEY`: PKCS#1 `RSAPublicKey`.
    RsaPublic,
    /// `PRIVATE KEY`: PKCS#8.
    Private,
    /// `RSA PRIVATE KEY`: PKCS#1 `RSAPrivateKey`.
    RsaPrivate,
}

/// Key bytes and the PEM label they came under (`None` for raw DER).
pub(crate) struct Decoded {
    pub label: Option<Label>,
    pub der: Zeroizing<Vec<u8>>,
}

fn invalid(detail: &'static str) -> Error {
    Error::new(ErrorKind::KeyInvalid).with_detail(detail)
}

fn unsupported(detail: &'static str) -> Error {
    Error::new(ErrorKind::KeyUnsupported).with_detail(detail)
}

/// Detects the format of `input` and returns the DER inside. `expected` is the detail of
/// the error for input that is none of the accepted forms.
pub(crate) fn decode(input: &[u8], expected: &'static str) -> Result<Decoded, Error> {
    if input.len() > MAX_INPUT_BYTES {
        return Err(invalid("the key input is far larger than any supported key"));
    }
    // DER always starts with SEQUENCE (0x30); text forms never start with '0'. Binary is
    // taken as is: trimming "whitespace" bytes could cut a real DER byte.
    if input.first() == Some(&super::der::TAG_SEQUENCE) {
        return Ok(Decoded { label: None, der: Zeroizing::new(input.to_vec()) });
    }
    let text = core::str::from_utf8(input).map_err(|_| invalid(expected))?;
    let text = trim(text);
    if text.starts_with(BASE64_PEM_PREFIX) {
        let compact: Zeroizing<Vec<u8>> = Zeroizing::new(text.bytes().filter(|b| !b.is_ascii_whitespace()).collect());
        let pem = Zeroizing::new(
            decode_key_base64(&compact)
                .map_err(|_| invalid("the base64-encoded PEM line is not valid standard base64"))?,
        );
        let pem = core::str::from_utf8(&pem)
            .map_err(|_| invalid("the base64-encoded PEM line does not decode to a PEM block"))?;
        let pem = trim(pem);
        if !pem.starts_with(BEGIN) {
            return Err(invalid("the base64-encoded PEM line does not decode to a PEM block"));
        }
        return parse_block(pem, expected);
    }
    if text.starts_with(BEGIN) {
        return parse_block(text, expected);
    }
    Err(invalid(expected))
}

/// Strips whitespace, a byte-order mark and literal `\n` / `\r` escapes from both ends.
fn trim(mut text: &str) -> &str {
    loop {
        let before = text.len();
        text = text.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\u{feff}');
        for escape in ["\\n", "\\r"] {
            text = text.strip_prefix(escape).unwrap_or(text);
            text = text.strip_suffix(escape).unwrap_or(text);
        }
        if text.len() == before {
            return text;
        }
    }
}

/// Parses one trimmed PEM block. Line structure is not relied on: the body is everything
/// between the BEGIN and END markers, minus whitespace and literal `\n` / `\r` escapes,
/// so one-line and escaped forms read the same as a file.
fn parse_block(text: &str, expected: &'static str) -> Result<Decoded, Error> {
    let after_begin = text.strip_prefix(BEGIN).ok_or(invalid(expected))?;
    let label_end = after_begin.find(DASHES).ok_or(invalid("the PEM BEGIN line is not terminated by -----"))?;
    let (label_text, rest) = after_begin.split_at(label_end);
    let label = classify(label_text, expected)?;
    let rest = &rest[DASHES.len()..];
    let end_at = rest.find(END).ok_or(invalid("the PEM block has no END line"))?;
    let (body, end_line) = rest.split_at(end_at);
    let after_end = &end_line[END.len()..];
    let end_label_len = after_end.find(DASHES).ok_or(invalid("the PEM END line is not terminated by -----"))?;
    let (end_label, tail) = after_end.split_at(end_label_len);
    if end_label != label_text {
        return Err(invalid("the PEM END line does not match its BEGIN line"));
    }
    if tail != DASHES {
        return Err(invalid("text follows the PEM block: expected exactly one key"));
    }
    if body.contains(':') {
        // RFC 1421 headers: in practice only OpenSSL's legacy encryption uses them.
        return Err(if body.contains("ENCRYPTED") {
            unsupported("encrypted private keys are not supported: export the key without a passphrase")
        } else {
            invalid("unexpected headers inside the PEM block")
        });
    }
    let mut compact = Zeroizing::new(Vec::with_capacity(body.len()));
    let mut bytes = body.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'\\' => match bytes.next() {
                Some(b'n' | b'r') => {}
                _ => return Err(invalid("the PEM body is not valid base64")),
            },
            b if b.is_ascii_whitespace() => {}
            b => compact.push(b),
        }
    }
    if compact.is_empty() {
        return Err(invalid("the PEM block is empty"));
    }
    let der = decode_key_base64(&compact).map_err(|_| invalid("the PEM body is not valid base64"))?;
    Ok(Decoded { label: Some(label), der: Zeroizing::new(der) })
}

/// Canonical padded standard base64 (whitespace already removed), decoded in constant time
/// (`base64ct`): the input is key material, whose bytes must not steer timing.
fn decode_key_base64(compact: &[u8]) -> Result<Vec<u8>, ()> {
    let text = core::str::from_utf8(compact).map_err(|_| ())?;
    Base64::decode_vec(text).map_err(|_| ())
}

fn classify(label: &str, expected: &'static str) -> Result<Label, Error> {
    match label {
        "PUBLIC KEY" => Ok(Label::Public),
        "RSA PUBLIC KEY" => Ok(Label::RsaPublic),
        "PRIVATE KEY" => Ok(Label::Private),
        "RSA PRIVATE KEY" => Ok(Label::RsaPrivate),
        "ENCRYPTED PRIVATE KEY" => {
            Err(unsupported("encrypted private keys are not supported: export the key without a passphrase"))
        }
        "EC PRIVATE KEY" | "EC PARAMETERS" | "DSA PRIVATE KEY" => {
            Err(unsupported("not an RSA key (only RSA keys are supported)"))
        }
        "OPENSSH PRIVATE KEY" => {
            Err(unsupported("the OpenSSH private key format is not supported: convert the key to PKCS#8 PEM"))
        }
        "CERTIFICATE" => Err(invalid("found a certificate, not a key: extract its public key first")),
        _ => Err(invalid(expected)),
    }
}

/// PEM text: `label`, base64 of `der` in 64-character lines, a trailing newline.
pub(crate) fn encode(label: &str, der: &[u8]) -> String {
    // The body may be a private key: wipe this intermediate copy when done.
    let body = Zeroizing::new(Base64::encode_string(der));
    let mut out = String::with_capacity(body.len() + body.len() / 64 + 2 * label.len() + 40);
    out.push_str(BEGIN);
    out.push_str(label);
    out.push_str("-----\n");
    // Standard base64 is ASCII, so every 64-byte chunk is a valid str.
    for line in body.as_bytes().chunks(64) {
        out.push_str(core::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(END);
    out.push_str(label);
    out.push_str("-----\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPECTED: &str = "expected a key";

    fn decoded(input: &str) -> Result<(Option<Label>, Vec<u8>), Error> {
        decode(input.as_bytes(), EXPECTED).map(|d| (d.label, d.der.to_vec()))
    }

    #[test]
    fn every_text_form_reads_the_same() {
        let pem = encode("PUBLIC KEY", &[0x30, 0x03, 0x02, 0x01, 0x01]);
        let want = Ok((Some(Label::Public), vec![0x30, 0x03, 0x02, 0x01, 0x01]));
        let escaped = pem.replace('\n', "\\n");
        let one_line = Base64::encode_string(pem.as_bytes());
        for form in [
            pem.clone(),
            pem.replace('\n', "\r\n"),
            format!("  \n\t{pem}\n\n  "),
            escaped.clone(),
            format!("{escaped}\\n"),
            pem.replace('\n', " "),
            format!("\u{feff}{pem}"),
            one_line.clone(),
            format!(" {one_line}\n"),
        ] {
            assert_eq!(decoded(&form), want, "{form:?}");
        }
    }

    #[test]
    fn refuses_what_is_not_one_key_block() {
        let pem = encode("PUBLIC KEY", &[0x30, 0x00]);
        let kind = |s: &str| decoded(s).unwrap_err().kind();
        for bad in [
            String::new(),
            "   ".into(),
            "hello".into(),
            pem.replace("-----END PUBLIC KEY-----", "-----END RSA PUBLIC KEY-----"),
            pem.replace("-----END PUBLIC KEY-----\n", ""),
            format!("{pem}{pem}"),
            pem.replace("MAA=", "MA?="),
            pem.replace("MAA=", "MAA"),
            pem.replace("MAA=", ""),
            "-----BEGIN PUBLIC KEY".into(),
            "LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0K!".into(),
            "LS0tLS1CRUdJTi".into(),
            encode("CERTIFICATE", &[0x30, 0x00]),
            encode("FOO", &[0x30, 0x00]),
        ] {
            assert_eq!(kind(&bad), ErrorKind::KeyInvalid, "{bad:?}");
        }
        for bad in ["EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "OPENSSH PRIVATE KEY"] {
            assert_eq!(kind(&encode(bad, &[0x30, 0x00])), ErrorKind::KeyUnsupported, "{bad}");
        }
        let legacy = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nMAA=\n-----END RSA PRIVATE KEY-----\n";
        assert_eq!(kind(legacy), ErrorKind::KeyUnsupported);
        let huge = decode(&vec![b' '; MAX_INPUT_BYTES + 1], EXPECTED);
        assert_eq!(huge.err().map(|e| e.kind()), Some(ErrorKind::KeyInvalid));
    }

    #[test]
    fn der_is_passed_through_untrimmed() {
        let der = [0x30, 0x01, b'\n'];
        let d = decode(&der, EXPECTED).unwrap();
        assert_eq!((d.label, &d.der[..]), (None, &der[..]));
    }

    #[test]
    fn encodes_64_column_lines() {
        let pem = encode("PUBLIC KEY", &[7; 100]);
        let lines: Vec<&str> = pem.lines().collect();
        assert_eq!(lines[0], "-----BEGIN PUBLIC KEY-----");
        assert_eq!(lines[1].len(), 64);
        assert_eq!(lines.last(), Some(&"-----END PUBLIC KEY-----"));
        assert!(pem.ends_with("-----\n"));
    }
}
