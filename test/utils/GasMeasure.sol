// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";

/// @notice Execution gas of one call, written to snapshots/Gas.json. Run with `--isolate`: every
///         state-changing call is then its own transaction (cold storage, as on chain) and its
///         figure is the whole transaction, so `_measure` subtracts the 21,000 base and the exact
///         calldata cost (4 gas per zero byte, 16 per other byte) to leave execution gas, the
///         unit the goals in docs/gas.md are stated in.
abstract contract GasMeasure is Test {
    string internal constant GROUP = "Gas";
    uint256 internal constant TX_BASE = 21_000;

    function _measure(string memory name, address from, uint256 value, address target, bytes memory cd)
        internal
    {
        vm.prank(from);
        (bool ok, bytes memory ret) = target.call{value: value}(cd);
        if (!ok) {
            assembly {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        uint256 total = vm.lastCallGas().gasTotalUsed;
        vm.snapshotValue(GROUP, name, total - TX_BASE - _calldataGas(cd));
    }

    function _calldataGas(bytes memory cd) internal pure returns (uint256 gas) {
        for (uint256 i; i < cd.length; ++i) {
            gas += cd[i] == 0 ? 4 : 16;
        }
    }
}
