//! The public error type.
//!
//! Every failure the SDK can report is a [`LogtoError`] with a stable [`LogtoError::code`] string. Codes reuse
//! Logto's own (`@logto/client`, `@logto/js`) where they exist so that apps migrating from the official SDKs keep
//! their error handling, and add our own for what those SDKs never distinguished (network, storage, config).
//!
//! Messages are written for developers and never contain tokens, authorization codes, PKCE verifiers, or raw
//! response bodies: only the server's OAuth `error`/`error_description` fields, HTTP status codes and our own text.

use std::fmt;

/// Why a callback URL was rejected (`callback_uri_verification.*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallbackErrorKind {
    /// The URL is not the pending sign-in's redirect URI (scheme, host, port and path must match exactly).
    RedirectUriMismatched,
    /// No `state` parameter.
    MissingState,
    /// `state` differs from the pending sign-in's.
    StateMismatched,
    /// No `code` parameter on a success response.
    MissingCode,
    /// No `iss` parameter although the provider advertises RFC 9207 support.
    MissingIssuer,
    /// `iss` differs from the discovered issuer (RFC 9207 mix-up defence).
    IssuerMismatched,
    /// The callback is not a parseable absolute URL.
    InvalidUrl,
}

impl CallbackErrorKind {
    fn code(self) -> &'static str {
        match self {
            Self::RedirectUriMismatched => "callback_uri_verification.redirect_uri_mismatched",
            Self::MissingState => "callback_uri_verification.missing_state",
            Self::StateMismatched => "callback_uri_verification.state_mismatched",
            Self::MissingCode => "callback_uri_verification.missing_code",
            Self::MissingIssuer => "callback_uri_verification.missing_issuer",
            Self::IssuerMismatched => "callback_uri_verification.issuer_mismatched",
            Self::InvalidUrl => "callback_uri_verification.invalid_url",
        }
    }
}

/// Every error the SDK returns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LogtoError {
    /// The configuration or an argument is invalid (bad endpoint, `http://` to a non-loopback host, bad URI…).
    #[error("invalid configuration: {message}")]
    InvalidConfig { message: String },
    /// `handle_sign_in_callback` was called but no sign-in is pending (unsolicited callback).
    #[error("Sign-in session not found.")]
    SignInSessionNotFound,
    /// The stored pending sign-in could not be read.
    #[error("Invalid sign-in session.")]
    SignInSessionInvalid,
    /// The callback URL failed a check before any request was made.
    #[error("The callback URI is invalid: {kind:?}.")]
    Callback { kind: CallbackErrorKind },
    /// The authorization server redirected back with `error` (e.g. `access_denied`).
    #[error("The authorization server returned an error: {error}{}", fmt_description(.description))]
    CallbackErrorFound { error: String, description: Option<String> },
    /// The ID token failed verification.
    #[error("The ID token is invalid: {reason}.")]
    IdTokenInvalid { reason: String },
    /// The ID token's `iat` is outside the allowed clock tolerance.
    #[error("The ID token's issued-at time is out of range.")]
    IdTokenInvalidIat,
    /// There is no session (never signed in, signed out, or the session expired at the server).
    #[error("Not authenticated.")]
    NotAuthenticated,
    /// The user closed the browser. Produced by the platform layers, never by the core itself.
    #[error("The user cancelled the action.")]
    UserCancelled,
    /// A sign-in (or sign-out) through the browser is already running. Produced by the platform layers.
    #[error("A sign-in is already in progress.")]
    SignInInProgress,
    /// No browser could be opened for the sign-in. Produced by the platform layers.
    #[error("No browser is available to sign in.")]
    BrowserUnavailable,
    /// The browser flow did not finish in time. Produced by the platform layers.
    #[error("The sign-in timed out.")]
    Timeout,
    /// The user-info request failed or returned a different `sub` than the ID token.
    #[error("Unable to fetch user info: {reason}.")]
    FetchUserInfoFailed { reason: String },
    /// An organization token was requested without the `urn:logto:scope:organizations` scope.
    #[error("The `urn:logto:scope:organizations` scope is required.")]
    MissingScopeOrganizations,
    /// An OAuth/OIDC error response from the server (RFC 6749 §5.2), e.g. `invalid_grant`.
    #[error("The server returned {error}{}", fmt_description(.description))]
    Oidc { error: String, description: Option<String>, status: u16 },
    /// A non-OAuth HTTP error status.
    #[error("The server returned HTTP {status}.")]
    Http { status: u16 },
    /// The request could not be completed (DNS, TCP, TLS, timeout, response too large).
    #[error("Network error: {message}.")]
    Network { message: String },
    /// The server answered with something we cannot use (bad JSON, missing fields, bad discovery document).
    #[error("Unexpected response: {message}.")]
    UnexpectedResponse { message: String },
    /// The host storage failed. The previous session is left as it was.
    #[error("Storage error: {message}.")]
    Storage { message: String },
    /// A bug or an impossible state (e.g. a panic caught at the FFI boundary).
    #[error("Internal error: {message}.")]
    Internal { message: String },
}

fn fmt_description(description: &Option<String>) -> String {
    description.as_ref().map(|d| format!(" ({d})")).unwrap_or_default()
}

impl LogtoError {
    /// The stable, machine-readable error code (Logto's where one exists).
    pub fn code(&self) -> String {
        match self {
            Self::InvalidConfig { .. } => "invalid_config".into(),
            Self::SignInSessionNotFound => "sign_in_session.not_found".into(),
            Self::SignInSessionInvalid => "sign_in_session.invalid".into(),
            Self::Callback { kind } => kind.code().into(),
            Self::CallbackErrorFound { .. } => "callback_uri_verification.error_found".into(),
            Self::IdTokenInvalid { .. } => "id_token.invalid_token".into(),
            Self::IdTokenInvalidIat => "id_token.invalid_iat".into(),
            Self::NotAuthenticated => "not_authenticated".into(),
            Self::UserCancelled => "user_cancelled".into(),
            Self::SignInInProgress => "sign_in_in_progress".into(),
            Self::BrowserUnavailable => "browser_unavailable".into(),
            Self::Timeout => "timeout".into(),
            Self::FetchUserInfoFailed { .. } => "fetch_user_info_failed".into(),
            Self::MissingScopeOrganizations => "missing_scope_organizations".into(),
            Self::Oidc { error, .. } => format!("oidc.{error}"),
            Self::Http { status } => format!("http_error_{status}"),
            Self::Network { .. } => "network".into(),
            Self::UnexpectedResponse { .. } => "unexpected_response_error".into(),
            Self::Storage { .. } => "storage".into(),
            Self::Internal { .. } => "internal".into(),
        }
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Self::InvalidConfig { message: message.into() }
    }

    pub(crate) fn unexpected(message: impl Into<String>) -> Self {
        Self::UnexpectedResponse { message: message.into() }
    }

    pub(crate) fn id_token(reason: impl Into<String>) -> Self {
        Self::IdTokenInvalid { reason: reason.into() }
    }

    pub(crate) fn storage(err: impl fmt::Display) -> Self {
        Self::Storage { message: err.to_string() }
    }
}

/// Shorthand used throughout the crate.
pub type Result<T, E = LogtoError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_logto_names() {
        assert_eq!(LogtoError::NotAuthenticated.code(), "not_authenticated");
        assert_eq!(LogtoError::SignInSessionNotFound.code(), "sign_in_session.not_found");
        assert_eq!(
            LogtoError::Callback { kind: CallbackErrorKind::StateMismatched }.code(),
            "callback_uri_verification.state_mismatched"
        );
        let oidc = LogtoError::Oidc { error: "invalid_grant".into(), description: None, status: 400 };
        assert_eq!(oidc.code(), "oidc.invalid_grant");
        assert_eq!(LogtoError::Http { status: 502 }.code(), "http_error_502");
        // Platform-layer codes shared with the Capacitor plugin.
        assert_eq!(LogtoError::SignInInProgress.code(), "sign_in_in_progress");
        assert_eq!(LogtoError::BrowserUnavailable.code(), "browser_unavailable");
        assert_eq!(LogtoError::Timeout.code(), "timeout");
        assert_eq!(LogtoError::UserCancelled.code(), "user_cancelled");
    }

    #[test]
    fn display_includes_server_description() {
        let e = LogtoError::CallbackErrorFound { error: "access_denied".into(), description: Some("no".into()) };
        assert_eq!(e.to_string(), "The authorization server returned an error: access_denied (no)");
    }
}
