//! The token endpoint's answer (RFC 6749 §5.1 + OIDC `id_token`), shared by the code exchange and the refresh.

use serde::Deserialize;

use crate::claims::{decode_segment, split_jwt};
use crate::error::{LogtoError, Result};
use crate::session::AccessToken;

/// Access tokens are never cached for longer than this, whatever `expires_in` says.
const MAX_LIFETIME: i64 = 366 * 24 * 3600;

/// Not `Debug`: it holds tokens. Every field is optional here and checked by [`TokenResponse::check`], so that a
/// refresh token is never lost because something else in the response is missing.
#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    #[serde(default)]
    pub access_token: String,
    #[serde(default)]
    pub token_type: String,
    #[serde(default)]
    pub expires_in: Option<i64>,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub id_token: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
}

impl TokenResponse {
    pub fn check(&self) -> Result<()> {
        if self.access_token.is_empty() {
            return Err(LogtoError::unexpected("token response has an empty access_token"));
        }
        if !self.token_type.eq_ignore_ascii_case("bearer") {
            return Err(LogtoError::unexpected("token response has a token_type other than Bearer"));
        }
        if self.refresh_token.as_deref() == Some("") {
            return Err(LogtoError::unexpected("token response has an empty refresh_token"));
        }
        Ok(())
    }

    /// How long the access token may be used, in seconds from `requested_at`: `expires_in` when positive; else the
    /// JWT's own `exp`; else 0, so that the token is returned to this caller but never served from the cache (a
    /// missing or non-positive `expires_in` must not be read as "valid for an hour").
    fn lifetime(&self, requested_at: i64) -> i64 {
        #[derive(Deserialize)]
        struct Exp {
            exp: i64,
        }
        let lifetime = match self.expires_in {
            Some(seconds) if seconds > 0 => seconds,
            _ => split_jwt(&self.access_token)
                .and_then(|(_, payload, _)| decode_segment::<Exp>(payload))
                .map_or(0, |c| c.exp.saturating_sub(requested_at)),
        };
        lifetime.clamp(0, MAX_LIFETIME)
    }

    pub fn access_token_entry(&self, requested_at: i64) -> AccessToken {
        AccessToken {
            token: self.access_token.clone(),
            scope: self.scope.clone(),
            issued_at: requested_at,
            expires_at: requested_at.saturating_add(self.lifetime(requested_at)),
        }
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;

    fn response(access_token: &str, expires_in: Option<i64>) -> TokenResponse {
        TokenResponse {
            access_token: access_token.into(),
            token_type: "Bearer".into(),
            expires_in,
            refresh_token: None,
            id_token: None,
            scope: None,
        }
    }

    fn jwt_with_exp(exp: i64) -> String {
        let part = |v: serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
        format!("{}.{}.sig", part(serde_json::json!({"alg":"ES384"})), part(serde_json::json!({"exp": exp})))
    }

    #[test]
    fn expires_in_rules() {
        let at = 1_000_000;
        let entry = |r: TokenResponse| r.access_token_entry(at);
        assert_eq!(entry(response("opaque", Some(3600))).expires_at, at + 3600);
        for bad in [None, Some(0), Some(-5), Some(i64::MIN)] {
            let e = entry(response("opaque", bad));
            assert_eq!(e.expires_at, at, "{bad:?}: an opaque token of unknown lifetime is not cached");
            assert!(!e.is_fresh(at, 0));
        }
        assert_eq!(entry(response(&jwt_with_exp(at + 900), None)).expires_at, at + 900, "the JWT's exp is used");
        assert_eq!(entry(response(&jwt_with_exp(at + 900), Some(-1))).expires_at, at + 900);
        assert_eq!(entry(response(&jwt_with_exp(at - 900), None)).expires_at, at, "an expired JWT is not cached");
        assert_eq!(entry(response(&jwt_with_exp(i64::MIN), None)).expires_at, at);
        assert_eq!(entry(response("opaque", Some(i64::MAX))).expires_at, at + MAX_LIFETIME);
    }

    #[test]
    fn shape_checks() {
        assert!(response("a", Some(1)).check().is_ok());
        assert!(response("", Some(1)).check().is_err());
        let mut r = response("a", Some(1));
        r.token_type = "DPoP".into();
        assert!(r.check().is_err());
        let mut r = response("a", Some(1));
        r.refresh_token = Some(String::new());
        assert!(r.check().is_err());
    }
}
