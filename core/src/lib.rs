//! # logto-core
//!
//! Logto sign-in for native apps: one Rust engine behind the Kotlin, Swift and Capacitor SDKs.
//!
//! The flow (RFC 8252, OAuth 2.0 for native apps):
//!
//! 1. [`LogtoClient::sign_in_url`] discovers `{endpoint}/oidc`, creates a PKCE S256 verifier, `state` and `nonce`
//!    from the OS CSPRNG, stores them as the pending sign-in and returns the authorization URL. The JWKS is fetched
//!    in the background while the user is in the browser.
//! 2. The host opens the URL in the system browser (Custom Tabs, `ASWebAuthenticationSession`, the desktop
//!    browser) and receives the redirect.
//! 3. [`LogtoClient::handle_sign_in_callback`] checks the redirect (exact redirect URI, state, RFC 9207 `iss`),
//!    exchanges the code (the only request on the critical path), verifies the ID token (algorithm allow-list,
//!    `iss`/`aud`/`azp`/`exp`/`iat`/`nonce`) and stores the session.
//! 4. [`LogtoClient::get_access_token`] returns cached access tokens and refreshes them single-flight, persisting
//!    each rotated refresh token before anyone else can use the old one.
//! 5. [`LogtoClient::sign_out`] removes the session, revokes the refresh token and returns the end-session URL.
//!
//! Everything is persisted as one versioned JSON document per app id in a host-provided [`Storage`].
//! Errors are [`LogtoError`]s with stable [`LogtoError::code`]s matching Logto's SDKs.

mod callback;
mod claims;
mod client;
mod config;
mod discovery;
mod engine;
mod error;
mod events;
/// Entry points for the fuzz targets in `fuzz/` and their regression test; not an API.
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
mod http;
mod jwt;
mod pkce;
mod provider;
mod refresher;
mod session;
mod sign_in;
mod sign_in_flow;
mod sign_out;
mod storage;
mod store;
mod tls;
mod token_response;

pub use claims::{AccessTokenClaims, IdTokenClaims, UserInfo, decode_access_token_claims};
pub use client::LogtoClient;
pub use config::{
    LogtoConfig, ORGANIZATION_URN_PREFIX, ORGANIZATIONS_RESOURCE, ORGANIZATIONS_SCOPE, Prompt, RESERVED_SCOPES,
    TrustStore,
};
pub use discovery::ProviderMetadata;
pub use error::{CallbackErrorKind, LogtoError, Result};
pub use events::{AuthStateEvent, AuthStateListener};
pub use jwt::ALLOWED_ALGORITHMS;
pub use refresher::GetAccessTokenOptions;
pub use sign_in::{DirectSignIn, DirectSignInMethod, FirstScreen, Identifier, SignInOptions};
pub use sign_out::SignOutOptions;
pub use storage::{FileStorage, MemoryStorage, Storage, StorageError};
/// Android: the platform trust store's set-up (the JVM and the app's `Context`), called by the native library's JNI
/// entry point for logto-android.
#[cfg(target_os = "android")]
pub use tls::android;

/// `urn:logto:organization:<id>`.
pub fn build_organization_urn(organization_id: &str) -> String {
    format!("{ORGANIZATION_URN_PREFIX}{organization_id}")
}

/// The organization id of `urn:logto:organization:<id>`, or `None`.
pub fn organization_id_from_urn(urn: &str) -> Option<&str> {
    urn.strip_prefix(ORGANIZATION_URN_PREFIX).filter(|id| !id.is_empty())
}
