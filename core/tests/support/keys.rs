//! Test-only signing keys (the PEM files in tests/fixtures are throw-away keys made for these tests) and a JWT
//! signer that can produce any header, so tests can build both valid and hostile ID tokens.
#![allow(dead_code)]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{Value, json};

const ES256_PEM: &str = include_str!("../fixtures/es256.pem");
const ES384_PEM: &str = include_str!("../fixtures/es384.pem");
const ES384_B_PEM: &str = include_str!("../fixtures/es384-b.pem");
const RSA_PEM: &str = include_str!("../fixtures/rsa.pem");
// Below the 2048-bit minimum the SDK enforces (src/jwt/crypto.rs).
const RSA_1024_PEM: &str = include_str!("../fixtures/rsa-1024.pem");
const RSA_2040_PEM: &str = include_str!("../fixtures/rsa-2040.pem");

enum Signer {
    Jwt(EncodingKey, Algorithm),
    Es512(p521::ecdsa::SigningKey),
}

pub struct TestKey {
    pub alg: &'static str,
    pub kid: String,
    signer: Signer,
    /// The public JWK (with `kid`), as a provider would publish it.
    pub jwk: Value,
}

impl TestKey {
    fn from_pem(pem: &str, alg: Algorithm, name: &'static str, kid: &str) -> Self {
        let key = if name.starts_with("ES") {
            EncodingKey::from_ec_pem(pem.as_bytes()).unwrap()
        } else {
            EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap()
        };
        let mut jwk = serde_json::to_value(jsonwebtoken::jwk::Jwk::from_encoding_key(&key, alg).unwrap()).unwrap();
        let obj = jwk.as_object_mut().unwrap();
        obj.insert("kid".into(), json!(kid));
        obj.insert("use".into(), json!("sig"));
        obj.insert("alg".into(), json!(name));
        TestKey { alg: name, kid: kid.into(), signer: Signer::Jwt(key, alg), jwk }
    }

    pub fn es256(kid: &str) -> Self {
        Self::from_pem(ES256_PEM, Algorithm::ES256, "ES256", kid)
    }
    pub fn es384(kid: &str) -> Self {
        Self::from_pem(ES384_PEM, Algorithm::ES384, "ES384", kid)
    }
    /// A second, different P-384 key (for key rotation and wrong-key tests).
    pub fn es384_other(kid: &str) -> Self {
        Self::from_pem(ES384_B_PEM, Algorithm::ES384, "ES384", kid)
    }
    pub fn rs256(kid: &str) -> Self {
        Self::from_pem(RSA_PEM, Algorithm::RS256, "RS256", kid)
    }
    pub fn ps256(kid: &str) -> Self {
        Self::from_pem(RSA_PEM, Algorithm::PS256, "PS256", kid)
    }
    /// RSA keys shorter than 2048 bits (1024 and 2040): valid signatures the SDK must refuse.
    pub fn rs256_1024(kid: &str) -> Self {
        Self::from_pem(RSA_1024_PEM, Algorithm::RS256, "RS256", kid)
    }
    pub fn rs256_2040(kid: &str) -> Self {
        Self::from_pem(RSA_2040_PEM, Algorithm::RS256, "RS256", kid)
    }
    pub fn ps256_2040(kid: &str) -> Self {
        Self::from_pem(RSA_2040_PEM, Algorithm::PS256, "PS256", kid)
    }
    pub fn es512(kid: &str) -> Self {
        use p521::elliptic_curve::Generate;
        let key = p521::ecdsa::SigningKey::generate();
        let point = p521::ecdsa::VerifyingKey::from(&key).to_sec1_point(false);
        let jwk = json!({
            "kty": "EC", "crv": "P-521", "kid": kid, "use": "sig", "alg": "ES512",
            "x": URL_SAFE_NO_PAD.encode(point.x().unwrap()),
            "y": URL_SAFE_NO_PAD.encode(point.y().unwrap()),
        });
        TestKey { alg: "ES512", kid: kid.into(), signer: Signer::Es512(key), jwk }
    }
    /// An HMAC key whose secret is the given bytes (used to forge alg-confusion tokens).
    pub fn hs256(kid: &str, secret: &[u8]) -> Self {
        let jwk = json!({"kty": "oct", "kid": kid, "k": URL_SAFE_NO_PAD.encode(secret)});
        TestKey {
            alg: "HS256",
            kid: kid.into(),
            signer: Signer::Jwt(EncodingKey::from_secret(secret).unwrap(), Algorithm::HS256),
            jwk,
        }
    }

    pub fn header(&self) -> Value {
        json!({"alg": self.alg, "kid": self.kid, "typ": "JWT"})
    }

    pub fn sign(&self, claims: &Value) -> String {
        self.sign_with_header(&self.header(), claims)
    }

    pub fn sign_with_header(&self, header: &Value, claims: &Value) -> String {
        let input =
            format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
        let signature = match &self.signer {
            Signer::Jwt(key, alg) => jsonwebtoken::crypto::sign(input.as_bytes(), key, *alg).unwrap(),
            Signer::Es512(key) => {
                use p521::ecdsa::signature::Signer as _;
                let sig: p521::ecdsa::Signature = key.sign(input.as_bytes());
                URL_SAFE_NO_PAD.encode(sig.to_bytes())
            }
        };
        format!("{input}.{signature}")
    }
}

pub fn jwks(keys: &[&TestKey]) -> Value {
    json!({ "keys": keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>() })
}
