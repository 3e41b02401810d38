//! Parsing and checking the authorization response delivered to the redirect URI (RFC 6749 §4.1.2, RFC 9207,
//! RFC 8252 §8.9–8.10).

use url::Url;

use crate::config::parse_url;
use crate::error::{CallbackErrorKind, LogtoError, Result};

/// What the callback carried, before the code exchange.
#[derive(Debug)]
pub(crate) struct AuthorizationResponse {
    pub code: String,
}

pub(crate) struct CallbackExpectations<'a> {
    pub redirect_uri: &'a str,
    pub state: &'a str,
    pub issuer: &'a str,
    /// RFC 9207 `authorization_response_iss_parameter_supported`: `iss` is then mandatory.
    pub iss_required: bool,
}

fn fail(kind: CallbackErrorKind) -> LogtoError {
    LogtoError::Callback { kind }
}

/// The part of a URL that must equal the redirect URI: everything but query and fragment.
fn without_query(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    u.to_string()
}

/// True when `a` and `b` are the same endpoint: equal but for query and fragment.
pub(crate) fn same_endpoint(a: &Url, b: &Url) -> bool {
    without_query(a) == without_query(b)
}

/// Checks, in order: exact redirect URI (scheme, authority, path), `state`, `iss`, `error`, `code`.
/// `state` comes first so a forged response (wrong state) cannot make us act on anything it says.
pub(crate) fn parse_callback(callback: &str, expect: &CallbackExpectations<'_>) -> Result<AuthorizationResponse> {
    let url = parse_url(callback).map_err(|_| fail(CallbackErrorKind::InvalidUrl))?;
    let redirect = parse_url(expect.redirect_uri).map_err(|_| LogtoError::SignInSessionInvalid)?;
    if !same_endpoint(&url, &redirect) {
        return Err(fail(CallbackErrorKind::RedirectUriMismatched));
    }
    let mut params = std::collections::HashMap::<String, String>::new();
    for (k, v) in url.query_pairs() {
        // A repeated parameter makes the response ambiguous (RFC 6749 §3.1: parameters MUST NOT be repeated).
        if params.insert(k.into_owned(), v.into_owned()).is_some() {
            return Err(fail(CallbackErrorKind::InvalidUrl));
        }
    }
    match params.get("state") {
        None => return Err(fail(CallbackErrorKind::MissingState)),
        Some(s) if !constant_time_eq(s.as_bytes(), expect.state.as_bytes()) => {
            return Err(fail(CallbackErrorKind::StateMismatched));
        }
        Some(_) => {}
    }
    match params.get("iss") {
        Some(iss) if iss != expect.issuer => return Err(fail(CallbackErrorKind::IssuerMismatched)),
        None if expect.iss_required => return Err(fail(CallbackErrorKind::MissingIssuer)),
        _ => {}
    }
    if let Some(error) = params.get("error") {
        return Err(LogtoError::CallbackErrorFound {
            error: error.chars().take(100).collect(),
            description: params.get("error_description").map(|d| d.chars().take(300).collect()),
        });
    }
    match params.remove("code") {
        Some(code) if !code.is_empty() => Ok(AuthorizationResponse { code }),
        _ => Err(fail(CallbackErrorKind::MissingCode)),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISS: &str = "https://a.logto.app/oidc";

    fn check(callback: &str, redirect: &str, iss_required: bool) -> std::result::Result<String, String> {
        let e = CallbackExpectations { redirect_uri: redirect, state: "s1", issuer: ISS, iss_required };
        parse_callback(callback, &e).map(|r| r.code).map_err(|e| e.code())
    }

    const R: &str = "com.example.app://callback";
    const ISS_Q: &str = "iss=https%3A%2F%2Fa.logto.app%2Foidc";

    #[test]
    fn accepts_valid_response() {
        assert_eq!(check(&format!("{R}?code=c1&state=s1&{ISS_Q}"), R, true).unwrap(), "c1");
        assert_eq!(check(&format!("{R}?code=c1&state=s1"), R, false).unwrap(), "c1");
        let lb = "http://127.0.0.1:51234/callback";
        assert_eq!(check(&format!("{lb}?state=s1&code=c%2F1&{ISS_Q}"), lb, true).unwrap(), "c/1");
    }

    #[test]
    fn redirect_uri_must_match_exactly() {
        for cb in [
            "com.example.app://callback/?code=c&state=s1",
            "com.example.app://callbackx?code=c&state=s1",
            "com.example.app://callback/extra?code=c&state=s1",
            "com.evil.app://callback?code=c&state=s1",
            "http://127.0.0.1:1/callback?code=c&state=s1",
        ] {
            assert_eq!(check(cb, R, false).unwrap_err(), "callback_uri_verification.redirect_uri_mismatched", "{cb}");
        }
        let lb = "http://127.0.0.1:51234/callback";
        assert_eq!(
            check("http://127.0.0.1:51235/callback?code=c&state=s1", lb, false).unwrap_err(),
            "callback_uri_verification.redirect_uri_mismatched"
        );
    }

    #[test]
    fn state_is_checked_before_anything_else() {
        assert_eq!(check(&format!("{R}?code=c"), R, true).unwrap_err(), "callback_uri_verification.missing_state");
        assert_eq!(
            check(&format!("{R}?code=c&state=s2&{ISS_Q}"), R, true).unwrap_err(),
            "callback_uri_verification.state_mismatched"
        );
        assert_eq!(
            check(&format!("{R}?error=access_denied&state=bad"), R, false).unwrap_err(),
            "callback_uri_verification.state_mismatched"
        );
    }

    #[test]
    fn rfc9207_issuer() {
        assert_eq!(
            check(&format!("{R}?code=c&state=s1"), R, true).unwrap_err(),
            "callback_uri_verification.missing_issuer"
        );
        let evil = format!("{R}?code=c&state=s1&iss=https%3A%2F%2Fevil%2Foidc");
        assert_eq!(check(&evil, R, true).unwrap_err(), "callback_uri_verification.issuer_mismatched");
        assert_eq!(check(&evil, R, false).unwrap_err(), "callback_uri_verification.issuer_mismatched");
        // Error responses are checked too (RFC 9207 §2.4).
        let evil_error = format!("{R}?error=access_denied&state=s1&iss=https%3A%2F%2Fevil%2Foidc");
        assert_eq!(check(&evil_error, R, true).unwrap_err(), "callback_uri_verification.issuer_mismatched");
    }

    #[test]
    fn error_response_is_surfaced() {
        let e = CallbackExpectations { redirect_uri: R, state: "s1", issuer: ISS, iss_required: true };
        let err =
            parse_callback(&format!("{R}?error=access_denied&error_description=User+said+no&state=s1&{ISS_Q}"), &e)
                .unwrap_err();
        assert_eq!(
            err,
            LogtoError::CallbackErrorFound { error: "access_denied".into(), description: Some("User said no".into()) }
        );
    }

    #[test]
    fn mutated_callbacks_never_panic_or_pass() {
        let valid = format!("{R}?code=c1&state=s1&{ISS_Q}");
        let alphabet = b"?&=%/:#.abcs1ABC\x00 \xff";
        let mut seed = 0x2545F4914F6CDD1Du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..5_000 {
            let mut bytes = valid.as_bytes().to_vec();
            for _ in 0..=(next() % 3) {
                let i = (next() as usize) % bytes.len();
                bytes[i] = alphabet[(next() as usize) % alphabet.len()];
            }
            let url = String::from_utf8_lossy(&bytes);
            if let Ok(code) = check(&url, R, true) {
                // Only mutations that keep the checked parts intact may pass (e.g. inside the code value, or the
                // scheme's case, which URIs ignore).
                assert!(url.contains("state=s1") && url.to_ascii_lowercase().starts_with(R), "{url} -> {code}");
            }
        }
    }

    #[test]
    fn malformed_callbacks() {
        assert_eq!(check("not a url", R, false).unwrap_err(), "callback_uri_verification.invalid_url");
        assert_eq!(check(&format!("{R}?state=s1"), R, false).unwrap_err(), "callback_uri_verification.missing_code");
        assert_eq!(
            check(&format!("{R}?state=s1&code="), R, false).unwrap_err(),
            "callback_uri_verification.missing_code"
        );
        assert_eq!(
            check(&format!("{R}?state=s1&code=a&code=b"), R, false).unwrap_err(),
            "callback_uri_verification.invalid_url"
        );
        assert_eq!(
            check(&format!("{R}?state=s1&state=s1&code=a"), R, false).unwrap_err(),
            "callback_uri_verification.invalid_url"
        );
        assert_eq!(
            check(&format!("{R}?state=%FF%FE&code=a"), R, false).unwrap_err(),
            "callback_uri_verification.state_mismatched"
        );
    }
}
