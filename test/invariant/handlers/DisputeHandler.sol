// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CommonBase} from "forge-std/Base.sol";
import {StdUtils} from "forge-std/StdUtils.sol";

/// @notice What the dispute invariant suite lets the fuzzer do. The history, the model and the
///         players live in the suite (DisputeInvariants), which owns the cheatcode-driven test
///         machinery; this handler only bounds the fuzzer's arguments and forwards them.
interface IDisputeActions {
    function actBuild(uint256 count, uint256 seed) external;
    function actPropose(bool lie, uint256 firstWrong) external;
    function actChallenge(uint256 which, uint256 actor, bool againstTheTruth) external;
    function actMove(uint256 which) external;
    function actWarp(uint256 seconds_) external;
    function actResolve(uint256 which) external;
    function actFinalize() external;
    function actClaim(uint256 actor) external;
}

contract DisputeHandler is CommonBase, StdUtils {
    IDisputeActions internal immutable suite;

    constructor(IDisputeActions suite_) {
        suite = suite_;
    }

    function build(uint256 count, uint256 seed) external {
        suite.actBuild(bound(count, 0, 4), seed);
    }

    function propose(bool lie, uint256 firstWrong) external {
        suite.actPropose(lie, firstWrong);
    }

    function challenge(uint256 which, uint256 actor, bool againstTheTruth) external {
        suite.actChallenge(which, actor, againstTheTruth);
    }

    function move(uint256 which) external {
        suite.actMove(which);
    }

    function warp(uint256 seconds_) external {
        suite.actWarp(bound(seconds_, 1, 40));
    }

    function resolve(uint256 which) external {
        suite.actResolve(which);
    }

    function finalize() external {
        suite.actFinalize();
    }

    function claim(uint256 actor) external {
        suite.actClaim(actor);
    }
}
