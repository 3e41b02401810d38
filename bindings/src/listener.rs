//! Session-change events, as a foreign listener trait, and its adapter to `logto_core::AuthStateListener`.

use std::sync::Arc;

use crate::error::ListenerError;

/// A change of the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum AuthStateEvent {
    /// A sign-in completed.
    SignedIn,
    /// A refresh stored new tokens.
    TokensRefreshed,
    /// `sign_out` or `clear_all_tokens` removed the session.
    SignedOut,
    /// The server refused the refresh token: the session was removed.
    SessionExpired,
}

impl From<logto_core::AuthStateEvent> for AuthStateEvent {
    fn from(e: logto_core::AuthStateEvent) -> Self {
        match e {
            logto_core::AuthStateEvent::SignedIn => Self::SignedIn,
            logto_core::AuthStateEvent::TokensRefreshed => Self::TokensRefreshed,
            logto_core::AuthStateEvent::SignedOut => Self::SignedOut,
            logto_core::AuthStateEvent::SessionExpired => Self::SessionExpired,
        }
    }
}

/// Receives [`AuthStateEvent`]s, synchronously, on the thread of the call that caused the change: keep it quick
/// (post to a flow / stream). An exception it throws is ignored.
#[uniffi::export(foreign)]
pub trait AuthStateListener: Send + Sync {
    fn on_auth_state_changed(&self, event: AuthStateEvent) -> Result<(), ListenerError>;
}

/// Presents a host [`AuthStateListener`] as the core's listener.
pub(crate) struct ListenerAdapter(pub Arc<dyn AuthStateListener>);

impl logto_core::AuthStateListener for ListenerAdapter {
    fn on_auth_state_changed(&self, event: logto_core::AuthStateEvent) {
        // The listener's failure is the host's business; it must not fail the operation that emitted the event.
        let _ = self.0.on_auth_state_changed(event.into());
    }
}
