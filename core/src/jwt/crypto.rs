//! jsonwebtoken's signature checks on ring (and graviola for ES384, see below).
//!
//! jsonwebtoken ships two crypto back ends, RustCrypto (`rust_crypto`) and aws-lc-rs (`aws_lc_rs`); we build it with
//! neither. ring is already in every app that ships us (rustls uses it for TLS), while the RustCrypto back end added
//! a second, different generation of big-integer, curve, ECDSA, RSA, Ed25519 and hash crates (~0.5 MB per ABI), and
//! aws-lc-rs a whole C library. [`PROVIDER`] is a jsonwebtoken [`CryptoProvider`] backed by ring; we call it directly
//! (never through jsonwebtoken's process-wide default, which belongs to the host app).
//!
//! It verifies only what the SDK accepts with ring: ES256, ES384, RS256 and PS256 (ES512 is checked in `mod.rs`
//! with `p521`: ring has no P-521). It signs nothing: a public client has no signing key.
//!
//! RSA keys shorter than 2048 bits are refused ([`MIN_RSA_BITS`]): ring's `RSA_*_2048_8192_*` algorithms refuse
//! them too, but checking first gives a clear reason instead of a bad signature.
//!
//! ES384 is what Logto signs ID tokens with, and its verification was 94 % of the core's instructions per sign-in
//! flow: ring's P-384 makes two constant-time scalar multiplications on generic Montgomery arithmetic. On x86_64 and
//! aarch64 CPUs that graviola supports ([`p384_arithmetic`]), ES384 is verified with graviola instead: s2n-bignum's
//! formally verified P-384 field and group operations (MULX/ADX on x86_64), public-data table lookups, about twice as
//! fast. ring stays the fallback (32-bit ARM, older x86_64 without ADX/AVX2); both give the same answers
//! (tests below run every ES384 case through both).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::crypto::{CryptoProvider, JwtSigner, JwtVerifier, KeyUtils};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::ThumbprintHash;
use jsonwebtoken::signature::{self, Verifier};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, DecodingKeyKind, EncodingKey};
use ring::signature as ring_sig;

/// The shortest RSA modulus accepted (NIST SP 800-131A; RFC 7518 §3.3 requires at least 2048 bits for RS/PS).
pub(crate) const MIN_RSA_BITS: usize = 2048;

/// jsonwebtoken's crypto on ring (graviola for ES384 where the CPU allows): verification of ES256, ES384, RS256 and
/// PS256 only.
pub(crate) static PROVIDER: CryptoProvider = CryptoProvider {
    signer_factory: no_signer,
    verifier_factory: new_verifier,
    key_utils: KeyUtils {
        // JWK helpers for private keys (we hold none) answer an error instead of jsonwebtoken's placeholder panic.
        rsa_pub_components_from_private_key: |_| Err(ErrorKind::InvalidKeyFormat.into()),
        rsa_pub_components_from_public_key: |_| Err(ErrorKind::InvalidKeyFormat.into()),
        ec_pub_components_from_private_key: |_, _| Err(ErrorKind::InvalidKeyFormat.into()),
        ed_pub_components_from_private_key: |_, _| Err(ErrorKind::InvalidKeyFormat.into()),
        compute_digest,
    },
};

/// Why [`verify`] could not check a signature at all (as opposed to a signature that does not match).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum KeyError {
    /// The RSA modulus is shorter than [`MIN_RSA_BITS`].
    RsaTooShort,
    /// Not a key this provider can use for the algorithm.
    Unusable,
}

/// Checks a JWS signature (`signature_b64`: base64url, as in the compact serialization) over `message`.
/// `Ok(false)` for a signature that is malformed or does not match.
pub(crate) fn verify(
    signature_b64: &str,
    message: &[u8],
    key: &DecodingKey,
    algorithm: Algorithm,
) -> Result<bool, KeyError> {
    check((PROVIDER.verifier_factory)(&algorithm, key), signature_b64, message)
}

/// [`verify`] with the given P-384 arithmetic (tests run every ES384 case through each).
#[cfg(test)]
pub(super) fn verify_on(
    signature_b64: &str,
    message: &[u8],
    key: &DecodingKey,
    algorithm: Algorithm,
    p384: P384Arithmetic,
) -> Result<bool, KeyError> {
    check(new_verifier_on(&algorithm, key, p384), signature_b64, message)
}

fn check(
    verifier: jsonwebtoken::errors::Result<Box<dyn JwtVerifier>>,
    signature_b64: &str,
    message: &[u8],
) -> Result<bool, KeyError> {
    let verifier = verifier.map_err(|e| match e.kind() {
        ErrorKind::InvalidRsaKey(_) => KeyError::RsaTooShort,
        _ => KeyError::Unusable,
    })?;
    let Ok(signature) = URL_SAFE_NO_PAD.decode(signature_b64) else { return Ok(false) };
    Ok(verifier.verify(message, &signature).is_ok())
}

/// ES512 (ECDSA P-521 + SHA-512, RFC 7518 §3.4), which ring lacks: the signature is `r || s`, 66 bytes each. The
/// curve arithmetic is RustCrypto's `p521`; the SHA-512 is ring's (`verify_prehash`), so that no second SHA-512 ships.
pub(crate) fn verify_es512(x: &str, y: &str, message: &[u8], signature_b64: &str) -> bool {
    use ecdsa::signature::hazmat::PrehashVerifier;
    let decode = |s: &str| URL_SAFE_NO_PAD.decode(s).ok();
    let (Some(x), Some(y), Some(sig)) = (decode(x), decode(y), decode(signature_b64)) else { return false };
    if x.len() != 66 || y.len() != 66 {
        return false;
    }
    let mut sec1 = Vec::with_capacity(133);
    sec1.push(0x04);
    sec1.extend_from_slice(&x);
    sec1.extend_from_slice(&y);
    let (Ok(key), Ok(sig)) = (
        ecdsa::VerifyingKey::<p521::NistP521>::from_sec1_bytes(&sec1),
        ecdsa::Signature::<p521::NistP521>::from_slice(&sig),
    ) else {
        return false;
    };
    let digest = ring::digest::digest(&ring::digest::SHA512, message);
    key.verify_prehash(digest.as_ref(), &sig).is_ok()
}

fn no_signer(_: &Algorithm, _: &EncodingKey) -> jsonwebtoken::errors::Result<Box<dyn JwtSigner>> {
    Err(ErrorKind::InvalidAlgorithm.into())
}

fn new_verifier(algorithm: &Algorithm, key: &DecodingKey) -> jsonwebtoken::errors::Result<Box<dyn JwtVerifier>> {
    new_verifier_on(algorithm, key, p384_arithmetic())
}

/// Whose P-384 arithmetic checks ES384 signatures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum P384Arithmetic {
    Ring,
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    Graviola,
}

/// graviola where this CPU has what it needs (x86_64: ADX, BMI1/2, AVX2, AES-NI, PCLMULQDQ; aarch64: NEON, AES,
/// PMULL, SHA2), else ring. graviola would panic on a CPU without them, so this is checked before every use.
pub(super) fn p384_arithmetic() -> P384Arithmetic {
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    {
        static SUPPORTED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        if *SUPPORTED.get_or_init(graviola::util::is_cpu_supported) {
            return P384Arithmetic::Graviola;
        }
    }
    P384Arithmetic::Ring
}

fn new_verifier_on(
    algorithm: &Algorithm,
    key: &DecodingKey,
    p384: P384Arithmetic,
) -> jsonwebtoken::errors::Result<Box<dyn JwtVerifier>> {
    let public_key = match (algorithm, key.family(), key.kind()) {
        // SEC1 uncompressed point `04 || x || y`, as `DecodingKey::from_ec_components` builds it.
        (Algorithm::ES256, AlgorithmFamily::Ec, DecodingKeyKind::SecretOrDer(point)) => {
            PublicKey::Ec(&ring_sig::ECDSA_P256_SHA256_FIXED, point.clone())
        }
        (Algorithm::ES384, AlgorithmFamily::Ec, DecodingKeyKind::SecretOrDer(point)) => match p384 {
            P384Arithmetic::Ring => PublicKey::Ec(&ring_sig::ECDSA_P384_SHA384_FIXED, point.clone()),
            // A point that is not on the curve verifies nothing (as with ring, which checks it when verifying).
            #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
            P384Arithmetic::Graviola => PublicKey::P384(
                graviola::signing::ecdsa::VerifyingKey::<graviola::signing::ecdsa::P384>::from_x962_uncompressed(point)
                    .ok()
                    .map(Box::new),
            ),
        },
        (Algorithm::RS256 | Algorithm::PS256, AlgorithmFamily::Rsa, DecodingKeyKind::RsaModulusExponent { n, e }) => {
            if modulus_bits(n) < MIN_RSA_BITS {
                return Err(ErrorKind::InvalidRsaKey(format!("RSA key shorter than {MIN_RSA_BITS} bits")).into());
            }
            let parameters = if *algorithm == Algorithm::RS256 {
                &ring_sig::RSA_PKCS1_2048_8192_SHA256
            } else {
                &ring_sig::RSA_PSS_2048_8192_SHA256
            };
            PublicKey::Rsa(parameters, ring_sig::RsaPublicKeyComponents { n: n.clone(), e: e.clone() })
        }
        (Algorithm::ES256 | Algorithm::ES384 | Algorithm::RS256 | Algorithm::PS256, _, _) => {
            return Err(ErrorKind::InvalidKeyFormat.into());
        }
        _ => return Err(ErrorKind::InvalidAlgorithm.into()),
    };
    Ok(Box::new(SignatureVerifier { algorithm: *algorithm, public_key }))
}

enum PublicKey {
    Ec(&'static ring_sig::EcdsaVerificationAlgorithm, Vec<u8>),
    Rsa(&'static ring_sig::RsaParameters, ring_sig::RsaPublicKeyComponents<Vec<u8>>),
    /// `None`: the JWK's point is not on P-384. Boxed: the key holds its 2.3 KB table of multiples.
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    P384(Option<Box<graviola::signing::ecdsa::VerifyingKey<graviola::signing::ecdsa::P384>>>),
}

struct SignatureVerifier {
    algorithm: Algorithm,
    public_key: PublicKey,
}

impl Verifier<Vec<u8>> for SignatureVerifier {
    fn verify(&self, msg: &[u8], signature: &Vec<u8>) -> Result<(), signature::Error> {
        let checked = match &self.public_key {
            PublicKey::Ec(algorithm, point) => {
                ring_sig::UnparsedPublicKey::new(*algorithm, point).verify(msg, signature)
            }
            PublicKey::Rsa(parameters, components) => components.verify(parameters, msg, signature),
            #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
            PublicKey::P384(key) => {
                let Some(key) = key else { return Err(signature::Error::new()) };
                // A fixed-size `r || s` (RFC 7518 §3.4); any other length is refused as WrongLength.
                return key.verify::<graviola::hashing::Sha384>(&[msg], signature).map_err(|_| signature::Error::new());
            }
        };
        checked.map_err(|_| signature::Error::new())
    }
}

impl JwtVerifier for SignatureVerifier {
    fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
}

/// Bit length of a big-endian unsigned integer (leading zero bytes and bits do not count).
fn modulus_bits(n: &[u8]) -> usize {
    let n = &n[n.iter().take_while(|b| **b == 0).count()..];
    match n.first() {
        Some(first) => n.len() * 8 - first.leading_zeros() as usize,
        None => 0,
    }
}

fn compute_digest(data: &[u8], hash: ThumbprintHash) -> jsonwebtoken::errors::Result<Vec<u8>> {
    let algorithm = match hash {
        ThumbprintHash::SHA256 => &ring::digest::SHA256,
        ThumbprintHash::SHA384 => &ring::digest::SHA384,
        ThumbprintHash::SHA512 => &ring::digest::SHA512,
        _ => return Err(ErrorKind::InvalidAlgorithm.into()),
    };
    Ok(ring::digest::digest(algorithm, data).as_ref().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modulus_bits_ignores_leading_zeros() {
        assert_eq!(modulus_bits(&[]), 0);
        assert_eq!(modulus_bits(&[0, 0]), 0);
        assert_eq!(modulus_bits(&[1]), 1);
        assert_eq!(modulus_bits(&[0, 0x80, 0]), 16);
        assert_eq!(modulus_bits(&[0x7f; 256]), 2047);
        assert_eq!(modulus_bits(&[0xff; 256]), 2048);
    }

    #[test]
    fn signs_nothing_and_verifies_only_the_provided_algorithms() {
        let key = EncodingKey::from_secret(b"secret").unwrap();
        assert!((PROVIDER.signer_factory)(&Algorithm::HS256, &key).is_err());
        let ec = DecodingKey::from_ec_der(&[4; 97]);
        for alg in [Algorithm::HS256, Algorithm::ES256, Algorithm::RS256, Algorithm::EdDSA, Algorithm::PS384] {
            let accepted = (PROVIDER.verifier_factory)(&alg, &ec).is_ok();
            assert_eq!(accepted, alg == Algorithm::ES256, "{alg:?}");
        }
        // An EC key is never used for RSA, nor an RSA key for ECDSA.
        let rsa = DecodingKey::from_rsa_raw_components(&[0xff; 256], &[1, 0, 1]);
        assert!((PROVIDER.verifier_factory)(&Algorithm::RS256, &rsa).is_ok());
        assert!((PROVIDER.verifier_factory)(&Algorithm::ES384, &rsa).is_err());
        assert!((PROVIDER.verifier_factory)(&Algorithm::RS256, &ec).is_err());
        assert_eq!((PROVIDER.key_utils.compute_digest)(b"abc", ThumbprintHash::SHA256).unwrap()[..2], [0xba, 0x78]);
    }
}
