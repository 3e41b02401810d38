//! HTTPS against a self-hosted Logto behind a private CA: refused by default, trusted once the app adds the CA.

use std::sync::Arc;

use logto_core::{LogtoClient, LogtoConfig, MemoryStorage};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Pki {
    ca_pem: String,
    server_chain: Vec<CertificateDer<'static>>,
    server_key: PrivateKeyDer<'static>,
}

fn pki() -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let server_key = KeyPair::generate().unwrap();
    let server_cert =
        CertificateParams::new(vec!["localhost".to_string()]).unwrap().signed_by(&server_key, &issuer).unwrap();
    Pki {
        ca_pem: ca_cert.pem(),
        server_chain: vec![server_cert.der().clone()],
        server_key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
    }
}

/// A one-file HTTPS "provider": discovery and JWKS, enough for `prefetch`.
async fn serve(pki: &Pki) -> u16 {
    serve_with(pki, rustls::DEFAULT_VERSIONS).await
}

/// The same, speaking only the given TLS versions.
async fn serve_with(pki: &Pki, versions: &[&'static rustls::SupportedProtocolVersion]) -> u16 {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(pki.server_chain.clone(), pki.server_key.clone_key())
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let (tcp, _) = listener.accept().await.unwrap();
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                let mut buf = vec![0u8; 8192];
                let n = tls.read(&mut buf).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]).to_string();
                let issuer = format!("https://localhost:{port}/oidc");
                let body = if request.starts_with("GET /oidc/.well-known/openid-configuration") {
                    serde_json::json!({
                        "issuer": issuer, "authorization_endpoint": format!("{issuer}/auth"),
                        "token_endpoint": format!("{issuer}/token"), "jwks_uri": format!("{issuer}/jwks")
                    })
                } else {
                    serde_json::json!({"keys": [{"kty": "EC", "crv": "P-384", "kid": "k", "x": "AA", "y": "AA"}]})
                }
                .to_string();
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(response.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    port
}

#[tokio::test]
async fn private_ca_is_refused_unless_configured() {
    let pki = pki();
    let port = serve(&pki).await;
    let endpoint = format!("https://localhost:{port}");

    let untrusting = LogtoClient::new(LogtoConfig::new(&endpoint, "app"), Arc::new(MemoryStorage::new())).unwrap();
    let err = untrusting.prefetch().await.unwrap_err();
    assert_eq!(err.code(), "network", "{err}");

    let mut config = LogtoConfig::new(&endpoint, "app");
    config.extra_root_certificates_pem = vec![pki.ca_pem.clone()];
    let trusting = LogtoClient::new(config, Arc::new(MemoryStorage::new())).unwrap();
    trusting.prefetch().await.unwrap();
}

#[tokio::test]
async fn tls_1_2_and_1_3_servers_both_work() {
    let pki = pki();
    for (name, version) in [("TLS 1.2", &rustls::version::TLS12), ("TLS 1.3", &rustls::version::TLS13)] {
        let port = serve_with(&pki, &[version]).await;
        let mut config = LogtoConfig::new(format!("https://localhost:{port}"), "app");
        config.extra_root_certificates_pem = vec![pki.ca_pem.clone()];
        let client = LogtoClient::new(config, Arc::new(MemoryStorage::new())).unwrap();
        client.prefetch().await.unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}
