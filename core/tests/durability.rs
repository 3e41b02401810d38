//! Durable sessions: a signed-in user stays signed in through key rotation, callers that stop waiting, transient
//! failures, races and several clients — and sign-out wins every race. Against the fault-injecting OP, so each
//! condition is exact; `e2e.rs` repeats the important ones against the dev IdP.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use logto_core::{
    AuthStateEvent, AuthStateListener, GetAccessTokenOptions, LogtoClient, LogtoError, MemoryStorage, SignInOptions,
    SignOutOptions, Storage, StorageError,
};
use serde_json::{Value, json};
use support::events::Events;
use support::fault_op::{
    Answer, FaultOp, REDIRECT, now, op_with, patched, refresh_claims, sign_in, signed_in_client, start_sign_in,
};
use support::keys::TestKey;

const STORAGE_KEY: &str = "logto:rp-test-client";

/// A new RSA signing key as Logto publishes it after a rotation: no `alg` member (RS256 and PS256 both fit it).
fn logto_rsa_key(kid: &str) -> TestKey {
    let mut key = TestKey::rs256(kid);
    key.jwk.as_object_mut().unwrap().remove("alg");
    key
}

fn rotate_to_rsa(op: &FaultOp, old: &TestKey, new: &TestKey) {
    op.publish(&[new, old]);
    op.set_discovery("id_token_signing_alg_values_supported", json!(["PS256", "RS256", "ES384"]));
}

async fn op_advertising_es384(key: &TestKey) -> FaultOp {
    let op = op_with(key).await;
    op.set_discovery("id_token_signing_alg_values_supported", json!(["ES384"]));
    op
}

fn refreshed(op: &FaultOp, key: &TestKey, refresh_token: &str) -> Answer {
    Answer::json(200, FaultOp::token_body(Some(key.sign(&refresh_claims(op, json!({})))), Some(refresh_token)))
}

fn stored(storage: &MemoryStorage) -> Value {
    serde_json::from_str(&storage.get(STORAGE_KEY).unwrap().unwrap()).unwrap()
}

/// The storage as the next app start finds it: what was persisted, in a storage of its own (so nothing of this
/// process's engine, still alive in background tasks, is shared).
fn after_restart(storage: &MemoryStorage) -> Arc<MemoryStorage> {
    let next = Arc::new(MemoryStorage::new());
    next.set(STORAGE_KEY, &storage.get(STORAGE_KEY).unwrap().unwrap()).unwrap();
    next
}

async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

// ── Signing-key rotation

/// Logto rotated EC → RSA: discovery now lists `["PS256","RS256","ES384"]`, the JWKS has the new RSA key first,
/// without `alg`. A session whose cached discovery says `["ES384"]` keeps refreshing, and sign-in keeps working on
/// the same storage after a restart, with no further discovery request.
#[tokio::test]
async fn key_rotation_to_rsa_keeps_sessions_and_sign_in_working() {
    let ec = TestKey::es384("ec-1");
    let rsa = logto_rsa_key("rsa-1");
    let op = op_advertising_es384(&ec).await;
    let storage = Arc::new(MemoryStorage::new());
    let client = op.client_on(storage.clone());
    sign_in(&op, &client, &ec, "rt-1").await;

    rotate_to_rsa(&op, &ec, &rsa);
    op.push_token(refreshed(&op, &rsa, "rt-2"));
    client.get_access_token(Some("https://api"), None).await.expect("refresh after the rotation");
    assert_eq!(client.get_refresh_token().await.unwrap().as_deref(), Some("rt-2"));
    assert_eq!(op.count("GET discovery"), 2, "one refetch of discovery…");
    assert_eq!(op.count("GET jwks"), 2, "…and of the JWKS, together");

    // The next app start on the same storage: the refreshed cache knows RS256 and the new key.
    drop(client);
    let restarted = op.client_on(after_restart(&storage));
    let s = start_sign_in(&op, &restarted).await;
    op.push_token(Answer::json(200, FaultOp::token_body(Some(rsa.sign(&op.id_claims(&s.nonce))), Some("rt-3"))));
    restarted.handle_sign_in_callback(&s.callback).await.expect("sign-in with an RS256 ID token");
    assert_eq!(op.count("GET discovery"), 2, "no discovery request after the restart");
}

/// A fresh sign-in right after the rotation, with the old key list cached, refetches once and succeeds.
#[tokio::test]
async fn sign_in_right_after_a_key_rotation_succeeds() {
    let ec = TestKey::es384("ec-1");
    let rsa = logto_rsa_key("rsa-1");
    let op = op_advertising_es384(&ec).await;
    let client = signed_in_client(&op, &ec).await;
    rotate_to_rsa(&op, &ec, &rsa);
    let s = start_sign_in(&op, &client).await;
    let claims = patched(op.id_claims(&s.nonce), json!({"sub": "user-1"}));
    op.push_token(Answer::json(200, FaultOp::token_body(Some(rsa.sign(&claims)), Some("rt-2"))));
    client.handle_sign_in_callback(&s.callback).await.unwrap();
    assert!(client.is_authenticated().await.unwrap());
}

// ── Callers that stop waiting

/// The caller gives up (a coroutine cancelled, a `withTimeout`) while the refresh is in flight. The refresh is the
/// client's task, not the caller's: the rotated refresh token is stored anyway, and the next refresh uses it.
#[tokio::test]
async fn a_caller_that_stops_waiting_never_loses_the_rotated_refresh_token() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    let storage = Arc::new(MemoryStorage::new());
    let client = op.client_on(storage.clone());
    sign_in(&op, &client, &key, "rt-1").await;

    op.push_token(refreshed(&op, &key, "rt-2").delayed(Duration::from_millis(400)));
    let gave_up = tokio::time::timeout(Duration::from_millis(100), client.get_access_token(Some("https://api"), None));
    assert!(gave_up.await.is_err(), "the caller stopped waiting mid-refresh");
    eventually("the rotated refresh token is stored", || stored(&storage)["session"]["refresh_token"] == "rt-2").await;
    // The next caller gets that refresh's token (joining it if it is still verifying the ID token).
    client.get_access_token(Some("https://api"), None).await.unwrap();
    assert_eq!(op.count("POST token refresh_token"), 1);

    op.push_token(refreshed(&op, &key, "rt-3"));
    let force = GetAccessTokenOptions { force_refresh: true };
    client.get_access_token_with_options(Some("https://api"), None, force).await.unwrap();
    let forms = op.token_forms();
    let presented: Vec<&str> = forms[1..].iter().map(|f| f["refresh_token"].as_str()).collect();
    assert_eq!(presented, ["rt-1", "rt-2"], "no refresh token was ever presented twice");
}

/// The caller gives up while the code is being exchanged: the session is still stored.
#[tokio::test]
async fn a_caller_that_stops_waiting_still_gets_the_session_it_redeemed() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    let client = op.client();
    let s = start_sign_in(&op, &client).await;
    let answer = Answer::json(200, FaultOp::token_body(Some(key.sign(&op.id_claims(&s.nonce))), Some("rt-1")));
    op.push_token(answer.delayed(Duration::from_millis(300)));
    let gave_up = tokio::time::timeout(Duration::from_millis(50), client.handle_sign_in_callback(&s.callback));
    assert!(gave_up.await.is_err());
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(client.is_authenticated().await.unwrap());
    assert_eq!(client.get_refresh_token().await.unwrap().as_deref(), Some("rt-1"));
}

// ── Failures after the token response

/// The refreshed ID token has a `kid` nobody knew and the JWKS answers 503 right then: the refresh fails, but the
/// rotated refresh token is kept, and after a restart (when the JWKS is back) the session refreshes.
#[tokio::test]
async fn jwks_outage_after_a_rotation_keeps_the_rotated_refresh_token() {
    let old = TestKey::es384("k1");
    let new = TestKey::es384_other("k2");
    let op = op_with(&old).await;
    let storage = Arc::new(MemoryStorage::new());
    let client = op.client_on(storage.clone());
    sign_in(&op, &client, &old, "rt-1").await;

    op.set_jwks(Answer::raw(503, "unavailable"));
    op.push_token(refreshed(&op, &new, "rt-2"));
    let err = client.get_access_token(Some("https://api"), None).await.unwrap_err();
    assert_eq!(err.code(), "http_error_503", "{err}");
    assert!(client.is_authenticated().await.unwrap());
    assert_eq!(stored(&storage)["session"]["refresh_token"], "rt-2");

    drop(client);
    op.publish(&[&new, &old]);
    let restarted = op.client_on(after_restart(&storage));
    op.push_token(refreshed(&op, &new, "rt-3"));
    restarted.get_access_token(Some("https://api"), None).await.unwrap();
    assert_eq!(op.token_forms().last().unwrap()["refresh_token"], "rt-2");
}

/// An unknown `kid` refetches the keys once; a second one within the cooldown is not refetched (rate limit) — and
/// neither failure loses the rotated refresh token.
#[tokio::test]
async fn rate_limited_key_refetch_keeps_the_rotated_refresh_token() {
    let key = TestKey::es384("k1");
    let stranger = TestKey::es384_other("k-unpublished");
    let op = op_with(&key).await;
    let client = signed_in_client(&op, &key).await;
    op.push_token(refreshed(&op, &stranger, "rt-2"));
    let err = client.get_access_token(Some("https://api"), None).await.unwrap_err();
    assert_eq!(err.code(), "id_token.invalid_token");
    assert_eq!(op.count("GET jwks"), 2, "one refetch");
    op.push_token(refreshed(&op, &stranger, "rt-3"));
    let err = client.get_access_token(Some("https://api"), None).await.unwrap_err();
    assert!(err.to_string().contains("rate-limited"), "{err}");
    assert_eq!(op.count("GET jwks"), 2, "no second refetch within the cooldown");
    assert!(client.is_authenticated().await.unwrap());
    assert_eq!(client.get_refresh_token().await.unwrap().as_deref(), Some("rt-3"));
    let presented: Vec<String> = op.token_forms()[1..].iter().map(|f| f["refresh_token"].clone()).collect();
    assert_eq!(presented, ["rt-1", "rt-2"]);
}

/// The device clock is an hour off: the refreshed ID token's `iat` is out of tolerance. That is the device's
/// problem, not the session's: the error is reported and the rotated refresh token kept.
#[tokio::test]
async fn clock_drift_keeps_the_rotated_refresh_token() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    let client = signed_in_client(&op, &key).await;
    let skewed = refresh_claims(&op, json!({"iat": now() + 3600, "exp": now() + 7200}));
    op.push_token(Answer::json(200, FaultOp::token_body(Some(key.sign(&skewed)), Some("rt-2"))));
    let err = client.get_access_token(Some("https://api"), None).await.unwrap_err();
    assert_eq!(err.code(), "id_token.invalid_iat");
    assert!(client.is_authenticated().await.unwrap());
    assert_eq!(client.get_refresh_token().await.unwrap().as_deref(), Some("rt-2"));
    assert!(op.revoked().is_empty());
}

/// OIDC Core §12.2: a refreshed ID token describing another authentication (`auth_time` changed) is a security
/// failure: the session ends on purpose and the rotated refresh token is revoked.
#[tokio::test]
async fn refreshed_id_token_from_another_authentication_ends_the_session() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    let client = op.client();
    let events = Arc::new(Events::default());
    client.set_auth_state_listener(Some(events.clone()));
    let s = start_sign_in(&op, &client).await;
    let claims = patched(op.id_claims(&s.nonce), json!({"auth_time": now() - 100}));
    op.push_token(Answer::json(200, FaultOp::token_body(Some(key.sign(&claims)), Some("rt-1"))));
    client.handle_sign_in_callback(&s.callback).await.unwrap();
    op.push_token(Answer::json(
        200,
        FaultOp::token_body(Some(key.sign(&refresh_claims(&op, json!({"auth_time": now()})))), Some("rt-2")),
    ));
    let err = client.get_access_token(Some("https://api"), None).await.unwrap_err();
    assert!(err.to_string().contains("auth_time"), "{err}");
    assert!(!client.is_authenticated().await.unwrap());
    assert_eq!(client.revoke_pending_tokens().await.unwrap(), 0);
    assert_eq!(op.revoked(), ["rt-2"]);
    assert_eq!(events.take(), [AuthStateEvent::SignedIn, AuthStateEvent::SessionExpired]);
}

/// The refresh response was lost on the way back (connection reset after the server rotated the token): the client
/// retries at once, within Logto's reuse leeway, instead of losing the session.
#[tokio::test]
async fn a_refresh_whose_answer_was_lost_is_retried_once() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    let client = signed_in_client(&op, &key).await;
    op.push_token(Answer::reset());
    op.push_token(refreshed(&op, &key, "rt-2"));
    client.get_access_token(Some("https://api"), None).await.unwrap();
    assert_eq!(client.get_refresh_token().await.unwrap().as_deref(), Some("rt-2"));
    assert_eq!(op.count("POST token refresh_token"), 2);
    // A timeout is not retried: Logto's leeway (3 s) would be long gone, and the caller has waited long enough.
    let mut config = op.config();
    config.request_timeout = Duration::from_millis(300);
    let impatient = LogtoClient::new(config, Arc::new(MemoryStorage::new())).unwrap();
    sign_in(&op, &impatient, &key, "rt-9").await;
    op.push_token(refreshed(&op, &key, "rt-10").delayed(Duration::from_secs(1)));
    let before = op.count("POST token refresh_token");
    let err = impatient.get_access_token(Some("https://api"), None).await.unwrap_err();
    assert!(err.to_string().contains("timed out"), "{err}");
    assert_eq!(op.count("POST token refresh_token"), before + 1);
}

// ── Fencing: sign-out and new sign-ins win

/// Sign-out while the code is being exchanged: the sign-out wins, and the grant the exchange created is revoked.
#[tokio::test]
async fn sign_out_during_the_code_exchange_wins() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    let client = op.client();
    let s = start_sign_in(&op, &client).await;
    let answer = Answer::json(200, FaultOp::token_body(Some(key.sign(&op.id_claims(&s.nonce))), Some("rt-x")));
    op.push_token(answer.delayed(Duration::from_millis(400)));
    let exchanging = {
        let (client, callback) = (client.clone(), s.callback.clone());
        tokio::spawn(async move { client.handle_sign_in_callback(&callback).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    client.sign_out(None).await.unwrap();
    assert_eq!(exchanging.await.unwrap().unwrap_err(), LogtoError::SignInSessionNotFound);
    assert!(!client.is_authenticated().await.unwrap());
    assert_eq!(client.revoke_pending_tokens().await.unwrap(), 0);
    assert_eq!(op.revoked(), ["rt-x"]);
}

/// A second sign-in started during the first one's code exchange keeps its pending sign-in and completes.
#[tokio::test]
async fn a_newer_sign_in_during_the_code_exchange_wins() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    let client = op.client();
    let first = start_sign_in(&op, &client).await;
    let answer = Answer::json(200, FaultOp::token_body(Some(key.sign(&op.id_claims(&first.nonce))), Some("rt-a")));
    op.push_token(answer.delayed(Duration::from_millis(400)));
    let exchanging = {
        let (client, callback) = (client.clone(), first.callback.clone());
        tokio::spawn(async move { client.handle_sign_in_callback(&callback).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let second = start_sign_in(&op, &client).await;
    assert_eq!(exchanging.await.unwrap().unwrap_err(), LogtoError::SignInSessionNotFound);
    let claims = patched(op.id_claims(&second.nonce), json!({"sub": "user-2"}));
    op.push_token(Answer::json(200, FaultOp::token_body(Some(key.sign(&claims)), Some("rt-b"))));
    client.handle_sign_in_callback(&second.callback).await.expect("the newer sign-in completes");
    assert_eq!(client.get_id_token_claims().await.unwrap().sub, "user-2");
    assert_eq!(client.revoke_pending_tokens().await.unwrap(), 0);
    assert_eq!(op.revoked(), ["rt-a"], "the superseded grant is revoked");
}

// ── Several clients, several processes

/// Two clients on the same storage (an Activity and a background job) share one engine: one refresh request for
/// both, never a replayed refresh token.
#[tokio::test]
async fn two_clients_on_one_storage_share_one_refresh() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    let storage: Arc<dyn Storage> = Arc::new(MemoryStorage::new());
    let first = op.client_on(storage.clone());
    sign_in(&op, &first, &key, "rt-1").await;
    let second = op.client_on(storage.clone());
    assert!(second.is_authenticated().await.unwrap());

    op.push_token(refreshed(&op, &key, "rt-2").delayed(Duration::from_millis(200)));
    let (a, b) = tokio::join!(
        first.get_access_token(Some("https://api"), None),
        second.get_access_token(Some("https://api"), None)
    );
    assert_eq!(a.unwrap(), b.unwrap());
    assert_eq!(op.count("POST token refresh_token"), 1);
    // One signs out: the other sees it at once.
    second.sign_out(None).await.unwrap();
    assert!(!first.is_authenticated().await.unwrap());
}

/// A storage shared by two processes: the same values, but another identity (a second process cannot share the
/// engine), and a lock that excludes the other process, as `Storage::lock` requires.
struct ProcessView {
    name: &'static str,
    data: Arc<MemoryStorage>,
    lock: Arc<(Mutex<bool>, Condvar)>,
}

impl Storage for ProcessView {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        self.data.get(key)
    }
    fn set(&self, key: &str, value: &str) -> Result<(), StorageError> {
        self.data.set(key, value)
    }
    fn remove(&self, key: &str) -> Result<(), StorageError> {
        self.data.remove(key)
    }
    fn shared_id(&self) -> Option<String> {
        Some(format!("process {}", self.name))
    }
    fn lock(&self, _: &str) -> Result<(), StorageError> {
        let (held, released) = &*self.lock;
        let mut held = released.wait_while(held.lock().unwrap(), |h| *h).unwrap();
        *held = true;
        Ok(())
    }
    fn unlock(&self, _: &str) {
        let (held, released) = &*self.lock;
        *held.lock().unwrap() = false;
        released.notify_all();
    }
}

/// An app and its extension refresh the same session: inside the cross-process lock each re-reads the stored
/// session, so the second adopts the first's rotated refresh token (or its fresh access token) instead of
/// replaying a consumed one.
#[tokio::test]
async fn a_refresh_token_rotated_by_another_process_is_adopted() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    let data = Arc::new(MemoryStorage::new());
    let lock = Arc::new((Mutex::new(false), Condvar::new()));
    let view = |name| Arc::new(ProcessView { name, data: data.clone(), lock: lock.clone() });
    let app = op.client_on(view("app"));
    sign_in(&op, &app, &key, "rt-1").await;
    let extension = op.client_on(view("extension"));
    let events = Arc::new(Events::default());
    extension.set_auth_state_listener(Some(events.clone()));
    assert!(extension.is_authenticated().await.unwrap(), "loaded rt-1 from the shared storage");

    // Both refresh the same token at once: one request; the other adopts its result.
    op.push_token(refreshed(&op, &key, "rt-2").delayed(Duration::from_millis(200)));
    let (a, b) = tokio::join!(
        app.get_access_token(Some("https://api"), None),
        extension.get_access_token(Some("https://api"), None)
    );
    assert_eq!(a.unwrap(), b.unwrap());
    assert_eq!(op.count("POST token refresh_token"), 1);

    // The app refreshes another token (rt-2 → rt-3); the extension, which last saw rt-2, then presents rt-3.
    op.push_token(refreshed(&op, &key, "rt-3"));
    app.get_access_token(Some("https://other"), None).await.unwrap();
    op.push_token(refreshed(&op, &key, "rt-4"));
    extension.get_access_token(Some("https://third"), None).await.unwrap();
    let presented: Vec<String> = op.token_forms()[1..].iter().map(|f| f["refresh_token"].clone()).collect();
    assert_eq!(presented, ["rt-1", "rt-2", "rt-3"], "no refresh token presented twice");
    assert!(events.take().contains(&AuthStateEvent::TokensRefreshed), "the extension heard about the app's refresh");

    // The app signs out; the extension's next refresh finds no session instead of using a revoked token.
    app.sign_out(None).await.unwrap();
    let err = extension.get_access_token(Some("https://fourth"), None).await.unwrap_err();
    assert_eq!(err, LogtoError::NotAuthenticated);
    assert_eq!(op.count("POST token refresh_token"), 3);
}

// ── Access-token lifetimes

/// `expires_in` of 0, negative or absent: the token is handed out once, never served from the cache for an hour.
#[tokio::test]
async fn tokens_without_a_positive_lifetime_are_not_cached() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    let client = signed_in_client(&op, &key).await;
    for expires_in in [json!(0), json!(-60), Value::Null] {
        let mut body = FaultOp::token_body(None, None);
        body["expires_in"] = expires_in.clone();
        op.push_token(Answer::json(200, body.clone()));
        op.push_token(Answer::json(200, body));
        let before = op.count("POST token refresh_token");
        client.get_access_token(Some("https://api"), None).await.unwrap();
        client.get_access_token(Some("https://api"), None).await.unwrap();
        assert_eq!(op.count("POST token refresh_token"), before + 2, "expires_in {expires_in}: not cached");
    }
}

// ── Sign-out never waits on the network

/// The revocation endpoint never answers: sign-out still returns the end-session URL at once, and the token is
/// revoked later (here: after a restart, when the endpoint works again).
#[tokio::test]
async fn sign_out_returns_at_once_while_revocation_hangs() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    *op.state.revocation.lock().unwrap() = Some(Answer::raw(200, "").delayed(Duration::from_secs(120)));
    let storage = Arc::new(MemoryStorage::new());
    let client = op.client_on(storage.clone());
    sign_in(&op, &client, &key, "rt-1").await;

    let started = Instant::now();
    let url = tokio::time::timeout(Duration::from_secs(5), client.sign_out(None)).await.expect("sign-out returned");
    println!("sign-out with a hanging revocation endpoint took {:?}", started.elapsed());
    assert!(url.unwrap().contains("/session/end?client_id="));
    assert!(!client.is_authenticated().await.unwrap());
    eventually("the revocation request was sent", || op.count("POST revocation") == 1).await;
    assert_eq!(stored(&storage)["pending_revocations"].as_array().unwrap().len(), 1, "still queued");

    drop(client);
    *op.state.revocation.lock().unwrap() = None;
    let storage = after_restart(&storage);
    let restarted = op.client_on(storage.clone());
    assert_eq!(restarted.revoke_pending_tokens().await.unwrap(), 0);
    assert_eq!(op.revoked(), ["rt-1", "rt-1"]);
    assert!(stored(&storage)["pending_revocations"].as_array().unwrap().is_empty());
}

/// Offline, with a discovery cache past its max age: sign-out still signs out and returns the URL (the revocation
/// is queued), instead of failing after the local sign-out already happened.
#[tokio::test]
async fn sign_out_offline_with_a_stale_cache_returns_the_url() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    let mut config = op.config();
    config.discovery_cache_ttl = Duration::from_secs(1);
    let client = LogtoClient::new(config, Arc::new(MemoryStorage::new())).unwrap();
    sign_in(&op, &client, &key, "rt-1").await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    *op.state.discovery.lock().unwrap() = json!("offline");
    *op.state.revocation.lock().unwrap() = Some(Answer::raw(503, "offline"));

    let url = client.sign_out(Some("com.example.app://callback/sign-out")).await.unwrap();
    assert!(url.starts_with(&format!("{}/session/end?", op.issuer)), "{url}");
    assert!(!client.is_authenticated().await.unwrap());
    assert_eq!(client.revoke_pending_tokens().await.unwrap(), 1, "kept for a later attempt");
}

#[tokio::test]
async fn end_session_url_can_carry_id_token_hint_and_state() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    let client = signed_in_client(&op, &key).await;
    let id_token = client.get_id_token().await.unwrap().unwrap();
    let options = SignOutOptions {
        post_logout_redirect_uri: Some("com.example.app://callback/sign-out".into()),
        id_token_hint: true,
        state: Some("s-42".into()),
    };
    let url = url::Url::parse(&client.sign_out_with_options(options).await.unwrap()).unwrap();
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(q["id_token_hint"], id_token);
    assert_eq!(q["state"], "s-42");
    assert_eq!(q["client_id"], "rp-test-client");
}

// ── Smaller rules

/// The discovery document and JWKS have a max age: past it they are still used, and refreshed in the background.
#[tokio::test]
async fn a_stale_provider_cache_is_refreshed_in_the_background() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    let mut config = op.config();
    config.discovery_cache_ttl = Duration::from_secs(1);
    let client = LogtoClient::new(config, Arc::new(MemoryStorage::new())).unwrap();
    client.prefetch().await.unwrap();
    assert_eq!((op.count("GET discovery"), op.count("GET jwks")), (1, 1));
    client.get_oidc_config().await.unwrap();
    assert_eq!(op.count("GET discovery"), 1, "fresh: served from the cache");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    client.get_oidc_config().await.unwrap();
    eventually("a background refresh of both", || op.count("GET discovery") == 2 && op.count("GET jwks") == 2).await;
}

/// A pending sign-in older than an hour (Logto's sign-in interaction is gone by then) cannot complete.
#[tokio::test]
async fn an_old_pending_sign_in_cannot_complete() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    let storage = Arc::new(MemoryStorage::new());
    let client = op.client_on(storage.clone());
    let s = start_sign_in(&op, &client).await;
    // The next app start, an hour later (a copy of the stored document, in a storage of its own).
    let mut doc = stored(&storage);
    doc["pending_sign_in"]["created_at"] = json!(now() - 3601);
    let later = Arc::new(MemoryStorage::new());
    later.set(STORAGE_KEY, &doc.to_string()).unwrap();
    let client = op.client_on(later);
    assert_eq!(client.handle_sign_in_callback(&s.callback).await.unwrap_err(), LogtoError::SignInSessionNotFound);
    assert_eq!(op.count("POST token authorization_code"), 0);
}

/// `max_age` in the extra parameters makes `auth_time` required (OIDC Core §3.1.2.1).
#[tokio::test]
async fn max_age_requires_auth_time() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    let client = op.client();
    let mut options = SignInOptions::new(REDIRECT);
    options.extra_params = vec![("max_age".into(), "300".into())];
    let url = client.sign_in_url(options).await.unwrap();
    let q: std::collections::HashMap<String, String> =
        url::Url::parse(&url).unwrap().query_pairs().into_owned().collect();
    let callback = format!("{REDIRECT}?code=c&state={}&iss={}", q["state"], urlencode(&op.issuer));
    op.push_token(Answer::json(200, FaultOp::token_body(Some(key.sign(&op.id_claims(&q["nonce"]))), Some("rt-1"))));
    let err = client.handle_sign_in_callback(&callback).await.unwrap_err();
    assert!(err.to_string().contains("auth_time is missing"), "{err}");
    assert!(!client.is_authenticated().await.unwrap());
    assert_eq!(client.revoke_pending_tokens().await.unwrap(), 0);
    assert_eq!(op.revoked(), ["rt-1"], "the refused sign-in's grant is revoked");
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A resource with a fragment would collide with an organization token's cache key; it is refused.
#[tokio::test]
async fn resources_must_be_absolute_uris_without_fragment() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    let client = signed_in_client(&op, &key).await;
    for bad in ["https://api#o1", "api", ""] {
        assert_eq!(client.get_access_token(Some(bad), None).await.unwrap_err().code(), "invalid_config", "{bad}");
    }
    assert_eq!(client.get_access_token(None, Some("")).await.unwrap_err().code(), "invalid_config");
}

/// A document written by a newer SDK that this one cannot read is never overwritten: sign-in fails with a clear
/// storage error and the document stays as it was.
#[tokio::test]
async fn a_newer_document_is_never_overwritten() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    let storage = Arc::new(MemoryStorage::new());
    let newer = json!({"version": 9, "min_reader_version": 9, "issuer": op.issuer, "vault": "opaque"}).to_string();
    storage.set(STORAGE_KEY, &newer).unwrap();
    let client = op.client_on(storage.clone());
    assert!(!client.is_authenticated().await.unwrap());
    let err = client.sign_in_url(SignInOptions::new(REDIRECT)).await.unwrap_err();
    assert_eq!(err.code(), "storage");
    assert!(err.to_string().contains("newer version"), "{err}");
    assert_eq!(storage.get(STORAGE_KEY).unwrap().unwrap(), newer);
}

/// Listeners are called with no lock of the SDK held: one may call back into the client (here: a write) without
/// deadlocking.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listener_may_call_back_into_the_client() {
    struct Reentrant {
        client: Mutex<Option<LogtoClient>>,
        runtime: tokio::runtime::Handle,
        calls: AtomicUsize,
    }
    impl AuthStateListener for Reentrant {
        fn on_auth_state_changed(&self, _: AuthStateEvent) {
            let client = self.client.lock().unwrap().clone().unwrap();
            self.runtime.block_on(client.clear_access_token()).unwrap();
            self.calls.fetch_add(1, Ordering::SeqCst);
        }
    }
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    let client = op.client();
    let listener = Arc::new(Reentrant {
        client: Mutex::new(Some(client.clone())),
        runtime: tokio::runtime::Handle::current(),
        calls: AtomicUsize::new(0),
    });
    client.set_auth_state_listener(Some(listener.clone()));
    let s = start_sign_in(&op, &client).await;
    op.push_token(Answer::json(200, FaultOp::token_body(Some(key.sign(&op.id_claims(&s.nonce))), Some("rt-1"))));
    tokio::time::timeout(Duration::from_secs(5), client.handle_sign_in_callback(&s.callback))
        .await
        .expect("no deadlock")
        .unwrap();
    assert_eq!(listener.calls.load(Ordering::SeqCst), 1);
    listener.client.lock().unwrap().take();
}

/// A storage that says it never blocks (`may_block() == false`, as `MemoryStorage` does) is called in place, on the
/// executor's thread, saving a thread hand-off per change; one that may block is never called there. Either way,
/// listeners run off the executor (they may block, or wait for the client).
#[tokio::test(flavor = "current_thread")]
async fn only_a_storage_that_never_blocks_is_called_on_the_executor() {
    struct Recording {
        may_block: bool,
        values: MemoryStorage,
        set_on: Mutex<Vec<std::thread::ThreadId>>,
    }
    impl Storage for Recording {
        fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
            self.values.get(key)
        }
        fn set(&self, key: &str, value: &str) -> Result<(), StorageError> {
            self.set_on.lock().unwrap().push(std::thread::current().id());
            self.values.set(key, value)
        }
        fn remove(&self, key: &str) -> Result<(), StorageError> {
            self.values.remove(key)
        }
        fn may_block(&self) -> bool {
            self.may_block
        }
    }
    struct Heard(Mutex<Vec<std::thread::ThreadId>>);
    impl AuthStateListener for Heard {
        fn on_auth_state_changed(&self, _: AuthStateEvent) {
            self.0.lock().unwrap().push(std::thread::current().id());
        }
    }
    assert!(!MemoryStorage::new().may_block());
    let executor = std::thread::current().id();
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    for may_block in [false, true] {
        let storage = Arc::new(Recording { may_block, values: MemoryStorage::new(), set_on: Mutex::new(Vec::new()) });
        let client = op.client_on(storage.clone());
        let heard = Arc::new(Heard(Mutex::new(Vec::new())));
        client.set_auth_state_listener(Some(heard.clone()));
        let s = start_sign_in(&op, &client).await;
        op.push_token(Answer::json(200, FaultOp::token_body(Some(key.sign(&op.id_claims(&s.nonce))), Some("rt-1"))));
        client.handle_sign_in_callback(&s.callback).await.unwrap();
        client.clear_all_tokens().await.unwrap();
        let set_on = storage.set_on.lock().unwrap().clone();
        assert!(set_on.len() >= 3, "sign-in URL, callback, sign-out each write ({set_on:?})");
        assert!(
            set_on.iter().all(|thread| (*thread == executor) != may_block),
            "may_block = {may_block}: writes on the executor's thread {executor:?}: {set_on:?}"
        );
        let heard = heard.0.lock().unwrap().clone();
        assert_eq!(heard.len(), 2, "signed in, signed out");
        assert!(heard.iter().all(|thread| *thread != executor), "a listener ran on the executor: {heard:?}");
    }
}

/// A storage whose writes block (a slow Keychain, a busy disk) never blocks the async executor: on a one-thread
/// runtime, other tasks keep running during the write.
#[tokio::test(flavor = "current_thread")]
async fn storage_io_never_blocks_the_executor() {
    struct SlowStorage(MemoryStorage);
    impl Storage for SlowStorage {
        fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
            self.0.get(key)
        }
        fn set(&self, key: &str, value: &str) -> Result<(), StorageError> {
            std::thread::sleep(Duration::from_millis(300));
            self.0.set(key, value)
        }
        fn remove(&self, key: &str) -> Result<(), StorageError> {
            self.0.remove(key)
        }
    }
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    let client = op.client_on(Arc::new(SlowStorage(MemoryStorage::new())));
    client.is_authenticated().await.unwrap();
    let ticks = Arc::new(AtomicUsize::new(0));
    let ticker = {
        let ticks = ticks.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(10)).await;
                ticks.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    client.clear_all_tokens().await.unwrap();
    ticker.abort();
    let ticked = ticks.load(Ordering::SeqCst);
    assert!(ticked >= 5, "the executor kept running during a 300 ms write ({ticked} ticks)");
}
