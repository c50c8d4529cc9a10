//! The L2 genesis: the accounts the ledger starts with, and the state root they give
//! (`docs/ledger.md`, "Genesis").
//!
//! A genesis file is JSON of the form
//!
//! ```json
//! { "alloc": { "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266": "10000000000000000000000" } }
//! ```
//!
//! mapping each L2 address to its balance in wei, as a decimal string or a `0x`-hex string. Every
//! account starts with nonce 0, and the withdrawals tree starts empty. The module does no I/O:
//! callers read the file and hand over its text.

use crate::ledger::{Account, LedgerState};
use alloy_primitives::{Address, B256, U256};
use serde::{
    Deserialize, Deserializer,
    de::{MapAccess, Visitor},
};
use std::{collections::BTreeMap, fmt, str::FromStr};

/// A genesis allocation: the balance of every L2 account that does not start empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawGenesis")]
pub struct Genesis {
    alloc: BTreeMap<Address, U256>,
}

/// Why a genesis file was rejected.
#[derive(Debug, thiserror::Error)]
pub enum GenesisError {
    /// Not JSON of the form `{"alloc": {"<address>": "<balance>", ...}}`.
    #[error("genesis is not of the form {{\"alloc\": {{\"0x<address>\": \"<wei>\", ...}}}}: {0}")]
    Json(#[source] serde_json::Error),
    /// An alloc key that is not an address.
    #[error("genesis alloc: bad address {address:?}: {reason}")]
    BadAddress {
        /// The key as written.
        address: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An alloc value that is not a balance.
    #[error("genesis alloc: bad balance {balance:?} for {address}: {reason}")]
    BadBalance {
        /// The account.
        address: Address,
        /// The value as written.
        balance: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The same address twice (also when written in different letter case).
    #[error("genesis alloc: duplicate address {address} (written {first:?} and {second:?})")]
    DuplicateAddress {
        /// The account.
        address: Address,
        /// The first key naming it, as written.
        first: String,
        /// The second key naming it, as written.
        second: String,
    },
}

impl Genesis {
    /// Parses a genesis file's text.
    pub fn from_json(json: &str) -> Result<Self, GenesisError> {
        let raw: RawGenesis = serde_json::from_str(json).map_err(GenesisError::Json)?;
        Self::try_from(raw)
    }

    /// The allocation: every address given and its balance in wei (nonce 0), by address.
    pub fn alloc(&self) -> &BTreeMap<Address, U256> {
        &self.alloc
    }

    /// The ledger state at genesis: the allocated accounts with nonce 0 and no withdrawals.
    pub fn state(&self) -> LedgerState {
        LedgerState::with_accounts(
            self.alloc
                .iter()
                .map(|(&address, &balance)| (address, Account { balance, nonce: 0 })),
        )
    }

    /// The genesis state root: `keccak256(accountsRoot ‖ withdrawalsRoot)` of [`Self::state`].
    pub fn state_root(&self) -> B256 {
        self.state().root()
    }
}

impl TryFrom<RawGenesis> for Genesis {
    type Error = GenesisError;

    fn try_from(raw: RawGenesis) -> Result<Self, GenesisError> {
        let mut alloc = BTreeMap::new();
        // The key each address was first written as, to name both in a duplicate error.
        let mut written: BTreeMap<Address, String> = BTreeMap::new();
        for (key, value) in raw.alloc.0 {
            let address = parse_address(&key).map_err(|reason| GenesisError::BadAddress {
                address: key.clone(),
                reason,
            })?;
            if let Some(first) = written.get(&address) {
                return Err(GenesisError::DuplicateAddress {
                    address,
                    first: first.clone(),
                    second: key,
                });
            }
            let balance = parse_balance(&value).map_err(|reason| GenesisError::BadBalance {
                address,
                balance: value.clone(),
                reason,
            })?;
            written.insert(address, key);
            alloc.insert(address, balance);
        }
        Ok(Self { alloc })
    }
}

/// `0x` and 40 hex digits; a mixed-case address must carry a valid EIP-55 checksum.
fn parse_address(key: &str) -> Result<Address, &'static str> {
    let hex = key.strip_prefix("0x").ok_or("an address starts with 0x")?;
    if hex.len() != 40 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("an address is 0x and 40 hex digits");
    }
    let address = Address::from_str(key).map_err(|_| "an address is 0x and 40 hex digits")?;
    let mixed_case =
        hex.bytes().any(|b| b.is_ascii_lowercase()) && hex.bytes().any(|b| b.is_ascii_uppercase());
    if mixed_case && address.to_checksum(None) != key {
        return Err("wrong EIP-55 checksum (write it all lowercase to skip the check)");
    }
    Ok(address)
}

/// A decimal number, or `0x` and hex digits, below 2^256.
fn parse_balance(value: &str) -> Result<U256, &'static str> {
    let (digits, radix, what) = match value.strip_prefix("0x") {
        Some(hex) => (hex, 16, "0x must be followed by hex digits"),
        None => (
            value,
            10,
            "a balance is a decimal string or a 0x-hex string",
        ),
    };
    let valid = if radix == 16 {
        digits.bytes().all(|b| b.is_ascii_hexdigit())
    } else {
        digits.bytes().all(|b| b.is_ascii_digit())
    };
    if digits.is_empty() || !valid {
        return Err(what);
    }
    U256::from_str_radix(digits, radix).map_err(|_| "balance is 2^256 or more")
}

/// The file as written: the alloc entries in order, duplicates kept (a JSON map type would
/// silently keep only the last).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGenesis {
    alloc: RawAlloc,
}

struct RawAlloc(Vec<(String, String)>);

impl<'de> Deserialize<'de> for RawAlloc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries;

        impl<'de> Visitor<'de> for Entries {
            type Value = RawAlloc;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map from L2 address to balance string")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawAlloc, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(entry) = map.next_entry::<String, String>()? {
                    entries.push(entry);
                }
                Ok(RawAlloc(entries))
            }
        }

        deserializer.deserialize_map(Entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{address, keccak256};

    const ALICE: Address = address!("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    const BOB: Address = address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");

    fn error(json: &str) -> GenesisError {
        Genesis::from_json(json).expect_err("should be rejected")
    }

    #[test]
    fn empty_alloc_is_the_empty_state() {
        let genesis = Genesis::from_json(r#"{"alloc": {}}"#).unwrap();
        assert!(genesis.alloc().is_empty());
        assert_eq!(genesis.state_root(), keccak256([0u8; 64]));
        assert_eq!(genesis.state_root(), LedgerState::new().root());
        assert_eq!(Genesis::default(), genesis);
    }

    #[test]
    fn two_accounts_give_the_root_of_the_same_balances_set_by_hand() {
        let json = r#"{"alloc": {
            "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266": "10000000000000000000000",
            "0x70997970c51812dc3a010c7d01b50e0d17dc79c8": "0x2a"
        }}"#;
        let genesis = Genesis::from_json(json).unwrap();
        let ten_thousand_eth = U256::from(10_000u64) * U256::from(10u64).pow(U256::from(18u64));
        assert_eq!(genesis.alloc()[&ALICE], ten_thousand_eth);
        assert_eq!(genesis.alloc()[&BOB], U256::from(42u64));

        let mut by_hand = LedgerState::new();
        by_hand.set_account(
            ALICE,
            Account {
                balance: ten_thousand_eth,
                nonce: 0,
            },
        );
        by_hand.set_account(
            BOB,
            Account {
                balance: U256::from(42u64),
                nonce: 0,
            },
        );
        let root = genesis.state_root();
        assert_eq!(root, by_hand.root());
        assert_ne!(root, LedgerState::new().root());

        // And the root of the definition, computed without the tree code: a naive recursion
        // over the full-depth accounts tree, next to an empty withdrawals tree.
        let leaves: Vec<(U256, B256)> = genesis
            .alloc()
            .iter()
            .map(|(address, &balance)| {
                let mut abi = [0u8; 64];
                abi[..32].copy_from_slice(&balance.to_be_bytes::<32>());
                (
                    U256::from_be_slice(address.as_slice()),
                    keccak256(abi), // nonce 0
                )
            })
            .collect();
        let mut roots = [0u8; 64];
        roots[..32].copy_from_slice(naive_root(&leaves, 160).as_slice());
        assert_eq!(root, keccak256(roots));

        let state = genesis.state();
        assert_eq!(state.account(&ALICE).balance, ten_thousand_eth);
        assert_eq!(state.account(&BOB).nonce, 0);
        assert_eq!(state.accounts().count(), 2);
    }

    /// The root of a tree of `height` over `leaves` (keys below 2^height), straight from
    /// `docs/ledger.md`: `node(l, r) = 0` if both are zero, else `keccak256(l ‖ r)`.
    fn naive_root(leaves: &[(U256, B256)], height: usize) -> B256 {
        if leaves.is_empty() {
            return B256::ZERO;
        }
        if height == 0 {
            return leaves.first().map_or(B256::ZERO, |&(_, leaf)| leaf);
        }
        let (right, left): (Vec<_>, Vec<_>) =
            leaves.iter().partition(|(key, _)| key.bit(height - 1));
        let (l, r) = (
            naive_root(&left, height - 1),
            naive_root(&right, height - 1),
        );
        if l.is_zero() && r.is_zero() {
            return B256::ZERO; // zero leaves (balance 0)
        }
        keccak256([l.as_slice(), r.as_slice()].concat())
    }

    #[test]
    fn deserializes_through_serde() {
        let genesis: Genesis = serde_json::from_str(
            r#"{"alloc": {"0x70997970c51812dc3a010c7d01b50e0d17dc79c8": "7"}}"#,
        )
        .unwrap();
        assert_eq!(genesis.alloc()[&BOB], U256::from(7u64));
        // The same checks apply: a duplicate is an error there too.
        let duplicate = r#"{"alloc": {"0x70997970c51812dc3a010c7d01b50e0d17dc79c8": "1",
                                      "0x70997970C51812dc3A010C7d01b50e0d17dc79C8": "2"}}"#;
        let message = serde_json::from_str::<Genesis>(duplicate)
            .unwrap_err()
            .to_string();
        assert!(message.contains("duplicate address"), "{message}");
    }

    #[test]
    fn bad_addresses_are_rejected() {
        for (key, reason) in [
            ("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "starts with 0x"),
            ("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb9226", "40 hex digits"),
            (
                "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb922660",
                "40 hex digits",
            ),
            (
                "0xg39fd6e51aad88f6f4ce6ab8827279cfffb92266",
                "40 hex digits",
            ),
            ("", "starts with 0x"),
            // One letter's case flipped: a checksum typo.
            ("0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "checksum"),
        ] {
            let json = format!(r#"{{"alloc": {{"{key}": "1"}}}}"#);
            match error(&json) {
                GenesisError::BadAddress { address, reason: r } => {
                    assert_eq!(address, key);
                    assert!(r.contains(reason), "{key}: {r}");
                }
                other => panic!("{key}: {other}"),
            }
        }
        // All lowercase and all uppercase carry no checksum.
        for key in [
            "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
            "0xF39FD6E51AAD88F6F4CE6AB8827279CFFFB92266",
        ] {
            let genesis = Genesis::from_json(&format!(r#"{{"alloc": {{"{key}": "1"}}}}"#)).unwrap();
            assert_eq!(genesis.alloc()[&ALICE], U256::from(1u64));
        }
    }

    #[test]
    fn bad_balances_are_rejected() {
        let max = U256::MAX.to_string();
        let too_big = format!("{max}0");
        let hex_too_big = format!("0x1{}", "0".repeat(64));
        for (value, reason) in [
            ("", "decimal"),
            ("-1", "decimal"),
            ("1.5", "decimal"),
            ("1e18", "decimal"),
            (" 1", "decimal"),
            ("0x", "hex digits"),
            ("0xZZ", "hex digits"),
            ("0b101", "decimal"),
            (too_big.as_str(), "2^256"),
            (hex_too_big.as_str(), "2^256"),
        ] {
            let json = format!(
                r#"{{"alloc": {{"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266": "{value}"}}}}"#
            );
            match error(&json) {
                GenesisError::BadBalance {
                    address,
                    balance,
                    reason: r,
                } => {
                    assert_eq!(address, ALICE);
                    assert_eq!(balance, value);
                    assert!(r.contains(reason), "{value:?}: {r}");
                }
                other => panic!("{value:?}: {other}"),
            }
        }
        // The largest balance is fine, in either notation.
        for value in [max, format!("0x{}", "f".repeat(64))] {
            let json = format!(
                r#"{{"alloc": {{"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266": "{value}"}}}}"#
            );
            assert_eq!(
                Genesis::from_json(&json).unwrap().alloc()[&ALICE],
                U256::MAX
            );
        }
    }

    #[test]
    fn duplicate_addresses_are_rejected() {
        let json = r#"{"alloc": {
            "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266": "1",
            "0x70997970C51812dc3A010C7d01b50e0d17dc79C8": "2",
            "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266": "3"
        }}"#;
        match error(json) {
            GenesisError::DuplicateAddress {
                address,
                first,
                second,
            } => {
                assert_eq!(address, ALICE);
                assert_eq!(first, "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
                assert_eq!(second, "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
            }
            other => panic!("{other}"),
        }
        // Written identically, too.
        let json = r#"{"alloc": {"0x70997970c51812dc3a010c7d01b50e0d17dc79c8": "1",
                                 "0x70997970c51812dc3a010c7d01b50e0d17dc79c8": "1"}}"#;
        assert!(matches!(
            error(json),
            GenesisError::DuplicateAddress { address: BOB, .. }
        ));
    }

    #[test]
    fn malformed_files_are_rejected() {
        for json in [
            "",
            "{}",
            "[]",
            r#"{"alloc": []}"#,
            r#"{"alloc": {"0x70997970c51812dc3a010c7d01b50e0d17dc79c8": 1}}"#,
            r#"{"alloc": {}, "extra": 1}"#,
            r#"{"alloc": {}, "alloc": {}}"#,
            r#"{"alloc": {}} trailing"#,
        ] {
            assert!(
                matches!(error(json), GenesisError::Json(_)),
                "{json:?} should be a JSON error"
            );
        }
        let message =
            error(r#"{"alloc": {"0x70997970c51812dc3a010c7d01b50e0d17dc79c8": 1}}"#).to_string();
        assert!(message.contains("expected a string"), "{message}");
    }
}
