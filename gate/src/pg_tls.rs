//! The TLS client for PostgreSQL (rustls with ring, through tokio-postgres-rustls), built
//! once from the URL's `sslmode`: `require` encrypts without checking the certificate
//! (libpq's meaning), `verify-ca` checks the chain against `sslrootcert`, `verify-full`
//! the chain and the host name.

use crate::pg_url::{Tls, MAX_ROOT_CERT_BYTES};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, Error, RootCertStore, SignatureScheme};
use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use tokio_postgres_rustls::MakeRustlsConnect;

/// The connector for `tls` (unused, and never called, when `tls` is `Off`: the
/// configuration then says `sslmode=disable`).
pub fn connector(tls: &Tls) -> Result<MakeRustlsConnect, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier: Arc<dyn ServerCertVerifier> = match tls {
        Tls::Off | Tls::Require => Arc::new(Unverified(Arc::clone(&provider))),
        Tls::VerifyCa(path) => Arc::new(ChainOnly(webpki(path, &provider)?)),
        Tls::VerifyFull(path) => webpki(path, &provider)?,
    };
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// rustls's standard verifier (chain, validity, host name) over the CAs in `path`.
fn webpki(path: &Path, provider: &Arc<CryptoProvider>) -> Result<Arc<WebPkiServerVerifier>, String> {
    let roots = Arc::new(read_roots(path)?);
    WebPkiServerVerifier::builder_with_provider(roots, Arc::clone(provider))
        .build()
        .map_err(|e| format!("sslrootcert {}: {e}", path.display()))
}

/// The PEM CA certificates in `path`, its size checked before it is read.
pub fn read_roots(path: &Path) -> Result<RootCertStore, String> {
    let what = format!("sslrootcert {}", path.display());
    let file = std::fs::File::open(path).map_err(|e| format!("{what}: {e}"))?;
    let size = file.metadata().map_err(|e| format!("{what}: {e}"))?.len();
    if size > MAX_ROOT_CERT_BYTES {
        return Err(format!("{what}: {size} bytes, more than the {MAX_ROOT_CERT_BYTES} allowed"));
    }
    let mut pem = Vec::new();
    // Bounded again while reading: the file may grow between the two looks.
    file.take(MAX_ROOT_CERT_BYTES + 1).read_to_end(&mut pem).map_err(|e| format!("{what}: {e}"))?;
    if pem.len() as u64 > MAX_ROOT_CERT_BYTES {
        return Err(format!("{what}: more than the {MAX_ROOT_CERT_BYTES} bytes allowed"));
    }
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|e| format!("{what}: not PEM certificates: {e}"))?;
        roots.add(cert).map_err(|e| format!("{what}: a certificate that cannot be a root: {e}"))?;
    }
    if roots.is_empty() {
        return Err(format!("{what}: holds no PEM certificate"));
    }
    Ok(roots)
}

/// `sslmode=require`: any certificate is accepted, but the handshake's signatures are
/// still checked (so the session is at least bound to the certificate shown).
#[derive(Debug)]
struct Unverified(Arc<CryptoProvider>);

impl ServerCertVerifier for Unverified {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `sslmode=verify-ca`: the full check, except that a certificate for another name passes.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        match self.0.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
            Err(Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_certificates_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ca.pem");
        let missing = read_roots(&path).unwrap_err();
        assert!(missing.starts_with("sslrootcert "), "{missing}");
        std::fs::write(&path, "not a certificate\n").unwrap();
        assert!(read_roots(&path).unwrap_err().contains("holds no PEM certificate"));
        std::fs::write(&path, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").unwrap();
        assert!(read_roots(&path).unwrap_err().contains("cannot be a root"));
        std::fs::write(&path, vec![b'a'; MAX_ROOT_CERT_BYTES as usize + 1]).unwrap();
        assert!(read_roots(&path).unwrap_err().contains("more than the 1048576 allowed"));
        let tls = Tls::VerifyFull(path.clone());
        assert!(connector(&tls).is_err());
        assert!(connector(&Tls::Require).is_ok());
    }
}
