//! The deployment record `deployments/<chainId>.json` written by `script/Deploy.s.sol`.

use crate::{
    IBatchInbox, IBisectionGame, IDisputeGame, IEvmDisputeGame, IForceInclusionQueue,
    IL1OutputOracle, ILeaderSchedule, IPortal, ISequencerRegistry, ISlasher,
};
use alloy::{
    primitives::{Address, B256, U256},
    providers::Provider,
    sol_types::Eip712Domain,
};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Why a deployment record could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DeploymentError {
    /// The file could not be read.
    #[error("cannot read deployment record {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is not a valid deployment record.
    #[error("invalid deployment record {path}: {source}")]
    Json {
        /// The file (`<json text>` when parsing a string).
        path: PathBuf,
        /// The underlying error.
        source: serde_json::Error,
    },
    /// The record names another chain than the one asked for.
    #[error("deployment record {path} is for chain {found}, expected {expected}")]
    ChainIdMismatch {
        /// The file.
        path: PathBuf,
        /// The chain id asked for.
        expected: u64,
        /// The chain id in the file.
        found: u64,
    },
}

/// Addresses and parameters of one deployment of the baton contracts on an L1 chain.
///
/// Unknown keys are ignored so that records from later versions (more contracts, more
/// parameters) still load.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    /// The L1 chain id.
    #[serde(with = "flexible::u64")]
    pub chain_id: u64,
    /// The parameter profile deployed (`devnet`, `mainnet`).
    pub profile: String,
    /// The account that deployed.
    pub deployer: Address,
    /// The L1 block the contracts were deployed in; log following starts here.
    #[serde(with = "flexible::u64")]
    pub deploy_block: u64,
    /// SequencerRegistry, which also implements the leader schedule.
    #[serde(rename = "SequencerRegistry")]
    pub sequencer_registry: Address,
    /// ForceInclusionQueue.
    #[serde(rename = "ForceInclusionQueue")]
    pub force_inclusion_queue: Address,
    /// BatchInbox, also the EIP-712 verifying contract of every header.
    #[serde(rename = "BatchInbox")]
    pub batch_inbox: Address,
    /// Slasher.
    #[serde(rename = "Slasher")]
    pub slasher: Address,
    /// L1OutputOracle: the proposed L2 state roots.
    #[serde(rename = "L1OutputOracle")]
    pub output_oracle: Address,
    /// Portal: deposits and withdrawals.
    #[serde(rename = "Portal")]
    pub portal: Address,
    /// DisputeGame: bisection games over outputs.
    #[serde(rename = "DisputeGame")]
    pub dispute_game: Address,
    /// The fault-proof VM's PreimageOracle (`None` in records from before it was deployed).
    #[serde(
        rename = "PreimageOracle",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub preimage_oracle: Option<Address>,
    /// The fault-proof VM's one-step verifier, RiscV (`None` in records from before it).
    #[serde(rename = "RiscV", default, skip_serializing_if = "Option::is_none")]
    pub risc_v: Option<Address>,
    /// Deploy-time parameters.
    pub parameters: Parameters,
}

/// Deploy-time protocol parameters (see `script/profiles/*.json`).
///
/// Every field accepts a JSON number or a decimal string (or a `0x` hex string), because
/// `vm.writeJson` and hand-written profiles differ in how they spell large integers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Parameters {
    /// The L2 chain id named in every header.
    #[serde(with = "flexible::u64")]
    pub l2_chain_id: u64,
    /// L1 blocks per epoch.
    #[serde(with = "flexible::u64")]
    pub epoch_length: u64,
    /// L1 blocks a backup of rank r waits (times r) into an epoch with no record.
    #[serde(with = "flexible::u64")]
    pub leader_timeout: u64,
    /// Minimum bonded stake of an active operator, in wei.
    #[serde(with = "flexible::u256")]
    pub min_stake: U256,
    /// Maximum number of active operators.
    #[serde(with = "flexible::u64")]
    pub max_active_set: u64,
    /// Seconds between `requestUnbond` and `withdraw`.
    #[serde(with = "flexible::u64")]
    pub unbonding_period: u64,
    /// Epochs a slashed operator stays jailed.
    #[serde(with = "flexible::u64")]
    pub jail_epochs: u64,
    /// Share of every slash credited to the reporter, in basis points.
    #[serde(with = "flexible::u64")]
    pub reporter_reward_bps: u64,
    /// Slash of an equivocation, in basis points.
    #[serde(with = "flexible::u64")]
    pub equivocation_slash_bps: u64,
    /// Slash of a missed epoch, in basis points.
    #[serde(with = "flexible::u64")]
    pub liveness_slash_bps: u64,
    /// Slash of a censorship, in basis points.
    #[serde(with = "flexible::u64")]
    pub censorship_slash_bps: u64,
    /// How many ended epochs back liveness and censorship can be slashed.
    #[serde(with = "flexible::u64")]
    pub slashing_window_epochs: u64,
    /// L1 blocks between a force-queue enqueue and its deadline.
    #[serde(with = "flexible::u64")]
    pub inclusion_delay: u64,
    /// Fee in wei for one force-queue entry.
    #[serde(with = "flexible::u256")]
    pub inclusion_fee: U256,
    /// Maximum size in bytes of one force-queue transaction, and of one transaction in batch
    /// data (the inbox's `maxTxLength`).
    #[serde(with = "flexible::u64")]
    pub max_tx_size: u64,
    /// Most bytes of batch data one record may carry (the inbox's `maxRecordBytes`).
    #[serde(with = "flexible::u64")]
    pub max_record_bytes: u64,
    /// Most transactions one record may carry (the inbox's `maxRecordTxs`).
    #[serde(with = "flexible::u64")]
    pub max_record_txs: u64,
    /// Most force-queue entries one record may consume (the queue's `maxRecordEntries`).
    #[serde(with = "flexible::u64")]
    pub max_record_entries: u64,
    /// Seconds before an output finalizes.
    #[serde(with = "flexible::u64")]
    pub finalization_period: u64,
    /// Longest a dispute can last, in seconds.
    #[serde(with = "flexible::u64")]
    pub max_dispute_duration: u64,
    /// L1 block time the profile's block counts assume, in seconds.
    #[serde(with = "flexible::u64")]
    pub l1_block_time: u64,
    /// BatchInbox records per output.
    #[serde(with = "flexible::u64")]
    pub output_interval: u64,
    /// Wei a challenger bonds per dispute game.
    #[serde(with = "flexible::u256")]
    pub challenge_bond: U256,
    /// Share of a losing challenger's bond burned, in basis points.
    #[serde(with = "flexible::u64")]
    pub bond_tax_bps: u64,
    /// Slash of a proposer whose output a dispute proves wrong, in basis points.
    #[serde(with = "flexible::u64")]
    pub invalid_output_slash_bps: u64,
    /// The L2 base fee, wei per gas.
    #[serde(with = "flexible::u256")]
    pub l2_base_fee: U256,
    /// The L2 state root before the first output (`script/genesis/<profile>.json`).
    pub genesis_state_root: B256,
    /// The VM guest's memory image root (`keepers/guest/image.json`; `None` in older records).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vm_memory_root: Option<B256>,
    /// The VM guest's entry point.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vm_entry: Option<u64>,
    /// The VM guest's absolute pre-state: the claim hash of the booted machine (docs/vm.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vm_absolute_prestate: Option<B256>,
    /// What runs the L2's blocks (absent: the ledger).
    #[serde(default, skip_serializing_if = "L2Execution::is_ledger")]
    pub l2_execution: L2Execution,
    /// The EVM chain's block gas limit (EVM deployments).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub l2_gas_limit: Option<u64>,
    /// The L1 account the EVM chain's fee vault pays out to, in the vault's slot 0 at genesis
    /// (EVM deployments).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_vault_recipient: Option<Address>,
}

/// What runs a deployment's L2 blocks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum L2Execution {
    /// The ledger of ETH transfers (docs/ledger.md), until it is deleted: a deployment record
    /// without `l2Execution` is one.
    #[default]
    Ledger,
    /// The EVM (docs/evm.md), the `devnet` profile's: the nodes and the keepers run it, the
    /// dispute game is the game over blocks, and the portal proves withdrawals against an
    /// output's header.
    Evm,
}

impl L2Execution {
    /// Whether this is the ledger.
    pub fn is_ledger(&self) -> bool {
        *self == Self::Ledger
    }
}

impl Parameters {
    /// The inbox's caps on one record.
    pub fn record_limits(&self) -> baton_core::RecordLimits {
        let size = |v: u64| usize::try_from(v).unwrap_or(usize::MAX);
        baton_core::RecordLimits {
            max_record_bytes: size(self.max_record_bytes),
            max_record_txs: size(self.max_record_txs),
            max_tx_len: size(self.max_tx_size),
        }
    }
}

impl Deployment {
    /// Parses a record from JSON text.
    pub fn from_json(json: &str) -> Result<Self, DeploymentError> {
        serde_json::from_str(json).map_err(|source| DeploymentError::Json {
            path: PathBuf::from("<json text>"),
            source,
        })
    }

    /// Reads a record from a file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, DeploymentError> {
        let path = path.as_ref();
        let json = std::fs::read_to_string(path).map_err(|source| DeploymentError::Io {
            path: path.to_owned(),
            source,
        })?;
        serde_json::from_str(&json).map_err(|source| DeploymentError::Json {
            path: path.to_owned(),
            source,
        })
    }

    /// Reads `<dir>/<chain_id>.json` and checks that it is for `chain_id`.
    pub fn load(dir: impl AsRef<Path>, chain_id: u64) -> Result<Self, DeploymentError> {
        let path = dir.as_ref().join(format!("{chain_id}.json"));
        let deployment = Self::from_file(&path)?;
        if deployment.chain_id != chain_id {
            return Err(DeploymentError::ChainIdMismatch {
                path,
                expected: chain_id,
                found: deployment.chain_id,
            });
        }
        Ok(deployment)
    }

    /// The EIP-712 domain every block and batch header of this deployment is signed under.
    pub fn domain(&self) -> Eip712Domain {
        baton_core::baton_domain(self.chain_id, self.batch_inbox)
    }

    /// The registry's staking, jailing and slashing face.
    pub fn registry<P: Provider>(
        &self,
        provider: P,
    ) -> ISequencerRegistry::ISequencerRegistryInstance<P> {
        ISequencerRegistry::new(self.sequencer_registry, provider)
    }

    /// The registry's leader-schedule face (same address as [`Self::registry`]).
    pub fn leader_schedule<P: Provider>(
        &self,
        provider: P,
    ) -> ILeaderSchedule::ILeaderScheduleInstance<P> {
        ILeaderSchedule::new(self.sequencer_registry, provider)
    }

    /// The BatchInbox.
    pub fn batch_inbox<P: Provider>(&self, provider: P) -> IBatchInbox::IBatchInboxInstance<P> {
        IBatchInbox::new(self.batch_inbox, provider)
    }

    /// The ForceInclusionQueue.
    pub fn force_inclusion_queue<P: Provider>(
        &self,
        provider: P,
    ) -> IForceInclusionQueue::IForceInclusionQueueInstance<P> {
        IForceInclusionQueue::new(self.force_inclusion_queue, provider)
    }

    /// The Slasher.
    pub fn slasher<P: Provider>(&self, provider: P) -> ISlasher::ISlasherInstance<P> {
        ISlasher::new(self.slasher, provider)
    }

    /// The L1OutputOracle.
    pub fn output_oracle<P: Provider>(
        &self,
        provider: P,
    ) -> IL1OutputOracle::IL1OutputOracleInstance<P> {
        IL1OutputOracle::new(self.output_oracle, provider)
    }

    /// The Portal.
    pub fn portal<P: Provider>(&self, provider: P) -> IPortal::IPortalInstance<P> {
        IPortal::new(self.portal, provider)
    }

    /// The dispute game, as every game is played (`IBisectionGame`).
    pub fn dispute_game<P: Provider>(
        &self,
        provider: P,
    ) -> IBisectionGame::IBisectionGameInstance<P> {
        IBisectionGame::new(self.dispute_game, provider)
    }

    /// The dispute game as the ledger's (`IDisputeGame`: its layout and transaction proofs).
    pub fn ledger_dispute_game<P: Provider>(
        &self,
        provider: P,
    ) -> IDisputeGame::IDisputeGameInstance<P> {
        IDisputeGame::new(self.dispute_game, provider)
    }

    /// The dispute game as the EVM chain's (`IEvmDisputeGame`: its layout and block proofs).
    pub fn evm_dispute_game<P: Provider>(
        &self,
        provider: P,
    ) -> IEvmDisputeGame::IEvmDisputeGameInstance<P> {
        IEvmDisputeGame::new(self.dispute_game, provider)
    }
}

/// Serde adapters for integers written either as JSON numbers or as strings.
mod flexible {
    use serde::{Deserialize, Deserializer, de::Error};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumberOrString {
        Number(serde_json::Number),
        String(String),
    }

    impl NumberOrString {
        /// The integer's text: decimal, or `0x`-prefixed hex from a string.
        fn into_text<E: Error>(self) -> Result<String, E> {
            match self {
                Self::Number(n) if n.is_u64() => Ok(n.to_string()),
                // Without serde_json's arbitrary precision a number past u64 arrives as a float,
                // already rounded: refuse it instead of guessing.
                Self::Number(n) => Err(E::custom(format!(
                    "{n} is not an integer that fits in u64; write it as a string"
                ))),
                Self::String(s) => Ok(s.trim().to_owned()),
            }
        }
    }

    pub(super) mod u64 {
        use super::*;
        use serde::Serializer;

        pub(crate) fn serialize<S: Serializer>(
            value: &u64,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            serializer.serialize_u64(*value)
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<u64, D::Error> {
            let text = NumberOrString::deserialize(deserializer)?.into_text()?;
            match text.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => text.parse(),
            }
            .map_err(|e| D::Error::custom(format!("invalid integer {text:?}: {e}")))
        }
    }

    pub(super) mod u256 {
        use super::*;
        use alloy::primitives::U256;
        use serde::Serializer;

        /// Written as a decimal string: JSON numbers past 2^53 lose precision in many readers.
        pub(crate) fn serialize<S: Serializer>(
            value: &U256,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            serializer.serialize_str(&value.to_string())
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<U256, D::Error> {
            let text = NumberOrString::deserialize(deserializer)?.into_text()?;
            // `U256::from_str` reads decimal, or hex with a `0x` prefix.
            text.parse()
                .map_err(|e| D::Error::custom(format!("invalid integer {text:?}: {e}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::address;

    const EXAMPLE: &str = r#"{"chainId":31337,"profile":"devnet-ledger","deployer":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","deployBlock":1,
        "SequencerRegistry":"0x5FbDB2315678afecb367f032d93F642f64180aa3","ForceInclusionQueue":"0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
        "BatchInbox":"0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0","Slasher":"0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9",
        "L1OutputOracle":"0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9","Portal":"0x5FC8d32690cc91D4c39d9d3abcBD16989F875707",
        "DisputeGame":"0x0165878A594ca255338adfa4d48449f69242Eb8F",
        "parameters":{"l2ChainId":901,"epochLength":8,"leaderTimeout":3,"minStake":"1000000000000000000","maxActiveSet":100,
        "unbondingPeriod":300,"jailEpochs":8,"reporterRewardBps":2000,"equivocationSlashBps":5000,"livenessSlashBps":100,
        "censorshipSlashBps":1000,"slashingWindowEpochs":8,"inclusionDelay":30,"inclusionFee":"1000000000000000",
        "maxTxSize":4096,"maxRecordBytes":120000,"maxRecordTxs":4096,"maxRecordEntries":256,"finalizationPeriod":60,"maxDisputeDuration":120,"l1BlockTime":1,"outputInterval":4,
        "challengeBond":"100000000000000000","bondTaxBps":1000,"invalidOutputSlashBps":5000,"l2BaseFee":"1000000000",
        "genesisStateRoot":"0x598ce533fbcacec628264e7deb85a941c28d4d8cbfc3cd20c2f8043206b23fa9"}}"#;

    #[test]
    fn parses_the_documented_example() {
        let d = Deployment::from_json(EXAMPLE).unwrap();
        assert_eq!(d.chain_id, 31337);
        assert_eq!(d.profile, "devnet-ledger");
        assert_eq!(d.deploy_block, 1);
        assert_eq!(
            d.batch_inbox,
            address!("0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0")
        );
        assert_eq!(
            d.slasher,
            address!("0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9")
        );
        assert_eq!(d.parameters.l2_chain_id, 901);
        assert_eq!(d.parameters.min_stake, U256::from(10u64.pow(18)));
        assert_eq!(d.parameters.inclusion_fee, U256::from(10u64.pow(15)));
        assert_eq!(d.parameters.equivocation_slash_bps, 5000);
        assert_eq!(d.parameters.max_dispute_duration, 120);
        assert_eq!(d.parameters.output_interval, 4);
        assert_eq!(d.parameters.challenge_bond, U256::from(10u64.pow(17)));
        assert_eq!(d.parameters.l2_base_fee, U256::from(10u64.pow(9)));
        assert_eq!(
            d.dispute_game,
            address!("0x0165878A594ca255338adfa4d48449f69242Eb8F")
        );
        assert_eq!(d.domain(), baton_core::baton_domain(31337, d.batch_inbox));
        // A record from before the VM was deployed has none of its entries.
        assert_eq!((d.preimage_oracle, d.risc_v), (None, None));
        assert_eq!(d.parameters.vm_absolute_prestate, None);
    }

    #[test]
    fn reads_the_vm_entries() {
        let with_vm = EXAMPLE
            .replace(
                r#""DisputeGame":"0x0165878A594ca255338adfa4d48449f69242Eb8F","#,
                r#""DisputeGame":"0x0165878A594ca255338adfa4d48449f69242Eb8F",
                "PreimageOracle":"0xa513E6E4b8f2a923D98304ec87F64353C4D5C853","RiscV":"0x2279B7A0a67DB372996a5FaB50D91eAA73d2eBe6","#,
            )
            .replace(
                r#""l2BaseFee":"1000000000","#,
                r#""l2BaseFee":"1000000000","vmEntry":65536,
                "vmMemoryRoot":"0xc1012b93fb894504f06c56fa7b1eadc6af78650350f79ccd0f32230c9d3002c6",
                "vmAbsolutePrestate":"0x03587ffdc091745c0d629b71b419cc1f0b20783b48cba139d34105810b5c0758","#,
            );
        let d = Deployment::from_json(&with_vm).unwrap();
        assert_eq!(
            d.risc_v,
            Some(address!("0x2279B7A0a67DB372996a5FaB50D91eAA73d2eBe6"))
        );
        assert!(d.preimage_oracle.is_some());
        assert_eq!(d.parameters.vm_entry, Some(0x10000));
        assert_eq!(
            d.parameters.vm_absolute_prestate.map(|h| h[0]),
            Some(3),
            "a booted machine is running: status byte 3"
        );
        // And back: the record round-trips.
        let again = serde_json::to_string(&d).unwrap();
        assert_eq!(Deployment::from_json(&again).unwrap(), d);
    }

    #[test]
    fn accepts_numbers_and_strings_alike() {
        let spelled = EXAMPLE
            .replace(
                r#""minStake":"1000000000000000000""#,
                r#""minStake":1000000000000000000"#,
            )
            .replace(
                r#""inclusionFee":"1000000000000000""#,
                r#""inclusionFee":"0x38d7ea4c68000""#,
            )
            .replace(r#""epochLength":8"#, r#""epochLength":"8""#)
            .replace(r#""chainId":31337"#, r#""chainId":"0x7a69""#);
        assert_eq!(
            Deployment::from_json(&spelled).unwrap(),
            Deployment::from_json(EXAMPLE).unwrap()
        );
    }

    #[test]
    fn refuses_rounded_or_malformed_numbers() {
        let rounded = EXAMPLE.replace(
            r#""minStake":"1000000000000000000""#,
            r#""minStake":100000000000000000000"#,
        );
        assert!(matches!(
            Deployment::from_json(&rounded),
            Err(DeploymentError::Json { .. })
        ));
        let garbage = EXAMPLE.replace(r#""epochLength":8"#, r#""epochLength":"eight""#);
        let err = Deployment::from_json(&garbage).unwrap_err().to_string();
        assert!(err.contains("eight"), "{err}");
        let negative = EXAMPLE.replace(r#""epochLength":8"#, r#""epochLength":-8"#);
        assert!(Deployment::from_json(&negative).is_err());
    }

    #[test]
    fn serializes_back_to_an_equal_record() {
        let d = Deployment::from_json(EXAMPLE).unwrap();
        let json = serde_json::to_string(&d).unwrap();
        assert!(json.contains(r#""SequencerRegistry":"#), "{json}");
        assert!(
            json.contains(r#""minStake":"1000000000000000000""#),
            "{json}"
        );
        assert_eq!(Deployment::from_json(&json).unwrap(), d);
    }

    #[test]
    fn load_checks_the_chain_id() {
        let dir =
            std::env::temp_dir().join(format!("baton-deployment-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("5.json"), EXAMPLE).unwrap();
        let mismatch = Deployment::load(&dir, 5);
        let missing = Deployment::load(&dir, 6);
        std::fs::write(dir.join("31337.json"), EXAMPLE).unwrap();
        let ok = Deployment::load(&dir, 31337);
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(matches!(
            mismatch,
            Err(DeploymentError::ChainIdMismatch {
                expected: 5,
                found: 31337,
                ..
            })
        ));
        assert!(matches!(missing, Err(DeploymentError::Io { .. })));
        assert_eq!(ok.unwrap().chain_id, 31337);
    }
}
