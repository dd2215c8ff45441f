//! The laptop's own certificate (made once, kept in the data folder) and the kiosk's check of
//! it: not a certificate authority, but the exact certificate seen while pairing, by its
//! SHA-256 fingerprint.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use sha2::{Digest, Sha256};

/// The TLS crypto both ends use (ring).
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// SHA-256 of a certificate, as lower-case hex.
pub fn fingerprint(cert: &[u8]) -> String {
    hex::encode(Sha256::digest(cert))
}

/// "ab12 cd34 ..." in groups of four, the first 16 characters: what staff compare by eye.
pub fn short_fingerprint(fp: &str) -> String {
    fp.chars()
        .take(16)
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The laptop's certificate and key, made on first use and kept in `dir` (key readable by
/// this user only).
pub struct Identity {
    /// The certificate, DER.
    pub cert: Vec<u8>,
    /// Its private key, PKCS #8 DER.
    pub key: Vec<u8>,
}

impl Identity {
    /// The identity kept in `dir` (`lan-cert.der`, `lan-key.der`), made when either is missing.
    pub fn load_or_create(dir: &Path) -> std::io::Result<Self> {
        let (cert_path, key_path) = (dir.join("lan-cert.der"), dir.join("lan-key.der"));
        if let (Ok(cert), Ok(key)) = (std::fs::read(&cert_path), std::fs::read(&key_path)) {
            return Ok(Identity { cert, key });
        }
        let made = rcgen::generate_simple_self_signed(vec!["clinic-kiosk-front-desk".into()])
            .map_err(std::io::Error::other)?;
        let identity = Identity {
            cert: made.cert.der().to_vec(),
            key: made.key_pair.serialize_der(),
        };
        std::fs::create_dir_all(dir)?;
        write_private(&key_path, &identity.key)?;
        std::fs::write(&cert_path, &identity.cert)?;
        Ok(identity)
    }

    /// SHA-256 of the certificate, lower-case hex.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.cert)
    }

    /// The laptop's TLS 1.3 server settings with this certificate.
    pub fn server_config(&self) -> Result<rustls::ServerConfig, rustls::Error> {
        rustls::ServerConfig::builder_with_provider(provider())
            .with_protocol_versions(&[&rustls::version::TLS13])?
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from(self.cert.clone())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.clone())),
            )
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::io::Write as _;
        use std::os::unix::fs::OpenOptionsExt as _;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)?;
        file.write_all(bytes)
    }
    #[cfg(not(unix))]
    {
        std::fs::write(path, bytes)
    }
}

/// Accepts exactly one certificate (by fingerprint); or, while pairing, any certificate,
/// remembering which one was seen so the pairing proof can cover it.
#[derive(Debug)]
pub struct Pinned {
    expected: Option<String>,
    seen: Arc<Mutex<Option<String>>>,
    provider: Arc<CryptoProvider>,
}

impl Pinned {
    /// Trusts only the certificate with this fingerprint.
    pub fn to(fingerprint: &str) -> Self {
        Pinned {
            expected: Some(fingerprint.to_ascii_lowercase()),
            seen: Default::default(),
            provider: provider(),
        }
    }

    /// For pairing: any certificate, remembered in the returned slot.
    pub fn recording() -> (Self, Arc<Mutex<Option<String>>>) {
        let seen: Arc<Mutex<Option<String>>> = Default::default();
        (
            Pinned {
                expected: None,
                seen: seen.clone(),
                provider: provider(),
            },
            seen,
        )
    }

    /// The kiosk's TLS 1.3 client settings, trusting what this pin trusts.
    pub fn client_config(self) -> rustls::ClientConfig {
        let provider = self.provider.clone();
        rustls::ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13])
            .expect("TLS 1.3 is supported by the ring provider")
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(self))
            .with_no_client_auth()
    }
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let seen = fingerprint(end_entity);
        if let Ok(mut slot) = self.seen.lock() {
            *slot = Some(seen.clone());
        }
        match &self.expected {
            Some(expected) if *expected != seen => Err(rustls::Error::General(format!(
                "the front desk's certificate changed (expected {}, got {}); pair again if this is expected",
                short_fingerprint(expected),
                short_fingerprint(&seen)
            ))),
            _ => Ok(ServerCertVerified::assertion()),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
