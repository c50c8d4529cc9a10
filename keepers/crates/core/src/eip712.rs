//! The EIP-712 types that sequencers sign, exactly as the L1 contracts hash them.
//!
//! Both header kinds share one domain: name `"baton"`, version `"1"`, the **L1** chain id and the
//! BatchInbox address as the verifying contract. The headers themselves name the **L2** chain id.
//! Any drift between these definitions and the Solidity side (`IBatchInbox.BatchHeader`,
//! `ISlasher.BlockHeader`) makes every signature invalid on L1, which is why the type strings are
//! pinned by the tests below and the digests are compared against the deployed contracts in the
//! bindings crate's integration test.

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::{Eip712Domain, SolStruct, sol};
use std::borrow::Cow;

/// EIP-712 domain name shared by every baton signature.
pub const DOMAIN_NAME: &str = "baton";
/// EIP-712 domain version shared by every baton signature.
pub const DOMAIN_VERSION: &str = "1";

/// `prevRecordHash` of the first record in the BatchInbox: there is no record before it.
pub const GENESIS_RECORD_HASH: B256 = B256::ZERO;

sol! {
    /// A signed L2 block header (EIP-712 type `BlockHeader`): the preconfirmation a leader
    /// gives for every sealed L2 block. Two different headers for one chain, number and epoch
    /// signed by one key are equivocation evidence.
    #[derive(Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
    struct BlockHeader {
        /// The L2 chain id.
        uint256 chainId;
        /// L2 block number.
        uint64 number;
        /// Hash of the parent L2 block.
        bytes32 parentHash;
        /// The L1 epoch the block was sealed in.
        uint64 epoch;
        /// L2 block timestamp (seconds).
        uint64 timestamp;
        /// Merkle root of the block's transactions.
        bytes32 txRoot;
    }

    /// The signed header of a sequenced BatchInbox record (EIP-712 type `BatchHeader`).
    #[derive(Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
    struct BatchHeader {
        /// The L2 chain id.
        uint256 chainId;
        /// The epoch the record is posted in.
        uint64 epoch;
        /// First L2 block number in the record.
        uint64 firstBlock;
        /// Last L2 block number in the record.
        uint64 lastBlock;
        /// Hash of the previous record ([`GENESIS_RECORD_HASH`] for the first).
        bytes32 prevRecordHash;
        /// keccak256 of the batch data (see [`crate::batch`]).
        bytes32 dataHash;
        /// Number of sequenced transactions in the data.
        uint32 txCount;
        /// Force-queue entries `[previous forceIndex, forceIndex)` are consumed by this record.
        uint64 forceIndex;
    }
}

/// The one EIP-712 domain for block and batch headers.
///
/// `l1_chain_id` is the chain the contracts live on (not the L2 chain id, which the headers
/// carry themselves) and `batch_inbox` is the BatchInbox address.
pub fn baton_domain(l1_chain_id: u64, batch_inbox: Address) -> Eip712Domain {
    Eip712Domain::new(
        Some(Cow::Borrowed(DOMAIN_NAME)),
        Some(Cow::Borrowed(DOMAIN_VERSION)),
        Some(U256::from(l1_chain_id)),
        Some(batch_inbox),
        None,
    )
}

impl BlockHeader {
    /// The EIP-712 digest a sequencer signs for this header
    /// (`keccak256(0x1901 || domainSeparator || structHash)`).
    pub fn signing_digest(&self, domain: &Eip712Domain) -> B256 {
        self.eip712_signing_hash(domain)
    }
}

impl BatchHeader {
    /// The EIP-712 digest a sequencer signs for this header.
    pub fn signing_digest(&self, domain: &Eip712Domain) -> B256 {
        self.eip712_signing_hash(domain)
    }

    /// The hash of the record this header describes: its EIP-712 **struct hash** (not the
    /// digest), which is the BatchInbox's running accumulator and the `prevRecordHash` of the
    /// next record. It does not depend on the domain, so it is the same on every deployment.
    pub fn record_hash(&self) -> B256 {
        self.eip712_hash_struct()
    }

    /// Number of L2 blocks in the record, or `None` when `lastBlock < firstBlock` (a header the
    /// BatchInbox rejects).
    pub fn block_count(&self) -> Option<u64> {
        self.lastBlock.checked_sub(self.firstBlock)?.checked_add(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{address, b256, keccak256};

    const BLOCK_HEADER_TYPE: &str = "BlockHeader(uint256 chainId,uint64 number,bytes32 parentHash,uint64 epoch,uint64 timestamp,bytes32 txRoot)";
    const BATCH_HEADER_TYPE: &str = "BatchHeader(uint256 chainId,uint64 epoch,uint64 firstBlock,uint64 lastBlock,bytes32 prevRecordHash,bytes32 dataHash,uint32 txCount,uint64 forceIndex)";
    const DOMAIN_TYPE: &str =
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)";

    fn sample_batch() -> BatchHeader {
        BatchHeader {
            chainId: U256::from(901),
            epoch: 7,
            firstBlock: 10,
            lastBlock: 12,
            prevRecordHash: b256!(
                "0x1111111111111111111111111111111111111111111111111111111111111111"
            ),
            dataHash: b256!("0x2222222222222222222222222222222222222222222222222222222222222222"),
            txCount: 5,
            forceIndex: 3,
        }
    }

    #[test]
    fn type_strings_match_the_contracts() {
        assert_eq!(BlockHeader::eip712_encode_type(), BLOCK_HEADER_TYPE);
        assert_eq!(BatchHeader::eip712_encode_type(), BATCH_HEADER_TYPE);
        assert_eq!(
            BlockHeader::default().eip712_type_hash(),
            keccak256(BLOCK_HEADER_TYPE)
        );
        assert_eq!(
            BatchHeader::default().eip712_type_hash(),
            keccak256(BATCH_HEADER_TYPE)
        );
    }

    #[test]
    fn domain_separator_is_computed_by_hand() {
        let inbox = address!("0x5FbDB2315678afecb367f032d93F642f64180aa3");
        let domain = baton_domain(31337, inbox);
        // keccak256(abi.encode(typeHash, keccak256(name), keccak256(version), chainId, inbox))
        let mut encoded = Vec::with_capacity(5 * 32);
        encoded.extend_from_slice(keccak256(DOMAIN_TYPE).as_slice());
        encoded.extend_from_slice(keccak256(DOMAIN_NAME).as_slice());
        encoded.extend_from_slice(keccak256(DOMAIN_VERSION).as_slice());
        encoded.extend_from_slice(&U256::from(31337).to_be_bytes::<32>());
        encoded.extend_from_slice(inbox.into_word().as_slice());
        assert_eq!(domain.separator(), keccak256(&encoded));
    }

    #[test]
    fn batch_struct_hash_is_computed_by_hand() {
        let h = sample_batch();
        let mut encoded = Vec::with_capacity(9 * 32);
        encoded.extend_from_slice(keccak256(BATCH_HEADER_TYPE).as_slice());
        for word in [
            h.chainId,
            U256::from(h.epoch),
            U256::from(h.firstBlock),
            U256::from(h.lastBlock),
            U256::from_be_bytes(h.prevRecordHash.0),
            U256::from_be_bytes(h.dataHash.0),
            U256::from(h.txCount),
            U256::from(h.forceIndex),
        ] {
            encoded.extend_from_slice(&word.to_be_bytes::<32>());
        }
        assert_eq!(h.record_hash(), keccak256(&encoded));
    }

    #[test]
    fn digest_binds_the_domain_and_record_hash_does_not() {
        let h = sample_batch();
        let a = baton_domain(1, address!("0x00000000000000000000000000000000000000aa"));
        let b = baton_domain(1, address!("0x00000000000000000000000000000000000000bb"));
        let c = baton_domain(2, address!("0x00000000000000000000000000000000000000aa"));
        assert_ne!(h.signing_digest(&a), h.signing_digest(&b));
        assert_ne!(h.signing_digest(&a), h.signing_digest(&c));
        // The digest is the EIP-712 envelope around the struct hash.
        let mut envelope = vec![0x19, 0x01];
        envelope.extend_from_slice(a.separator().as_slice());
        envelope.extend_from_slice(h.record_hash().as_slice());
        assert_eq!(h.signing_digest(&a), keccak256(&envelope));
    }

    #[test]
    fn block_header_digest_depends_on_every_field() {
        let domain = baton_domain(1, Address::repeat_byte(0xaa));
        let base = BlockHeader {
            chainId: U256::from(901),
            number: 5,
            parentHash: B256::repeat_byte(1),
            epoch: 2,
            timestamp: 1_700_000_000,
            txRoot: B256::repeat_byte(2),
        };
        let variants = [
            BlockHeader {
                chainId: U256::from(902),
                ..base.clone()
            },
            BlockHeader {
                number: 6,
                ..base.clone()
            },
            BlockHeader {
                parentHash: B256::repeat_byte(3),
                ..base.clone()
            },
            BlockHeader {
                epoch: 3,
                ..base.clone()
            },
            BlockHeader {
                timestamp: 1_700_000_001,
                ..base.clone()
            },
            BlockHeader {
                txRoot: B256::repeat_byte(4),
                ..base.clone()
            },
        ];
        for v in variants {
            assert_ne!(
                v.signing_digest(&domain),
                base.signing_digest(&domain),
                "{v:?}"
            );
        }
    }

    #[test]
    fn block_count_rejects_inverted_ranges() {
        let mut h = sample_batch();
        assert_eq!(h.block_count(), Some(3));
        h.lastBlock = h.firstBlock;
        assert_eq!(h.block_count(), Some(1));
        h.lastBlock = h.firstBlock - 1;
        assert_eq!(h.block_count(), None);
        h.firstBlock = 0;
        h.lastBlock = u64::MAX;
        assert_eq!(h.block_count(), None, "2^64 blocks do not fit a u64");
    }
}
