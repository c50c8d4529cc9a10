// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CommonBase} from "forge-std/Base.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {L1OutputOracle} from "../../../contracts/L1OutputOracle.sol";
import {Portal} from "../../../contracts/Portal.sol";
import {IPortal} from "../../../contracts/interfaces/IPortal.sol";
import {EvmGenesis} from "../../../contracts/libraries/EvmGenesis.sol";
import {WithdrawalVectors} from "../../utils/WithdrawalVectors.sol";

/// @notice The EVM chain's portal under random deposits, proposals of outputs whose last header
///         holds the vectors' state (two real withdrawals) or another state, deletions, passing
///         time and finalization, and claims of the vectors' withdrawals (as recorded, or with a
///         field changed) against the newest finalized output, with running totals.
contract EvmPortalHandler is CommonBase, StdCheats, StdUtils {
    Portal internal immutable portal;
    L1OutputOracle internal immutable oracle;
    address internal immutable proposer;
    address internal immutable game;
    uint256 internal immutable maxOutputs;
    uint256 internal immutable inclusionFee;
    uint256 internal immutable finalizationPeriod;
    string internal json;

    uint256 public ghostDeposited;
    uint256 public ghostPaid;
    uint256 public paidTwice;
    /// Claims paid that the state of their output does not hold (must stay 0).
    uint256 public paidWithoutState;
    uint256 public withdrawalsPaid;

    mapping(bytes32 key => uint256) internal _paidCount;
    /// The header each output was proposed with, by index (deleted outputs are overwritten),
    /// and whether it holds the vectors' state.
    mapping(uint256 index => bytes) internal _headerOf;
    mapping(uint256 index => bool) internal _holdsVectors;

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
        json = WithdrawalVectors.read();
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

    /// Propose the next output: its last header holds the vectors' state, or (`other`) a state
    /// with no withdrawal of theirs.
    function propose(bool other, uint64 timestamp) external {
        if (oracle.outputCount() >= maxOutputs) return;
        bytes memory header = other
            ? EvmGenesis.header(
                keccak256(abi.encode("other state", timestamp)), 30_000_000, 1 gwei, timestamp
            )
            : WithdrawalVectors.header(json, timestamp);
        uint256 next = oracle.outputCount();
        vm.prank(proposer);
        uint256 index = oracle.proposeOutput(next, keccak256(header));
        _headerOf[index] = header;
        _holdsVectors[index] = !other;
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
    }

    /// Claim vector withdrawal `seed % 2` against the newest finalized output through its header
    /// (or, with `useOther`, another output's), with `tamper` changing one field or none.
    function claim(uint256 seed, uint8 tamper, bool useOther, uint256 otherIndex) external {
        uint256 finalized = oracle.finalizedCount();
        if (finalized == 0) return;
        uint256 index = finalized - 1;
        bytes memory header = _headerOf[useOther ? bound(otherIndex, 0, oracle.outputCount() - 1) : index];
        IPortal.EvmWithdrawalProof memory w = WithdrawalVectors.proof(json, seed % 2, index, header);
        tamper %= 6;
        if (tamper == 1) w.amount += 1;
        if (tamper == 2) w.l1Recipient = address(uint160(w.l1Recipient) ^ 1);
        if (tamper == 3) w.nonce += 2;
        // Paid rightly only as recorded, through the header the output commits to, whose state
        // holds the vectors' withdrawals.
        bool honest = (tamper == 0 || tamper > 3) && _holdsVectors[index]
            && keccak256(header) == keccak256(_headerOf[index]);
        bytes32 key = keccak256(abi.encode(w.nonce, w.l2Sender, w.l1Recipient, w.amount));
        try portal.finalizeEvmWithdrawal(w) {
            ghostPaid += w.amount;
            withdrawalsPaid += 1;
            if (++_paidCount[key] > 1) paidTwice += 1;
            if (!honest) paidWithoutState += 1;
        } catch {}
    }
}
