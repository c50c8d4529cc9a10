//! `baton withdraw` on the EVM chain (`withdraw.rs` dispatches here on an EVM deployment):
//! - `start` calls the withdrawal predeploy, `L2Withdrawals.withdraw(l1Recipient)` with the
//!   amount, through the L2 node;
//! - `finalize --tx` reads the withdrawals that transaction made (its `WithdrawalInitiated`
//!   events: the sender may be an account or a contract), derives the EVM chain from L1 itself,
//!   finds the first output whose state holds each one and, once it is final, has the portal
//!   pay it (`Portal.finalizeEvmWithdrawal`) with the output's last header and the predeploy's
//!   account and storage proofs at that block, read from its own derivation.

use super::withdraw::{final_output, own_derivation, paid, print_next_step};
use crate::common::{Endpoints, ether, l2_receipt, send};
use alloy::{
    network::{EthereumWallet, TransactionBuilder},
    primitives::{Address, B256, U256, keccak256},
    providers::{Provider, ProviderBuilder},
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
    sol,
    sol_types::{SolCall, SolEvent, SolValue},
};
use baton_bindings::{Deployment, IPortal};
use baton_evm::WITHDRAWALS_PREDEPLOY;
use baton_keeper::deriver::{DerivedChain, evm::EvmDerivation};
use eyre::{OptionExt, WrapErr, ensure};
use std::time::Duration;

sol! {
    /// `contracts/l2/L2Withdrawals.sol`, as users call it.
    function withdraw(address l1Recipient) external payable returns (bytes32 hash);
    /// A withdrawal the predeploy recorded.
    event WithdrawalInitiated(
        uint256 indexed nonce,
        address indexed sender,
        address indexed l1Recipient,
        uint256 amount,
        bytes32 hash
    );
}

/// The predeploy's storage slot of `initiated[hash]` (its mapping is slot 0).
fn initiated_slot(hash: B256) -> U256 {
    U256::from_be_bytes(keccak256((hash, U256::ZERO).abi_encode()).0)
}

/// `baton withdraw start` on the EVM chain.
pub(super) async fn start(
    amount: U256,
    to: Option<Address>,
    endpoints: &Endpoints,
    d: &Deployment,
    key: &PrivateKeySigner,
) -> eyre::Result<()> {
    let recipient = to.unwrap_or(key.address());
    let l2 =
        ProviderBuilder::new()
            .wallet(EthereumWallet::from(key.clone()))
            .connect_http(endpoints.l2_rpc.parse().wrap_err_with(|| {
                format!("{} is not an L2 RPC URL (--l2-rpc)", endpoints.l2_rpc)
            })?);
    let request = TransactionRequest::default()
        .with_chain_id(d.parameters.l2_chain_id)
        .with_to(WITHDRAWALS_PREDEPLOY)
        .with_value(amount)
        .with_input(
            withdrawCall {
                l1Recipient: recipient,
            }
            .abi_encode(),
        );
    let pending = l2
        .send_transaction(request)
        .await
        .wrap_err("the L2 node refused the withdrawal")?;
    let hash = *pending.tx_hash();
    println!("sent L2 tx {hash} (keep it: `withdraw finalize --tx` needs it)");
    let receipt = pending
        .with_timeout(Some(Duration::from_secs(60)))
        .get_receipt()
        .await
        .wrap_err_with(|| {
            format!(
                "the withdrawal {hash} was not preconfirmed within 60 s: ask `baton status` \
                 whether the network is sequencing"
            )
        })?;
    ensure!(
        receipt.status(),
        "the withdrawal {hash} failed on L2 (in L2 block {:?})",
        receipt.block_number
    );
    for w in initiated(receipt.inner.logs()) {
        println!(
            "withdrawal of {} ETH to {} started: L2 tx {hash} (predeploy nonce {}, hash {}) in L2 block {}",
            ether(w.amount),
            w.l1Recipient,
            w.nonce,
            w.hash,
            receipt.block_number.unwrap_or_default()
        );
    }
    print_next_step(d, hash);
    Ok(())
}

/// The withdrawals the predeploy recorded among `logs`.
fn initiated(logs: &[alloy::rpc::types::Log]) -> Vec<WithdrawalInitiated> {
    logs.iter()
        .filter(|log| log.address() == WITHDRAWALS_PREDEPLOY)
        .filter_map(|log| WithdrawalInitiated::decode_log(&log.inner).ok())
        .map(|log| log.data)
        .collect()
}

/// `baton withdraw finalize --tx` on the EVM chain: each withdrawal the transaction made.
pub(super) async fn finalize<P: Provider>(
    tx: B256,
    endpoints: &Endpoints,
    l1: &P,
    d: &Deployment,
) -> eyre::Result<()> {
    let receipt = l2_receipt(&endpoints.l2_rpc, tx)
        .await?
        .ok_or_else(|| eyre::eyre!("{} does not know L2 transaction {tx}", endpoints.l2_rpc))?;
    ensure!(
        receipt.success,
        "L2 transaction {tx} did not succeed: it withdrew nothing"
    );
    let withdrawals = initiated(&receipt.logs);
    ensure!(
        !withdrawals.is_empty(),
        "L2 transaction {tx} is not a withdrawal: the withdrawal predeploy \
         ({WITHDRAWALS_PREDEPLOY}) recorded nothing in it"
    );
    let portal = d.portal(l1);
    let mut owed = Vec::new();
    let mut paid_already = Vec::new();
    for w in withdrawals {
        if portal.withdrawn(w.hash).call().await? {
            paid_already.push(format!(
                "this withdrawal ({} ETH to {}, hash {}) was already paid",
                ether(w.amount),
                w.l1Recipient,
                w.hash
            ));
        } else {
            owed.push(w);
        }
    }
    ensure!(!owed.is_empty(), "{}", paid_already.join("\n"));
    for line in paid_already {
        println!("{line}");
    }

    let genesis = endpoints.l1.load_genesis(d)?;
    let (deriver, _dir) = own_derivation(endpoints, d, |dir| {
        Ok(DerivedChain::Evm(EvmDerivation::open(
            &dir.join("l2.sqlite"),
            &d.parameters,
            &genesis,
            d.portal,
        )?))
    })
    .await?;
    let DerivedChain::Evm(chain) = deriver.chain() else {
        unreachable!("derived on the EVM chain above");
    };
    for w in owed {
        let slot = initiated_slot(w.hash);
        let mut first = None;
        for k in 0..deriver.outputs_derived() {
            let block = deriver
                .output_last_block(k)
                .ok_or_eyre("a derived output")?;
            if chain.storage_at(block, WITHDRAWALS_PREDEPLOY, slot)? == U256::from(1) {
                first = Some((k, block));
                break;
            }
        }
        let Some(index) = final_output(l1, d, &deriver, first.map(|(k, _)| k)).await? else {
            continue;
        };
        let block = first.expect("the output found above").1;
        let proof = chain.proof_at(block, WITHDRAWALS_PREDEPLOY, &[slot])?;
        let storage_proof = proof
            .storage_proofs
            .into_iter()
            .next()
            .map(|(_, _, nodes)| nodes)
            .unwrap_or_default();
        let header = chain
            .header_rlp(block)
            .ok_or_eyre("the output's last header")?;
        let receipt = send::<IPortal::IPortalErrors, _, _>(
            "Portal.finalizeEvmWithdrawal",
            portal.finalizeEvmWithdrawal(IPortal::EvmWithdrawalProof {
                outputIndex: U256::from(index),
                header: header.into(),
                nonce: w.nonce,
                l2Sender: w.sender,
                l1Recipient: w.l1Recipient,
                amount: w.amount,
                accountProof: proof.account_proof,
                storageProof: storage_proof,
            }),
        )
        .await?;
        paid(w.amount, w.l1Recipient, index, receipt.transaction_hash);
    }
    Ok(())
}
