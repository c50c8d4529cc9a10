use super::*;
use alloy_primitives::{b256, uint};
use proptest::prelude::*;
use std::collections::HashSet;

const ETHER: U256 = uint!(1_000_000_000_000_000_000_U256);

fn op(byte: u8) -> Address {
    Address::repeat_byte(byte)
}

fn snapshot(stakes: &[U256], seed: u64) -> Snapshot {
    Snapshot {
        entries: stakes
            .iter()
            .enumerate()
            .map(|(i, &stake)| SnapshotEntry {
                operator: op(i as u8 + 1),
                stake,
            })
            .collect(),
        seed,
    }
}

fn length(n: u64) -> NonZeroU64 {
    NonZeroU64::new(n).unwrap()
}

/// `cast keccak $(cast abi-encode "f(uint64,uint256,uint256)" 0x0123456789abcdef 42 <i>)`.
#[test]
fn draw_word_is_abi_encode_of_uint64_uint256_uint256() {
    let expected = [
        b256!("0xe6b800ae34db5840a7ee53b9d708a4f3c90e9ea7f1b91ca29cfeb35076ffd27b"),
        b256!("0x096f45da64ad7b331ff5b47f3cc146ef38935999bbefeecf3a6c1319ed9eabc0"),
        b256!("0x07b0835030bb8efb0bda0a169a0ffccac34da57f4345f542f69edecac99116c6"),
    ];
    for (i, word) in expected.iter().enumerate() {
        assert_eq!(
            draw_word(0x0123_4567_89ab_cdef, 42, i),
            U256::from_be_bytes(word.0)
        );
    }
}

/// Stakes 1, 2, 3, 4 ETH, seed 0x0123456789abcdef, epoch 42: the targets were reduced by hand
/// (Python over the `cast keccak` words above) to 8264601938119086715 mod 10 ETH → op 4,
/// then mod 6 ETH → op 2, mod 4 ETH → op 3, mod 1 ETH → op 1.
#[test]
fn matches_a_hand_computed_schedule() {
    let s = snapshot(
        &[
            ETHER,
            ETHER * U256::from(2),
            ETHER * U256::from(3),
            ETHER * U256::from(4),
        ],
        0x0123_4567_89ab_cdef,
    );
    let expected = [op(4), op(2), op(3), op(1)];
    assert_eq!(s.ranking(42).unwrap(), expected);
    for (rank, leader) in expected.iter().enumerate() {
        assert_eq!(s.leader(42, rank).unwrap(), *leader, "rank {rank}");
    }
}

#[test]
fn errors_mirror_the_contract() {
    assert_eq!(
        Snapshot::default().leader(3, 0),
        Err(ScheduleError::NoSequencers { epoch: 3 })
    );
    assert_eq!(
        Snapshot::default().ranking(3),
        Err(ScheduleError::NoSequencers { epoch: 3 })
    );
    let s = snapshot(&[ETHER, ETHER], 1);
    assert_eq!(
        s.leader(0, 2),
        Err(ScheduleError::RankOutOfRange {
            rank: 2,
            operators: 2
        })
    );
    // The contract divides by zero here.
    let broke = snapshot(&[ETHER, U256::ZERO], 1);
    assert_eq!(broke.leader(0, 0), Ok(op(1)));
    assert_eq!(
        broke.leader(0, 1),
        Err(ScheduleError::ZeroTotalStake { draw: 1 })
    );
    assert_eq!(
        snapshot(&[U256::MAX, U256::from(1)], 1).leader(0, 0),
        Err(ScheduleError::StakeOverflow)
    );
}

#[test]
fn zero_stake_operators_are_skipped() {
    let s = snapshot(&[U256::ZERO, ETHER, U256::ZERO], 7);
    for epoch in 0..16 {
        assert_eq!(s.leader(epoch, 0).unwrap(), op(2));
    }
}

#[test]
fn from_view_checks_lengths_and_seed() {
    let ops = [op(1), op(2)];
    let stakes = [ETHER, ETHER];
    let seed = B256::from(U256::from(0xfeed_u64));
    let s = Snapshot::from_view(&ops, &stakes, seed).unwrap();
    assert_eq!(s.seed, 0xfeed);
    assert_eq!(
        s.entries[1],
        SnapshotEntry {
            operator: op(2),
            stake: ETHER
        }
    );
    assert_eq!(
        Snapshot::from_view(&ops, &stakes[..1], seed),
        Err(ScheduleError::LengthMismatch {
            operators: 2,
            stakes: 1
        })
    );
    let wide = B256::from(U256::from(u64::MAX) + U256::from(1));
    assert_eq!(
        Snapshot::from_view(&ops, &stakes, wide),
        Err(ScheduleError::SeedOutOfRange(wide))
    );
    let max = B256::from(U256::from(u64::MAX));
    assert_eq!(
        Snapshot::from_view(&ops, &stakes, max).unwrap().seed,
        u64::MAX
    );
}

#[test]
fn a_single_operator_always_leads() {
    let s = snapshot(&[ETHER], 99);
    for epoch in [0, 1, u64::MAX] {
        assert_eq!(s.ranking(epoch).unwrap(), vec![op(1)]);
    }
}

#[test]
fn leader_is_stake_weighted() {
    // 1 : 9 stakes over many epochs: the heavy operator leads about 90% of them.
    let s = snapshot(&[ETHER, ETHER * U256::from(9)], 0xabc);
    let heavy = (0..2000)
        .filter(|&e| s.leader(e, 0).unwrap() == op(2))
        .count();
    assert!((1700..=1900).contains(&heavy), "heavy led {heavy} of 2000");
}

#[test]
fn epochs_follow_the_contract() {
    let len = length(8);
    assert_eq!(epoch_of(100, 100, len), 0);
    assert_eq!(epoch_of(107, 100, len), 0);
    assert_eq!(epoch_of(108, 100, len), 1);
    assert_eq!(
        epoch_of(99, 100, len),
        0,
        "before genesis is epoch 0, as epochOf"
    );
    assert_eq!(epoch_start_block(0, 100, len), Some(100));
    assert_eq!(epoch_start_block(3, 100, len), Some(124));
    assert_eq!(epoch_start_block(u64::MAX, 0, len), None);
    assert_eq!(epoch_start_block(1, u64::MAX, len), None);
}

fn arb_stakes() -> impl Strategy<Value = Vec<U256>> {
    // Stakes as the contract holds them: non-zero, below 2^96 in total.
    prop::collection::vec(1u64..=u64::MAX >> 8, 1..12)
        .prop_map(|v| v.into_iter().map(U256::from).collect())
}

proptest! {
    /// Ranks 0..n−1 name every operator exactly once, and agree with the one-pass ranking.
    #[test]
    fn ranks_form_a_permutation(stakes in arb_stakes(), seed in any::<u64>(), epoch in any::<u64>()) {
        let s = snapshot(&stakes, seed);
        let n = stakes.len();
        let by_rank: Vec<Address> = (0..n).map(|r| s.leader(epoch, r).unwrap()).collect();
        let distinct: HashSet<Address> = by_rank.iter().copied().collect();
        prop_assert_eq!(distinct.len(), n);
        prop_assert!(s.entries.iter().all(|e| distinct.contains(&e.operator)));
        prop_assert_eq!(s.ranking(epoch).unwrap(), by_rank);
        prop_assert_eq!(
            s.leader(epoch, n),
            Err(ScheduleError::RankOutOfRange { rank: n, operators: n })
        );
    }

    /// Every block of an epoch maps back to it, and the next epoch starts right after.
    #[test]
    fn epoch_bounds_round_trip(genesis in 0u64..1 << 40, len in 1u64..1 << 12, epoch in 0u64..1 << 20) {
        let len = length(len);
        let start = epoch_start_block(epoch, genesis, len).unwrap();
        prop_assert_eq!(epoch_of(start, genesis, len), epoch);
        prop_assert_eq!(epoch_of(start + len.get() - 1, genesis, len), epoch);
        prop_assert_eq!(epoch_of(start + len.get(), genesis, len), epoch + 1);
    }
}
