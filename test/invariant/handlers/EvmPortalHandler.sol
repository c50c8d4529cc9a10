// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {PortalHandlerBase} from "./PortalHandlerBase.sol";
import {L1OutputOracle} from "../../../contracts/L1OutputOracle.sol";
import {Portal} from "../../../contracts/Portal.sol";
import {IPortal} from "../../../contracts/interfaces/IPortal.sol";
import {EvmGenesis} from "../../../contracts/libraries/EvmGenesis.sol";
import {WithdrawalVectors} from "../../utils/WithdrawalVectors.sol";

/// @notice The EVM chain's portal under random deposits, proposals of outputs whose last header
///         holds the vectors' state (two real withdrawals) or another state, deletions, passing
///         time and finalization, and claims of the vectors' withdrawals (as recorded, or with a
///         field changed) against the newest finalized output, with running totals.
contract EvmPortalHandler is PortalHandlerBase {
    string internal json;

    /// Claims paid that the state of their output does not hold (must stay 0).
    uint256 public paidWithoutState;

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
    ) PortalHandlerBase(portal_, oracle_, proposer_, game_, maxOutputs_, inclusionFee_, finalizationPeriod_) {
        json = WithdrawalVectors.read();
    }

    /// A deposit with a call, by an account or (`byContract`) by this handler, a contract: the
    /// portal escrows its amount like a plain deposit's.
    function depositCall(
        uint256 amount,
        address target,
        uint64 gasLimit,
        bytes calldata data,
        bool byContract
    ) external {
        amount = bound(amount, 0, 100 ether);
        if (target == address(0)) target = address(0xBEEF);
        gasLimit = uint64(bound(gasLimit, portal.MIN_DEPOSIT_GAS(), portal.MAX_DEPOSIT_GAS()));
        if (data.length > 1000) data = data[:1000];
        address from =
            byContract ? address(this) : address(uint160(uint256(keccak256(abi.encode("caller", amount)))));
        vm.deal(from, amount + inclusionFee);
        vm.prank(from, byContract ? address(0xCA11) : from);
        portal.depositCall{value: amount + inclusionFee}(target, gasLimit, data);
        ghostDeposited += amount;
    }

    /// Propose the next output: its last header holds the vectors' state, or (`other`) a state
    /// with no withdrawal of theirs.
    function propose(bool other, uint64 timestamp) external {
        bytes memory header = other
            ? EvmGenesis.header(
                keccak256(abi.encode("other state", timestamp)), 30_000_000, 1 gwei, timestamp
            )
            : WithdrawalVectors.header(json, timestamp);
        (bool proposed, uint256 index) = _propose(keccak256(header));
        if (!proposed) return;
        _headerOf[index] = header;
        _holdsVectors[index] = !other;
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
            _paid(key, w.amount);
            if (!honest) paidWithoutState += 1;
        } catch {}
    }
}
