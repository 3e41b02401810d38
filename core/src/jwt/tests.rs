use serde_json::{Value, json};

use super::*;

#[path = "../../tests/support/keys.rs"]
mod keys;
use keys::{TestKey, jwks};

const ISS: &str = "https://a.logto.app/oidc";
const CLIENT: &str = "app";
const NOW: i64 = 1_800_000_000;

fn claims() -> Value {
    json!({"iss": ISS, "sub": "user_1", "aud": CLIENT, "exp": NOW + 3600, "iat": NOW, "nonce": "n-1", "name": "Alice"})
}

fn expect() -> IdTokenExpectations<'static> {
    IdTokenExpectations {
        issuer: ISS,
        client_id: CLIENT,
        nonce: Some("n-1"),
        max_age: None,
        previous: None,
        provider_algorithms: None,
        now: NOW,
        tolerance: 60,
    }
}

fn set(keys: &[&TestKey]) -> Jwks {
    serde_json::from_value(jwks(keys)).unwrap()
}

fn verify(token: &str, jwks: &Jwks, e: &IdTokenExpectations<'_>) -> Result<IdTokenClaims, String> {
    verify_id_token(token, jwks, e).map_err(|err| match err {
        VerifyError::UnknownKid => "unknown_kid".to_string(),
        VerifyError::AlgorithmNotAdvertised => "not advertised".to_string(),
        VerifyError::Time(e) => format!("time {}: {e}", e.code()),
        VerifyError::Invalid(e) => format!("{}: {e}", e.code()),
    })
}

#[test]
fn accepts_every_allowed_algorithm() {
    for key in [TestKey::es256("k"), TestKey::es384("k"), TestKey::es512("k"), TestKey::rs256("k"), TestKey::ps256("k")]
    {
        let c = verify(&key.sign(&claims()), &set(&[&key]), &expect()).unwrap_or_else(|e| panic!("{}: {e}", key.alg));
        assert_eq!(c.sub, "user_1");
        assert_eq!(c.name.as_deref(), Some("Alice"));
    }
}

#[test]
fn rejects_bad_signatures_for_every_algorithm() {
    for key in [TestKey::es256("k"), TestKey::es384("k"), TestKey::es512("k"), TestKey::rs256("k"), TestKey::ps256("k")]
    {
        let token = key.sign(&claims());
        let (input, sig) = token.rsplit_once('.').unwrap();
        let mut sig = sig.as_bytes().to_vec();
        sig[5] = if sig[5] == b'A' { b'B' } else { b'A' };
        let tampered = format!("{input}.{}", String::from_utf8(sig).unwrap());
        let err = verify(&tampered, &set(&[&key]), &expect()).unwrap_err();
        assert!(err.contains("bad signature"), "{}: {err}", key.alg);
        // Claims swapped under a valid signature.
        let other = key
            .sign(&json!({"iss": ISS, "sub": "attacker", "aud": CLIENT, "exp": NOW + 60, "iat": NOW, "nonce": "n-1"}));
        let (h, _, s) = split_jwt(&token).unwrap();
        let (_, p2, _) = split_jwt(&other).unwrap();
        assert!(verify(&format!("{h}.{p2}.{s}"), &set(&[&key]), &expect()).is_err(), "{}", key.alg);
    }
}

/// The CPU features graviola's P-384 needs, written out here rather than asked of graviola, so that the test notices
/// when the library stops choosing graviola on such a CPU (x86_64: ADX and AVX2, Intel since 2014, AMD since 2017;
/// aarch64: the crypto extensions every recent arm64 phone has).
fn cpu_has_what_graviola_needs() -> bool {
    #[cfg(target_arch = "x86_64")]
    return std::arch::is_x86_feature_detected!("adx") && std::arch::is_x86_feature_detected!("avx2");
    #[cfg(target_arch = "aarch64")]
    return std::arch::is_aarch64_feature_detected!("neon")
        && std::arch::is_aarch64_feature_detected!("aes")
        && std::arch::is_aarch64_feature_detected!("pmull")
        && std::arch::is_aarch64_feature_detected!("sha2");
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    false
}

/// ES384 is checked by graviola on CPUs it supports and by ring elsewhere: both must give the same answer for good,
/// tampered and malformed signatures and keys (and both must accept the good one and refuse the rest).
#[test]
fn es384_answers_the_same_on_graviola_and_ring() {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    use crypto::{P384Arithmetic, verify_on};

    let arithmetics = [
        P384Arithmetic::Ring,
        #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
        P384Arithmetic::Graviola,
    ];
    if cpu_has_what_graviola_needs() {
        assert_eq!(crypto::p384_arithmetic(), P384Arithmetic::Graviola, "this CPU has what graviola needs");
    }
    let point = |key: &TestKey| {
        let coordinate = |c: &str| B64.decode(key.jwk[c].as_str().unwrap()).unwrap();
        [vec![4], coordinate("x"), coordinate("y")].concat()
    };
    let key = TestKey::es384("k");
    let token = key.sign(&claims());
    let (input, signature) = token.rsplit_once('.').unwrap();
    let signature = B64.decode(signature).unwrap();
    assert_eq!(signature.len(), 96);
    // The order n of P-384: r and s must lie in [1, n - 1].
    let n =
        hex_bytes("ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973");
    let (r, s) = signature.split_at(48);
    let mut high_s = [0u8; 48];
    let mut borrow = 0i16;
    for i in (0..48).rev() {
        let d = n[i] as i16 - s[i] as i16 - borrow;
        high_s[i] = d.rem_euclid(256) as u8;
        borrow = i16::from(d < 0);
    }
    let mut signatures: Vec<(String, Vec<u8>, bool)> = vec![
        ("good".into(), signature.clone(), true),
        // (r, n - s) is valid too: neither ECDSA nor JWS requires a low s.
        ("high s".into(), [r, &high_s[..]].concat(), true),
        ("empty".into(), Vec::new(), false),
        ("95 bytes".into(), signature[..95].to_vec(), false),
        ("97 bytes".into(), [&signature[..], &[0]].concat(), false),
        ("DER length".into(), [&[0x30, 0x66][..], &signature[..]].concat(), false),
        ("r = 0".into(), [&[0u8; 48][..], s].concat(), false),
        ("s = 0".into(), [r, &[0u8; 48][..]].concat(), false),
        ("r = n".into(), [&n[..], s].concat(), false),
        ("s = n".into(), [r, &n[..]].concat(), false),
        ("all ones".into(), vec![0xff; 96], false),
        ("r and s swapped".into(), [s, r].concat(), false),
    ];
    for byte in [0, 20, 47, 48, 70, 95] {
        let mut flipped = signature.clone();
        flipped[byte] ^= 0x01;
        signatures.push((format!("bit flipped in byte {byte}"), flipped, false));
    }
    let good_point = point(&key);
    let mut off_curve = good_point.clone();
    off_curve[96] ^= 0x01;
    let keys: [(&str, Vec<u8>, bool); 5] = [
        ("the signer's key", good_point.clone(), true),
        ("another P-384 key", point(&TestKey::es384_other("o")), false),
        ("a point off the curve", off_curve, false),
        ("a compressed point", [&[2u8][..], &good_point[1..49]].concat(), false),
        ("the point at infinity", vec![0], false),
    ];
    for (key_name, key_point, signer) in &keys {
        let decoding_key = DecodingKey::from_ec_der(key_point);
        for message in [input.as_bytes(), b"another message".as_slice()] {
            for (name, signature, expected) in &signatures {
                let b64 = B64.encode(signature);
                let answers: Vec<bool> = arithmetics
                    .iter()
                    .map(|p384| verify_on(&b64, message, &decoding_key, Algorithm::ES384, *p384).unwrap())
                    .collect();
                let case = format!("{name}, {key_name}, message {}", message.len());
                assert!(answers.windows(2).all(|w| w[0] == w[1]), "{case}: {arithmetics:?} answered {answers:?}");
                let expected = *expected && *signer && message == input.as_bytes();
                assert_eq!(answers[0], expected, "{case}");
            }
        }
    }
}

fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect()
}

#[test]
fn rsa_keys_under_2048_bits_are_refused() {
    for key in [TestKey::rs256_1024("k"), TestKey::rs256_2040("k"), TestKey::ps256_2040("k")] {
        let token = key.sign(&claims());
        // The signature itself is valid: jsonwebtoken's RustCrypto back end (a test-only dependency, the process
        // default in this test binary) accepts it. Only the key length is wrong.
        let (input, signature) = token.rsplit_once('.').unwrap();
        let (n, e) = (key.jwk["n"].as_str().unwrap(), key.jwk["e"].as_str().unwrap());
        let algorithm = if key.alg == "RS256" { Algorithm::RS256 } else { Algorithm::PS256 };
        let decoding_key = DecodingKey::from_rsa_components(n, e).unwrap();
        assert!(jsonwebtoken::crypto::verify(signature, input.as_bytes(), &decoding_key, algorithm).unwrap());

        let err = verify(&token, &set(&[&key]), &expect()).unwrap_err();
        assert!(err.ends_with("RSA key shorter than 2048 bits."), "{}: {err}", key.alg);
    }
    // The 2048-bit fixture, for contrast, is accepted (accepts_every_allowed_algorithm) and sits exactly at the limit.
    let n = TestKey::rs256("k").jwk["n"].as_str().unwrap().to_string();
    let n = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, n).unwrap();
    assert_eq!(n.len(), 256);
}

#[test]
fn rejects_none_and_hmac() {
    let key = TestKey::es384("k");
    let jwks = set(&[&key]);
    let (h, p, _) =
        split_jwt(&key.sign(&claims())).map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).unwrap();
    let _ = h;
    let none_header = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, br#"{"alg":"none"}"#);
    assert!(verify(&format!("{none_header}.{p}."), &jwks, &expect()).unwrap_err().contains("not allowed"));
    // HS256 keyed with the public key's bytes (RS/HS confusion) and a published oct key: both refused.
    let hs = TestKey::hs256("k", key.jwk.to_string().as_bytes());
    let mut with_oct = jwks.clone();
    with_oct.keys.push(hs.jwk.clone());
    assert!(verify(&hs.sign(&claims()), &with_oct, &expect()).unwrap_err().contains("not allowed"));
}

#[test]
fn algorithm_must_be_advertised_and_match_the_key() {
    let key = TestKey::es384("k");
    let advertised = vec!["RS256".to_string()];
    let e = IdTokenExpectations { provider_algorithms: Some(&advertised), ..expect() };
    assert!(verify(&key.sign(&claims()), &set(&[&key]), &e).unwrap_err().contains("not advertised"));
    // An ES256 header pointing at a P-384 key is not a fitting key.
    let es256 = TestKey::es256("k");
    assert_eq!(verify(&es256.sign(&claims()), &set(&[&key]), &expect()).unwrap_err(), "unknown_kid");
}

#[test]
fn ignores_embedded_keys_and_refuses_crit() {
    let key = TestKey::es384("k");
    let attacker = TestKey::es384_other("k");
    let mut header = attacker.header();
    header["jwk"] = attacker.jwk.clone();
    header["jku"] = json!("https://evil.example/jwks");
    let token = attacker.sign_with_header(&header, &claims());
    assert!(verify(&token, &set(&[&key]), &expect()).unwrap_err().contains("bad signature"));
    let mut header = key.header();
    header["crit"] = json!(["exp"]);
    assert!(
        verify(&key.sign_with_header(&header, &claims()), &set(&[&key]), &expect()).unwrap_err().contains("critical")
    );
}

#[test]
fn key_selection_by_kid_and_without_kid() {
    let a = TestKey::es384("a");
    let b = TestKey::es384_other("b");
    assert!(verify(&b.sign(&claims()), &set(&[&a, &b]), &expect()).is_ok());
    assert_eq!(verify(&b.sign(&claims()), &set(&[&a]), &expect()).unwrap_err(), "unknown_kid");
    let no_kid = json!({"alg": "ES384"});
    // One fitting key: used. Several: refused, never guessed.
    assert!(verify(&a.sign_with_header(&no_kid, &claims()), &set(&[&a]), &expect()).is_ok());
    assert!(
        verify(&a.sign_with_header(&no_kid, &claims()), &set(&[&a, &b]), &expect()).unwrap_err().contains("several")
    );
}

#[test]
fn unparseable_and_encryption_keys_are_skipped() {
    let key = TestKey::es384("k");
    let mut jwks = set(&[&key]);
    jwks.keys.insert(0, json!({"kty": "EC", "kid": "k", "crv": "P-384"}));
    jwks.keys.insert(0, json!("garbage"));
    jwks.keys.insert(0, json!({"kty": "EC", "kid": "k", "crv": "P-384", "x": "AA", "y": "AA", "use": "enc"}));
    assert!(verify(&key.sign(&claims()), &jwks, &expect()).is_ok());
}

#[test]
fn claim_checks() {
    let key = TestKey::es384("k");
    let jwks = set(&[&key]);
    let check = |patch: Value| {
        let mut c = claims();
        for (k, v) in patch.as_object().unwrap() {
            if v.is_null() {
                c.as_object_mut().unwrap().remove(k);
            } else {
                c[k] = v.clone();
            }
        }
        verify(&key.sign(&c), &jwks, &expect())
    };
    assert!(check(json!({})).is_ok());
    assert!(check(json!({"iss": "https://b.logto.app/oidc"})).unwrap_err().contains("issuer"));
    assert!(check(json!({"aud": "other"})).unwrap_err().contains("audience"));
    assert!(check(json!({"aud": null})).is_err());
    assert!(check(json!({"aud": ["app", "other"]})).unwrap_err().contains("azp"));
    assert!(check(json!({"aud": ["app", "other"], "azp": "app"})).is_ok());
    assert!(check(json!({"azp": "other"})).unwrap_err().contains("azp"));
    assert!(check(json!({"exp": NOW - 61})).unwrap_err().contains("expired"));
    assert!(check(json!({"exp": NOW - 59})).is_ok(), "within tolerance");
    assert!(check(json!({"iat": NOW - 600})).unwrap_err().starts_with("time id_token.invalid_iat"));
    assert!(check(json!({"iat": NOW + 600})).unwrap_err().starts_with("time id_token.invalid_iat"));
    assert!(check(json!({"iat": null})).unwrap_err().contains("malformed claims"));
    assert!(check(json!({"sub": null})).unwrap_err().contains("malformed claims"));
    assert!(check(json!({"sub": ""})).unwrap_err().contains("sub"));
    assert!(check(json!({"nbf": NOW + 600})).unwrap_err().contains("not yet valid"));
    assert!(check(json!({"nonce": "other"})).unwrap_err().contains("nonce"));
    assert!(check(json!({"nonce": null})).unwrap_err().contains("nonce"));
}

fn previous() -> IdTokenClaims {
    serde_json::from_value(claims()).unwrap()
}

/// OIDC Core §12.2: same iss, sub, aud set, azp and auth_time as the session's ID token.
#[test]
fn refreshed_token_describes_the_same_authentication() {
    let key = TestKey::es384("k");
    let mut original = previous();
    original.auth_time = Some(NOW - 100);
    let e = IdTokenExpectations { nonce: None, previous: Some(&original), ..expect() };
    let mut c = claims();
    c.as_object_mut().unwrap().remove("nonce");
    c["auth_time"] = json!(NOW - 100);
    assert!(verify(&key.sign(&c), &set(&[&key]), &e).is_ok());
    let without_auth_time = {
        let mut c = c.clone();
        c.as_object_mut().unwrap().remove("auth_time");
        c
    };
    assert!(verify(&key.sign(&without_auth_time), &set(&[&key]), &e).is_ok(), "auth_time may be left out");
    for (patch, why) in [
        (json!({"sub": "user_2"}), "different sub"),
        (json!({"aud": [CLIENT, "other"], "azp": CLIENT}), "different aud"),
        (json!({"azp": CLIENT}), "different azp"),
        (json!({"auth_time": NOW - 5}), "different auth_time"),
    ] {
        let mut c = c.clone();
        for (k, v) in patch.as_object().unwrap() {
            c[k] = v.clone();
        }
        let err = verify(&key.sign(&c), &set(&[&key]), &e).unwrap_err();
        assert!(err.contains(why), "{patch}: {err}");
        assert!(!err.starts_with("time"), "a security failure, not a clock issue: {err}");
    }
    // The same aud set in another order is the same audience.
    let mut two = previous();
    two.aud = vec![CLIENT.into(), "b".into()];
    two.azp = Some(CLIENT.into());
    let e = IdTokenExpectations { nonce: None, previous: Some(&two), ..expect() };
    let mut c = claims();
    c["aud"] = json!(["b", CLIENT]);
    c["azp"] = json!(CLIENT);
    assert!(verify(&key.sign(&c), &set(&[&key]), &e).is_ok());
}

/// Clock-dependent failures are classified as such (the caller keeps a refreshed session on them); identity
/// failures win when a token fails both.
#[test]
fn time_failures_are_told_apart_from_invalid_tokens() {
    let key = TestKey::es384("k");
    let jwks = set(&[&key]);
    let skewed = |patch: Value| {
        let mut c = claims();
        for (k, v) in patch.as_object().unwrap() {
            c[k] = v.clone();
        }
        verify(&key.sign(&c), &jwks, &expect()).unwrap_err()
    };
    assert!(skewed(json!({"exp": NOW - 3600})).starts_with("time id_token.invalid_token"));
    assert!(skewed(json!({"iat": NOW + 3600})).starts_with("time id_token.invalid_iat"));
    assert!(skewed(json!({"nbf": NOW + 3600})).starts_with("time"));
    assert!(skewed(json!({"iat": NOW + 3600, "nonce": "x"})).contains("nonce"), "identity failure reported first");
}

/// Hostile numbers in claims are refused without overflowing (a debug build panics on overflow).
#[test]
fn extreme_numbers_never_overflow() {
    let key = TestKey::es384("k");
    let jwks = set(&[&key]);
    for (k, v) in [
        ("iat", i64::MIN),
        ("iat", i64::MAX),
        ("exp", i64::MIN),
        ("exp", i64::MAX),
        ("nbf", i64::MAX),
        ("nbf", i64::MIN),
        ("auth_time", i64::MIN),
        ("auth_time", i64::MAX),
    ] {
        let mut c = claims();
        c[k] = json!(v);
        let e = IdTokenExpectations { max_age: Some(u64::MAX), tolerance: i64::MAX, ..expect() };
        let _ = verify(&key.sign(&c), &jwks, &e);
        let e = IdTokenExpectations { max_age: Some(60), now: i64::MIN, ..expect() };
        let _ = verify(&key.sign(&c), &jwks, &e);
        let e = IdTokenExpectations { now: i64::MAX, tolerance: i64::MIN, ..expect() };
        let _ = verify(&key.sign(&c), &jwks, &e);
    }
    let mut c = claims();
    c["iat"] = json!(i64::MIN);
    assert!(verify(&key.sign(&c), &jwks, &expect()).unwrap_err().contains("invalid_iat"));
}

/// `max_age` (OIDC Core §3.1.2.1): `auth_time` becomes required and may not be older than max_age + tolerance.
#[test]
fn max_age_requires_a_recent_auth_time() {
    let key = TestKey::es384("k");
    let jwks = set(&[&key]);
    let e = IdTokenExpectations { max_age: Some(600), ..expect() };
    assert!(verify(&key.sign(&claims()), &jwks, &e).unwrap_err().contains("auth_time is missing"));
    let mut c = claims();
    c["auth_time"] = json!(NOW - 600 - 60);
    assert!(verify(&key.sign(&c), &jwks, &e).is_ok(), "within max_age + tolerance");
    c["auth_time"] = json!(NOW - 600 - 61);
    assert!(verify(&key.sign(&c), &jwks, &e).unwrap_err().contains("older than max_age"));
}

#[test]
fn malformed_tokens_never_panic() {
    let key = TestKey::es384("k");
    let jwks = set(&[&key]);
    for bad in ["", ".", "..", "a.b.c", "a.b", "eyJ.eyJ.sig", "\u{0}.\u{0}.\u{0}", "e30.e30.", "e30.bnVsbA.x"] {
        assert!(verify(bad, &jwks, &expect()).is_err(), "{bad:?}");
    }
}

/// Deterministic xorshift, so a failure is reproducible.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn mutated_tokens_are_rejected_without_panicking() {
    let key = TestKey::es384("k");
    let jwks = set(&[&key]);
    let valid = key.sign(&claims());
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \x00\xff";
    let mut seed = 0x9E3779B97F4A7C15u64;
    let mut accepted = 0;
    for _ in 0..3_000 {
        let mut bytes = valid.as_bytes().to_vec();
        for _ in 0..=(xorshift(&mut seed) % 4) {
            let i = (xorshift(&mut seed) as usize) % bytes.len();
            match xorshift(&mut seed) % 3 {
                0 => bytes[i] = alphabet[(xorshift(&mut seed) as usize) % alphabet.len()],
                1 => {
                    bytes.remove(i);
                }
                _ => bytes.insert(i, alphabet[(xorshift(&mut seed) as usize) % alphabet.len()]),
            }
        }
        let token = String::from_utf8_lossy(&bytes);
        if token != valid && verify(&token, &jwks, &expect()).is_ok() {
            accepted += 1;
        }
    }
    // Base64 has a few bit-equivalent spellings of the last character; anything else accepted would be a forgery.
    assert!(accepted < 5, "{accepted} mutated tokens verified");
}
