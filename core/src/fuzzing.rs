//! Entry points for the coverage-guided fuzz targets in `fuzz/` (feature `fuzzing`, off by default) and for the
//! regression test below, which replays every saved input of `fuzz/regressions/<target>/`. Not an API.
//!
//! Each entry point feeds untrusted bytes to the real internal parser or check with fixed expectations and returns
//! whether the input was accepted. None may panic; where a property is checked (a round trip, a bound), a broken
//! property panics, which the fuzzer reports as a crash.

use std::sync::LazyLock;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use reqwest::StatusCode;

use crate::callback::{CallbackExpectations, parse_callback};
use crate::claims::{IdTokenClaims, UserInfo, decode_access_token_claims};
use crate::discovery::ProviderMetadata;
use crate::http::{error_from_status, parse_json};
use crate::jwt::{ALLOWED_ALGORITHMS, IdTokenExpectations, Jwks, select_key, signature_valid, verify_id_token};
use crate::session::Document;
use crate::token_response::TokenResponse;

/// The fixed world the inputs are checked against; `tools/fuzz-seeds.sh` rewrites the dev IdP's real responses to
/// it (its endpoint, the pending sign-in's `state` and `nonce`, the token times).
pub const ENDPOINT: &str = "http://127.0.0.1:3001";
pub const ISSUER: &str = "http://127.0.0.1:3001/oidc";
pub const CLIENT_ID: &str = "dev-native-app";
pub const REDIRECT_URI: &str = "com.example.app://callback";
pub const STATE: &str = "fuzz-state";
pub const NONCE: &str = "fuzz-nonce";
/// "Now" for every time check (2027-01-15).
pub const NOW: i64 = 1_800_000_000;
const TOLERANCE: i64 = 300;

/// An entry point: true when the input was accepted.
pub type Target = fn(&[u8]) -> bool;

/// Every target, by the name of its `fuzz/fuzz_targets/<name>.rs`.
pub const TARGETS: [(&str, Target); 7] = [
    ("callback", callback),
    ("id_token", id_token),
    ("jwks", jwks),
    ("discovery", discovery),
    ("token_response", token_response),
    ("userinfo", userinfo),
    ("session_document", session_document),
];

/// The redirect after the browser: [`parse_callback`] against the pending sign-in, with and without RFC 9207 `iss`
/// being required.
pub fn callback(data: &[u8]) -> bool {
    let url = String::from_utf8_lossy(data);
    let mut accepted = false;
    for iss_required in [false, true] {
        let expect = CallbackExpectations { redirect_uri: REDIRECT_URI, state: STATE, issuer: ISSUER, iss_required };
        if let Ok(response) = parse_callback(&url, &expect) {
            assert!(!response.code.is_empty(), "an accepted callback has a code");
            accepted = true;
        }
    }
    accepted
}

/// A signing key of the fixed JWKS: its header values and a signer (the fuzzer cannot forge signatures, so the
/// structured mode signs what it made, to reach the claim checks behind the signature check).
struct Key {
    jwk: serde_json::Value,
    sign: Signer,
}

type Signer = Box<dyn Fn(&[u8]) -> Vec<u8> + Send + Sync>;

fn pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(body).expect("fixture PEM")
}

fn ec_key(alg: &'static str, crv: &str, pem: &str, signing: &'static ring::signature::EcdsaSigningAlgorithm) -> Key {
    let rng = ring::rand::SystemRandom::new();
    let pair = ring::signature::EcdsaKeyPair::from_pkcs8(signing, &pem_der(pem), &rng).expect("fixture EC key");
    let point = ring::signature::KeyPair::public_key(&pair).as_ref().to_vec();
    let half = (point.len() - 1) / 2;
    let kid = alg_kid(alg);
    let jwk = serde_json::json!({"kty": "EC", "crv": crv, "kid": kid, "use": "sig", "alg": alg,
        "x": URL_SAFE_NO_PAD.encode(&point[1..1 + half]), "y": URL_SAFE_NO_PAD.encode(&point[1 + half..])});
    let sign = move |m: &[u8]| pair.sign(&rng, m).expect("ECDSA signing").as_ref().to_vec();
    Key { jwk, sign: Box::new(sign) }
}

fn rsa_key(alg: &'static str, padding: &'static dyn ring::signature::RsaEncoding) -> Key {
    let pair = ring::signature::RsaKeyPair::from_pkcs8(&pem_der(include_str!("../tests/fixtures/rsa.pem")))
        .expect("fixture RSA key");
    let public = ring::rsa::PublicKeyComponents::<Vec<u8>>::from(pair.public());
    let kid = alg_kid(alg);
    let jwk = serde_json::json!({"kty": "RSA", "kid": kid, "use": "sig", "alg": alg,
        "n": URL_SAFE_NO_PAD.encode(&public.n), "e": URL_SAFE_NO_PAD.encode(&public.e)});
    let sign = move |m: &[u8]| {
        let mut signature = vec![0; pair.public().modulus_len()];
        pair.sign(padding, &ring::rand::SystemRandom::new(), m, &mut signature).expect("RSA signing");
        signature
    };
    Key { jwk, sign: Box::new(sign) }
}

fn es512_key() -> Key {
    use p521::ecdsa::signature::hazmat::PrehashSigner;
    // A fixed scalar below the P-521 group order.
    let key = p521::ecdsa::SigningKey::from_slice(&[1; 66]).expect("fixed P-521 scalar");
    let point = p521::ecdsa::VerifyingKey::from(&key).to_sec1_point(false);
    let jwk = serde_json::json!({"kty": "EC", "crv": "P-521", "kid": "es512", "use": "sig", "alg": "ES512",
        "x": URL_SAFE_NO_PAD.encode(point.x().expect("x")), "y": URL_SAFE_NO_PAD.encode(point.y().expect("y"))});
    let sign = move |m: &[u8]| {
        let digest = ring::digest::digest(&ring::digest::SHA512, m);
        let signature: p521::ecdsa::Signature = key.sign_prehash(digest.as_ref()).expect("ES512 signing");
        signature.to_bytes().to_vec()
    };
    Key { jwk, sign: Box::new(sign) }
}

fn alg_kid(alg: &str) -> &'static str {
    match alg {
        "ES256" => "es256",
        "ES384" => "es384",
        "RS256" => "rs256",
        _ => "ps256",
    }
}

/// One key per allowed algorithm, in [`ALLOWED_ALGORITHMS`] order; `kid` is the algorithm in lower case.
static KEYS: LazyLock<Vec<Key>> = LazyLock::new(|| {
    use ring::signature as s;
    vec![
        ec_key("ES256", "P-256", include_str!("../tests/fixtures/es256.pem"), &s::ECDSA_P256_SHA256_FIXED_SIGNING),
        ec_key("ES384", "P-384", include_str!("../tests/fixtures/es384.pem"), &s::ECDSA_P384_SHA384_FIXED_SIGNING),
        es512_key(),
        rsa_key("RS256", &s::RSA_PKCS1_SHA256),
        rsa_key("PS256", &s::RSA_PSS_SHA256),
    ]
});

/// The fixed JWKS (the public halves of [`KEYS`]).
pub fn fixed_jwks() -> serde_json::Value {
    serde_json::json!({ "keys": KEYS.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>() })
}

static JWKS: LazyLock<Jwks> = LazyLock::new(|| serde_json::from_value(fixed_jwks()).expect("fixed JWKS"));

/// The session's ID token claims that a refresh-issued token is compared with (OIDC Core §12.2).
static PREVIOUS: LazyLock<IdTokenClaims> = LazyLock::new(|| {
    serde_json::from_value(serde_json::json!({"iss": ISSUER, "sub": "user_alice", "aud": CLIENT_ID,
        "exp": NOW + 3600, "iat": NOW - 60, "auth_time": NOW - 60}))
    .expect("previous claims")
});

/// The structured mode's signature: by `KEYS[key]`, or, when the header names an allowed algorithm, by that
/// algorithm's key. Signing costs a millisecond or more (ES512: more), so nothing is signed when verification cannot
/// get past the header or the claims anyway (not JSON): the fuzzer then spends its time on the parsers.
fn sign(header: &[u8], payload: &[u8], key: u8, input: &[u8]) -> Vec<u8> {
    let alg = serde_json::from_slice::<serde_json::Value>(header)
        .ok()
        .and_then(|h| h.get("alg")?.as_str().map(str::to_string));
    let Some(alg) = alg.filter(|a| ALLOWED_ALGORITHMS.contains(&a.as_str())) else { return Vec::new() };
    if serde_json::from_slice::<serde::de::IgnoredAny>(payload).is_err() {
        return Vec::new();
    }
    let by_alg = ALLOWED_ALGORITHMS.iter().position(|a| *a == alg).unwrap_or_default();
    let index = if key & 0x80 == 0 { by_alg } else { usize::from(key) % KEYS.len() };
    (KEYS[index].sign)(input)
}

/// A structured `id_token` input: `[mode, key, flags] header 0x00 payload 0x00 signature` (see [`id_token`]).
pub fn id_token_input(mode: u8, key: u8, flags: u8, header: &[u8], payload: &[u8], signature: &[u8]) -> Vec<u8> {
    [&[mode, key, flags][..], header, &[0], payload, &[0], signature].concat()
}

/// ID-token verification ([`verify_id_token`]) against [`fixed_jwks`]: every allowed algorithm, fixed expectations
/// and a fixed `now`. The first byte picks the mode:
/// - `% 4 == 0`: the rest is the compact token, as text;
/// - otherwise `[mode, key, flags]`, then the header JSON bytes, `0x00`, the payload bytes, `0x00`, signature bytes.
///   Header and payload are base64url-encoded as given (any bytes). Mode `% 4 == 1` signs (see [`sign`]: with the
///   header algorithm's key, or with `KEYS[key % 5]` when `key & 0x80`), so that the claim checks are reached; `2` uses the signature bytes base64url-encoded; `3` uses them as the text.
///   `flags` choose the expectations: bit 0 the provider advertises the algorithms, bit 1 no nonce (a refresh),
///   bit 2 the previous claims (a refresh), bit 3 `max_age` was requested.
pub fn id_token(data: &[u8]) -> bool {
    let Some((&mode, rest)) = data.split_first() else { return false };
    let (token, flags) = if mode % 4 == 0 {
        (String::from_utf8_lossy(rest).into_owned(), 0)
    } else {
        let [key, flags, rest @ ..] = rest else { return false };
        let mut parts = rest.splitn(3, |b| *b == 0);
        let (header, payload, signature) =
            (parts.next().unwrap_or_default(), parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
        let input = format!("{}.{}", URL_SAFE_NO_PAD.encode(header), URL_SAFE_NO_PAD.encode(payload));
        let signature = match mode % 4 {
            1 => URL_SAFE_NO_PAD.encode(sign(header, payload, *key, input.as_bytes())),
            2 => URL_SAFE_NO_PAD.encode(signature),
            _ => String::from_utf8_lossy(signature).into_owned(),
        };
        (format!("{input}.{signature}"), *flags)
    };
    let advertised: Vec<String> = ALLOWED_ALGORITHMS.iter().map(|a| a.to_string()).collect();
    let expect = IdTokenExpectations {
        issuer: ISSUER,
        client_id: CLIENT_ID,
        nonce: (flags & 2 == 0).then_some(NONCE),
        max_age: (flags & 8 != 0).then_some(3600),
        previous: (flags & 4 != 0).then_some(&*PREVIOUS),
        provider_algorithms: (flags & 1 != 0).then_some(&advertised[..]),
        now: NOW,
        tolerance: TOLERANCE,
    };
    match verify_id_token(&token, &JWKS, &expect) {
        Ok(claims) => {
            assert_eq!(claims.iss, ISSUER);
            assert!(claims.aud.iter().any(|a| a == CLIENT_ID));
            true
        }
        Err(_) => false,
    }
}

/// JWKS parsing and key selection: for every allowed algorithm, the key picked without a `kid` and by each `kid`
/// of the set is built and tried with an all-zero signature, which must never verify.
pub fn jwks(data: &[u8]) -> bool {
    let Ok(set) = parse_json::<Jwks>(StatusCode::OK, data, "JWKS") else { return false };
    let kids: Vec<Option<String>> = std::iter::once(None)
        .chain(set.keys.iter().take(3).map(|k| k.get("kid").and_then(|k| k.as_str()).map(str::to_string)))
        .collect();
    let mut usable = false;
    for alg in ALLOWED_ALGORITHMS {
        let zero_signature = URL_SAFE_NO_PAD.encode(vec![0; signature_len(alg)]);
        for kid in &kids {
            if let Ok(key) = select_key(&set, alg, kid.as_deref()) {
                let verified = signature_valid(alg, &key, b"e30.e30", &zero_signature);
                assert!(!matches!(verified, Ok(true)), "an all-zero {alg} signature verified");
                usable |= verified.is_ok();
            }
        }
    }
    usable
}

fn signature_len(alg: &str) -> usize {
    match alg {
        "ES256" => 64,
        "ES384" => 96,
        "ES512" => 132,
        _ => 256,
    }
}

/// The discovery document: parsed as the HTTP layer does, then validated against the fixed issuer and against its
/// own (so that the endpoint checks are reached whatever the issuer).
pub fn discovery(data: &[u8]) -> bool {
    let Ok(metadata) = parse_json::<ProviderMetadata>(StatusCode::OK, data, "discovery") else { return false };
    let accepted = metadata.validate(ISSUER).is_ok();
    let _ = metadata.validate(&metadata.issuer);
    accepted
}

/// The token endpoint's answer: parsed as the HTTP layer does (and as an OAuth error body of a 400), checked, and
/// turned into a cache entry at a normal and at extreme request times.
pub fn token_response(data: &[u8]) -> bool {
    let _ = error_from_status(StatusCode::BAD_REQUEST, data);
    let Ok(response) = parse_json::<TokenResponse>(StatusCode::OK, data, "token") else { return false };
    let accepted = response.check().is_ok();
    for requested_at in [NOW, 0, i64::MIN, i64::MAX] {
        let entry = response.access_token_entry(requested_at);
        assert!(entry.expires_at >= entry.issued_at, "an access token expires before it was issued");
        let _ = entry.is_fresh(NOW, 60);
    }
    accepted
}

/// `/oidc/me` and JWT access-token claims: the bytes as a user-info body, as a compact token, and as the payload
/// of one.
pub fn userinfo(data: &[u8]) -> bool {
    let accepted = parse_json::<UserInfo>(StatusCode::OK, data, "user info").is_ok();
    let _ = decode_access_token_claims(&String::from_utf8_lossy(data));
    let _ = decode_access_token_claims(&format!("e30.{}.", URL_SAFE_NO_PAD.encode(data)));
    accepted
}

/// The stored session document: parsed (and migrated), written back, parsed again; the second write must equal the
/// first (no field lost, changed or made unreadable by our own write), but for the last bits of floats, see
/// [`same_json`].
pub fn session_document(data: &[u8]) -> bool {
    let Ok(raw) = std::str::from_utf8(data) else { return false };
    let Ok(document) = Document::parse(raw, ISSUER) else { return false };
    let written = serde_json::to_string(&document).expect("a parsed document serialises");
    let reread = Document::parse(&written, ISSUER).unwrap_or_else(|e| panic!("our own write is {e:?}: {written}"));
    let rewritten = serde_json::to_string(&reread).expect("a parsed document serialises");
    if written != rewritten {
        let value = |s: &str| serde_json::from_str::<serde_json::Value>(s).expect("our own write is JSON");
        assert!(
            same_json(&value(&written), &value(&rewritten)),
            "round trip changed the document:\n{written}\n{rewritten}"
        );
    }
    true
}

/// Equal JSON, except that two floats may differ in their last bits. serde_json without its `float_roundtrip`
/// feature parses some decimal floats (`1796e115`) one ULP away from the value it prints them for, so a float in a
/// field kept as raw JSON (a newer SDK's unknown field, a JWK member) can move by an ULP each time the document is
/// rewritten (found by this target: fuzz/regressions/session_document/). The SDK itself writes no floats; the
/// feature would cost part of the native library's last 21 KB of size budget, so this is accepted, not fixed.
fn same_json(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() && y.is_f64() => {
            let (x, y) = (x.as_f64().unwrap_or_default(), y.as_f64().unwrap_or_default());
            x == y || (x.is_sign_negative() == y.is_sign_negative() && x.to_bits().abs_diff(y.to_bits()) <= 4)
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn inputs(kind: &str, target: &str) -> Vec<(PathBuf, Vec<u8>)> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz").join(kind).join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
        let mut files: Vec<PathBuf> = entries
            .map(|e| e.expect("directory entry").path())
            .filter(|p| p.is_file() && !p.file_name().is_some_and(|n| n.to_string_lossy().ends_with(".md")))
            .collect();
        files.sort();
        files.into_iter().map(|p| (p.clone(), std::fs::read(&p).expect("readable input"))).collect()
    }

    /// Every crash the fuzzer ever found (saved by `tools/fuzz.sh` to `fuzz/regressions/<target>/`) stays fixed.
    #[test]
    fn saved_fuzz_regressions_stay_fixed() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/regressions");
        for entry in std::fs::read_dir(&dir).expect("fuzz/regressions exists") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                assert!(TARGETS.iter().any(|(t, _)| *t == name), "fuzz/regressions/{name}: no such target");
            }
        }
        for (target, run) in TARGETS {
            for (path, data) in inputs("regressions", target) {
                eprintln!("replaying {}", path.display());
                run(&data);
            }
        }
    }

    /// The committed seeds run without a panic, and the real dev-IdP answers among them pass the checks of the fixed
    /// world (so the fuzzer starts from inputs that reach the deepest checks).
    #[test]
    fn seeds_reach_the_deep_paths() {
        for (target, run) in TARGETS {
            let seeds = inputs("seeds", target);
            assert!(!seeds.is_empty(), "fuzz/seeds/{target} is empty");
            let accepted = seeds.iter().filter(|(_, data)| run(data)).count();
            assert!(accepted > 0, "no seed of {target} is accepted");
        }
        // Every re-signed dev-IdP ID token passes verification, whatever the algorithm (the hand-made `extreme-*` seeds,
        // with times at the ends of i64, are refused).
        for (path, data) in inputs("seeds", "id_token") {
            let name = path.file_name().unwrap().to_string_lossy();
            if (name.starts_with("code-exchange-") || name.starts_with("refresh-")) && name.ends_with(".bin") {
                assert!(id_token(&data), "{} is refused", path.display());
            }
        }
    }

    #[test]
    fn every_algorithm_signs_and_verifies() {
        for (i, key) in KEYS.iter().enumerate() {
            let alg = ALLOWED_ALGORITHMS[i];
            assert_eq!(key.jwk["alg"], alg);
            let header = serde_json::json!({"alg": alg, "kid": key.jwk["kid"]}).to_string();
            let payload = serde_json::json!({"iss": ISSUER, "sub": "u", "aud": CLIENT_ID, "exp": NOW + 60,
                "iat": NOW, "nonce": NONCE})
            .to_string();
            let input = id_token_input(1, i as u8, 1, header.as_bytes(), payload.as_bytes(), b"");
            assert!(id_token(&input), "{alg}");
            let forged = id_token_input(2, i as u8, 1, header.as_bytes(), payload.as_bytes(), &[7; 64]);
            assert!(!id_token(&forged), "{alg}");
        }
    }
}
