// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {Deploy} from "../script/Deploy.s.sol";
import {DepositEntry} from "../contracts/libraries/DepositEntry.sol";
import {DisputeGame} from "../contracts/DisputeGame.sol";

/// @notice The deploy script itself: shipped profiles load and pass the cross-contract rules,
///         each rule rejects a profile that breaks it, the record holds every address and
///         parameter, and a mispredicted address is caught by the wiring check.
abstract contract DeployTest is Test {
    Deploy internal script;

    function setUp() public {
        vm.roll(100);
        script = new Deploy();
    }
}

/// @notice checkProfile: the shipped profiles pass, and each rule rejects a profile that breaks it.
contract Deploy_CheckProfile_Test is DeployTest {
    function test_shippedProfiles_passTheRules() public view {
        script.checkProfile(script.loadProfile("devnet-ledger"));
        script.checkProfile(script.loadProfile("mainnet"));
        script.checkProfile(script.loadProfile("devnet"));
    }

    function test_loadProfile_readsTheEvmExecutionOnlyWhereNamed() public view {
        Deploy.Profile memory evm = script.loadProfile("devnet");
        assertEq(evm.l2Execution, "evm");
        assertEq(evm.l2GasLimit, 30_000_000);
        assertTrue(evm.feeVaultRecipient != address(0));
        Deploy.Profile memory ledger = script.loadProfile("devnet-ledger");
        assertEq(bytes(ledger.l2Execution).length, 0);
        assertEq(ledger.feeVaultRecipient, address(0));
    }

    function test_checkProfile_rejectsAnUnknownExecution() public {
        Deploy.Profile memory p = script.loadProfile("devnet");
        p.l2Execution = "wasm";
        vm.expectRevert(
            abi.encodeWithSelector(
                Deploy.BadProfile.selector, "l2Execution must be \"evm\" or absent (the ledger)"
            )
        );
        script.checkProfile(p);
    }

    function test_checkProfile_rejectsAnEvmChainWithoutItsFeeVaultRecipient() public {
        Deploy.Profile memory p = script.loadProfile("devnet");
        p.feeVaultRecipient = address(0);
        vm.expectRevert(abi.encodeWithSelector(Deploy.BadProfile.selector, "feeVaultRecipient must be set"));
        script.checkProfile(p);
    }

    /// @notice On the EVM chain a transaction must be able to deploy the largest contract
    ///         Ethereum allows (EIP-3860's init code limit); the ledger has no such need.
    function test_checkProfile_rejectsAnEvmTxSizeBelowTheLargestCreation() public {
        Deploy.Profile memory p = script.loadProfile("devnet");
        p.maxTxSize = script.EVM_MIN_TX_SIZE();
        script.checkProfile(p);
        p.maxTxSize -= 1;
        vm.expectRevert(
            abi.encodeWithSelector(
                Deploy.BadProfile.selector,
                "maxTxSize must hold the largest contract creation (EVM_MIN_TX_SIZE)"
            )
        );
        script.checkProfile(p);
        p = script.loadProfile("devnet-ledger");
        assertLt(p.maxTxSize, script.EVM_MIN_TX_SIZE());
        script.checkProfile(p);
    }

    /// @notice A record's deposits run in its first block whatever its gas limit, so the entries
    ///         a record may consume times the most gas a deposit may take must fit a block.
    function test_checkProfile_rejectsDepositsOutgrowingABlock() public {
        Deploy.Profile memory p = script.loadProfile("devnet");
        p.maxRecordEntries = p.l2GasLimit / DepositEntry.MAX_GAS;
        script.checkProfile(p);
        p.maxRecordEntries += 1;
        vm.expectRevert(
            abi.encodeWithSelector(
                Deploy.BadProfile.selector, "maxRecordEntries x Portal.MAX_DEPOSIT_GAS must be <= l2GasLimit"
            )
        );
        script.checkProfile(p);
        // The ledger runs no deposit calls: no such bound.
        p = script.loadProfile("devnet-ledger");
        p.maxRecordEntries = 1024;
        script.checkProfile(p);
    }

    function test_checkProfile_rejectsUnbondingNotCoveringDisputes() public {
        Deploy.Profile memory p = script.loadProfile("devnet-ledger");
        p.unbondingPeriod = p.finalizationPeriod + p.maxDisputeDuration;
        vm.expectRevert(
            abi.encodeWithSelector(
                Deploy.BadProfile.selector,
                "unbondingPeriod must exceed finalizationPeriod + maxDisputeDuration"
            )
        );
        script.checkProfile(p);
    }

    function test_checkProfile_rejectsWindowNotShorterThanJail() public {
        Deploy.Profile memory p = script.loadProfile("devnet-ledger");
        p.slashingWindowEpochs = p.jailEpochs;
        vm.expectRevert(
            abi.encodeWithSelector(Deploy.BadProfile.selector, "slashingWindowEpochs must be < jailEpochs")
        );
        script.checkProfile(p);
    }

    function test_checkProfile_rejectsUnbondingShorterThanTheSlashingWindow() public {
        Deploy.Profile memory p = script.loadProfile("mainnet");
        p.l1BlockTime = 12;
        p.unbondingPeriod = (p.slashingWindowEpochs + 2) * p.epochLength * p.l1BlockTime;
        p.finalizationPeriod = 1;
        p.maxDisputeDuration = 1;
        vm.expectRevert(
            abi.encodeWithSelector(
                Deploy.BadProfile.selector, "unbondingPeriod must outlast the slashing window"
            )
        );
        script.checkProfile(p);
        p.l1BlockTime = 0;
        vm.expectRevert(abi.encodeWithSelector(Deploy.BadProfile.selector, "l1BlockTime must be > 0"));
        script.checkProfile(p);
    }

    function test_checkProfile_rejectsInclusionDelayShorterThanAnEpoch() public {
        Deploy.Profile memory p = script.loadProfile("devnet-ledger");
        p.inclusionDelay = p.epochLength - 1;
        vm.expectRevert(
            abi.encodeWithSelector(Deploy.BadProfile.selector, "inclusionDelay must be >= epochLength")
        );
        script.checkProfile(p);
    }
}

/// @notice deploy: a mispredicted deployer is caught, and the output contracts are wired.
contract Deploy_Deploy_Test is DeployTest {
    function test_deploy_revertsOnAMispredictedDeployer() public {
        Deploy.Profile memory p = script.loadProfile("devnet-ledger");
        // Predicting from another account's nonces puts every address elsewhere.
        vm.expectRevert(abi.encodeWithSelector(Deploy.WiringMismatch.selector, "registry address"));
        script.deploy(p, makeAddr("not-the-creator"));
    }

    function test_deploy_wiresTheOutputContracts() public {
        Deploy.Profile memory p = script.loadProfile("devnet-ledger");
        Deploy.Deployment memory d = script.deploy(p, address(script));
        assertTrue(d.registry.isSlasher(address(d.slasher)), "slasher may slash");
        assertTrue(d.registry.isSlasher(address(d.game)), "game may slash");
        assertEq(d.oracle.disputeGame(), address(d.game));
        assertEq(d.game.oracle(), address(d.oracle));
        assertEq(d.game.portal(), address(d.portal));
        assertEq(d.game.clockDuration(), p.maxDisputeDuration / 2);
        assertEq(d.game.challengeBond(), p.challengeBond);
        assertEq(DisputeGame(address(d.game)).l2BaseFee(), p.l2BaseFee);
        assertEq(d.game.slashBps(), p.invalidOutputSlashBps);
        assertEq(d.oracle.outputInterval(), p.outputInterval);
    }
}

/// @notice writeRecord: the record holds every address and parameter.
contract Deploy_WriteRecord_Test is DeployTest {
    function test_writeRecord_holdsEveryAddressAndParameter() public {
        Deploy.Profile memory p = script.loadProfile("mainnet");
        Deploy.Deployment memory d = script.deploy(p, address(script));
        string memory file = string.concat("deployments/test-forge-", vm.toString(block.timestamp), ".json");
        script.writeRecord(file, "mainnet", address(this), p, d);
        string memory json = vm.readFile(file);
        vm.removeFile(file);

        assertEq(vm.parseJsonAddress(json, ".SequencerRegistry"), address(d.registry));
        assertEq(vm.parseJsonAddress(json, ".ForceInclusionQueue"), address(d.queue));
        assertEq(vm.parseJsonAddress(json, ".BatchInbox"), address(d.inbox));
        assertEq(vm.parseJsonAddress(json, ".Slasher"), address(d.slasher));
        assertEq(vm.parseJsonAddress(json, ".L1OutputOracle"), address(d.oracle));
        assertEq(vm.parseJsonAddress(json, ".Portal"), address(d.portal));
        assertEq(vm.parseJsonAddress(json, ".DisputeGame"), address(d.game));
        assertEq(vm.parseJsonAddress(json, ".PreimageOracle"), address(d.preimageOracle));
        assertEq(vm.parseJsonAddress(json, ".RiscV"), address(d.riscv));
        // The guest's image, as ./script/guest checks it against the build.
        string memory image = vm.readFile("keepers/guest/image.json");
        assertEq(
            vm.parseJsonBytes32(json, ".parameters.vmAbsolutePrestate"),
            vm.parseJsonBytes32(image, ".absolutePrestate")
        );
        assertEq(
            vm.parseJsonBytes32(json, ".parameters.vmMemoryRoot"), vm.parseJsonBytes32(image, ".memoryRoot")
        );
        assertEq(vm.parseJsonUint(json, ".parameters.vmEntry"), 0x10000);
        assertEq(vm.parseJsonBytes32(json, ".parameters.genesisStateRoot"), p.genesisStateRoot);
        assertEq(vm.parseJsonUint(json, ".parameters.challengeBond"), p.challengeBond);
        assertEq(vm.parseJsonUint(json, ".chainId"), block.chainid);
        assertEq(vm.parseJsonString(json, ".profile"), "mainnet");
        assertEq(vm.parseJsonUint(json, ".deployBlock"), d.deployBlock);
        // Wei amounts are decimal strings (they overflow 2^53); the reader takes both forms.
        assertEq(vm.parseJsonString(json, ".parameters.minStake"), "32000000000000000000");
        assertEq(vm.parseJsonUint(json, ".parameters.minStake"), p.minStake);
        assertEq(vm.parseJsonUint(json, ".parameters.inclusionFee"), p.inclusionFee);
        string[30] memory keys = [
            "l2ChainId",
            "epochLength",
            "leaderTimeout",
            "minStake",
            "maxActiveSet",
            "unbondingPeriod",
            "jailEpochs",
            "reporterRewardBps",
            "equivocationSlashBps",
            "livenessSlashBps",
            "censorshipSlashBps",
            "slashingWindowEpochs",
            "inclusionDelay",
            "inclusionFee",
            "maxTxSize",
            "maxRecordBytes",
            "maxRecordTxs",
            "maxRecordEntries",
            "finalizationPeriod",
            "maxDisputeDuration",
            "l1BlockTime",
            "outputInterval",
            "challengeBond",
            "bondTaxBps",
            "invalidOutputSlashBps",
            "l2BaseFee",
            "genesisStateRoot",
            "vmMemoryRoot",
            "vmEntry",
            "vmAbsolutePrestate"
        ];
        for (uint256 i; i < keys.length; ++i) {
            assertTrue(vm.keyExistsJson(json, string.concat(".parameters.", keys[i])), keys[i]);
        }
        assertEq(
            vm.parseJsonKeys(json, ".parameters").length, keys.length, "a parameter is not in the record"
        );
    }
}
