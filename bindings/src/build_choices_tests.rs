//! What this build of the library chose for its size (bindings/Cargo.toml), as the app sees it:
//! - international domain names: `idna_adapter` is pinned to its ASCII-only 1.0.x stream, so an endpoint must be
//!   written in its ASCII (`xn--`) form; a Unicode host is a configuration error, never a panic or a silently
//!   different host;
//! - no bundled root certificates (logto-core without `bundled-roots`): `TrustStore::Bundled` is a configuration
//!   error; the platform's trust store is the default and works.

use std::sync::Arc;

use crate::test_storage::TestStorage;
use crate::{LogtoConfig, LogtoCoreClient, LogtoError, TrustStore, default_logto_config};

fn client(endpoint: &str) -> Result<Arc<LogtoCoreClient>, LogtoError> {
    with_config(default_logto_config(endpoint.into(), "app".into()))
}

fn with_config(config: LogtoConfig) -> Result<Arc<LogtoCoreClient>, LogtoError> {
    LogtoCoreClient::new(config, Arc::new(TestStorage::default()))
}

#[test]
fn punycode_hosts_are_accepted_as_written() {
    let c = client("https://xn--bcher-kva.example").unwrap();
    assert_eq!(c.issuer(), "https://xn--bcher-kva.example/oidc");
    let c = client("https://Tenant.LOGTO.app").unwrap();
    assert_eq!(c.issuer(), "https://tenant.logto.app/oidc");
}

#[test]
fn a_unicode_host_is_an_invalid_config_error() {
    for endpoint in ["https://bücher.example", "https://例え.jp", "https://tenant.logto.app\u{3002}"] {
        match client(endpoint) {
            Err(LogtoError::InvalidConfig { code, error_message }) => {
                assert_eq!(code, "invalid_config");
                assert!(error_message.contains("international domain name"), "{endpoint}: {error_message}");
            }
            other => panic!("{endpoint}: {:?}", other.map(|c| c.issuer())),
        }
    }
}

#[test]
fn the_platform_trust_store_is_the_default_and_bundled_roots_are_not_built_in() {
    let config = default_logto_config("https://tenant.logto.app".into(), "app".into());
    assert_eq!(config.trust_store, TrustStore::Platform);
    with_config(config.clone()).expect("the platform trust store (on Linux: the system CA bundle)");
    match with_config(LogtoConfig { trust_store: TrustStore::Bundled, ..config }) {
        Err(LogtoError::InvalidConfig { error_message, .. }) => {
            assert!(error_message.contains("no bundled root certificates"), "{error_message}")
        }
        other => panic!("{:?}", other.map(|c| c.issuer())),
    }
}
