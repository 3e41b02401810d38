//! ID-token verification (OIDC Core §3.1.3.7 and §12.2) against the provider's JWKS.
//!
//! Signatures are checked with jsonwebtoken on ring (ES256, ES384, RS256, PS256; see `crypto.rs`) and, for ES512,
//! which neither jsonwebtoken nor ring implements, with RustCrypto's `p521`. Only those five algorithms are accepted:
//! `none` and every `HS*` are refused (a public client has no secret, and accepting HMAC would allow RS/HS key
//! confusion); RSA keys under 2048 bits are refused. Keys embedded in the header (`jwk`, `jku`, `x5u`) are never
//! used, and unknown `crit` extensions are refused.

use jsonwebtoken::{Algorithm, DecodingKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::claims::{IdTokenClaims, decode_segment, split_jwt};
use crate::error::LogtoError;

mod crypto;

/// The algorithms the SDK accepts, whatever the server says.
pub const ALLOWED_ALGORITHMS: [&str; 5] = ["ES256", "ES384", "ES512", "RS256", "PS256"];

/// A JSON Web Key Set as served by `jwks_uri`. Entries are kept raw: keys we cannot use (other key types, broken
/// entries) are skipped at selection time instead of failing the whole set (OIDF `IgnoresUnparseableKeyInJwks`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Jwks {
    pub keys: Vec<Value>,
}

/// The members of a JWK we read.
#[derive(Debug, Deserialize)]
pub(crate) struct Jwk {
    kty: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default, rename = "use")]
    key_use: Option<String>,
    #[serde(default)]
    alg: Option<String>,
    #[serde(default)]
    crv: Option<String>,
    #[serde(default)]
    x: Option<String>,
    #[serde(default)]
    y: Option<String>,
    #[serde(default)]
    n: Option<String>,
    #[serde(default)]
    e: Option<String>,
}

#[derive(Debug, Deserialize)]
struct JwsHeader {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    crit: Option<Value>,
}

/// Why verification failed. The caller decides what each means for the session.
#[derive(Debug)]
pub(crate) enum VerifyError {
    /// No key in the JWKS fits (unknown `kid`): the provider may have rotated keys since the JWKS was cached.
    UnknownKid,
    /// The algorithm is allowed but not in the (cached) list the provider advertises: it may have added a key type.
    AlgorithmNotAdvertised,
    /// `exp`, `nbf`, `iat` or `auth_time` is off by more than the clock tolerance: often the device's clock.
    Time(LogtoError),
    /// Anything else: wrong issuer, audience, subject, nonce, signature…
    Invalid(LogtoError),
}

impl From<LogtoError> for VerifyError {
    fn from(e: LogtoError) -> Self {
        VerifyError::Invalid(e)
    }
}

impl VerifyError {
    /// The error to report when nothing more can be tried.
    pub fn into_error(self) -> LogtoError {
        match self {
            VerifyError::UnknownKid => LogtoError::id_token("no key matches the token"),
            VerifyError::AlgorithmNotAdvertised => {
                LogtoError::id_token("signing algorithm not advertised by the provider")
            }
            VerifyError::Time(e) | VerifyError::Invalid(e) => e,
        }
    }
}

fn invalid(reason: &str) -> VerifyError {
    VerifyError::Invalid(LogtoError::id_token(reason))
}

fn time(reason: &str) -> VerifyError {
    VerifyError::Time(LogtoError::id_token(reason))
}

/// What the ID token must satisfy.
#[derive(Debug, Clone)]
pub(crate) struct IdTokenExpectations<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    /// The nonce sent in the authorization request; `None` for refresh-issued tokens (§12.2 has no nonce rule).
    pub nonce: Option<&'a str>,
    /// `max_age` sent in the authorization request: `auth_time` is then required and at most this old (§3.1.2.1).
    pub max_age: Option<u64>,
    /// For refresh-issued tokens: the claims of the session's current ID token (§12.2: same `iss`, `sub`, `aud`,
    /// `azp`, and `auth_time` of the original authentication).
    pub previous: Option<&'a IdTokenClaims>,
    /// `id_token_signing_alg_values_supported` from discovery, if advertised.
    pub provider_algorithms: Option<&'a [String]>,
    pub now: i64,
    pub tolerance: i64,
}

/// Verifies signature and claims; returns the claims.
pub(crate) fn verify_id_token(
    token: &str,
    jwks: &Jwks,
    expect: &IdTokenExpectations<'_>,
) -> Result<IdTokenClaims, VerifyError> {
    let (header_b64, payload_b64, signature_b64) = split_jwt(token).ok_or_else(|| invalid("not a compact JWS"))?;
    let header: JwsHeader = decode_segment(header_b64).ok_or_else(|| invalid("malformed header"))?;
    if header.crit.is_some() {
        return Err(invalid("unsupported critical header"));
    }
    let alg = header.alg.as_str();
    if !ALLOWED_ALGORITHMS.contains(&alg) {
        return Err(invalid("signing algorithm not allowed"));
    }
    if let Some(advertised) = expect.provider_algorithms
        && !advertised.iter().any(|a| a == alg)
    {
        return Err(VerifyError::AlgorithmNotAdvertised);
    }
    let key = select_key(jwks, alg, header.kid.as_deref())?;
    let signing_input = &token[..header_b64.len() + 1 + payload_b64.len()];
    if !signature_valid(alg, &key, signing_input.as_bytes(), signature_b64)? {
        return Err(invalid("bad signature"));
    }
    let claims: IdTokenClaims = decode_segment(payload_b64).ok_or_else(|| invalid("malformed claims"))?;
    check_claims(&claims, expect)?;
    Ok(claims)
}

/// Picks the verification key: by `kid` when the header has one, else the only key that fits the algorithm
/// (OIDF `kid-absent-single-jwks`); several fitting keys without a `kid` are refused rather than guessed.
pub(crate) fn select_key(jwks: &Jwks, alg: &str, kid: Option<&str>) -> Result<Jwk, VerifyError> {
    let mut fitting =
        jwks.keys.iter().filter_map(|v| serde_json::from_value::<Jwk>(v.clone()).ok()).filter(|k| key_fits(k, alg));
    match kid {
        Some(kid) => fitting.find(|k| k.kid.as_deref() == Some(kid)).ok_or(VerifyError::UnknownKid),
        None => {
            let candidates: Vec<Jwk> = fitting.collect();
            match candidates.len() {
                0 => Err(VerifyError::UnknownKid),
                1 => Ok(candidates.into_iter().next().expect("one candidate")),
                _ => Err(invalid("no kid and several candidate keys")),
            }
        }
    }
}

fn key_fits(key: &Jwk, alg: &str) -> bool {
    if key.key_use.as_deref().is_some_and(|u| u != "sig") || key.alg.as_deref().is_some_and(|a| a != alg) {
        return false;
    }
    let curve = match alg {
        "ES256" => Some("P-256"),
        "ES384" => Some("P-384"),
        "ES512" => Some("P-521"),
        _ => None,
    };
    match curve {
        Some(crv) => key.kty == "EC" && key.crv.as_deref() == Some(crv) && key.x.is_some() && key.y.is_some(),
        None => key.kty == "RSA" && key.n.is_some() && key.e.is_some(),
    }
}

pub(crate) fn signature_valid(alg: &str, key: &Jwk, message: &[u8], signature_b64: &str) -> Result<bool, VerifyError> {
    let bad_key = |_| invalid("unusable JWK");
    let (x, y) = (key.x.as_deref().unwrap_or_default(), key.y.as_deref().unwrap_or_default());
    let (algorithm, decoding_key) = match alg {
        "ES512" => return Ok(crypto::verify_es512(x, y, message, signature_b64)),
        "ES256" => (Algorithm::ES256, DecodingKey::from_ec_components(x, y).map_err(bad_key)?),
        "ES384" => (Algorithm::ES384, DecodingKey::from_ec_components(x, y).map_err(bad_key)?),
        "RS256" | "PS256" => {
            let (n, e) = (key.n.as_deref().unwrap_or_default(), key.e.as_deref().unwrap_or_default());
            let algorithm = if alg == "RS256" { Algorithm::RS256 } else { Algorithm::PS256 };
            (algorithm, DecodingKey::from_rsa_components(n, e).map_err(bad_key)?)
        }
        _ => return Err(invalid("signing algorithm not allowed")),
    };
    crypto::verify(signature_b64, message, &decoding_key, algorithm).map_err(|e| match e {
        crypto::KeyError::RsaTooShort => invalid("RSA key shorter than 2048 bits"),
        crypto::KeyError::Unusable => invalid("unusable JWK"),
    })
}

fn check_claims(c: &IdTokenClaims, expect: &IdTokenExpectations<'_>) -> Result<(), VerifyError> {
    if c.iss != expect.issuer {
        return Err(invalid("issuer mismatch"));
    }
    if c.sub.is_empty() {
        return Err(invalid("missing sub"));
    }
    if !c.aud.iter().any(|a| a == expect.client_id) {
        return Err(invalid("audience does not contain the client id"));
    }
    // §3.1.3.7 rules 4–5: with several audiences `azp` is required; when present it must be us.
    if c.aud.len() > 1 && c.azp.is_none() {
        return Err(invalid("multiple audiences without azp"));
    }
    if c.azp.as_deref().is_some_and(|azp| azp != expect.client_id) {
        return Err(invalid("azp is not the client id"));
    }
    if let Some(nonce) = expect.nonce
        && c.nonce.as_deref() != Some(nonce)
    {
        return Err(invalid("nonce mismatch"));
    }
    if let Some(previous) = expect.previous {
        check_refreshed(c, previous)?;
    }
    if expect.max_age.is_some() && c.auth_time.is_none() {
        return Err(invalid("max_age was requested but auth_time is missing"));
    }
    // Time checks last, so that a token failing both kinds of check is reported as invalid, not as a clock issue.
    // Untrusted numbers: every comparison saturates instead of overflowing.
    let (now, tol) = (expect.now, expect.tolerance);
    if now > c.exp.saturating_add(tol) {
        return Err(time("expired"));
    }
    if c.nbf.is_some_and(|nbf| nbf > now.saturating_add(tol)) {
        return Err(time("not yet valid"));
    }
    if now.abs_diff(c.iat) > tol.unsigned_abs() {
        return Err(VerifyError::Time(LogtoError::IdTokenInvalidIat));
    }
    if let (Some(max_age), Some(auth_time)) = (expect.max_age, c.auth_time) {
        let limit = i64::try_from(max_age).unwrap_or(i64::MAX).saturating_add(tol);
        if now.saturating_sub(auth_time) > limit {
            return Err(time("auth_time is older than max_age"));
        }
    }
    Ok(())
}

/// OIDC Core §12.2: a refreshed ID token describes the same authentication of the same user for the same client.
fn check_refreshed(c: &IdTokenClaims, previous: &IdTokenClaims) -> Result<(), VerifyError> {
    if c.iss != previous.iss {
        return Err(invalid("refreshed ID token has a different iss"));
    }
    if c.sub != previous.sub {
        return Err(invalid("refreshed ID token has a different sub"));
    }
    let same_set = |a: &[String], b: &[String]| a.iter().all(|x| b.contains(x)) && b.iter().all(|x| a.contains(x));
    if !same_set(&c.aud, &previous.aud) {
        return Err(invalid("refreshed ID token has a different aud"));
    }
    if c.azp != previous.azp {
        return Err(invalid("refreshed ID token has a different azp"));
    }
    if let (Some(now), Some(then)) = (c.auth_time, previous.auth_time)
        && now != then
    {
        return Err(invalid("refreshed ID token has a different auth_time"));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
