//! The errors that cross the boundary.
//!
//! [`LogtoError`] mirrors `logto_core::LogtoError` variant for variant. Every variant carries the core's stable
//! `code` and its safe, developer-facing `error_message` (the core's `Display`, which never contains tokens, codes
//! or response bodies), plus the variant's structured fields. The field is `error_message`, not `message`, because a
//! field named `message` would clash with `Throwable.message` in the generated Kotlin.

use uniffi::UnexpectedUniFFICallbackError;

/// Every error of the SDK. Kotlin: `LogtoException.<Variant>`; Swift: `LogtoError.<variant>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum LogtoError {
    /// `invalid_config`: the configuration or an argument is invalid.
    #[error("{error_message}")]
    InvalidConfig { code: String, error_message: String },
    /// `sign_in_session.not_found`: a callback arrived but no sign-in is pending.
    #[error("{error_message}")]
    SignInSessionNotFound { code: String, error_message: String },
    /// `sign_in_session.invalid`: the stored pending sign-in could not be read.
    #[error("{error_message}")]
    SignInSessionInvalid { code: String, error_message: String },
    /// `callback_uri_verification.*`: the callback URL failed a check (the code says which).
    #[error("{error_message}")]
    CallbackUriVerification { code: String, error_message: String },
    /// `callback_uri_verification.error_found`: the server redirected back with `error` (e.g. `access_denied`).
    #[error("{error_message}")]
    CallbackErrorFound { code: String, error_message: String, error: String, description: Option<String> },
    /// `id_token.invalid_token`: the ID token failed verification.
    #[error("{error_message}")]
    IdTokenInvalid { code: String, error_message: String, reason: String },
    /// `id_token.invalid_iat`: the ID token's `iat` is outside the clock tolerance.
    #[error("{error_message}")]
    IdTokenInvalidIat { code: String, error_message: String },
    /// `not_authenticated`: no session (never signed in, signed out, or expired at the server).
    #[error("{error_message}")]
    NotAuthenticated { code: String, error_message: String },
    /// `user_cancelled`: the user closed the browser (raised by the platform layers).
    #[error("{error_message}")]
    UserCancelled { code: String, error_message: String },
    /// `sign_in_in_progress`: another browser sign-in or sign-out is running (raised by the platform layers).
    #[error("{error_message}")]
    SignInInProgress { code: String, error_message: String },
    /// `browser_unavailable`: no browser could be shown (raised by the platform layers).
    #[error("{error_message}")]
    BrowserUnavailable { code: String, error_message: String },
    /// `timeout`: the browser flow did not finish in time (raised by the platform layers).
    #[error("{error_message}")]
    Timeout { code: String, error_message: String },
    /// `fetch_user_info_failed`.
    #[error("{error_message}")]
    FetchUserInfoFailed { code: String, error_message: String, reason: String },
    /// `missing_scope_organizations`: an organization token needs the organizations scope.
    #[error("{error_message}")]
    MissingScopeOrganizations { code: String, error_message: String },
    /// `oidc.<error>`: an OAuth error response (RFC 6749 §5.2), e.g. `oidc.invalid_grant`.
    #[error("{error_message}")]
    Oidc { code: String, error_message: String, error: String, description: Option<String>, status: u16 },
    /// `http_error_<status>`: a non-OAuth HTTP error status.
    #[error("{error_message}")]
    Http { code: String, error_message: String, status: u16 },
    /// `network`: DNS, TCP, TLS, timeout, response too large.
    #[error("{error_message}")]
    Network { code: String, error_message: String },
    /// `unexpected_response_error`: the server answered with something unusable.
    #[error("{error_message}")]
    UnexpectedResponse { code: String, error_message: String },
    /// `storage`: the host storage failed; the previous session is unchanged.
    #[error("{error_message}")]
    Storage { code: String, error_message: String },
    /// `internal`: a bug or impossible state.
    #[error("{error_message}")]
    Internal { code: String, error_message: String },
    /// An error of a newer core that this binding does not know yet. `code` is still stable.
    #[error("{error_message}")]
    Other { code: String, error_message: String },
}

impl From<logto_core::LogtoError> for LogtoError {
    fn from(e: logto_core::LogtoError) -> Self {
        use logto_core::LogtoError as C;
        let (code, error_message) = (e.code(), e.to_string());
        match e {
            C::InvalidConfig { .. } => Self::InvalidConfig { code, error_message },
            C::SignInSessionNotFound => Self::SignInSessionNotFound { code, error_message },
            C::SignInSessionInvalid => Self::SignInSessionInvalid { code, error_message },
            C::Callback { .. } => Self::CallbackUriVerification { code, error_message },
            C::CallbackErrorFound { error, description } => {
                Self::CallbackErrorFound { code, error_message, error, description }
            }
            C::IdTokenInvalid { reason } => Self::IdTokenInvalid { code, error_message, reason },
            C::IdTokenInvalidIat => Self::IdTokenInvalidIat { code, error_message },
            C::NotAuthenticated => Self::NotAuthenticated { code, error_message },
            C::UserCancelled => Self::UserCancelled { code, error_message },
            C::SignInInProgress => Self::SignInInProgress { code, error_message },
            C::BrowserUnavailable => Self::BrowserUnavailable { code, error_message },
            C::Timeout => Self::Timeout { code, error_message },
            C::FetchUserInfoFailed { reason } => Self::FetchUserInfoFailed { code, error_message, reason },
            C::MissingScopeOrganizations => Self::MissingScopeOrganizations { code, error_message },
            C::Oidc { error, description, status } => Self::Oidc { code, error_message, error, description, status },
            C::Http { status } => Self::Http { code, error_message, status },
            C::Network { .. } => Self::Network { code, error_message },
            C::UnexpectedResponse { .. } => Self::UnexpectedResponse { code, error_message },
            C::Storage { .. } => Self::Storage { code, error_message },
            C::Internal { .. } => Self::Internal { code, error_message },
            _ => Self::Other { code, error_message },
        }
    }
}

/// The `sign_in_in_progress` error, for the platform layers to raise when a second browser flow starts while one
/// runs (built here so code and message are the core's on every platform).
#[uniffi::export]
pub fn sign_in_in_progress_error() -> LogtoError {
    logto_core::LogtoError::SignInInProgress.into()
}

/// The `browser_unavailable` error, for the platform layers to raise when no browser can be shown.
#[uniffi::export]
pub fn browser_unavailable_error() -> LogtoError {
    logto_core::LogtoError::BrowserUnavailable.into()
}

/// The `timeout` error, for the platform layers to raise when a browser flow runs out of time.
#[uniffi::export]
pub fn timeout_error() -> LogtoError {
    logto_core::LogtoError::Timeout.into()
}

/// Needed because [`LogtoError`] is the error type of exported functions only; UniFFI requires the conversion for
/// any error type that may appear in a callback signature. Kept for safety: never panics.
impl From<UnexpectedUniFFICallbackError> for LogtoError {
    fn from(e: UnexpectedUniFFICallbackError) -> Self {
        logto_core::LogtoError::Internal { message: first_line(&e.reason) }.into()
    }
}

/// What a host [`Storage`](crate::Storage) implementation throws. Kotlin: `StorageException.Failed(reason)`;
/// Swift: `StorageError.Failed(reason:)`. Any other exception the host throws is converted to `Failed` too.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum StorageError {
    #[error("{reason}")]
    Failed { reason: String },
}

impl From<UnexpectedUniFFICallbackError> for StorageError {
    fn from(e: UnexpectedUniFFICallbackError) -> Self {
        Self::Failed { reason: first_line(&e.reason) }
    }
}

/// What a host [`AuthStateListener`](crate::AuthStateListener) may throw. It is dropped: a failing listener must
/// not fail the sign-in or refresh that reported the event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum ListenerError {
    #[error("{reason}")]
    Failed { reason: String },
}

impl From<UnexpectedUniFFICallbackError> for ListenerError {
    fn from(e: UnexpectedUniFFICallbackError) -> Self {
        Self::Failed { reason: first_line(&e.reason) }
    }
}

/// A foreign exception arrives as its stack trace; its first line (`java.lang.IllegalStateException: boom`) is the
/// useful and safe part.
fn first_line(reason: &str) -> String {
    reason.lines().next().unwrap_or_default().trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_keeps_the_core_code_and_message() {
        let cases = [
            logto_core::LogtoError::NotAuthenticated,
            logto_core::LogtoError::SignInSessionNotFound,
            logto_core::LogtoError::UserCancelled,
            logto_core::LogtoError::SignInInProgress,
            logto_core::LogtoError::BrowserUnavailable,
            logto_core::LogtoError::Timeout,
            logto_core::LogtoError::MissingScopeOrganizations,
            logto_core::LogtoError::Oidc { error: "invalid_grant".into(), description: Some("d".into()), status: 400 },
            logto_core::LogtoError::Http { status: 502 },
            logto_core::LogtoError::Storage { message: "disk".into() },
        ];
        for core in cases {
            let (code, text) = (core.code(), core.to_string());
            let ffi = LogtoError::from(core);
            assert_eq!(ffi.to_string(), text);
            let got = match &ffi {
                LogtoError::NotAuthenticated { code, .. }
                | LogtoError::SignInSessionNotFound { code, .. }
                | LogtoError::UserCancelled { code, .. }
                | LogtoError::SignInInProgress { code, .. }
                | LogtoError::BrowserUnavailable { code, .. }
                | LogtoError::Timeout { code, .. }
                | LogtoError::MissingScopeOrganizations { code, .. }
                | LogtoError::Oidc { code, .. }
                | LogtoError::Http { code, .. }
                | LogtoError::Storage { code, .. } => code.clone(),
                other => panic!("unexpected variant {other:?}"),
            };
            assert_eq!(got, code);
        }
    }

    #[test]
    fn platform_errors_have_their_own_variants() {
        assert!(matches!(sign_in_in_progress_error(), LogtoError::SignInInProgress { ref code, .. }
            if code == "sign_in_in_progress"));
        assert!(matches!(browser_unavailable_error(), LogtoError::BrowserUnavailable { ref code, .. }
            if code == "browser_unavailable"));
        assert!(matches!(timeout_error(), LogtoError::Timeout { ref code, ref error_message }
            if code == "timeout" && error_message == "The sign-in timed out."));
    }

    #[test]
    fn oidc_fields_are_structured() {
        let e = LogtoError::from(logto_core::LogtoError::Oidc {
            error: "access_denied".into(),
            description: None,
            status: 400,
        });
        assert!(matches!(e, LogtoError::Oidc { ref code, ref error, status: 400, .. }
            if code == "oidc.access_denied" && error == "access_denied"));
    }

    #[test]
    fn foreign_stack_traces_are_cut_to_their_first_line() {
        let e = StorageError::from(UnexpectedUniFFICallbackError::new(
            "java.lang.IllegalStateException: boom\n\tat Foo.bar(Foo.kt:1)",
        ));
        assert_eq!(e, StorageError::Failed { reason: "java.lang.IllegalStateException: boom".into() });
    }
}
