//! Relying-party tests modelled on the OpenID Foundation RP certification suite (Basic + Config RP profiles, the
//! refresh-token and RP-initiated-logout plans), plus native-app and robustness checks. Each test names the OIDF
//! test it mirrors. They run against a scriptable fault-injecting OP (tests/support/fault_op.rs).

mod support;

use std::time::Duration;

use logto_core::{LogtoClient, LogtoError};
use serde_json::{Value, json};
use support::fault_op::{
    Answer, FaultOp, now, op_with, patched, refresh_claims, sign_in_with, signed_in_client, start_sign_in,
};
use support::keys::TestKey;

async fn expect_id_token_rejected(op: &FaultOp, key: &TestKey, patch: Value) -> LogtoError {
    let (client, result) = sign_in_with(op, |s| key.sign(&patched(op.id_claims(&s.nonce), patch))).await;
    assert!(!client.is_authenticated().await.unwrap(), "no session after a rejected ID token");
    result.unwrap_err()
}

// ── rp-response_type-code, rp-userinfo-bearer-header, rp-discovery-openid-configuration, rp-discovery-jwks_uri-keys

#[tokio::test]
async fn rp_response_type_code_happy_path() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    let (client, result) = sign_in_with(&op, |s| key.sign(&op.id_claims(&s.nonce))).await;
    result.unwrap();
    assert!(client.is_authenticated().await.unwrap());
    let form = op.state.token_forms.lock().unwrap()[0].clone();
    assert_eq!(form["grant_type"], "authorization_code");
    assert_eq!(form["client_id"], "rp-test-client");
    assert_eq!(form["code"], "test-code");
    assert_eq!(form["redirect_uri"], "com.example.app://callback");
    assert!(form["code_verifier"].len() >= 43);
    assert!(!form.contains_key("client_secret"), "public client: no secret");

    op.set_userinfo(Answer::json(200, json!({"sub": "user-1", "email": "a@b.c"})));
    assert_eq!(client.fetch_user_info().await.unwrap().email.as_deref(), Some("a@b.c"));
    let auth = op.state.userinfo_auth.lock().unwrap()[0].clone();
    assert_eq!(auth.as_deref(), Some("Bearer at-opaque"), "rp-userinfo-bearer-header");
    assert_eq!(op.count("GET discovery"), 1, "discovery fetched once and cached");
    assert_eq!(op.count("GET jwks"), 1, "JWKS from discovery's jwks_uri, once");
}

#[tokio::test]
async fn pkce_challenge_matches_the_verifier_sent() {
    use base64::Engine;
    use sha2::Digest;
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    let client = op.client();
    let url = client.sign_in_url(logto_core::SignInOptions::new("com.example.app://callback")).await.unwrap();
    let q: std::collections::HashMap<String, String> =
        url::Url::parse(&url).unwrap().query_pairs().into_owned().collect();
    assert_eq!(q["code_challenge_method"], "S256");
    let state = q["state"].clone();
    op.push_token(Answer::json(200, FaultOp::token_body(Some(key.sign(&op.id_claims(&q["nonce"]))), None)));
    let iss = url::form_urlencoded::byte_serialize(op.issuer.as_bytes()).collect::<String>();
    client
        .handle_sign_in_callback(&format!("com.example.app://callback?code=c&state={state}&iss={iss}"))
        .await
        .unwrap();
    let verifier = op.state.token_forms.lock().unwrap()[0]["code_verifier"].clone();
    let expected = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    assert_eq!(q["code_challenge"], expected);
}

// ── ID token checks

#[tokio::test]
async fn rp_nonce_invalid() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    let err = expect_id_token_rejected(&op, &key, json!({"nonce": "not-the-nonce"})).await;
    assert_eq!(err.code(), "id_token.invalid_token");
    let err = expect_id_token_rejected(&op, &key, json!({"nonce": null})).await;
    assert_eq!(err.code(), "id_token.invalid_token");
}

#[tokio::test]
async fn rp_id_token_aud_invalid_and_missing() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    assert_eq!(
        expect_id_token_rejected(&op, &key, json!({"aud": "someone-else"})).await.code(),
        "id_token.invalid_token"
    );
    assert_eq!(expect_id_token_rejected(&op, &key, json!({"aud": null})).await.code(), "id_token.invalid_token");
    // oidcc-client-test-refresh-token-invalid-azp analogue: several audiences need azp = client.
    assert_eq!(
        expect_id_token_rejected(&op, &key, json!({"aud": ["rp-test-client", "x"]})).await.code(),
        "id_token.invalid_token"
    );
}

#[tokio::test]
async fn rp_id_token_kid_absent_single_jwks_is_accepted() {
    let key = TestKey::rs256("only");
    let op = op_with(&key).await;
    let (_, result) =
        sign_in_with(&op, |s| key.sign_with_header(&json!({"alg": "RS256"}), &op.id_claims(&s.nonce))).await;
    result.unwrap();
}

#[tokio::test]
async fn rp_id_token_kid_absent_multiple_jwks_is_rejected() {
    let a = TestKey::es384("a");
    let b = TestKey::es384_other("b");
    let op = FaultOp::start().await;
    op.publish(&[&a, &b]);
    let (_, result) =
        sign_in_with(&op, |s| a.sign_with_header(&json!({"alg": "ES384"}), &op.id_claims(&s.nonce))).await;
    assert_eq!(result.unwrap_err().code(), "id_token.invalid_token");
}

#[tokio::test]
async fn rp_id_token_sig_none_is_rejected() {
    use base64::Engine;
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    let (_, result) = sign_in_with(&op, |s| {
        let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        format!("{}.{}.", b64(&json!({"alg": "none"})), b64(&op.id_claims(&s.nonce)))
    })
    .await;
    assert_eq!(result.unwrap_err().code(), "id_token.invalid_token");
}

#[tokio::test]
async fn rp_id_token_sig_algorithms_accepted() {
    for key in
        [TestKey::rs256("r"), TestKey::es256("e2"), TestKey::es384("e3"), TestKey::es512("e5"), TestKey::ps256("p")]
    {
        let op = op_with(&key).await;
        let (_, result) = sign_in_with(&op, |s| key.sign(&op.id_claims(&s.nonce))).await;
        result.unwrap_or_else(|e| panic!("{}: {e}", key.alg));
    }
}

#[tokio::test]
async fn rp_id_token_bad_sig_is_rejected() {
    for key in [TestKey::rs256("r"), TestKey::es256("e2"), TestKey::es384("e3"), TestKey::es512("e5")] {
        let op = op_with(&key).await;
        // Tampered payload under the original signature.
        let (_, result) = sign_in_with(&op, |s| {
            let token = key.sign(&op.id_claims(&s.nonce));
            let forged = key.sign(&patched(op.id_claims(&s.nonce), json!({"sub": "admin"})));
            let (h, _, sig) = three(&token);
            let (_, p, _) = three(&forged);
            format!("{h}.{p}.{sig}")
        })
        .await;
        assert_eq!(result.unwrap_err().code(), "id_token.invalid_token", "{}", key.alg);
        // Signed by a key that is not in the JWKS but claims its kid.
        let impostor = TestKey::es384_other(&key.kid);
        let (_, result) = sign_in_with(&op, |s| {
            impostor.sign_with_header(&json!({"alg": "ES384", "kid": key.kid}), &op.id_claims(&s.nonce))
        })
        .await;
        assert!(result.is_err(), "{}", key.alg);
    }
}

fn three(token: &str) -> (String, String, String) {
    let parts: Vec<&str> = token.split('.').collect();
    (parts[0].into(), parts[1].into(), parts[2].into())
}

#[tokio::test]
async fn rp_id_token_sig_hs256_is_rejected() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    // HMAC keyed with the client id (what a confidential client's secret would be) and with the public JWK.
    for secret in [b"rp-test-client".to_vec(), key.jwk.to_string().into_bytes()] {
        let hs = TestKey::hs256("k1", &secret);
        let (_, result) = sign_in_with(&op, |s| hs.sign(&op.id_claims(&s.nonce))).await;
        assert_eq!(result.unwrap_err().code(), "id_token.invalid_token");
    }
}

#[tokio::test]
async fn rp_id_token_iat_issuer_sub_exp() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    assert_eq!(expect_id_token_rejected(&op, &key, json!({"iat": null})).await.code(), "id_token.invalid_token");
    assert_eq!(expect_id_token_rejected(&op, &key, json!({"iat": now() - 3600})).await.code(), "id_token.invalid_iat");
    assert_eq!(
        expect_id_token_rejected(&op, &key, json!({"iss": "https://other.example/oidc"})).await.code(),
        "id_token.invalid_token"
    );
    assert_eq!(expect_id_token_rejected(&op, &key, json!({"sub": null})).await.code(), "id_token.invalid_token");
    assert_eq!(expect_id_token_rejected(&op, &key, json!({"exp": now() - 120})).await.code(), "id_token.invalid_token");
    assert_eq!(
        expect_id_token_rejected(&op, &key, json!({"nbf": now() + 3600})).await.code(),
        "id_token.invalid_token"
    );
}

#[tokio::test]
async fn missing_id_token_is_rejected() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    let client = op.client();
    let s = start_sign_in(&op, &client).await;
    op.push_token(Answer::json(200, FaultOp::token_body(None, Some("rt"))));
    assert_eq!(client.handle_sign_in_callback(&s.callback).await.unwrap_err().code(), "id_token.invalid_token");
    assert!(!client.is_authenticated().await.unwrap());
}

// ── UserInfo

#[tokio::test]
async fn rp_userinfo_bad_sub_claim() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    let (client, result) = sign_in_with(&op, |s| key.sign(&op.id_claims(&s.nonce))).await;
    result.unwrap();
    op.set_userinfo(Answer::json(200, json!({"sub": "someone-else", "email": "x@y.z"})));
    assert_eq!(client.fetch_user_info().await.unwrap_err().code(), "fetch_user_info_failed");
    op.set_userinfo(Answer::json(401, json!({"error": "invalid_token"})));
    assert_eq!(client.fetch_user_info().await.unwrap_err().code(), "fetch_user_info_failed");
    op.set_userinfo(Answer::raw(200, "{\"sub\":"));
    assert_eq!(client.fetch_user_info().await.unwrap_err().code(), "fetch_user_info_failed");
}

// ── Discovery

#[tokio::test]
async fn rp_discovery_issuer_not_matching_config() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    op.state.discovery.lock().unwrap()["issuer"] = json!("https://attacker.example/oidc");
    let err = op.client().sign_in_url(logto_core::SignInOptions::new("com.example.app://callback")).await.unwrap_err();
    assert_eq!(err.code(), "unexpected_response_error");
    assert!(err.to_string().contains("issuer"), "{err}");
}

#[tokio::test]
async fn discovery_without_s256_or_with_bad_json_fails_closed() {
    let op = FaultOp::start().await;
    op.state.discovery.lock().unwrap()["code_challenge_methods_supported"] = json!(["plain"]);
    let err = op.client().sign_in_url(logto_core::SignInOptions::new("com.example.app://callback")).await.unwrap_err();
    assert_eq!(err.code(), "unexpected_response_error");
    *op.state.discovery.lock().unwrap() = json!("not an object");
    assert_eq!(op.client().prefetch().await.unwrap_err().code(), "unexpected_response_error");
}

// ── Key rotation

#[tokio::test]
async fn rp_key_rotation_op_sign_key() {
    let old = TestKey::es384("old");
    let new = TestKey::es384_other("new");
    let op = op_with(&old).await;
    let (client, result) = sign_in_with(&op, |s| old.sign(&op.id_claims(&s.nonce))).await;
    result.unwrap();
    // The OP rotates; the refresh returns an ID token signed with the new key.
    op.publish(&[&new]);
    let mut claims = op.id_claims("");
    claims.as_object_mut().unwrap().remove("nonce");
    op.push_token(Answer::json(200, FaultOp::token_body(Some(new.sign(&claims)), Some("rt-2"))));
    client.get_access_token(Some("https://api"), None).await.unwrap();
    assert_eq!(op.count("GET jwks"), 2, "refetched once for the unknown kid");
}

#[tokio::test]
async fn rp_key_rotation_op_sign_key_native() {
    let old = TestKey::es384("old");
    let new = TestKey::es384_other("new");
    let op = op_with(&old).await;
    let client = op.client();
    client.prefetch().await.unwrap();
    // Rotated just before signing: the app's cached JWKS is stale.
    op.publish(&[&new]);
    let s = start_sign_in(&op, &client).await;
    op.push_token(Answer::json(200, FaultOp::token_body(Some(new.sign(&op.id_claims(&s.nonce))), None)));
    client.handle_sign_in_callback(&s.callback).await.unwrap();
    assert_eq!(op.count("GET jwks"), 2);
}

#[tokio::test]
async fn unknown_kid_refetch_is_rate_limited() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    for attempt in 0..3 {
        let stranger = TestKey::es384_other(&format!("unknown-{attempt}"));
        let (_, result) = sign_in_with(&op, |s| stranger.sign(&op.id_claims(&s.nonce))).await;
        assert_eq!(result.unwrap_err().code(), "id_token.invalid_token");
    }
    // Each fresh client fetches the JWKS once; the cooldown is per client, so count refetches on one client.
    let client = op.client();
    client.prefetch().await.unwrap();
    let before = op.count("GET jwks");
    for attempt in 0..3 {
        let stranger = TestKey::es384_other(&format!("again-{attempt}"));
        let s = start_sign_in(&op, &client).await;
        op.push_token(Answer::json(200, FaultOp::token_body(Some(stranger.sign(&op.id_claims(&s.nonce))), None)));
        assert!(client.handle_sign_in_callback(&s.callback).await.is_err());
    }
    assert_eq!(op.count("GET jwks") - before, 1, "one refetch per cooldown, whatever the attacker sends");
}

// ── Refresh-token plan

#[tokio::test]
async fn oidcc_client_test_refresh_token() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    let client = signed_in_client(&op, &key).await;
    op.push_token(Answer::json(
        200,
        FaultOp::token_body(Some(key.sign(&refresh_claims(&op, json!({})))), Some("rt-2")),
    ));
    assert_eq!(client.get_access_token(Some("https://api"), None).await.unwrap(), "at-opaque");
    assert_eq!(client.get_refresh_token().await.unwrap().as_deref(), Some("rt-2"));
    let form = op.state.token_forms.lock().unwrap()[1].clone();
    assert_eq!(form["grant_type"], "refresh_token");
    assert_eq!(form["refresh_token"], "rt-1");
    assert_eq!(form["resource"], "https://api");
    // No refresh_token in the response: keep the old one. No id_token: allowed.
    op.push_token(Answer::json(200, FaultOp::token_body(None, None)));
    client.get_access_token(Some("https://other"), None).await.unwrap();
    assert_eq!(client.get_refresh_token().await.unwrap().as_deref(), Some("rt-2"));
}

/// A refreshed ID token that fails a security check ends the session on purpose, and the refresh token the same
/// response rotated to is revoked: no session is left that is known to be dead, and no grant stays alive.
#[tokio::test]
async fn oidcc_client_test_refresh_token_invalid_issuer_sub_aud() {
    let key = TestKey::es384("k1");
    for patch in [json!({"iss": "https://evil.example/oidc"}), json!({"sub": "user-2"}), json!({"aud": "other-client"})]
    {
        let op = op_with(&key).await;
        let client = signed_in_client(&op, &key).await;
        op.push_token(Answer::json(
            200,
            FaultOp::token_body(Some(key.sign(&refresh_claims(&op, patch.clone()))), Some("rt-2")),
        ));
        let err = client.get_access_token(Some("https://api"), None).await.unwrap_err();
        assert_eq!(err.code(), "id_token.invalid_token", "{patch}");
        assert!(!client.is_authenticated().await.unwrap(), "{patch}: session ended");
        assert_eq!(client.revoke_pending_tokens().await.unwrap(), 0);
        assert_eq!(op.revoked(), ["rt-2"], "{patch}: the rotated refresh token is revoked");
    }
}

#[tokio::test]
async fn refresh_response_shape_errors_are_typed() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    let client = signed_in_client(&op, &key).await;
    op.push_token(Answer::json(200, json!({"access_token": "x", "token_type": "MAC"})));
    assert_eq!(client.get_access_token(Some("https://a"), None).await.unwrap_err().code(), "unexpected_response_error");
    op.push_token(Answer::json(200, json!({"token_type": "Bearer"})));
    assert_eq!(client.get_access_token(Some("https://a"), None).await.unwrap_err().code(), "unexpected_response_error");
    op.push_token(Answer::raw(200, "<html>"));
    assert_eq!(client.get_access_token(Some("https://a"), None).await.unwrap_err().code(), "unexpected_response_error");
    op.push_token(Answer::raw(502, "bad gateway"));
    assert_eq!(client.get_access_token(Some("https://a"), None).await.unwrap_err().code(), "http_error_502");
    op.push_token(Answer::json(400, json!({"error": "invalid_target", "error_description": "unknown resource"})));
    assert_eq!(client.get_access_token(Some("https://a"), None).await.unwrap_err().code(), "oidc.invalid_target");
    assert!(client.is_authenticated().await.unwrap(), "none of these end the session");
    op.push_token(Answer::json(400, json!({"error": "invalid_grant"})));
    assert_eq!(client.get_access_token(Some("https://a"), None).await.unwrap_err().code(), "not_authenticated");
    assert!(!client.is_authenticated().await.unwrap(), "invalid_grant does");
}

/// Starts a refresh whose answer (rotating to `new_refresh_token`) arrives `delay_ms` later; returns once the
/// request is in flight.
async fn start_late_refresh(
    op: &FaultOp,
    client: &LogtoClient,
    new_refresh_token: &str,
    delay_ms: u64,
) -> tokio::task::JoinHandle<Result<String, LogtoError>> {
    let mut late = Answer::json(200, FaultOp::token_body(None, Some(new_refresh_token)));
    late.delay = Duration::from_millis(delay_ms);
    op.push_token(late);
    let c = client.clone();
    let refreshing = tokio::spawn(async move { c.get_access_token(Some("https://api"), None).await });
    tokio::time::sleep(Duration::from_millis(150)).await;
    refreshing
}

#[tokio::test]
async fn sign_out_during_refresh_revokes_the_late_rotated_token() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    let client = signed_in_client(&op, &key).await;
    // The server has already rotated (rt-1 → rt-2) but its answer arrives after the sign-out.
    let refreshing = start_late_refresh(&op, &client, "rt-2", 600).await;
    client.sign_out(None).await.unwrap();
    assert_eq!(refreshing.await.unwrap().unwrap_err(), LogtoError::NotAuthenticated);
    assert_eq!(client.get_refresh_token().await.unwrap(), None);
    assert!(!client.is_authenticated().await.unwrap());
    assert_eq!(client.revoke_pending_tokens().await.unwrap(), 0);
    let mut revoked = op.revoked();
    revoked.sort();
    assert_eq!(revoked, ["rt-1", "rt-2"], "rt-1 at sign-out and the late rt-2");
}

#[tokio::test]
async fn late_refresh_never_overwrites_a_newer_session() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    let client = signed_in_client(&op, &key).await;
    let refreshing = start_late_refresh(&op, &client, "rt-stale", 800).await;
    // Sign out and sign in again (another user, say) while the old refresh is still in flight.
    client.sign_out(None).await.unwrap();
    let s = start_sign_in(&op, &client).await;
    let claims = patched(op.id_claims(&s.nonce), json!({"sub": "user-2"}));
    op.push_token(Answer::json(200, FaultOp::token_body(Some(key.sign(&claims)), Some("rt-new"))));
    client.handle_sign_in_callback(&s.callback).await.unwrap();
    assert_eq!(refreshing.await.unwrap().unwrap_err(), LogtoError::NotAuthenticated);
    assert_eq!(client.get_refresh_token().await.unwrap().as_deref(), Some("rt-new"));
    assert_eq!(client.get_id_token_claims().await.unwrap().sub, "user-2");
}

// ── RP-initiated logout

#[tokio::test]
async fn rp_init_logout() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    let client = signed_in_client(&op, &key).await;
    let url = client.sign_out(Some("com.example.app://callback/sign-out")).await.unwrap();
    assert_eq!(
        url,
        format!(
            "{}/session/end?client_id=rp-test-client&post_logout_redirect_uri=com.example.app%3A%2F%2Fcallback%2Fsign-out",
            op.issuer
        )
    );
    assert_eq!(client.revoke_pending_tokens().await.unwrap(), 0);
    assert_eq!(op.revoked(), ["rt-1"]);
    let form = &op.state.token_forms.lock().unwrap()[0];
    assert_eq!(form["grant_type"], "authorization_code");
}

// ── Native-app / RFC 9207 / robustness

#[tokio::test]
async fn authorization_response_without_iss_is_rejected() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    let client = op.client();
    let s = start_sign_in(&op, &client).await;
    let without_iss = s.callback.split("&iss=").next().unwrap().to_string();
    let err = client.handle_sign_in_callback(&without_iss).await.unwrap_err();
    assert_eq!(err.code(), "callback_uri_verification.missing_issuer");
    assert_eq!(op.count("POST token authorization_code"), 0, "the code was never redeemed");
}

#[tokio::test]
async fn jwks_failures_fail_closed() {
    let key = TestKey::es384("k1");
    for jwks in [
        Answer::raw(500, "oops"),
        Answer::raw(200, "{\"keys\":"),
        Answer::json(200, json!({"keys": []})),
        Answer::json(200, json!({"keys": [{"kty": "oct", "k": "AAAA"}]})),
    ] {
        let op = FaultOp::start().await;
        op.set_jwks(jwks);
        let (client, result) = sign_in_with(&op, |s| key.sign(&op.id_claims(&s.nonce))).await;
        assert!(result.is_err());
        assert!(!client.is_authenticated().await.unwrap());
    }
}

#[tokio::test]
async fn oversized_and_slow_responses_are_network_errors() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    let mut config = op.config();
    config.max_response_bytes = 4096;
    config.request_timeout = Duration::from_millis(500);
    let client = LogtoClient::new(config, std::sync::Arc::new(logto_core::MemoryStorage::new())).unwrap();
    let s = start_sign_in(&op, &client).await;
    op.push_token(Answer::raw(200, format!("{{\"padding\":\"{}\"}}", "x".repeat(10_000))));
    let err = client.handle_sign_in_callback(&s.callback).await.unwrap_err();
    assert_eq!(err.code(), "network");
    assert!(err.to_string().contains("larger than 4096"), "{err}");

    let s = start_sign_in(&op, &client).await;
    let mut slow = Answer::json(200, FaultOp::token_body(Some(key.sign(&op.id_claims(&s.nonce))), None));
    slow.delay = Duration::from_secs(3);
    op.push_token(slow);
    let err = client.handle_sign_in_callback(&s.callback).await.unwrap_err();
    assert_eq!(err.code(), "network");
    assert!(err.to_string().contains("timed out"), "{err}");
}

#[tokio::test]
async fn secrets_never_appear_in_errors_or_debug_output() {
    let key = TestKey::es384("k1");
    let op = op_with(&key).await;
    let client = op.client();
    let s = start_sign_in(&op, &client).await;
    // The server echoes the code in its error description; we show the description but never our own secrets.
    op.push_token(Answer::json(
        400,
        json!({"error": "invalid_grant", "error_description": "grant request is invalid"}),
    ));
    let err = client.handle_sign_in_callback(&s.callback).await.unwrap_err();
    let shown = format!("{err} {err:?} {client:?}");
    for secret in [&s.state, &s.nonce] {
        assert!(!shown.contains(secret.as_str()), "{shown}");
    }
    let client = signed_in_client(&op, &key).await;
    let shown = format!("{client:?}");
    assert!(!shown.contains("rt-1") && !shown.contains("at-opaque"), "{shown}");
}
