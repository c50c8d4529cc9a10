use super::*;
use alloy_primitives::hex;
use proptest::prelude::*;

const FEE: Address = Address::repeat_byte(0xfe);

fn tx(bytes: &[u8]) -> Bytes {
    Bytes::copy_from_slice(bytes)
}

fn sample_blocks() -> Vec<L2Block> {
    vec![
        L2Block {
            timestamp: 0x0102030405060708,
            transactions: vec![tx(&[0xaa]), tx(&[0xbb, 0xcc])],
        },
        L2Block {
            timestamp: 9,
            transactions: vec![],
        },
    ]
}

#[test]
fn encodes_the_documented_layout() {
    let data = encode_batch(FEE, &sample_blocks()).unwrap();
    let expected = hex!(
        "01"                 // version
        "fefefefefefefefefefefefefefefefefefefefe" // fee recipient
        "0102030405060708"   // block 0 timestamp
        "0002"               // block 0 txCount
        "000001" "aa"        // tx 0
        "000002" "bbcc"      // tx 1
        "0000000000000009"   // block 1 timestamp
        "0000"               // block 1 txCount
    );
    assert_eq!(data.as_ref(), expected.as_slice());
    let batch = decode_batch(&data, 2).unwrap();
    assert_eq!(batch.blocks, sample_blocks());
    assert_eq!(batch.fee_recipient, FEE);
}

#[test]
fn single_empty_block_is_thirty_one_bytes() {
    let data = encode_batch(
        FEE,
        &[L2Block {
            timestamp: 1,
            transactions: vec![],
        }],
    )
    .unwrap();
    assert_eq!(
        data.as_ref(),
        hex!("01" "fefefefefefefefefefefefefefefefefefefefe" "0000000000000001" "0000").as_slice()
    );
}

#[test]
fn encode_refuses_what_the_format_cannot_say() {
    assert_eq!(encode_batch(FEE, &[]), Err(EncodeError::NoBlocks));
    let empty_tx = [L2Block {
        timestamp: 0,
        transactions: vec![tx(&[1]), Bytes::new()],
    }];
    assert_eq!(
        encode_batch(FEE, &empty_tx),
        Err(EncodeError::EmptyTransaction { block: 0, index: 1 })
    );
    let big = Bytes::from(vec![7u8; MAX_TX_LEN + 1]);
    let too_big = [
        L2Block::default(),
        L2Block {
            timestamp: 0,
            transactions: vec![big],
        },
    ];
    assert_eq!(
        encode_batch(FEE, &too_big),
        Err(EncodeError::TransactionTooLarge {
            block: 1,
            index: 0,
            len: MAX_TX_LEN + 1
        })
    );
    let many = [L2Block {
        timestamp: 0,
        transactions: vec![tx(&[1]); MAX_TXS_PER_BLOCK + 1],
    }];
    assert_eq!(
        encode_batch(FEE, &many),
        Err(EncodeError::TooManyTransactionsInBlock {
            block: 0,
            count: MAX_TXS_PER_BLOCK + 1
        })
    );
}

#[test]
fn largest_transaction_round_trips() {
    let big = Bytes::from(vec![0x5a; MAX_TX_LEN]);
    let blocks = vec![L2Block {
        timestamp: 3,
        transactions: vec![big],
    }];
    let data = encode_batch(FEE, &blocks).unwrap();
    assert_eq!(&data[31..34], &[0xff, 0xff, 0xff]);
    assert_eq!(decode_batch(&data, 1).unwrap().blocks, blocks);
}

#[test]
fn decode_reports_where_it_failed() {
    let data = encode_batch(FEE, &sample_blocks()).unwrap();
    assert_eq!(decode_batch(&data, 0), Err(DecodeError::NoBlocks));
    assert_eq!(decode_batch(&[], 1), Err(DecodeError::Empty));
    assert_eq!(
        decode_batch(&[0x02], 1),
        Err(DecodeError::UnsupportedVersion(2))
    );
    // The prefix cut short (a version byte and part of the fee recipient): offset 0.
    assert_eq!(
        decode_batch(&data[..5], 1),
        Err(DecodeError::Truncated {
            offset: 0,
            needed: 16
        })
    );
    // One block too many: the third block's 10-byte header is missing entirely.
    assert_eq!(
        decode_batch(&data, 3),
        Err(DecodeError::Truncated {
            offset: 50,
            needed: 10
        })
    );
    // One block too few: the second block is left over.
    assert_eq!(
        decode_batch(&data, 1),
        Err(DecodeError::TrailingBytes {
            offset: 40,
            len: 10
        })
    );
    // Cut inside the second transaction's body: reported at that transaction's start.
    assert_eq!(
        decode_batch(&data[..39], 2),
        Err(DecodeError::Truncated {
            offset: 35,
            needed: 1
        })
    );
    // Cut inside a length prefix.
    assert_eq!(
        decode_batch(&data[..33], 2),
        Err(DecodeError::Truncated {
            offset: 31,
            needed: 1
        })
    );
    let zero_len =
        hex!("01" "fefefefefefefefefefefefefefefefefefefefe" "0000000000000001" "0001" "000000");
    assert_eq!(
        decode_batch(&zero_len, 1),
        Err(DecodeError::EmptyTransaction { offset: 31 })
    );
    // Cut inside the second block's header: reported at the block's start.
    assert_eq!(
        decode_batch(&data[..49], 2),
        Err(DecodeError::Truncated {
            offset: 40,
            needed: 1
        })
    );
}

#[test]
fn offsets_are_the_contracts() {
    assert_eq!(DecodeError::NoBlocks.offset(), None);
    assert_eq!(DecodeError::Empty.offset(), Some(0));
    assert_eq!(DecodeError::UnsupportedVersion(7).offset(), Some(0));
    assert_eq!(
        DecodeError::TrailingBytes { offset: 20, len: 1 }.offset(),
        Some(20)
    );
}

#[test]
fn huge_block_count_on_short_data_fails_fast() {
    let data = encode_batch(FEE, &sample_blocks()).unwrap();
    assert!(matches!(
        decode_batch(&data, u64::MAX),
        Err(DecodeError::Truncated { .. })
    ));
}

fn context() -> RecordContext {
    RecordContext {
        chain_id: U256::from(901),
        epoch: 4,
        first_block: 100,
        prev_record_hash: B256::repeat_byte(9),
        force_index: 2,
        fee_recipient: FEE,
    }
}

#[test]
fn seal_builds_a_header_that_checks() {
    let (header, data) = context().seal(&sample_blocks()).unwrap();
    assert_eq!(header.firstBlock, 100);
    assert_eq!(header.lastBlock, 101);
    assert_eq!(header.txCount, 2);
    assert_eq!(header.prevRecordHash, B256::repeat_byte(9));
    assert_eq!(header.forceIndex, 2);
    let batch = check_record(&header, &data, &RecordLimits::UNLIMITED).unwrap();
    assert_eq!(batch.blocks, sample_blocks());
    assert_eq!(header.dataHash, batch.commitment().data_hash());
}

/// The commitment spelled out by hand: the framing bytes, the padded tree over three leaves
/// (the fourth position empty), and the 85-byte preimage.
#[test]
fn commitment_is_the_documented_one() {
    let batch = Batch {
        fee_recipient: FEE,
        blocks: vec![
            L2Block {
                timestamp: 7,
                transactions: vec![tx(&[1]), tx(&[2, 2])],
            },
            L2Block {
                timestamp: 8,
                transactions: vec![tx(&[3])],
            },
        ],
    };
    let c = batch.commitment();
    assert_eq!(
        c.blocks_hash,
        keccak256(hex!("0000000000000007 0002 0000000000000008 0001"))
    );
    let pair = |a: B256, b: B256| keccak256([a.as_slice(), b.as_slice()].concat());
    let (l0, l1, l2) = (keccak256([1]), keccak256([2, 2]), keccak256([3]));
    assert_eq!(c.tx_root, pair(pair(l0, l1), pair(l2, B256::ZERO)));
    let preimage = [
        &[BATCH_VERSION][..],
        FEE.as_slice(),
        c.blocks_hash.as_slice(),
        c.tx_root.as_slice(),
    ]
    .concat();
    assert_eq!(c.data_hash(), keccak256(preimage));

    // Every transaction's path leads to the root, as `PaddedMerkle.rootOf` checks on L1.
    for i in 0..3 {
        let (raw, path) = batch.transaction_proof(i).unwrap();
        assert_eq!(path.len(), 2);
        assert!(crate::l2::verify_tx_proof(
            c.tx_root,
            keccak256(&raw),
            i,
            &path
        ));
    }
    assert_eq!(batch.transaction_proof(3), None);
}

#[test]
fn check_record_enforces_the_inbox_caps() {
    let (header, data) = context().seal(&sample_blocks()).unwrap();
    let exact = RecordLimits {
        max_record_bytes: data.len(),
        max_record_txs: 2,
        max_tx_len: 2,
    };
    assert!(check_record(&header, &data, &exact).is_ok());
    let short = RecordLimits {
        max_record_bytes: data.len() - 1,
        ..exact
    };
    assert_eq!(
        check_record(&header, &data, &short),
        Err(RecordError::RecordTooLarge {
            len: data.len(),
            max: data.len() - 1
        })
    );
    let few = RecordLimits {
        max_record_txs: 1,
        ..exact
    };
    assert_eq!(
        check_record(&header, &data, &few),
        Err(RecordError::TooManyTransactions { count: 2, max: 1 })
    );
    let narrow = RecordLimits {
        max_tx_len: 1,
        ..exact
    };
    // The second transaction (two bytes) starts at 21 + 10 + 4.
    assert_eq!(
        check_record(&header, &data, &narrow),
        Err(RecordError::Malformed(DecodeError::TransactionTooLarge {
            offset: 35,
            len: 2,
            max: 1
        }))
    );
}

#[test]
fn seal_refuses_a_range_past_u64() {
    let ctx = RecordContext {
        first_block: u64::MAX,
        ..context()
    };
    let blocks = vec![L2Block::default(); 2];
    assert_eq!(
        ctx.seal(&blocks),
        Err(EncodeError::BlockRangeOverflow {
            first_block: u64::MAX,
            blocks: 2
        })
    );
    assert!(
        ctx.seal(&blocks[..1]).is_ok(),
        "a one-block record at u64::MAX fits"
    );
}

#[test]
fn check_record_mirrors_the_inbox() {
    let (header, data) = context().seal(&sample_blocks()).unwrap();

    let inverted = BatchHeader {
        lastBlock: 99,
        ..header.clone()
    };
    let unlimited = &RecordLimits::UNLIMITED;
    assert_eq!(
        check_record(&inverted, &data, unlimited),
        Err(RecordError::EmptyBlockRange {
            first_block: 100,
            last_block: 99
        })
    );

    let mut tampered = data.to_vec();
    tampered[1] ^= 1;
    assert!(matches!(
        check_record(&header, &tampered, unlimited),
        Err(RecordError::DataHashMismatch { .. })
    ));

    // A range one block longer than the data: the parse fails before the hash is compared.
    let longer = BatchHeader {
        lastBlock: 102,
        ..header.clone()
    };
    assert!(matches!(
        check_record(&longer, &data, unlimited),
        Err(RecordError::Malformed(DecodeError::Truncated { .. }))
    ));

    let wrong_count = BatchHeader {
        txCount: 3,
        ..header
    };
    assert_eq!(
        check_record(&wrong_count, &data, unlimited),
        Err(RecordError::TxCountMismatch {
            header: 3,
            actual: 2
        })
    );
}

#[test]
fn total_tx_count_sums_blocks() {
    assert_eq!(total_tx_count(&sample_blocks()), Ok(2));
    assert_eq!(total_tx_count(&[]), Ok(0));
}

fn arb_block() -> impl Strategy<Value = L2Block> {
    (
        any::<u64>(),
        prop::collection::vec(prop::collection::vec(any::<u8>(), 1..64), 0..6),
    )
        .prop_map(|(timestamp, txs)| L2Block {
            timestamp,
            transactions: txs.into_iter().map(Bytes::from).collect(),
        })
}

proptest! {
    #[test]
    fn round_trips(blocks in prop::collection::vec(arb_block(), 1..8)) {
        let data = encode_batch(FEE, &blocks).unwrap();
        prop_assert_eq!(decode_batch(&data, blocks.len() as u64).unwrap().blocks, blocks.clone());
        let (header, sealed) = context().seal(&blocks).unwrap();
        prop_assert_eq!(&sealed, &data);
        prop_assert_eq!(check_record(&header, &data, &RecordLimits::UNLIMITED).unwrap().blocks, blocks);
    }

    /// Random bytes never panic, and whatever parses is canonical: it re-encodes to itself.
    #[test]
    fn random_bytes_never_panic(
        mut data in prop::collection::vec(any::<u8>(), 0..256),
        force_version in any::<bool>(),
        block_count in prop_oneof![0u64..8, any::<u64>()],
    ) {
        if force_version && !data.is_empty() {
            data[0] = BATCH_VERSION;
        }
        if let Ok(batch) = decode_batch(&data, block_count) {
            prop_assert_eq!(batch.blocks.len() as u64, block_count);
            let reencoded = encode_batch(batch.fee_recipient, &batch.blocks).unwrap();
            prop_assert_eq!(reencoded.as_ref(), data.as_slice());
        }
    }

    /// Flipping, cutting or extending a valid encoding never panics, and any change that still
    /// decodes re-encodes to the changed bytes (no two encodings of one batch).
    #[test]
    fn mutated_encodings_never_panic(
        blocks in prop::collection::vec(arb_block(), 1..5),
        position in any::<prop::sample::Index>(),
        xor in 1u8..,
        cut in any::<prop::sample::Index>(),
        extra in prop::collection::vec(any::<u8>(), 1..4),
    ) {
        let data = encode_batch(FEE, &blocks).unwrap().to_vec();
        let count = blocks.len() as u64;

        let mut flipped = data.clone();
        flipped[position.index(data.len())] ^= xor;
        if let Ok(decoded) = decode_batch(&flipped, count) {
            prop_assert_ne!(
                &decoded,
                &Batch { fee_recipient: FEE, blocks: blocks.clone() }
            );
            prop_assert_eq!(encode_batch(decoded.fee_recipient, &decoded.blocks).unwrap().to_vec(), flipped);
        }

        let truncated = &data[..cut.index(data.len())];
        prop_assert!(decode_batch(truncated, count).is_err());

        let mut extended = data.clone();
        extended.extend_from_slice(&extra);
        prop_assert!(decode_batch(&extended, count).is_err());
    }
}
