//! A host app's own reqwest client next to ours. Our reqwest feature (`rustls-no-provider`) unifies into the app's
//! reqwest 0.13, whose plain `Client::builder().build()` panics ("No rustls crypto provider is configured") unless a
//! process-wide rustls provider is installed. Creating a `LogtoClient` installs ring's when none is installed.
//!
//! Its own test binary: the process-wide provider is global state, and this test must see a process where nothing
//! installed one yet.

use std::sync::Arc;

use logto_core::{LogtoClient, LogtoConfig, MemoryStorage};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn the_apps_own_reqwest_client_works_once_a_logto_client_exists() {
    assert!(rustls::crypto::CryptoProvider::get_default().is_none(), "nothing installed a provider yet");
    let _ours = LogtoClient::new(LogtoConfig::new("https://tenant.logto.app", "app"), Arc::new(MemoryStorage::new()))
        .expect("LogtoClient");
    assert!(rustls::crypto::CryptoProvider::get_default().is_some(), "the SDK installed ring's provider");

    // The app's client, built the plain way, and used.
    let app_client = reqwest::Client::builder().build().expect("the app's reqwest client");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 1024];
        let _ = socket.read(&mut buf).await;
        let _ = socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok").await;
    });
    let body = app_client.get(format!("http://127.0.0.1:{port}/")).send().await.unwrap().text().await.unwrap();
    assert_eq!(body, "ok");
}
