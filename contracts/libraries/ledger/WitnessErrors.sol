// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice The witness does not match the root it is checked against: the header does not hash to
///         the pre-state root, or a Merkle proof does not lead to the current tree root.
error WitnessMismatch();

/// @notice The witness ends before a value or proof the step has to read.
error WitnessTooShort();
