//! International domain names in the shipped library: `idna_adapter` is pinned to its ASCII-only 1.0.x stream
//! (Cargo.toml), so an endpoint must be written in its ASCII (`xn--`) form; a Unicode host is a configuration error,
//! never a panic or a silently different host.

use std::sync::Arc;

use crate::{LogtoCoreClient, LogtoError, Storage, StorageError, default_logto_config};

struct NoStorage;

impl Storage for NoStorage {
    fn get(&self, _key: String) -> Result<Option<String>, StorageError> {
        Ok(None)
    }
    fn set(&self, _key: String, _value: String) -> Result<(), StorageError> {
        Ok(())
    }
    fn remove(&self, _key: String) -> Result<(), StorageError> {
        Ok(())
    }
    fn shared_id(&self) -> Option<String> {
        None
    }
    fn lock(&self, _key: String) -> Result<(), StorageError> {
        Ok(())
    }
    fn unlock(&self, _key: String) {}
}

fn client(endpoint: &str) -> Result<Arc<LogtoCoreClient>, LogtoError> {
    LogtoCoreClient::new(default_logto_config(endpoint.into(), "app".into()), Arc::new(NoStorage))
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
