//! Client configuration and the URL rules every endpoint and redirect URI must pass.

use std::net::IpAddr;
use std::time::Duration;

use url::{Host, Url};

use crate::error::{LogtoError, Result};

/// `openid offline_access profile`: what Logto's SDKs request unless `include_reserved_scopes` is false.
pub const RESERVED_SCOPES: [&str; 3] = ["openid", "offline_access", "profile"];
/// The scope that lets a refresh token mint organization tokens.
pub const ORGANIZATIONS_SCOPE: &str = "urn:logto:scope:organizations";
/// The resource Logto requires alongside [`ORGANIZATIONS_SCOPE`].
pub const ORGANIZATIONS_RESOURCE: &str = "urn:logto:resource:organizations";
/// Prefix of an organization token's audience.
pub const ORGANIZATION_URN_PREFIX: &str = "urn:logto:organization:";

/// The OIDC `prompt` values Logto accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Prompt {
    /// Ask for consent; required for Logto to issue a refresh token (`offline_access`).
    Consent,
    /// Force the user to sign in again even with a live browser session.
    Login,
    /// Fail instead of showing any page.
    None,
}

impl Prompt {
    pub fn as_str(self) -> &'static str {
        match self {
            Prompt::Consent => "consent",
            Prompt::Login => "login",
            Prompt::None => "none",
        }
    }

    /// Parses `consent`, `login` or `none`.
    pub fn parse(value: &str) -> Result<Self> {
        match value {
            "consent" => Ok(Prompt::Consent),
            "login" => Ok(Prompt::Login),
            "none" => Ok(Prompt::None),
            other => Err(LogtoError::config(format!("unknown prompt `{other}`"))),
        }
    }
}

pub(crate) fn join_prompts(prompts: &[Prompt]) -> String {
    prompts.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(" ")
}

/// Which certificate authorities HTTPS connections trust (`tls.rs`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum TrustStore {
    /// The operating system's trust decisions (rustls-platform-verifier): its root store with the vendor's distrust
    /// updates, enterprise/MDM-installed CAs on iOS and macOS, the app's Network Security Config and user CAs as it
    /// allows them on Android, the system CA bundle on Linux. On Android it needs `LogtoAndroid` (logto-android),
    /// which hands the verifier the app's `Context`.
    #[default]
    Platform,
    /// The Mozilla root store compiled into the library (webpki-roots, feature `bundled-roots`, on by default), for
    /// systems without a usable store (a minimal container, an Android process without the platform verifier's
    /// set-up). It is only as current as the app's build. Without the feature (the native library), an
    /// `invalid_config` error.
    Bundled,
}

/// Everything the client needs to know about the Logto application.
#[derive(Debug, Clone)]
pub struct LogtoConfig {
    /// The Logto endpoint, e.g. `https://tenant.logto.app` (a path prefix is allowed). The issuer is `{endpoint}/oidc`.
    pub endpoint: String,
    /// The application ID of the *Native app* in Logto.
    pub app_id: String,
    /// Extra scopes to request (e.g. `email`, `urn:logto:scope:organizations`).
    pub scopes: Vec<String>,
    /// API resource indicators the refresh token may mint access tokens for.
    pub resources: Vec<String>,
    /// Default `prompt` of every sign-in; `consent` unless changed.
    pub prompt: Vec<Prompt>,
    /// Whether `openid offline_access profile` are always requested (default true).
    pub include_reserved_scopes: bool,
    /// How far apart the client's and the server's clocks may be when checking `exp`/`iat` (default 300 s, as Logto).
    pub clock_tolerance: Duration,
    /// An access token this close to its expiry counts as expired, so it cannot expire in flight (default 60 s).
    pub access_token_expiry_margin: Duration,
    /// Timeout of a whole HTTP request (default 30 s).
    pub request_timeout: Duration,
    /// Timeout of connecting to the server (default 10 s).
    pub connect_timeout: Duration,
    /// Largest response body accepted (default 1 MiB); a larger one fails with a network error.
    pub max_response_bytes: usize,
    /// How long a cached discovery document is used before it is fetched again (default 24 h).
    pub discovery_cache_ttl: Duration,
    /// Extra trusted CA certificates (PEM) for self-hosted Logto behind a private CA, trusted in addition to
    /// [`trust_store`](Self::trust_store).
    pub extra_root_certificates_pem: Vec<String>,
    /// Whose CAs HTTPS trusts (default: the platform's).
    pub trust_store: TrustStore,
}

impl LogtoConfig {
    /// A configuration with Logto's defaults.
    pub fn new(endpoint: impl Into<String>, app_id: impl Into<String>) -> Self {
        Self {
            endpoint: endpoint.into(),
            app_id: app_id.into(),
            scopes: Vec::new(),
            resources: Vec::new(),
            prompt: vec![Prompt::Consent],
            include_reserved_scopes: true,
            clock_tolerance: Duration::from_secs(300),
            access_token_expiry_margin: Duration::from_secs(60),
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_response_bytes: 1024 * 1024,
            discovery_cache_ttl: Duration::from_secs(24 * 3600),
            extra_root_certificates_pem: Vec::new(),
            trust_store: TrustStore::Platform,
        }
    }

    /// Validates the configuration and derives what the client uses at run time.
    pub(crate) fn resolve(&self) -> Result<ResolvedConfig> {
        if self.app_id.trim().is_empty() {
            return Err(LogtoError::config("app_id is empty"));
        }
        let endpoint = parse_endpoint(&self.endpoint)?;
        let issuer = format!("{}/oidc", endpoint.as_str().trim_end_matches('/'));
        let discovery_url = format!("{issuer}/.well-known/openid-configuration");
        if self.prompt.is_empty() {
            return Err(LogtoError::config("prompt must contain at least one value"));
        }
        for resource in &self.resources {
            check_resource(resource)?;
        }
        Ok(ResolvedConfig {
            app_id: self.app_id.clone(),
            issuer,
            discovery_url,
            scopes: self.effective_scopes(),
            resources: self.effective_resources(),
            prompt: self.prompt.clone(),
            clock_tolerance: self.clock_tolerance,
            expiry_margin: self.access_token_expiry_margin,
            discovery_cache_ttl: self.discovery_cache_ttl,
        })
    }

    /// The scopes actually requested: reserved ones first (if enabled), then the configured ones, deduplicated.
    pub fn effective_scopes(&self) -> Vec<String> {
        let reserved = if self.include_reserved_scopes { &RESERVED_SCOPES[..] } else { &[] };
        dedup(reserved.iter().map(|s| s.to_string()).chain(self.scopes.iter().cloned()))
    }

    /// The resources actually requested: adding the organizations scope adds the organizations resource.
    pub fn effective_resources(&self) -> Vec<String> {
        let org = self.scopes.iter().any(|s| s == ORGANIZATIONS_SCOPE).then(|| ORGANIZATIONS_RESOURCE.to_string());
        dedup(self.resources.iter().cloned().chain(org))
    }
}

fn dedup(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        if !item.is_empty() && !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// The validated, derived configuration.
#[derive(Debug, Clone)]
pub(crate) struct ResolvedConfig {
    pub app_id: String,
    pub issuer: String,
    pub discovery_url: String,
    pub scopes: Vec<String>,
    pub resources: Vec<String>,
    pub prompt: Vec<Prompt>,
    pub clock_tolerance: Duration,
    pub expiry_margin: Duration,
    pub discovery_cache_ttl: Duration,
}

/// True for `localhost`, `127.0.0.0/8` and `::1`.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// [`Url::parse`], except that a URL whose authority holds both a non-ASCII character and an uppercase ASCII letter
/// (raw or percent-encoded, as the parser decodes them) is refused before it reaches the `idna` crate: a debug
/// assertion in the table-free `idna_adapter` 1.0, which the native library is built with (bindings/Cargo.toml) and
/// the workspace lock file gives every build, fires on such a host label (`http://TÿT/`), a panic on hostile input in
/// every debug build. Found by the `callback` fuzz target (fuzz/regressions/callback/). A non-ASCII host without
/// uppercase letters is left to the application's IDNA choice, as before. Every URL the SDK parses goes through here.
pub(crate) fn parse_url(input: &str) -> std::result::Result<Url, url::ParseError> {
    // The authority as the URL parser sees it: after the scheme and any slashes (special schemes accept `http:host`
    // and backslashes), up to the path, query or fragment; tabs and newlines are removed by the parser, and
    // percent-escapes decoded in the host.
    if let Some((_, rest)) = input.split_once(':') {
        let rest = rest.trim_start_matches(['/', '\\', '\t', '\n', '\r']);
        let authority = &rest[..rest.find(['/', '\\', '?', '#']).unwrap_or(rest.len())];
        let raw: Vec<u8> = authority.bytes().filter(|b| !matches!(b, b'\t' | b'\n' | b'\r')).collect();
        let hex = |b: u8| char::from(b).to_digit(16);
        let (mut non_ascii, mut uppercase, mut i) = (false, false, 0);
        while i < raw.len() {
            let escaped = match (raw[i], raw.get(i + 1).copied().and_then(hex), raw.get(i + 2).copied().and_then(hex)) {
                (b'%', Some(high), Some(low)) => u8::try_from(high * 16 + low).ok(),
                _ => None,
            };
            let b = escaped.unwrap_or(raw[i]);
            i += if escaped.is_some() { 3 } else { 1 };
            non_ascii |= !b.is_ascii();
            uppercase |= b.is_ascii_uppercase();
        }
        if non_ascii && uppercase {
            return Err(url::ParseError::IdnaError);
        }
    }
    Url::parse(input)
}

/// `https://` anywhere; `http://` only to a loopback host (a local development server).
pub(crate) fn check_transport(url: &Url, what: &str) -> Result<()> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(LogtoError::config(format!("{what} uses http:// to a non-loopback host; use https://"))),
        other => Err(LogtoError::config(format!("{what} has unsupported scheme `{other}`"))),
    }
}

fn parse_endpoint(raw: &str) -> Result<Url> {
    let url = parse_url(raw.trim()).map_err(|e| LogtoError::config(format!("endpoint is not a URL: {e}")))?;
    check_transport(&url, "endpoint")?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(LogtoError::config("endpoint must not have a query or fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(LogtoError::config("endpoint must not contain credentials"));
    }
    Ok(url)
}

/// An API resource indicator (RFC 8707 §2): an absolute URI without a fragment.
pub(crate) fn check_resource(resource: &str) -> Result<()> {
    let url = parse_url(resource).map_err(|_| LogtoError::config("a resource must be an absolute URI"))?;
    if url.fragment().is_some() || resource.contains('#') {
        return Err(LogtoError::config("a resource must not have a fragment"));
    }
    Ok(())
}

/// Checks a redirect or post-logout redirect URI (RFC 8252 §7): a private-use scheme, `https`, or `http` to a
/// loopback address. Returns it unchanged: the exact string is what is sent and later compared.
pub(crate) fn check_redirect_uri(raw: &str, what: &str) -> Result<Url> {
    let url = parse_url(raw).map_err(|e| LogtoError::config(format!("{what} is not an absolute URI: {e}")))?;
    if url.fragment().is_some() {
        return Err(LogtoError::config(format!("{what} must not have a fragment")));
    }
    match url.scheme() {
        "http" | "https" => check_transport(&url, what)?,
        "javascript" | "data" | "file" | "about" | "blob" | "vbscript" => {
            return Err(LogtoError::config(format!("{what} uses a forbidden scheme")));
        }
        _ => {}
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `callback` fuzz target's first find: `Url::parse` panicked in debug builds (a debug assertion of
    /// idna_adapter 1.0) on an uppercase ASCII letter next to a non-ASCII one in a host. Refused now, whatever form.
    #[test]
    fn non_ascii_hosts_are_refused_without_a_panic() {
        for hostile in [
            "http://T\u{ff}T/",
            "http://T%C3%BFT/",
            "http://T%FF/",
            "wss:TTT\u{ff}:%Ep",
            "http:\\\\T\u{ff}/",
            "https://T%\tC3%BF/",
            "http://T\u{ff}/?q=\u{ff}",
            "com.example.app://T\u{ff}T/",
            "http://%41\u{ff}/",
        ] {
            assert_eq!(parse_url(hostile), Err(url::ParseError::IdnaError), "{hostile:?}");
        }
        // Left to the URL parser (and the application's IDNA back end): no uppercase letter next to the non-ASCII.
        for fine in [
            "https://a.logto.app/oidc?q=%C3%BF#\u{ff}",
            "http://127.0.0.1:3001/%41",
            "https://XN--BCHER-KVA.example/",
            "https://b\u{fc}cher.example/",
            "https://b%C3%BCcher.example/Path",
        ] {
            assert_eq!(parse_url(fine), Url::parse(fine), "{fine:?}");
        }
    }

    #[test]
    fn reserved_scopes_come_first_and_deduplicate() {
        let mut c = LogtoConfig::new("https://a.logto.app", "app");
        c.scopes = vec!["email".into(), "openid".into(), ORGANIZATIONS_SCOPE.into()];
        assert_eq!(c.effective_scopes(), ["openid", "offline_access", "profile", "email", ORGANIZATIONS_SCOPE]);
        assert_eq!(c.effective_resources(), [ORGANIZATIONS_RESOURCE]);
        c.include_reserved_scopes = false;
        assert_eq!(c.effective_scopes(), ["email", "openid", ORGANIZATIONS_SCOPE]);
    }

    #[test]
    fn organizations_resource_is_not_duplicated() {
        let mut c = LogtoConfig::new("https://a.logto.app", "app");
        c.scopes = vec![ORGANIZATIONS_SCOPE.into()];
        c.resources = vec![ORGANIZATIONS_RESOURCE.into(), "https://api".into()];
        assert_eq!(c.effective_resources(), [ORGANIZATIONS_RESOURCE, "https://api"]);
    }

    #[test]
    fn issuer_keeps_tenant_path() {
        let r = LogtoConfig::new("https://example.com/tenant/", "app").resolve().unwrap();
        assert_eq!(r.issuer, "https://example.com/tenant/oidc");
        assert_eq!(r.discovery_url, "https://example.com/tenant/oidc/.well-known/openid-configuration");
        let r = LogtoConfig::new("https://a.logto.app", "app").resolve().unwrap();
        assert_eq!(r.issuer, "https://a.logto.app/oidc");
    }

    #[test]
    fn http_only_for_loopback() {
        for ok in ["http://127.0.0.1:3001", "http://localhost:80", "http://[::1]:9", "http://127.8.0.1", "https://x.y"]
        {
            assert!(LogtoConfig::new(ok, "app").resolve().is_ok(), "{ok}");
        }
        for bad in
            ["http://example.com", "http://10.0.0.1", "ftp://x", "not a url", "https://u:p@x.y", "https://x.y?q=1"]
        {
            let err = LogtoConfig::new(bad, "app").resolve().unwrap_err();
            assert_eq!(err.code(), "invalid_config", "{bad}");
        }
        assert!(LogtoConfig::new("https://x.y", " ").resolve().is_err());
    }

    #[test]
    fn redirect_uri_rules() {
        assert!(check_redirect_uri("com.example.app://callback", "r").is_ok());
        assert!(check_redirect_uri("http://127.0.0.1:4000/callback", "r").is_ok());
        assert!(check_redirect_uri("https://app.example.com/cb", "r").is_ok());
        assert!(check_redirect_uri("http://example.com/cb", "r").is_err());
        assert!(check_redirect_uri("javascript:alert(1)", "r").is_err());
        assert!(check_redirect_uri("com.example.app://callback#x", "r").is_err());
        assert!(check_redirect_uri("/relative", "r").is_err());
    }

    #[test]
    fn resources_are_absolute_uris_without_fragment() {
        for ok in ["https://api.example.com", "https://api.example.com/v1", "urn:logto:resource:organizations"] {
            assert!(check_resource(ok).is_ok(), "{ok}");
        }
        // "https://api#o1" would collide with the cache key of the organization token of `https://api` and `o1`.
        for bad in ["https://api#o1", "https://api#", "api", "/relative", ""] {
            assert_eq!(check_resource(bad).unwrap_err().code(), "invalid_config", "{bad}");
        }
        let mut c = LogtoConfig::new("https://a.logto.app", "app");
        c.resources = vec!["https://api#o1".into()];
        assert!(c.resolve().is_err());
    }

    #[test]
    fn prompt_parsing() {
        assert_eq!(Prompt::parse("login").unwrap(), Prompt::Login);
        assert!(Prompt::parse("select_account").is_err());
        assert_eq!(join_prompts(&[Prompt::Login, Prompt::Consent]), "login consent");
    }
}
