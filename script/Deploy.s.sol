// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Script} from "forge-std/Script.sol";
import {BatchInbox} from "../contracts/BatchInbox.sol";
import {ForceInclusionQueue} from "../contracts/ForceInclusionQueue.sol";
import {SequencerRegistry} from "../contracts/SequencerRegistry.sol";
import {Slasher} from "../contracts/Slasher.sol";
import {L1OutputOracle} from "../contracts/L1OutputOracle.sol";
import {Portal} from "../contracts/Portal.sol";
import {DepositEntry} from "../contracts/libraries/DepositEntry.sol";
import {DisputeGame} from "../contracts/DisputeGame.sol";
import {EvmDisputeGame} from "../contracts/EvmDisputeGame.sol";
import {IBisectionGame} from "../contracts/interfaces/IBisectionGame.sol";
import {PreimageOracle} from "../contracts/vm/PreimageOracle.sol";
import {RiscV} from "../contracts/vm/RiscV.sol";
import {IPreimageOracle} from "../contracts/interfaces/IPreimageOracle.sol";
import {IForceInclusionQueue} from "../contracts/interfaces/IForceInclusionQueue.sol";
import {ILeaderSchedule} from "../contracts/interfaces/ILeaderSchedule.sol";

/// @title Deploy
/// @notice Deploys and wires the sequencing contracts with a parameter profile
///         (`script/profiles/<BATON_PROFILE>.json`, default `devnet`, the EVM chain), asserts the
///         wiring and writes `deployments/<chainId>.json` (or `$BATON_DEPLOYMENT_FILE`).
///
///         The contracts point at each other through immutables, so their addresses are
///         predicted from the deployer's nonce: registry, queue, inbox, slasher, oracle, portal,
///         preimage oracle, RISC-V step verifier, dispute game, in that order. The registry lets
///         two contracts slash: the Slasher and the dispute game. The game is the ledger's
///         (`DisputeGame`) or, with `"l2Execution": "evm"`, the EVM chain's (`EvmDisputeGame`),
///         each with its guest's image.
contract Deploy is Script {
    /// @notice Every deploy-time parameter (see docs/protocol.md, "Parameters").
    struct Profile {
        uint256 l2ChainId;
        uint256 epochLength;
        uint256 leaderTimeout;
        uint256 minStake;
        uint256 maxActiveSet;
        uint256 unbondingPeriod;
        uint256 jailEpochs;
        uint256 reporterRewardBps;
        uint256 equivocationSlashBps;
        uint256 livenessSlashBps;
        uint256 censorshipSlashBps;
        uint256 slashingWindowEpochs;
        uint256 inclusionDelay;
        uint256 inclusionFee;
        uint256 maxTxSize;
        uint256 maxRecordBytes;
        uint256 maxRecordTxs;
        uint256 maxRecordEntries;
        uint256 finalizationPeriod;
        uint256 maxDisputeDuration;
        uint256 l1BlockTime;
        uint256 outputInterval;
        uint256 challengeBond;
        uint256 bondTaxBps;
        uint256 invalidOutputSlashBps;
        uint256 l2BaseFee;
        bytes32 genesisStateRoot;
        /// @notice The fault-proof VM's guest, from keepers/guest/image.json (built and checked by
        ///         ./script/guest): the Merkle root of its memory image, its entry point, and the
        ///         absolute pre-state (the claim hash of the booted machine).
        bytes32 vmMemoryRoot;
        uint256 vmEntry;
        bytes32 vmAbsolutePrestate;
        /// @notice What runs the L2's blocks: "" (the ledger) or "evm", with the EVM chain's block
        ///         gas limit and the L1 account its fee vault pays out to (docs/evm.md). The game
        ///         over blocks reads the gas limit (its claims carry it); the nodes read all
        ///         three from the record.
        string l2Execution;
        uint256 l2GasLimit;
        address feeVaultRecipient;
    }

    /// @notice The deployed system.
    struct Deployment {
        SequencerRegistry registry;
        ForceInclusionQueue queue;
        BatchInbox inbox;
        Slasher slasher;
        L1OutputOracle oracle;
        Portal portal;
        /// @notice The ledger's `DisputeGame` or the EVM chain's `EvmDisputeGame`.
        IBisectionGame game;
        /// @notice The fault-proof VM the game ends in.
        PreimageOracle preimageOracle;
        RiscV riscv;
        uint256 deployBlock;
    }

    /// @notice The EVM chain's fee vault predeploy (baton-evm's `FEE_VAULT_PREDEPLOY`).
    address internal constant FEE_VAULT_PREDEPLOY = 0xBA70000000000000000000000000000000000019;
    /// @notice The least `maxTxSize` an EVM profile may set: a creation carrying the largest init
    ///         code EIP-3860 allows (49,152 bytes), plus room for the rest of the signed
    ///         transaction (its fields and signature take under 200 bytes; the rest is for an
    ///         access list).
    uint256 public constant EVM_MIN_TX_SIZE = 49_152 + 512;

    /// @notice A profile breaks a cross-contract rule.
    error BadProfile(string why);
    /// @notice A deployed contract is not wired as predicted.
    error WiringMismatch(string what);

    /// @notice Entry point for `forge script`: deploy with `$BATON_PROFILE` and write the record.
    function run() external returns (Deployment memory d) {
        string memory profileName = vm.envOr("BATON_PROFILE", string("devnet"));
        Profile memory p = loadProfile(profileName);
        vm.startBroadcast();
        (, address deployer,) = vm.readCallers();
        d = deploy(p, deployer);
        vm.stopBroadcast();
        string memory file = vm.envOr(
            "BATON_DEPLOYMENT_FILE", string.concat("deployments/", vm.toString(block.chainid), ".json")
        );
        writeRecord(file, profileName, deployer, p, d);
    }

    /// @notice Read `script/profiles/<name>.json`.
    function loadProfile(string memory name) public view returns (Profile memory p) {
        string memory json = vm.readFile(string.concat(vm.projectRoot(), "/script/profiles/", name, ".json"));
        p.l2ChainId = vm.parseJsonUint(json, ".l2ChainId");
        p.epochLength = vm.parseJsonUint(json, ".epochLength");
        p.leaderTimeout = vm.parseJsonUint(json, ".leaderTimeout");
        p.minStake = vm.parseJsonUint(json, ".minStake");
        p.maxActiveSet = vm.parseJsonUint(json, ".maxActiveSet");
        p.unbondingPeriod = vm.parseJsonUint(json, ".unbondingPeriod");
        p.jailEpochs = vm.parseJsonUint(json, ".jailEpochs");
        p.reporterRewardBps = vm.parseJsonUint(json, ".reporterRewardBps");
        p.equivocationSlashBps = vm.parseJsonUint(json, ".equivocationSlashBps");
        p.livenessSlashBps = vm.parseJsonUint(json, ".livenessSlashBps");
        p.censorshipSlashBps = vm.parseJsonUint(json, ".censorshipSlashBps");
        p.slashingWindowEpochs = vm.parseJsonUint(json, ".slashingWindowEpochs");
        p.inclusionDelay = vm.parseJsonUint(json, ".inclusionDelay");
        p.inclusionFee = vm.parseJsonUint(json, ".inclusionFee");
        p.maxTxSize = vm.parseJsonUint(json, ".maxTxSize");
        p.maxRecordBytes = vm.parseJsonUint(json, ".maxRecordBytes");
        p.maxRecordTxs = vm.parseJsonUint(json, ".maxRecordTxs");
        p.maxRecordEntries = vm.parseJsonUint(json, ".maxRecordEntries");
        p.finalizationPeriod = vm.parseJsonUint(json, ".finalizationPeriod");
        p.maxDisputeDuration = vm.parseJsonUint(json, ".maxDisputeDuration");
        p.l1BlockTime = vm.parseJsonUint(json, ".l1BlockTime");
        p.outputInterval = vm.parseJsonUint(json, ".outputInterval");
        p.challengeBond = vm.parseJsonUint(json, ".challengeBond");
        p.bondTaxBps = vm.parseJsonUint(json, ".bondTaxBps");
        p.invalidOutputSlashBps = vm.parseJsonUint(json, ".invalidOutputSlashBps");
        p.l2BaseFee = vm.parseJsonUint(json, ".l2BaseFee");
        p.genesisStateRoot = vm.parseJsonBytes32(json, ".genesisStateRoot");
        if (vm.keyExistsJson(json, ".l2Execution")) {
            p.l2Execution = vm.parseJsonString(json, ".l2Execution");
            p.l2GasLimit = vm.parseJsonUint(json, ".l2GasLimit");
            p.feeVaultRecipient = vm.parseJsonAddress(json, ".feeVaultRecipient");
        }
        // The guest the game runs: the EVM chain's (keepers/guest-evm) or the ledger's.
        string memory guest = _isEvm(p) ? "/keepers/guest-evm/image.json" : "/keepers/guest/image.json";
        string memory image = vm.readFile(string.concat(vm.projectRoot(), guest));
        p.vmMemoryRoot = vm.parseJsonBytes32(image, ".memoryRoot");
        p.vmEntry = vm.parseJsonUint(image, ".entry");
        p.vmAbsolutePrestate = vm.parseJsonBytes32(image, ".absolutePrestate");
    }

    /// @notice Deploy and wire everything from `deployer` (whose next nonces must be unused).
    function deploy(Profile memory p, address deployer) public returns (Deployment memory d) {
        checkProfile(p);
        uint64 nonce = vm.getNonce(deployer);
        address registryAt = vm.computeCreateAddress(deployer, nonce);
        address queueAt = vm.computeCreateAddress(deployer, nonce + 1);
        address inboxAt = vm.computeCreateAddress(deployer, nonce + 2);
        address slasherAt = vm.computeCreateAddress(deployer, nonce + 3);
        address gameAt = vm.computeCreateAddress(deployer, nonce + 8);

        address[] memory slashers = new address[](2);
        slashers[0] = slasherAt;
        slashers[1] = gameAt;
        d.registry = new SequencerRegistry(
            SequencerRegistry.Params({
                epochLength: p.epochLength,
                leaderTimeout: p.leaderTimeout,
                minStake: p.minStake,
                maxActiveSet: p.maxActiveSet,
                unbondingPeriod: p.unbondingPeriod,
                jailEpochs: p.jailEpochs,
                reporterRewardBps: p.reporterRewardBps,
                slashers: slashers
            })
        );
        d.deployBlock = block.number;
        d.queue = new ForceInclusionQueue(
            inboxAt, p.inclusionFee, p.maxTxSize, p.inclusionDelay, p.maxRecordEntries
        );
        d.inbox = new BatchInbox(
            ILeaderSchedule(address(d.registry)),
            d.queue, // the inbox reads its transaction size limit, so pass what exists
            p.l2ChainId,
            p.maxRecordBytes,
            p.maxRecordTxs
        );
        d.slasher = new Slasher(
            address(d.registry),
            d.inbox,
            p.l2ChainId,
            Slasher.Params({
                equivocationSlashBps: p.equivocationSlashBps,
                livenessSlashBps: p.livenessSlashBps,
                censorshipSlashBps: p.censorshipSlashBps,
                slashingWindowEpochs: p.slashingWindowEpochs
            })
        );
        // The sequencing contracts first: the output contracts read their links from them.
        checkWiring(p, d, registryAt, queueAt, inboxAt, slasherAt);
        d.oracle = new L1OutputOracle(
            address(d.registry), address(d.inbox), gameAt, p.outputInterval, p.finalizationPeriod
        );
        d.portal = new Portal(address(d.oracle), address(d.queue), address(d.inbox), _isEvm(p));
        // The VM the game ends in: the step verifier and its preimage oracle.
        d.preimageOracle = new PreimageOracle();
        d.riscv = new RiscV(IPreimageOracle(address(d.preimageOracle)));
        if (address(d.riscv.oracle()) != address(d.preimageOracle)) revert WiringMismatch("riscv.oracle");
        d.game = _isEvm(p) ? _evmGame(p, d) : _ledgerGame(p, d);
        checkOutputWiring(p, d, gameAt);
    }

    /// @notice Whether the profile runs the EVM chain.
    function _isEvm(Profile memory p) internal pure returns (bool) {
        return keccak256(bytes(p.l2Execution)) == keccak256("evm");
    }

    function _ledgerGame(Profile memory p, Deployment memory d) internal returns (IBisectionGame) {
        return new DisputeGame(
            address(d.oracle),
            address(d.portal),
            DisputeGame.Params({
                challengeBond: p.challengeBond,
                bondTaxBps: p.bondTaxBps,
                slashBps: p.invalidOutputSlashBps,
                clockDuration: p.maxDisputeDuration / 2,
                l2BaseFee: p.l2BaseFee,
                genesisStateRoot: p.genesisStateRoot,
                riscV: address(d.riscv),
                vmMemoryRoot: p.vmMemoryRoot,
                vmEntry: p.vmEntry
            })
        );
    }

    /// @notice The game over EVM blocks. The base fee moves by Ethereum's EIP-1559 parameters
    ///         (baton-evm's `BaseFeeParams::ETHEREUM`, what the node runs), and base fees go to
    ///         the fee vault predeploy (keepers/crates/evm/src/execute.rs).
    function _evmGame(Profile memory p, Deployment memory d) internal returns (IBisectionGame) {
        return new EvmDisputeGame(
            address(d.oracle),
            address(d.portal),
            EvmDisputeGame.Params({
                challengeBond: p.challengeBond,
                bondTaxBps: p.bondTaxBps,
                slashBps: p.invalidOutputSlashBps,
                clockDuration: p.maxDisputeDuration / 2,
                genesisStateRoot: p.genesisStateRoot,
                gasLimit: p.l2GasLimit,
                genesisBaseFee: p.l2BaseFee,
                elasticity: 2,
                maxChangeDenominator: 8,
                feeVault: FEE_VAULT_PREDEPLOY,
                riscV: address(d.riscv),
                vmMemoryRoot: p.vmMemoryRoot,
                vmEntry: p.vmEntry
            })
        );
    }

    /// @notice Rules that span contracts, so no single constructor can check them.
    function checkProfile(Profile memory p) public pure {
        // DESIGN: unbonding stake must stay slashable past output finalization plus the longest
        // dispute, so an operator cannot leave before a fraud proof against it resolves.
        if (p.unbondingPeriod <= p.finalizationPeriod + p.maxDisputeDuration) {
            revert BadProfile("unbondingPeriod must exceed finalizationPeriod + maxDisputeDuration");
        }
        // Offences are judged only while the registry's jail record is exact for the epoch
        // (the Slasher's constructor enforces the same rule).
        if (p.slashingWindowEpochs >= p.jailEpochs) {
            revert BadProfile("slashingWindowEpochs must be < jailEpochs");
        }
        // Unbonding stake must stay slashable until every offence it could answer for is out of
        // the slashing window: the window plus the two epochs of schedule lookahead, in seconds.
        if (p.l1BlockTime == 0) revert BadProfile("l1BlockTime must be > 0");
        if (p.unbondingPeriod <= (p.slashingWindowEpochs + 2) * p.epochLength * p.l1BlockTime) {
            revert BadProfile("unbondingPeriod must outlast the slashing window");
        }
        // An entry must stay includable for at least a whole epoch of its leader.
        if (p.inclusionDelay < p.epochLength) revert BadProfile("inclusionDelay must be >= epochLength");
        // Each side of a dispute gets half of the longest dispute on its chess clock.
        if (p.maxDisputeDuration < 2) revert BadProfile("maxDisputeDuration must be >= 2");
        if (bytes(p.l2Execution).length != 0) {
            if (keccak256(bytes(p.l2Execution)) != keccak256("evm")) {
                revert BadProfile("l2Execution must be \"evm\" or absent (the ledger)");
            }
            if (p.l2GasLimit < 21_000) revert BadProfile("l2GasLimit must be >= 21000");
            if (p.maxTxSize < EVM_MIN_TX_SIZE) {
                revert BadProfile("maxTxSize must hold the largest contract creation (EVM_MIN_TX_SIZE)");
            }
            // A record's deposits run in its first block whatever the block's gas limit.
            if (p.maxRecordEntries * DepositEntry.MAX_GAS > p.l2GasLimit) {
                revert BadProfile("maxRecordEntries x Portal.MAX_DEPOSIT_GAS must be <= l2GasLimit");
            }
            if (p.feeVaultRecipient == address(0)) revert BadProfile("feeVaultRecipient must be set");
        }
    }

    /// @notice Assert every address and parameter landed where predicted.
    function checkWiring(
        Profile memory p,
        Deployment memory d,
        address registryAt,
        address queueAt,
        address inboxAt,
        address slasherAt
    ) public view {
        if (address(d.registry) != registryAt) revert WiringMismatch("registry address");
        if (address(d.queue) != queueAt) revert WiringMismatch("queue address");
        if (address(d.inbox) != inboxAt) revert WiringMismatch("inbox address");
        if (address(d.slasher) != slasherAt) revert WiringMismatch("slasher address");
        if (!d.registry.isSlasher(slasherAt)) revert WiringMismatch("registry slasher");
        if (d.queue.inbox() != inboxAt) revert WiringMismatch("queue inbox");
        if (d.inbox.registry() != registryAt || d.inbox.queue() != queueAt) {
            revert WiringMismatch("inbox links");
        }
        if (d.slasher.registry() != registryAt || d.slasher.inbox() != inboxAt) {
            revert WiringMismatch("slasher links");
        }
        if (d.inbox.l2ChainId() != p.l2ChainId) revert WiringMismatch("l2ChainId");
        if (d.registry.epochLength() != p.epochLength) revert WiringMismatch("epochLength");
        if (d.registry.minStake() != p.minStake) revert WiringMismatch("minStake");
        if (d.queue.inclusionDelay() != p.inclusionDelay) revert WiringMismatch("inclusionDelay");
        if (d.queue.maxRecordEntries() != p.maxRecordEntries) revert WiringMismatch("maxRecordEntries");
        if (d.slasher.equivocationSlashBps() != p.equivocationSlashBps) revert WiringMismatch("slash bps");
    }

    /// @notice Assert the oracle, portal and game landed where predicted and point at the rest.
    function checkOutputWiring(Profile memory p, Deployment memory d, address gameAt) public view {
        if (address(d.game) != gameAt) revert WiringMismatch("game address");
        if (!d.registry.isSlasher(gameAt)) revert WiringMismatch("registry slasher (game)");
        if (d.oracle.disputeGame() != gameAt || d.oracle.inbox() != address(d.inbox)) {
            revert WiringMismatch("oracle links");
        }
        if (d.oracle.registry() != address(d.registry)) revert WiringMismatch("oracle registry");
        if (d.portal.oracle() != address(d.oracle) || d.portal.queue() != address(d.queue)) {
            revert WiringMismatch("portal links");
        }
        if (d.portal.evmChain() != _isEvm(p)) revert WiringMismatch("portal withdrawal kind");
        if (d.game.oracle() != address(d.oracle) || d.game.portal() != address(d.portal)) {
            revert WiringMismatch("game links");
        }
        if (d.game.registry() != address(d.registry) || d.game.queue() != address(d.queue)) {
            revert WiringMismatch("game registry/queue");
        }
        if (d.oracle.outputInterval() != p.outputInterval) revert WiringMismatch("outputInterval");
        if (_isEvm(p)) {
            if (EvmDisputeGame(address(d.game)).l2GasLimit() != p.l2GasLimit) {
                revert WiringMismatch("l2GasLimit");
            }
        } else if (DisputeGame(address(d.game)).genesisStateRoot() != p.genesisStateRoot) {
            revert WiringMismatch("genesisStateRoot");
        }
        if (
            d.game.riscV() != address(d.riscv) || d.game.vmMemoryRoot() != p.vmMemoryRoot
                || d.game.vmEntry() != p.vmEntry
        ) revert WiringMismatch("game VM");
    }

    /// @notice Write the deployment record the keepers read.
    function writeRecord(
        string memory file,
        string memory profileName,
        address deployer,
        Profile memory p,
        Deployment memory d
    ) public {
        string memory params = "parameters";
        vm.serializeUint(params, "l2ChainId", p.l2ChainId);
        vm.serializeUint(params, "epochLength", p.epochLength);
        vm.serializeUint(params, "leaderTimeout", p.leaderTimeout);
        // Wei amounts as decimal strings: they overflow the 2^53 of JSON-number readers.
        vm.serializeString(params, "minStake", vm.toString(p.minStake));
        vm.serializeUint(params, "maxActiveSet", p.maxActiveSet);
        vm.serializeUint(params, "unbondingPeriod", p.unbondingPeriod);
        vm.serializeUint(params, "jailEpochs", p.jailEpochs);
        vm.serializeUint(params, "reporterRewardBps", p.reporterRewardBps);
        vm.serializeUint(params, "equivocationSlashBps", p.equivocationSlashBps);
        vm.serializeUint(params, "livenessSlashBps", p.livenessSlashBps);
        vm.serializeUint(params, "censorshipSlashBps", p.censorshipSlashBps);
        vm.serializeUint(params, "slashingWindowEpochs", p.slashingWindowEpochs);
        vm.serializeUint(params, "inclusionDelay", p.inclusionDelay);
        vm.serializeString(params, "inclusionFee", vm.toString(p.inclusionFee));
        vm.serializeUint(params, "maxTxSize", p.maxTxSize);
        vm.serializeUint(params, "maxRecordBytes", p.maxRecordBytes);
        vm.serializeUint(params, "maxRecordTxs", p.maxRecordTxs);
        vm.serializeUint(params, "maxRecordEntries", p.maxRecordEntries);
        vm.serializeUint(params, "finalizationPeriod", p.finalizationPeriod);
        vm.serializeUint(params, "maxDisputeDuration", p.maxDisputeDuration);
        vm.serializeUint(params, "l1BlockTime", p.l1BlockTime);
        vm.serializeUint(params, "outputInterval", p.outputInterval);
        vm.serializeString(params, "challengeBond", vm.toString(p.challengeBond));
        vm.serializeUint(params, "bondTaxBps", p.bondTaxBps);
        vm.serializeUint(params, "invalidOutputSlashBps", p.invalidOutputSlashBps);
        vm.serializeString(params, "l2BaseFee", vm.toString(p.l2BaseFee));
        vm.serializeBytes32(params, "vmMemoryRoot", p.vmMemoryRoot);
        vm.serializeUint(params, "vmEntry", p.vmEntry);
        vm.serializeBytes32(params, "vmAbsolutePrestate", p.vmAbsolutePrestate);
        if (bytes(p.l2Execution).length != 0) {
            vm.serializeString(params, "l2Execution", p.l2Execution);
            vm.serializeUint(params, "l2GasLimit", p.l2GasLimit);
            vm.serializeAddress(params, "feeVaultRecipient", p.feeVaultRecipient);
        }
        string memory paramsJson = vm.serializeBytes32(params, "genesisStateRoot", p.genesisStateRoot);

        string memory root = "deployment";
        vm.serializeUint(root, "chainId", block.chainid);
        vm.serializeString(root, "profile", profileName);
        vm.serializeAddress(root, "deployer", deployer);
        // Registry genesis as simulated: at or before the real deploy block, so log scans may start here.
        vm.serializeUint(root, "deployBlock", d.deployBlock);
        vm.serializeAddress(root, "SequencerRegistry", address(d.registry));
        vm.serializeAddress(root, "ForceInclusionQueue", address(d.queue));
        vm.serializeAddress(root, "BatchInbox", address(d.inbox));
        vm.serializeAddress(root, "Slasher", address(d.slasher));
        vm.serializeAddress(root, "L1OutputOracle", address(d.oracle));
        vm.serializeAddress(root, "Portal", address(d.portal));
        vm.serializeAddress(root, "DisputeGame", address(d.game));
        vm.serializeAddress(root, "PreimageOracle", address(d.preimageOracle));
        vm.serializeAddress(root, "RiscV", address(d.riscv));
        string memory out = vm.serializeString(root, "parameters", paramsJson);
        vm.writeJson(out, file);
    }
}
