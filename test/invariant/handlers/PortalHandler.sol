// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {PortalHandlerBase} from "./PortalHandlerBase.sol";
import {L1OutputOracle} from "../../../contracts/L1OutputOracle.sol";
import {Portal} from "../../../contracts/Portal.sol";
import {IPortal} from "../../../contracts/interfaces/IPortal.sol";
import {LedgerModel} from "../../utils/LedgerModel.sol";

/// @notice Random deposits, L2 withdrawals appearing in the state, output proposals, disputes
///         that delete outputs, passing time and finalization, and withdrawal claims (valid,
///         repeated, against stale outputs), with running totals of what went in and out.
contract PortalHandler is PortalHandlerBase {
    LedgerModel internal immutable model;

    uint256 public finalizedChanged;

    struct Withdrawal {
        address l2Sender;
        uint64 nonce;
        address l1Recipient;
        uint256 amount;
    }

    Withdrawal[] internal _withdrawals;
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
    ) PortalHandlerBase(portal_, oracle_, proposer_, game_, maxOutputs_, inclusionFee_, finalizationPeriod_) {
        model = new LedgerModel();
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
        (bool proposed, uint256 index) = _propose(model.stateRoot());
        if (proposed) _withdrawalsAt[index] = _withdrawals.length;
    }

    function _afterTimePassed() internal override {
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
            _paid(key, w.amount);
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
