//! Just enough DER to read RSA keys and write the two public forms.
//!
//! Reading (with `untrusted`) borrows the input and checks every length before using it; each structure is
//! read whole, so trailing bytes are refused. Only what key loading needs is understood:
//! SubjectPublicKeyInfo, PKCS#1 `RSAPublicKey`, PKCS#8 `PrivateKeyInfo`, and the public
//! half of a PKCS#1 `RSAPrivateKey` (the rest of a private key is checked by aws-lc).

use crate::error::{Error, ErrorKind};

pub(crate) const TAG_INTEGER: u8 = 0x02;
pub(crate) const TAG_BIT_STRING: u8 = 0x03;
pub(crate) const TAG_OCTET_STRING: u8 = 0x04;
pub(crate) const TAG_NULL: u8 = 0x05;
pub(crate) const TAG_OID: u8 = 0x06;
pub(crate) const TAG_SEQUENCE: u8 = 0x30;

/// `rsaEncryption` (1.2.840.113549.1.1.1), the OID's content bytes.
const OID_RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

/// Keys are at most a few KiB (an 8192-bit PKCS#1 private key is about 4.7 KiB), so a
/// length needs at most two bytes.
const MAX_LENGTH_BYTES: usize = 2;

fn malformed() -> Error {
    Error::new(ErrorKind::KeyInvalid).with_detail("the key's DER encoding is malformed")
}

/// A cursor over DER bytes: `untrusted`'s reader (ring's and webpki's), which never reads
/// past its input and hands out borrowed slices.
pub(crate) struct Reader<'a> {
    inner: untrusted::Reader<'a>,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(input: &'a [u8]) -> Self {
        Reader { inner: untrusted::Reader::new(untrusted::Input::from(input)) }
    }

    /// Whether the next element has tag `tag`.
    pub(crate) fn peek_tag(&self, tag: u8) -> bool {
        self.inner.peek(tag)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        self.inner.read_bytes(n).map(|input| input.as_slice_less_safe()).map_err(|_| malformed())
    }

    fn byte(&mut self) -> Result<u8, Error> {
        self.inner.read_byte().map_err(|_| malformed())
    }

    /// Reads one element: its tag and its contents. Only low tag numbers and minimal
    /// definite lengths are accepted, as DER requires.
    pub(crate) fn read_any(&mut self) -> Result<(u8, &'a [u8]), Error> {
        let tag = self.byte()?;
        if tag & 0x1f == 0x1f {
            return Err(malformed());
        }
        let first = self.byte()?;
        let len = if first & 0x80 == 0 {
            usize::from(first)
        } else {
            let count = usize::from(first & 0x7f);
            if count == 0 || count > MAX_LENGTH_BYTES {
                return Err(malformed());
            }
            let bytes = self.take(count)?;
            if bytes[0] == 0 {
                return Err(malformed());
            }
            let len = bytes.iter().fold(0usize, |acc, &b| acc << 8 | usize::from(b));
            if len < 0x80 {
                return Err(malformed());
            }
            len
        };
        Ok((tag, self.take(len)?))
    }

    /// Reads one element that must have tag `tag`.
    pub(crate) fn expect(&mut self, tag: u8) -> Result<&'a [u8], Error> {
        match self.read_any()? {
            (t, contents) if t == tag => Ok(contents),
            _ => Err(malformed()),
        }
    }

    /// Reads a positive INTEGER, returned big-endian without its sign byte. Zero,
    /// negative numbers and non-minimal encodings are refused.
    pub(crate) fn positive_integer(&mut self) -> Result<&'a [u8], Error> {
        let value = self.expect(TAG_INTEGER)?;
        match value {
            [] | [0] => Err(malformed()),
            [0, second, ..] if second & 0x80 != 0 => Ok(&value[1..]),
            [0, ..] => Err(malformed()),
            [first, ..] if first & 0x80 != 0 => Err(malformed()),
            _ => Ok(value),
        }
    }

    /// Reads a non-negative INTEGER that fits a byte (version numbers).
    pub(crate) fn small_integer(&mut self) -> Result<u8, Error> {
        match *self.expect(TAG_INTEGER)? {
            [v] if v & 0x80 == 0 => Ok(v),
            _ => Err(malformed()),
        }
    }

    /// Fails unless everything was read.
    pub(crate) fn finish(self) -> Result<(), Error> {
        if self.inner.at_end() {
            Ok(())
        } else {
            Err(malformed())
        }
    }
}

/// Reads `input` as exactly one element with tag `tag` and returns a reader over its
/// contents.
fn whole(input: &[u8], tag: u8) -> Result<Reader<'_>, Error> {
    let mut outer = Reader::new(input);
    let contents = outer.expect(tag)?;
    outer.finish()?;
    Ok(Reader::new(contents))
}

/// An RSA public key's numbers, big-endian without leading zeros.
#[derive(Clone, Copy)]
pub(crate) struct RsaNumbers<'a> {
    pub n: &'a [u8],
    pub e: &'a [u8],
}

/// PKCS#1 `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }`.
pub(crate) fn rsa_public_key(input: &[u8]) -> Result<RsaNumbers<'_>, Error> {
    let mut seq = whole(input, TAG_SEQUENCE)?;
    let n = seq.positive_integer()?;
    let e = seq.positive_integer()?;
    seq.finish()?;
    Ok(RsaNumbers { n, e })
}

/// Reads an `AlgorithmIdentifier` and refuses every algorithm but `rsaEncryption`
/// (whose parameters must be NULL, RFC 3279 section 2.3.1).
fn rsa_algorithm(reader: &mut Reader<'_>) -> Result<(), Error> {
    let mut alg = Reader::new(reader.expect(TAG_SEQUENCE)?);
    let oid = alg.expect(TAG_OID)?;
    if oid.is_empty() {
        return Err(malformed());
    }
    if oid != OID_RSA_ENCRYPTION {
        return Err(Error::new(ErrorKind::KeyUnsupported).with_detail("not an RSA key (only RSA keys are supported)"));
    }
    if !alg.expect(TAG_NULL)?.is_empty() {
        return Err(malformed());
    }
    alg.finish()
}

/// `SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey
/// BIT STRING }`, returning the PKCS#1 `RSAPublicKey` inside the bit string.
pub(crate) fn spki_rsa_public_key(input: &[u8]) -> Result<&[u8], Error> {
    let mut seq = whole(input, TAG_SEQUENCE)?;
    rsa_algorithm(&mut seq)?;
    let bits = seq.expect(TAG_BIT_STRING)?;
    seq.finish()?;
    match bits {
        [0, key @ ..] => Ok(key),
        _ => Err(malformed()),
    }
}

/// `PrivateKeyInfo` (PKCS#8 v1, or v2 `OneAsymmetricKey`), returning the PKCS#1
/// `RSAPrivateKey` inside its octet string. Optional trailing fields are left to aws-lc.
pub(crate) fn pkcs8_rsa_private_key(input: &[u8]) -> Result<&[u8], Error> {
    let mut seq = whole(input, TAG_SEQUENCE)?;
    if seq.small_integer()? > 1 {
        return Err(malformed());
    }
    rsa_algorithm(&mut seq)?;
    seq.expect(TAG_OCTET_STRING)
}

/// The modulus and public exponent of a PKCS#1 `RSAPrivateKey ::= SEQUENCE { version,
/// modulus, publicExponent, privateExponent, ... }`. Only the public half is read here.
pub(crate) fn rsa_private_key_public_part(input: &[u8]) -> Result<RsaNumbers<'_>, Error> {
    let mut seq = whole(input, TAG_SEQUENCE)?;
    if seq.small_integer()? > 1 {
        return Err(malformed());
    }
    let n = seq.positive_integer()?;
    let e = seq.positive_integer()?;
    Ok(RsaNumbers { n, e })
}

/// Which structure a DER key is, from the tag of the first element inside its outer
/// SEQUENCE.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `SEQUENCE { SEQUENCE ...`: SubjectPublicKeyInfo.
    SequenceFirst,
    /// `SEQUENCE { INTEGER ...`: PKCS#1 `RSAPublicKey`, `RSAPrivateKey` or PKCS#8.
    IntegerFirst,
}

pub(crate) fn shape(input: &[u8]) -> Result<Shape, Error> {
    let inner = whole(input, TAG_SEQUENCE)?;
    if inner.peek_tag(TAG_SEQUENCE) {
        Ok(Shape::SequenceFirst)
    } else if inner.peek_tag(TAG_INTEGER) {
        Ok(Shape::IntegerFirst)
    } else {
        Err(malformed())
    }
}

/// Whether an `INTEGER`-first SEQUENCE is PKCS#8 (`version, AlgorithmIdentifier, ...`)
/// rather than PKCS#1 `RSAPrivateKey` (`version, modulus, ...`).
pub(crate) fn is_pkcs8(input: &[u8]) -> Result<bool, Error> {
    let mut seq = whole(input, TAG_SEQUENCE)?;
    seq.small_integer()?;
    Ok(seq.peek_tag(TAG_SEQUENCE))
}

/// Appends one element with a minimal DER length.
fn write_element(out: &mut Vec<u8>, tag: u8, contents: &[u8]) {
    out.push(tag);
    match u8::try_from(contents.len()) {
        Ok(short) if short < 0x80 => out.push(short),
        _ => {
            let len = contents.len().to_be_bytes();
            let skip = len.iter().take_while(|&&b| b == 0).count();
            let count = len.len() - skip;
            // `count` is at most size_of::<usize>(), far below 0x80.
            out.push(0x80 | u8::try_from(count).unwrap_or(0x7f));
            out.extend_from_slice(&len[skip..]);
        }
    }
    out.extend_from_slice(contents);
}

fn write_positive_integer(out: &mut Vec<u8>, value: &[u8]) {
    if value.first().is_some_and(|&b| b & 0x80 != 0) {
        let mut padded = Vec::with_capacity(value.len() + 1);
        padded.push(0);
        padded.extend_from_slice(value);
        write_element(out, TAG_INTEGER, &padded);
    } else {
        write_element(out, TAG_INTEGER, value);
    }
}

/// PKCS#1 `RSAPublicKey` DER for `n` and `e` (big-endian, no leading zeros).
pub(crate) fn write_rsa_public_key(numbers: RsaNumbers<'_>) -> Vec<u8> {
    let mut ints = Vec::with_capacity(numbers.n.len() + numbers.e.len() + 8);
    write_positive_integer(&mut ints, numbers.n);
    write_positive_integer(&mut ints, numbers.e);
    let mut out = Vec::with_capacity(ints.len() + 4);
    write_element(&mut out, TAG_SEQUENCE, &ints);
    out
}

/// SubjectPublicKeyInfo DER wrapping PKCS#1 `RSAPublicKey` DER.
pub(crate) fn write_spki(rsa_public_key: &[u8]) -> Vec<u8> {
    let mut alg = Vec::with_capacity(15);
    write_element(&mut alg, TAG_OID, OID_RSA_ENCRYPTION);
    write_element(&mut alg, TAG_NULL, &[]);
    let mut bits = Vec::with_capacity(rsa_public_key.len() + 1);
    bits.push(0);
    bits.extend_from_slice(rsa_public_key);
    let mut body = Vec::with_capacity(bits.len() + 24);
    write_element(&mut body, TAG_SEQUENCE, &alg);
    write_element(&mut body, TAG_BIT_STRING, &bits);
    let mut out = Vec::with_capacity(body.len() + 4);
    write_element(&mut out, TAG_SEQUENCE, &body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(input: &[u8]) -> Result<Vec<u8>, Error> {
        let mut r = Reader::new(input);
        let v = r.positive_integer()?.to_vec();
        r.finish()?;
        Ok(v)
    }

    #[test]
    fn positive_integers_are_minimal_and_positive() {
        assert_eq!(int(&[2, 1, 1]).unwrap(), [1]);
        assert_eq!(int(&[2, 2, 0, 0x80]).unwrap(), [0x80]);
        assert_eq!(int(&[2, 3, 1, 0, 1]).unwrap(), [1, 0, 1]);
        for bad in [&[2, 0][..], &[2, 1, 0], &[2, 2, 0, 1], &[2, 1, 0x80], &[2, 2, 1], &[3, 1, 1], &[2, 1, 1, 0]] {
            assert_eq!(int(bad).unwrap_err().kind(), ErrorKind::KeyInvalid, "{bad:?}");
        }
    }

    #[test]
    fn lengths_are_definite_minimal_and_bounded() {
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend([0; 0x80]);
        assert_eq!(Reader::new(&long).expect(TAG_OCTET_STRING).unwrap().len(), 0x80);
        for bad in [
            &[0x04, 0x81, 0x7f][..],         // long form for a short length
            &[0x04, 0x82, 0x00, 0x80],       // leading zero length byte
            &[0x04, 0x80],                   // indefinite length
            &[0x04, 0x83, 0x01, 0x00, 0x00], // three length bytes
            &[0x04, 0x05, 0x00],             // shorter than announced
            &[0x1f, 0x01, 0x00],             // high tag number
            &[0x04],                         // no length at all
            &[0x04, 0x82, 0xff],             // truncated length
        ] {
            assert!(Reader::new(bad).read_any().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn writes_what_it_reads() {
        let n = [0xc5; 256];
        let der = write_rsa_public_key(RsaNumbers { n: &n, e: &[1, 0, 1] });
        let read = rsa_public_key(&der).unwrap();
        assert_eq!((read.n, read.e), (&n[..], &[1, 0, 1][..]));
        let spki = write_spki(&der);
        assert_eq!(shape(&spki).unwrap(), Shape::SequenceFirst);
        assert_eq!(shape(&der).unwrap(), Shape::IntegerFirst);
        assert_eq!(spki_rsa_public_key(&spki).unwrap(), &der[..]);
        let mut trailing = spki.clone();
        trailing.push(0);
        assert!(spki_rsa_public_key(&trailing).is_err());
    }
}
