//! [`LogtoCoreClient`]: the core's `LogtoClient` as a UniFFI object. Each method is one call into the core.

use std::sync::Arc;

use crate::error::LogtoError;
use crate::listener::{AuthStateListener, ListenerAdapter};
use crate::storage::{Storage, StorageAdapter};
use crate::types::{
    AccessTokenClaims, GetAccessTokenOptions, IdTokenClaims, LogtoConfig, OidcConfig, SignInOptions, SignOutOptions,
    UserInfo,
};

type Result<T> = std::result::Result<T, LogtoError>;

/// The Logto sign-in and session engine. Thread-safe; one instance per app id. Methods marked 💾 write to the
/// host [`Storage`]. The platform layers (`LogtoClient` in Kotlin and Swift) wrap this with the browser flow.
#[derive(uniffi::Object)]
pub struct LogtoCoreClient {
    inner: logto_core::LogtoClient,
}

#[uniffi::export(async_runtime = "tokio")]
impl LogtoCoreClient {
    /// Validates `config` (no I/O). Fails with `invalid_config`.
    #[uniffi::constructor]
    pub fn new(config: LogtoConfig, storage: Arc<dyn Storage>) -> Result<Arc<Self>> {
        let inner = logto_core::LogtoClient::new(config.into(), Arc::new(StorageAdapter(storage)))?;
        Ok(Arc::new(Self { inner }))
    }

    /// The issuer, `{endpoint}/oidc`.
    pub fn issuer(&self) -> String {
        self.inner.issuer().to_owned()
    }

    /// Sets (or, with null, removes) the listener of session changes.
    pub fn set_auth_state_listener(&self, listener: Option<Arc<dyn AuthStateListener>>) {
        self.inner.set_auth_state_listener(
            listener.map(|l| Arc::new(ListenerAdapter(l)) as Arc<dyn logto_core::AuthStateListener>),
        );
    }

    /// Fetches and caches the discovery document and JWKS now.
    pub async fn prefetch(&self) -> Result<()> {
        Ok(self.inner.prefetch().await?)
    }

    /// The discovery document, from the cache when there is one. 💾
    pub async fn get_oidc_config(&self) -> Result<OidcConfig> {
        Ok(self.inner.get_oidc_config().await?.into())
    }

    /// True when `url` is the pending sign-in's redirect URI (query and fragment aside).
    pub async fn is_sign_in_redirected(&self, url: String) -> Result<bool> {
        Ok(self.inner.is_sign_in_redirected(&url).await?)
    }

    /// The authorization URL to open in the browser; stores the pending sign-in. 💾
    pub async fn sign_in_url(&self, options: SignInOptions) -> Result<String> {
        Ok(self.inner.sign_in_url(options.into()).await?)
    }

    /// Completes the sign-in from the URL the browser was redirected to. 💾
    pub async fn handle_sign_in_callback(&self, callback_url: String) -> Result<()> {
        Ok(self.inner.handle_sign_in_callback(&callback_url).await?)
    }

    /// True if a session is stored (a local check).
    pub async fn is_authenticated(&self) -> Result<bool> {
        Ok(self.inner.is_authenticated().await?)
    }

    pub async fn get_id_token(&self) -> Result<Option<String>> {
        Ok(self.inner.get_id_token().await?)
    }

    /// Claims of the stored ID token. Fails with `not_authenticated` without a session.
    pub async fn get_id_token_claims(&self) -> Result<IdTokenClaims> {
        Ok(self.inner.get_id_token_claims().await?.into())
    }

    pub async fn get_refresh_token(&self) -> Result<Option<String>> {
        Ok(self.inner.get_refresh_token().await?)
    }

    /// An access token for `resource` and/or `organization_id` (both null: the opaque user-info token). Cached;
    /// refreshed single-flight when close to expiry. 💾
    #[uniffi::method(default(resource = None, organization_id = None))]
    pub async fn get_access_token(&self, resource: Option<String>, organization_id: Option<String>) -> Result<String> {
        Ok(self.inner.get_access_token(resource.as_deref(), organization_id.as_deref()).await?)
    }

    /// [`get_access_token`](Self::get_access_token) with options (force refresh). 💾
    pub async fn get_access_token_with_options(
        &self,
        resource: Option<String>,
        organization_id: Option<String>,
        options: GetAccessTokenOptions,
    ) -> Result<String> {
        Ok(self
            .inner
            .get_access_token_with_options(resource.as_deref(), organization_id.as_deref(), options.into())
            .await?)
    }

    /// Decoded (not verified) claims of the access token for `resource`. 💾
    #[uniffi::method(default(resource = None))]
    pub async fn get_access_token_claims(&self, resource: Option<String>) -> Result<AccessTokenClaims> {
        Ok(self.inner.get_access_token_claims(resource.as_deref()).await?.into())
    }

    /// An organization token; needs the `urn:logto:scope:organizations` scope. 💾
    pub async fn get_organization_token(&self, organization_id: String) -> Result<String> {
        Ok(self.inner.get_organization_token(&organization_id).await?)
    }

    /// Decoded claims of an organization token. 💾
    pub async fn get_organization_token_claims(&self, organization_id: String) -> Result<AccessTokenClaims> {
        Ok(self.inner.get_organization_token_claims(&organization_id).await?.into())
    }

    /// The user-info endpoint's answer (its `sub` must match the ID token's).
    pub async fn fetch_user_info(&self) -> Result<UserInfo> {
        Ok(self.inner.fetch_user_info().await?.into())
    }

    /// Forgets cached access tokens. 💾
    pub async fn clear_access_token(&self) -> Result<()> {
        Ok(self.inner.clear_access_token().await?)
    }

    /// Removes the session locally, without contacting the server. 💾
    pub async fn clear_all_tokens(&self) -> Result<()> {
        Ok(self.inner.clear_all_tokens().await?)
    }

    /// Removes the session and returns at once the end-session URL to open in the browser; the refresh token is
    /// revoked in the background (and retried later if that fails). 💾
    #[uniffi::method(default(post_logout_redirect_uri = None))]
    pub async fn sign_out(&self, post_logout_redirect_uri: Option<String>) -> Result<String> {
        Ok(self.inner.sign_out(post_logout_redirect_uri.as_deref()).await?)
    }

    /// `sign_out` with options (`id_token_hint`, `state`). 💾
    pub async fn sign_out_with_options(&self, options: SignOutOptions) -> Result<String> {
        Ok(self.inner.sign_out_with_options(options.into()).await?)
    }

    /// Revokes now the refresh tokens still waiting for revocation; returns how many are still waiting. 💾
    pub async fn revoke_pending_tokens(&self) -> Result<u32> {
        Ok(u32::try_from(self.inner.revoke_pending_tokens().await?).unwrap_or(u32::MAX))
    }
}
