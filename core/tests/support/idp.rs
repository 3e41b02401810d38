//! Starts the real development identity provider (tools/dev-idp, oidc-provider mounted at /oidc like Logto) on a
//! free loopback port, and drives its pages the way a browser would, without a person.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use logto_core::{LogtoClient, LogtoConfig, MemoryStorage, SignInOptions, Storage};
use serde_json::Value;

pub const APP_ID: &str = "dev-native-app";
pub const REDIRECT_URI: &str = "com.example.app://callback";
pub const POST_LOGOUT_URI: &str = "com.example.app://callback/sign-out";
pub const API_RESOURCE: &str = "https://api.example.com";

pub struct DevIdp {
    child: Child,
    pub endpoint: String,
}

impl Drop for DevIdp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// The test harness's own HTTP clients use reqwest's default builder, which needs a process-wide rustls provider
/// (the SDK itself brings its own configured one).
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl DevIdp {
    /// Starts the IdP with extra flags (e.g. `["--access-token-ttl", "2"]`) and waits for its ready line.
    pub fn start(flags: &[&str]) -> DevIdp {
        install_crypto_provider();
        let bin = repo_root().join("tools/dev-idp/bin/dev-idp");
        let mut child = Command::new(&bin)
            .args(["--port", "0", "--exit-on-stdin-close"])
            .args(flags)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let endpoint = loop {
            let line = lines.next().expect("dev IdP exited before it was ready").unwrap();
            if let Some(rest) = line.strip_prefix("DEV_IDP_READY endpoint=") {
                break rest.trim().to_string();
            }
        };
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        DevIdp { child, endpoint }
    }

    pub fn issuer(&self) -> String {
        format!("{}/oidc", self.endpoint)
    }

    pub fn config(&self) -> LogtoConfig {
        let mut c = LogtoConfig::new(&self.endpoint, APP_ID);
        c.scopes = vec![
            "email".into(),
            "urn:logto:scope:organizations".into(),
            "urn:logto:scope:organization_roles".into(),
            "read:data".into(),
            "read:org".into(),
            "write:org".into(),
        ];
        c.resources = vec![API_RESOURCE.into()];
        c
    }

    pub fn client(&self, storage: Arc<dyn Storage>) -> LogtoClient {
        LogtoClient::new(self.config(), storage).unwrap()
    }

    pub fn memory_client(&self) -> LogtoClient {
        self.client(Arc::new(MemoryStorage::new()))
    }

    /// Every request the IdP received since the last reset.
    pub async fn requests(&self) -> Vec<Value> {
        let v: Value = reqwest::get(format!("{}/__dev/requests", self.endpoint)).await.unwrap().json().await.unwrap();
        v.as_array().cloned().unwrap_or_default()
    }

    pub async fn reset_requests(&self) {
        reqwest::Client::new().post(format!("{}/__dev/reset", self.endpoint)).send().await.unwrap();
    }

    pub async fn token_requests(&self, grant_type: &str) -> usize {
        self.requests().await.iter().filter(|r| r["path"] == "/oidc/token" && r["grant_type"] == grant_type).count()
    }

    /// `POST /__dev/<path>` with a JSON body; returns the JSON answer.
    pub async fn dev_post(&self, path: &str, body: Value) -> Value {
        let response =
            reqwest::Client::new().post(format!("{}/__dev/{path}", self.endpoint)).json(&body).send().await.unwrap();
        assert!(response.status().is_success(), "/__dev/{path}: {}", response.status());
        response.json().await.unwrap_or(Value::Null)
    }

    /// Sets fault knobs (`{"token": {"delay_after_ms": 500, "grant_type": "refresh_token"}}`, …).
    pub async fn faults(&self, knobs: Value) {
        self.dev_post("faults", knobs).await;
    }

    /// Rotates the signing key like Logto's console (`"RSA"` or `"EC"`).
    pub async fn rotate_keys(&self, alg: &str) -> Value {
        self.dev_post("rotate-keys", serde_json::json!({ "alg": alg })).await
    }

    /// Refresh-token grants in the log: (presented token fingerprint, reused?, status).
    pub async fn refreshes(&self) -> Vec<(String, bool, Option<u64>)> {
        self.requests()
            .await
            .iter()
            .filter(|r| r["path"] == "/oidc/token" && r["grant_type"] == "refresh_token")
            .map(|r| {
                (
                    r["refresh_token_fp"].as_str().unwrap_or_default().to_string(),
                    r["reused"] == true,
                    r["status"].as_u64(),
                )
            })
            .collect()
    }

    /// Waits until the IdP has received (and, if `processed`, answered) `count` matching requests.
    pub async fn wait_for(&self, path: &str, grant_type: Option<&str>, count: usize, processed: bool) {
        let mut url =
            format!("{}/__dev/wait?path={path}&count={count}&timeout_ms=10000&processed={processed}", self.endpoint);
        if let Some(grant_type) = grant_type {
            url.push_str(&format!("&grant_type={grant_type}"));
        }
        let status = reqwest::get(url).await.unwrap().status();
        assert!(status.is_success(), "waiting for {count} × {path}: {status}");
    }

    /// A direct refresh-token request, as an attacker holding the token would make it.
    pub async fn raw_refresh(&self, refresh_token: &str) -> (u16, Value) {
        let response = reqwest::Client::new()
            .post(format!("{}/oidc/token", self.endpoint))
            .form(&[("grant_type", "refresh_token"), ("client_id", APP_ID), ("refresh_token", refresh_token)])
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
    }
}

/// A cookie-keeping user agent that follows redirects by hand and stops at a URL starting with `stop_at`.
pub struct Browser {
    http: reqwest::Client,
}

impl Browser {
    pub fn new() -> Self {
        install_crypto_provider();
        let http =
            reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Self { http }
    }

    /// Follows redirects from `url` until the Location starts with `stop_at`; returns that Location.
    pub async fn follow(&self, url: &str, stop_at: &str) -> String {
        let mut current = url::Url::parse(url).unwrap();
        for _ in 0..25 {
            if current.as_str().starts_with(stop_at) {
                return current.to_string();
            }
            let response = self.http.get(current.clone()).send().await.unwrap();
            let status = response.status();
            if status.is_redirection() {
                let location = response.headers()["location"].to_str().unwrap().to_string();
                if location.starts_with(stop_at) {
                    return location;
                }
                current = current.join(&location).unwrap();
                continue;
            }
            let body = response.text().await.unwrap_or_default();
            // oidc-provider's logout confirmation: an auto-submitting form with an xsrf token.
            if let Some(next) = self.submit_logout_form(&current, &body, stop_at).await {
                return next;
            }
            panic!("stopped at {current} with HTTP {status}: {}", &body[..body.len().min(400)]);
        }
        panic!("too many redirects");
    }

    async fn submit_logout_form(&self, page: &url::Url, body: &str, stop_at: &str) -> Option<String> {
        let action = attr_after(body, "<form", "action")?;
        let xsrf = body.split("name=\"xsrf\"").nth(1).and_then(|rest| attr_after(rest, "", "value"))?;
        let target = page.join(&action.replace("&amp;", "&")).ok()?;
        let response =
            self.http.post(target.clone()).form(&[("xsrf", xsrf.as_str()), ("logout", "yes")]).send().await.ok()?;
        let location = response.headers().get("location")?.to_str().ok()?.to_string();
        if location.starts_with(stop_at) {
            return Some(location);
        }
        Some(Box::pin(self.follow(target.join(&location).ok()?.as_str(), stop_at)).await)
    }

    /// Signs `username` in through the dev IdP's headless login (`dev_login`), returning the callback URL.
    pub async fn sign_in(&self, client: &LogtoClient, username: &str) -> String {
        let mut options = SignInOptions::new(REDIRECT_URI);
        options.extra_params = vec![("dev_login".into(), username.into())];
        let url = client.sign_in_url(options).await.unwrap();
        self.follow(&url, REDIRECT_URI).await
    }
}

fn attr_after(html: &str, after: &str, attr: &str) -> Option<String> {
    let start = html.find(after)? + after.len();
    let rest = &html[start..];
    let key = format!("{attr}=\"");
    let i = rest.find(&key)? + key.len();
    let j = rest[i..].find('"')?;
    Some(rest[i..i + j].to_string())
}

/// Sign in `username` with a fresh browser and complete the callback.
pub async fn signed_in(client: &LogtoClient, username: &str) {
    let callback = Browser::new().sign_in(client, username).await;
    client.handle_sign_in_callback(&callback).await.unwrap();
}
