// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BatonTest} from "./BatonTest.sol";
import {IBatchInbox} from "../../contracts/interfaces/IBatchInbox.sol";
import {ISlasher} from "../../contracts/interfaces/ISlasher.sol";
import {HeaderSigning} from "./HeaderSigning.sol";

/// @notice Helpers shared by the inbox, queue and slasher tests, on top of BatonTest: a bonded
///         set of three operators with an active schedule, enqueueing, posting a given header,
///         jailing an operator through real equivocation evidence, and signing for other domains.
abstract contract SequencingTest is BatonTest {
    address internal user = makeAddr("user");
    address internal reporter = makeAddr("reporter");

    /// @dev alice, bob and carol bonded with 1, 2 and 3 ETH; the schedule is active.
    function _threeOps() internal returns (Op[] memory ops) {
        ops = new Op[](3);
        ops[0] = _bond("alice", 1 ether);
        ops[1] = _bond("bob", 2 ether);
        ops[2] = _bond("carol", 3 ether);
        _activateSchedule();
    }

    function _fee() internal view returns (uint256) {
        return queue.inclusionFee();
    }

    function _enqueue(bytes memory transaction) internal virtual returns (uint256 index) {
        uint256 fee = _fee();
        vm.deal(user, user.balance + fee);
        vm.prank(user);
        index = queue.enqueue{value: fee}(transaction);
    }

    function _submit(Op memory op, uint256 rank, IBatchInbox.BatchHeader memory h, bytes memory data)
        internal
    {
        bytes memory sig = _signBatch(op.signerKey, h);
        vm.prank(op.operator);
        inbox.submitRecord(h, rank, sig, data);
    }

    function _epochStart() internal view returns (uint256) {
        return registry.epochStartBlock(registry.currentEpoch());
    }

    /// @dev Jail `op` by reporting two conflicting block headers it signed in the current epoch.
    function _jail(Op memory op, uint64 number) internal {
        uint64 epoch = uint64(registry.currentEpoch());
        ISlasher.BlockHeader memory a = _blockHeader(number, epoch, keccak256("a"));
        ISlasher.BlockHeader memory b = _blockHeader(number, epoch, keccak256("b"));
        bytes memory sigA = _signBlock(op.signerKey, a);
        bytes memory sigB = _signBlock(op.signerKey, b);
        vm.prank(reporter);
        slasher.slashBlockEquivocation(a, sigA, b, sigB);
    }

    /// @dev Sign `structHash` under an arbitrary EIP-712 domain (another L1 chain or contract).
    function _signForDomain(uint256 key, bytes32 structHash, uint256 chainId, address verifyingContract)
        internal
        pure
        returns (bytes memory)
    {
        bytes32 domain = keccak256(
            abi.encode(
                HeaderSigning.DOMAIN_TYPEHASH, keccak256("baton"), keccak256("1"), chainId, verifyingContract
            )
        );
        return HeaderSigning.sign(key, domain, structHash);
    }

    /// @dev Who `sig` recovers to over `structHash` in this chain's real domain.
    function _recover(bytes32 structHash, bytes memory sig) internal view returns (address) {
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", _domainSeparator(), structHash));
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly {
            r := mload(add(sig, 0x20))
            s := mload(add(sig, 0x40))
            v := byte(0, mload(add(sig, 0x60)))
        }
        return ecrecover(digest, v, r, s);
    }

    function _sOf(bytes memory sig) internal pure returns (bytes32 s) {
        assembly {
            s := mload(add(sig, 0x40))
        }
    }

    /// @dev Deterministic pseudo-random bytes.
    function _randomBytes(uint256 seed, uint256 len) internal pure returns (bytes memory out) {
        out = new bytes(len);
        for (uint256 i; i < len; i += 32) {
            bytes32 word = keccak256(abi.encode(seed, i));
            for (uint256 j; j < 32 && i + j < len; ++j) {
                out[i + j] = word[j];
            }
        }
    }
}
