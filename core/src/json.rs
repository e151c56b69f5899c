//! A strict, allocation-free reader for the JSON objects in a token's header and payload,
//! and the string writer that signing and error bodies use.
//!
//! The whole text is validated (RFC 8259 grammar, strict UTF-8, no lone surrogates, numbers
//! that fit a finite double, nesting at most [`MAX_DEPTH`]); the caller is shown the
//! top-level members only, with strings left escaped and unescaped lazily on demand.
//! Duplicate top-level member names (compared after unescaping) are refused; at most
//! [`MAX_MEMBERS`] top-level members are accepted, which bounds that check.

use crate::error::{Error, ErrorKind};

/// Deepest nesting of objects and arrays accepted (the top-level object is depth 1).
pub(crate) const MAX_DEPTH: usize = 64;
/// Most members accepted in a top-level object (bounds the duplicate-name check).
pub(crate) const MAX_MEMBERS: usize = 128;

fn syntax(detail: &'static str) -> Error {
    Error::new(ErrorKind::TokenJson).with_detail(detail)
}

/// A validated JSON string, still escaped: the bytes between its quotes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct JsonStr<'a> {
    raw: &'a [u8],
    /// Offset of `raw` in the parsed input.
    start: usize,
    escaped: bool,
}

impl<'a> JsonStr<'a> {
    /// The unescaped UTF-8 bytes.
    pub(crate) fn bytes(self) -> Unescaped<'a> {
        Unescaped { raw: self.raw, pos: 0, pending: [0; 4], pending_pos: 0, pending_len: 0 }
    }

    /// The string without escapes, when it had none: no copy needed.
    pub(crate) fn as_plain(self) -> Option<&'a [u8]> {
        (!self.escaped).then_some(self.raw)
    }

    /// Where the escaped bytes lie in the parsed input, for [`unescape_in_place`].
    pub(crate) fn range(self) -> core::ops::Range<usize> {
        self.start..self.start + self.raw.len()
    }

    /// Whether the unescaped string equals `other`.
    pub(crate) fn eq_bytes(self, other: &[u8]) -> bool {
        match self.as_plain() {
            Some(raw) => raw == other,
            None => self.bytes().eq(other.iter().copied()),
        }
    }

    fn eq_str(self, other: JsonStr<'_>) -> bool {
        match (self.as_plain(), other.as_plain()) {
            (Some(a), Some(b)) => a == b,
            _ => self.bytes().eq(other.bytes()),
        }
    }

    /// FNV-1a over the unescaped bytes: a cheap pre-filter for the duplicate check.
    fn hash(self) -> u32 {
        let step = |h: u32, b: u8| (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
        match self.as_plain() {
            Some(raw) => raw.iter().fold(0x811c_9dc5, |h, &b| step(h, b)),
            None => self.bytes().fold(0x811c_9dc5, step),
        }
    }
}

/// Decodes the validated escape whose letter is at `raw[pos]` (just after the backslash):
/// the character and the position after the escape.
fn decode_escape(raw: &[u8], pos: usize) -> Option<(char, usize)> {
    let simple = |c| Some((c, pos + 1));
    match *raw.get(pos)? {
        b'b' => simple('\u{8}'),
        b'f' => simple('\u{c}'),
        b'n' => simple('\n'),
        b'r' => simple('\r'),
        b't' => simple('\t'),
        b'u' => {
            let hi = hex4(raw.get(pos + 1..pos + 5)?)?;
            if !(0xd800..0xdc00).contains(&hi) {
                return Some((char::from_u32(hi)?, pos + 5));
            }
            // Validated already: a high surrogate is followed by `\u` and a low one.
            let lo = hex4(raw.get(pos + 7..pos + 11)?)?;
            Some((char::from_u32(0x10000 + ((hi - 0xd800) << 10) + (lo.checked_sub(0xdc00)?))?, pos + 11))
        }
        other => simple(char::from(other)), // '"', '\\' and '/'
    }
}

/// Unescapes a validated JSON string's bytes in place (an escape is always longer than the
/// UTF-8 it stands for) and returns the unescaped length.
pub(crate) fn unescape_in_place(buf: &mut [u8]) -> usize {
    let (mut read, mut write) = (0, 0);
    while let Some(&b) = buf.get(read) {
        if b != b'\\' {
            buf[write] = b;
            (read, write) = (read + 1, write + 1);
            continue;
        }
        let Some((c, next)) = decode_escape(buf, read + 1) else { break };
        let mut utf8 = [0; 4];
        let encoded = c.encode_utf8(&mut utf8).as_bytes();
        buf[write..write + encoded.len()].copy_from_slice(encoded);
        (read, write) = (next, write + encoded.len());
    }
    write
}

/// Iterator over the unescaped UTF-8 bytes of a validated [`JsonStr`].
pub(crate) struct Unescaped<'a> {
    raw: &'a [u8],
    pos: usize,
    pending: [u8; 4],
    pending_pos: usize,
    pending_len: usize,
}

impl Iterator for Unescaped<'_> {
    type Item = u8;

    fn next(&mut self) -> Option<u8> {
        if self.pending_pos < self.pending_len {
            let b = self.pending[self.pending_pos];
            self.pending_pos += 1;
            return Some(b);
        }
        let &b = self.raw.get(self.pos)?;
        if b != b'\\' {
            self.pos += 1;
            return Some(b);
        }
        let (c, next) = decode_escape(self.raw, self.pos + 1)?;
        self.pos = next;
        self.pending_len = c.encode_utf8(&mut self.pending).len();
        self.pending_pos = 1;
        Some(self.pending[0])
    }
}

fn hex4(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |acc, &d| Some(acc << 4 | char::from(d).to_digit(16)?))
}

/// A top-level member's value. Nested objects and arrays are validated but not exposed.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Value<'a> {
    String(JsonStr<'a>),
    /// The number's text, grammar-checked and finite as a double.
    Number(&'a str),
    Bool(bool),
    Null,
    /// The object's text, braces included (validated): [`parse_object`] reads it.
    Object(&'a [u8]),
    /// The array's text, brackets included (validated): [`string_array`] reads one of
    /// strings.
    Array(&'a [u8]),
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        let hit = self.peek() == Some(byte);
        self.pos += usize::from(hit);
        hit
    }

    fn expect(&mut self, byte: u8, detail: &'static str) -> Result<(), Error> {
        if self.eat(byte) {
            Ok(())
        } else {
            Err(syntax(detail))
        }
    }

    /// Reads a string; the opening quote is next.
    fn string(&mut self) -> Result<JsonStr<'a>, Error> {
        self.expect(b'"', "expected a string")?;
        let start = self.pos;
        let (mut escaped, mut ascii) = (false, true);
        loop {
            // Runs of plain ASCII, the common case, are skipped in one tight loop.
            let rest = &self.buf[self.pos..];
            self.pos +=
                rest.iter().position(|&b| matches!(b, b'"' | b'\\' | 0x00..=0x1f | 0x80..)).unwrap_or(rest.len());
            let b = self.peek().ok_or(syntax("unterminated string"))?;
            self.pos += 1;
            match b {
                b'"' => break,
                0x00..=0x1f => return Err(syntax("control character in a string")),
                b'\\' => {
                    escaped = true;
                    self.escape()?;
                }
                _ => ascii = false,
            }
        }
        let raw = &self.buf[start..self.pos - 1];
        // Raw bytes must be UTF-8; escapes were checked one by one above.
        if !ascii {
            core::str::from_utf8(raw).map_err(|_| syntax("invalid UTF-8"))?;
        }
        Ok(JsonStr { raw, start, escaped })
    }

    /// Checks one escape; the backslash has been consumed.
    fn escape(&mut self) -> Result<(), Error> {
        let e = self.peek().ok_or(syntax("unterminated string"))?;
        self.pos += 1;
        match e {
            b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Ok(()),
            b'u' => {
                let unit = self.hex_unit()?;
                match unit {
                    0xd800..=0xdbff => {
                        let low = if self.eat(b'\\') && self.eat(b'u') { self.hex_unit()? } else { 0 };
                        if (0xdc00..=0xdfff).contains(&low) {
                            Ok(())
                        } else {
                            Err(syntax("lone surrogate in a \\u escape"))
                        }
                    }
                    0xdc00..=0xdfff => Err(syntax("lone surrogate in a \\u escape")),
                    _ => Ok(()),
                }
            }
            _ => Err(syntax("invalid escape in a string")),
        }
    }

    fn hex_unit(&mut self) -> Result<u32, Error> {
        let digits = self.buf.get(self.pos..self.pos + 4).ok_or(syntax("truncated \\u escape"))?;
        let unit = hex4(digits).ok_or(syntax("invalid \\u escape"))?;
        self.pos += 4;
        Ok(unit)
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    /// Reads a number: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, finite as a double.
    fn number(&mut self) -> Result<&'a str, Error> {
        let start = self.pos;
        self.eat(b'-');
        let int_start = self.pos;
        match self.digits() {
            0 => return Err(syntax("invalid number")),
            n if n > 1 && self.buf[int_start] == b'0' => return Err(syntax("number with a leading zero")),
            _ => {}
        }
        if self.eat(b'.') && self.digits() == 0 {
            return Err(syntax("invalid number"));
        }
        if self.eat(b'e') || self.eat(b'E') {
            let _ = self.eat(b'+') || self.eat(b'-');
            if self.digits() == 0 {
                return Err(syntax("invalid number"));
            }
        }
        // ASCII by construction.
        let text = core::str::from_utf8(&self.buf[start..self.pos]).map_err(|_| syntax("invalid number"))?;
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(text),
            _ => Err(syntax("number out of range")),
        }
    }

    fn literal(&mut self, word: &'static [u8]) -> Result<(), Error> {
        if self.buf[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(syntax("unexpected character"))
        }
    }

    /// Reads any value at `depth` (the depth of the container it opens, if it is one).
    fn value(&mut self, depth: usize) -> Result<Value<'a>, Error> {
        match self.peek() {
            Some(b'"') => self.string().map(Value::String),
            Some(b'-' | b'0'..=b'9') => self.number().map(Value::Number),
            Some(b't') => self.literal(b"true").map(|()| Value::Bool(true)),
            Some(b'f') => self.literal(b"false").map(|()| Value::Bool(false)),
            Some(b'n') => self.literal(b"null").map(|()| Value::Null),
            Some(b'{') => {
                let start = self.pos;
                self.nested(depth, b'}', true)?;
                Ok(Value::Object(&self.buf[start..self.pos]))
            }
            Some(b'[') => {
                let start = self.pos;
                self.nested(depth, b']', false)?;
                Ok(Value::Array(&self.buf[start..self.pos]))
            }
            Some(_) => Err(syntax("unexpected character")),
            None => Err(syntax("unexpected end of input")),
        }
    }

    /// Validates a nested object or array whose opening bracket is next.
    fn nested(&mut self, depth: usize, close: u8, object: bool) -> Result<(), Error> {
        if depth > MAX_DEPTH {
            return Err(syntax("nesting deeper than 64 levels"));
        }
        self.pos += 1;
        self.skip_ws();
        if self.eat(close) {
            return Ok(());
        }
        loop {
            if object {
                self.string()?;
                self.skip_ws();
                self.expect(b':', "expected ':'")?;
                self.skip_ws();
            }
            self.value(depth + 1)?;
            self.skip_ws();
            if self.eat(close) {
                return Ok(());
            }
            self.expect(b',', "expected ',' or a closing bracket")?;
            self.skip_ws();
        }
    }
}

/// The strings of a validated array (from [`Value::Array`]), unescaped; `None` if an
/// element is not a string. For configuration, not the token path: it allocates.
pub(crate) fn string_array(array: &[u8]) -> Option<Vec<String>> {
    array_items(array, |r| owned_string(r.string().ok()?))
}

/// The elements of a validated array (from [`Value::Array`]) that are objects, as their
/// texts for [`parse_object`]; `None` if an element is not an object. For configuration.
pub(crate) fn object_array(array: &[u8]) -> Option<Vec<&[u8]>> {
    array_items(array, |r| match r.value(2).ok()? {
        Value::Object(text) => Some(text),
        _ => None,
    })
}

/// Each element of a validated array read by `item`; `None` as soon as `item` refuses one.
fn array_items<'a, T>(array: &'a [u8], mut item: impl FnMut(&mut Reader<'a>) -> Option<T>) -> Option<Vec<T>> {
    let mut r = Reader { buf: array, pos: 1 };
    let mut out = Vec::new();
    r.skip_ws();
    if r.eat(b']') {
        return Some(out);
    }
    loop {
        out.push(item(&mut r)?);
        r.skip_ws();
        if r.eat(b']') {
            return Some(out);
        }
        r.eat(b',');
        r.skip_ws();
    }
}

/// The text of a validated string, unescaped (allocates: for configuration only).
pub(crate) fn owned_string(s: JsonStr<'_>) -> Option<String> {
    String::from_utf8(s.bytes().collect()).ok()
}

/// A member name seen earlier, kept to 8 bytes (a hash and offsets into the input) so that
/// the table costs little to set up on every parse.
#[derive(Clone, Copy, Default)]
struct Seen {
    hash: u32,
    start: u16,
    len: u16,
}

impl Seen {
    /// Offsets must fit 16 bits: inputs are far smaller (the token size limit).
    fn new(hash: u32, name: JsonStr<'_>) -> Option<Self> {
        Some(Seen { hash, start: u16::try_from(name.start).ok()?, len: u16::try_from(name.raw.len()).ok()? })
    }

    fn name(self, input: &[u8]) -> JsonStr<'_> {
        let start = usize::from(self.start);
        let raw = input.get(start..start + usize::from(self.len)).unwrap_or(&[]);
        JsonStr { raw, start, escaped: raw.contains(&b'\\') }
    }
}

/// Validates `input` as exactly one JSON object (whitespace around it allowed) and calls
/// `visit` with each top-level member, in order. Allocates nothing.
pub(crate) fn parse_object<'a>(input: &'a [u8], mut visit: impl FnMut(JsonStr<'a>, Value<'a>)) -> Result<(), Error> {
    let mut r = Reader { buf: input, pos: 0 };
    r.skip_ws();
    r.expect(b'{', "expected a JSON object")?;
    // Names seen so far, with their hashes: the duplicate check compares a new name only
    // with earlier names of the same hash.
    let mut seen = [Seen::default(); MAX_MEMBERS];
    let mut count = 0;
    r.skip_ws();
    if !r.eat(b'}') {
        loop {
            let name = r.string()?;
            let hash = name.hash();
            if seen[..count].iter().any(|s| s.hash == hash && s.name(input).eq_str(name)) {
                return Err(Error::new(ErrorKind::TokenDuplicateMember));
            }
            let slot = seen.get_mut(count).ok_or(syntax("more than 128 members in an object"))?;
            *slot = Seen::new(hash, name).ok_or(syntax("object too large"))?;
            count += 1;
            r.skip_ws();
            r.expect(b':', "expected ':'")?;
            r.skip_ws();
            let value = r.value(2)?;
            visit(name, value);
            r.skip_ws();
            if r.eat(b'}') {
                break;
            }
            r.expect(b',', "expected ',' or '}'")?;
            r.skip_ws();
        }
    }
    r.skip_ws();
    if r.pos == input.len() {
        Ok(())
    } else {
        Err(syntax("data after the JSON object"))
    }
}

/// Appends `s` as a JSON string literal (RFC 8259 section 7): `"` and `\` escaped, control
/// characters as short escapes or `\u00XX`, everything else (non-ASCII included) as is.
/// The one JSON writer in the crate, beside the reader it must agree with.
pub(crate) fn write_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut plain_from = 0;
    for (i, b) in s.bytes().enumerate() {
        let short = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0x00..=0x1f => "",
            _ => continue,
        };
        // `b` is ASCII, so `i` and `i + 1` are char boundaries.
        out.push_str(&s[plain_from..i]);
        plain_from = i + 1;
        if short.is_empty() {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        } else {
            out.push_str(short);
        }
    }
    out.push_str(&s[plain_from..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(s: &str) -> String {
        let mut out = String::new();
        write_string(&mut out, s);
        out
    }

    #[test]
    fn escapes_what_json_requires() {
        assert_eq!(escaped("plain"), r#""plain""#);
        assert_eq!(escaped("a\"b\\c/d"), r#""a\"b\\c/d""#);
        assert_eq!(escaped("\n\r\t\u{8}\u{c}\u{0}\u{1f}\u{7f}"), "\"\\n\\r\\t\\b\\f\\u0000\\u001f\u{7f}\"");
        assert_eq!(escaped("caf\u{e9} \u{1F600}"), "\"caf\u{e9} \u{1F600}\"");
        assert_eq!(escaped(""), r#""""#);
    }

    #[test]
    fn our_parser_reads_back_every_escaped_character() {
        let all: String = (0u32..0x3000).chain([0xfffd, 0x1F600, 0x10FFFF]).filter_map(char::from_u32).collect();
        let doc = format!("{{\"k\":{}}}", escaped(&all));
        let mut seen = None;
        parse_object(doc.as_bytes(), |_, value| {
            if let Value::String(s) = value {
                seen = Some(s.bytes().collect::<Vec<u8>>());
            }
        })
        .unwrap();
        assert_eq!(seen.as_deref(), Some(all.as_bytes()));
    }

    fn members(input: &str) -> Result<Vec<(Vec<u8>, String)>, Error> {
        let mut out = Vec::new();
        parse_object(input.as_bytes(), |k, v| {
            let v = match v {
                Value::String(s) => format!("s:{}", String::from_utf8(s.bytes().collect()).unwrap()),
                Value::Number(n) => format!("n:{n}"),
                other => format!("{other:?}"),
            };
            out.push((k.bytes().collect(), v));
        })?;
        Ok(out)
    }

    #[test]
    fn reads_members_and_unescapes() {
        let m =
            members(r#" {"a\u00e9":"x\ud83d\ude00\n\"\/","n":-1.5e3,"o":{"x":[1,{}]},"b":true,"z":null} "#).unwrap();
        assert_eq!(m[0], ("a\u{e9}".as_bytes().to_vec(), "s:x\u{1F600}\n\"/".to_string()));
        assert_eq!(m[1].1, "n:-1.5e3");
        assert_eq!(m[2].1, format!("{:?}", Value::Object(br#"{"x":[1,{}]}"#)));
        assert_eq!(m[3].1, "Bool(true)");
        assert_eq!(m[4].1, "Null");
    }

    #[test]
    fn object_arrays() {
        assert_eq!(object_array(br#"[ {"a":1} , {} ]"#), Some(vec![&br#"{"a":1}"#[..], b"{}"]));
        assert_eq!(object_array(b"[]"), Some(vec![]));
        assert_eq!(object_array(br#"[{},1]"#), None);
    }

    #[test]
    fn string_arrays() {
        let mut arrays = Vec::new();
        parse_object(br#"{"a":[ "x", "\u00e9" ],"b":[],"c":["x",1]}"#, |_, v| {
            if let Value::Array(raw) = v {
                arrays.push(string_array(raw));
            }
        })
        .unwrap();
        assert_eq!(arrays, [Some(vec!["x".to_owned(), "\u{e9}".to_owned()]), Some(vec![]), None]);
    }

    #[test]
    fn rejects_what_strict_json_rejects() {
        for bad in [
            "",
            "[]",
            "null",
            "{",
            "{}x",
            r#"{"a":1,}"#,
            "{'a':1}",
            r#"{"a":01}"#,
            r#"{"a":NaN}"#,
            r#"{"a":Infinity}"#,
            r#"{"a":1e400}"#,
            r#"{"a":"\ud800"}"#,
            r#"{"a":"\udc00x"}"#,
            r#"{"a":"\x"}"#,
            "{\"a\":\"\t\"}",
            r#"{"a":1.}"#,
            r#"{"a":-}"#,
            r#"{"a":1e}"#,
            "\u{feff}{}",
            r#"{"a":[1,]}"#,
            r#"{"a":tru}"#,
            r#"{"a" 1}"#,
        ] {
            assert_eq!(members(bad).unwrap_err().kind(), ErrorKind::TokenJson, "{bad:?}");
        }
        assert!(parse_object(b"{\"a\":\"\xc0\xaf\"}", |_, _| {}).is_err());
        assert!(parse_object(b"{\"a\":\"\xff\"}", |_, _| {}).is_err());
    }

    #[test]
    fn unescapes_in_place() {
        let raw = r#"caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \b\f\n\r\t end"#;
        let expected = "caf\u{e9} \u{1F600} \"q\" \\ / \u{8}\u{c}\n\r\t end";
        let mut buf = raw.as_bytes().to_vec();
        let len = unescape_in_place(&mut buf);
        assert_eq!(&buf[..len], expected.as_bytes());
        let json = format!(r#"{{"k":"{raw}"}}"#);
        let mut via_iterator = Vec::new();
        parse_object(json.as_bytes(), |_, v| {
            if let Value::String(s) = v {
                via_iterator = s.bytes().collect();
            }
        })
        .unwrap();
        assert_eq!(via_iterator, expected.as_bytes());
    }

    #[test]
    fn rejects_duplicate_names_after_unescaping() {
        for dup in [r#"{"a":1,"a":2}"#, r#"{"sub":"x","s\u0075b":"y"}"#] {
            assert_eq!(members(dup).unwrap_err().kind(), ErrorKind::TokenDuplicateMember, "{dup}");
        }
        assert!(members(r#"{"a":{"b":1},"b":{"a":2}}"#).is_ok());
    }

    #[test]
    fn bounds_depth_and_members() {
        let deep = |n: usize| format!("{{\"a\":{}1{}}}", "[".repeat(n), "]".repeat(n));
        assert!(members(&deep(MAX_DEPTH - 1)).is_ok());
        assert_eq!(members(&deep(MAX_DEPTH)).unwrap_err().kind(), ErrorKind::TokenJson);
        assert_eq!(members(&deep(100_000)).unwrap_err().kind(), ErrorKind::TokenJson);
        let many = |n: usize| format!("{{{}}}", (0..n).map(|i| format!("\"k{i}\":0")).collect::<Vec<_>>().join(","));
        assert!(members(&many(MAX_MEMBERS)).is_ok());
        assert_eq!(members(&many(MAX_MEMBERS + 1)).unwrap_err().kind(), ErrorKind::TokenJson);
    }
}
