//! PKCE (RFC 7636, S256 only), `state` and `nonce`, all from the operating system's CSPRNG.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::error::{LogtoError, Result};

/// `n` bytes from the OS CSPRNG (getrandom: `getrandom(2)`, `SecRandomCopyBytes`, `BCryptGenRandom`…), base64url.
pub(crate) fn random_url_safe(n: usize) -> Result<String> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes)
        .map_err(|e| LogtoError::Internal { message: format!("OS random generator failed: {e}") })?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// A code verifier: 64 random bytes → 86 characters of `[A-Za-z0-9-_]` (RFC 7636 §4.1 allows 43–128).
pub(crate) fn code_verifier() -> Result<String> {
    random_url_safe(64)
}

/// `BASE64URL-NOPAD(SHA256(ASCII(verifier)))` (RFC 7636 §4.2).
pub(crate) fn code_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// `state` and `nonce`: 32 random bytes each (256 bits).
pub(crate) fn state_or_nonce() -> Result<String> {
    random_url_safe(32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        assert_eq!(
            code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn verifier_is_rfc_shaped_and_fresh() {
        let a = code_verifier().unwrap();
        let b = code_verifier().unwrap();
        assert_ne!(a, b);
        assert!((43..=128).contains(&a.len()), "{}", a.len());
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
        assert_eq!(state_or_nonce().unwrap().len(), 43);
    }
}
