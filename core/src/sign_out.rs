//! Ending sessions: local sign-out, the end-session URL, and revoking refresh tokens at the server.
//!
//! Sign-out never waits on the network. The session is removed first (in memory even if storage fails); its refresh
//! token moves, in the same write, to the document's queue of tokens to revoke; the end-session URL is built from the
//! cached discovery document (however old). A background worker revokes queued tokens with a bounded timeout and
//! keeps those it could not revoke for a later attempt (the next sign-in, refresh, prefetch or sign-out, or an
//! explicit [`LogtoClient::revoke_pending_tokens`](crate::LogtoClient::revoke_pending_tokens)).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::config::check_redirect_uri;
use crate::engine::{ClientCore, now};
use crate::error::{LogtoError, Result};
use crate::events::AuthStateEvent;
use crate::store::Persist;

/// One revocation request gives up after this long; the token stays queued.
const REVOCATION_TIMEOUT: Duration = Duration::from_secs(10);
/// Sign-out waits at most this long for a discovery document it has never fetched.
const SIGN_OUT_DISCOVERY_TIMEOUT: Duration = Duration::from_secs(2);

/// Options of [`LogtoClient::sign_out_with_options`](crate::LogtoClient::sign_out_with_options).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignOutOptions {
    /// Where Logto sends the browser after ending its session. Must be registered in Logto exactly (Logto
    /// matches it with no port exception, unlike the redirect URI).
    pub post_logout_redirect_uri: Option<String>,
    /// Sends the session's ID token as `id_token_hint` (OIDC RP-Initiated Logout §2).
    pub id_token_hint: bool,
    /// Sent as `state`; Logto returns it to the post-logout redirect URI.
    pub state: Option<String>,
}

impl ClientCore {
    /// Removes the session and returns the end-session URL; revocation happens in the background.
    pub async fn sign_out(self: &Arc<Self>, options: &SignOutOptions) -> Result<String> {
        if let Some(uri) = &options.post_logout_redirect_uri {
            check_redirect_uri(uri, "post_logout_redirect_uri")?;
        }
        let (id_token, persisted) = self.remove_session().await?;
        let url = self.end_session_url(options, id_token.as_deref().filter(|_| options.id_token_hint)).await;
        persisted?;
        url
    }

    /// Removes the session (and any pending sign-in) in memory even if storage fails, queues its refresh token for
    /// revocation in the same write, and starts the revocation. Returns the removed ID token and whether the removal
    /// was persisted.
    pub async fn remove_session(self: &Arc<Self>) -> Result<(Option<String>, Result<()>)> {
        let removed = self
            .store()
            .change(Persist::BestEffort, |doc, events| {
                doc.pending_sign_in = None;
                doc.generation += 1;
                let session = doc.session.take();
                Ok(session.map(|session| {
                    doc.queue_revocations(session.refresh_token, now());
                    events.push(AuthStateEvent::SignedOut);
                    session.id_token
                }))
            })
            .await?;
        self.request_revocations();
        Ok((removed.value, removed.persisted))
    }

    async fn end_session_url(
        self: &Arc<Self>,
        options: &SignOutOptions,
        id_token_hint: Option<&str>,
    ) -> Result<String> {
        let metadata = match self.cached_metadata().await {
            Some(metadata) => Some(metadata),
            None => tokio::time::timeout(SIGN_OUT_DISCOVERY_TIMEOUT, self.fetch_provider(true, false))
                .await
                .ok()
                .and_then(Result::ok)
                .map(|cache| cache.metadata),
        };
        let endpoint = match metadata {
            Some(metadata) => metadata
                .end_session_endpoint
                .ok_or_else(|| LogtoError::unexpected("the provider has no end_session_endpoint"))?,
            // Offline, never discovered: Logto's end-session endpoint has a fixed path under the issuer.
            None => format!("{}/session/end", self.config.issuer),
        };
        let mut url = crate::config::parse_url(&endpoint)
            .map_err(|_| LogtoError::unexpected("end_session_endpoint is not a URL"))?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("client_id", &self.config.app_id);
            if let Some(uri) = &options.post_logout_redirect_uri {
                q.append_pair("post_logout_redirect_uri", uri);
            }
            if let Some(id_token) = id_token_hint {
                q.append_pair("id_token_hint", id_token);
            }
            if let Some(state) = &options.state {
                q.append_pair("state", state);
            }
        }
        Ok(url.into())
    }

    /// Queues a refresh token whose session will not be used for revocation, and drops the pending sign-in of
    /// `state` if it is still current.
    pub async fn discard(self: &Arc<Self>, refresh_token: Option<String>, pending_state: Option<String>) {
        if refresh_token.is_none() && pending_state.is_none() {
            return;
        }
        let _ = self
            .store()
            .change(Persist::BestEffort, move |doc, _| {
                doc.queue_revocations(refresh_token, now());
                if pending_state.is_some() && doc.pending_sign_in.as_ref().map(|p| &p.state) == pending_state.as_ref() {
                    doc.pending_sign_in = None;
                }
                Ok(())
            })
            .await;
        self.request_revocations();
    }

    /// Starts revoking queued tokens in the background (if a worker is already running, it looks again).
    pub fn request_revocations(self: &Arc<Self>) {
        self.engine.revocations_requested.store(true, Ordering::SeqCst);
        self.spawn(|client| async move {
            if let Ok(_one) = client.engine.revoking.try_lock() {
                client.revoke_queued().await;
            }
        });
    }

    /// Revokes queued tokens now, waiting for a worker already running; returns how many are still queued.
    pub async fn revoke_pending_tokens(self: &Arc<Self>) -> Result<usize> {
        self.engine.revocations_requested.store(true, Ordering::SeqCst);
        let _one = self.engine.revoking.lock().await;
        self.revoke_queued().await;
        Ok(self.store().snapshot().await?.doc.pending_revocations.len())
    }

    /// The worker: one pass over the queue, again while new tokens were queued meanwhile.
    async fn revoke_queued(self: &Arc<Self>) {
        while self.engine.revocations_requested.swap(false, Ordering::SeqCst) {
            let Ok(loaded) = self.store().snapshot().await else { return };
            let queued: Vec<String> = loaded.doc.pending_revocations.iter().map(|p| p.token.clone()).collect();
            if queued.is_empty() {
                continue;
            }
            let metadata = match self.cached_metadata().await {
                Some(metadata) => metadata,
                None => match tokio::time::timeout(REVOCATION_TIMEOUT, self.fetch_provider(true, false)).await {
                    Ok(Ok(cache)) => cache.metadata,
                    _ => return,
                },
            };
            let mut settled = Vec::new();
            for token in queued {
                let Some(endpoint) = &metadata.revocation_endpoint else {
                    // Nothing to revoke with: the tokens expire on their own.
                    settled.push(token);
                    continue;
                };
                let form = [
                    ("token", token.as_str()),
                    ("token_type_hint", "refresh_token"),
                    ("client_id", self.config.app_id.as_str()),
                ];
                let outcome = tokio::time::timeout(REVOCATION_TIMEOUT, self.http.post_form(endpoint, &form)).await;
                // RFC 7009 §2.2: 200 also for tokens that are already invalid. A 4xx OAuth error (an RFC 6749 error
                // body: the server itself answered) will not change on a retry; anything else might: a 5xx, a network
                // failure, a timeout, a 429, or a 4xx without an OAuth body — a refusal by an intermediary (a rate
                // limiter, a WAF's HTML page) that says nothing about the token. The queue is bounded in size and age.
                let permanent = match &outcome {
                    Ok(Ok(())) => true,
                    Ok(Err(LogtoError::Oidc { status, .. })) => (400..500).contains(status) && *status != 429,
                    _ => false,
                };
                if permanent {
                    settled.push(token);
                }
            }
            if !settled.is_empty() {
                let _ = self
                    .store()
                    .change(Persist::BestEffort, move |doc, _| {
                        doc.pending_revocations.retain(|p| !settled.contains(&p.token));
                        Ok(())
                    })
                    .await;
            }
        }
    }
}
