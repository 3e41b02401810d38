//! Typed claims: the standard OIDC ones, Logto's, and every other claim kept raw in `extra`.
//!
//! Logto sends `null` for absent profile values (`picture: null`), so every optional claim tolerates `null`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::error::{LogtoError, Result};

/// Claims of a verified ID token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdTokenClaims {
    pub iss: String,
    pub sub: String,
    #[serde(deserialize_with = "string_or_list")]
    pub aud: Vec<String>,
    pub exp: i64,
    pub iat: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number_verified: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organizations: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_roles: Option<Vec<String>>,
    /// Every other claim, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Claims of a JWT access token (resource or organization token). Decoded, not verified: the resource server
/// verifies access tokens; the client only reads them, as Logto's SDKs do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessTokenClaims {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    #[serde(default, deserialize_with = "string_or_list")]
    pub aud: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `/oidc/me` response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserInfo {
    pub sub: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number_verified: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organizations: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_roles: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_data: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identities: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_data: Option<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `aud` may be one string or an array (RFC 7519 §4.1.3); `null` counts as absent.
fn string_or_list<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Option::<OneOrMany>::deserialize(d)? {
        None => Vec::new(),
        Some(OneOrMany::One(s)) => vec![s],
        Some(OneOrMany::Many(v)) => v,
    })
}

/// Largest JWT the SDK will look at; Logto's tokens are ~1 KB.
pub(crate) const MAX_JWT_LEN: usize = 64 * 1024;

/// Splits a compact JWS into its three base64url segments.
pub(crate) fn split_jwt(token: &str) -> Option<(&str, &str, &str)> {
    if token.len() > MAX_JWT_LEN {
        return None;
    }
    let mut parts = token.split('.');
    let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || h.is_empty() || p.is_empty() {
        return None;
    }
    Some((h, p, s))
}

pub(crate) fn decode_segment<T: serde::de::DeserializeOwned>(segment: &str) -> Option<T> {
    let bytes = URL_SAFE_NO_PAD.decode(segment.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Reads the claims of a JWT without verifying it (access tokens; see [`AccessTokenClaims`]).
pub fn decode_access_token_claims(token: &str) -> Result<AccessTokenClaims> {
    let (_, payload, _) = split_jwt(token).ok_or_else(|| LogtoError::unexpected("the access token is not a JWT"))?;
    decode_segment(payload).ok_or_else(|| LogtoError::unexpected("the access token's claims are not valid JSON"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &Value) -> String {
        let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"ES384"}"#);
        format!("{h}.{}.sig", URL_SAFE_NO_PAD.encode(payload.to_string()))
    }

    #[test]
    fn id_token_claims_tolerate_null_and_keep_extras() {
        let c: IdTokenClaims = serde_json::from_value(serde_json::json!({
            "iss": "i", "sub": "s", "aud": "a", "exp": 2, "iat": 1,
            "picture": null, "email_verified": true, "custom": {"x": 1}
        }))
        .unwrap();
        assert_eq!(c.aud, ["a"]);
        assert_eq!(c.picture, None);
        assert_eq!(c.email_verified, Some(true));
        assert_eq!(c.extra["custom"]["x"], 1);
    }

    #[test]
    fn access_token_claims_decode_array_aud() {
        let t = jwt(&serde_json::json!({"aud": ["x", "y"], "scope": "read:data", "organization_id": "o"}));
        let c = decode_access_token_claims(&t).unwrap();
        assert_eq!(c.aud, ["x", "y"]);
        assert_eq!(c.scope.as_deref(), Some("read:data"));
        assert_eq!(c.organization_id.as_deref(), Some("o"));
    }

    #[test]
    fn opaque_or_malformed_tokens_are_typed_errors() {
        for bad in ["opaque-token", "a.b", "a.b.c.d", "..", "a.!!!.c", &"x".repeat(MAX_JWT_LEN + 1)] {
            assert_eq!(decode_access_token_claims(bad).unwrap_err().code(), "unexpected_response_error", "{bad}");
        }
    }

    #[test]
    fn base64url_segments_of_every_length_decode() {
        // Swift's SDK pads incorrectly for some lengths; make sure every length mod 4 works here.
        for n in 0..8 {
            let v = Value::String("x".repeat(n));
            let seg = URL_SAFE_NO_PAD.encode(v.to_string());
            assert_eq!(decode_segment::<Value>(&seg), Some(v.clone()));
            let padded = base64::engine::general_purpose::URL_SAFE.encode(v.to_string());
            assert_eq!(decode_segment::<Value>(&padded), Some(v));
        }
    }
}
