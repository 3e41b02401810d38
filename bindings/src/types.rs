//! Records and enums: UniFFI-friendly copies of the core's types, and the conversions between them.
//!
//! Durations cross as whole seconds (`u32`) rather than `Duration`, which would become `java.time.Duration`
//! (Android API 26+) in Kotlin. Free-form JSON (extra claims, `custom_data`…) crosses as JSON strings.

use std::time::Duration;

use serde_json::{Map, Value};

/// The OIDC `prompt` values Logto accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Prompt {
    Consent,
    Login,
    None,
}

impl From<logto_core::Prompt> for Prompt {
    fn from(p: logto_core::Prompt) -> Self {
        match p {
            logto_core::Prompt::Consent => Self::Consent,
            logto_core::Prompt::Login => Self::Login,
            logto_core::Prompt::None => Self::None,
        }
    }
}

impl From<Prompt> for logto_core::Prompt {
    fn from(p: Prompt) -> Self {
        match p {
            Prompt::Consent => Self::Consent,
            Prompt::Login => Self::Login,
            Prompt::None => Self::None,
        }
    }
}

/// Whose certificate authorities HTTPS trusts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum TrustStore {
    /// The operating system's (default): its root store and distrust updates, enterprise/MDM CAs on iOS, the app's
    /// Network Security Config on Android (which needs `LogtoAndroid.init(context)`, done by `LogtoAndroid.client`).
    Platform,
    /// The Mozilla roots compiled into the library: only in a build with logto-core's `bundled-roots` feature. The
    /// released libraries leave them out (~65 KB per ABI; Android and iOS always have a platform store) and answer
    /// `invalid_config`.
    Bundled,
}

impl From<logto_core::TrustStore> for TrustStore {
    fn from(t: logto_core::TrustStore) -> Self {
        match t {
            logto_core::TrustStore::Platform => Self::Platform,
            logto_core::TrustStore::Bundled => Self::Bundled,
        }
    }
}

impl From<TrustStore> for logto_core::TrustStore {
    fn from(t: TrustStore) -> Self {
        match t {
            TrustStore::Platform => Self::Platform,
            TrustStore::Bundled => Self::Bundled,
        }
    }
}

/// Everything the client needs to know about the Logto application. Start from `defaultLogtoConfig(endpoint,
/// appId)` (the core's defaults) and change what you need.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LogtoConfig {
    /// The Logto endpoint, e.g. `https://tenant.logto.app`; the issuer is `{endpoint}/oidc`.
    pub endpoint: String,
    /// The application ID of the Native app in Logto.
    pub app_id: String,
    /// Extra scopes (e.g. `email`, `urn:logto:scope:organizations`).
    pub scopes: Vec<String>,
    /// API resource indicators the refresh token may mint access tokens for.
    pub resources: Vec<String>,
    /// Default `prompt` of every sign-in (`[consent]` by default).
    pub prompt: Vec<Prompt>,
    /// Whether `openid offline_access profile` are always requested.
    pub include_reserved_scopes: bool,
    /// Allowed clock difference when checking `exp`/`iat`, in seconds.
    pub clock_tolerance_secs: u32,
    /// An access token this close to expiry counts as expired, in seconds.
    pub access_token_expiry_margin_secs: u32,
    /// Timeout of a whole HTTP request, in seconds.
    pub request_timeout_secs: u32,
    /// Timeout of connecting to the server, in seconds.
    pub connect_timeout_secs: u32,
    /// Largest accepted response body, in bytes.
    pub max_response_bytes: u32,
    /// How long the discovery document is cached, in seconds.
    pub discovery_cache_ttl_secs: u32,
    /// Extra trusted CA certificates (PEM), for a self-hosted Logto behind a private CA; trusted on top of
    /// `trust_store`.
    pub extra_root_certificates_pem: Vec<String>,
    /// Whose CAs HTTPS trusts (default: the platform's).
    pub trust_store: TrustStore,
}

fn secs(d: Duration) -> u32 {
    u32::try_from(d.as_secs()).unwrap_or(u32::MAX)
}

impl From<logto_core::LogtoConfig> for LogtoConfig {
    fn from(c: logto_core::LogtoConfig) -> Self {
        Self {
            endpoint: c.endpoint,
            app_id: c.app_id,
            scopes: c.scopes,
            resources: c.resources,
            prompt: c.prompt.into_iter().map(Into::into).collect(),
            include_reserved_scopes: c.include_reserved_scopes,
            clock_tolerance_secs: secs(c.clock_tolerance),
            access_token_expiry_margin_secs: secs(c.access_token_expiry_margin),
            request_timeout_secs: secs(c.request_timeout),
            connect_timeout_secs: secs(c.connect_timeout),
            max_response_bytes: u32::try_from(c.max_response_bytes).unwrap_or(u32::MAX),
            discovery_cache_ttl_secs: secs(c.discovery_cache_ttl),
            extra_root_certificates_pem: c.extra_root_certificates_pem,
            trust_store: c.trust_store.into(),
        }
    }
}

impl From<LogtoConfig> for logto_core::LogtoConfig {
    fn from(c: LogtoConfig) -> Self {
        let mut out = logto_core::LogtoConfig::new(c.endpoint, c.app_id);
        out.scopes = c.scopes;
        out.resources = c.resources;
        out.prompt = c.prompt.into_iter().map(Into::into).collect();
        out.include_reserved_scopes = c.include_reserved_scopes;
        out.clock_tolerance = Duration::from_secs(c.clock_tolerance_secs.into());
        out.access_token_expiry_margin = Duration::from_secs(c.access_token_expiry_margin_secs.into());
        out.request_timeout = Duration::from_secs(c.request_timeout_secs.into());
        out.connect_timeout = Duration::from_secs(c.connect_timeout_secs.into());
        out.max_response_bytes = c.max_response_bytes as usize;
        out.discovery_cache_ttl = Duration::from_secs(c.discovery_cache_ttl_secs.into());
        out.extra_root_certificates_pem = c.extra_root_certificates_pem;
        out.trust_store = c.trust_store.into();
        out
    }
}

/// Logto's `first_screen` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum FirstScreen {
    SignIn,
    Register,
    ResetPassword,
    IdentifierSignIn,
    IdentifierRegister,
    SingleSignOn,
}

impl From<logto_core::FirstScreen> for FirstScreen {
    fn from(s: logto_core::FirstScreen) -> Self {
        use logto_core::FirstScreen as C;
        match s {
            C::SignIn => Self::SignIn,
            C::Register => Self::Register,
            C::ResetPassword => Self::ResetPassword,
            C::IdentifierSignIn => Self::IdentifierSignIn,
            C::IdentifierRegister => Self::IdentifierRegister,
            C::SingleSignOn => Self::SingleSignOn,
        }
    }
}

impl From<FirstScreen> for logto_core::FirstScreen {
    fn from(s: FirstScreen) -> Self {
        match s {
            FirstScreen::SignIn => Self::SignIn,
            FirstScreen::Register => Self::Register,
            FirstScreen::ResetPassword => Self::ResetPassword,
            FirstScreen::IdentifierSignIn => Self::IdentifierSignIn,
            FirstScreen::IdentifierRegister => Self::IdentifierRegister,
            FirstScreen::SingleSignOn => Self::SingleSignOn,
        }
    }
}

/// Identifier types shown on the first screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Identifier {
    Email,
    Phone,
    Username,
}

impl From<Identifier> for logto_core::Identifier {
    fn from(i: Identifier) -> Self {
        match i {
            Identifier::Email => Self::Email,
            Identifier::Phone => Self::Phone,
            Identifier::Username => Self::Username,
        }
    }
}

/// How `direct_sign_in` skips Logto's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum DirectSignInMethod {
    /// A social connector (`social:<target>`).
    Social,
    /// An enterprise SSO connector (`sso:<connector id>`).
    Sso,
}

/// `direct_sign_in=<method>:<target>`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DirectSignIn {
    pub method: DirectSignInMethod,
    pub target: String,
}

impl From<logto_core::DirectSignIn> for DirectSignIn {
    fn from(d: logto_core::DirectSignIn) -> Self {
        let method = match d.method {
            logto_core::DirectSignInMethod::Social => DirectSignInMethod::Social,
            logto_core::DirectSignInMethod::Sso => DirectSignInMethod::Sso,
        };
        Self { method, target: d.target }
    }
}

impl From<DirectSignIn> for logto_core::DirectSignIn {
    fn from(d: DirectSignIn) -> Self {
        match d.method {
            DirectSignInMethod::Social => Self::social(d.target),
            DirectSignInMethod::Sso => Self::sso(d.target),
        }
    }
}

/// One extra authorization parameter (order is kept).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ExtraParam {
    pub name: String,
    pub value: String,
}

/// Options of one sign-in. Only `redirect_uri` is required.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SignInOptions {
    /// Registered redirect URI: `com.example.app://callback`, a claimed `https` URL, or loopback `http`.
    pub redirect_uri: String,
    /// Overrides the configured prompt for this sign-in.
    #[uniffi(default)]
    pub prompt: Option<Vec<Prompt>>,
    #[uniffi(default)]
    pub first_screen: Option<FirstScreen>,
    #[uniffi(default)]
    pub identifiers: Vec<Identifier>,
    #[uniffi(default)]
    pub login_hint: Option<String>,
    #[uniffi(default)]
    pub direct_sign_in: Option<DirectSignIn>,
    /// Shows the sign-in experience of this organization.
    #[uniffi(default)]
    pub organization_id: Option<String>,
    /// `ui_locales`, e.g. `zh-CN en`.
    #[uniffi(default)]
    pub ui_locales: Option<String>,
    /// Extra authorization parameters; they may not replace protocol parameters.
    #[uniffi(default)]
    pub extra_params: Vec<ExtraParam>,
}

impl From<SignInOptions> for logto_core::SignInOptions {
    fn from(o: SignInOptions) -> Self {
        let mut out = logto_core::SignInOptions::new(o.redirect_uri);
        out.prompt = o.prompt.map(|p| p.into_iter().map(Into::into).collect());
        out.first_screen = o.first_screen.map(Into::into);
        out.identifiers = o.identifiers.into_iter().map(Into::into).collect();
        out.login_hint = o.login_hint;
        out.direct_sign_in = o.direct_sign_in.map(Into::into);
        out.organization_id = o.organization_id;
        out.ui_locales = o.ui_locales;
        out.extra_params = o.extra_params.into_iter().map(|p| (p.name, p.value)).collect();
        out
    }
}

/// Options of `get_access_token_with_options`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct GetAccessTokenOptions {
    /// Refresh even if the cached token is still valid.
    #[uniffi(default)]
    pub force_refresh: bool,
}

impl From<GetAccessTokenOptions> for logto_core::GetAccessTokenOptions {
    fn from(o: GetAccessTokenOptions) -> Self {
        Self { force_refresh: o.force_refresh }
    }
}

/// Claims of the verified ID token. `extra_json` holds every claim without a field here (a JSON object);
/// `raw_json` holds all claims (a JSON object; absent optional claims appear as `null`).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct IdTokenClaims {
    pub iss: String,
    pub sub: String,
    pub aud: Vec<String>,
    pub exp: i64,
    pub iat: i64,
    pub nbf: Option<i64>,
    pub azp: Option<String>,
    pub nonce: Option<String>,
    pub at_hash: Option<String>,
    pub auth_time: Option<i64>,
    pub sid: Option<String>,
    pub name: Option<String>,
    pub username: Option<String>,
    pub picture: Option<String>,
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    pub phone_number: Option<String>,
    pub phone_number_verified: Option<bool>,
    pub roles: Option<Vec<String>>,
    pub organizations: Option<Vec<String>>,
    pub organization_roles: Option<Vec<String>>,
    pub extra_json: String,
    pub raw_json: String,
}

/// Serialising a `serde_json` map or a `Serialize` claims struct cannot fail; `{}` is the impossible fallback.
fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "{}".to_owned())
}

fn extra_json(extra: &Map<String, Value>) -> String {
    to_json(extra)
}

fn opt_json(value: Option<Value>) -> Option<String> {
    value.map(|v| to_json(&v))
}

impl From<logto_core::IdTokenClaims> for IdTokenClaims {
    fn from(c: logto_core::IdTokenClaims) -> Self {
        let raw_json = to_json(&c);
        Self {
            extra_json: extra_json(&c.extra),
            raw_json,
            iss: c.iss,
            sub: c.sub,
            aud: c.aud,
            exp: c.exp,
            iat: c.iat,
            nbf: c.nbf,
            azp: c.azp,
            nonce: c.nonce,
            at_hash: c.at_hash,
            auth_time: c.auth_time,
            sid: c.sid,
            name: c.name,
            username: c.username,
            picture: c.picture,
            email: c.email,
            email_verified: c.email_verified,
            phone_number: c.phone_number,
            phone_number_verified: c.phone_number_verified,
            roles: c.roles,
            organizations: c.organizations,
            organization_roles: c.organization_roles,
        }
    }
}

/// Claims of a JWT access token (decoded, not verified). `extra_json` / `raw_json` as in [`IdTokenClaims`].
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct AccessTokenClaims {
    pub jti: Option<String>,
    pub iss: Option<String>,
    pub sub: Option<String>,
    pub aud: Vec<String>,
    pub exp: Option<i64>,
    pub iat: Option<i64>,
    pub client_id: Option<String>,
    pub scope: Option<String>,
    pub organization_id: Option<String>,
    pub extra_json: String,
    pub raw_json: String,
}

impl From<logto_core::AccessTokenClaims> for AccessTokenClaims {
    fn from(c: logto_core::AccessTokenClaims) -> Self {
        let raw_json = to_json(&c);
        Self {
            extra_json: extra_json(&c.extra),
            raw_json,
            jti: c.jti,
            iss: c.iss,
            sub: c.sub,
            aud: c.aud,
            exp: c.exp,
            iat: c.iat,
            client_id: c.client_id,
            scope: c.scope,
            organization_id: c.organization_id,
        }
    }
}

/// The user-info endpoint's answer. JSON-valued claims (`custom_data`, `identities`, `organization_data`) are JSON
/// strings; `extra_json` / `raw_json` as in [`IdTokenClaims`].
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct UserInfo {
    pub sub: String,
    pub name: Option<String>,
    pub username: Option<String>,
    pub picture: Option<String>,
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    pub phone_number: Option<String>,
    pub phone_number_verified: Option<bool>,
    pub roles: Option<Vec<String>>,
    pub organizations: Option<Vec<String>>,
    pub organization_roles: Option<Vec<String>>,
    pub custom_data_json: Option<String>,
    pub identities_json: Option<String>,
    pub organization_data_json: Option<String>,
    pub extra_json: String,
    pub raw_json: String,
}

impl From<logto_core::UserInfo> for UserInfo {
    fn from(u: logto_core::UserInfo) -> Self {
        let raw_json = to_json(&u);
        Self {
            extra_json: extra_json(&u.extra),
            raw_json,
            sub: u.sub,
            name: u.name,
            username: u.username,
            picture: u.picture,
            email: u.email,
            email_verified: u.email_verified,
            phone_number: u.phone_number,
            phone_number_verified: u.phone_number_verified,
            roles: u.roles,
            organizations: u.organizations,
            organization_roles: u.organization_roles,
            custom_data_json: opt_json(u.custom_data),
            identities_json: opt_json(u.identities),
            organization_data_json: opt_json(u.organization_data),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_round_trips_through_the_core() {
        let mut core = logto_core::LogtoConfig::new("https://a.logto.app", "app");
        core.scopes = vec!["email".into()];
        core.prompt = vec![logto_core::Prompt::Login, logto_core::Prompt::Consent];
        core.access_token_expiry_margin = Duration::from_secs(0);
        core.extra_root_certificates_pem = vec!["pem".into()];
        core.trust_store = logto_core::TrustStore::Bundled;
        let ffi = LogtoConfig::from(core.clone());
        assert_eq!(ffi.prompt, [Prompt::Login, Prompt::Consent]);
        assert_eq!(ffi.trust_store, TrustStore::Bundled);
        assert_eq!(
            LogtoConfig::from(logto_core::LogtoConfig::new("https://a.logto.app", "app")).trust_store,
            TrustStore::Platform
        );
        assert_eq!(ffi.clock_tolerance_secs, 300);
        let back = logto_core::LogtoConfig::from(ffi.clone());
        assert_eq!(LogtoConfig::from(back), ffi);
    }

    #[test]
    fn claims_keep_extras_and_raw_json() {
        let core: logto_core::IdTokenClaims = serde_json::from_value(serde_json::json!({
            "iss": "i", "sub": "s", "aud": "a", "exp": 2, "iat": 1, "custom": {"x": 1}
        }))
        .unwrap();
        let ffi = IdTokenClaims::from(core);
        assert_eq!(ffi.aud, ["a"]);
        let extra: Value = serde_json::from_str(&ffi.extra_json).unwrap();
        assert_eq!(extra, serde_json::json!({"custom": {"x": 1}}));
        let raw: Value = serde_json::from_str(&ffi.raw_json).unwrap();
        assert_eq!(raw["custom"]["x"], 1);
        assert_eq!(raw["sub"], "s");
    }

    #[test]
    fn sign_in_options_keep_extra_param_order() {
        let o = SignInOptions {
            redirect_uri: "com.example.app://callback".into(),
            prompt: Some(vec![Prompt::Login]),
            first_screen: Some(FirstScreen::Register),
            identifiers: vec![Identifier::Email],
            login_hint: None,
            direct_sign_in: Some(DirectSignIn { method: DirectSignInMethod::Sso, target: "c".into() }),
            organization_id: None,
            ui_locales: None,
            extra_params: vec![
                ExtraParam { name: "b".into(), value: "1".into() },
                ExtraParam { name: "a".into(), value: "2".into() },
            ],
        };
        let core = logto_core::SignInOptions::from(o);
        assert_eq!(core.extra_params, [("b".to_owned(), "1".to_owned()), ("a".to_owned(), "2".to_owned())]);
        assert_eq!(core.direct_sign_in, Some(logto_core::DirectSignIn::sso("c")));
    }
}

/// Options of `sign_out_with_options`.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct SignOutOptions {
    /// Where Logto sends the browser afterwards; must be registered in Logto exactly.
    #[uniffi(default = None)]
    pub post_logout_redirect_uri: Option<String>,
    /// Sends the session's ID token as `id_token_hint`.
    #[uniffi(default = false)]
    pub id_token_hint: bool,
    /// Sent as `state` and returned to the post-logout redirect URI.
    #[uniffi(default = None)]
    pub state: Option<String>,
}

impl From<SignOutOptions> for logto_core::SignOutOptions {
    fn from(o: SignOutOptions) -> Self {
        Self { post_logout_redirect_uri: o.post_logout_redirect_uri, id_token_hint: o.id_token_hint, state: o.state }
    }
}

/// The provider's discovery document (the fields the SDK uses), as `getOidcConfig` returns it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OidcConfig {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    pub userinfo_endpoint: Option<String>,
    pub end_session_endpoint: Option<String>,
    pub revocation_endpoint: Option<String>,
    pub code_challenge_methods_supported: Option<Vec<String>>,
    pub id_token_signing_alg_values_supported: Option<Vec<String>>,
    pub authorization_response_iss_parameter_supported: bool,
}

impl From<logto_core::ProviderMetadata> for OidcConfig {
    fn from(m: logto_core::ProviderMetadata) -> Self {
        Self {
            issuer: m.issuer,
            authorization_endpoint: m.authorization_endpoint,
            token_endpoint: m.token_endpoint,
            jwks_uri: m.jwks_uri,
            userinfo_endpoint: m.userinfo_endpoint,
            end_session_endpoint: m.end_session_endpoint,
            revocation_endpoint: m.revocation_endpoint,
            code_challenge_methods_supported: m.code_challenge_methods_supported,
            id_token_signing_alg_values_supported: m.id_token_signing_alg_values_supported,
            authorization_response_iss_parameter_supported: m.authorization_response_iss_parameter_supported,
        }
    }
}
