// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BatonTest} from "./utils/BatonTest.sol";
import {BatchInbox} from "../contracts/BatchInbox.sol";
import {ForceInclusionQueue} from "../contracts/ForceInclusionQueue.sol";
import {Slasher} from "../contracts/Slasher.sol";
import {IBatchInbox} from "../contracts/interfaces/IBatchInbox.sol";
import {IForceInclusionQueue} from "../contracts/interfaces/IForceInclusionQueue.sol";
import {ILeaderSchedule} from "../contracts/interfaces/ILeaderSchedule.sol";

/// @notice Every constructor check of the queue, the inbox and the slasher (the registry's are
///         in SequencerRegistry.t.sol): a deployment with a parameter out of range never exists.
contract ForceInclusionQueue_Constructor_Test is BatonTest {
    function _expect(string memory name) internal {
        vm.expectRevert(abi.encodeWithSelector(ForceInclusionQueue.InvalidParameter.selector, name));
    }

    function test_constructor_revertsOnZeroInbox() public {
        _expect("inbox");
        new ForceInclusionQueue(address(0), 1, 100, 10, 256);
    }

    function test_constructor_revertsOnMaxTxSizeOutOfRange() public {
        _expect("maxTxSize");
        new ForceInclusionQueue(address(inbox), 1, 0, 10, 256);
        // The batch framing gives a transaction a 3-byte length.
        _expect("maxTxSize");
        new ForceInclusionQueue(address(inbox), 1, 1 << 24, 10, 256);
    }

    function test_constructor_revertsOnZeroDelay() public {
        _expect("inclusionDelay");
        new ForceInclusionQueue(address(inbox), 1, 100, 0, 256);
    }

    function test_constructor_revertsOnMaxRecordEntriesOutOfRange() public {
        _expect("maxRecordEntries");
        new ForceInclusionQueue(address(inbox), 1, 100, 10, 0);
        uint256 limit = queue.RECORD_ENTRIES_LIMIT();
        _expect("maxRecordEntries");
        new ForceInclusionQueue(address(inbox), 1, 100, 10, limit + 1);
        ForceInclusionQueue q = new ForceInclusionQueue(address(inbox), 1, 100, 10, limit);
        assertEq(q.maxRecordEntries(), limit);
    }

    function test_constructor_acceptsTheLargestFramableSize() public {
        ForceInclusionQueue q = new ForceInclusionQueue(address(inbox), 0, (1 << 24) - 1, 1, 256);
        assertEq(q.maxTxSize(), (1 << 24) - 1);
        assertEq(q.inclusionFee(), 0);
    }
}

contract BatchInbox_Constructor_Test is BatonTest {
    function _expect(string memory name) internal {
        vm.expectRevert(abi.encodeWithSelector(BatchInbox.InvalidParameter.selector, name));
    }

    function _inbox(ILeaderSchedule registry_, address queue_, uint256 chainId, uint256 bytes_, uint256 txs)
        internal
        returns (BatchInbox)
    {
        return new BatchInbox(registry_, IForceInclusionQueue(queue_), chainId, bytes_, txs);
    }

    function test_constructor_revertsOnZeroLinks() public {
        _expect("registry");
        _inbox(ILeaderSchedule(address(0)), address(queue), 901, 120_000, 4096);
        vm.expectRevert();
        _inbox(ILeaderSchedule(address(registry)), address(0), 901, 120_000, 4096);
    }

    /// @dev An L2 chain id of zero, or equal to the L1's, would let headers replay across chains.
    function test_constructor_revertsOnBadL2ChainId() public {
        _expect("l2ChainId");
        _inbox(ILeaderSchedule(address(registry)), address(queue), 0, 120_000, 4096);
        _expect("l2ChainId");
        _inbox(ILeaderSchedule(address(registry)), address(queue), block.chainid, 120_000, 4096);
    }

    /// @dev The caps are checked against each other and against the ceilings that keep every
    ///      step provable in one L1 transaction: a record must carry one largest transaction,
    ///      and may not claim more transactions than its bytes can frame.
    function test_constructor_checksTheRecordCaps() public {
        ILeaderSchedule r = ILeaderSchedule(address(registry));
        uint256 maxTx = queue.maxTxSize();
        uint256 smallest = 21 + 10 + 3 + maxTx;
        _expect("maxRecordBytes");
        _inbox(r, address(queue), 901, smallest - 1, 1);
        _inbox(r, address(queue), 901, smallest, 1);
        _expect("maxRecordBytes");
        _inbox(r, address(queue), 901, 120_001, 4096);
        _expect("maxRecordTxs");
        _inbox(r, address(queue), 901, 120_000, 0);
        // 120,000 bytes frame at most (120,000 − 31) / 4 = 29,992 one-byte transactions.
        _inbox(r, address(queue), 901, 120_000, 29_992);
        _expect("maxRecordTxs");
        _inbox(r, address(queue), 901, 120_000, 29_993);
        BatchInbox inbox_ = _inbox(r, address(queue), 901, smallest, 1);
        assertEq(inbox_.maxRecordBytes(), smallest);
        assertEq(inbox_.maxRecordTxs(), 1);
        assertEq(inbox_.maxTxLength(), maxTx);
    }

    /// @dev A queue whose transactions could exceed a transaction proof's budget is refused.
    function test_constructor_revertsOnAQueueWithHugeTransactions() public {
        ForceInclusionQueue huge = new ForceInclusionQueue(address(1), 0, (1 << 16) + 1, 10, 256);
        _expect("queue.maxTxSize");
        _inbox(ILeaderSchedule(address(registry)), address(huge), 901, 120_000, 4096);
    }
}

contract Slasher_Constructor_Test is BatonTest {
    function _params() internal view returns (Slasher.Params memory) {
        return Slasher.Params({
            equivocationSlashBps: p.equivocationSlashBps,
            livenessSlashBps: p.livenessSlashBps,
            censorshipSlashBps: p.censorshipSlashBps,
            slashingWindowEpochs: p.slashingWindowEpochs
        });
    }

    function _expect(string memory name) internal {
        vm.expectRevert(abi.encodeWithSelector(Slasher.InvalidParameter.selector, name));
    }

    function test_constructor_revertsOnZeroLinks() public {
        _expect("registry");
        new Slasher(address(0), inbox, p.l2ChainId, _params());
        _expect("inbox");
        new Slasher(address(registry), IBatchInbox(address(0)), p.l2ChainId, _params());
    }

    function test_constructor_revertsOnSlashBpsOutOfRange() public {
        for (uint256 field; field < 3; ++field) {
            for (uint256 bad; bad < 2; ++bad) {
                Slasher.Params memory q = _params();
                uint256 value = bad == 0 ? 0 : 10_001;
                string memory name;
                if (field == 0) (q.equivocationSlashBps, name) = (value, "equivocationSlashBps");
                else if (field == 1) (q.livenessSlashBps, name) = (value, "livenessSlashBps");
                else (q.censorshipSlashBps, name) = (value, "censorshipSlashBps");
                _expect(name);
                new Slasher(address(registry), inbox, p.l2ChainId, q);
            }
        }
    }

    /// @dev The window must be shorter than a jail term, or `jailedDuring` could be inexact for
    ///      an epoch the slasher judges.
    function test_constructor_revertsOnWindowNotShorterThanJail() public {
        Slasher.Params memory q = _params();
        q.slashingWindowEpochs = 0;
        _expect("slashingWindowEpochs");
        new Slasher(address(registry), inbox, p.l2ChainId, q);
        q.slashingWindowEpochs = registry.jailEpochs();
        _expect("slashingWindowEpochs");
        new Slasher(address(registry), inbox, p.l2ChainId, q);
        q.slashingWindowEpochs = registry.jailEpochs() - 1;
        Slasher s = new Slasher(address(registry), inbox, p.l2ChainId, q);
        assertEq(s.slashingWindowEpochs(), registry.jailEpochs() - 1);
    }

    function test_views_reportTheDeployedParameters() public view {
        assertEq(slasher.registry(), address(registry));
        assertEq(slasher.inbox(), address(inbox));
        assertEq(slasher.equivocationSlashBps(), p.equivocationSlashBps);
        assertEq(slasher.livenessSlashBps(), p.livenessSlashBps);
        assertEq(slasher.censorshipSlashBps(), p.censorshipSlashBps);
        assertEq(slasher.slashingWindowEpochs(), p.slashingWindowEpochs);
    }
}
