//! The platform trust store on Linux: a private CA installed in the system's CA store is trusted with the default
//! `TrustStore::Platform` (no extra CA configured) and not with `TrustStore::Bundled`; a CA the system does not have
//! still needs `extra_root_certificates_pem`.
//!
//! "Installed" through `SSL_CERT_FILE`, the system store's own override (OpenSSL's convention, which the platform
//! verifier's Linux back end, rustls-native-certs, follows): a bundle of the machine's CAs plus the private one. The
//! machine's real store (/etc/ssl/certs) is not touched: the machine is shared. Its own test binary: the variable must
//! be set before the process builds its (process-wide, cached) platform verifier, and no other test may see it.

use std::sync::Arc;

use logto_core::{LogtoClient, LogtoConfig, MemoryStorage, TrustStore};

#[path = "support/private_ca.rs"]
mod private_ca;
use private_ca::{pki, serve};

#[tokio::test]
async fn a_ca_in_the_system_store_is_trusted_by_the_platform_trust_store_only() {
    let installed = pki();
    let unknown = pki();
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("ca-certificates.crt");
    let system = std::fs::read_to_string("/etc/ssl/certs/ca-certificates.crt").unwrap_or_default();
    std::fs::write(&bundle, format!("{system}\n{}", installed.ca_pem)).unwrap();
    // SAFETY: the only test of this binary, on a current-thread runtime: no other thread reads the environment.
    unsafe { std::env::set_var("SSL_CERT_FILE", &bundle) };

    let client = |endpoint: &str, trust_store: TrustStore, extra: Option<&str>| {
        let mut config = LogtoConfig::new(endpoint, "app");
        config.trust_store = trust_store;
        config.extra_root_certificates_pem = extra.map(str::to_owned).into_iter().collect();
        LogtoClient::new(config, Arc::new(MemoryStorage::new())).unwrap()
    };

    let endpoint = format!("https://localhost:{}", serve(&installed).await);
    client(&endpoint, TrustStore::Platform, None).prefetch().await.expect("trusted through the system store");
    let err = client(&endpoint, TrustStore::Bundled, None).prefetch().await.unwrap_err();
    assert_eq!(err.code(), "network", "the bundled roots do not know the private CA: {err}");

    let endpoint = format!("https://localhost:{}", serve(&unknown).await);
    let err = client(&endpoint, TrustStore::Platform, None).prefetch().await.unwrap_err();
    assert_eq!(err.code(), "network", "not in the system store: {err}");
    client(&endpoint, TrustStore::Platform, Some(&unknown.ca_pem)).prefetch().await.expect("trusted as an extra CA");
    // An extra CA is trusted in addition to the system store, not instead of it.
    let endpoint = format!("https://localhost:{}", serve(&installed).await);
    client(&endpoint, TrustStore::Platform, Some(&unknown.ca_pem)).prefetch().await.expect("system CA still trusted");
}
