//! [`LogtoClient`]: the public face of the SDK. Each method validates its arguments and hands over to the engine;
//! the work lives in one module per concern:
//!
//! | concern | module |
//! |---|---|
//! | the shared per-session engine, its registry | `engine` |
//! | the stored document, its writes, fencing by generation | `store`, `session` |
//! | discovery + JWKS cache, ID-token verification | `provider` |
//! | starting and completing a sign-in | `sign_in_flow` |
//! | access tokens and refresh | `refresher` |
//! | sign-out and revocation | `sign_out` |
//! | listener events | `events` |

use std::sync::Arc;

use crate::claims::{
    AccessTokenClaims, IdTokenClaims, UserInfo, decode_access_token_claims, decode_segment, split_jwt,
};
use crate::config::LogtoConfig;
use crate::discovery::ProviderMetadata;
use crate::engine::{ClientCore, Engine};
use crate::error::{LogtoError, Result};
use crate::events::AuthStateListener;
use crate::http::Http;
use crate::refresher::GetAccessTokenOptions;
use crate::sign_in::SignInOptions;
use crate::sign_out::SignOutOptions;
use crate::storage::Storage;

/// The Logto client. Cheap to clone; clones share everything. Several clients on the same stored session (same
/// storage — see [`Storage::shared_id`] —, app id and endpoint) share one session engine in the process. Every
/// method must be called on a tokio runtime. Methods marked 💾 write to the [`Storage`].
#[derive(Clone)]
pub struct LogtoClient {
    core: Arc<ClientCore>,
}

impl std::fmt::Debug for LogtoClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogtoClient")
            .field("app_id", &self.core.config.app_id)
            .field("issuer", &self.core.config.issuer)
            .finish_non_exhaustive()
    }
}

impl LogtoClient {
    /// Validates the configuration. Does no I/O.
    pub fn new(config: LogtoConfig, storage: Arc<dyn Storage>) -> Result<Self> {
        let resolved = config.resolve()?;
        let http = Http::new(&config)?;
        let engine = Engine::shared(storage, &resolved.app_id, &resolved.issuer);
        let listener_slot = engine.store.events.register();
        Ok(Self { core: Arc::new(ClientCore { config: resolved, http, engine, listener_slot }) })
    }

    /// The issuer, `{endpoint}/oidc`.
    pub fn issuer(&self) -> &str {
        &self.core.config.issuer
    }

    /// Sets (or removes) this client's listener of session changes.
    pub fn set_auth_state_listener(&self, listener: Option<Arc<dyn AuthStateListener>>) {
        self.core.engine.store.events.set_listener(self.core.listener_slot, listener);
    }

    /// Fetches and caches the discovery document and JWKS now (e.g. at app start), so sign-in needs fewer requests,
    /// and retries revocations that could not be done before.
    pub async fn prefetch(&self) -> Result<()> {
        self.core.request_revocations();
        self.core.keys().await.map(|_| ())
    }

    /// The discovery document (from the cache when there is one). 💾
    pub async fn get_oidc_config(&self) -> Result<ProviderMetadata> {
        self.core.metadata().await
    }

    /// Builds the authorization URL to open in the system browser and stores the pending sign-in (PKCE verifier,
    /// state, nonce, redirect URI). A `max_age` extra parameter makes the ID token's `auth_time` checked. 💾
    pub async fn sign_in_url(&self, options: SignInOptions) -> Result<String> {
        self.core.sign_in_url(options).await
    }

    /// True when `url` is where the pending sign-in expects the browser to come back (query aside).
    pub async fn is_sign_in_redirected(&self, url: &str) -> Result<bool> {
        self.core.is_sign_in_redirected(url).await
    }

    /// Completes a sign-in from the URL the browser was redirected to: checks it against the pending sign-in
    /// (exact redirect URI, state, RFC 9207 `iss`, `error`), exchanges the code, verifies the ID token and stores
    /// the session. A callback that does not belong to the pending sign-in leaves it pending. Once the code is
    /// redeemed, the work completes even if this future is dropped. 💾
    pub async fn handle_sign_in_callback(&self, callback_url: &str) -> Result<()> {
        self.core.handle_sign_in_callback(callback_url).await
    }

    /// True if a session is stored. A local check, like Logto's SDKs; `get_access_token` tells whether the server
    /// still accepts it (and removes it, with a `SessionExpired` event, if not).
    pub async fn is_authenticated(&self) -> Result<bool> {
        Ok(self.core.store().snapshot().await?.doc.session.is_some())
    }

    pub async fn get_id_token(&self) -> Result<Option<String>> {
        Ok(self.core.store().snapshot().await?.doc.session.as_ref().map(|s| s.id_token.clone()))
    }

    /// Claims of the stored ID token (verified when it was received).
    pub async fn get_id_token_claims(&self) -> Result<IdTokenClaims> {
        let token = self.get_id_token().await?.ok_or(LogtoError::NotAuthenticated)?;
        split_jwt(&token)
            .and_then(|(_, payload, _)| decode_segment(payload))
            .ok_or_else(|| LogtoError::id_token("stored ID token cannot be decoded"))
    }

    pub async fn get_refresh_token(&self) -> Result<Option<String>> {
        Ok(self.core.store().snapshot().await?.doc.session.as_ref().and_then(|s| s.refresh_token.clone()))
    }

    /// An access token for `resource` (an absolute URI without fragment: an API resource indicator) and/or
    /// `organization_id`; `None`/`None` is the opaque token for the user-info endpoint. Cached until shortly before
    /// expiry, then refreshed by a task of the client's own (dropping this future never loses the rotated refresh
    /// token); concurrent callers share one refresh. `invalid_grant` ends the session with `not_authenticated`. 💾
    pub async fn get_access_token(&self, resource: Option<&str>, organization_id: Option<&str>) -> Result<String> {
        self.core.access_token(resource, organization_id, GetAccessTokenOptions::default()).await
    }

    /// [`get_access_token`](Self::get_access_token) with options (force refresh). 💾
    pub async fn get_access_token_with_options(
        &self,
        resource: Option<&str>,
        organization_id: Option<&str>,
        options: GetAccessTokenOptions,
    ) -> Result<String> {
        self.core.access_token(resource, organization_id, options).await
    }

    /// Decoded (not verified) claims of the access token for `resource`. 💾
    pub async fn get_access_token_claims(&self, resource: Option<&str>) -> Result<AccessTokenClaims> {
        decode_access_token_claims(&self.get_access_token(resource, None).await?)
    }

    /// An organization token (`aud = urn:logto:organization:<id>`). Needs the organizations scope. 💾
    pub async fn get_organization_token(&self, organization_id: &str) -> Result<String> {
        self.get_access_token(None, Some(organization_id)).await
    }

    pub async fn get_organization_token_claims(&self, organization_id: &str) -> Result<AccessTokenClaims> {
        decode_access_token_claims(&self.get_organization_token(organization_id).await?)
    }

    /// The user-info endpoint's answer, refused if its `sub` differs from the ID token's (OIDC Core §5.3.4).
    pub async fn fetch_user_info(&self) -> Result<UserInfo> {
        let token = self.get_access_token(None, None).await?;
        let metadata = self.core.metadata().await?;
        let endpoint = metadata.userinfo_endpoint.as_deref().ok_or_else(|| LogtoError::FetchUserInfoFailed {
            reason: "the provider has no userinfo endpoint".into(),
        })?;
        let info: UserInfo = self
            .core
            .http
            .get_json(endpoint, Some(&token), "user info")
            .await
            .map_err(|e| LogtoError::FetchUserInfoFailed { reason: e.to_string() })?;
        match self.core.store().snapshot().await?.doc.session.as_ref().map(|s| s.sub.as_str()) {
            Some(sub) if sub == info.sub => Ok(info),
            Some(_) => Err(LogtoError::FetchUserInfoFailed { reason: "sub does not match the ID token".into() }),
            None => Err(LogtoError::NotAuthenticated),
        }
    }

    /// Forgets cached access tokens (the next call refreshes). 💾
    pub async fn clear_access_token(&self) -> Result<()> {
        self.core
            .store()
            .update(|doc, _| {
                if let Some(s) = doc.session.as_mut() {
                    s.access_tokens.clear();
                }
                Ok(())
            })
            .await
    }

    /// Removes the session locally (even if storage fails, which is then reported) and revokes its refresh token
    /// in the background. 💾
    pub async fn clear_all_tokens(&self) -> Result<()> {
        self.core.remove_session().await?.1
    }

    /// Signs out: removes the session (even if storage or the network fails), and returns at once the end-session
    /// URL for the host to open in the browser (it ends Logto's browser session and redirects to
    /// `post_logout_redirect_uri`). The refresh token is revoked in the background, and retried later if that
    /// fails. A refresh or sign-in in flight cannot bring the session back. 💾
    pub async fn sign_out(&self, post_logout_redirect_uri: Option<&str>) -> Result<String> {
        let options = SignOutOptions {
            post_logout_redirect_uri: post_logout_redirect_uri.map(str::to_owned),
            ..Default::default()
        };
        self.core.sign_out(&options).await
    }

    /// [`sign_out`](Self::sign_out) with options (`id_token_hint`, `state`). 💾
    pub async fn sign_out_with_options(&self, options: SignOutOptions) -> Result<String> {
        self.core.sign_out(&options).await
    }

    /// Revokes now the refresh tokens still waiting for revocation (after a sign-out while offline, say), waiting
    /// at most a few seconds per token; returns how many are still waiting. Call it before a short-lived process
    /// exits right after signing out. 💾
    pub async fn revoke_pending_tokens(&self) -> Result<usize> {
        self.core.revoke_pending_tokens().await
    }
}
