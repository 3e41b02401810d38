//! HTTPS against a self-hosted Logto behind a private CA: refused by default, trusted once the app adds the CA, with
//! either trust store (the platform's: here the system CA bundle of the Linux machine; the bundled Mozilla roots).
//! platform_trust.rs has the CA installed in the system store instead.

use std::sync::Arc;

use logto_core::{LogtoClient, LogtoConfig, MemoryStorage, TrustStore};

#[path = "support/private_ca.rs"]
mod private_ca;
use private_ca::{pki, serve, serve_with};

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
