//! Starting a sign-in (the authorization URL and the pending sign-in) and completing it (the callback, the code
//! exchange, the ID token, the new session).
//!
//! Fencing: the pending sign-in a callback redeems is identified by its `state`. The new session is committed only
//! if that pending sign-in is still the current one, so a sign-out or a newer sign-in started during the exchange
//! wins; the refresh token of a session that is not committed is revoked.

use std::sync::Arc;

use crate::callback::{CallbackExpectations, parse_callback, same_endpoint};
use crate::config::{check_redirect_uri, parse_url};
use crate::discovery::ProviderMetadata;
use crate::engine::{ClientCore, now};
use crate::error::{CallbackErrorKind, LogtoError, Result};
use crate::events::AuthStateEvent;
use crate::pkce;
use crate::provider::IdTokenContext;
use crate::session::{PendingSignIn, Session, access_token_key};
use crate::sign_in::{AuthorizationRequest, SignInOptions, build_authorization_url};
use crate::store::Persist;
use crate::token_response::TokenResponse;

/// A pending sign-in older than this cannot complete (Logto's sign-in interaction lives one hour).
const PENDING_SIGN_IN_TTL: i64 = 3600;

impl ClientCore {
    /// Builds the authorization URL, stores the pending sign-in, and fetches the JWKS in the background so that
    /// after the redirect the only request left is the token request.
    pub async fn sign_in_url(self: &Arc<Self>, options: SignInOptions) -> Result<String> {
        check_redirect_uri(&options.redirect_uri, "redirect_uri")?;
        let metadata = self.metadata().await?;
        let code_verifier = pkce::code_verifier()?;
        let state = pkce::state_or_nonce()?;
        let nonce = pkce::state_or_nonce()?;
        let request = AuthorizationRequest {
            state: &state,
            nonce: &nonce,
            code_challenge: &pkce::code_challenge(&code_verifier),
        };
        let authorization =
            build_authorization_url(&metadata.authorization_endpoint, &self.config, &options, &request)?;
        let pending = PendingSignIn {
            redirect_uri: options.redirect_uri,
            state,
            nonce,
            code_verifier,
            created_at: now(),
            max_age: authorization.max_age,
        };
        self.store()
            .update(|doc, _| {
                doc.pending_sign_in = Some(pending);
                Ok(())
            })
            .await?;
        self.spawn(|client| async move {
            let _ = client.keys().await;
        });
        self.request_revocations();
        Ok(authorization.url)
    }

    /// True when `url` is the pending sign-in's redirect URI (query and fragment aside), like `@logto/client`.
    pub async fn is_sign_in_redirected(self: &Arc<Self>, url: &str) -> Result<bool> {
        let loaded = self.store().snapshot().await?;
        let Some(pending) = &loaded.doc.pending_sign_in else { return Ok(false) };
        let (Ok(url), Ok(redirect)) = (parse_url(url), parse_url(&pending.redirect_uri)) else { return Ok(false) };
        Ok(same_endpoint(&url, &redirect))
    }

    /// Completes the sign-in from the redirect. Runs as a task of its own: once the code is redeemed, the session
    /// is stored (or its refresh token revoked) even if the caller stops waiting.
    pub async fn handle_sign_in_callback(self: &Arc<Self>, callback_url: &str) -> Result<()> {
        let callback_url = callback_url.to_owned();
        self.detached(|client| async move { client.complete_sign_in(&callback_url).await }).await?
    }

    async fn complete_sign_in(self: &Arc<Self>, callback_url: &str) -> Result<()> {
        let _one = self.engine.callback_lock.lock().await;
        let loaded = self.store().snapshot().await?;
        let pending = match (&loaded.doc.pending_sign_in, loaded.unreadable) {
            (Some(pending), _) => pending.clone(),
            (None, Some(_)) => return Err(LogtoError::SignInSessionInvalid),
            (None, None) => return Err(LogtoError::SignInSessionNotFound),
        };
        let age = now().saturating_sub(pending.created_at);
        let tolerance = i64::try_from(self.config.clock_tolerance.as_secs()).unwrap_or(i64::MAX);
        if age > PENDING_SIGN_IN_TTL || age < tolerance.saturating_neg() {
            self.drop_pending(&pending.state).await;
            return Err(LogtoError::SignInSessionNotFound);
        }
        let metadata = self.metadata().await?;
        let expect = CallbackExpectations {
            redirect_uri: &pending.redirect_uri,
            state: &pending.state,
            issuer: &metadata.issuer,
            iss_required: metadata.authorization_response_iss_parameter_supported,
        };
        let response = match parse_callback(callback_url, &expect) {
            Ok(response) => response,
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
                    self.drop_pending(&pending.state).await;
                }
                return Err(e);
            }
        };
        let tokens = match self.redeem_code(&metadata, &pending, &response.code).await {
            Ok(tokens) => tokens,
            Err(e) => {
                self.drop_pending(&pending.state).await;
                return Err(e);
            }
        };
        // From here on the server holds a grant: if no session is committed, its refresh token is revoked.
        let session = match self.new_session(&tokens, &pending).await {
            Ok(session) => session,
            Err(e) => {
                self.discard(tokens.refresh_token, Some(pending.state)).await;
                return Err(e);
            }
        };
        let state = pending.state.clone();
        let committed = self
            .store()
            .update(move |doc, events| {
                if doc.pending_sign_in.as_ref().is_none_or(|p| p.state != state) {
                    return Ok(false);
                }
                let replaced = doc.session.replace(session);
                doc.pending_sign_in = None;
                doc.generation += 1;
                // A new sign-in must not leave the previous grant alive at the server.
                doc.queue_revocations(replaced.and_then(|s| s.refresh_token), now());
                events.push(AuthStateEvent::SignedIn);
                Ok(true)
            })
            .await;
        match committed {
            Ok(true) => {
                // In the background, so the token request stays the only request after the redirect.
                self.request_revocations();
                Ok(())
            }
            Ok(false) => {
                // Signed out, or a newer sign-in started, while the code was being exchanged: that wins.
                self.discard(tokens.refresh_token, None).await;
                Err(LogtoError::SignInSessionNotFound)
            }
            Err(e) => {
                self.discard(tokens.refresh_token, Some(pending.state)).await;
                Err(e)
            }
        }
    }

    async fn redeem_code(
        self: &Arc<Self>,
        metadata: &ProviderMetadata,
        pending: &PendingSignIn,
        code: &str,
    ) -> Result<TokenResponse> {
        let form = [
            ("grant_type", "authorization_code"),
            ("client_id", self.config.app_id.as_str()),
            ("code", code),
            ("code_verifier", pending.code_verifier.as_str()),
            ("redirect_uri", pending.redirect_uri.as_str()),
        ];
        self.http.post_form_json(&metadata.token_endpoint, &form, "token").await
    }

    /// The session described by a code-exchange response, once its ID token is verified.
    async fn new_session(self: &Arc<Self>, tokens: &TokenResponse, pending: &PendingSignIn) -> Result<Session> {
        tokens.check()?;
        let id_token =
            tokens.id_token.as_deref().ok_or_else(|| LogtoError::id_token("missing from the token response"))?;
        let context = IdTokenContext { nonce: Some(&pending.nonce), max_age: pending.max_age, previous: None };
        let claims = self.verify_id_token(id_token, &context).await.map_err(|e| e.into_error())?;
        Ok(Session {
            id_token: id_token.to_owned(),
            sub: claims.sub,
            refresh_token: tokens.refresh_token.clone(),
            access_tokens: [(access_token_key(None, None), tokens.access_token_entry(now()))].into_iter().collect(),
        })
    }

    /// Drops the pending sign-in if it is still the one identified by `state` (best effort).
    async fn drop_pending(self: &Arc<Self>, state: &str) {
        let state = state.to_owned();
        let _ = self
            .store()
            .change(Persist::BestEffort, move |doc, _| {
                if doc.pending_sign_in.as_ref().is_some_and(|p| p.state == state) {
                    doc.pending_sign_in = None;
                }
                Ok(())
            })
            .await;
    }
}
