//! 65-byte header signatures as the contracts accept them.
//!
//! The contracts take `r || s || v` with `v ∈ {27, 28}` and reject a high `s` (OpenZeppelin
//! `ECDSA.recover`), so that a signature cannot be made malleable into a second, different-looking
//! piece of evidence. [`sign_digest`] always produces that form and [`recover_signer`] accepts only
//! that form, so a signature this crate accepts is one the L1 contracts accept too.

use alloy_primitives::{Address, B256, Bytes, Signature, U256, hex};
use alloy_signer::SignerSync;
use std::fmt;

/// The secp256k1 group order and its half (the STF's signature rules use them too).
pub use baton_stf::{SECP256K1N, SECP256K1N_HALF};

/// Why a signature was refused or could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    /// The signature is not exactly 65 bytes.
    #[error("signature must be 65 bytes, got {0}")]
    WrongLength(usize),
    /// The recovery byte is neither 27 nor 28.
    #[error("signature v must be 27 or 28, got {0}")]
    InvalidV(u8),
    /// `s` is in the upper half of the curve order (malleable form).
    #[error("signature s is not in the lower half of the curve order")]
    HighS,
    /// `r` or `s` is zero, or the point does not recover.
    #[error("signature does not recover to a public key")]
    Unrecoverable,
    /// The signer failed to produce a signature.
    #[error("signer failed: {0}")]
    Signer(#[from] alloy_signer::Error),
}

/// A canonical 65-byte ECDSA signature `r || s || v` with `v ∈ {27, 28}` and low `s`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct HeaderSignature([u8; 65]);

impl HeaderSignature {
    /// Parses and checks the canonical form (length, `v`, low non-zero `s`, non-zero `r`).
    pub fn from_slice(bytes: &[u8]) -> Result<Self, SignatureError> {
        let raw: [u8; 65] = bytes
            .try_into()
            .map_err(|_| SignatureError::WrongLength(bytes.len()))?;
        let sig = Self(raw);
        sig.check_canonical()?;
        Ok(sig)
    }

    /// The wire bytes, as passed to the contracts.
    pub const fn as_bytes(&self) -> &[u8; 65] {
        &self.0
    }

    /// The wire bytes as a `Vec`, handy for `bytes` call arguments.
    pub fn to_vec(&self) -> Vec<u8> {
        self.0.to_vec()
    }

    /// Recovers the address that signed `digest`.
    pub fn recover(&self, digest: &B256) -> Result<Address, SignatureError> {
        self.to_alloy()
            .recover_address_from_prehash(digest)
            .map_err(|_| SignatureError::Unrecoverable)
    }

    fn check_canonical(&self) -> Result<(), SignatureError> {
        let v = self.0[64];
        if v != 27 && v != 28 {
            return Err(SignatureError::InvalidV(v));
        }
        let r = U256::from_be_slice(&self.0[..32]);
        let s = U256::from_be_slice(&self.0[32..64]);
        if s > SECP256K1N_HALF {
            return Err(SignatureError::HighS);
        }
        if r.is_zero() || s.is_zero() {
            return Err(SignatureError::Unrecoverable);
        }
        Ok(())
    }

    fn to_alloy(self) -> Signature {
        Signature::from_bytes_and_parity(&self.0[..64], self.0[64] == 28)
    }

    fn from_alloy(sig: Signature) -> Self {
        // `as_bytes` writes v as 27/28; normalizing flips the parity along with `s`.
        Self(sig.normalized_s().as_bytes())
    }
}

impl fmt::Debug for HeaderSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HeaderSignature({})", hex::encode_prefixed(self.0))
    }
}

impl From<HeaderSignature> for [u8; 65] {
    fn from(sig: HeaderSignature) -> Self {
        sig.0
    }
}

impl From<HeaderSignature> for Bytes {
    fn from(sig: HeaderSignature) -> Self {
        Self::copy_from_slice(&sig.0)
    }
}

/// Signs an EIP-712 digest (from [`crate::BlockHeader::signing_digest`] or
/// [`crate::BatchHeader::signing_digest`]) in the canonical form the contracts accept.
pub fn sign_digest<S>(signer: &S, digest: &B256) -> Result<HeaderSignature, SignatureError>
where
    S: SignerSync + ?Sized,
{
    Ok(HeaderSignature::from_alloy(signer.sign_hash_sync(digest)?))
}

/// Recovers the signer of `digest` from raw signature bytes, refusing every non-canonical form
/// the contracts refuse (wrong length, `v` other than 27/28, high `s`).
pub fn recover_signer(digest: &B256, signature: &[u8]) -> Result<Address, SignatureError> {
    HeaderSignature::from_slice(signature)?.recover(digest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::keccak256;
    use alloy_signer_local::PrivateKeySigner;

    const N: U256 = SECP256K1N;

    fn signer() -> PrivateKeySigner {
        PrivateKeySigner::from_bytes(&B256::repeat_byte(0x42)).unwrap()
    }

    #[test]
    fn half_order_constant_is_n_over_two() {
        assert_eq!(SECP256K1N_HALF, N >> 1);
    }

    #[test]
    fn sign_then_recover_round_trips() {
        let signer = signer();
        for i in 0u8..32 {
            let digest = keccak256([i]);
            let sig = sign_digest(&signer, &digest).unwrap();
            let bytes = sig.as_bytes();
            assert!(bytes[64] == 27 || bytes[64] == 28);
            assert!(U256::from_be_slice(&bytes[32..64]) <= SECP256K1N_HALF);
            assert_eq!(recover_signer(&digest, bytes).unwrap(), signer.address());
        }
    }

    #[test]
    fn wrong_digest_recovers_someone_else() {
        let signer = signer();
        let sig = sign_digest(&signer, &keccak256("a")).unwrap();
        assert_ne!(sig.recover(&keccak256("b")).unwrap(), signer.address());
    }

    #[test]
    fn rejects_the_malleable_twin() {
        let signer = signer();
        let digest = keccak256("malleable");
        let sig = sign_digest(&signer, &digest).unwrap();
        let mut twin = *sig.as_bytes();
        let s = U256::from_be_slice(&twin[32..64]);
        twin[32..64].copy_from_slice(&(N - s).to_be_bytes::<32>());
        twin[64] = if twin[64] == 27 { 28 } else { 27 };
        // The twin is a valid ECDSA signature by the same key...
        let alloy_twin = Signature::from_bytes_and_parity(&twin[..64], twin[64] == 28);
        assert_eq!(
            alloy_twin.recover_address_from_prehash(&digest).unwrap(),
            signer.address()
        );
        // ...but not in the canonical form the contracts accept.
        assert!(matches!(
            recover_signer(&digest, &twin),
            Err(SignatureError::HighS)
        ));
    }

    #[test]
    fn rejects_bad_v_and_length() {
        let digest = keccak256("v");
        let sig = sign_digest(&signer(), &digest).unwrap();
        for v in [0u8, 1, 26, 29, 37, 38] {
            let mut bad = *sig.as_bytes();
            bad[64] = v;
            assert!(
                matches!(recover_signer(&digest, &bad), Err(SignatureError::InvalidV(x)) if x == v)
            );
        }
        assert!(matches!(
            recover_signer(&digest, &sig.as_bytes()[..64]),
            Err(SignatureError::WrongLength(64))
        ));
    }

    #[test]
    fn rejects_zero_r_or_s() {
        let digest = keccak256("zero");
        let mut bad = *sign_digest(&signer(), &digest).unwrap().as_bytes();
        bad[..32].fill(0);
        assert!(matches!(
            recover_signer(&digest, &bad),
            Err(SignatureError::Unrecoverable)
        ));
        let mut bad = *sign_digest(&signer(), &digest).unwrap().as_bytes();
        bad[32..64].fill(0);
        assert!(matches!(
            recover_signer(&digest, &bad),
            Err(SignatureError::Unrecoverable)
        ));
    }
}
