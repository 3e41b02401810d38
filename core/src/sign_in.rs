//! Sign-in options and the authorization request URL (Logto's parameters on top of OAuth 2.0 + PKCE).

use crate::config::{Prompt, ResolvedConfig, join_prompts, parse_url};
use crate::error::{LogtoError, Result};

/// Logto's `first_screen` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstScreen {
    SignIn,
    Register,
    ResetPassword,
    IdentifierSignIn,
    IdentifierRegister,
    SingleSignOn,
}

impl FirstScreen {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignIn => "sign_in",
            Self::Register => "register",
            Self::ResetPassword => "reset_password",
            Self::IdentifierSignIn => "identifier:sign_in",
            Self::IdentifierRegister => "identifier:register",
            Self::SingleSignOn => "single_sign_on",
        }
    }

    /// Parses Logto's values, including the deprecated `signIn` and the `interaction_mode` `signUp`.
    pub fn parse(value: &str) -> Result<Self> {
        Ok(match value {
            "sign_in" | "signIn" => Self::SignIn,
            "register" | "signUp" => Self::Register,
            "reset_password" => Self::ResetPassword,
            "identifier:sign_in" => Self::IdentifierSignIn,
            "identifier:register" => Self::IdentifierRegister,
            "single_sign_on" => Self::SingleSignOn,
            other => return Err(LogtoError::config(format!("unknown first screen `{other}`"))),
        })
    }
}

/// Identifier types shown on the first screen (`identifier=email phone`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identifier {
    Email,
    Phone,
    Username,
}

impl Identifier {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Username => "username",
        }
    }
}

/// How `direct_sign_in` skips Logto's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectSignInMethod {
    /// A social connector, e.g. `alipay-web` or `google`.
    Social,
    /// An enterprise SSO connector id.
    Sso,
}

/// `direct_sign_in=<method>:<target>`, e.g. `social:alipay`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectSignIn {
    pub method: DirectSignInMethod,
    pub target: String,
}

impl DirectSignIn {
    pub fn social(target: impl Into<String>) -> Self {
        Self { method: DirectSignInMethod::Social, target: target.into() }
    }

    pub fn sso(connector_id: impl Into<String>) -> Self {
        Self { method: DirectSignInMethod::Sso, target: connector_id.into() }
    }

    /// Parses `social:alipay` / `sso:<id>`.
    pub fn parse(value: &str) -> Result<Self> {
        match value.split_once(':') {
            Some(("social", t)) if !t.is_empty() => Ok(Self::social(t)),
            Some(("sso", t)) if !t.is_empty() => Ok(Self::sso(t)),
            _ => Err(LogtoError::config(format!(
                "direct sign-in must be `social:<target>` or `sso:<id>`, got `{value}`"
            ))),
        }
    }

    fn value(&self) -> String {
        let method = match self.method {
            DirectSignInMethod::Social => "social",
            DirectSignInMethod::Sso => "sso",
        };
        format!("{method}:{}", self.target)
    }
}

/// Options of one sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInOptions {
    /// Where Logto sends the user back: a private-use scheme (`com.example.app://callback`), a claimed `https` URL,
    /// or a loopback `http://127.0.0.1:<port>/…` URL. Must be registered in Logto exactly.
    pub redirect_uri: String,
    /// Overrides the configured prompt for this sign-in.
    pub prompt: Option<Vec<Prompt>>,
    pub first_screen: Option<FirstScreen>,
    pub identifiers: Vec<Identifier>,
    /// Pre-fills the identifier on the first screen.
    pub login_hint: Option<String>,
    pub direct_sign_in: Option<DirectSignIn>,
    /// Shows the sign-in experience of this organization.
    pub organization_id: Option<String>,
    /// `ui_locales`, e.g. `zh-CN en`.
    pub ui_locales: Option<String>,
    /// Extra parameters appended as given (they may not replace protocol parameters).
    pub extra_params: Vec<(String, String)>,
}

impl SignInOptions {
    pub fn new(redirect_uri: impl Into<String>) -> Self {
        Self {
            redirect_uri: redirect_uri.into(),
            prompt: None,
            first_screen: None,
            identifiers: Vec::new(),
            login_hint: None,
            direct_sign_in: None,
            organization_id: None,
            ui_locales: None,
            extra_params: Vec::new(),
        }
    }
}

/// Parameters the SDK owns; extra parameters may not set them.
const RESERVED_PARAMS: [&str; 18] = [
    "client_id",
    "redirect_uri",
    "response_type",
    "response_mode",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "scope",
    "resource",
    "prompt",
    "request",
    "request_uri",
    "login_hint",
    "direct_sign_in",
    "first_screen",
    "identifier",
    "organization_id",
];

pub(crate) struct AuthorizationRequest<'a> {
    pub state: &'a str,
    pub nonce: &'a str,
    pub code_challenge: &'a str,
}

/// The URL to open, and what the pending sign-in must remember about it.
pub(crate) struct Authorization {
    pub url: String,
    /// `max_age` passed as an extra parameter: the ID token's `auth_time` is then checked against it.
    pub max_age: Option<u64>,
}

pub(crate) fn build_authorization_url(
    authorization_endpoint: &str,
    config: &ResolvedConfig,
    options: &SignInOptions,
    request: &AuthorizationRequest<'_>,
) -> Result<Authorization> {
    let mut url =
        parse_url(authorization_endpoint).map_err(|_| LogtoError::unexpected("authorization_endpoint is not a URL"))?;
    for (key, _) in &options.extra_params {
        if RESERVED_PARAMS.contains(&key.as_str()) || key.is_empty() {
            return Err(LogtoError::config(format!("extra parameter `{key}` is reserved; use the dedicated option")));
        }
    }
    let mut max_age = None;
    for (_, value) in options.extra_params.iter().filter(|(key, _)| key == "max_age") {
        let seconds = value.parse::<u64>().map_err(|_| LogtoError::config("max_age must be a number of seconds"))?;
        if max_age.replace(seconds).is_some() {
            return Err(LogtoError::config("max_age given twice"));
        }
    }
    let prompt = options.prompt.as_deref().unwrap_or(&config.prompt);
    if prompt.is_empty() {
        return Err(LogtoError::config("prompt must contain at least one value"));
    }
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("client_id", &config.app_id)
            .append_pair("redirect_uri", &options.redirect_uri)
            .append_pair("code_challenge", request.code_challenge)
            .append_pair("code_challenge_method", "S256")
            .append_pair("state", request.state)
            .append_pair("nonce", request.nonce)
            .append_pair("response_type", "code")
            .append_pair("prompt", &join_prompts(prompt))
            .append_pair("scope", &config.scopes.join(" "));
        for resource in &config.resources {
            q.append_pair("resource", resource);
        }
        if let Some(hint) = &options.login_hint {
            q.append_pair("login_hint", hint);
        }
        if let Some(direct) = &options.direct_sign_in {
            q.append_pair("direct_sign_in", &direct.value());
        }
        if let Some(screen) = options.first_screen {
            q.append_pair("first_screen", screen.as_str());
        }
        if !options.identifiers.is_empty() {
            let ids: Vec<&str> = options.identifiers.iter().map(|i| i.as_str()).collect();
            q.append_pair("identifier", &ids.join(" "));
        }
        if let Some(org) = &options.organization_id {
            q.append_pair("organization_id", org);
        }
        if let Some(locales) = &options.ui_locales {
            q.append_pair("ui_locales", locales);
        }
        for (key, value) in &options.extra_params {
            q.append_pair(key, value);
        }
    }
    Ok(Authorization { url: url.into(), max_age })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::config::LogtoConfig;

    fn params(url: &str) -> Vec<(String, String)> {
        url::Url::parse(url).unwrap().query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
    }

    fn build(options: &SignInOptions) -> Result<String> {
        let mut c = LogtoConfig::new("https://a.logto.app", "app-1");
        c.scopes = vec!["email".into(), crate::config::ORGANIZATIONS_SCOPE.into()];
        c.resources = vec!["https://api.example.com".into()];
        let r = AuthorizationRequest { state: "st", nonce: "no", code_challenge: "ch" };
        build_authorization_url("https://a.logto.app/oidc/auth", &c.resolve().unwrap(), options, &r).map(|a| a.url)
    }

    #[test]
    fn logto_wire_format() {
        let url = build(&SignInOptions::new("com.example.app://callback")).unwrap();
        assert!(url.starts_with("https://a.logto.app/oidc/auth?"));
        let p = params(&url);
        let m: HashMap<_, _> = p.iter().cloned().collect();
        assert_eq!(m["client_id"], "app-1");
        assert_eq!(m["redirect_uri"], "com.example.app://callback");
        assert_eq!(m["code_challenge_method"], "S256");
        assert_eq!(m["code_challenge"], "ch");
        assert_eq!(m["state"], "st");
        assert_eq!(m["nonce"], "no");
        assert_eq!(m["response_type"], "code");
        assert_eq!(m["prompt"], "consent");
        assert_eq!(m["scope"], "openid offline_access profile email urn:logto:scope:organizations");
        let resources: Vec<_> = p.iter().filter(|(k, _)| k == "resource").map(|(_, v)| v.as_str()).collect();
        assert_eq!(resources, ["https://api.example.com", "urn:logto:resource:organizations"]);
    }

    #[test]
    fn logto_extra_parameters() {
        let mut o = SignInOptions::new("com.example.app://callback");
        o.prompt = Some(vec![Prompt::Login, Prompt::Consent]);
        o.first_screen = Some(FirstScreen::parse("identifier:register").unwrap());
        o.identifiers = vec![Identifier::Email, Identifier::Phone];
        o.login_hint = Some("a@b.c".into());
        o.direct_sign_in = Some(DirectSignIn::parse("social:alipay").unwrap());
        o.organization_id = Some("org-1".into());
        o.ui_locales = Some("zh-CN".into());
        o.extra_params = vec![("dev_login".into(), "alice".into())];
        let m: HashMap<_, _> = params(&build(&o).unwrap()).into_iter().collect();
        assert_eq!(m["prompt"], "login consent");
        assert_eq!(m["first_screen"], "identifier:register");
        assert_eq!(m["identifier"], "email phone");
        assert_eq!(m["login_hint"], "a@b.c");
        assert_eq!(m["direct_sign_in"], "social:alipay");
        assert_eq!(m["organization_id"], "org-1");
        assert_eq!(m["ui_locales"], "zh-CN");
        assert_eq!(m["dev_login"], "alice");
    }

    #[test]
    fn extra_params_cannot_override_protocol() {
        for key in ["state", "code_challenge_method", "redirect_uri", "scope", ""] {
            let mut o = SignInOptions::new("com.example.app://callback");
            o.extra_params = vec![(key.into(), "x".into())];
            assert_eq!(build(&o).unwrap_err().code(), "invalid_config", "{key}");
        }
        let mut o = SignInOptions::new("com.example.app://callback");
        o.prompt = Some(vec![]);
        assert!(build(&o).is_err());
    }

    /// `max_age` is a protocol parameter with a consequence (the ID token's `auth_time` must be checked), so it is
    /// parsed and remembered, and refused when it is not a number.
    #[test]
    fn max_age_is_remembered_for_the_auth_time_check() {
        let c = LogtoConfig::new("https://a.logto.app", "app-1").resolve().unwrap();
        let r = AuthorizationRequest { state: "st", nonce: "no", code_challenge: "ch" };
        let with = |params: &[(&str, &str)]| {
            let mut o = SignInOptions::new("com.example.app://callback");
            o.extra_params = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            build_authorization_url("https://a.logto.app/oidc/auth", &c, &o, &r)
        };
        let a = with(&[("max_age", "300")]).unwrap();
        assert_eq!(a.max_age, Some(300));
        assert!(a.url.contains("max_age=300"));
        assert_eq!(with(&[]).unwrap().max_age, None);
        for bad in [&[("max_age", "-1")][..], &[("max_age", "soon")], &[("max_age", "1"), ("max_age", "2")]] {
            assert_eq!(with(bad).err().map(|e| e.code()).as_deref(), Some("invalid_config"), "{bad:?}");
        }
    }

    #[test]
    fn parsing_helpers() {
        assert_eq!(FirstScreen::parse("signUp").unwrap(), FirstScreen::Register);
        assert!(FirstScreen::parse("home").is_err());
        assert_eq!(DirectSignIn::parse("sso:abc").unwrap(), DirectSignIn::sso("abc"));
        for bad in ["social:", "alipay", "oauth:x"] {
            assert!(DirectSignIn::parse(bad).is_err(), "{bad}");
        }
    }
}
