//! Writes the fuzz targets' seed corpora (fuzz/seeds/<target>/) from real answers of the dev IdP: discovery
//! document, JWKS, token responses (code exchange, refresh, resource and organization tokens), ID tokens, user info,
//! a callback URL and stored session documents. Run by `bash tools/fuzz-seeds.sh` (feature `fuzzing`, ignored
//! otherwise).
//!
//! The answers are rewritten to the fixed world of `logto_core::fuzzing` (its endpoint instead of the random port,
//! its `state` and `nonce`, token times around its `now`). ID tokens are re-signed by the fuzzing module's fixed key
//! of every allowed algorithm (the IdP's own key is not in the fixed JWKS); the originals are kept as raw-mode seeds.

mod support;

use std::path::PathBuf;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use logto_core::fuzzing::{self, ENDPOINT, NONCE, NOW, STATE};
use logto_core::{ALLOWED_ALGORITHMS, MemoryStorage, Storage};
use serde_json::{Value, json};
use support::idp::{API_RESOURCE, APP_ID, Browser, DevIdp, REDIRECT_URI, signed_in};

struct Seeds {
    root: PathBuf,
    endpoint: String,
}

impl Seeds {
    /// The dev IdP's random endpoint replaced by the fixed one (plain and percent-encoded, as in a callback URL).
    fn canon(&self, text: &str) -> String {
        let encoded = |s: &str| s.replace(':', "%3A").replace('/', "%2F");
        text.replace(&self.endpoint, ENDPOINT).replace(&encoded(&self.endpoint), &encoded(ENDPOINT))
    }

    fn save(&self, target: &str, name: &str, data: &[u8]) {
        let dir = self.root.join(target);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), data).unwrap();
        println!("fuzz/seeds/{target}/{name} ({} bytes)", data.len());
    }

    fn save_text(&self, target: &str, name: &str, text: &str) {
        self.save(target, name, self.canon(text).as_bytes());
    }

    /// A real ID token: kept as a raw-mode input, and its claims (moved to the fixed world) signed with each fixed
    /// key as a structured input.
    fn id_token(&self, name: &str, token: &str, flags: u8) {
        self.save("id_token", &format!("{name}-raw.txt"), &[&[0u8][..], token.as_bytes()].concat());
        let payload = token.split('.').nth(1).unwrap();
        let mut claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        let shift = NOW - claims["iat"].as_i64().unwrap();
        for time in ["iat", "exp", "auth_time"] {
            if let Some(t) = claims[time].as_i64() {
                claims[time] = json!(t + shift);
            }
        }
        if claims.get("nonce").is_some() {
            claims["nonce"] = json!(NONCE);
        }
        let payload = self.canon(&claims.to_string());
        for (i, alg) in ALLOWED_ALGORITHMS.iter().enumerate() {
            let header = json!({"alg": alg, "kid": alg.to_lowercase(), "typ": "JWT"}).to_string();
            let input = fuzzing::id_token_input(1, i as u8, flags, header.as_bytes(), payload.as_bytes(), b"");
            self.save("id_token", &format!("{name}-{}.bin", alg.to_lowercase()), &input);
        }
    }
}

async fn text(request: reqwest::RequestBuilder) -> String {
    let response = request.send().await.unwrap();
    let status = response.status();
    let body = response.text().await.unwrap();
    assert!(status.is_success(), "{status}: {body}");
    body
}

fn field(json: &str, name: &str) -> String {
    let v: Value = serde_json::from_str(json).unwrap();
    v[name].as_str().unwrap_or_else(|| panic!("no {name} in {json}")).to_string()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "writes fuzz/seeds from the dev IdP: bash tools/fuzz-seeds.sh"]
async fn save_fuzz_seeds() {
    let idp = DevIdp::start(&[]);
    let seeds =
        Seeds { root: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/seeds"), endpoint: idp.endpoint.clone() };
    let http = reqwest::Client::new();
    let issuer = idp.issuer();

    let discovery = text(http.get(format!("{issuer}/.well-known/openid-configuration"))).await;
    seeds.save_text("discovery", "dev-idp.json", &discovery);
    let jwks = text(http.get(field(&discovery, "jwks_uri"))).await;
    seeds.save_text("jwks", "dev-idp.json", &jwks);
    seeds.save_text("jwks", "fixed.json", &fuzzing::fixed_jwks().to_string());

    // A sign-in whose code this test redeems itself, to keep the token endpoint's answers as they were sent.
    let storage = Arc::new(MemoryStorage::new());
    let client = idp.client(storage.clone());
    let callback = Browser::new().sign_in(&client, "alice").await;
    let key = format!("logto:{APP_ID}");
    let pending_document = storage.get(&key).unwrap().unwrap();
    let document: Value = serde_json::from_str(&pending_document).unwrap();
    let pending = &document["pending_sign_in"];
    let state = pending["state"].as_str().unwrap();
    let pending_document = pending_document.replace(state, STATE);
    seeds.save_text("session_document", "pending-sign-in.json", &pending_document);
    seeds.save_text("callback", "dev-idp.txt", &callback.replace(state, STATE));
    let code = url::Url::parse(&callback)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let token_endpoint = format!("{issuer}/token");
    let exchanged = text(http.post(&token_endpoint).form(&[
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT_URI),
        ("client_id", APP_ID),
        ("code_verifier", pending["code_verifier"].as_str().unwrap()),
    ]))
    .await;
    seeds.save_text("token_response", "code-exchange.json", &exchanged);
    seeds.id_token("code-exchange", &field(&exchanged, "id_token"), 1);
    let user_info = text(http.get(format!("{issuer}/me")).bearer_auth(field(&exchanged, "access_token"))).await;
    seeds.save_text("userinfo", "alice.json", &user_info);

    let refresh = |refresh_token: String, extra: Option<(&'static str, &'static str)>| {
        let mut form = vec![("grant_type", "refresh_token"), ("client_id", APP_ID)];
        form.extend(extra);
        let request =
            http.post(&token_endpoint).form(&[form, vec![("refresh_token", refresh_token.as_str())]].concat());
        text(request)
    };
    let refreshed = refresh(field(&exchanged, "refresh_token"), None).await;
    seeds.save_text("token_response", "refresh.json", &refreshed);
    // A refresh-issued ID token: no nonce; compared with the session's claims.
    seeds.id_token("refresh", &field(&refreshed, "id_token"), 1 | 2 | 4);
    let resource = refresh(field(&refreshed, "refresh_token"), Some(("resource", API_RESOURCE))).await;
    seeds.save_text("token_response", "resource.json", &resource);
    seeds.save_text("userinfo", "resource-access-token.txt", &field(&resource, "access_token"));
    let organization = refresh(field(&resource, "refresh_token"), Some(("organization_id", "org-1"))).await;
    seeds.save_text("token_response", "organization.json", &organization);
    seeds.save_text("userinfo", "organization-access-token.txt", &field(&organization, "access_token"));
    let error = http
        .post(&token_endpoint)
        .form(&[("grant_type", "refresh_token"), ("client_id", APP_ID), ("refresh_token", "nope")])
        .send()
        .await
        .unwrap();
    assert!(!error.status().is_success());
    seeds.save_text("token_response", "error.json", &error.text().await.unwrap());

    // The document the client stores after a complete sign-in with resource and organization tokens.
    let storage = Arc::new(MemoryStorage::new());
    let client = idp.client(storage.clone());
    signed_in(&client, "alice").await;
    client.get_access_token(Some(API_RESOURCE), None).await.unwrap();
    client.get_organization_token("org-1").await.unwrap();
    client.fetch_user_info().await.unwrap();
    let stored = storage.get(&key).unwrap().unwrap();
    seeds.save_text("session_document", "signed-in.json", &stored);
    // The same session as the first release (version 1) wrote it.
    let mut v1: Value = serde_json::from_str(&stored).unwrap();
    let object = v1.as_object_mut().unwrap();
    object.insert("version".into(), json!(1));
    object.remove("min_reader_version");
    object.remove("pending_revocations");
    object["provider"].as_object_mut().unwrap().remove("jwks_fetched_at");
    seeds.save_text("session_document", "signed-in-v1.json", &v1.to_string());
}
