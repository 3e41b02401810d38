//! A private CA and a one-file HTTPS "provider" signed by it (discovery and JWKS, enough for `prefetch`), for the TLS
//! tests.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub struct Pki {
    pub ca_pem: String,
    server_chain: Vec<CertificateDer<'static>>,
    server_key: PrivateKeyDer<'static>,
}

/// A new CA (with a name of its own: two CAs of one name would be told apart by signature, not by name) and a
/// `localhost` server certificate it issued.
pub fn pki() -> Pki {
    pki_with(&rcgen::PKCS_ECDSA_P256_SHA256)
}

/// [`pki`] with keys (CA and server) of the given algorithm.
pub fn pki_with(algorithm: &'static rcgen::SignatureAlgorithm) -> Pki {
    static CAS: AtomicU32 = AtomicU32::new(0);
    let ca_key = KeyPair::generate_for(algorithm).unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    let name = format!("Logto SDK test CA {} {}", std::process::id(), CAS.fetch_add(1, Ordering::Relaxed));
    ca_params.distinguished_name.push(DnType::CommonName, name);
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let server_key = KeyPair::generate_for(algorithm).unwrap();
    let server_cert =
        CertificateParams::new(vec!["localhost".to_string()]).unwrap().signed_by(&server_key, &issuer).unwrap();
    Pki {
        ca_pem: ca_cert.pem(),
        server_chain: vec![server_cert.der().clone()],
        server_key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
    }
}

/// A one-file HTTPS "provider": discovery and JWKS, enough for `prefetch`.
pub async fn serve(pki: &Pki) -> u16 {
    serve_with(pki, rustls::DEFAULT_VERSIONS).await
}

/// The same, speaking only the given TLS versions.
pub async fn serve_with(pki: &Pki, versions: &[&'static rustls::SupportedProtocolVersion]) -> u16 {
    serve_on(pki, versions, rustls::crypto::ring::default_provider()).await
}

/// The same, with the server's cipher suites and key exchange groups those of `provider`.
pub async fn serve_on(
    pki: &Pki,
    versions: &[&'static rustls::SupportedProtocolVersion],
    provider: rustls::crypto::CryptoProvider,
) -> u16 {
    let provider = Arc::new(provider);
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
