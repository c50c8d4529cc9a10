// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BatonTest} from "./utils/BatonTest.sol";

contract SmokeTest is BatonTest {
    function test_flow_bondScheduleAndPost() public {
        Op[] memory ops = new Op[](3);
        ops[0] = _bond("alice", 1 ether);
        ops[1] = _bond("bob", 2 ether);
        ops[2] = _bond("carol", 3 ether);
        _activateSchedule();
        Op memory leader = _scheduled(ops, 0);
        uint256 index = _post(leader, 0);
        assertEq(index, 0);
        assertEq(inbox.recordCount(), 1);
    }
}
