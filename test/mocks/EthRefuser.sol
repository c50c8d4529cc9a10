// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice An account that refuses ETH (no `receive`, no `fallback`), so every payout to it
///         fails: the one helper the tests use wherever a payout must fail (an operator's
///         withdrawal or reward, a challenger's credit, an includer's fees, a withdrawal's L1
///         recipient). It makes whatever call it is told to, with the value sent along, so it can
///         act as any of those roles; a revert comes back unchanged.
contract EthRefuser {
    function exec(address target, bytes calldata data) external payable returns (bytes memory ret) {
        bool ok;
        (ok, ret) = target.call{value: msg.value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
    }
}
