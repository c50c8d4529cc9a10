// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CommonBase} from "forge-std/Base.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {L1OutputOracle} from "../../../contracts/L1OutputOracle.sol";
import {Portal} from "../../../contracts/Portal.sol";
import {IPortal} from "../../../contracts/interfaces/IPortal.sol";
import {LedgerModel} from "../../utils/LedgerModel.sol";

/// @notice Random deposits, L2 withdrawals appearing in the state, output proposals, disputes
///         that delete outputs, passing time and finalization, and withdrawal claims (valid,
///         repeated, against stale outputs), with running totals of what went in and out.
contract PortalHandler is CommonBase, StdCheats, StdUtils {
    Portal internal immutable portal;
    L1OutputOracle internal immutable oracle;
    LedgerModel internal immutable model;
    address internal immutable proposer;
    address internal immutable game;
    uint256 internal immutable maxOutputs;
    uint256 internal immutable inclusionFee;
    uint256 internal immutable finalizationPeriod;

    uint256 public ghostDeposited;
    uint256 public ghostPaid;
    uint256 public paidTwice;
    uint256 public finalizedChanged;
    uint256 public withdrawalsPaid;

    struct Withdrawal {
        address l2Sender;
        uint64 nonce;
        address l1Recipient;
        uint256 amount;
    }

    Withdrawal[] internal _withdrawals;
    mapping(bytes32 key => uint256) internal _paidCount;
    bytes32[] internal _finalRoots;
    /// How many L2 withdrawals the state proposed as output `index` holds (withdrawals are only
    /// ever appended, so that count names the state).
    mapping(uint256 index => uint256) internal _withdrawalsAt;

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
        model = new LedgerModel();
        proposer = proposer_;
        game = game_;
        maxOutputs = maxOutputs_;
        inclusionFee = inclusionFee_;
        finalizationPeriod = finalizationPeriod_;
        model.setAccount(address(0xA11CE), 1 ether, 1);
    }

    /// The model of the L2 state after the first `n` withdrawals.
    function _stateWith(uint256 n) internal returns (LedgerModel m) {
        m = new LedgerModel();
        m.setAccount(address(0xA11CE), 1 ether, 1);
        for (uint256 i; i < n; ++i) {
            Withdrawal memory w = _withdrawals[i];
            m.setWithdrawal(m.withdrawalKey(w.l2Sender, w.nonce), m.withdrawalLeaf(w.l1Recipient, w.amount));
        }
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

    /// A withdrawal is made on L2: its leaf enters the model state.
    function withdrawOnL2(uint256 seed, uint256 amount) external {
        amount = bound(amount, 1, 20 ether);
        Withdrawal memory w = Withdrawal({
            l2Sender: address(uint160(bound(seed, 1, 5))),
            nonce: uint64(_withdrawals.length),
            l1Recipient: address(uint160(uint256(keccak256(abi.encode("recipient", seed))))),
            amount: amount
        });
        _withdrawals.push(w);
        model.setWithdrawal(
            model.withdrawalKey(w.l2Sender, w.nonce), model.withdrawalLeaf(w.l1Recipient, amount)
        );
    }

    function propose() external {
        if (oracle.outputCount() >= maxOutputs) return;
        bytes32 stateRoot = model.stateRoot();
        uint256 next = oracle.outputCount();
        vm.prank(proposer);
        uint256 index = oracle.proposeOutput(next, stateRoot);
        _withdrawalsAt[index] = _withdrawals.length;
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
        _recordFinalized();
    }

    /// Claim withdrawal `seed` (one the newest finalized output's state holds) against that
    /// output, with a proof built from that state. Claims beyond the portal's funds, and repeats,
    /// must be refused.
    function claim(uint256 seed) external {
        uint256 finalized = oracle.finalizedCount();
        if (finalized == 0) return;
        uint256 n = _withdrawalsAt[finalized - 1];
        if (n == 0) return;
        Withdrawal memory w = _withdrawals[bound(seed, 0, n - 1)];
        LedgerModel m = _stateWith(n);
        bytes32 key = m.withdrawalKey(w.l2Sender, w.nonce);
        bytes memory proof = m.withdrawalSiblings(key);
        IPortal.WithdrawalProof memory p = IPortal.WithdrawalProof({
            outputIndex: finalized - 1,
            stateRoot: m.stateRoot(),
            accountsRoot: m.accountsRoot(),
            withdrawalsRoot: m.withdrawalsRoot(),
            l2Sender: w.l2Sender,
            nonce: w.nonce,
            l1Recipient: w.l1Recipient,
            amount: w.amount,
            proof: proof
        });
        try portal.finalizeWithdrawal(p) {
            ghostPaid += w.amount;
            withdrawalsPaid += 1;
            if (++_paidCount[key] > 1) paidTwice += 1;
        } catch {}
    }

    function _recordFinalized() internal {
        uint256 finalized = oracle.finalizedCount();
        for (uint256 i; i < _finalRoots.length; ++i) {
            if (oracle.outputAt(i).outputRoot != _finalRoots[i]) finalizedChanged += 1;
        }
        for (uint256 i = _finalRoots.length; i < finalized; ++i) {
            _finalRoots.push(oracle.outputAt(i).outputRoot);
        }
    }

    function checkFinalizedUnchanged() external {
        _recordFinalized();
    }
}
