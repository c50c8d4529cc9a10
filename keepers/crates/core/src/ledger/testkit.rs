//! Building L2 transactions field by field, including the malformed encodings a fraud proof must
//! also agree on. Used by the test vectors, the differential fuzz test and the benchmarks.
//!
//! Each field is kept as its own RLP item so a test can replace one item with a non-canonical
//! encoding and still sign over exactly the bytes it produced.

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_rlp::{Encodable, Header};
use alloy_signer::SignerSync;

/// The canonical RLP encoding of an unsigned integer.
pub fn rlp_uint<T: Encodable>(value: T) -> Vec<u8> {
    alloy_rlp::encode(value)
}

/// The RLP encoding of a byte string.
pub fn rlp_bytes(bytes: &[u8]) -> Vec<u8> {
    alloy_rlp::encode(bytes)
}

/// The RLP list of already-encoded items.
pub fn rlp_list(items: &[Vec<u8>]) -> Vec<u8> {
    let payload: Vec<u8> = items.concat();
    let mut out = Vec::with_capacity(payload.len() + 9);
    Header {
        list: true,
        payload_length: payload.len(),
    }
    .encode(&mut out);
    out.extend_from_slice(&payload);
    out
}

/// The fields of an EIP-1559 transaction, typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxFields {
    /// Chain id.
    pub chain_id: u64,
    /// Sender nonce.
    pub nonce: u64,
    /// `maxPriorityFeePerGas`.
    pub max_priority_fee: u128,
    /// `maxFeePerGas`.
    pub max_fee: u128,
    /// Gas limit.
    pub gas_limit: u64,
    /// Recipient; `None` is a contract creation.
    pub to: Option<Address>,
    /// Wei moved.
    pub value: U256,
    /// Calldata.
    pub data: Bytes,
    /// Access list `(address, storage keys)`.
    pub access_list: Vec<(Address, Vec<B256>)>,
}

impl TxFields {
    /// A plain transfer with a 21000 gas limit.
    pub fn transfer(chain_id: u64, nonce: u64, to: Address, value: U256, max_fee: u128) -> Self {
        Self {
            chain_id,
            nonce,
            max_priority_fee: 0,
            max_fee,
            gas_limit: 21_000,
            to: Some(to),
            value,
            data: Bytes::new(),
            access_list: Vec::new(),
        }
    }

    /// The nine unsigned items, canonically encoded.
    pub fn items(&self) -> Vec<Vec<u8>> {
        let access_list: Vec<Vec<u8>> = self
            .access_list
            .iter()
            .map(|(address, keys)| {
                let keys: Vec<Vec<u8>> = keys.iter().map(|k| rlp_bytes(k.as_slice())).collect();
                rlp_list(&[rlp_bytes(address.as_slice()), rlp_list(&keys)])
            })
            .collect();
        vec![
            rlp_uint(self.chain_id),
            rlp_uint(self.nonce),
            rlp_uint(self.max_priority_fee),
            rlp_uint(self.max_fee),
            rlp_uint(self.gas_limit),
            self.to
                .map_or_else(|| rlp_bytes(&[]), |to| rlp_bytes(to.as_slice())),
            rlp_uint(self.value),
            rlp_bytes(&self.data),
            rlp_list(&access_list),
        ]
    }

    /// Signed and encoded with `signer`.
    pub fn sign(&self, signer: &(impl SignerSync + ?Sized)) -> Bytes {
        sign_items(signer, self.items())
    }
}

/// The digest a sender signs over the (possibly hand-made) unsigned items.
pub fn signing_digest(items: &[Vec<u8>]) -> B256 {
    let mut preimage = vec![0x02];
    preimage.extend_from_slice(&rlp_list(items));
    keccak256(preimage)
}

/// The signature items `yParity, r, s` of `signer` over `items`.
pub fn signature_items(signer: &(impl SignerSync + ?Sized), items: &[Vec<u8>]) -> [Vec<u8>; 3] {
    let signature = signer
        .sign_hash_sync(&signing_digest(items))
        .expect("local signing");
    [
        rlp_uint(u8::from(signature.v())),
        rlp_uint(signature.r()),
        rlp_uint(signature.s()),
    ]
}

/// The value of a canonical RLP integer item (as [`rlp_uint`] writes it).
pub fn rlp_uint_value(item: &[u8]) -> U256 {
    let mut buf = item;
    let payload = alloy_rlp::Header::decode_bytes(&mut buf, false).expect("an RLP string");
    U256::from_be_slice(payload)
}

/// The malleable twin of signature items `[yParity, r, s]`: the same signer with `n − s` and the
/// parity flipped, which EIP-2 (and the ledger) refuse.
pub fn high_s_twin(signature: &[Vec<u8>; 3]) -> [Vec<u8>; 3] {
    let s = rlp_uint_value(&signature[2]);
    let parity = u8::from(signature[0] == rlp_uint(0u8));
    [
        rlp_uint(parity),
        signature[1].clone(),
        rlp_uint(crate::signature::SECP256K1N - s),
    ]
}

/// `0x02 ‖ rlp(items ‖ signature)`.
pub fn envelope(items: &[Vec<u8>], signature: &[Vec<u8>]) -> Bytes {
    let mut all = items.to_vec();
    all.extend_from_slice(signature);
    let mut out = vec![0x02];
    out.extend_from_slice(&rlp_list(&all));
    out.into()
}

/// Signs the items and assembles the envelope.
pub fn sign_items(signer: &(impl SignerSync + ?Sized), items: Vec<Vec<u8>>) -> Bytes {
    let signature = signature_items(signer, &items);
    envelope(&items, &signature)
}

/// A deterministic development key: `keccak256("baton-test-key" ‖ index)`.
pub fn test_signer(index: u64) -> alloy_signer_local::PrivateKeySigner {
    let mut seed = b"baton-test-key".to_vec();
    seed.extend_from_slice(&index.to_be_bytes());
    alloy_signer_local::PrivateKeySigner::from_bytes(&keccak256(seed)).expect("valid key")
}

/// The `index`-th plain-number argument of a benchmark binary, or `default` (`cargo bench`
/// passes flags such as `--bench` too; only numbers count).
pub fn bench_arg(index: usize, default: usize) -> usize {
    std::env::args()
        .skip(1)
        .filter(|a| a.parse::<usize>().is_ok())
        .nth(index)
        .map_or(default, |a| a.parse().expect("a number"))
}
