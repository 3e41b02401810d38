//! OpenID Provider metadata (OIDC Discovery 1.0) for `{endpoint}/oidc`.

use serde::{Deserialize, Serialize};

use crate::config::{check_transport, parse_url};
use crate::error::{LogtoError, Result};

/// The subset of the discovery document the SDK uses. Stored in the session document as a cache.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderMetadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    #[serde(default)]
    pub code_challenge_methods_supported: Option<Vec<String>>,
    #[serde(default)]
    pub id_token_signing_alg_values_supported: Option<Vec<String>>,
    /// RFC 9207: when true, every authorization response must carry `iss`.
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: bool,
}

impl ProviderMetadata {
    /// Discovery §4.3 and RFC 8414 §3.3: the document must be about the issuer we asked for; its endpoints must be
    /// https (or loopback http for a local server); PKCE S256 must be supported when methods are listed.
    pub(crate) fn validate(&self, expected_issuer: &str) -> Result<()> {
        if self.issuer != expected_issuer {
            return Err(LogtoError::unexpected(format!(
                "discovery issuer `{}` does not match the expected issuer `{expected_issuer}`",
                self.issuer
            )));
        }
        let required = [
            ("authorization_endpoint", Some(&self.authorization_endpoint)),
            ("token_endpoint", Some(&self.token_endpoint)),
            ("jwks_uri", Some(&self.jwks_uri)),
            ("userinfo_endpoint", self.userinfo_endpoint.as_ref()),
            ("end_session_endpoint", self.end_session_endpoint.as_ref()),
            ("revocation_endpoint", self.revocation_endpoint.as_ref()),
        ];
        // An https issuer keeps every endpoint on https: a loopback http endpoint is only for a loopback issuer.
        let https_issuer = self.issuer.starts_with("https://");
        for (name, value) in required {
            if let Some(value) = value {
                let url =
                    parse_url(value).map_err(|_| LogtoError::unexpected(format!("discovery {name} is not a URL")))?;
                check_transport(&url, name).map_err(|e| LogtoError::unexpected(format!("discovery: {e}")))?;
                if https_issuer && url.scheme() != "https" {
                    return Err(LogtoError::unexpected(format!("discovery: {name} of an https issuer is not https")));
                }
            }
        }
        if let Some(methods) = &self.code_challenge_methods_supported
            && !methods.iter().any(|m| m == "S256")
        {
            return Err(LogtoError::unexpected("the provider does not support PKCE S256"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metadata() -> ProviderMetadata {
        serde_json::from_value(serde_json::json!({
            "issuer": "https://a.logto.app/oidc",
            "authorization_endpoint": "https://a.logto.app/oidc/auth",
            "token_endpoint": "https://a.logto.app/oidc/token",
            "jwks_uri": "https://a.logto.app/oidc/jwks",
            "userinfo_endpoint": "https://a.logto.app/oidc/me",
            "code_challenge_methods_supported": ["S256"],
            "unknown_field": true
        }))
        .unwrap()
    }

    #[test]
    fn accepts_logto_metadata() {
        let m = metadata();
        m.validate("https://a.logto.app/oidc").unwrap();
        assert!(!m.authorization_response_iss_parameter_supported);
    }

    #[test]
    fn rejects_issuer_mismatch() {
        assert!(metadata().validate("https://b.logto.app/oidc").is_err());
        assert!(metadata().validate("https://a.logto.app/oidc/").is_err());
    }

    #[test]
    fn rejects_http_endpoint_and_missing_s256() {
        let mut m = metadata();
        m.token_endpoint = "http://a.logto.app/oidc/token".into();
        assert!(m.validate("https://a.logto.app/oidc").is_err());
        let mut m = metadata();
        m.code_challenge_methods_supported = Some(vec!["plain".into()]);
        assert!(m.validate("https://a.logto.app/oidc").is_err());
    }

    #[test]
    fn https_issuer_cannot_point_at_http_loopback() {
        for field in ["token_endpoint", "jwks_uri", "revocation_endpoint"] {
            let mut v = serde_json::to_value(metadata()).unwrap();
            v[field] = "http://127.0.0.1:8080/steal".into();
            let m: ProviderMetadata = serde_json::from_value(v).unwrap();
            assert!(m.validate("https://a.logto.app/oidc").is_err(), "{field}");
        }
        // A loopback issuer (a local development server) may use http throughout.
        let mut v = serde_json::to_value(metadata()).unwrap();
        for (k, val) in v.as_object_mut().unwrap() {
            if let Some(s) = val.as_str() {
                *val = s.replace("https://a.logto.app", "http://127.0.0.1:3001").into();
            }
            let _ = k;
        }
        let m: ProviderMetadata = serde_json::from_value(v).unwrap();
        m.validate("http://127.0.0.1:3001/oidc").unwrap();
    }

    #[test]
    fn missing_required_field_fails_to_parse() {
        let r: Result<ProviderMetadata, _> = serde_json::from_str(r#"{"issuer":"x"}"#);
        assert!(r.is_err());
    }
}
