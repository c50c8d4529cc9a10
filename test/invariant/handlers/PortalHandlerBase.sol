// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CommonBase} from "forge-std/Base.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {L1OutputOracle} from "../../../contracts/L1OutputOracle.sol";
import {Portal} from "../../../contracts/Portal.sol";

/// @notice What the portal handlers of both chains do alike: random deposits, disputes that
///         delete outputs, passing time and finalization, with running totals of what went in
///         and out and of withdrawals paid more than once. Each chain's handler adds its L2
///         withdrawals, proposals and claims.
abstract contract PortalHandlerBase is CommonBase, StdCheats, StdUtils {
    Portal internal immutable portal;
    L1OutputOracle internal immutable oracle;
    address internal immutable proposer;
    address internal immutable game;
    uint256 internal immutable maxOutputs;
    uint256 internal immutable inclusionFee;
    uint256 internal immutable finalizationPeriod;

    uint256 public ghostDeposited;
    uint256 public ghostPaid;
    uint256 public paidTwice;
    uint256 public withdrawalsPaid;

    mapping(bytes32 key => uint256) internal _paidCount;

    constructor(
        Portal portal_,
        L1OutputOracle oracle_,
        address proposer_,
        address game_,
        uint256 maxOutputs_,
        uint256 inclusionFee_,
        uint256 finalizationPeriod_
    ) {
        portal = portal_;
        oracle = oracle_;
        proposer = proposer_;
        game = game_;
        maxOutputs = maxOutputs_;
        inclusionFee = inclusionFee_;
        finalizationPeriod = finalizationPeriod_;
    }

    function deposit(uint256 amount, address to) external {
        amount = bound(amount, 1, 100 ether);
        if (to == address(0)) to = address(0xBEEF);
        address from = address(uint160(uint256(keccak256(abi.encode("depositor", amount)))));
        vm.deal(from, amount + inclusionFee);
        vm.prank(from);
        portal.deposit{value: amount + inclusionFee}(to);
        ghostDeposited += amount;
    }

    /// The game deletes the newest unfinalized output (as if its proposer lost).
    function disputeAndDelete() external {
        uint256 count = oracle.outputCount();
        if (count == 0 || count <= oracle.finalizedCount()) return;
        uint256 index = count - 1;
        uint256 generation = oracle.outputAt(index).generation;
        vm.startPrank(game);
        try oracle.openDispute(index, generation) {
            oracle.deleteOutputs(index, generation);
            oracle.closeDispute(index, generation);
        } catch {}
        vm.stopPrank();
    }

    function passTime(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 1, finalizationPeriod));
        try oracle.finalize(oracle.outputCount()) {} catch {}
        _afterTimePassed();
    }

    /// @dev What a handler checks once time passed (and outputs may have been finalized).
    function _afterTimePassed() internal virtual {}

    /// @dev Proposes `root` as the next output, unless `maxOutputs` are proposed.
    function _propose(bytes32 root) internal returns (bool proposed, uint256 index) {
        if (oracle.outputCount() >= maxOutputs) return (false, 0);
        uint256 next = oracle.outputCount();
        vm.prank(proposer);
        return (true, oracle.proposeOutput(next, root));
    }

    /// @dev Counts a withdrawal the portal paid.
    function _paid(bytes32 key, uint256 amount) internal {
        ghostPaid += amount;
        withdrawalsPaid += 1;
        if (++_paidCount[key] > 1) paidTwice += 1;
    }
}
