//! The TLS configuration of the SDK's HTTP client: rustls on ring, TLS 1.2 and 1.3, HTTP/1.1 only.
//!
//! Trust ([`TrustStore`]): by default the platform's, through rustls-platform-verifier (iOS/macOS `SecTrust`, Android's
//! `X509TrustManager` through JNI, the system CA bundle on Linux), or the Mozilla roots compiled in (webpki-roots,
//! feature `bundled-roots`).
//! Extra CA certificates from the configuration are trusted on top of either: with the platform verifier, a chain it
//! rejects *only* because it does not know the issuer is checked again against the extra CAs alone (WebPKI) — the
//! same rule on every platform, Android included, whose platform verifier takes no extra roots.
//!
//! The crypto provider is ring's, cut to what servers use, for the library's size budget (each cut measured with
//! bindings/scripts/size.sh; tests/tls.rs connects to servers limited to each kept parameter and is refused by those
//! limited to a left-out one):
//! - no key provider: a public client never presents a certificate; leaving out private-key loading drops ring's
//!   RSA, ECDSA and Ed25519 *signing* code (~40 KB per ABI);
//! - AES-GCM suites only (TLS 1.3 AES-128/256-GCM; TLS 1.2 ECDHE-ECDSA/RSA AES-128/256-GCM): every TLS 1.3 server
//!   must offer AES-128-GCM (RFC 8446 §9.1), and TLS 1.2 servers offer AES-GCM (Mozilla's intermediate and old
//!   configurations both do). ChaCha20-Poly1305 is faster only for bulk data on CPUs without AES instructions; a
//!   sign-in is a few small requests;
//! - certificate signatures ECDSA P-256/P-384 and RSA (PKCS#1, PSS), not Ed25519: public CAs issue no Ed25519
//!   certificates (CA/Browser Forum Baseline Requirements §6.1.5);
//! - key exchange X25519, P-256 and P-384, as ring's default (P-384 kept for servers configured for it alone).
//!
//! Leaving out ChaCha20-Poly1305 and Ed25519 saves ~70 KB, which pays for graviola's P-384 (src/jwt/crypto.rs).

use std::sync::{Arc, LazyLock, OnceLock};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, KeyProvider};
use rustls::sign::SigningKey;
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};

use crate::config::TrustStore;
use crate::error::{LogtoError, Result};

/// The client's TLS configuration.
pub(crate) fn client_config(trust: TrustStore, extra_roots_pem: &[String]) -> Result<rustls::ClientConfig> {
    #[cfg(feature = "process-crypto-provider")]
    install_process_default();
    let extra = extra_roots(extra_roots_pem)?;
    let builder = rustls::ClientConfig::builder_with_provider(PROVIDER.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| LogtoError::Internal { message: format!("TLS set-up failed: {e}") })?;
    let mut tls = match trust {
        TrustStore::Bundled => {
            let mut roots = bundled_roots()?;
            add_all(&mut roots, extra)?;
            builder.with_root_certificates(roots)
        }
        TrustStore::Platform => {
            let platform = platform_verifier()?;
            let verifier: Arc<dyn ServerCertVerifier> = if extra.is_empty() {
                platform
            } else {
                let mut roots = rustls::RootCertStore::empty();
                add_all(&mut roots, extra)?;
                let extra = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), PROVIDER.clone())
                    .build()
                    .map_err(|e| LogtoError::config(format!("extra root certificates unusable: {e}")))?;
                Arc::new(PlatformThenExtra { platform, extra })
            };
            builder.dangerous().with_custom_certificate_verifier(verifier)
        }
    }
    .with_no_client_auth();
    // HTTP/1.1 only: a sign-in is a handful of requests, and the h2 stack would add ~200 KB to every app.
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tls)
}

#[cfg(feature = "bundled-roots")]
fn bundled_roots() -> Result<rustls::RootCertStore> {
    Ok(rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() })
}

#[cfg(not(feature = "bundled-roots"))]
fn bundled_roots() -> Result<rustls::RootCertStore> {
    Err(LogtoError::config(
        "this build has no bundled root certificates (logto-core feature `bundled-roots`); use the platform trust store",
    ))
}

/// ring's provider, cut as the module's documentation says; one per process, so that verifiers built once can be
/// shared. Built field by field: `..default_provider()` would keep every left-out suite in the library.
static PROVIDER: LazyLock<Arc<CryptoProvider>> = LazyLock::new(|| {
    use rustls::crypto::ring::{cipher_suite as suite, kx_group};
    Arc::new(CryptoProvider {
        cipher_suites: vec![
            suite::TLS13_AES_128_GCM_SHA256,
            suite::TLS13_AES_256_GCM_SHA384,
            suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            suite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            suite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        ],
        kx_groups: vec![kx_group::X25519, kx_group::SECP256R1, kx_group::SECP384R1],
        signature_verification_algorithms: SIGNATURE_ALGORITHMS,
        secure_random: &RingRandom,
        key_provider: &NoClientKeys,
    })
});

/// rustls' ring list (rustls/src/crypto/ring/mod.rs) without Ed25519.
static SIGNATURE_ALGORITHMS: rustls::crypto::WebPkiSupportedAlgorithms = {
    use webpki::ring as alg;
    rustls::crypto::WebPkiSupportedAlgorithms {
        all: &[
            alg::ECDSA_P256_SHA256,
            alg::ECDSA_P256_SHA384,
            alg::ECDSA_P384_SHA256,
            alg::ECDSA_P384_SHA384,
            alg::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
            alg::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
            alg::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
            alg::RSA_PKCS1_2048_8192_SHA256,
            alg::RSA_PKCS1_2048_8192_SHA384,
            alg::RSA_PKCS1_2048_8192_SHA512,
            alg::RSA_PKCS1_2048_8192_SHA256_ABSENT_PARAMS,
            alg::RSA_PKCS1_2048_8192_SHA384_ABSENT_PARAMS,
            alg::RSA_PKCS1_2048_8192_SHA512_ABSENT_PARAMS,
        ],
        mapping: &[
            (SignatureScheme::ECDSA_NISTP384_SHA384, &[alg::ECDSA_P384_SHA384, alg::ECDSA_P256_SHA384]),
            (SignatureScheme::ECDSA_NISTP256_SHA256, &[alg::ECDSA_P256_SHA256, alg::ECDSA_P384_SHA256]),
            (SignatureScheme::RSA_PSS_SHA512, &[alg::RSA_PSS_2048_8192_SHA512_LEGACY_KEY]),
            (SignatureScheme::RSA_PSS_SHA384, &[alg::RSA_PSS_2048_8192_SHA384_LEGACY_KEY]),
            (SignatureScheme::RSA_PSS_SHA256, &[alg::RSA_PSS_2048_8192_SHA256_LEGACY_KEY]),
            (SignatureScheme::RSA_PKCS1_SHA512, &[alg::RSA_PKCS1_2048_8192_SHA512]),
            (SignatureScheme::RSA_PKCS1_SHA384, &[alg::RSA_PKCS1_2048_8192_SHA384]),
            (SignatureScheme::RSA_PKCS1_SHA256, &[alg::RSA_PKCS1_2048_8192_SHA256]),
        ],
    }
};

/// ring's system random source (rustls' own is private to its ring provider).
#[derive(Debug)]
struct RingRandom;

impl rustls::crypto::SecureRandom for RingRandom {
    fn fill(&self, buf: &mut [u8]) -> std::result::Result<(), rustls::crypto::GetRandomFailed> {
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), buf)
            .map_err(|_| rustls::crypto::GetRandomFailed)
    }
}

/// The platform verifier, built once per process: on Linux building it reads and parses the system CA bundle
/// (milliseconds), which a client created per screen should not pay again. A failure is not kept: the next client
/// tries again.
fn platform_verifier() -> Result<Arc<dyn ServerCertVerifier>> {
    static PLATFORM: OnceLock<Arc<rustls_platform_verifier::Verifier>> = OnceLock::new();
    if let Some(verifier) = PLATFORM.get() {
        return Ok(verifier.clone());
    }
    #[cfg(target_os = "android")]
    if !android::initialized() {
        return Err(LogtoError::config(
            "the platform trust store needs LogtoAndroid.init(context) (logto-android) before the first client; \
             or set trust_store to Bundled",
        ));
    }
    let verifier = rustls_platform_verifier::Verifier::new(PROVIDER.clone()).map_err(|e| {
        LogtoError::config(format!("the platform trust store is unusable ({e}); set trust_store to Bundled"))
    })?;
    Ok(PLATFORM.get_or_init(|| Arc::new(verifier)).clone())
}

/// The platform's decision, except that a chain the platform rejects because it does not know the issuer is accepted
/// if it chains to one of the app's extra CAs.
#[derive(Debug)]
struct PlatformThenExtra {
    platform: Arc<dyn ServerCertVerifier>,
    extra: Arc<WebPkiServerVerifier>,
}

impl ServerCertVerifier for PlatformThenExtra {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        match self.platform.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)) => {
                self.extra.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            }
            decided => decided,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.platform.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.platform.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.platform.supported_verify_schemes()
    }
}

/// Our reqwest feature (`rustls-no-provider`) unifies into a Rust host app's reqwest 0.13, whose plain
/// `Client::builder().build()` then panics unless a process-wide rustls provider is installed. The SDK installs
/// ring's (the provider it links anyway) when, and only when, none is installed yet; an app that installed another
/// keeps it. (An app that builds its own reqwest client before the first `LogtoClient` installs one itself.)
///
/// Feature `process-crypto-provider` (default). The native library (bindings/) turns it off: no Rust code of a host
/// shares its process, and a provider that can be installed keeps reqwest's own default-TLS path alive in the
/// binary, ~115 KB per ABI.
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

fn add_all(roots: &mut rustls::RootCertStore, certs: Vec<CertificateDer<'static>>) -> Result<()> {
    for cert in certs {
        roots.add(cert).map_err(|e| LogtoError::config(format!("extra root certificate rejected: {e}")))?;
    }
    Ok(())
}

#[derive(Debug)]
struct NoClientKeys;

impl KeyProvider for NoClientKeys {
    fn load_private_key(&self, _: PrivateKeyDer<'static>) -> std::result::Result<Arc<dyn SigningKey>, rustls::Error> {
        Err(rustls::Error::General("client certificates are not supported".into()))
    }
}

/// Android: rustls-platform-verifier calls the platform's `X509TrustManager` through JNI, so it needs the JVM and the
/// app's `Context` first. logto-android hands them over (`LogtoAndroid.init`, through the JNI function the native
/// library exports); until then the platform trust store is refused with a clear error instead of the verifier's
/// panic.
#[cfg(target_os = "android")]
pub mod android {
    use std::sync::atomic::{AtomicBool, Ordering};

    static INITIALIZED: AtomicBool = AtomicBool::new(false);

    /// Gives the platform verifier the JVM and the application `Context`. Idempotent.
    pub fn init(env: &mut jni::Env, context: jni::objects::JObject) -> Result<(), jni::errors::Error> {
        rustls_platform_verifier::android::init_with_env(env, context)?;
        INITIALIZED.store(true, Ordering::Release);
        Ok(())
    }

    pub(crate) fn initialized() -> bool {
        INITIALIZED.load(Ordering::Acquire)
    }
}
