// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice What the registry knows of a signer (`SequencerRegistry._signerRecords`): one storage
///         word per signer, zero while no operator has bound it.
/// @dev Bit layout, from the least significant bit:
///      - bits   0..159  operator: the operator the signer is bound to (never zero once bound);
///      - bits 160..255  index: the operator's position in the active set while it is seated.
type SignerRecord is uint256;

using SignerRecordLibrary for SignerRecord global;

/// @title SignerRecordLibrary
/// @notice Named fields of a SignerRecord. Each setter returns the new word and leaves the other
///         field as it was.
library SignerRecordLibrary {
    uint256 internal constant MASK_160_BITS = 0x00FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF;
    uint256 internal constant INDEX_OFFSET = 160;

    /// @notice Whether the word is zero: no operator has bound the signer.
    function isEmpty(SignerRecord record) internal pure returns (bool) {
        return SignerRecord.unwrap(record) == 0;
    }

    function operator(SignerRecord record) internal pure returns (address) {
        return address(uint160(SignerRecord.unwrap(record)));
    }

    function index(SignerRecord record) internal pure returns (uint96) {
        return uint96(SignerRecord.unwrap(record) >> INDEX_OFFSET);
    }

    function setOperator(SignerRecord record, address operator_) internal pure returns (SignerRecord) {
        return SignerRecord.wrap((SignerRecord.unwrap(record) & ~MASK_160_BITS) | uint160(operator_));
    }

    function setIndex(SignerRecord record, uint96 index_) internal pure returns (SignerRecord) {
        return
            SignerRecord.wrap(
                (SignerRecord.unwrap(record) & MASK_160_BITS) | (uint256(index_) << INDEX_OFFSET)
            );
    }
}
