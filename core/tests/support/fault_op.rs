//! A small, scriptable OpenID Provider for negative tests (in the spirit of the OpenID Foundation's RP
//! certification suite): discovery, JWKS, token, userinfo and revocation endpoints whose answers each test sets.
//! The authorization step is skipped: tests read `state`/`nonce` from the sign-in URL and build the callback.
#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use logto_core::{LogtoClient, LogtoConfig, MemoryStorage, SignInOptions};
use serde_json::{Value, json};

use super::keys::TestKey;

pub const CLIENT_ID: &str = "rp-test-client";
pub const REDIRECT: &str = "com.example.app://callback";

/// A scripted answer: status, JSON body (or raw text), optional delay.
#[derive(Clone)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub delay: Duration,
    /// Drop the connection instead of answering (after `delay`): the request reached the server, the answer is lost.
    pub reset: bool,
}

impl Answer {
    pub fn json(status: u16, body: Value) -> Self {
        Self { status, body: body.to_string(), delay: Duration::ZERO, reset: false }
    }
    pub fn raw(status: u16, body: impl Into<String>) -> Self {
        Self { status, body: body.into(), delay: Duration::ZERO, reset: false }
    }
    pub fn reset() -> Self {
        Self { reset: true, ..Self::raw(500, "") }
    }
    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

#[derive(Default)]
pub struct OpState {
    pub discovery: Mutex<Value>,
    pub jwks: Mutex<Option<Answer>>,
    pub token: Mutex<VecDeque<Answer>>,
    pub userinfo: Mutex<Option<Answer>>,
    /// `METHOD path` of every request, in order.
    pub hits: Mutex<Vec<String>>,
    /// Form bodies of token requests.
    pub token_forms: Mutex<Vec<HashMap<String, String>>>,
    pub userinfo_auth: Mutex<Vec<Option<String>>>,
    /// The `token` of every revocation request, in order.
    pub revoked: Mutex<Vec<String>>,
    /// Answer of the revocation endpoint (default 200).
    pub revocation: Mutex<Option<Answer>>,
}

pub struct FaultOp {
    pub base: String,
    /// Where the OP really listens (`base` differs when a test puts something in front of it).
    pub addr: std::net::SocketAddr,
    pub issuer: String,
    pub state: Arc<OpState>,
}

async fn respond(answer: Option<Answer>) -> Response {
    let Some(a) = answer else { return StatusCode::NOT_FOUND.into_response() };
    if !a.delay.is_zero() {
        tokio::time::sleep(a.delay).await;
    }
    if a.reset {
        // The connection task dies with the handler: the client sees the connection close without an answer.
        std::panic::resume_unwind(Box::new("fault OP: connection reset on purpose"));
    }
    (StatusCode::from_u16(a.status).unwrap(), [("content-type", "application/json")], a.body).into_response()
}

impl FaultOp {
    pub async fn start() -> FaultOp {
        Self::start_behind(None).await
    }

    /// An OP that calls itself `public_base` (its issuer is `{public_base}/oidc`): for a proxy in front of it.
    pub async fn start_behind(public_base: Option<String>) -> FaultOp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let base = public_base.unwrap_or_else(|| format!("http://{addr}"));
        let issuer = format!("{base}/oidc");
        let state = Arc::new(OpState::default());
        *state.discovery.lock().unwrap() = json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{issuer}/auth"),
            "token_endpoint": format!("{issuer}/token"),
            "userinfo_endpoint": format!("{issuer}/me"),
            "end_session_endpoint": format!("{issuer}/session/end"),
            "revocation_endpoint": format!("{issuer}/token/revocation"),
            // A non-default path: the RP must use jwks_uri from discovery (rp-discovery-jwks_uri-keys).
            "jwks_uri": format!("{issuer}/keys-7f3a"),
            "code_challenge_methods_supported": ["S256"],
            "authorization_response_iss_parameter_supported": true,
        });
        let app = Router::new()
            .route(
                "/oidc/.well-known/openid-configuration",
                get(|State(s): State<Arc<OpState>>| async move {
                    s.hits.lock().unwrap().push("GET discovery".into());
                    let body = s.discovery.lock().unwrap().clone();
                    respond(Some(Answer::json(200, body))).await
                }),
            )
            .route(
                "/oidc/keys-7f3a",
                get(|State(s): State<Arc<OpState>>| async move {
                    s.hits.lock().unwrap().push("GET jwks".into());
                    let a = s.jwks.lock().unwrap().clone();
                    respond(a).await
                }),
            )
            .route(
                "/oidc/token",
                post(|State(s): State<Arc<OpState>>, Form(form): Form<HashMap<String, String>>| async move {
                    s.hits
                        .lock()
                        .unwrap()
                        .push(format!("POST token {}", form.get("grant_type").cloned().unwrap_or_default()));
                    s.token_forms.lock().unwrap().push(form);
                    let a = s.token.lock().unwrap().pop_front();
                    respond(a).await
                }),
            )
            .route(
                "/oidc/me",
                get(|State(s): State<Arc<OpState>>, headers: HeaderMap| async move {
                    s.hits.lock().unwrap().push("GET userinfo".into());
                    let auth = headers.get("authorization").map(|v| v.to_str().unwrap().to_string());
                    s.userinfo_auth.lock().unwrap().push(auth);
                    let a = s.userinfo.lock().unwrap().clone();
                    respond(a).await
                }),
            )
            .route(
                "/oidc/token/revocation",
                post(|State(s): State<Arc<OpState>>, Form(form): Form<HashMap<String, String>>| async move {
                    s.hits.lock().unwrap().push("POST revocation".into());
                    s.revoked.lock().unwrap().push(form.get("token").cloned().unwrap_or_default());
                    let a = s.revocation.lock().unwrap().clone().unwrap_or(Answer::raw(200, ""));
                    respond(Some(a)).await
                }),
            )
            .with_state(state.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FaultOp { base, addr, issuer, state }
    }

    pub fn publish(&self, keys: &[&TestKey]) {
        self.set_jwks(Answer::json(200, super::keys::jwks(keys)));
    }

    pub fn set_jwks(&self, answer: Answer) {
        *self.state.jwks.lock().unwrap() = Some(answer);
    }

    pub fn push_token(&self, answer: Answer) {
        self.state.token.lock().unwrap().push_back(answer);
    }

    pub fn set_userinfo(&self, answer: Answer) {
        *self.state.userinfo.lock().unwrap() = Some(answer);
    }

    pub fn revoked(&self) -> Vec<String> {
        self.state.revoked.lock().unwrap().clone()
    }

    pub fn hits(&self) -> Vec<String> {
        self.state.hits.lock().unwrap().clone()
    }

    pub fn count(&self, what: &str) -> usize {
        self.hits().iter().filter(|h| h.as_str() == what).count()
    }

    pub fn config(&self) -> LogtoConfig {
        let mut c = LogtoConfig::new(&self.base, CLIENT_ID);
        c.clock_tolerance = Duration::from_secs(60);
        c
    }

    pub fn client(&self) -> LogtoClient {
        LogtoClient::new(self.config(), Arc::new(MemoryStorage::new())).unwrap()
    }

    pub fn client_on(&self, storage: Arc<dyn logto_core::Storage>) -> LogtoClient {
        LogtoClient::new(self.config(), storage).unwrap()
    }

    /// Changes the discovery document (e.g. `id_token_signing_alg_values_supported`).
    pub fn set_discovery(&self, key: &str, value: Value) {
        self.state.discovery.lock().unwrap()[key] = value;
    }

    /// Every token request's form, in order.
    pub fn token_forms(&self) -> Vec<HashMap<String, String>> {
        self.state.token_forms.lock().unwrap().clone()
    }

    /// Standard ID token claims for `nonce`.
    pub fn id_claims(&self, nonce: &str) -> Value {
        let now = now();
        json!({"iss": self.issuer, "sub": "user-1", "aud": CLIENT_ID, "exp": now + 3600, "iat": now, "nonce": nonce})
    }

    pub fn token_body(id_token: Option<String>, refresh_token: Option<&str>) -> Value {
        let mut body = json!({"access_token": "at-opaque", "token_type": "Bearer", "expires_in": 3600, "scope": "openid offline_access profile"});
        if let Some(t) = id_token {
            body["id_token"] = json!(t);
        }
        if let Some(rt) = refresh_token {
            body["refresh_token"] = json!(rt);
        }
        body
    }
}

pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// A started sign-in: the client, its `state` and `nonce`, and a ready callback URL (with `iss`).
pub struct Started {
    pub state: String,
    pub nonce: String,
    pub callback: String,
}

pub async fn start_sign_in(op: &FaultOp, client: &LogtoClient) -> Started {
    let url = client.sign_in_url(SignInOptions::new(REDIRECT)).await.unwrap();
    let q: HashMap<String, String> = url::Url::parse(&url).unwrap().query_pairs().into_owned().collect();
    let (state, nonce) = (q["state"].clone(), q["nonce"].clone());
    let callback = format!(
        "{REDIRECT}?code=test-code&state={state}&iss={}",
        url::form_urlencoded::byte_serialize(op.issuer.as_bytes()).collect::<String>()
    );
    Started { state, nonce, callback }
}

/// An OP publishing `key`.
pub async fn op_with(key: &TestKey) -> FaultOp {
    let op = FaultOp::start().await;
    op.publish(&[key]);
    op
}

/// Signs in with an ID token produced by `make` from the started sign-in; returns the client and the outcome.
pub async fn sign_in_with(
    op: &FaultOp,
    make: impl FnOnce(&Started) -> String,
) -> (LogtoClient, Result<(), logto_core::LogtoError>) {
    let client = op.client();
    let started = start_sign_in(op, &client).await;
    let id_token = make(&started);
    op.push_token(Answer::json(200, FaultOp::token_body(Some(id_token), Some("rt-1"))));
    let result = client.handle_sign_in_callback(&started.callback).await;
    (client, result)
}

/// A client signed in with refresh token `rt-1` and an ID token signed by `key`.
pub async fn signed_in_client(op: &FaultOp, key: &TestKey) -> LogtoClient {
    let (client, result) = sign_in_with(op, |s| key.sign(&op.id_claims(&s.nonce))).await;
    result.unwrap();
    client
}

/// `claims` with `patch` applied (`null` removes a claim).
pub fn patched(mut claims: Value, patch: Value) -> Value {
    for (k, v) in patch.as_object().unwrap() {
        if v.is_null() {
            claims.as_object_mut().unwrap().remove(k);
        } else {
            claims[k] = v.clone();
        }
    }
    claims
}

/// Claims of a refresh-issued ID token (OIDC Core §12.2: no nonce requirement), patched.
pub fn refresh_claims(op: &FaultOp, patch: Value) -> Value {
    let mut claims = patched(op.id_claims(""), patch);
    claims.as_object_mut().unwrap().remove("nonce");
    claims
}

/// Completes a sign-in of `client` whose token response carries an ID token signed by `key` and `refresh_token`.
pub async fn sign_in(op: &FaultOp, client: &LogtoClient, key: &TestKey, refresh_token: &str) {
    let started = start_sign_in(op, client).await;
    let id_token = key.sign(&op.id_claims(&started.nonce));
    op.push_token(Answer::json(200, FaultOp::token_body(Some(id_token), Some(refresh_token))));
    client.handle_sign_in_callback(&started.callback).await.unwrap();
}
