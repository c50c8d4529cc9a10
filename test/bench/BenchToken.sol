// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice OpenZeppelin's ERC-20 as the EVM benchmark runs it
///         (keepers/crates/state/benches/evm_blocks.rs): the deployer holds the whole supply and
///         hands it out before the timed blocks.
contract BenchToken is ERC20 {
    constructor(uint256 supply) ERC20("Bench", "BNCH") {
        _mint(msg.sender, supply);
    }
}
