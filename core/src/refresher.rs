//! Access tokens: served from the cache, or refreshed — by a task the client owns, not by the caller.
//!
//! Durability rules of a refresh:
//! 1. It runs as its own task. Callers await its shared result; a caller that stops waiting (a cancelled coroutine,
//!    a timeout, a torn-down bridge call) never stops the write-back.
//! 2. One refresh at a time per session (in this process: the engine's lock; across processes: the host's storage
//!    lock), and inside it the stored session is re-read, so a refresh token rotated by another client is adopted,
//!    never replayed.
//! 3. The rotated refresh token is persisted as soon as the response parses, before the ID token is verified.
//! 4. A new ID token that fails a security check ends the session on purpose (and the refresh token is revoked); a
//!    transient failure (keys unavailable, clock off) keeps the new refresh token and reports the error.
//! 5. A result that belongs to a session that no longer exists (signed out meanwhile) is discarded and its refresh
//!    token revoked: sign-out wins.

use std::sync::Arc;

use tokio::sync::watch;

use crate::claims::{IdTokenClaims, decode_segment, split_jwt};
use crate::config::{ORGANIZATIONS_SCOPE, check_resource};
use crate::discovery::ProviderMetadata;
use crate::engine::{ClientCore, Engine, Flight, lock, now};
use crate::error::{LogtoError, Result};
use crate::events::AuthStateEvent;
use crate::http::is_timeout;
use crate::provider::{IdTokenContext, IdTokenFailure};
use crate::session::access_token_key;
use crate::store::Persist;
use crate::token_response::TokenResponse;

/// Options of [`LogtoClient::get_access_token_with_options`](crate::LogtoClient::get_access_token_with_options).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GetAccessTokenOptions {
    /// Refresh even if the cached token is still valid (e.g. after a role change). Concurrent forced calls still
    /// share one refresh.
    pub force_refresh: bool,
}

/// One refresh, as the task that runs it sees it.
struct RefreshRequest {
    key: String,
    resource: Option<String>,
    organization_id: Option<String>,
    force: bool,
    /// The cached token the caller saw: a forced refresh wants a different one.
    seen: Option<String>,
}

/// Removes a finished flight from the engine, also if its task panicked.
struct Landing {
    engine: Arc<Engine>,
    key: String,
    flight: Flight,
}

impl Drop for Landing {
    fn drop(&mut self) {
        let mut flights = lock(&self.engine.flights);
        if flights.get(&self.key).is_some_and(|f| f.same_channel(&self.flight)) {
            flights.remove(&self.key);
        }
    }
}

impl ClientCore {
    pub async fn access_token(
        self: &Arc<Self>,
        resource: Option<&str>,
        organization_id: Option<&str>,
        options: GetAccessTokenOptions,
    ) -> Result<String> {
        if let Some(resource) = resource {
            check_resource(resource)?;
        }
        if organization_id.is_some_and(str::is_empty) {
            return Err(LogtoError::config("organization_id is empty"));
        }
        if organization_id.is_some() && !self.config.scopes.iter().any(|s| s == ORGANIZATIONS_SCOPE) {
            return Err(LogtoError::MissingScopeOrganizations);
        }
        let key = access_token_key(resource, organization_id);
        let loaded = self.store().snapshot().await?;
        let session = loaded.doc.session.as_ref().ok_or(LogtoError::NotAuthenticated)?;
        let seen = session.access_tokens.get(&key);
        if let Some(entry) = seen
            && !options.force_refresh
            && entry.is_fresh(now(), self.margin())
        {
            return Ok(entry.token.clone());
        }
        let request = RefreshRequest {
            seen: seen.map(|e| e.token.clone()),
            key,
            resource: resource.map(str::to_owned),
            organization_id: organization_id.map(str::to_owned),
            force: options.force_refresh,
        };
        self.join_refresh(request).await
    }

    fn margin(&self) -> i64 {
        i64::try_from(self.config.expiry_margin.as_secs()).unwrap_or(i64::MAX)
    }

    /// Joins the refresh in flight for the same token, or starts one.
    async fn join_refresh(self: &Arc<Self>, request: RefreshRequest) -> Result<String> {
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|_| LogtoError::Internal { message: "the SDK must run on a tokio runtime".into() })?;
        let mut flight = {
            let mut flights = lock(&self.engine.flights);
            match flights.get(&request.key) {
                Some(flight) => flight.clone(),
                None => {
                    let (result, flight) = watch::channel(None);
                    flights.insert(request.key.clone(), flight.clone());
                    let landing =
                        Landing { engine: Arc::clone(&self.engine), key: request.key.clone(), flight: flight.clone() };
                    let client = Arc::clone(self);
                    runtime.spawn(async move {
                        let outcome = client.refresh(&request).await;
                        // Landed before the result is announced: a caller arriving now starts afresh (and finds
                        // the new token in the cache).
                        drop(landing);
                        let _ = result.send(Some(outcome));
                    });
                    flight
                }
            }
        };
        let outcome = flight
            .wait_for(Option::is_some)
            .await
            .map_err(|_| LogtoError::Internal { message: "the refresh task ended without a result".into() })?;
        outcome.clone().expect("waited for a result")
    }

    async fn refresh(self: &Arc<Self>, request: &RefreshRequest) -> Result<String> {
        let _one = self.engine.refresh_lock.lock().await;
        let _across_processes = self.store().lock_across_processes().await?;
        // Another client (in another process) may have refreshed, signed out or signed in meanwhile.
        let loaded = self.store().reload().await?;
        let session = loaded.doc.session.as_ref().ok_or(LogtoError::NotAuthenticated)?;
        if let Some(entry) = session.access_tokens.get(&request.key)
            && entry.is_fresh(now(), self.margin())
            && (!request.force || request.seen.as_deref() != Some(entry.token.as_str()))
        {
            return Ok(entry.token.clone());
        }
        let refresh_token = session.refresh_token.clone().ok_or(LogtoError::NotAuthenticated)?;
        let previous: Option<IdTokenClaims> =
            split_jwt(&session.id_token).and_then(|(_, payload, _)| decode_segment(payload));
        let generation = loaded.doc.generation;
        let metadata = self.metadata().await?;

        let requested_at = now();
        let tokens = match self.redeem_refresh_token(&metadata, &refresh_token, request).await {
            Ok(tokens) => tokens,
            Err(LogtoError::Oidc { error, .. }) if error == "invalid_grant" => {
                self.end_session(generation, false).await;
                return Err(LogtoError::NotAuthenticated);
            }
            Err(e) => return Err(e),
        };

        // 1. The rotated refresh token, before anything else can fail: its predecessor is consumed.
        let mut rotated_persisted = Ok(());
        if let Some(rotated) = tokens.refresh_token.clone() {
            let kept = self
                .store()
                .change(Persist::BestEffort, move |doc, _| {
                    let Some(session) = doc.session.as_mut().filter(|_| doc.generation == generation) else {
                        return Ok(false);
                    };
                    session.refresh_token = Some(rotated);
                    Ok(true)
                })
                .await?;
            if !kept.value {
                // Signed out (or in again) while the request was in flight: sign-out wins.
                self.discard(tokens.refresh_token, None).await;
                return Err(LogtoError::NotAuthenticated);
            }
            rotated_persisted = kept.persisted;
        }
        tokens.check()?;

        // 2. The new ID token, held to the rules of a refreshed one (OIDC Core §12.2).
        if let Some(id_token) = &tokens.id_token {
            let context = IdTokenContext { previous: previous.as_ref(), ..Default::default() };
            match self.verify_id_token(id_token, &context).await {
                Ok(_) => {}
                Err(IdTokenFailure::Transient(e)) => return Err(e),
                Err(IdTokenFailure::Rejected(e)) => {
                    self.end_session(generation, true).await;
                    return Err(e);
                }
            }
        }

        // 3. The tokens themselves. Caches: kept in memory even if storage fails.
        let entry = tokens.access_token_entry(requested_at);
        let token = entry.token.clone();
        let (key, id_token) = (request.key.clone(), tokens.id_token.clone());
        let stored = self
            .store()
            .change(Persist::BestEffort, move |doc, events| {
                let Some(session) = doc.session.as_mut().filter(|_| doc.generation == generation) else {
                    return Ok(false);
                };
                if let Some(id_token) = id_token {
                    session.id_token = id_token;
                }
                session.access_tokens.insert(key, entry);
                events.push(AuthStateEvent::TokensRefreshed);
                Ok(true)
            })
            .await?;
        if !stored.value {
            // Signed out after step 1: that sign-out took (and queued for revocation) the rotated token.
            return Err(LogtoError::NotAuthenticated);
        }
        // The rotated refresh token lives only in memory: the app must hear that the session will not survive
        // a restart — unless the write just made (the whole document, rotated token included) persisted it.
        if stored.persisted.is_err() {
            rotated_persisted?;
        }
        if !loaded.doc.pending_revocations.is_empty() {
            self.request_revocations();
        }
        Ok(token)
    }

    /// The refresh request, retried once at once if the connection failed (not timed out): if the server had
    /// already rotated the token, Logto still accepts the consumed one for a few seconds, so the retry rescues the
    /// session instead of losing the response.
    async fn redeem_refresh_token(
        self: &Arc<Self>,
        metadata: &ProviderMetadata,
        refresh_token: &str,
        request: &RefreshRequest,
    ) -> Result<TokenResponse> {
        let mut form = vec![
            ("grant_type", "refresh_token"),
            ("client_id", self.config.app_id.as_str()),
            ("refresh_token", refresh_token),
        ];
        if let Some(resource) = &request.resource {
            form.push(("resource", resource));
        }
        if let Some(organization_id) = &request.organization_id {
            form.push(("organization_id", organization_id));
        }
        match self.http.post_form_json(&metadata.token_endpoint, &form, "token").await {
            Err(e @ LogtoError::Network { .. }) if !is_timeout(&e) => {
                self.http.post_form_json(&metadata.token_endpoint, &form, "token").await
            }
            other => other,
        }
    }

    /// Ends the session of `generation` without the user asking (`SessionExpired`), revoking its refresh token if
    /// the server may still accept it.
    async fn end_session(self: &Arc<Self>, generation: u64, revoke: bool) {
        let ended = self
            .store()
            .change(Persist::BestEffort, move |doc, events| {
                if doc.generation != generation {
                    return Ok(false);
                }
                let Some(session) = doc.session.take() else { return Ok(false) };
                doc.generation += 1;
                if revoke {
                    doc.queue_revocations(session.refresh_token, now());
                }
                events.push(AuthStateEvent::SessionExpired);
                Ok(true)
            })
            .await;
        if revoke && matches!(ended, Ok(ref c) if c.value) {
            self.request_revocations();
        }
    }
}
