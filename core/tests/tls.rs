//! HTTPS against a self-hosted Logto behind a private CA: refused by default, trusted once the app adds the CA, with
//! either trust store (the platform's: here the system CA bundle of the Linux machine; the bundled Mozilla roots).
//! platform_trust.rs has the CA installed in the system store instead.

use std::sync::Arc;

use logto_core::{LogtoClient, LogtoConfig, MemoryStorage, TrustStore};

#[path = "support/private_ca.rs"]
mod private_ca;
use private_ca::{pki, pki_with, serve, serve_on, serve_with};

#[tokio::test]
async fn private_ca_is_refused_unless_configured() {
    let pki = pki();
    let port = serve(&pki).await;
    let endpoint = format!("https://localhost:{port}");

    for trust_store in [TrustStore::Platform, TrustStore::Bundled] {
        let mut config = LogtoConfig::new(&endpoint, "app");
        config.trust_store = trust_store;
        let untrusting = LogtoClient::new(config.clone(), Arc::new(MemoryStorage::new())).unwrap();
        let err = untrusting.prefetch().await.unwrap_err();
        assert_eq!(err.code(), "network", "{trust_store:?}: {err}");

        config.extra_root_certificates_pem = vec![pki.ca_pem.clone()];
        let trusting = LogtoClient::new(config, Arc::new(MemoryStorage::new())).unwrap();
        trusting.prefetch().await.unwrap_or_else(|e| panic!("{trust_store:?}: {e}"));
    }
}

#[tokio::test]
async fn tls_1_2_and_1_3_servers_both_work() {
    let pki = pki();
    for (name, version) in [("TLS 1.2", &rustls::version::TLS12), ("TLS 1.3", &rustls::version::TLS13)] {
        let port = serve_with(&pki, &[version]).await;
        for trust_store in [TrustStore::Platform, TrustStore::Bundled] {
            let mut config = LogtoConfig::new(format!("https://localhost:{port}"), "app");
            config.extra_root_certificates_pem = vec![pki.ca_pem.clone()];
            config.trust_store = trust_store;
            let client = LogtoClient::new(config, Arc::new(MemoryStorage::new())).unwrap();
            client.prefetch().await.unwrap_or_else(|e| panic!("{name}, {trust_store:?}: {e}"));
        }
    }
}

/// The TLS parameters the SDK offers (core/src/tls.rs): every key exchange group servers use (X25519, P-256, P-384),
/// AES-GCM suites, ECDSA P-256/P-384 certificates; ChaCha20-Poly1305 and Ed25519 certificates are left out (no server
/// needs them: TLS 1.3 requires AES-128-GCM, public CAs issue no Ed25519 certificates) to keep the library small.
#[tokio::test]
async fn tls_parameters_servers_use_work_and_left_out_ones_are_refused() {
    use rustls::crypto::ring::{cipher_suite as suite, default_provider, kx_group};
    use rustls::version::{TLS12, TLS13};

    let ecdsa_p256 = pki();
    let ecdsa_p384 = pki_with(&rcgen::PKCS_ECDSA_P384_SHA384);
    let ed25519 = pki_with(&rcgen::PKCS_ED25519);
    let only_groups = |groups: &[&'static dyn rustls::crypto::SupportedKxGroup]| rustls::crypto::CryptoProvider {
        kx_groups: groups.to_vec(),
        ..default_provider()
    };
    let only_suites = |suites: &[rustls::SupportedCipherSuite]| rustls::crypto::CryptoProvider {
        cipher_suites: suites.to_vec(),
        ..default_provider()
    };
    let cases: Vec<(&str, &private_ca::Pki, &'static rustls::SupportedProtocolVersion, _, bool)> = vec![
        ("X25519 only, TLS 1.3", &ecdsa_p256, &TLS13, only_groups(&[kx_group::X25519]), true),
        ("P-256 only, TLS 1.3", &ecdsa_p256, &TLS13, only_groups(&[kx_group::SECP256R1]), true),
        ("P-384 only, TLS 1.3", &ecdsa_p256, &TLS13, only_groups(&[kx_group::SECP384R1]), true),
        ("P-384 only, TLS 1.2", &ecdsa_p256, &TLS12, only_groups(&[kx_group::SECP384R1]), true),
        ("AES-128-GCM only, TLS 1.3", &ecdsa_p256, &TLS13, only_suites(&[suite::TLS13_AES_128_GCM_SHA256]), true),
        ("AES-256-GCM only, TLS 1.3", &ecdsa_p256, &TLS13, only_suites(&[suite::TLS13_AES_256_GCM_SHA384]), true),
        (
            "ECDHE-ECDSA-AES128-GCM only, TLS 1.2",
            &ecdsa_p256,
            &TLS12,
            only_suites(&[suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]),
            true,
        ),
        ("ECDSA P-384 certificates, TLS 1.3", &ecdsa_p384, &TLS13, default_provider(), true),
        ("ECDSA P-384 certificates, TLS 1.2", &ecdsa_p384, &TLS12, default_provider(), true),
        (
            "ChaCha20-Poly1305 only, TLS 1.3",
            &ecdsa_p256,
            &TLS13,
            only_suites(&[suite::TLS13_CHACHA20_POLY1305_SHA256]),
            false,
        ),
        (
            "ChaCha20-Poly1305 only, TLS 1.2",
            &ecdsa_p256,
            &TLS12,
            only_suites(&[suite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256]),
            false,
        ),
        ("Ed25519 certificates, TLS 1.3", &ed25519, &TLS13, default_provider(), false),
    ];
    for (name, pki, version, provider, works) in cases {
        let port = serve_on(pki, &[version], provider).await;
        for trust_store in [TrustStore::Platform, TrustStore::Bundled] {
            let mut config = LogtoConfig::new(format!("https://localhost:{port}"), "app");
            config.extra_root_certificates_pem = vec![pki.ca_pem.clone()];
            config.trust_store = trust_store;
            let client = LogtoClient::new(config, Arc::new(MemoryStorage::new())).unwrap();
            match client.prefetch().await {
                Ok(()) => assert!(works, "{name}, {trust_store:?}: connected, but the SDK should not offer this"),
                Err(e) => {
                    assert!(!works, "{name}, {trust_store:?}: {e}");
                    assert_eq!(e.code(), "network", "{name}, {trust_store:?}: {e}");
                }
            }
        }
    }
}
