//! Integration tests against a real anvil with the contracts deployed by `script/Deploy.s.sol`.
//! One test binary per crate keeps link time down.

mod cast_recipe;
mod devnet;
mod sequencing;

use alloy::{
    primitives::{Address, B256, Bytes, U256},
    providers::ProviderBuilder,
    signers::local::PrivateKeySigner,
    sol_types::SolEvent,
};
use alloy_signer::SignerSync;
use baton_bindings::{
    ISequencerRegistry::ISequencerRegistryErrors, ISlasher, ISlasher::ISlasherErrors,
};
use baton_core::{
    BlockHeader, GENESIS_RECORD_HASH, L2Block, RecordContext, baton_domain, recover_signer,
    sign_digest,
};
use eyre::{OptionExt, ensure};

const BPS: u64 = 10_000;

/// Bond an operator, prove that Rust and Solidity agree on both EIP-712 digests, show that a
/// header signed under another domain is refused, then slash a real block equivocation through
/// the bindings and check the stake and the reporter's reward.
#[tokio::test]
async fn equivocation_is_slashed_through_the_bindings() -> eyre::Result<()> {
    let devnet = devnet::start().await?;
    let d = &devnet.deployment;
    let params = &d.parameters;
    let url = devnet.anvil.endpoint_url();

    // Operator owns the stake, signer only signs headers (never sends a transaction), reporter
    // submits the evidence. Key 0 deployed the contracts.
    let operator_key = PrivateKeySigner::from(devnet.anvil.keys()[1].clone());
    let signer_key = PrivateKeySigner::from(devnet.anvil.keys()[2].clone());
    let reporter_key = PrivateKeySigner::from(devnet.anvil.keys()[3].clone());
    let (operator, signer, reporter) = (
        operator_key.address(),
        signer_key.address(),
        reporter_key.address(),
    );
    let as_operator = ProviderBuilder::new()
        .wallet(operator_key)
        .connect_http(url.clone());
    let as_reporter = ProviderBuilder::new()
        .wallet(reporter_key)
        .connect_http(url);

    // The record matches what the contracts say about themselves.
    let registry = d.registry(&as_operator);
    let slasher = d.slasher(&as_reporter);
    let inbox = d.batch_inbox(&as_reporter);
    let schedule = d.leader_schedule(&as_reporter);
    ensure!(
        registry.minStake().call().await? == params.min_stake,
        "minStake differs from the record"
    );
    ensure!(
        slasher.equivocationSlashBps().call().await? == U256::from(params.equivocation_slash_bps),
        "equivocationSlashBps differs from the record"
    );
    ensure!(
        registry.reporterRewardBps().call().await? == U256::from(params.reporter_reward_bps),
        "reporterRewardBps differs from the record"
    );
    ensure!(
        inbox.l2ChainId().call().await? == U256::from(params.l2_chain_id),
        "l2ChainId differs"
    );
    ensure!(
        schedule.epochLength().call().await? == U256::from(params.epoch_length),
        "epochLength"
    );

    // Bond 1 ETH with a separate signer key.
    let stake = U256::from(10u64).pow(U256::from(18));
    let receipt = registry
        .bond(signer)
        .value(stake)
        .send()
        .await?
        .get_receipt()
        .await?;
    ensure!(receipt.status(), "bond reverted: {receipt:?}");
    assert_eq!(registry.stakeOf(operator).call().await?, stake);
    assert_eq!(registry.operatorOf(signer).call().await?, operator);
    assert!(registry.isActive(operator).call().await?);

    // EIP-712 agreement across languages: domain separator, block and batch header digests.
    let domain = d.domain();
    assert_eq!(
        inbox.domainSeparator().call().await?,
        domain.separator(),
        "domain separator"
    );
    let epoch: u64 = schedule.currentEpoch().call().await?.try_into()?;
    let a = BlockHeader {
        chainId: U256::from(params.l2_chain_id),
        number: 7,
        parentHash: B256::repeat_byte(0x11),
        epoch,
        timestamp: 1_700_000_007,
        txRoot: B256::repeat_byte(0xaa),
    };
    let b = BlockHeader {
        txRoot: B256::repeat_byte(0xbb),
        ..a.clone()
    };
    for header in [&a, &b] {
        let on_chain = slasher
            .blockHeaderDigest(header.clone().into())
            .call()
            .await?;
        assert_eq!(
            on_chain,
            header.signing_digest(&domain),
            "block header digest of {header:?}"
        );
    }
    let blocks = [
        L2Block {
            timestamp: 1_700_000_006,
            transactions: vec![Bytes::from_static(&[0x02, 0x01])],
        },
        L2Block {
            timestamp: 1_700_000_007,
            transactions: vec![],
        },
    ];
    let (batch, _data) = RecordContext {
        chain_id: U256::from(params.l2_chain_id),
        epoch,
        first_block: 6,
        prev_record_hash: GENESIS_RECORD_HASH,
        force_index: 0,
        fee_recipient: Address::repeat_byte(0xfe),
    }
    .seal(&blocks)?;
    let on_chain = inbox.batchHeaderDigest(batch.clone().into()).call().await?;
    assert_eq!(
        on_chain,
        batch.signing_digest(&domain),
        "batch header digest"
    );

    // Sign two conflicting headers with the signer key. The core's digest + sign_hash gives the
    // same (deterministic, RFC 6979) signature as alloy's own EIP-712 typed-data signing.
    let sig_a = sign_digest(&signer_key, &a.signing_digest(&domain))?;
    let sig_b = sign_digest(&signer_key, &b.signing_digest(&domain))?;
    assert_eq!(
        signer_key.sign_typed_data_sync(&a, &domain)?.as_bytes(),
        *sig_a.as_bytes()
    );
    assert_eq!(
        recover_signer(&b.signing_digest(&domain), sig_b.as_bytes())?,
        signer
    );

    // A header signed under another domain (verifying contract = the Slasher instead of the
    // BatchInbox) is a valid signature by the signer, just not for this deployment: refused.
    let wrong_domain = baton_domain(d.chain_id, d.slasher);
    let sig_b_wrong = sign_digest(&signer_key, &b.signing_digest(&wrong_domain))?;
    assert_eq!(
        recover_signer(&b.signing_digest(&wrong_domain), sig_b_wrong.as_bytes())?,
        signer
    );
    let refused = slasher
        .slashBlockEquivocation(
            a.clone().into(),
            sig_a.into(),
            b.clone().into(),
            sig_b_wrong.into(),
        )
        .call()
        .await
        .expect_err("evidence signed under a foreign domain must revert");
    match refused.as_decoded_interface_error::<ISlasherErrors>() {
        Some(ISlasherErrors::DifferentSigners(e)) => {
            assert_eq!(
                e.a, signer,
                "the correctly signed header recovers to the signer"
            );
            assert_ne!(
                e.b, signer,
                "the foreign-domain header must not recover to the signer"
            );
        }
        other => panic!("expected DifferentSigners, got {other:?} from {refused}"),
    }
    assert_eq!(
        registry.stakeOf(operator).call().await?,
        stake,
        "a refused report slashes nothing"
    );

    // The real evidence, submitted by the reporter.
    let receipt = slasher
        .slashBlockEquivocation(
            a.clone().into(),
            sig_a.into(),
            b.clone().into(),
            sig_b.into(),
        )
        .send()
        .await?
        .get_receipt()
        .await?;
    ensure!(
        receipt.status(),
        "slashBlockEquivocation reverted: {receipt:?}"
    );

    let slashed = stake * U256::from(params.equivocation_slash_bps) / U256::from(BPS);
    let reward = slashed * U256::from(params.reporter_reward_bps) / U256::from(BPS);
    assert_eq!(
        registry.stakeOf(operator).call().await?,
        stake - slashed,
        "stake after the slash"
    );
    assert_eq!(
        registry.rewardOf(reporter).call().await?,
        reward,
        "reporter reward"
    );
    assert!(
        !registry.isActive(operator).call().await?,
        "a slashed operator is jailed"
    );

    let event = receipt
        .inner
        .logs()
        .iter()
        .find_map(|log| ISlasher::OffenceSlashed::decode_log(&log.inner).ok())
        .ok_or_eyre("no OffenceSlashed event in the receipt")?;
    assert_eq!(event.offence, ISlasher::Offence::BlockEquivocation);
    assert_eq!((event.operator, event.reporter), (operator, reporter));
    assert_eq!(
        (event.subject, event.epoch, event.amount),
        (U256::from(7), U256::from(epoch), slashed)
    );

    // The same evidence never slashes twice: the registry's revert comes back through the Slasher.
    let replayed = slasher
        .slashBlockEquivocation(a.into(), sig_a.into(), b.into(), sig_b.into())
        .call()
        .await
        .expect_err("replayed evidence must revert");
    assert!(
        matches!(
            replayed.as_decoded_interface_error::<ISequencerRegistryErrors>(),
            Some(ISequencerRegistryErrors::EvidenceAlreadyUsed(_))
        ),
        "expected EvidenceAlreadyUsed, got {replayed}"
    );
    Ok(())
}
