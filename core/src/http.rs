//! The one HTTP client of the SDK: reqwest over rustls (configured in `tls.rs`). Redirects are never followed, every
//! request has a timeout, and every response body is capped.

use reqwest::{Client, RequestBuilder, Response, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::config::LogtoConfig;
use crate::error::{LogtoError, Result};

#[derive(Clone)]
pub(crate) struct Http {
    client: Client,
    max_response_bytes: usize,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http").field("max_response_bytes", &self.max_response_bytes).finish()
    }
}

/// RFC 6749 §5.2 error body (Logto adds `code`/`message`, which we do not need).
#[derive(Deserialize)]
struct OAuthErrorBody {
    error: String,
    error_description: Option<String>,
}

impl Http {
    pub fn new(config: &LogtoConfig) -> Result<Self> {
        let tls = crate::tls::client_config(config.trust_store, &config.extra_root_certificates_pem)?;
        let client = Client::builder()
            .tls_backend_preconfigured(tls)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.request_timeout)
            .connect_timeout(config.connect_timeout)
            .user_agent(concat!("logto-core/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| LogtoError::Internal { message: format!("HTTP client set-up failed: {}", e.without_url()) })?;
        Ok(Self { client, max_response_bytes: config.max_response_bytes })
    }

    /// `GET url` and parse a JSON body. `bearer` goes in the `Authorization` header, never the query.
    pub async fn get_json<T: DeserializeOwned>(&self, url: &str, bearer: Option<&str>, what: &str) -> Result<T> {
        let mut request = self.client.get(url).header("accept", "application/json");
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let (status, body) = self.send(request).await?;
        parse_json(status, &body, what)
    }

    /// `POST url` with a form body and parse a JSON body.
    pub async fn post_form_json<T: DeserializeOwned>(&self, url: &str, form: &[(&str, &str)], what: &str) -> Result<T> {
        let request = self.client.post(url).header("accept", "application/json").form(form);
        let (status, body) = self.send(request).await?;
        parse_json(status, &body, what)
    }

    /// `POST url` with a form body, expecting any 2xx (RFC 7009 revocation answers 200 with an empty body).
    pub async fn post_form(&self, url: &str, form: &[(&str, &str)]) -> Result<()> {
        let request = self.client.post(url).form(form);
        let (status, body) = self.send(request).await?;
        if status.is_success() { Ok(()) } else { Err(error_from_status(status, &body)) }
    }

    async fn send(&self, request: RequestBuilder) -> Result<(StatusCode, Vec<u8>)> {
        let response = request.send().await.map_err(network_error)?;
        let status = response.status();
        let body = self.read_capped(response).await?;
        Ok((status, body))
    }

    /// Reads at most `max_response_bytes`, refusing early on a larger `Content-Length`.
    async fn read_capped(&self, mut response: Response) -> Result<Vec<u8>> {
        let limit = self.max_response_bytes;
        let too_large = || LogtoError::Network { message: format!("response larger than {limit} bytes") };
        if response.content_length().is_some_and(|len| len > limit as u64) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(network_error)? {
            if body.len() + chunk.len() > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

pub(crate) fn parse_json<T: DeserializeOwned>(status: StatusCode, body: &[u8], what: &str) -> Result<T> {
    if !status.is_success() {
        return Err(error_from_status(status, body));
    }
    // serde's messages name the field and position, never echo the value.
    serde_json::from_slice(body).map_err(|e| LogtoError::unexpected(format!("invalid {what} response: {e}")))
}

pub(crate) fn error_from_status(status: StatusCode, body: &[u8]) -> LogtoError {
    match serde_json::from_slice::<OAuthErrorBody>(body) {
        Ok(b) if is_oauth_error_code(&b.error) => LogtoError::Oidc {
            error: b.error,
            description: b.error_description.map(|d| d.chars().take(300).collect()),
            status: status.as_u16(),
        },
        _ => LogtoError::Http { status: status.as_u16() },
    }
}

/// RFC 6749 error codes are `%x20-21 / %x23-5B / %x5D-7E`; we accept the usual `[a-z_]` shape and keep odd
/// strings out of our error codes.
pub(crate) fn is_oauth_error_code(code: &str) -> bool {
    !code.is_empty() && code.len() <= 64 && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
}

const TIMED_OUT: &str = "request timed out";

/// True for a request that timed out (as opposed to one whose connection failed).
pub(crate) fn is_timeout(e: &LogtoError) -> bool {
    matches!(e, LogtoError::Network { message } if message == TIMED_OUT)
}

fn network_error(e: reqwest::Error) -> LogtoError {
    let message = if e.is_timeout() {
        TIMED_OUT.to_string()
    } else if e.is_connect() {
        "could not connect to the server".to_string()
    } else {
        // `without_url` keeps endpoint URLs out; request bodies (codes, tokens) are never part of reqwest errors.
        format!("request failed: {}", e.without_url())
    };
    LogtoError::Network { message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oauth_error_body_maps_to_oidc_error() {
        let e = error_from_status(StatusCode::BAD_REQUEST, br#"{"error":"invalid_grant","error_description":"gone"}"#);
        assert_eq!(e.code(), "oidc.invalid_grant");
        let e = error_from_status(StatusCode::BAD_GATEWAY, b"<html>oops</html>");
        assert_eq!(e.code(), "http_error_502");
        let e = error_from_status(StatusCode::BAD_REQUEST, br#"{"error":"bad code with spaces"}"#);
        assert_eq!(e.code(), "http_error_400");
    }

    #[test]
    fn invalid_json_is_a_typed_error() {
        let e = parse_json::<serde_json::Value>(StatusCode::OK, b"{not json", "token").unwrap_err();
        assert_eq!(e.code(), "unexpected_response_error");
    }

    #[test]
    fn bad_extra_certificate_is_a_config_error() {
        let mut c = LogtoConfig::new("https://x.y", "app");
        c.extra_root_certificates_pem = vec!["not a pem".into()];
        assert_eq!(Http::new(&c).unwrap_err().code(), "invalid_config");
    }
}
