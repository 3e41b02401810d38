//! The persisted state: one versioned JSON document per app id, written in one `Storage::set`.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::discovery::ProviderMetadata;
use crate::jwt::Jwks;

/// Bumped when the document's shape changes incompatibly; older documents are migrated or dropped on load.
pub(crate) const DOCUMENT_VERSION: u32 = 1;

/// Storage key of the document: namespaced by app id so several apps (or Logto apps) can share one store.
pub(crate) fn storage_key(app_id: &str) -> String {
    format!("logto:{app_id}")
}

#[derive(Clone, Default, Serialize, Deserialize)]
pub(crate) struct Document {
    pub version: u32,
    /// The issuer the session belongs to; a document for another issuer is ignored.
    pub issuer: String,
    /// Incremented by every sign-in, sign-out and session expiry. A refresh that started under an older
    /// generation must not write its result back (sign-out during refresh must not resurrect credentials).
    #[serde(default)]
    pub generation: u64,
    #[serde(default)]
    pub session: Option<Session>,
    #[serde(default)]
    pub pending_sign_in: Option<PendingSignIn>,
    #[serde(default)]
    pub provider: Option<ProviderCache>,
}

impl fmt::Debug for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Document")
            .field("version", &self.version)
            .field("issuer", &self.issuer)
            .field("generation", &self.generation)
            .field("session", &self.session)
            .field("pending_sign_in", &self.pending_sign_in)
            .finish_non_exhaustive()
    }
}

impl Document {
    pub fn new(issuer: &str) -> Self {
        Self { version: DOCUMENT_VERSION, issuer: issuer.into(), ..Default::default() }
    }

    /// Parses a stored document. `Err` means it exists but cannot be used (corrupt, or a newer version).
    pub fn parse(raw: &str, issuer: &str) -> Result<Self, ()> {
        let doc: Document = serde_json::from_str(raw).map_err(|_| ())?;
        if doc.version != DOCUMENT_VERSION {
            return Err(());
        }
        if doc.issuer != issuer {
            // Same app id against another Logto instance: nothing in it is valid here.
            return Ok(Document::new(issuer));
        }
        Ok(doc)
    }
}

/// A signed-in session.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Session {
    pub id_token: String,
    pub sub: String,
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// Access tokens by [`access_token_key`].
    #[serde(default)]
    pub access_tokens: BTreeMap<String, AccessToken>,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("sub", &self.sub)
            .field("id_token", &"<redacted>")
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "<redacted>"))
            .field("access_tokens", &self.access_tokens.keys().collect::<Vec<_>>())
            .finish()
    }
}

#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct AccessToken {
    pub token: String,
    #[serde(default)]
    pub scope: Option<String>,
    /// Unix seconds.
    pub issued_at: i64,
    /// Unix seconds.
    pub expires_at: i64,
}

impl AccessToken {
    /// Usable if it will not expire within the margin. The margin is capped at half the lifetime so that very
    /// short-lived tokens are still used at all.
    pub fn is_fresh(&self, now: i64, margin: i64) -> bool {
        let lifetime = (self.expires_at - self.issued_at).max(0);
        now + margin.min(lifetime / 2) < self.expires_at
    }
}

/// `{resource}#{organization_id}`; the opaque user-info token is the empty key.
pub(crate) fn access_token_key(resource: Option<&str>, organization_id: Option<&str>) -> String {
    match organization_id {
        Some(org) => format!("{}#{org}", resource.unwrap_or_default()),
        None => resource.unwrap_or_default().to_string(),
    }
}

/// A sign-in whose callback has not arrived yet.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct PendingSignIn {
    pub redirect_uri: String,
    pub state: String,
    pub nonce: String,
    pub code_verifier: String,
    pub created_at: i64,
}

impl fmt::Debug for PendingSignIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingSignIn")
            .field("redirect_uri", &self.redirect_uri)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

/// Discovery document and JWKS, cached so the critical path after the redirect is one token request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ProviderCache {
    pub metadata: ProviderMetadata,
    pub fetched_at: i64,
    #[serde(default)]
    pub jwks: Option<Jwks>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let mut s = Session {
            id_token: "ID-SECRET".into(),
            sub: "u".into(),
            refresh_token: Some("RT-SECRET".into()),
            access_tokens: BTreeMap::new(),
        };
        s.access_tokens
            .insert("".into(), AccessToken { token: "AT-SECRET".into(), scope: None, issued_at: 0, expires_at: 1 });
        let p = PendingSignIn {
            redirect_uri: "r".into(),
            state: "STATE-SECRET".into(),
            nonce: "NONCE-SECRET".into(),
            code_verifier: "VERIFIER-SECRET".into(),
            created_at: 0,
        };
        let doc = Document { session: Some(s), pending_sign_in: Some(p), ..Document::new("iss") };
        let out = format!("{doc:?} {doc:#?}");
        assert!(!out.contains("SECRET"), "{out}");
        assert!(out.contains("<redacted>"));
    }

    #[test]
    fn freshness_uses_capped_margin() {
        let t = AccessToken { token: String::new(), scope: None, issued_at: 1000, expires_at: 4600 };
        assert!(t.is_fresh(4539, 60));
        assert!(!t.is_fresh(4540, 60));
        let short = AccessToken { token: String::new(), scope: None, issued_at: 1000, expires_at: 1010 };
        assert!(short.is_fresh(1004, 60), "margin capped at half of a 10 s lifetime");
        assert!(!short.is_fresh(1005, 60));
    }

    #[test]
    fn document_versioning_and_issuer() {
        let doc = Document::new("iss-a");
        let raw = serde_json::to_string(&doc).unwrap();
        assert!(Document::parse(&raw, "iss-a").is_ok());
        let mut other = Document::new("iss-b");
        other.generation = 7;
        let raw_b = serde_json::to_string(&other).unwrap();
        assert_eq!(Document::parse(&raw_b, "iss-a").unwrap().generation, 0, "foreign issuer ignored");
        assert!(Document::parse(&raw.replace("\"version\":1", "\"version\":99"), "iss-a").is_err());
        assert!(Document::parse("{garbage", "iss-a").is_err());
    }

    #[test]
    fn access_token_keys() {
        assert_eq!(access_token_key(None, None), "");
        assert_eq!(access_token_key(Some("https://api"), None), "https://api");
        assert_eq!(access_token_key(None, Some("o1")), "#o1");
        assert_eq!(access_token_key(Some("https://api"), Some("o1")), "https://api#o1");
    }
}
