//! End-to-end tests against the real development identity provider (oidc-provider configured like Logto).

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use logto_core::{
    AuthStateEvent, FileStorage, GetAccessTokenOptions, LogtoClient, LogtoError, MemoryStorage, Prompt, SignInOptions,
    Storage, StorageError,
};
use support::events::Events;
use support::idp::{API_RESOURCE, Browser, DevIdp, POST_LOGOUT_URI, REDIRECT_URI, signed_in};

/// Storage whose writes can be made to fail.
#[derive(Default)]
struct FlakyStorage {
    inner: MemoryStorage,
    fail_writes: AtomicBool,
}

impl Storage for FlakyStorage {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        self.inner.get(key)
    }
    fn set(&self, key: &str, value: &str) -> Result<(), StorageError> {
        if self.fail_writes.load(Ordering::SeqCst) {
            return Err(StorageError::new("disk full"));
        }
        self.inner.set(key, value)
    }
    fn remove(&self, key: &str) -> Result<(), StorageError> {
        self.inner.remove(key)
    }
}

#[tokio::test]
async fn sign_in_with_one_request_after_the_redirect() {
    let idp = DevIdp::start(&[]);
    let client = idp.memory_client();
    let events = Arc::new(Events::default());
    client.set_auth_state_listener(Some(events.clone()));
    assert!(!client.is_authenticated().await.unwrap());

    let callback = Browser::new().sign_in(&client, "alice").await;
    assert!(callback.starts_with(&format!("{REDIRECT_URI}?")), "{callback}");
    idp.reset_requests().await;
    client.handle_sign_in_callback(&callback).await.unwrap();

    // Discovery and JWKS were fetched before/while the user was in the browser: one request remains.
    let requests = idp.requests().await;
    let paths: Vec<String> =
        requests.iter().map(|r| format!("{} {} {}", r["method"], r["path"], r["grant_type"])).collect();
    assert_eq!(paths, [r#""POST" "/oidc/token" "authorization_code""#], "critical path: {paths:?}");

    assert!(client.is_authenticated().await.unwrap());
    let claims = client.get_id_token_claims().await.unwrap();
    assert_eq!(claims.iss, idp.issuer());
    assert_eq!(claims.aud, ["dev-native-app"]);
    assert_eq!(claims.username.as_deref(), Some("alice"));
    assert_eq!(claims.name.as_deref(), Some("Alice Example"));
    assert_eq!(claims.email.as_deref(), Some("alice@example.com"));
    assert_eq!(claims.organizations.as_deref(), Some(&["org-1".to_string()][..]));
    assert!(!claims.sub.is_empty());
    assert!(client.get_refresh_token().await.unwrap().is_some());
    assert_eq!(events.take(), [AuthStateEvent::SignedIn]);
}

#[tokio::test]
async fn resource_and_organization_tokens() {
    let idp = DevIdp::start(&[]);
    let client = idp.memory_client();
    signed_in(&client, "alice").await;

    let claims = client.get_access_token_claims(Some(API_RESOURCE)).await.unwrap();
    assert_eq!(claims.aud, [API_RESOURCE]);
    assert!(claims.scope.unwrap_or_default().split(' ').any(|s| s == "read:data"));
    assert_eq!(claims.sub, Some(client.get_id_token_claims().await.unwrap().sub));
    // Cached: the second call makes no request.
    idp.reset_requests().await;
    let a = client.get_access_token(Some(API_RESOURCE), None).await.unwrap();
    assert_eq!(client.get_access_token(Some(API_RESOURCE), None).await.unwrap(), a);
    assert!(idp.requests().await.is_empty());

    let org = client.get_organization_token_claims("org-1").await.unwrap();
    assert_eq!(org.aud, ["urn:logto:organization:org-1"]);
    assert!(org.scope.unwrap_or_default().contains("read:org"));
    // Not a member.
    let err = client.get_organization_token("org-404").await.unwrap_err();
    assert_eq!(err.code(), "oidc.access_denied", "{err}");
    // The session survives a refused organization token.
    assert!(client.is_authenticated().await.unwrap());

    let bob = idp.memory_client();
    signed_in(&bob, "bob").await;
    assert_eq!(bob.get_organization_token("org-1").await.unwrap_err().code(), "oidc.access_denied");

    let mut no_org_scope = idp.config();
    no_org_scope.scopes.retain(|s| !s.starts_with("urn:logto:scope:organization"));
    let plain = LogtoClient::new(no_org_scope, Arc::new(MemoryStorage::new())).unwrap();
    signed_in(&plain, "alice").await;
    assert_eq!(plain.get_organization_token("org-1").await.unwrap_err(), LogtoError::MissingScopeOrganizations);
}

#[tokio::test]
async fn user_info_matches_the_id_token() {
    let idp = DevIdp::start(&[]);
    let client = idp.memory_client();
    assert_eq!(client.fetch_user_info().await.unwrap_err(), LogtoError::NotAuthenticated);
    signed_in(&client, "alice").await;
    let info = client.fetch_user_info().await.unwrap();
    assert_eq!(info.sub, client.get_id_token_claims().await.unwrap().sub);
    assert_eq!(info.email.as_deref(), Some("alice@example.com"));
    assert_eq!(info.email_verified, Some(true));
}

#[tokio::test]
async fn hundred_concurrent_callers_share_one_refresh() {
    let idp = DevIdp::start(&["--access-token-ttl", "2", "--slow-token-ms", "200"]);
    let mut config = idp.config();
    config.access_token_expiry_margin = Duration::ZERO;
    let client = LogtoClient::new(config, Arc::new(MemoryStorage::new())).unwrap();
    let events = Arc::new(Events::default());
    client.set_auth_state_listener(Some(events.clone()));
    signed_in(&client, "alice").await;
    let first = client.get_access_token(Some(API_RESOURCE), None).await.unwrap();
    let first_rt = client.get_refresh_token().await.unwrap().unwrap();
    let first_id_token = client.get_id_token().await.unwrap().unwrap();
    tokio::time::sleep(Duration::from_millis(3100)).await;

    idp.reset_requests().await;
    let calls = (0..100).map(|_| {
        let c = client.clone();
        tokio::spawn(async move { c.get_access_token(Some(API_RESOURCE), None).await })
    });
    let tokens: Vec<String> = futures_join(calls).await;
    assert!(tokens.iter().all(|t| *t == tokens[0]), "everyone got the same fresh token");
    assert_ne!(tokens[0], first);
    assert_eq!(idp.token_requests("refresh_token").await, 1, "exactly one refresh for 100 callers");

    // The rotated refresh token and the re-issued, re-verified ID token were stored.
    let rotated = client.get_refresh_token().await.unwrap().unwrap();
    assert_ne!(rotated, first_rt);
    assert_ne!(client.get_id_token().await.unwrap().unwrap(), first_id_token);
    assert!(events.take().contains(&AuthStateEvent::TokensRefreshed));

    // Different resources at once: serialised, one request each, never two with the same refresh token.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    idp.reset_requests().await;
    let mixed = (0..60).map(|i| {
        let c = client.clone();
        tokio::spawn(async move {
            match i % 3 {
                0 => c.get_access_token(Some(API_RESOURCE), None).await,
                1 => c.get_organization_token("org-1").await,
                _ => c.get_access_token(None, None).await,
            }
        })
    });
    futures_join(mixed).await;
    assert_eq!(idp.token_requests("refresh_token").await, 3);
    assert!(client.is_authenticated().await.unwrap());
}

async fn futures_join(
    handles: impl Iterator<Item = tokio::task::JoinHandle<Result<String, LogtoError>>>,
) -> Vec<String> {
    let mut out = Vec::new();
    for h in handles.collect::<Vec<_>>() {
        out.push(h.await.unwrap().unwrap());
    }
    out
}

#[tokio::test]
async fn forced_refresh_is_single_flight_too() {
    let idp = DevIdp::start(&["--slow-token-ms", "200"]);
    let client = idp.memory_client();
    signed_in(&client, "alice").await;
    let cached = client.get_access_token(Some(API_RESOURCE), None).await.unwrap();
    idp.reset_requests().await;
    let force = GetAccessTokenOptions { force_refresh: true };
    let calls = (0..10).map(|_| {
        let c = client.clone();
        tokio::spawn(async move { c.get_access_token_with_options(Some(API_RESOURCE), None, force).await })
    });
    let tokens = futures_join(calls).await;
    assert!(tokens.iter().all(|t| *t == tokens[0] && *t != cached));
    assert_eq!(idp.token_requests("refresh_token").await, 1);
}

#[tokio::test]
async fn sign_out_revokes_and_ends_the_browser_session() {
    let idp = DevIdp::start(&[]);
    let client = idp.memory_client();
    let events = Arc::new(Events::default());
    client.set_auth_state_listener(Some(events.clone()));
    let browser = Browser::new();
    let callback = browser.sign_in(&client, "alice").await;
    client.handle_sign_in_callback(&callback).await.unwrap();
    let refresh_token = client.get_refresh_token().await.unwrap().unwrap();

    idp.reset_requests().await;
    let url = client.sign_out(Some(POST_LOGOUT_URI)).await.unwrap();
    assert!(!client.is_authenticated().await.unwrap());
    assert_eq!(client.get_refresh_token().await.unwrap(), None);
    assert_eq!(client.get_access_token(None, None).await.unwrap_err(), LogtoError::NotAuthenticated);
    assert_eq!(client.revoke_pending_tokens().await.unwrap(), 0, "revoked (in the background)");
    assert!(idp.requests().await.iter().any(|r| r["path"] == "/oidc/token/revocation"));
    let parsed = url::Url::parse(&url).unwrap();
    assert_eq!(parsed.path(), "/oidc/session/end");
    let q: std::collections::HashMap<_, _> = parsed.query_pairs().into_owned().collect();
    assert_eq!(q["client_id"], "dev-native-app");
    assert_eq!(q["post_logout_redirect_uri"], POST_LOGOUT_URI);

    // Revocation verified at the IdP: the old refresh token is dead.
    let (status, body) = idp.raw_refresh(&refresh_token).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    // The end-session URL ends the browser session and returns to the app.
    assert!(browser.follow(&url, POST_LOGOUT_URI).await.starts_with(POST_LOGOUT_URI));
    assert_eq!(events.take(), [AuthStateEvent::SignedIn, AuthStateEvent::SignedOut]);

    // Signing out again is harmless.
    assert!(client.sign_out(None).await.is_ok());
    assert!(client.sign_out(Some("http://example.com/x")).await.unwrap_err().code() == "invalid_config");
}

#[tokio::test]
async fn server_error_callback_is_surfaced_and_consumes_the_sign_in() {
    let idp = DevIdp::start(&[]);
    let client = idp.memory_client();
    let mut options = SignInOptions::new(REDIRECT_URI);
    options.prompt = Some(vec![Prompt::None]);
    let url = client.sign_in_url(options).await.unwrap();
    // No browser session and prompt=none: the IdP answers with an error (and state + iss).
    let callback = Browser::new().follow(&url, REDIRECT_URI).await;
    let err = client.handle_sign_in_callback(&callback).await.unwrap_err();
    assert_eq!(err.code(), "callback_uri_verification.error_found");
    assert!(matches!(&err, LogtoError::CallbackErrorFound { error, .. } if error == "login_required"), "{err:?}");
    assert_eq!(client.handle_sign_in_callback(&callback).await.unwrap_err(), LogtoError::SignInSessionNotFound);
}

#[tokio::test]
async fn forged_callbacks_do_not_disturb_the_real_sign_in() {
    let idp = DevIdp::start(&[]);
    let client = idp.memory_client();
    let callback = Browser::new().sign_in(&client, "alice").await;
    let forged_state = replace_param(&callback, "state", "forged");
    assert_eq!(
        client.handle_sign_in_callback(&forged_state).await.unwrap_err().code(),
        "callback_uri_verification.state_mismatched"
    );
    let other_redirect = callback.replacen(REDIRECT_URI, "com.example.app://callback/other", 1);
    assert_eq!(
        client.handle_sign_in_callback(&other_redirect).await.unwrap_err().code(),
        "callback_uri_verification.redirect_uri_mismatched"
    );
    let wrong_iss = replace_param(&callback, "iss", "https://evil.example/oidc");
    assert_eq!(
        client.handle_sign_in_callback(&wrong_iss).await.unwrap_err().code(),
        "callback_uri_verification.issuer_mismatched"
    );
    // An issuer mix-up attempt consumes the pending sign-in (RFC 9207: do not redeem that code).
    assert_eq!(client.handle_sign_in_callback(&callback).await.unwrap_err(), LogtoError::SignInSessionNotFound);
    assert!(!client.is_authenticated().await.unwrap());

    // The real callback still works after a forged state.
    let callback = Browser::new().sign_in(&client, "alice").await;
    assert!(client.handle_sign_in_callback(&replace_param(&callback, "state", "x")).await.is_err());
    client.handle_sign_in_callback(&callback).await.unwrap();
    assert!(client.is_authenticated().await.unwrap());
    // Replaying it finds no pending sign-in and never re-sends the code.
    idp.reset_requests().await;
    assert_eq!(client.handle_sign_in_callback(&callback).await.unwrap_err(), LogtoError::SignInSessionNotFound);
    assert!(idp.requests().await.is_empty());
}

fn replace_param(url: &str, key: &str, value: &str) -> String {
    let mut parsed = url::Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .into_owned()
        .map(|(k, v)| if k == key { (k, value.to_string()) } else { (k, v) })
        .collect();
    parsed.query_pairs_mut().clear().extend_pairs(pairs);
    parsed.to_string()
}

#[tokio::test]
async fn unsolicited_callback_is_refused() {
    let idp = DevIdp::start(&[]);
    let client = idp.memory_client();
    let err = client.handle_sign_in_callback(&format!("{REDIRECT_URI}?code=abc&state=xyz")).await.unwrap_err();
    assert_eq!(err.code(), "sign_in_session.not_found");
    assert!(idp.requests().await.iter().all(|r| r["path"] != "/oidc/token"));
}

#[tokio::test]
async fn invalid_grant_ends_the_session() {
    let idp = DevIdp::start(&[]);
    let client = idp.memory_client();
    let events = Arc::new(Events::default());
    client.set_auth_state_listener(Some(events.clone()));
    signed_in(&client, "alice").await;
    let rt = client.get_refresh_token().await.unwrap().unwrap();
    // Someone else (another device, an admin) revokes the grant at the server.
    let revoked = reqwest::Client::new()
        .post(format!("{}/oidc/token/revocation", idp.endpoint))
        .form(&[("token", rt.as_str()), ("client_id", "dev-native-app")])
        .send()
        .await
        .unwrap();
    assert!(revoked.status().is_success());
    client.clear_access_token().await.unwrap();
    assert_eq!(client.get_access_token(Some(API_RESOURCE), None).await.unwrap_err(), LogtoError::NotAuthenticated);
    assert!(!client.is_authenticated().await.unwrap());
    assert_eq!(events.take(), [AuthStateEvent::SignedIn, AuthStateEvent::SessionExpired]);
}

#[tokio::test]
async fn sign_out_during_an_in_flight_refresh_never_restores_credentials() {
    let idp = DevIdp::start(&["--slow-token-ms", "1500"]);
    let dir = tempfile::tempdir().unwrap();
    let storage: Arc<dyn Storage> = Arc::new(FileStorage::new(dir.path()).unwrap());
    let client = idp.client(storage.clone());
    signed_in(&client, "alice").await;
    idp.reset_requests().await;

    let refreshing = {
        let c = client.clone();
        tokio::spawn(async move { c.get_access_token(Some(API_RESOURCE), None).await })
    };
    tokio::time::sleep(Duration::from_millis(400)).await;
    client.sign_out(None).await.unwrap();
    assert_eq!(refreshing.await.unwrap().unwrap_err(), LogtoError::NotAuthenticated);

    assert!(!client.is_authenticated().await.unwrap());
    assert_eq!(client.get_refresh_token().await.unwrap(), None);
    let stored = storage.get("logto:dev-native-app").unwrap().unwrap();
    assert!(stored.contains("\"session\":null"), "{stored}");
    // A new client on the same storage (the next app launch) is signed out too.
    assert!(!idp.client(storage).is_authenticated().await.unwrap());
    // The IdP handled the delayed refresh after the revocation, so it failed at the server too: nothing is alive.
    assert_eq!(client.revoke_pending_tokens().await.unwrap(), 0);
    let revocations = idp.requests().await.iter().filter(|r| r["path"] == "/oidc/token/revocation").count();
    assert_eq!(revocations, 1);
}

#[tokio::test]
async fn session_persists_across_restarts_without_requests() {
    let idp = DevIdp::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let storage: Arc<dyn Storage> = Arc::new(FileStorage::new(dir.path()).unwrap());
    let first = idp.client(storage.clone());
    signed_in(&first, "alice").await;
    let token = first.get_access_token(Some(API_RESOURCE), None).await.unwrap();
    drop(first);

    idp.reset_requests().await;
    let second = idp.client(Arc::new(FileStorage::new(dir.path()).unwrap()));
    assert!(second.is_authenticated().await.unwrap());
    assert_eq!(second.get_access_token(Some(API_RESOURCE), None).await.unwrap(), token);
    assert_eq!(second.get_id_token_claims().await.unwrap().username.as_deref(), Some("alice"));
    assert!(idp.requests().await.is_empty(), "restored from storage, no request");
    // One document per app id, and no secret stored outside it (the refresh's cross-process lock file is empty).
    let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().path()).collect();
    let documents = files.iter().filter(|p| p.extension().is_some_and(|e| e == "json")).count();
    assert_eq!(documents, 1, "{files:?}");
    for file in files.iter().filter(|p| p.extension().is_some_and(|e| e == "lock")) {
        assert_eq!(std::fs::metadata(file).unwrap().len(), 0);
    }
}

#[tokio::test]
async fn storage_failure_leaves_the_old_session() {
    let idp = DevIdp::start(&[]);
    let storage = Arc::new(FlakyStorage::default());
    let client = idp.client(storage.clone());
    signed_in(&client, "alice").await;
    let alice_id_token = client.get_id_token().await.unwrap();

    let callback = Browser::new().sign_in(&client, "bob").await;
    storage.fail_writes.store(true, Ordering::SeqCst);
    let err = client.handle_sign_in_callback(&callback).await.unwrap_err();
    assert_eq!(err.code(), "storage");
    assert_eq!(client.get_id_token().await.unwrap(), alice_id_token, "old session intact in memory");
    storage.fail_writes.store(false, Ordering::SeqCst);
    let reloaded = idp.client(storage.clone());
    assert_eq!(reloaded.get_id_token().await.unwrap(), alice_id_token, "old session intact in storage");
    assert_eq!(reloaded.get_id_token_claims().await.unwrap().username.as_deref(), Some("alice"));

    // Sign-out with failing storage still signs out in memory and reports the failure.
    storage.fail_writes.store(true, Ordering::SeqCst);
    assert_eq!(client.sign_out(None).await.unwrap_err().code(), "storage");
    assert!(!client.is_authenticated().await.unwrap());
}

#[tokio::test]
async fn a_new_sign_in_revokes_the_replaced_session() {
    let idp = DevIdp::start(&[]);
    let client = idp.memory_client();
    signed_in(&client, "alice").await;
    let alice_rt = client.get_refresh_token().await.unwrap().unwrap();
    signed_in(&client, "bob").await;
    assert_eq!(client.get_id_token_claims().await.unwrap().username.as_deref(), Some("bob"));
    // Revoked in the background: once the IdP has answered that revocation, it must refuse Alice's refresh token.
    idp.wait_for("/oidc/token/revocation", None, 1, true).await;
    assert_eq!(idp.raw_refresh(&alice_rt).await.0, 400, "the replaced session's refresh token is dead at the server");
    assert!(client.get_access_token(Some(API_RESOURCE), None).await.is_ok(), "bob's session is unaffected");
}

#[tokio::test]
async fn corrupt_storage_is_a_typed_error_not_a_panic() {
    let idp = DevIdp::start(&[]);
    let storage = Arc::new(MemoryStorage::new());
    storage.set("logto:dev-native-app", "{\"version\":1,\"session\":").unwrap();
    let client = idp.client(storage.clone());
    assert!(!client.is_authenticated().await.unwrap());
    assert_eq!(
        client.handle_sign_in_callback(&format!("{REDIRECT_URI}?code=a&state=b")).await.unwrap_err(),
        LogtoError::SignInSessionInvalid
    );
    // A new sign-in replaces the corrupt document.
    signed_in(&client, "alice").await;
    assert!(idp.client(storage).is_authenticated().await.unwrap());
}

// ── Durable sessions against the dev IdP (issue 8): the IdP behaves like Logto (key rotation, 3 s reuse leeway, exact
// post-logout URIs) and exposes fault knobs and a request log that shows refresh-token reuse.

/// Logto's console rotates the signing key to RSA. A signed-in user keeps refreshing (the refreshed ID token is
/// RS256 with a key whose JWK has no `alg`), and a new sign-in on the same storage works.
#[tokio::test]
async fn signing_key_rotation_to_rsa_and_back_keeps_the_user_signed_in() {
    let idp = DevIdp::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let client = idp.client(Arc::new(FileStorage::new(dir.path()).unwrap()));
    signed_in(&client, "alice").await;
    let discovery = client.get_oidc_config().await.unwrap();
    assert_eq!(discovery.id_token_signing_alg_values_supported.as_deref(), Some(&["ES384".to_string()][..]));

    let rotated = idp.rotate_keys("RSA").await;
    assert_eq!(rotated["id_token_signing_alg_values_supported"], serde_json::json!(["PS256", "RS256", "ES384"]));
    let force = GetAccessTokenOptions { force_refresh: true };
    client.get_access_token_with_options(Some(API_RESOURCE), None, force).await.expect("refresh after EC → RSA");
    let header = client.get_id_token().await.unwrap().unwrap();
    assert!(header.starts_with(&base64_json_prefix("RS256")), "the refreshed ID token is signed with the new key");

    // A new sign-in by the next app start, on the same storage.
    drop(client);
    let restarted = idp.client(Arc::new(FileStorage::new(dir.path()).unwrap()));
    signed_in(&restarted, "bob").await;
    assert_eq!(restarted.get_id_token_claims().await.unwrap().username.as_deref(), Some("bob"));

    idp.rotate_keys("EC").await;
    restarted.get_access_token_with_options(Some(API_RESOURCE), None, force).await.expect("refresh after RSA → EC");
    assert!(idp.refreshes().await.iter().all(|(_, reused, status)| !reused && *status == Some(200)));
}

fn base64_json_prefix(alg: &str) -> String {
    use base64::Engine;
    // `{"alg":"RS256"` encodes to a fixed prefix whatever follows.
    let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{{\"alg\":\"{alg}\""));
    encoded[..encoded.len() - 2].to_string()
}

/// The caller stops waiting after the refresh reached the IdP (the IdP has rotated the token and holds its answer):
/// the client's own task stores the rotated token, and the next refresh presents it — the IdP sees no reuse.
#[tokio::test]
async fn a_cancelled_refresh_is_completed_and_never_replayed_at_the_idp() {
    let idp = DevIdp::start(&[]);
    let client = idp.memory_client();
    signed_in(&client, "alice").await;
    let before = client.get_refresh_token().await.unwrap().unwrap();
    idp.reset_requests().await;
    idp.faults(serde_json::json!({"token": {"grant_type": "refresh_token", "delay_after_ms": 800, "count": 1}})).await;
    let force = GetAccessTokenOptions { force_refresh: true };
    let call = client.get_access_token_with_options(Some(API_RESOURCE), None, force);
    let gave_up = tokio::time::timeout(Duration::from_millis(300), call).await;
    assert!(gave_up.is_err(), "the caller stopped waiting");
    idp.wait_for("/oidc/token", Some("refresh_token"), 1, true).await;
    for _ in 0..100 {
        if client.get_refresh_token().await.unwrap().as_deref() != Some(before.as_str()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_ne!(client.get_refresh_token().await.unwrap().unwrap(), before, "the rotated token was stored");
    // The next caller gets that refresh's token (joining it if it is still verifying); a forced one refreshes again.
    client.get_access_token(Some(API_RESOURCE), None).await.unwrap();
    assert_eq!(idp.refreshes().await.len(), 1);

    client.get_access_token_with_options(Some(API_RESOURCE), None, force).await.unwrap();
    let refreshes = idp.refreshes().await;
    assert_eq!(refreshes.len(), 2);
    assert!(refreshes.iter().all(|(_, reused, status)| !reused && *status == Some(200)), "{refreshes:?}");
    assert_ne!(refreshes[0].0, refreshes[1].0, "two different refresh tokens presented");
}

/// Sign-out while the revocation endpoint hangs: the end-session URL comes back at once (the time is printed),
/// and the refresh token is revoked once the endpoint answers again.
#[tokio::test]
async fn sign_out_does_not_wait_for_a_hanging_revocation() {
    let idp = DevIdp::start(&[]);
    let client = idp.memory_client();
    signed_in(&client, "alice").await;
    let refresh_token = client.get_refresh_token().await.unwrap().unwrap();
    idp.faults(serde_json::json!({"revocation": {"hang": true}})).await;
    let started = std::time::Instant::now();
    let url = tokio::time::timeout(Duration::from_secs(5), client.sign_out(Some(POST_LOGOUT_URI)))
        .await
        .expect("sign-out returned")
        .unwrap();
    println!("measured: sign-out with a hanging revocation endpoint returned in {:?}", started.elapsed());
    assert!(url.contains("/oidc/session/end?"));
    assert!(!client.is_authenticated().await.unwrap());
    idp.wait_for("/oidc/token/revocation", None, 1, false).await;
    idp.faults(serde_json::json!({"revocation": null})).await;
    assert_eq!(client.revoke_pending_tokens().await.unwrap(), 0);
    assert_eq!(idp.raw_refresh(&refresh_token).await.0, 400, "the refresh token is dead at the IdP");
}

/// Two processes (this test binary, started twice) share one session in one directory and force-refresh it at the
/// same time, over and over: `FileStorage`'s cross-process lock and the re-read inside it mean the IdP never sees a
/// refresh token presented twice, and both processes end signed in.
#[tokio::test]
async fn two_processes_on_one_session_never_replay_a_refresh_token() {
    let idp = DevIdp::start(&["--refresh-token-reuse-interval", "0"]);
    let dir = tempfile::tempdir().unwrap();
    let client = idp.client(Arc::new(FileStorage::new(dir.path()).unwrap()));
    signed_in(&client, "alice").await;
    drop(client);
    idp.reset_requests().await;
    let children: Vec<_> = (0..2)
        .map(|_| {
            std::process::Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "refresh_loop_in_a_child_process", "--ignored", "--nocapture"])
                .env("LOGTO_CHILD_ENDPOINT", &idp.endpoint)
                .env("LOGTO_CHILD_DIR", dir.path())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success() && stdout.contains("1 passed"), "child failed:\n{stdout}");
    }
    let refreshes = idp.refreshes().await;
    // Ten forced refreshes; a process that finds, inside the lock, a token the other one just fetched (newer than the
    // one it wanted replaced) uses it without a request of its own.
    assert!((5..=10).contains(&refreshes.len()), "{refreshes:?}");
    let mut presented: Vec<&String> = refreshes.iter().map(|(fp, _, _)| fp).collect();
    assert!(refreshes.iter().all(|(_, reused, status)| !reused && *status == Some(200)), "{refreshes:?}");
    presented.sort();
    presented.dedup();
    assert_eq!(presented.len(), refreshes.len(), "every refresh presented a different token");
    let after = idp.client(Arc::new(FileStorage::new(dir.path()).unwrap()));
    assert!(after.get_access_token(Some(API_RESOURCE), None).await.is_ok(), "the session survived");
}

/// The child half of the test above (run only by it).
#[tokio::test]
#[ignore = "started as a child process by two_processes_on_one_session_never_replay_a_refresh_token"]
async fn refresh_loop_in_a_child_process() {
    let (Ok(endpoint), Ok(dir)) = (std::env::var("LOGTO_CHILD_ENDPOINT"), std::env::var("LOGTO_CHILD_DIR")) else {
        return;
    };
    support::idp::install_crypto_provider();
    let mut config = logto_core::LogtoConfig::new(endpoint, support::idp::APP_ID);
    config.resources = vec![API_RESOURCE.into()];
    let client = LogtoClient::new(config, Arc::new(FileStorage::new(dir).unwrap())).unwrap();
    let force = GetAccessTokenOptions { force_refresh: true };
    for _ in 0..5 {
        client.get_access_token_with_options(Some(API_RESOURCE), None, force).await.unwrap();
    }
}
