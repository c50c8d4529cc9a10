//! The shared test vectors (`test/vectors/ledger.json`): one case per rule of `docs/ledger.md`,
//! each with the pre-state, the transaction, the block context, the witness, the post-state root
//! and the outcome. Forge replays them through the Solidity library; Rust replays them through
//! this crate and checks the committed file is what [`generate`] writes today.
//!
//! The cases come in four sections, one module each: [`applied`], [`malformed`], [`stateless`]
//! rules and [`stateful`] rules.

mod applied;
mod malformed;
mod stateful;
mod stateless;

use super::{
    Account, BlockContext, Invalid, L2Tx, LedgerConfig, LedgerState, WITHDRAWAL_ADDRESS,
    outcome_code,
    testkit::{
        TxFields, envelope, high_s_twin, rlp_bytes, rlp_list, rlp_uint, rlp_uint_value,
        signature_items, test_signer,
    },
    withdrawal_key,
};
use alloy_primitives::{Address, B256, Bytes, U256, address, hex, uint};
use alloy_signer::SignerSync;
use serde_json::{Value, json};

/// The ledger configuration most vectors use (the devnet's L2 chain id, a 1 gwei base fee).
pub const CONFIG: LedgerConfig = LedgerConfig {
    chain_id: 901,
    base_fee: 1_000_000_000,
};
const FEE_RECIPIENT: Address = address!("0x00000000000000000000000000000000000fee01");
const GWEI: u128 = 1_000_000_000;

/// The pre-state of a case, listed so it can be written out and rebuilt.
#[derive(Clone, Debug, Default)]
pub struct PreState {
    /// Accounts, in the order written.
    pub accounts: Vec<(Address, Account)>,
    /// Withdrawals-tree leaves `(key, leaf)`.
    pub withdrawals: Vec<(B256, B256)>,
}

impl PreState {
    /// The state these entries describe.
    pub fn build(&self) -> LedgerState {
        let mut state = LedgerState::with_accounts(self.accounts.iter().copied());
        for (key, leaf) in &self.withdrawals {
            state.set_withdrawal(*key, *leaf);
        }
        state
    }
}

/// One vector before it is run.
#[derive(Clone, Debug)]
pub struct Case {
    /// Unique name; says what is tested.
    pub name: String,
    /// Ledger parameters.
    pub config: LedgerConfig,
    /// Block context.
    pub block: BlockContext,
    /// State before.
    pub pre: PreState,
    /// The transaction.
    pub tx: L2Tx,
    /// The outcome the case is meant to produce (checked when generating).
    pub expect: Result<(), Invalid>,
}

fn funded(address: Address, ether: u64, nonce: u64) -> (Address, Account) {
    (
        address,
        Account {
            balance: U256::from(ether) * uint!(1_000_000_000_000_000_000_U256),
            nonce,
        },
    )
}

/// What every section's cases are built from: the keys, the base pre-state, a good transfer and
/// its signature items, and the list being filled.
pub(super) struct Cases {
    pub(super) alice: alloy_signer_local::PrivateKeySigner,
    pub(super) a: Address,
    pub(super) bob: Address,
    pub(super) base_pre: PreState,
    pub(super) block: BlockContext,
    pub(super) one_eth: U256,
    /// A valid transfer of one ETH to `bob`.
    pub(super) good: TxFields,
    /// Its RLP items, unsigned.
    pub(super) items: Vec<Vec<u8>>,
    /// Its signature items (`y_parity`, `r`, `s`).
    pub(super) sig: [Vec<u8>; 3],
    pub(super) out: Vec<Case>,
}

impl Cases {
    fn new() -> Self {
        let alice = test_signer(1);
        let bob = test_signer(2).address();
        let a = alice.address();
        let one_eth = uint!(1_000_000_000_000_000_000_U256);
        let good = TxFields::transfer(CONFIG.chain_id, 0, bob, one_eth, 2 * GWEI);
        let items = good.items();
        let sig = signature_items(&alice, &items);
        Self {
            base_pre: PreState {
                accounts: vec![funded(a, 10, 0), funded(bob, 1, 3)],
                ..Default::default()
            },
            block: BlockContext {
                fee_recipient: FEE_RECIPIENT,
            },
            alice,
            a,
            bob,
            one_eth,
            good,
            items,
            sig,
            out: Vec::new(),
        }
    }

    /// A case with the common configuration.
    pub(super) fn push(
        &mut self,
        name: &str,
        pre: &PreState,
        tx: L2Tx,
        expect: Result<(), Invalid>,
    ) {
        self.out.push(Case {
            name: name.to_owned(),
            config: CONFIG,
            block: self.block,
            pre: pre.clone(),
            tx,
            expect,
        });
    }

    /// A transfer of `value` to `bob` at nonce 0, 2 gwei max fee.
    pub(super) fn transfer(&self, value: U256) -> TxFields {
        TxFields::transfer(CONFIG.chain_id, 0, self.bob, value, 2 * GWEI)
    }

    /// `fields` signed by `alice`.
    pub(super) fn signed(&self, fields: &TxFields) -> L2Tx {
        L2Tx::Signed(fields.sign(&self.alice))
    }

    /// RLP `items` signed by `alice` as they are.
    pub(super) fn raw(&self, items: Vec<Vec<u8>>) -> L2Tx {
        L2Tx::Signed(crate::ledger::testkit::sign_items(&self.alice, items))
    }

    /// The good transfer's items with item `index` replaced.
    pub(super) fn with_item(&self, index: usize, item: Vec<u8>) -> Vec<Vec<u8>> {
        let mut items = self.items.clone();
        items[index] = item;
        items
    }

    /// The good transfer with signature values `r` and `s`.
    pub(super) fn with_sig(&self, r: U256, s: U256) -> L2Tx {
        bytes(&envelope(
            &self.items,
            &[self.sig[0].clone(), rlp_uint(r), rlp_uint(s)],
        ))
    }
}

/// Raw bytes as a signed transaction.
pub(super) fn bytes(b: &[u8]) -> L2Tx {
    L2Tx::Signed(Bytes::copy_from_slice(b))
}

/// Every case, in a fixed order: the four sections, one module each.
pub fn cases() -> Vec<Case> {
    let mut c = Cases::new();
    applied::push_all(&mut c);
    malformed::push_all(&mut c);
    stateless::push_all(&mut c);
    stateful::push_all(&mut c);
    c.out
}

/// The smallest `r` that is not the x-coordinate of a curve point, so no key recovers.
fn unrecoverable_r() -> U256 {
    let digest = B256::repeat_byte(1);
    (1u64..)
        .map(U256::from)
        .find(|r| {
            alloy_primitives::Signature::new(*r, U256::from(1u8), false)
                .recover_address_from_prehash(&digest)
                .is_err()
        })
        .expect("half of all x values are off the curve")
}

/// Runs every case and renders the vector file.
pub fn generate() -> String {
    let cases: Vec<Value> = cases().into_iter().map(run_case).collect();
    let mut out = serde_json::to_string_pretty(&json!({
        "comment": "Generated by `cargo run -p baton-core --example ledger_vectors`; see docs/ledger.md. Do not edit.",
        "withdrawalAddress": WITHDRAWAL_ADDRESS,
        "cases": cases,
    }))
    .expect("serializable");
    out.push('\n');
    out
}

fn run_case(case: Case) -> Value {
    let mut state = case.pre.build();
    let pre_root = state.root();
    let (outcome, witness) = state.apply_with_witness(&case.config, &case.block, &case.tx);
    assert_eq!(
        outcome.map(|_| ()),
        case.expect,
        "vector {} does not test what it says",
        case.name
    );
    let post_root = state.root();
    let code = outcome_code(&outcome);
    let (kind, tx, recipient, amount) = match &case.tx {
        L2Tx::Signed(bytes) => ("signed", bytes.clone(), Address::ZERO, U256::ZERO),
        L2Tx::Deposit { recipient, amount } => ("deposit", Bytes::new(), *recipient, *amount),
    };
    json!({
        "name": case.name,
        "kind": kind,
        "chainId": case.config.chain_id,
        "baseFee": U256::from(case.config.base_fee),
        "feeRecipient": case.block.fee_recipient,
        "accounts": case.pre.accounts.iter().map(|(address, account)| json!({
            "address": address,
            "balance": account.balance,
            "nonce": U256::from(account.nonce),
        })).collect::<Vec<_>>(),
        "withdrawals": case.pre.withdrawals.iter().map(|(key, leaf)| json!({"key": key, "leaf": leaf})).collect::<Vec<_>>(),
        "preRoot": pre_root,
        "tx": tx,
        "recipient": recipient,
        "amount": amount,
        "witness": Bytes::from(witness),
        "postRoot": post_root,
        "outcome": code,
        "reason": Invalid::from_code(code).map_or("Applied", Invalid::name),
    })
}
