//! Sequencing end to end: three bonded operators, two checkpoints (the first captures the set,
//! the second draws over it), the leader drawn in Rust and checked against `leaderOf`, and
//! records built, sealed and signed with baton-core and posted to the real BatchInbox.

use crate::devnet;
use alloy::{
    network::EthereumWallet,
    primitives::{Address, Bytes, U64, U256},
    providers::{Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
    sol_types::SolEvent,
};
use baton_bindings::{
    Deployment, IBatchInbox, IBatchInbox::IBatchInboxErrors, ILeaderSchedule,
    ILeaderSchedule::ILeaderScheduleErrors,
};
use baton_core::{
    BatchHeader, L2Block, RecordContext, Snapshot, decode_batch, epoch_of, epoch_start_block,
    sign_digest,
};
use eyre::{OptionExt, bail, ensure};
use std::num::NonZeroU64;

/// Blocks that must be left in the current epoch before we seal a header for it: the submission
/// mines one block, and a margin keeps the simulated calls after it in the same epoch.
const MIN_BLOCKS_LEFT: u64 = 4;

/// A bonded operator: the account that owns the stake and sends records, and the separate key
/// that signs its headers.
struct Operator {
    account: Address,
    signer: PrivateKeySigner,
    stake: U256,
}

/// The devnet's epoch clock, read from the registry.
#[derive(Clone, Copy)]
struct Clock {
    genesis: u64,
    length: NonZeroU64,
}

impl Clock {
    fn epoch_of(self, block: u64) -> u64 {
        epoch_of(block, self.genesis, self.length)
    }

    fn start_of(self, epoch: u64) -> u64 {
        epoch_start_block(epoch, self.genesis, self.length).expect("devnet epochs fit a u64")
    }
}

/// Advances anvil by `blocks` empty blocks.
async fn mine(provider: &impl Provider, blocks: u64) -> eyre::Result<()> {
    if blocks > 0 {
        provider
            .raw_request::<_, serde_json::Value>("anvil_mine".into(), [U64::from(blocks)])
            .await?;
    }
    Ok(())
}

/// Mines until the latest block is `target` (it must not be behind us already).
async fn mine_to(provider: &impl Provider, target: u64) -> eyre::Result<()> {
    let now = provider.get_block_number().await?;
    ensure!(now <= target, "already at block {now}, past {target}");
    mine(provider, target - now).await
}

/// The snapshot governing `epoch`, read with `snapshotOf`, as the core's [`Snapshot`].
async fn snapshot_of<P: Provider>(
    d: &Deployment,
    provider: P,
    epoch: u64,
) -> eyre::Result<Snapshot> {
    let view = d
        .leader_schedule(provider)
        .snapshotOf(U256::from(epoch))
        .call()
        .await?;
    Ok(Snapshot::from_view(
        &view.operators,
        &view.stakes,
        view.seed,
    )?)
}

/// Makes sure at least [`MIN_BLOCKS_LEFT`] blocks remain in the current epoch (mining to the
/// start of the next one otherwise) and returns that epoch with its rank-0 operator, drawn in
/// Rust and checked against `leaderOf`.
async fn fresh_epoch_leader<P: Provider + Clone>(
    d: &Deployment,
    provider: P,
    clock: Clock,
) -> eyre::Result<(u64, Address)> {
    let block = provider.get_block_number().await?;
    let mut epoch = clock.epoch_of(block);
    if clock.start_of(epoch + 1) - block < MIN_BLOCKS_LEFT {
        epoch += 1;
        mine_to(&provider, clock.start_of(epoch)).await?;
    }
    let schedule = d.leader_schedule(provider.clone());
    ensure!(
        schedule.currentEpoch().call().await? == U256::from(epoch),
        "the contract disagrees about the current epoch {epoch}"
    );
    let leader = snapshot_of(d, provider, epoch).await?.leader(epoch, 0)?;
    let on_chain = schedule
        .leaderOf(U256::from(epoch), U256::ZERO)
        .call()
        .await?;
    ensure!(
        leader == on_chain,
        "epoch {epoch}: Rust draws {leader}, leaderOf says {on_chain}"
    );
    Ok((epoch, leader))
}

/// Two L2 blocks of raw byte "transactions" of assorted lengths: 1 byte, a word, more than one
/// byte of length prefix, and the largest the inbox takes (the devnet queue's `maxTxSize`).
fn sample_blocks(salt: u8) -> Vec<L2Block> {
    let tx = |len: usize, fill: u8| Bytes::from(vec![fill ^ salt; len]);
    vec![
        L2Block {
            timestamp: 1_700_000_000 + u64::from(salt),
            transactions: vec![tx(1, 0x01), tx(32, 0x02), tx(300, 0x03)],
        },
        L2Block {
            timestamp: 1_700_000_001 + u64::from(salt),
            transactions: vec![tx(4096, 0x04), tx(2, 0x05)],
        },
    ]
}

/// Builds the context of the next record from what the inbox and the queue say now.
async fn next_record_context<P: Provider + Clone>(
    d: &Deployment,
    provider: P,
    epoch: u64,
) -> eyre::Result<RecordContext> {
    let inbox = d.batch_inbox(provider.clone());
    let queue = d.force_inclusion_queue(provider);
    Ok(RecordContext {
        chain_id: U256::from(d.parameters.l2_chain_id),
        epoch,
        first_block: inbox.lastL2Block().call().await? + 1,
        prev_record_hash: inbox.lastRecordHash().call().await?,
        force_index: queue.requiredCursor().call().await?.try_into()?,
        fee_recipient: Address::repeat_byte(0xfe),
    })
}

/// Call `checkpoint()` from `from`; returns the epoch it was taken in and its event.
async fn checkpoint<P: Provider>(
    schedule: &ILeaderSchedule::ILeaderScheduleInstance<P>,
    from: Address,
) -> eyre::Result<(u64, ILeaderSchedule::Checkpointed)> {
    let receipt = schedule
        .checkpoint()
        .from(from)
        .send()
        .await?
        .get_receipt()
        .await?;
    ensure!(receipt.status(), "checkpoint reverted");
    let block = receipt.block_number.ok_or_eyre("no block number")?;
    let event = receipt
        .inner
        .logs()
        .iter()
        .find_map(|log| ILeaderSchedule::Checkpointed::decode_log(&log.inner).ok())
        .ok_or_eyre("no Checkpointed event")?;
    let epoch_length: u64 = schedule.epochLength().call().await?.try_into()?;
    let genesis: u64 = schedule.genesisBlock().call().await?.try_into()?;
    Ok(((block - genesis) / epoch_length, event.data))
}

/// Bond three operators with separate signer keys and different stakes, take a checkpoint, check
/// the Rust draw against `leaderOf` for every rank of the epoch it governs, then post a record
/// built and signed with baton-core from the leader's account, and show that a record mis-framed
/// by one byte reverts with `MalformedBatchData` at the offset the Rust decoder reports.
#[tokio::test]
async fn leader_draw_and_records_agree_with_the_contracts() -> eyre::Result<()> {
    let devnet = devnet::start().await?;
    let d = &devnet.deployment;
    let url = devnet.anvil.endpoint_url();

    // Anvil dev accounts 1..3 own the stakes; every signer is a fresh key with no ETH. One
    // wallet holds the three accounts and signs for whichever `from` a transaction names.
    let keys: Vec<PrivateKeySigner> = (1..=3)
        .map(|i| PrivateKeySigner::from(devnet.anvil.keys()[i].clone()))
        .collect();
    let mut wallet = EthereumWallet::from(keys[0].clone());
    for key in &keys[1..] {
        wallet.register_signer(key.clone());
    }
    let provider = ProviderBuilder::new().wallet(wallet).connect_http(url);
    let ether = U256::from(10u64).pow(U256::from(18));
    let operators: Vec<Operator> = keys
        .iter()
        .zip([2u64, 3, 5])
        .map(|(key, eth)| Operator {
            account: key.address(),
            signer: PrivateKeySigner::random(),
            stake: ether * U256::from(eth),
        })
        .collect();

    let registry = d.registry(&provider);
    let schedule = d.leader_schedule(&provider);
    let inbox = d.batch_inbox(&provider);
    let clock = Clock {
        genesis: schedule.genesisBlock().call().await?.try_into()?,
        length: NonZeroU64::new(schedule.epochLength().call().await?.try_into()?)
            .ok_or_eyre("epochLength is zero")?,
    };
    let block = provider.get_block_number().await?;
    for b in [block, clock.start_of(5), clock.start_of(5) - 1] {
        let on_chain = schedule.epochOf(U256::from(b)).call().await?;
        ensure!(on_chain == U256::from(clock.epoch_of(b)), "epochOf({b})");
    }
    ensure!(
        schedule.epochStartBlock(U256::from(5)).call().await? == U256::from(clock.start_of(5)),
        "epochStartBlock(5)"
    );

    for op in &operators {
        let receipt = registry
            .bond(op.signer.address())
            .from(op.account)
            .value(op.stake)
            .send()
            .await?
            .get_receipt()
            .await?;
        ensure!(receipt.status(), "bond of {} reverted", op.account);
    }

    // A checkpoint draws its fresh seed over the set the checkpoint before it captured (so no
    // one can steer a known seed with a stake change): the first one only captures the three
    // bonds, the second, an epoch later, governs with them from two epochs after it is taken.
    let (_, captured) = checkpoint(&schedule, operators[0].account).await?;
    assert_eq!(
        captured.operators,
        U256::ZERO,
        "the first checkpoint still draws over the empty set"
    );
    let next_epoch = clock.epoch_of(provider.get_block_number().await?) + 1;
    mine_to(&provider, clock.start_of(next_epoch)).await?;
    let (taken_in, checkpointed) = checkpoint(&schedule, operators[0].account).await?;
    let governed = taken_in + 2;
    assert_eq!(checkpointed.effectiveEpoch, U256::from(governed));
    assert_eq!(checkpointed.operators, U256::from(3));
    let total: U256 = operators.iter().map(|op| op.stake).sum();
    assert_eq!(checkpointed.totalStake, total);

    mine_to(&provider, clock.start_of(governed)).await?;
    ensure!(
        schedule.currentEpoch().call().await? == U256::from(governed),
        "not in the governed epoch yet"
    );

    // Every rank of the governed epoch, and the next one too (its schedule is already fixed).
    for epoch in [governed, governed + 1] {
        let snapshot = snapshot_of(d, &provider, epoch).await?;
        assert_eq!(snapshot.entries.len(), 3);
        for op in &operators {
            let entry = snapshot
                .entries
                .iter()
                .find(|e| e.operator == op.account)
                .ok_or_eyre("a bonded operator is missing from the snapshot")?;
            assert_eq!(entry.stake, op.stake, "stake of {}", op.account);
        }
        let ranking = snapshot.ranking(epoch)?;
        eprintln!(
            "epoch {epoch} (seed {:#x}): ranking {ranking:?}",
            snapshot.seed
        );
        for (rank, &drawn) in ranking.iter().enumerate() {
            let on_chain = schedule
                .leaderOf(U256::from(epoch), U256::from(rank))
                .call()
                .await?;
            assert_eq!(
                drawn, on_chain,
                "epoch {epoch} rank {rank}: Rust vs leaderOf"
            );
            assert_eq!(snapshot.leader(epoch, rank)?, drawn);
        }
        let out_of_range = schedule
            .leaderOf(U256::from(epoch), U256::from(3))
            .call()
            .await
            .expect_err("rank 3 of 3 operators must revert");
        match out_of_range.as_decoded_interface_error::<ILeaderScheduleErrors>() {
            Some(ILeaderScheduleErrors::RankOutOfRange(e)) => {
                assert_eq!((e.rank, e.operators), (U256::from(3), U256::from(3)));
            }
            other => panic!("expected RankOutOfRange, got {other:?} from {out_of_range}"),
        }
        assert!(snapshot.leader(epoch, 3).is_err());
    }

    // The first record, sealed and signed in Rust, posted from the leader's operator account.
    let domain = d.domain();
    let signer_of = |account: Address| -> eyre::Result<&PrivateKeySigner> {
        Ok(&operators
            .iter()
            .find(|op| op.account == account)
            .ok_or_eyre("the leader is not one of ours")?
            .signer)
    };
    let (epoch, leader) = fresh_epoch_leader(d, &provider, clock).await?;
    let ctx = next_record_context(d, &provider, epoch).await?;
    assert_eq!((ctx.first_block, ctx.force_index), (1, 0));
    let blocks = sample_blocks(0);
    let (header, data) = ctx.seal(&blocks)?;
    let decoded = decode_batch(&data, 2)?;
    assert_eq!(
        (decoded.fee_recipient, decoded.blocks),
        (ctx.fee_recipient, blocks)
    );
    let signature = sign_digest(signer_of(leader)?, &header.signing_digest(&domain))?;
    let receipt = inbox
        .submitRecord(header.clone().into(), U256::ZERO, signature.into(), data)
        .from(leader)
        .send()
        .await?
        .get_receipt()
        .await?;
    ensure!(receipt.status(), "submitRecord reverted: {receipt:?}");
    let landed_in = clock.epoch_of(receipt.block_number.ok_or_eyre("no block number")?);
    ensure!(
        landed_in == epoch,
        "posted in epoch {landed_in}, sealed for {epoch}"
    );

    assert_eq!(inbox.recordCount().call().await?, U256::from(1));
    assert_eq!(
        inbox.recordHash(U256::ZERO).call().await?,
        header.record_hash()
    );
    assert_eq!(inbox.lastRecordHash().call().await?, header.record_hash());
    assert_eq!(inbox.lastL2Block().call().await?, header.lastBlock);
    let posting = inbox.epochPosting(U256::from(epoch)).call().await?;
    assert!(posting.posted && posting.leaderPosted && posting.actingRank.is_zero());
    let appended = receipt
        .inner
        .logs()
        .iter()
        .find_map(|log| IBatchInbox::RecordAppended::decode_log(&log.inner).ok())
        .ok_or_eyre("no RecordAppended event")?;
    assert_eq!(appended.index, U256::ZERO);
    assert_eq!(appended.recordHash, header.record_hash());
    assert_eq!(appended.epoch, U256::from(epoch));
    assert_eq!((appended.operator, appended.rank), (leader, U256::ZERO));
    assert!(!appended.forced);
    assert_eq!(BatchHeader::from(appended.header.clone()), header);

    // The second record: well framed it would be accepted; mis-framed by one byte, the inbox
    // reports where, as the Rust decoder does (it parses before it compares the commitment, so
    // the good header's dataHash serves).
    let (epoch, leader) = fresh_epoch_leader(d, &provider, clock).await?;
    let ctx = next_record_context(d, &provider, epoch).await?;
    assert_eq!(ctx.prev_record_hash, header.record_hash());
    assert_eq!(ctx.first_block, header.lastBlock + 1);
    let (good, good_data) = ctx.seal(&sample_blocks(0x5a))?;
    let signer = signer_of(leader)?;
    let sign = |h: &BatchHeader| sign_digest(signer, &h.signing_digest(&domain));
    inbox
        .submitRecord(
            good.clone().into(),
            U256::ZERO,
            sign(&good)?.into(),
            good_data.clone(),
        )
        .from(leader)
        .call()
        .await
        .map_err(|e| eyre::eyre!("the well-framed second record should be accepted: {e}"))?;

    let mut trailing = good_data.to_vec();
    trailing.push(0);
    let short = good_data[..good_data.len() - 1].to_vec();
    let mut long_prefix = good_data.to_vec();
    // The first transaction's 3-byte length sits after the 21-byte prefix (version and fee
    // recipient) and the 10-byte block header.
    long_prefix[33] += 1;
    for (what, bad) in [
        ("a trailing byte", trailing),
        ("the last byte cut", short),
        ("the first length one too long", long_prefix),
    ] {
        let offset = match decode_batch(&bad, 2) {
            Ok(_) => bail!("{what}: the Rust decoder accepted mis-framed data"),
            Err(e) => e.offset().ok_or_eyre("a decode error with no offset")?,
        };
        let bad_header = good.clone();
        let reverted = inbox
            .submitRecord(
                bad_header.clone().into(),
                U256::ZERO,
                sign(&bad_header)?.into(),
                Bytes::from(bad),
            )
            .from(leader)
            .call()
            .await
            .err()
            .ok_or_eyre("mis-framed data must revert")?;
        match reverted.as_decoded_interface_error::<IBatchInboxErrors>() {
            Some(IBatchInboxErrors::MalformedBatchData(e)) => {
                eprintln!("{what}: MalformedBatchData({})", e.offset);
                assert_eq!(
                    e.offset,
                    U256::from(offset),
                    "{what}: contract vs Rust offset"
                );
            }
            other => panic!("{what}: expected MalformedBatchData, got {other:?} from {reverted}"),
        }
    }
    assert_eq!(
        inbox.recordCount().call().await?,
        U256::from(1),
        "nothing else landed"
    );
    Ok(())
}
