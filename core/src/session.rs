//! The persisted state: one versioned JSON document per app id, written in one `Storage::set`.
//!
//! Versioning: `version` is the format a document was written in, `min_reader_version` the oldest SDK format that
//! can still read it. Older documents are migrated on load; a newer document that declares itself readable by us is
//! read (its unknown fields are kept when we write it back); a newer document we cannot read is never overwritten.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::discovery::ProviderMetadata;
use crate::jwt::Jwks;

/// The format this SDK writes.
pub(crate) const DOCUMENT_VERSION: u32 = 2;
/// The oldest format reader that understands what this SDK writes (v1 readers do not know pending revocations).
const MIN_READER_VERSION: u32 = 2;
/// Refresh tokens waiting for revocation are kept at most this many, and at most this long (Logto's default
/// refresh-token lifetime is 14 days; an older one is dead anyway).
pub(crate) const MAX_PENDING_REVOCATIONS: usize = 16;
pub(crate) const PENDING_REVOCATION_MAX_AGE: i64 = 14 * 24 * 3600;

/// Storage key of the document: namespaced by app id so several apps (or Logto apps) can share one store.
pub(crate) fn storage_key(app_id: &str) -> String {
    format!("logto:{app_id}")
}

#[derive(Clone, Default, Serialize, Deserialize)]
pub(crate) struct Document {
    pub version: u32,
    #[serde(default)]
    pub min_reader_version: u32,
    /// The issuer the session belongs to; a document for another issuer is ignored.
    pub issuer: String,
    /// Incremented by every sign-in, sign-out and session expiry. Work that started under an older generation
    /// (a refresh, a code exchange) must not write its result back: sign-out wins every race.
    #[serde(default)]
    pub generation: u64,
    #[serde(default)]
    pub session: Option<Session>,
    #[serde(default)]
    pub pending_sign_in: Option<PendingSignIn>,
    #[serde(default)]
    pub provider: Option<ProviderCache>,
    /// Refresh tokens this client discarded and still has to revoke at the server (sign-out while offline, a
    /// replaced session, a refresh whose result could not be used). Retried until revoked or too old.
    #[serde(default)]
    pub pending_revocations: Vec<PendingRevocation>,
    /// Fields written by a newer SDK that declared this one able to read the document; kept as they were.
    #[serde(flatten)]
    pub unknown: Map<String, Value>,
}

impl fmt::Debug for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Document")
            .field("version", &self.version)
            .field("issuer", &self.issuer)
            .field("generation", &self.generation)
            .field("session", &self.session)
            .field("pending_sign_in", &self.pending_sign_in)
            .field("pending_revocations", &self.pending_revocations.len())
            .finish_non_exhaustive()
    }
}

/// Why a stored document cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unreadable {
    /// Not JSON, or not a document of any version we know.
    Corrupt,
    /// Written by a newer SDK in a format this one cannot read: it must not be overwritten.
    Newer,
}

impl Document {
    pub fn new(issuer: &str) -> Self {
        Self {
            version: DOCUMENT_VERSION,
            min_reader_version: MIN_READER_VERSION,
            issuer: issuer.into(),
            ..Default::default()
        }
    }

    /// Parses a stored document, migrating older formats.
    pub fn parse(raw: &str, issuer: &str) -> Result<Self, Unreadable> {
        let mut value: Value = serde_json::from_str(raw).map_err(|_| Unreadable::Corrupt)?;
        let version = value.get("version").and_then(Value::as_u64).ok_or(Unreadable::Corrupt)?;
        let min_reader = value.get("min_reader_version").and_then(Value::as_u64).unwrap_or(version);
        match version {
            1 => migrate_v1(&mut value),
            v if v == u64::from(DOCUMENT_VERSION) => {}
            v if v > u64::from(DOCUMENT_VERSION) && min_reader <= u64::from(DOCUMENT_VERSION) => {}
            v if v > u64::from(DOCUMENT_VERSION) => return Err(Unreadable::Newer),
            _ => return Err(Unreadable::Corrupt),
        }
        let mut doc: Document = serde_json::from_value(value).map_err(|_| Unreadable::Corrupt)?;
        if doc.issuer != issuer {
            // Same app id against another Logto instance: nothing in it is valid here.
            return Ok(Document::new(issuer));
        }
        // Written back in our format, with a newer writer's extra fields kept.
        doc.version = doc.version.max(DOCUMENT_VERSION);
        doc.min_reader_version = doc.min_reader_version.max(MIN_READER_VERSION);
        Ok(doc)
    }

    /// Queues refresh tokens for revocation, dropping the oldest entries beyond the cap.
    pub fn queue_revocations(&mut self, tokens: impl IntoIterator<Item = String>, now: i64) {
        for token in tokens {
            if !self.pending_revocations.iter().any(|p| p.token == token) {
                self.pending_revocations.push(PendingRevocation { token, queued_at: now });
            }
        }
        self.pending_revocations.retain(|p| now.saturating_sub(p.queued_at) < PENDING_REVOCATION_MAX_AGE);
        let excess = self.pending_revocations.len().saturating_sub(MAX_PENDING_REVOCATIONS);
        self.pending_revocations.drain(..excess);
    }
}

/// v1 → v2: the JWKS got its own fetch time (v1 fetched it with the discovery document); pending revocations are
/// new and default to none.
fn migrate_v1(value: &mut Value) {
    if let Some(provider) = value.get_mut("provider").and_then(Value::as_object_mut) {
        let fetched_at = provider.get("fetched_at").cloned().unwrap_or(Value::from(0));
        provider.entry("jwks_fetched_at").or_insert(fetched_at);
    }
    value["version"] = Value::from(DOCUMENT_VERSION);
    value["min_reader_version"] = Value::from(MIN_READER_VERSION);
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
    /// short-lived tokens are still used at all. Saturating: the stored numbers are not trusted.
    pub fn is_fresh(&self, now: i64, margin: i64) -> bool {
        let lifetime = self.expires_at.saturating_sub(self.issued_at).max(0);
        now.saturating_add(margin.min(lifetime / 2)) < self.expires_at
    }
}

/// `{resource}#{organization_id}`; the opaque user-info token is the empty key. Unambiguous because resources are
/// refused when they carry a fragment.
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
    /// `max_age` sent with the request: the ID token must then carry an `auth_time` at most this old.
    #[serde(default)]
    pub max_age: Option<u64>,
}

impl fmt::Debug for PendingSignIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingSignIn")
            .field("redirect_uri", &self.redirect_uri)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

/// A refresh token to revoke. Not `Debug`.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct PendingRevocation {
    pub token: String,
    pub queued_at: i64,
}

/// Discovery document and JWKS, cached so the critical path after the redirect is one token request. Each has its
/// fetch time: past the configured max age it is refreshed in the background, and an ID token that does not fit
/// (unknown `kid`, algorithm not listed) refetches both at once.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ProviderCache {
    pub metadata: ProviderMetadata,
    pub fetched_at: i64,
    #[serde(default)]
    pub jwks: Option<Jwks>,
    #[serde(default)]
    pub jwks_fetched_at: i64,
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
            max_age: None,
        };
        let mut doc = Document { session: Some(s), pending_sign_in: Some(p), ..Document::new("iss") };
        doc.queue_revocations(["RT2-SECRET".to_string()], 0);
        let out = format!("{doc:?} {doc:#?}");
        assert!(!out.contains("SECRET"), "{out}");
        assert!(out.contains("<redacted>"));
    }

    #[test]
    fn freshness_uses_capped_margin_and_never_overflows() {
        let t = AccessToken { token: String::new(), scope: None, issued_at: 1000, expires_at: 4600 };
        assert!(t.is_fresh(4539, 60));
        assert!(!t.is_fresh(4540, 60));
        let short = AccessToken { token: String::new(), scope: None, issued_at: 1000, expires_at: 1010 };
        assert!(short.is_fresh(1004, 60), "margin capped at half of a 10 s lifetime");
        assert!(!short.is_fresh(1005, 60));
        let hostile = AccessToken { token: String::new(), scope: None, issued_at: i64::MIN, expires_at: i64::MAX };
        // Must not overflow (a debug build panics on overflow): these numbers come from storage.
        for now in [i64::MIN, 0, i64::MAX] {
            let _ = hostile.is_fresh(now, i64::MAX);
        }
        let reversed = AccessToken { token: String::new(), scope: None, issued_at: i64::MAX, expires_at: i64::MIN };
        assert!(!reversed.is_fresh(0, 60));
    }

    #[test]
    fn document_issuer_and_corruption() {
        let doc = Document::new("iss-a");
        let raw = serde_json::to_string(&doc).unwrap();
        assert!(Document::parse(&raw, "iss-a").is_ok());
        let mut other = Document::new("iss-b");
        other.generation = 7;
        let raw_b = serde_json::to_string(&other).unwrap();
        assert_eq!(Document::parse(&raw_b, "iss-a").unwrap().generation, 0, "foreign issuer ignored");
        assert_eq!(Document::parse("{garbage", "iss-a").unwrap_err(), Unreadable::Corrupt);
        assert_eq!(Document::parse("{\"version\":0,\"issuer\":\"iss-a\"}", "iss-a").unwrap_err(), Unreadable::Corrupt);
        assert_eq!(Document::parse("[1]", "iss-a").unwrap_err(), Unreadable::Corrupt);
    }

    /// A document written by the first release (version 1) keeps its session and caches.
    #[test]
    fn version_1_documents_are_migrated() {
        let v1 = r#"{"version":1,"issuer":"iss","generation":3,
            "session":{"id_token":"a.b.c","sub":"u1","refresh_token":"rt","access_tokens":
                {"":{"token":"at","scope":null,"issued_at":10,"expires_at":20}}},
            "pending_sign_in":null,
            "provider":{"metadata":{"issuer":"iss","authorization_endpoint":"https://x/auth",
                "token_endpoint":"https://x/token","jwks_uri":"https://x/jwks"},"fetched_at":1234,"jwks":{"keys":[]}}}"#;
        let doc = Document::parse(v1, "iss").unwrap();
        assert_eq!(doc.version, DOCUMENT_VERSION);
        assert_eq!(doc.generation, 3);
        let session = doc.session.as_ref().unwrap();
        assert_eq!((session.sub.as_str(), session.refresh_token.as_deref()), ("u1", Some("rt")));
        assert_eq!(session.access_tokens[""].expires_at, 20);
        let provider = doc.provider.as_ref().unwrap();
        assert_eq!((provider.fetched_at, provider.jwks_fetched_at), (1234, 1234));
        let rewritten: Value = serde_json::to_value(&doc).unwrap();
        assert_eq!(rewritten["version"], 2);
        assert_eq!(rewritten["min_reader_version"], 2);
    }

    /// A newer SDK's document that says we can read it is read, and its extra fields survive our write; one that
    /// says we cannot is refused (the caller must then leave it alone).
    #[test]
    fn newer_documents_are_read_if_declared_compatible_else_refused() {
        let mut newer = serde_json::to_value(Document::new("iss")).unwrap();
        newer["version"] = 3.into();
        newer["min_reader_version"] = 2.into();
        newer["generation"] = 5.into();
        newer["passkeys"] = serde_json::json!({"x": 1});
        let doc = Document::parse(&newer.to_string(), "iss").unwrap();
        assert_eq!(doc.generation, 5);
        let rewritten = serde_json::to_value(&doc).unwrap();
        assert_eq!(rewritten["passkeys"], newer["passkeys"], "unknown fields kept");
        assert_eq!(rewritten["version"], 3, "not downgraded");

        newer["min_reader_version"] = 3.into();
        assert_eq!(Document::parse(&newer.to_string(), "iss").unwrap_err(), Unreadable::Newer);
        newer.as_object_mut().unwrap().remove("min_reader_version");
        assert_eq!(Document::parse(&newer.to_string(), "iss").unwrap_err(), Unreadable::Newer);
    }

    #[test]
    fn pending_revocations_are_capped_deduplicated_and_expire() {
        let mut doc = Document::new("iss");
        doc.queue_revocations(["a".to_string(), "a".to_string()], 100);
        assert_eq!(doc.pending_revocations.len(), 1);
        doc.queue_revocations((0..40).map(|i| format!("t{i}")), 100);
        assert_eq!(doc.pending_revocations.len(), MAX_PENDING_REVOCATIONS);
        assert_eq!(doc.pending_revocations.last().unwrap().token, "t39", "the newest are kept");
        doc.queue_revocations(["late".to_string()], 100 + PENDING_REVOCATION_MAX_AGE);
        assert_eq!(doc.pending_revocations.len(), 1, "entries older than a refresh token's lifetime are dropped");
    }

    #[test]
    fn access_token_keys() {
        assert_eq!(access_token_key(None, None), "");
        assert_eq!(access_token_key(Some("https://api"), None), "https://api");
        assert_eq!(access_token_key(None, Some("o1")), "#o1");
        assert_eq!(access_token_key(Some("https://api"), Some("o1")), "https://api#o1");
    }
}
