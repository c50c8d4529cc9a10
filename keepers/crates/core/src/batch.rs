//! The batch data codec: the bytes a sequenced record carries, which the BatchInbox parses.
//!
//! ```text
//! data  := 0x01 (version byte) || feeRecipient (20 bytes) || block{lastBlock - firstBlock + 1}
//! block := timestamp: uint64 BE (8 bytes) || txCount: uint16 BE (2 bytes) || tx{txCount}
//! tx    := len: uint24 BE (3 bytes) || raw tx bytes (len bytes, len >= 1)
//! ```
//!
//! The number of blocks is not in the data: it comes from the header's block range, and the data
//! must be consumed exactly. The encoding is canonical (one byte string per list of blocks), so
//! `encode(decode(data)) == data` whenever `decode` succeeds. The header commits to the data with
//! `txCount = Σ block txCounts` and a `dataHash` from which one transaction is proven by a short
//! Merkle path (so a dispute's transaction proof on L1 never resends a whole record):
//!
//! ```text
//! dataHash   := keccak256(0x01 || feeRecipient || blocksHash || txRoot)
//! blocksHash := keccak256(timestamp_0 || txCount_0 || ... || timestamp_last || txCount_last)
//! txRoot     := l2::tx_root(keccak256(tx_i) for every transaction of the record, in order)
//! ```
//!
//! [`check_record`] performs the same checks as the contract (`BatchData.commit`), in the same
//! order, under the inbox's [`RecordLimits`].

use crate::{
    eip712::BatchHeader,
    l2::{tx_proof, tx_root},
};
use alloy_primitives::{Address, B256, Bytes, U256, keccak256};

/// The version byte every v1 batch starts with.
pub const BATCH_VERSION: u8 = 0x01;
/// Largest raw transaction the 3-byte length prefix can describe.
pub const MAX_TX_LEN: usize = (1 << 24) - 1;
/// Most transactions one block can hold (2-byte count).
pub const MAX_TXS_PER_BLOCK: usize = u16::MAX as usize;

/// Bytes a raw transaction of `len` bytes takes in batch data (its length prefix included).
pub const fn encoded_tx_len(len: usize) -> usize {
    TX_LEN_LEN + len
}

/// Bytes a block takes in batch data besides its transactions (timestamp and count).
pub const BLOCK_HEADER_LEN: usize = TIMESTAMP_LEN + TX_COUNT_LEN;

/// Bytes before the first block: the version and the fee recipient.
pub const PREFIX_LEN: usize = 21;

/// The inbox's caps on one record, deploy parameters (`maxRecordBytes`, `maxRecordTxs`,
/// `maxTxLength` = the force queue's `maxTxSize`). They keep every step of every record provable
/// in one L1 transaction (docs/protocol.md, "Every step provable in one transaction").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordLimits {
    /// Most bytes of batch data.
    pub max_record_bytes: usize,
    /// Most transactions.
    pub max_record_txs: usize,
    /// Most bytes of one transaction.
    pub max_tx_len: usize,
}

impl RecordLimits {
    /// No caps beyond the encoding's own (for tests and tools that only parse).
    pub const UNLIMITED: Self = Self {
        max_record_bytes: usize::MAX,
        max_record_txs: usize::MAX,
        max_tx_len: MAX_TX_LEN,
    };
}

/// The block framing `blocksHash` commits to: every block's timestamp (8 bytes) and transaction
/// count (2 bytes), in order. A dispute over blocks hands it to L1 to split a record into blocks.
pub fn block_framing(blocks: &[L2Block]) -> Vec<u8> {
    let mut framing = Vec::with_capacity(blocks.len() * BLOCK_HEADER_LEN);
    for block in blocks {
        framing.extend_from_slice(&block.timestamp.to_be_bytes());
        // A decoded or encodable block holds at most u16::MAX transactions.
        framing.extend_from_slice(&(block.transactions.len() as u16).to_be_bytes());
    }
    framing
}

/// What `dataHash` is made of: the data's fee recipient, the hash of its block framing and the
/// Merkle root of its transactions. A transaction proof sends these three, the transaction and its
/// path to `tx_root` (`IDisputeGame.StepProof`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchCommitment {
    /// The fee recipient the data names.
    pub fee_recipient: Address,
    /// keccak256 of every block's timestamp and transaction count, in order.
    pub blocks_hash: B256,
    /// [`tx_root`] of the record's transaction hashes.
    pub tx_root: B256,
}

impl BatchCommitment {
    /// The commitment of `blocks` with `fee_recipient` (as [`encode_batch`] would lay them out).
    pub fn of(fee_recipient: Address, blocks: &[L2Block]) -> Self {
        Self {
            fee_recipient,
            blocks_hash: keccak256(block_framing(blocks)),
            tx_root: tx_root(&tx_hashes_of(blocks)),
        }
    }

    /// The header's `dataHash`: keccak256(0x01 ‖ feeRecipient ‖ blocksHash ‖ txRoot).
    pub fn data_hash(&self) -> B256 {
        let mut buf = [0u8; PREFIX_LEN + 64];
        buf[0] = BATCH_VERSION;
        buf[1..PREFIX_LEN].copy_from_slice(self.fee_recipient.as_slice());
        buf[PREFIX_LEN..PREFIX_LEN + 32].copy_from_slice(self.blocks_hash.as_slice());
        buf[PREFIX_LEN + 32..].copy_from_slice(self.tx_root.as_slice());
        keccak256(buf)
    }
}
const TIMESTAMP_LEN: usize = 8;
const TX_COUNT_LEN: usize = 2;
const TX_LEN_LEN: usize = 3;

/// One L2 block as carried in batch data.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct L2Block {
    /// L2 block timestamp (seconds).
    pub timestamp: u64,
    /// Raw signed transactions, in order; each is at least one byte.
    pub transactions: Vec<Bytes>,
}

/// keccak256 of every transaction of `blocks`, in order: the leaves of a record's `txRoot`.
fn tx_hashes_of(blocks: &[L2Block]) -> Vec<B256> {
    blocks
        .iter()
        .flat_map(|b| b.transactions.iter().map(keccak256))
        .collect()
}

/// A record's batch data, decoded.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Batch {
    /// The L2 account credited with the fees of the record's transactions (the poster's choice,
    /// like a block's coinbase).
    pub fee_recipient: Address,
    /// The blocks, in order.
    pub blocks: Vec<L2Block>,
}

impl Batch {
    /// The record's transactions in order, across its blocks.
    pub fn transactions(&self) -> impl Iterator<Item = &Bytes> {
        self.blocks.iter().flat_map(|b| b.transactions.iter())
    }

    /// keccak256 of every transaction, in order: the leaves of `tx_root`.
    pub fn tx_hashes(&self) -> Vec<B256> {
        tx_hashes_of(&self.blocks)
    }

    /// What the header's `dataHash` commits to.
    pub fn commitment(&self) -> BatchCommitment {
        BatchCommitment::of(self.fee_recipient, &self.blocks)
    }

    /// The `index`-th transaction of the record and its Merkle path to the commitment's
    /// `tx_root` (what a transaction proof carries), or `None` past the last transaction.
    pub fn transaction_proof(&self, index: usize) -> Option<(Bytes, Vec<B256>)> {
        let tx = self.transactions().nth(index)?.clone();
        let path = tx_proof(&self.tx_hashes(), index)?;
        Some((tx, path))
    }
}

/// Why a list of blocks cannot be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// A record covers at least one block (`lastBlock >= firstBlock`).
    #[error("a batch holds at least one block")]
    NoBlocks,
    /// A zero-length transaction cannot be told apart from padding.
    #[error("transaction {index} of block {block} is empty")]
    EmptyTransaction {
        /// Position of the block in the batch.
        block: usize,
        /// Position of the transaction in the block.
        index: usize,
    },
    /// The transaction does not fit the 3-byte length prefix.
    #[error("transaction {index} of block {block} is {len} bytes, more than {MAX_TX_LEN}")]
    TransactionTooLarge {
        /// Position of the block in the batch.
        block: usize,
        /// Position of the transaction in the block.
        index: usize,
        /// Its length.
        len: usize,
    },
    /// The block holds more transactions than the 2-byte count can say.
    #[error("block {block} holds {count} transactions, more than {MAX_TXS_PER_BLOCK}")]
    TooManyTransactionsInBlock {
        /// Position of the block in the batch.
        block: usize,
        /// Its transaction count.
        count: usize,
    },
    /// The batch holds more transactions than the header's `uint32 txCount` can say.
    #[error("the batch holds more than u32::MAX transactions")]
    TooManyTransactions,
    /// The block range `firstBlock ..= firstBlock + blocks - 1` overflows a u64.
    #[error("block range starting at {first_block} with {blocks} blocks overflows u64")]
    BlockRangeOverflow {
        /// First L2 block number.
        first_block: u64,
        /// Number of blocks.
        blocks: usize,
    },
}

/// Why batch data does not parse. Offsets are byte positions in the data of the block or
/// transaction that is cut short or malformed, the same position the contract reports in
/// `MalformedBatchData(offset)` (see [`DecodeError::offset`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The header's block range is empty, so there is nothing to decode into.
    #[error("a batch holds at least one block")]
    NoBlocks,
    /// The data is empty: not even a version byte.
    #[error("batch data is empty")]
    Empty,
    /// The first byte is not [`BATCH_VERSION`].
    #[error("unsupported batch version {0:#04x}")]
    UnsupportedVersion(u8),
    /// The data ends inside a block header or a transaction.
    #[error("batch data truncated at offset {offset}: {needed} more bytes needed")]
    Truncated {
        /// Where the unfinished block or transaction starts.
        offset: usize,
        /// Bytes it needs beyond what is left.
        needed: usize,
    },
    /// A transaction has length zero.
    #[error("empty transaction at offset {offset}")]
    EmptyTransaction {
        /// Where its length prefix starts.
        offset: usize,
    },
    /// A transaction is longer than the inbox's `maxTxLength` (the contract's
    /// `TransactionTooLarge(offset, len, max)`).
    #[error(
        "transaction at offset {offset} is {len} bytes, more than the inbox's maxTxLength {max}"
    )]
    TransactionTooLarge {
        /// Where its length prefix starts.
        offset: usize,
        /// Its length.
        len: usize,
        /// The cap.
        max: usize,
    },
    /// Bytes are left after the last block.
    #[error("{len} trailing bytes at offset {offset}")]
    TrailingBytes {
        /// Where the trailing bytes start.
        offset: usize,
        /// How many there are.
        len: usize,
    },
}

impl DecodeError {
    /// The offset the BatchInbox reports in `MalformedBatchData(offset)` (or, for
    /// [`DecodeError::TransactionTooLarge`], in `TransactionTooLarge(offset, ..)`) for the same
    /// data, or `None` for [`DecodeError::NoBlocks`], which the contract reports as
    /// `EmptyBlockRange`.
    pub const fn offset(&self) -> Option<usize> {
        match self {
            Self::NoBlocks => None,
            Self::Empty | Self::UnsupportedVersion(_) => Some(0),
            Self::Truncated { offset, .. }
            | Self::EmptyTransaction { offset }
            | Self::TransactionTooLarge { offset, .. }
            | Self::TrailingBytes { offset, .. } => Some(*offset),
        }
    }
}

/// Why a record's header and data do not belong together (the BatchInbox's checks).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// `lastBlock < firstBlock`.
    #[error("empty block range {first_block}..={last_block}")]
    EmptyBlockRange {
        /// The header's first block.
        first_block: u64,
        /// The header's last block.
        last_block: u64,
    },
    /// `dataHash` is not the data's commitment ([`BatchCommitment::data_hash`]).
    #[error("data hash mismatch: header {header}, data {actual}")]
    DataHashMismatch {
        /// What the header says.
        header: B256,
        /// The data's commitment.
        actual: B256,
    },
    /// The data is longer than the inbox's `maxRecordBytes`.
    #[error("batch data is {len} bytes, more than the inbox's maxRecordBytes {max}")]
    RecordTooLarge {
        /// The data's length.
        len: usize,
        /// The cap.
        max: usize,
    },
    /// The header counts more transactions than the inbox's `maxRecordTxs`.
    #[error("header says {count} transactions, more than the inbox's maxRecordTxs {max}")]
    TooManyTransactions {
        /// The header's `txCount`.
        count: u32,
        /// The cap.
        max: usize,
    },

    /// The data does not parse as the header's blocks.
    #[error("malformed batch data: {0}")]
    Malformed(#[from] DecodeError),
    /// The data holds a different number of transactions than the header says.
    #[error("header says {header} transactions, data holds {actual}")]
    TxCountMismatch {
        /// What the header says.
        header: u32,
        /// What the data holds.
        actual: u64,
    },
}

/// Encodes blocks, with the fee recipient of their transactions, as batch data.
pub fn encode_batch(fee_recipient: Address, blocks: &[L2Block]) -> Result<Bytes, EncodeError> {
    if blocks.is_empty() {
        return Err(EncodeError::NoBlocks);
    }
    let mut size = PREFIX_LEN;
    for (b, block) in blocks.iter().enumerate() {
        if block.transactions.len() > MAX_TXS_PER_BLOCK {
            return Err(EncodeError::TooManyTransactionsInBlock {
                block: b,
                count: block.transactions.len(),
            });
        }
        size += BLOCK_HEADER_LEN;
        for (i, tx) in block.transactions.iter().enumerate() {
            match tx.len() {
                0 => return Err(EncodeError::EmptyTransaction { block: b, index: i }),
                len if len > MAX_TX_LEN => {
                    return Err(EncodeError::TransactionTooLarge {
                        block: b,
                        index: i,
                        len,
                    });
                }
                len => size += encoded_tx_len(len),
            }
        }
    }

    let mut out = Vec::with_capacity(size);
    out.push(BATCH_VERSION);
    out.extend_from_slice(fee_recipient.as_slice());
    for block in blocks {
        out.extend_from_slice(&block.timestamp.to_be_bytes());
        // Checked above: the count fits in a u16 and every length in 24 bits.
        out.extend_from_slice(&(block.transactions.len() as u16).to_be_bytes());
        for tx in &block.transactions {
            out.extend_from_slice(&(tx.len() as u32).to_be_bytes()[1..]);
            out.extend_from_slice(tx);
        }
    }
    debug_assert_eq!(out.len(), size);
    Ok(out.into())
}

/// Decodes batch data holding exactly `block_count` blocks (`lastBlock - firstBlock + 1`).
///
/// Work is bounded by `data.len()`, not by `block_count`: every block consumes at least
/// [`BLOCK_HEADER_LEN`] bytes, so a huge count on short data fails fast with
/// [`DecodeError::Truncated`].
pub fn decode_batch(data: &[u8], block_count: u64) -> Result<Batch, DecodeError> {
    decode_batch_limited(data, block_count, MAX_TX_LEN)
}

/// [`decode_batch`] refusing any transaction longer than `max_tx_len` bytes, as the inbox does
/// with its `maxTxLength` (a framing fault earlier in the data, or in the same transaction, is
/// reported first, as the contract's single pass does).
pub fn decode_batch_limited(
    data: &[u8],
    block_count: u64,
    max_tx_len: usize,
) -> Result<Batch, DecodeError> {
    if block_count == 0 {
        return Err(DecodeError::NoBlocks);
    }
    let (&version, _) = data.split_first().ok_or(DecodeError::Empty)?;
    if version != BATCH_VERSION {
        return Err(DecodeError::UnsupportedVersion(version));
    }
    // A prefix cut short is reported at offset 0, as the contract does.
    let prefix = data
        .get(..PREFIX_LEN)
        .ok_or_else(|| DecodeError::Truncated {
            offset: 0,
            needed: PREFIX_LEN - data.len(),
        })?;
    let fee_recipient = Address::from_slice(&prefix[1..]);
    let mut reader = Reader {
        data,
        pos: PREFIX_LEN,
    };
    let capacity = usize::try_from(block_count)
        .unwrap_or(usize::MAX)
        .min(data.len() / BLOCK_HEADER_LEN);
    let mut blocks = Vec::with_capacity(capacity);
    for _ in 0..block_count {
        let block_header = reader.take_array::<BLOCK_HEADER_LEN>()?;
        let (timestamp, tx_count) = block_header.split_at(TIMESTAMP_LEN);
        let timestamp = u64::from_be_bytes(timestamp.try_into().expect("8 bytes"));
        let tx_count = u16::from_be_bytes(tx_count.try_into().expect("2 bytes"));
        let mut transactions =
            Vec::with_capacity(usize::from(tx_count).min(reader.remaining() / 4));
        for _ in 0..tx_count {
            let tx_offset = reader.pos;
            let [a, b, c] = reader.take_array::<TX_LEN_LEN>()?;
            let len = u32::from_be_bytes([0, a, b, c]) as usize;
            if len == 0 {
                return Err(DecodeError::EmptyTransaction { offset: tx_offset });
            }
            // Report a short body at the transaction's start, as the contract does.
            let body = reader.take(len).map_err(|e| match e {
                DecodeError::Truncated { needed, .. } => DecodeError::Truncated {
                    offset: tx_offset,
                    needed,
                },
                other => other,
            })?;
            if len > max_tx_len {
                return Err(DecodeError::TransactionTooLarge {
                    offset: tx_offset,
                    len,
                    max: max_tx_len,
                });
            }
            transactions.push(Bytes::copy_from_slice(body));
        }
        blocks.push(L2Block {
            timestamp,
            transactions,
        });
    }
    if reader.remaining() != 0 {
        return Err(DecodeError::TrailingBytes {
            offset: reader.pos,
            len: reader.remaining(),
        });
    }
    Ok(Batch {
        fee_recipient,
        blocks,
    })
}

/// Total transaction count of a list of blocks, as a header's `txCount`.
pub fn total_tx_count(blocks: &[L2Block]) -> Result<u32, EncodeError> {
    blocks.iter().try_fold(0u32, |sum, block| {
        u32::try_from(block.transactions.len())
            .ok()
            .and_then(|n| sum.checked_add(n))
            .ok_or(EncodeError::TooManyTransactions)
    })
}

/// Checks that `data` is what `header` commits to, as the BatchInbox does and in its order: a
/// non-empty block range, the caps of `limits` (data length, the header's `txCount`), data that
/// parses as exactly that many blocks with no transaction over `max_tx_len`, a matching
/// transaction count, and `dataHash` equal to the data's commitment. Returns the decoded batch.
pub fn check_record(
    header: &BatchHeader,
    data: &[u8],
    limits: &RecordLimits,
) -> Result<Batch, RecordError> {
    let block_count = header.block_count().ok_or(RecordError::EmptyBlockRange {
        first_block: header.firstBlock,
        last_block: header.lastBlock,
    })?;
    if data.len() > limits.max_record_bytes {
        return Err(RecordError::RecordTooLarge {
            len: data.len(),
            max: limits.max_record_bytes,
        });
    }
    if header.txCount as usize > limits.max_record_txs {
        return Err(RecordError::TooManyTransactions {
            count: header.txCount,
            max: limits.max_record_txs,
        });
    }
    let batch = decode_batch_limited(data, block_count, limits.max_tx_len)?;
    let actual = batch.transactions().count() as u64;
    if actual != u64::from(header.txCount) {
        return Err(RecordError::TxCountMismatch {
            header: header.txCount,
            actual,
        });
    }
    let actual = batch.commitment().data_hash();
    if actual != header.dataHash {
        return Err(RecordError::DataHashMismatch {
            header: header.dataHash,
            actual,
        });
    }
    Ok(batch)
}

/// Everything a batch header holds besides what follows from the data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordContext {
    /// The L2 chain id.
    pub chain_id: U256,
    /// The epoch the record is posted in.
    pub epoch: u64,
    /// First L2 block number in the record.
    pub first_block: u64,
    /// Hash of the previous record (see [`BatchHeader::record_hash`]).
    pub prev_record_hash: B256,
    /// The force-queue index consumed up to.
    pub force_index: u64,
    /// Where the record's transaction fees go on L2.
    pub fee_recipient: Address,
}

impl RecordContext {
    /// Encodes `blocks` and builds the header committing to them, ready to sign.
    pub fn seal(&self, blocks: &[L2Block]) -> Result<(BatchHeader, Bytes), EncodeError> {
        let data = encode_batch(self.fee_recipient, blocks)?;
        let commitment = BatchCommitment::of(self.fee_recipient, blocks);
        let range_overflow = EncodeError::BlockRangeOverflow {
            first_block: self.first_block,
            blocks: blocks.len(),
        };
        let last_block = u64::try_from(blocks.len() - 1)
            .ok()
            .and_then(|extra| self.first_block.checked_add(extra))
            .ok_or(range_overflow)?;
        let header = BatchHeader {
            chainId: self.chain_id,
            epoch: self.epoch,
            firstBlock: self.first_block,
            lastBlock: last_block,
            prevRecordHash: self.prev_record_hash,
            dataHash: commitment.data_hash(),
            txCount: total_tx_count(blocks)?,
            forceIndex: self.force_index,
        };
        Ok((header, data))
    }
}

/// A cursor over batch data that reports where a field ran out.
struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], DecodeError> {
        let rest = &self.data[self.pos..];
        if rest.len() < len {
            return Err(DecodeError::Truncated {
                offset: self.pos,
                needed: len - rest.len(),
            });
        }
        self.pos += len;
        Ok(&rest[..len])
    }

    fn take_array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let slice = self.take(N)?;
        Ok(slice.try_into().expect("take returned exactly N bytes"))
    }
}

#[cfg(test)]
mod tests;
