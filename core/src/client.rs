//! [`LogtoClient`]: the sign-in and session engine.
//!
//! State lives in one [`Document`] per app id. All changes go through `update*`, which serialise on one async
//! mutex and write the whole document with one `Storage::set`. Network requests never run while that mutex is
//! held; instead a refresh remembers the document's `generation` and only writes its result back if no sign-in,
//! sign-out or expiry happened meanwhile.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use tokio::sync::Mutex;

use crate::callback::{CallbackExpectations, parse_callback};
use crate::claims::{
    AccessTokenClaims, IdTokenClaims, UserInfo, decode_access_token_claims, decode_segment, split_jwt,
};
use crate::config::{LogtoConfig, ORGANIZATIONS_SCOPE, ResolvedConfig, check_redirect_uri};
use crate::discovery::ProviderMetadata;
use crate::error::{CallbackErrorKind, LogtoError, Result};
use crate::http::Http;
use crate::jwt::{IdTokenExpectations, Jwks, VerifyError, verify_id_token};
use crate::pkce;
use crate::session::{AccessToken, Document, PendingSignIn, ProviderCache, Session, access_token_key, storage_key};
use crate::sign_in::{AuthorizationRequest, SignInOptions, build_authorization_url};
use crate::storage::Storage;

/// An unknown `kid` triggers at most one JWKS refetch per this period, so forged tokens cannot make the client
/// hammer the provider (OIDC Core §10.1.1 key rotation).
const JWKS_REFETCH_COOLDOWN: Duration = Duration::from_secs(30);
/// Used when a token response has no `expires_in` (Logto always sends it).
const DEFAULT_EXPIRES_IN: i64 = 3600;

/// A change of the session, reported to the [`AuthStateListener`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthStateEvent {
    /// A sign-in completed.
    SignedIn,
    /// A refresh stored new tokens.
    TokensRefreshed,
    /// `sign_out` or `clear_all_tokens` removed the session.
    SignedOut,
    /// The server refused the refresh token (`invalid_grant`): the session was removed.
    SessionExpired,
}

/// Receives [`AuthStateEvent`]s. Called on the task that caused the change; keep it quick.
pub trait AuthStateListener: Send + Sync {
    fn on_auth_state_changed(&self, event: AuthStateEvent);
}

/// Options of [`LogtoClient::get_access_token_with_options`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GetAccessTokenOptions {
    /// Refresh even if the cached token is still valid (e.g. after a role change). Concurrent forced calls still
    /// share one refresh.
    pub force_refresh: bool,
}

/// RFC 6749 §5.1 (+ OIDC `id_token`). Not `Debug`: it holds tokens.
#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    token_type: String,
    #[serde(default)]
    expires_in: Option<i64>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    id_token: Option<String>,
    #[serde(default)]
    scope: Option<String>,
}

impl TokenResponse {
    fn check(&self) -> Result<()> {
        if self.access_token.is_empty() {
            return Err(LogtoError::unexpected("token response has an empty access_token"));
        }
        if !self.token_type.eq_ignore_ascii_case("bearer") {
            return Err(LogtoError::unexpected("token response has a token_type other than Bearer"));
        }
        Ok(())
    }

    fn access_token_entry(&self, requested_at: i64) -> AccessToken {
        let lifetime = self.expires_in.filter(|s| *s > 0).unwrap_or(DEFAULT_EXPIRES_IN);
        AccessToken {
            token: self.access_token.clone(),
            scope: self.scope.clone(),
            issued_at: requested_at,
            expires_at: requested_at.saturating_add(lifetime),
        }
    }
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// The in-memory copy of the document. `corrupt` remembers that the stored one could not be read.
struct Loaded {
    doc: Document,
    corrupt: bool,
}

struct Inner {
    config: ResolvedConfig,
    http: Http,
    storage: Arc<dyn Storage>,
    storage_key: String,
    state: Mutex<Option<Loaded>>,
    /// One refresh at a time: refresh tokens rotate, and two refreshes with the same one revoke the grant.
    refresh_lock: Mutex<()>,
    /// One callback at a time: an authorization code is single-use, and a replay revokes the grant.
    callback_lock: Mutex<()>,
    /// One discovery/JWKS fetch at a time.
    provider_lock: Mutex<()>,
    last_kid_refetch: std::sync::Mutex<Option<Instant>>,
    listener: RwLock<Option<Arc<dyn AuthStateListener>>>,
}

/// The Logto client. Cheap to clone; clones share state. See the crate docs for the flow.
#[derive(Clone)]
pub struct LogtoClient {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for LogtoClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogtoClient")
            .field("app_id", &self.inner.config.app_id)
            .field("issuer", &self.inner.config.issuer)
            .finish_non_exhaustive()
    }
}

impl LogtoClient {
    /// Validates the configuration. Does no I/O.
    pub fn new(config: LogtoConfig, storage: Arc<dyn Storage>) -> Result<Self> {
        let resolved = config.resolve()?;
        let http = Http::new(&config)?;
        Ok(Self {
            inner: Arc::new(Inner {
                storage_key: storage_key(&resolved.app_id),
                config: resolved,
                http,
                storage,
                state: Mutex::new(None),
                refresh_lock: Mutex::new(()),
                callback_lock: Mutex::new(()),
                provider_lock: Mutex::new(()),
                last_kid_refetch: std::sync::Mutex::new(None),
                listener: RwLock::new(None),
            }),
        })
    }

    /// The issuer, `{endpoint}/oidc`.
    pub fn issuer(&self) -> &str {
        &self.inner.config.issuer
    }

    /// Sets (or removes) the listener of session changes.
    pub fn set_auth_state_listener(&self, listener: Option<Arc<dyn AuthStateListener>>) {
        *self.inner.listener.write().unwrap_or_else(|p| p.into_inner()) = listener;
    }

    /// Fetches and caches the discovery document and JWKS now (e.g. at app start), so sign-in needs fewer requests.
    pub async fn prefetch(&self) -> Result<()> {
        self.inner.jwks(false).await.map(|_| ())
    }

    /// Builds the authorization URL to open in the system browser and stores the pending sign-in (PKCE verifier,
    /// state, nonce, redirect URI). Starts fetching the JWKS in the background, so that after the redirect the only
    /// request left is the token request. 💾
    pub async fn sign_in_url(&self, options: SignInOptions) -> Result<String> {
        check_redirect_uri(&options.redirect_uri, "redirect_uri")?;
        let inner = &self.inner;
        let metadata = inner.provider().await?;
        let code_verifier = pkce::code_verifier()?;
        let state = pkce::state_or_nonce()?;
        let nonce = pkce::state_or_nonce()?;
        let request = AuthorizationRequest {
            state: &state,
            nonce: &nonce,
            code_challenge: &pkce::code_challenge(&code_verifier),
        };
        let url = build_authorization_url(&metadata.authorization_endpoint, &inner.config, &options, &request)?;
        let pending =
            PendingSignIn { redirect_uri: options.redirect_uri, state, nonce, code_verifier, created_at: now() };
        inner
            .update(|doc| {
                doc.pending_sign_in = Some(pending);
                Ok(())
            })
            .await?;
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let inner = Arc::clone(&self.inner);
            runtime.spawn(async move {
                let _ = inner.jwks(false).await;
            });
        }
        Ok(url)
    }

    /// Completes a sign-in from the URL the browser was redirected to: checks it against the pending sign-in
    /// (exact redirect URI, state, RFC 9207 `iss`, `error`), exchanges the code, verifies the ID token and stores
    /// the session. A callback that does not belong to the pending sign-in leaves it pending. 💾
    pub async fn handle_sign_in_callback(&self, callback_url: &str) -> Result<()> {
        let inner = &self.inner;
        let _callback = inner.callback_lock.lock().await;
        let (pending, corrupt) = inner.read(|l| (l.doc.pending_sign_in.clone(), l.corrupt)).await?;
        let pending = match pending {
            Some(p) => p,
            None if corrupt => return Err(LogtoError::SignInSessionInvalid),
            None => return Err(LogtoError::SignInSessionNotFound),
        };
        let metadata = inner.provider().await?;
        let expect = CallbackExpectations {
            redirect_uri: &pending.redirect_uri,
            state: &pending.state,
            issuer: &metadata.issuer,
            iss_required: metadata.authorization_response_iss_parameter_supported,
        };
        let response = match parse_callback(callback_url, &expect) {
            Ok(r) => r,
            Err(e) => {
                // A URL that is not the answer to our request (other redirect URI, wrong or no state) must not be
                // able to cancel the real sign-in; any other failure consumes it.
                let foreign = matches!(
                    e,
                    LogtoError::Callback {
                        kind: CallbackErrorKind::RedirectUriMismatched
                            | CallbackErrorKind::MissingState
                            | CallbackErrorKind::StateMismatched
                            | CallbackErrorKind::InvalidUrl
                    }
                );
                if !foreign {
                    inner.drop_pending(&pending.state).await;
                }
                return Err(e);
            }
        };
        let result = inner.exchange_code(&metadata, &pending, &response.code).await;
        if result.is_err() {
            inner.drop_pending(&pending.state).await;
        }
        let (tokens, claims) = result?;
        let entry = tokens.access_token_entry(now());
        let session = Session {
            id_token: tokens.id_token.clone().unwrap_or_default(),
            sub: claims.sub,
            refresh_token: tokens.refresh_token.clone(),
            access_tokens: [(access_token_key(None, None), entry)].into_iter().collect(),
        };
        let replaced = inner
            .update(|doc| {
                let replaced = doc.session.replace(session);
                doc.pending_sign_in = None;
                doc.generation += 1;
                Ok(replaced)
            })
            .await?;
        inner.emit(AuthStateEvent::SignedIn);
        // A new sign-in must not leave the previous grant alive at the server. Revoked in the background so the
        // token request stays the only request after the redirect.
        if let (Some(old_refresh_token), Ok(runtime)) =
            (replaced.and_then(|s| s.refresh_token), tokio::runtime::Handle::try_current())
        {
            let inner = Arc::clone(&self.inner);
            runtime.spawn(async move { inner.revoke(&metadata, &old_refresh_token).await });
        }
        Ok(())
    }

    /// True if a session is stored. A local check, like Logto's SDKs; `get_access_token` tells whether the server
    /// still accepts it (and removes it, with a `SessionExpired` event, if not).
    pub async fn is_authenticated(&self) -> Result<bool> {
        self.inner.read(|l| l.doc.session.is_some()).await
    }

    pub async fn get_id_token(&self) -> Result<Option<String>> {
        self.inner.read(|l| l.doc.session.as_ref().map(|s| s.id_token.clone())).await
    }

    /// Claims of the stored ID token (verified when it was received).
    pub async fn get_id_token_claims(&self) -> Result<IdTokenClaims> {
        let token = self.get_id_token().await?.ok_or(LogtoError::NotAuthenticated)?;
        split_jwt(&token)
            .and_then(|(_, payload, _)| decode_segment(payload))
            .ok_or_else(|| LogtoError::id_token("stored ID token cannot be decoded"))
    }

    pub async fn get_refresh_token(&self) -> Result<Option<String>> {
        self.inner.read(|l| l.doc.session.as_ref().and_then(|s| s.refresh_token.clone())).await
    }

    /// An access token for `resource` (an API resource indicator) and/or `organization_id`; `None`/`None` is the
    /// opaque token for the user-info endpoint. Cached until shortly before expiry, then refreshed; concurrent
    /// callers share one refresh request. `invalid_grant` ends the session with `not_authenticated`. 💾
    pub async fn get_access_token(&self, resource: Option<&str>, organization_id: Option<&str>) -> Result<String> {
        self.inner.access_token(resource, organization_id, GetAccessTokenOptions::default()).await
    }

    /// [`get_access_token`](Self::get_access_token) with options (force refresh).
    pub async fn get_access_token_with_options(
        &self,
        resource: Option<&str>,
        organization_id: Option<&str>,
        options: GetAccessTokenOptions,
    ) -> Result<String> {
        self.inner.access_token(resource, organization_id, options).await
    }

    /// Decoded (not verified) claims of the access token for `resource`.
    pub async fn get_access_token_claims(&self, resource: Option<&str>) -> Result<AccessTokenClaims> {
        decode_access_token_claims(&self.get_access_token(resource, None).await?)
    }

    /// An organization token (`aud = urn:logto:organization:<id>`). Needs the organizations scope.
    pub async fn get_organization_token(&self, organization_id: &str) -> Result<String> {
        self.get_access_token(None, Some(organization_id)).await
    }

    pub async fn get_organization_token_claims(&self, organization_id: &str) -> Result<AccessTokenClaims> {
        decode_access_token_claims(&self.get_organization_token(organization_id).await?)
    }

    /// The user-info endpoint's answer, refused if its `sub` differs from the ID token's (OIDC Core §5.3.4).
    pub async fn fetch_user_info(&self) -> Result<UserInfo> {
        let inner = &self.inner;
        let token = self.get_access_token(None, None).await?;
        let metadata = inner.provider().await?;
        let endpoint = metadata.userinfo_endpoint.as_deref().ok_or_else(|| LogtoError::FetchUserInfoFailed {
            reason: "the provider has no userinfo endpoint".into(),
        })?;
        let info: UserInfo = inner
            .http
            .get_json(endpoint, Some(&token), "user info")
            .await
            .map_err(|e| LogtoError::FetchUserInfoFailed { reason: e.to_string() })?;
        let sub = inner.read(|l| l.doc.session.as_ref().map(|s| s.sub.clone())).await?;
        match sub {
            Some(sub) if sub == info.sub => Ok(info),
            Some(_) => Err(LogtoError::FetchUserInfoFailed { reason: "sub does not match the ID token".into() }),
            None => Err(LogtoError::NotAuthenticated),
        }
    }

    /// Forgets cached access tokens (the next call refreshes). 💾
    pub async fn clear_access_token(&self) -> Result<()> {
        self.inner
            .update(|doc| {
                if let Some(s) = doc.session.as_mut() {
                    s.access_tokens.clear();
                }
                Ok(())
            })
            .await
    }

    /// Removes the session locally, without contacting the server. 💾
    pub async fn clear_all_tokens(&self) -> Result<()> {
        let (removed, persisted) = self.inner.remove_session().await;
        if removed.is_some() {
            self.inner.emit(AuthStateEvent::SignedOut);
        }
        persisted
    }

    /// Signs out: removes the session (even if storage or the network fails), revokes the refresh token at the
    /// server, and returns the end-session URL for the host to open in the browser (it ends Logto's browser
    /// session and redirects to `post_logout_redirect_uri`). A refresh in flight cannot bring the session back. 💾
    pub async fn sign_out(&self, post_logout_redirect_uri: Option<&str>) -> Result<String> {
        if let Some(uri) = post_logout_redirect_uri {
            check_redirect_uri(uri, "post_logout_redirect_uri")?;
        }
        let inner = &self.inner;
        let (removed, persisted) = inner.remove_session().await;
        if removed.is_some() {
            inner.emit(AuthStateEvent::SignedOut);
        }
        let metadata = inner.provider().await;
        if let (Some(token), Ok(metadata)) = (removed.and_then(|s| s.refresh_token), &metadata) {
            inner.revoke(metadata, &token).await;
        }
        persisted?;
        let metadata = metadata?;
        let endpoint = metadata
            .end_session_endpoint
            .as_deref()
            .ok_or_else(|| LogtoError::unexpected("the provider has no end_session_endpoint"))?;
        let mut url =
            url::Url::parse(endpoint).map_err(|_| LogtoError::unexpected("end_session_endpoint is not a URL"))?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("client_id", &inner.config.app_id);
            if let Some(uri) = post_logout_redirect_uri {
                q.append_pair("post_logout_redirect_uri", uri);
            }
        }
        Ok(url.into())
    }
}

impl Inner {
    fn emit(&self, event: AuthStateEvent) {
        let listener = self.listener.read().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(listener) = listener {
            listener.on_auth_state_changed(event);
        }
    }

    async fn loaded(&self) -> Result<tokio::sync::MutexGuard<'_, Option<Loaded>>> {
        let mut guard = self.state.lock().await;
        if guard.is_none() {
            let raw = self.storage.get(&self.storage_key).map_err(LogtoError::storage)?;
            *guard = Some(match raw {
                None => Loaded { doc: Document::new(&self.config.issuer), corrupt: false },
                Some(raw) => match Document::parse(&raw, &self.config.issuer) {
                    Ok(doc) => Loaded { doc, corrupt: false },
                    Err(()) => Loaded { doc: Document::new(&self.config.issuer), corrupt: true },
                },
            });
        }
        Ok(guard)
    }

    async fn read<R>(&self, f: impl FnOnce(&Loaded) -> R) -> Result<R> {
        let guard = self.loaded().await?;
        Ok(f(guard.as_ref().expect("loaded")))
    }

    fn persist(&self, doc: &Document) -> Result<()> {
        let raw = serde_json::to_string(doc).map_err(|e| LogtoError::Internal { message: e.to_string() })?;
        self.storage.set(&self.storage_key, &raw).map_err(LogtoError::storage)
    }

    /// Applies `f` to a copy and keeps it only if it was persisted: a storage failure leaves the previous state.
    async fn update<R>(&self, f: impl FnOnce(&mut Document) -> Result<R>) -> Result<R> {
        let mut guard = self.loaded().await?;
        let loaded = guard.as_mut().expect("loaded");
        let mut doc = loaded.doc.clone();
        let out = f(&mut doc)?;
        self.persist(&doc)?;
        *loaded = Loaded { doc, corrupt: false };
        Ok(out)
    }

    /// Applies `f` in memory even if persisting fails; for changes that must take effect regardless (removing
    /// credentials, a rotated refresh token whose predecessor is already dead, caches). Returns `f`'s value and
    /// the persistence result separately.
    async fn update_in_memory<R>(&self, f: impl FnOnce(&mut Document) -> Result<R>) -> Result<(R, Result<()>)> {
        let mut guard = self.loaded().await?;
        let loaded = guard.as_mut().expect("loaded");
        let mut doc = loaded.doc.clone();
        let out = f(&mut doc)?;
        let persisted = self.persist(&doc);
        *loaded = Loaded { doc, corrupt: loaded.corrupt && persisted.is_err() };
        Ok((out, persisted))
    }

    /// Removes the session and any pending sign-in in one step; returns the removed session, so the caller revokes
    /// exactly the refresh token that was current at that moment (a refresh finishing just before cannot slip by).
    async fn remove_session(&self) -> (Option<Session>, Result<()>) {
        let result = self
            .update_in_memory(|doc| {
                let removed = doc.session.take();
                doc.pending_sign_in = None;
                doc.generation += 1;
                Ok(removed)
            })
            .await;
        match result {
            Ok((removed, persisted)) => (removed, persisted),
            Err(e) => (None, Err(e)),
        }
    }

    /// Drops the pending sign-in if it is still the one identified by `state` (best effort).
    async fn drop_pending(&self, state: &str) {
        let _ = self
            .update_in_memory(|doc| {
                if doc.pending_sign_in.as_ref().is_some_and(|p| p.state == state) {
                    doc.pending_sign_in = None;
                }
                Ok(())
            })
            .await;
    }

    /// Discovery, from the cache when fresh.
    async fn provider(&self) -> Result<ProviderMetadata> {
        let ttl = self.config.discovery_cache_ttl.as_secs() as i64;
        // Fresh if fetched within the TTL (a cache "from the future", after a clock change, is not trusted).
        let fresh = |l: &Loaded| {
            let now = now();
            l.doc.provider.as_ref().filter(|p| (0..ttl).contains(&(now - p.fetched_at))).map(|p| p.metadata.clone())
        };
        if let Some(m) = self.read(fresh).await? {
            return Ok(m);
        }
        let _fetching = self.provider_lock.lock().await;
        if let Some(m) = self.read(fresh).await? {
            return Ok(m);
        }
        let metadata: ProviderMetadata = self.http.get_json(&self.config.discovery_url, None, "discovery").await?;
        metadata.validate(&self.config.issuer)?;
        let cached = metadata.clone();
        // A cache that fails to persist is only a missed optimisation; the in-memory copy is still used.
        let (_, _cache_persisted) = self
            .update_in_memory(|doc| {
                // Keep the JWKS only if it still comes from the same place.
                let jwks = doc.provider.take().filter(|p| p.metadata.jwks_uri == cached.jwks_uri).and_then(|p| p.jwks);
                doc.provider = Some(ProviderCache { metadata: cached, fetched_at: now(), jwks });
                Ok(())
            })
            .await?;
        Ok(metadata)
    }

    /// The JWKS, from the cache unless `refetch`.
    async fn jwks(&self, refetch: bool) -> Result<Jwks> {
        let metadata = self.provider().await?;
        let cached = |l: &Loaded| l.doc.provider.as_ref().and_then(|p| p.jwks.clone());
        if !refetch && let Some(jwks) = self.read(cached).await? {
            return Ok(jwks);
        }
        let _fetching = self.provider_lock.lock().await;
        if !refetch && let Some(jwks) = self.read(cached).await? {
            return Ok(jwks);
        }
        let jwks: Jwks = self.http.get_json(&metadata.jwks_uri, None, "JWKS").await?;
        if jwks.keys.is_empty() {
            return Err(LogtoError::unexpected("the JWKS has no keys"));
        }
        let stored = jwks.clone();
        let (_, _cache_persisted) = self
            .update_in_memory(|doc| {
                if let Some(p) = doc.provider.as_mut() {
                    p.jwks = Some(stored);
                }
                Ok(())
            })
            .await?;
        Ok(jwks)
    }

    fn may_refetch_jwks(&self) -> bool {
        let mut last = self.last_kid_refetch.lock().unwrap_or_else(|p| p.into_inner());
        if last.is_some_and(|t| t.elapsed() < JWKS_REFETCH_COOLDOWN) {
            return false;
        }
        *last = Some(Instant::now());
        true
    }

    async fn verify_id_token(
        &self,
        token: &str,
        nonce: Option<&str>,
        previous_sub: Option<&str>,
    ) -> Result<IdTokenClaims> {
        let metadata = self.provider().await?;
        let expect = IdTokenExpectations {
            issuer: &metadata.issuer,
            client_id: &self.config.app_id,
            nonce,
            previous_sub,
            provider_algorithms: metadata.id_token_signing_alg_values_supported.as_deref(),
            now: now(),
            tolerance: self.config.clock_tolerance.as_secs() as i64,
        };
        let jwks = self.jwks(false).await?;
        match verify_id_token(token, &jwks, &expect) {
            Ok(claims) => Ok(claims),
            Err(VerifyError::Invalid(e)) => Err(e),
            Err(VerifyError::UnknownKid) => {
                if !self.may_refetch_jwks() {
                    return Err(LogtoError::id_token("no key matches the token (JWKS refetch rate-limited)"));
                }
                let jwks = self.jwks(true).await?;
                verify_id_token(token, &jwks, &expect).map_err(|e| match e {
                    VerifyError::Invalid(e) => e,
                    VerifyError::UnknownKid => LogtoError::id_token("no key matches the token"),
                })
            }
        }
    }

    async fn exchange_code(
        &self,
        metadata: &ProviderMetadata,
        pending: &PendingSignIn,
        code: &str,
    ) -> Result<(TokenResponse, IdTokenClaims)> {
        let form = [
            ("grant_type", "authorization_code"),
            ("client_id", self.config.app_id.as_str()),
            ("code", code),
            ("code_verifier", pending.code_verifier.as_str()),
            ("redirect_uri", pending.redirect_uri.as_str()),
        ];
        let tokens: TokenResponse = self.http.post_form_json(&metadata.token_endpoint, &form, "token").await?;
        tokens.check()?;
        let id_token =
            tokens.id_token.as_deref().ok_or_else(|| LogtoError::id_token("missing from the token response"))?;
        let claims = self.verify_id_token(id_token, Some(&pending.nonce), None).await?;
        Ok((tokens, claims))
    }

    async fn revoke(&self, metadata: &ProviderMetadata, refresh_token: &str) {
        if let Some(endpoint) = &metadata.revocation_endpoint {
            let form = [
                ("token", refresh_token),
                ("token_type_hint", "refresh_token"),
                ("client_id", self.config.app_id.as_str()),
            ];
            // Best effort (RFC 7009 §2.2): the local session is gone either way.
            let _ = self.http.post_form(endpoint, &form).await;
        }
    }

    async fn access_token(
        &self,
        resource: Option<&str>,
        organization_id: Option<&str>,
        options: GetAccessTokenOptions,
    ) -> Result<String> {
        if organization_id.is_some() && !self.config.scopes.iter().any(|s| s == ORGANIZATIONS_SCOPE) {
            return Err(LogtoError::MissingScopeOrganizations);
        }
        let key = access_token_key(resource, organization_id);
        let margin = self.config.expiry_margin.as_secs() as i64;
        let cached = |l: &Loaded| -> Result<Option<AccessToken>> {
            let session = l.doc.session.as_ref().ok_or(LogtoError::NotAuthenticated)?;
            Ok(session.access_tokens.get(&key).cloned())
        };
        let seen = self.read(cached).await??;
        if let Some(entry) = &seen
            && !options.force_refresh
            && entry.is_fresh(now(), margin)
        {
            return Ok(entry.token.clone());
        }

        let _refreshing = self.refresh_lock.lock().await;
        // Someone may have refreshed while we waited: use their token unless it is the one we wanted replaced.
        if let Some(entry) = self.read(cached).await?? {
            let replaced = seen.as_ref().is_none_or(|s| s.token != entry.token);
            if entry.is_fresh(now(), margin) && (!options.force_refresh || replaced) {
                return Ok(entry.token.clone());
            }
        }
        let (refresh_token, sub, generation) = self
            .read(|l| {
                let s = l.doc.session.as_ref()?;
                Some((s.refresh_token.clone()?, s.sub.clone(), l.doc.generation))
            })
            .await?
            .ok_or(LogtoError::NotAuthenticated)?;
        let metadata = self.provider().await?;
        let mut form = vec![
            ("grant_type", "refresh_token"),
            ("client_id", self.config.app_id.as_str()),
            ("refresh_token", refresh_token.as_str()),
        ];
        if let Some(resource) = resource {
            form.push(("resource", resource));
        }
        if let Some(org) = organization_id {
            form.push(("organization_id", org));
        }
        let requested_at = now();
        let tokens: TokenResponse = match self.http.post_form_json(&metadata.token_endpoint, &form, "token").await {
            Ok(t) => t,
            Err(LogtoError::Oidc { error, .. }) if error == "invalid_grant" => {
                self.expire_session(generation).await;
                return Err(LogtoError::NotAuthenticated);
            }
            Err(e) => return Err(e),
        };
        tokens.check()?;
        if let Some(id_token) = &tokens.id_token {
            self.verify_id_token(id_token, None, Some(&sub)).await?;
        }
        let entry = tokens.access_token_entry(requested_at);
        let token = entry.token.clone();
        let written = self
            .update_in_memory(|doc| {
                let current = doc.session.as_mut().filter(|_| doc.generation == generation);
                let Some(session) = current else { return Ok(false) };
                if let Some(rt) = &tokens.refresh_token {
                    session.refresh_token = Some(rt.clone());
                }
                if let Some(id_token) = &tokens.id_token {
                    session.id_token = id_token.clone();
                }
                session.access_tokens.insert(key.clone(), entry);
                Ok(true)
            })
            .await?;
        match written {
            (true, persisted) => {
                self.emit(AuthStateEvent::TokensRefreshed);
                persisted.map(|()| token)
            }
            (false, _) => {
                // Signed out (or signed in again) while this refresh was in flight: its tokens belong to a session
                // that no longer exists. Revoke the rotated refresh token so it cannot outlive the sign-out.
                if let Some(rt) = &tokens.refresh_token {
                    self.revoke(&metadata, rt).await;
                }
                Err(LogtoError::NotAuthenticated)
            }
        }
    }

    async fn expire_session(&self, generation: u64) {
        let expired = self
            .update_in_memory(|doc| {
                if doc.generation != generation || doc.session.is_none() {
                    return Ok(false);
                }
                doc.session = None;
                doc.generation += 1;
                Ok(true)
            })
            .await;
        if matches!(expired, Ok((true, _))) {
            self.emit(AuthStateEvent::SessionExpired);
        }
    }
}
