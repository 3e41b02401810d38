//! The TLS configuration of the SDK's HTTP client: rustls on ring, TLS 1.2 and 1.3, HTTP/1.1 only.
//!
//! The crypto provider is ring's, minus its key provider: a public client never presents a certificate, and leaving
//! out private-key loading drops ring's RSA, ECDSA and Ed25519 *signing* code (~40 KB per ABI). Cipher suites, key
//! exchange groups and signature verification are ring's defaults.

use std::sync::Arc;

use rustls::crypto::{CryptoProvider, KeyProvider};
use rustls::sign::SigningKey;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::error::{LogtoError, Result};

/// The client's TLS configuration: bundled Mozilla roots plus `extra_roots_pem` (PEM CA certificates of a
/// self-hosted Logto behind a private CA).
pub(crate) fn client_config(extra_roots_pem: &[String]) -> Result<rustls::ClientConfig> {
    #[cfg(feature = "process-crypto-provider")]
    install_process_default();
    let mut roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    for cert in extra_roots(extra_roots_pem)? {
        roots.add(cert).map_err(|e| LogtoError::config(format!("extra root certificate rejected: {e}")))?;
    }
    let mut tls = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| LogtoError::Internal { message: format!("TLS set-up failed: {e}") })?
        .with_root_certificates(roots)
        .with_no_client_auth();
    // HTTP/1.1 only: a sign-in is a handful of requests, and the h2 stack would add ~200 KB to every app.
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tls)
}

/// ring's provider without private-key loading.
fn provider() -> Arc<CryptoProvider> {
    Arc::new(CryptoProvider { key_provider: &NoClientKeys, ..rustls::crypto::ring::default_provider() })
}

/// Our reqwest feature (`rustls-no-provider`) unifies into a Rust host app's reqwest 0.13, whose plain
/// `Client::builder().build()` then panics unless a process-wide rustls provider is installed. The SDK installs
/// ring's (the provider it links anyway) when, and only when, none is installed yet; an app that installed another
/// keeps it. (An app that builds its own reqwest client before the first `LogtoClient` installs one itself.)
///
/// Feature `process-crypto-provider` (default). The native library (bindings/) turns it off: no Rust code of a host
/// shares its process, and a provider that can be installed keeps reqwest's own default-TLS path (platform verifier,
/// native certificates) alive in the binary, ~115 KB per ABI.
#[cfg(feature = "process-crypto-provider")]
fn install_process_default() {
    if CryptoProvider::get_default().is_none() {
        // Losing a race to another installer is fine: then a provider is installed, which is all we need.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

fn extra_roots(pems: &[String]) -> Result<Vec<CertificateDer<'static>>> {
    let mut certs = Vec::new();
    for pem in pems {
        let before = certs.len();
        for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
            certs.push(cert.map_err(|e| LogtoError::config(format!("extra root certificate is not PEM: {e}")))?);
        }
        if certs.len() == before {
            return Err(LogtoError::config("extra root certificate contains no CERTIFICATE block"));
        }
    }
    Ok(certs)
}

#[derive(Debug)]
struct NoClientKeys;

impl KeyProvider for NoClientKeys {
    fn load_private_key(&self, _: PrivateKeyDer<'static>) -> std::result::Result<Arc<dyn SigningKey>, rustls::Error> {
        Err(rustls::Error::General("client certificates are not supported".into()))
    }
}
