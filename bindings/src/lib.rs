//! # logto-uniffi
//!
//! The UniFFI face of [`logto_core`]: the same API, in types UniFFI can carry to Kotlin and Swift. This crate holds
//! no logic; every item is a conversion to or from a core type, and every method is one call into the core.
//!
//! | Rust (here)                   | Kotlin (`dev.logtocore.ffi`)          | Swift (`LogtoNative`)              |
//! |-------------------------------|---------------------------------------|------------------------------------|
//! | [`LogtoCoreClient`] (object)  | `LogtoCoreClient`, `suspend fun`s     | `LogtoCoreClient`, `async throws`  |
//! | [`LogtoError`] (error enum)   | `sealed class LogtoException`         | `enum LogtoError: Error`           |
//! | [`Storage`] (foreign trait)   | `interface Storage`                   | `protocol Storage`                 |
//! | [`AuthStateListener`]         | `interface AuthStateListener`         | `protocol AuthStateListener`       |
//! | records / enums               | `data class` / `enum class`           | `struct` / `enum`                  |
//!
//! The idiomatic layers (`android/`, `ios/`) wrap these generated types; apps normally use those.
//!
//! ## Async and threads
//! Async methods run on the tokio runtime UniFFI's `tokio` feature provides (`async_compat`: one lazily started
//! reactor thread owned by this library), because reqwest needs tokio's reactor and timers. The futures themselves
//! are polled by the foreign side (Kotlin coroutine / Swift task), so [`Storage`] and [`AuthStateListener`] calls
//! happen on the caller's thread (or on the reactor thread for the background JWKS prefetch).
//!
//! ## Panics
//! A panic never crosses the FFI boundary: UniFFI runs every exported call, and every poll of an async call, inside
//! `catch_unwind` and reports a panic as an unexpected error (Kotlin `InternalException`, Swift
//! `UniffiInternalError`). The release profile keeps `panic = "unwind"` for that reason. Foreign exceptions thrown by
//! a [`Storage`] or [`AuthStateListener`] implementation arrive as `UnexpectedUniFFICallbackError` and are converted
//! to [`StorageError`] / [`ListenerError`] (never to a panic). See `panic_boundary_tests.rs`.

#[cfg(target_os = "android")]
mod android;
mod client;
mod error;
mod listener;
mod storage;
mod types;

// Unit tests, not `tests/`: the crate builds only a cdylib and a staticlib (no rlib, so that cargo applies LTO), and
// integration tests need an rlib to link against. They drive the exported C ABI of the same binary.
#[cfg(test)]
mod build_choices_tests;
#[cfg(test)]
mod panic_boundary_tests;
#[cfg(test)]
mod test_storage;

pub use client::LogtoCoreClient;
pub use error::{ListenerError, LogtoError, StorageError};
pub use listener::{AuthStateEvent, AuthStateListener};
pub use storage::Storage;
pub use types::{
    AccessTokenClaims, DirectSignIn, DirectSignInMethod, ExtraParam, FirstScreen, GetAccessTokenOptions, IdTokenClaims,
    Identifier, LogtoConfig, OidcConfig, Prompt, SignInOptions, SignOutOptions, TrustStore, UserInfo,
};

uniffi::setup_scaffolding!();

/// A configuration with Logto's defaults for `endpoint` and `app_id` (the defaults live in the core).
#[uniffi::export]
pub fn default_logto_config(endpoint: String, app_id: String) -> LogtoConfig {
    logto_core::LogtoConfig::new(endpoint, app_id).into()
}

/// The `user_cancelled` error, for the platform layers to raise when the user closes the browser (the core defines
/// it but never raises it itself).
#[uniffi::export]
pub fn user_cancelled_error() -> LogtoError {
    logto_core::LogtoError::UserCancelled.into()
}

/// Parses a `prompt` value (`consent`, `login`, `none`).
#[uniffi::export]
pub fn parse_prompt(value: String) -> Result<Prompt, LogtoError> {
    Ok(logto_core::Prompt::parse(&value)?.into())
}

/// Parses a `first_screen` value, including Logto's legacy `signIn` / `signUp`.
#[uniffi::export]
pub fn parse_first_screen(value: String) -> Result<FirstScreen, LogtoError> {
    Ok(logto_core::FirstScreen::parse(&value)?.into())
}

/// Parses `social:<target>` / `sso:<connector id>`.
#[uniffi::export]
pub fn parse_direct_sign_in(value: String) -> Result<DirectSignIn, LogtoError> {
    Ok(logto_core::DirectSignIn::parse(&value)?.into())
}

/// Reads the claims of a JWT access token without verifying it.
#[uniffi::export]
pub fn decode_access_token_claims(token: String) -> Result<AccessTokenClaims, LogtoError> {
    Ok(logto_core::decode_access_token_claims(&token)?.into())
}

/// `urn:logto:organization:<id>`.
#[uniffi::export]
pub fn build_organization_urn(organization_id: String) -> String {
    logto_core::build_organization_urn(&organization_id)
}

/// The organization id of `urn:logto:organization:<id>`, or null.
#[uniffi::export]
pub fn organization_id_from_urn(urn: String) -> Option<String> {
    logto_core::organization_id_from_urn(&urn).map(str::to_owned)
}

/// The scope that lets the refresh token mint organization tokens (`urn:logto:scope:organizations`).
#[uniffi::export]
pub fn organizations_scope() -> String {
    logto_core::ORGANIZATIONS_SCOPE.to_owned()
}

/// The scopes requested unless `include_reserved_scopes` is false (`openid offline_access profile`).
#[uniffi::export]
pub fn reserved_scopes() -> Vec<String> {
    logto_core::RESERVED_SCOPES.iter().map(|s| (*s).to_owned()).collect()
}
