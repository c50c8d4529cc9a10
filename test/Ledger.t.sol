// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {Ledger} from "../contracts/libraries/ledger/Ledger.sol";
import {WitnessMismatch, WitnessTooShort} from "../contracts/libraries/ledger/WitnessErrors.sol";
import {Brutalizer} from "./utils/Brutalizer.sol";
import {Eip1559Builder as B} from "./utils/Eip1559Builder.sol";
import {LedgerHarness} from "./utils/LedgerHarness.sol";
import {LedgerModel} from "./utils/LedgerModel.sol";

/// @dev LedgerHarness's two functions with memory past the free pointer and the scratch space
///      dirtied first (the state root is hashed in place, the signing digest past the free
///      pointer, tree nodes in the scratch space).
contract BrutalizedLedgerHarness is Brutalizer {
    function step(
        bytes32 preRoot,
        Ledger.BlockContext calldata ctx,
        bytes calldata txBytes,
        bytes calldata witness
    ) external pure returns (bytes32 postRoot, uint8 outcome) {
        _brutalizeMemory();
        return Ledger.step(preRoot, ctx, txBytes, witness);
    }

    function deposit(bytes32 preRoot, address recipient, uint256 amount, bytes calldata witness)
        external
        pure
        returns (bytes32 postRoot, uint8 outcome)
    {
        _brutalizeMemory();
        return Ledger.deposit(preRoot, recipient, amount, witness);
    }
}

/// @notice Ledger.step and Ledger.deposit (docs/ledger.md) through the harness the Rust fuzz
///         test deploys: every outcome code, the order the checks run in, the three-step update
///         against the reference model's roots, and the witness rules (a wrong witness reverts,
///         codes 1–12 read none).
abstract contract LedgerTest is Test {
    LedgerHarness internal harness;
    LedgerModel internal model;

    uint64 internal constant CHAIN_ID = 901;
    uint128 internal constant BASE_FEE = 1 gwei;
    uint256 internal constant MAX_FEE = 3 gwei;
    uint256 internal constant TIP = 1 gwei;
    /// @dev min(MAX_FEE, BASE_FEE + TIP) = 2 gwei per gas, 21,000 gas.
    uint256 internal constant FEE = 21_000 * 2 gwei;
    uint256 internal constant N = B.N;
    address internal constant WITHDRAWAL = Ledger.WITHDRAWAL_ADDRESS;

    address internal alice;
    uint256 internal aliceKey;
    address internal bob;
    uint256 internal bobKey;
    address internal leader = makeAddr("leader");

    function setUp() public {
        harness = new LedgerHarness();
        model = new LedgerModel();
        (alice, aliceKey) = makeAddrAndKey("alice");
        (bob, bobKey) = makeAddrAndKey("bob");
        model.setAccount(alice, 10 ether, 3);
        model.setAccount(bob, 1 ether, 0);
        model.setAccount(makeAddr("carol"), 5 ether, 9);
        model.setWithdrawal(keccak256("an old withdrawal"), keccak256("its leaf"));
    }

    // ---------------------------------------------------------------- helpers

    function _ctx() internal view returns (Ledger.BlockContext memory) {
        return Ledger.BlockContext({chainId: CHAIN_ID, baseFee: BASE_FEE, feeRecipient: leader});
    }

    /// @dev A transfer from `from` at its current nonce, with the default fees.
    function _tx(address from, address to, uint256 value) internal view returns (B.UnsignedTx memory) {
        return B.transfer(CHAIN_ID, model.nonceOf(from), to, value, MAX_FEE, TIP);
    }

    function _step(bytes memory raw, bytes memory witness) internal view returns (bytes32 post, uint8 code) {
        return harness.step(model.stateRoot(), _ctx(), raw, witness);
    }

    /// @dev `raw` is invalid with `code`: the root does not move. Codes 1–12 get no witness.
    function _assertInvalid(bytes memory raw, bytes memory witness, uint8 code) internal view {
        bytes32 pre = model.stateRoot();
        (bytes32 post, uint8 got) = harness.step(pre, _ctx(), raw, witness);
        assertEq(got, code, "outcome");
        assertEq(post, pre, "invalid transactions leave the root");
    }

    /// @dev Runs `raw` with `witness` from `pre` and expects it applied, landing on the model's root.
    function _assertApplied(bytes32 pre, bytes memory raw, bytes memory witness) internal view {
        (bytes32 post, uint8 code) = harness.step(pre, _ctx(), raw, witness);
        assertEq(code, 0, "applied");
        assertEq(post, model.stateRoot(), "post-state root");
        assertTrue(post != pre, "root moved");
    }

    /// @dev Witness of the reads up to and including the sender (for codes 13 and 14).
    function _senderWitness(address sender) internal view returns (bytes memory) {
        return bytes.concat(model.header(), model.accountProof(sender));
    }

    struct Round {
        uint256 key;
        address from;
        address to;
        address l1Recipient;
        uint256 value;
        address feeRecipient;
    }

    function _pickRound(uint256 r, uint256[] memory keys, address[] memory addrs)
        internal
        view
        returns (Round memory x)
    {
        uint256 from = r % 4;
        (x.key, x.from) = (keys[from], addrs[from]);
        uint256 toPick = (r >> 8) % 6; // 4: a new account, 5: a withdrawal
        x.to = toPick < 4 ? addrs[toPick] : toPick == 4 ? address(uint160(r >> 16)) : WITHDRAWAL;
        x.l1Recipient = (r >> 60) % 2 == 0 ? x.from : address(uint160(r >> 60));
        uint256 feePick = (r >> 200) % 3;
        x.feeRecipient = feePick == 0 ? x.from : feePick == 1 && x.to != WITHDRAWAL ? x.to : leader;
        x.value = (r >> 100) % (model.balanceOf(x.from) - FEE + 1);
    }

    function _runRound(bytes32 root, Round memory x) internal returns (bytes32) {
        B.UnsignedTx memory t = _tx(x.from, x.to, x.value);
        bytes memory w;
        if (x.to == WITHDRAWAL) {
            if (x.l1Recipient != x.from) t.data = abi.encodePacked(x.l1Recipient);
            w = model.withdraw(x.from, x.l1Recipient, x.value, FEE, x.feeRecipient);
        } else {
            w = model.transfer(x.from, x.to, x.value, FEE, x.feeRecipient);
        }
        Ledger.BlockContext memory ctx =
            Ledger.BlockContext({chainId: CHAIN_ID, baseFee: BASE_FEE, feeRecipient: x.feeRecipient});
        (bytes32 post, uint8 code) = harness.step(root, ctx, B.sign(t, x.key), w);
        assertEq(code, 0, "applied");
        root = model.stateRoot();
        assertEq(post, root, "post-state root");
        // Topping up keeps every account able to pay the next fee.
        if (model.balanceOf(x.from) < FEE) {
            w = model.deposit(x.from, FEE);
            (post, code) = harness.deposit(root, x.from, FEE, w);
            assertEq(code, 0);
            root = model.stateRoot();
            assertEq(post, root, "deposit root");
        }
        return root;
    }

    function _slice(bytes memory b, uint256 from, uint256 to) internal pure returns (bytes memory out) {
        out = new bytes(to - from);
        for (uint256 i = from; i < to; ++i) {
            out[i - from] = b[i];
        }
    }
}

/// @notice Ledger.step: applied transfers and withdrawals, every outcome code and the order of
///         the checks, wrong witnesses, random transactions against the reference model.
contract Ledger_Step_Test is LedgerTest {
    // ---------------------------------------------------------------- applied

    function test_step_transfer() public {
        bytes memory raw = B.sign(_tx(alice, bob, 1 ether), aliceKey);
        bytes32 pre = model.stateRoot();
        bytes memory w = model.transfer(alice, bob, 1 ether, FEE, leader);
        _assertApplied(pre, raw, w);
        assertEq(model.balanceOf(alice), 9 ether - FEE);
        assertEq(model.nonceOf(alice), 4);
        assertEq(model.balanceOf(bob), 2 ether);
        assertEq(model.balanceOf(leader), FEE);
    }

    function test_step_transferToNewAccountAndZeroValue() public {
        address fresh = makeAddr("fresh");
        bytes memory raw = B.sign(_tx(alice, fresh, 0), aliceKey);
        bytes32 pre = model.stateRoot();
        bytes memory w = model.transfer(alice, fresh, 0, FEE, leader);
        _assertApplied(pre, raw, w);
        // Chained: the next transaction runs on the post-state.
        raw = B.sign(_tx(alice, fresh, 5), aliceKey);
        pre = model.stateRoot();
        w = model.transfer(alice, fresh, 5, FEE, leader);
        _assertApplied(pre, raw, w);
    }

    /// @dev Whole balance spent: balance == value + fee is enough.
    function test_step_spendsExactBalance() public {
        bytes memory raw = B.sign(_tx(bob, alice, 1 ether - FEE), bobKey);
        bytes32 pre = model.stateRoot();
        bytes memory w = model.transfer(bob, alice, 1 ether - FEE, FEE, leader);
        _assertApplied(pre, raw, w);
        assertEq(model.balanceOf(bob), 0);
    }

    function test_step_effectiveGasPrice() public {
        // maxFee binds: min(1.5 gwei, 1 + 1 gwei).
        B.UnsignedTx memory t = B.transfer(CHAIN_ID, 3, bob, 1, 1.5 gwei, 1 gwei);
        bytes32 pre = model.stateRoot();
        _assertApplied(pre, B.sign(t, aliceKey), model.transfer(alice, bob, 1, 21_000 * 1.5 gwei, leader));
        // The tip binds: min(10 gwei, 1 + 0.25 gwei).
        t = B.transfer(CHAIN_ID, 4, bob, 1, 10 gwei, 0.25 gwei);
        pre = model.stateRoot();
        _assertApplied(pre, B.sign(t, aliceKey), model.transfer(alice, bob, 1, 21_000 * 1.25 gwei, leader));
        // The gas limit has a floor only: a high one is not charged.
        t = B.transfer(CHAIN_ID, 5, bob, 1, MAX_FEE, TIP);
        t.gasLimit = 10_000_000;
        pre = model.stateRoot();
        _assertApplied(pre, B.sign(t, aliceKey), model.transfer(alice, bob, 1, FEE, leader));
    }

    /// @dev A zero fee still reads (and rewrites) the fee recipient: its proof is required.
    function test_step_zeroFeeStillReadsFeeRecipient() public {
        B.UnsignedTx memory t = B.transfer(CHAIN_ID, 3, bob, 1 ether, 0, 0);
        bytes memory raw = B.sign(t, aliceKey);
        Ledger.BlockContext memory ctx =
            Ledger.BlockContext({chainId: CHAIN_ID, baseFee: 0, feeRecipient: leader});
        bytes32 pre = model.stateRoot();
        bytes memory w = model.transfer(alice, bob, 1 ether, 0, leader);
        (bytes32 post, uint8 code) = harness.step(pre, ctx, raw, w);
        assertEq(code, 0);
        assertEq(post, model.stateRoot());
        // Without the end of the fee recipient's proof it is short.
        bytes memory cut = _slice(w, 0, w.length - 1);
        vm.expectRevert(WitnessTooShort.selector);
        harness.step(pre, ctx, raw, cut);
    }

    function test_step_selfTransfer() public {
        bytes32 pre = model.stateRoot();
        bytes memory raw = B.sign(_tx(alice, alice, 2 ether), aliceKey);
        bytes memory w = model.transfer(alice, alice, 2 ether, FEE, leader);
        _assertApplied(pre, raw, w);
        assertEq(model.balanceOf(alice), 10 ether - FEE);
    }

    function test_step_senderIsFeeRecipient() public {
        bytes32 pre = model.stateRoot();
        bytes memory raw = B.sign(_tx(alice, bob, 1 ether), aliceKey);
        bytes memory w = model.transfer(alice, bob, 1 ether, FEE, alice);
        (bytes32 post, uint8 code) = harness.step(
            pre, Ledger.BlockContext({chainId: CHAIN_ID, baseFee: BASE_FEE, feeRecipient: alice}), raw, w
        );
        assertEq(code, 0);
        assertEq(post, model.stateRoot());
        assertEq(model.balanceOf(alice), 9 ether);
    }

    function test_step_recipientIsFeeRecipient() public {
        bytes32 pre = model.stateRoot();
        bytes memory raw = B.sign(_tx(alice, leader, 1 ether), aliceKey);
        bytes memory w = model.transfer(alice, leader, 1 ether, FEE, leader);
        _assertApplied(pre, raw, w);
        assertEq(model.balanceOf(leader), 1 ether + FEE);
    }

    function test_step_withdrawalToSelf() public {
        B.UnsignedTx memory t = _tx(alice, WITHDRAWAL, 2 ether);
        bytes32 pre = model.stateRoot();
        bytes memory w = model.withdraw(alice, alice, 2 ether, FEE, leader);
        _assertApplied(pre, B.sign(t, aliceKey), w);
        assertEq(
            model.withdrawals(keccak256(abi.encode(alice, uint256(3)))), keccak256(abi.encode(alice, 2 ether))
        );
        assertEq(model.balanceOf(WITHDRAWAL), 0, "nothing credited on L2");
    }

    function test_step_withdrawalToL1Recipient() public {
        address l1 = makeAddr("l1 recipient");
        B.UnsignedTx memory t = _tx(alice, WITHDRAWAL, 2 ether);
        t.data = abi.encodePacked(l1);
        bytes32 pre = model.stateRoot();
        bytes memory w = model.withdraw(alice, l1, 2 ether, FEE, leader);
        _assertApplied(pre, B.sign(t, aliceKey), w);
        assertEq(
            model.withdrawals(keccak256(abi.encode(alice, uint256(3)))), keccak256(abi.encode(l1, 2 ether))
        );
    }

    function test_step_bytesAfterTheLastProofAreIgnored() public {
        bytes memory raw = B.sign(_tx(alice, bob, 1), aliceKey);
        bytes32 pre = model.stateRoot();
        bytes memory w = model.transfer(alice, bob, 1, FEE, leader);
        _assertApplied(pre, raw, bytes.concat(w, hex"00112233", new bytes(64)));
    }

    // ---------------------------------------------------------------- codes 1–12: no witness read

    function test_outcome01_malformed() public view {
        _assertInvalid(hex"", "", 1);
        _assertInvalid(hex"02c0", "", 1);
        bytes memory raw = B.sign(_tx(alice, bob, 1), aliceKey);
        _assertInvalid(bytes.concat(raw, hex"00"), "", 1);
        raw[0] = 0x01;
        _assertInvalid(raw, "", 1);
        // A legacy-shaped transaction (no type byte).
        _assertInvalid(_slice(B.sign(_tx(alice, bob, 1), aliceKey), 1, raw.length), "", 1);
    }

    function test_outcome02_wrongChainId() public view {
        B.UnsignedTx memory t = _tx(alice, bob, 1);
        t.chainId = 1;
        _assertInvalid(B.sign(t, aliceKey), "", 2);
    }

    function test_outcome03_contractCreation() public view {
        B.UnsignedTx memory t = _tx(alice, address(0), 1);
        t.isCreation = true;
        _assertInvalid(B.sign(t, aliceKey), "", 3);
    }

    function test_outcome04_gasLimitTooLow() public view {
        B.UnsignedTx memory t = _tx(alice, bob, 1);
        t.gasLimit = 20_999;
        _assertInvalid(B.sign(t, aliceKey), "", 4);
        t.gasLimit = 0;
        _assertInvalid(B.sign(t, aliceKey), "", 4);
    }

    function test_outcome05_priorityFeeAboveMaxFee() public view {
        B.UnsignedTx memory t = _tx(alice, bob, 1);
        t.maxPriorityFeePerGas = t.maxFeePerGas + 1;
        _assertInvalid(B.sign(t, aliceKey), "", 5);
    }

    function test_outcome06_maxFeeBelowBaseFee() public view {
        B.UnsignedTx memory t = B.transfer(CHAIN_ID, 3, bob, 1, BASE_FEE - 1, 0);
        _assertInvalid(B.sign(t, aliceKey), "", 6);
    }

    function test_outcome07_accessListNotAllowed() public view {
        B.UnsignedTx memory t = _tx(alice, bob, 1);
        t.accessList = new B.AccessItem[](1); // one item, no keys
        _assertInvalid(B.sign(t, aliceKey), "", 7);
        t.accessList[0].keys = new bytes32[](1);
        _assertInvalid(B.sign(t, aliceKey), "", 7);
    }

    function test_outcome08_calldataNotAllowed() public view {
        B.UnsignedTx memory t = _tx(alice, bob, 1);
        t.data = hex"00";
        _assertInvalid(B.sign(t, aliceKey), "", 8);
        t.data = abi.encodePacked(bob); // 20 bytes are only a withdrawal recipient
        _assertInvalid(B.sign(t, aliceKey), "", 8);
    }

    function test_outcome09_badWithdrawalData() public view {
        B.UnsignedTx memory t = _tx(alice, WITHDRAWAL, 1);
        uint256[4] memory lengths = [uint256(1), 19, 21, 32];
        for (uint256 i; i < lengths.length; ++i) {
            t.data = new bytes(lengths[i]);
            _assertInvalid(B.sign(t, aliceKey), "", 9);
        }
    }

    function test_outcome10_badSignature() public view {
        B.UnsignedTx memory t = _tx(alice, bob, 1);
        (uint256 y, uint256 r, uint256 s) = B.signature(t, aliceKey);
        _assertInvalid(B.withSignature(t, y, 0, s), "", 10);
        _assertInvalid(B.withSignature(t, y, r, 0), "", 10);
        _assertInvalid(B.withSignature(t, y, N, s), "", 10);
        _assertInvalid(B.withSignature(t, y, r, N), "", 10);
        _assertInvalid(B.withSignature(t, y, type(uint256).max, s), "", 10);
        // s = n is out of range (10) before it is high (11).
        _assertInvalid(B.withSignature(t, y, r, type(uint256).max), "", 10);
        // r = n - 1 is in range: the checks move on to recovery, which fails (12) or finds some
        // key with nothing in the state (13: its nonce is 0, the transaction's 3).
        address who = ecrecover(B.digest(t), uint8(27 + y), bytes32(N - 1), bytes32(s));
        _assertInvalid(
            B.withSignature(t, y, N - 1, s),
            who == address(0) ? bytes("") : _senderWitness(who),
            who == address(0) ? 12 : 13
        );
    }

    /// @dev EIP-2: the high-s twin (n - s, other parity) recovers the same key but is refused;
    ///      the low-s signature goes through.
    function test_outcome11_malleableSignature() public {
        B.UnsignedTx memory t = _tx(alice, bob, 1 ether);
        (uint256 y, uint256 r, uint256 s) = B.signature(t, aliceKey);
        assertLe(s, N / 2, "signers make low s");
        bytes memory twin = B.withSignature(t, 1 - y, r, N - s);
        assertEq(ecrecover(B.digest(t), uint8(28 - y), bytes32(r), bytes32(N - s)), alice, "same signer");
        _assertInvalid(twin, "", 11);
        _assertInvalid(B.withSignature(t, y, r, N / 2 + 1), "", 11);

        bytes32 pre = model.stateRoot();
        bytes memory w = model.transfer(alice, bob, 1 ether, FEE, leader);
        _assertApplied(pre, B.withSignature(t, y, r, s), w);
    }

    function test_outcome12_unrecoverable() public view {
        B.UnsignedTx memory t = _tx(alice, bob, 1);
        bytes32 digest = B.digest(t);
        // About half of all x are not on the curve: find a small r that is not.
        uint256 r = 1;
        while (ecrecover(digest, 27, bytes32(r), bytes32(uint256(1))) != address(0)) {
            ++r;
        }
        _assertInvalid(B.withSignature(t, 0, r, 1), "", 12);
        _assertInvalid(B.withSignature(t, 1, r, 1), "", 12);
    }

    /// @dev Codes 1–12 never touch the witness: garbage there changes nothing.
    function test_stateless_outcomesIgnoreTheWitness() public view {
        B.UnsignedTx memory t = _tx(alice, bob, 1);
        t.chainId = 5;
        _assertInvalid(B.sign(t, aliceKey), hex"deadbeef", 2);
        _assertInvalid(hex"02", new bytes(500), 1);
    }

    /// @dev The checks run in table order: a transaction breaking rules 2 to 11 at once gives 2;
    ///      fixing one rule at a time walks through every code in turn.
    function test_stateless_checkOrder() public {
        B.UnsignedTx memory t = _tx(alice, address(0), 1);
        t.chainId = 1; // 2
        t.isCreation = true; // 3
        t.gasLimit = 1; // 4
        t.maxFeePerGas = 0.5 gwei; // 6 (below the base fee)
        t.maxPriorityFeePerGas = 0.6 gwei; // 5 (above the max fee)
        t.accessList = new B.AccessItem[](1); // 7
        t.data = hex"01"; // 8 (to a non-withdrawal address)
        uint256 r = 0; // 10
        uint256 s = N - 1; // 11 once r is fixed

        _assertInvalid(B.withSignature(t, 0, r, s), "", 2);
        t.chainId = CHAIN_ID;
        _assertInvalid(B.withSignature(t, 0, r, s), "", 3);
        t.isCreation = false;
        t.to = bob;
        _assertInvalid(B.withSignature(t, 0, r, s), "", 4);
        t.gasLimit = 21_000;
        _assertInvalid(B.withSignature(t, 0, r, s), "", 5);
        t.maxPriorityFeePerGas = 0.1 gwei;
        _assertInvalid(B.withSignature(t, 0, r, s), "", 6);
        t.maxFeePerGas = MAX_FEE;
        _assertInvalid(B.withSignature(t, 0, r, s), "", 7);
        delete t.accessList;
        _assertInvalid(B.withSignature(t, 0, r, s), "", 8);
        t.to = WITHDRAWAL;
        _assertInvalid(B.withSignature(t, 0, r, s), "", 9);
        t.data = abi.encodePacked(bob);
        _assertInvalid(B.withSignature(t, 0, r, s), "", 10);
        r = 1;
        _assertInvalid(B.withSignature(t, 0, r, s), "", 11);
        // Signed for real, it goes through (a withdrawal to bob on L1, fee min(3, 1 + 0.1) gwei).
        (uint256 y, uint256 r2, uint256 s2) = B.signature(t, aliceKey);
        bytes32 pre = model.stateRoot();
        bytes memory w = model.withdraw(alice, bob, 1, 21_000 * 1.1 gwei, leader);
        _assertApplied(pre, B.withSignature(t, y, r2, s2), w);
    }

    // ---------------------------------------------------------------- codes 13–16: state

    function test_outcome13_wrongNonce() public view {
        B.UnsignedTx memory t = _tx(alice, bob, 1);
        t.nonce = 4; // alice's nonce is 3
        _assertInvalid(B.sign(t, aliceKey), _senderWitness(alice), 13);
        t.nonce = 2;
        _assertInvalid(B.sign(t, aliceKey), _senderWitness(alice), 13);
        // Wrong nonce is checked before the balance.
        t = _tx(alice, bob, 100 ether);
        t.nonce = 0;
        _assertInvalid(B.sign(t, aliceKey), _senderWitness(alice), 13);
    }

    function test_outcome13_exhaustedNonce() public {
        model.setAccount(alice, 10 ether, type(uint64).max);
        B.UnsignedTx memory t = _tx(alice, bob, 1);
        assertEq(t.nonce, type(uint64).max);
        _assertInvalid(B.sign(t, aliceKey), _senderWitness(alice), 13);
        // One below still works.
        model.setAccount(alice, 10 ether, type(uint64).max - 1);
        bytes32 pre = model.stateRoot();
        bytes memory raw = B.sign(_tx(alice, bob, 1), aliceKey);
        _assertApplied(pre, raw, model.transfer(alice, bob, 1, FEE, leader));
        assertEq(model.nonceOf(alice), type(uint64).max);
    }

    function test_outcome13_unknownSender() public view {
        uint256 key = uint256(keccak256("stranger"));
        address stranger = vm.addr(key);
        B.UnsignedTx memory t = B.transfer(CHAIN_ID, 1, bob, 0, MAX_FEE, TIP);
        _assertInvalid(B.sign(t, key), _senderWitness(stranger), 13);
        // Nonce 0 from an empty account: it cannot pay the fee.
        t.nonce = 0;
        _assertInvalid(B.sign(t, key), _senderWitness(stranger), 14);
    }

    function test_outcome14_insufficientBalance() public view {
        bytes memory raw = B.sign(_tx(bob, alice, 1 ether - FEE + 1), bobKey);
        _assertInvalid(raw, _senderWitness(bob), 14);
        raw = B.sign(_tx(alice, bob, 11 ether), aliceKey);
        _assertInvalid(raw, _senderWitness(alice), 14);
    }

    /// @dev value + fee past 2^256 counts as more than any balance.
    function test_outcome14_costOverflows() public {
        model.setAccount(alice, type(uint256).max, 3);
        bytes memory raw = B.sign(_tx(alice, bob, type(uint256).max - FEE + 1), aliceKey);
        _assertInvalid(raw, _senderWitness(alice), 14);
        raw = B.sign(_tx(alice, bob, type(uint256).max), aliceKey);
        _assertInvalid(raw, _senderWitness(alice), 14);
    }

    function test_outcome15_recipientOverflow() public {
        model.setAccount(bob, type(uint256).max, 0);
        bytes memory raw = B.sign(_tx(alice, bob, 1), aliceKey);
        bytes32 pre = model.stateRoot();
        bytes memory w = _senderWitness(alice);
        model.setAccount(alice, 10 ether - 1 - FEE, 4);
        w = bytes.concat(w, model.accountProof(bob));
        (bytes32 post, uint8 code) = harness.step(pre, _ctx(), raw, w);
        assertEq(code, 15);
        assertEq(post, pre);
    }

    function test_outcome15_feeRecipientOverflow() public {
        model.setAccount(leader, type(uint256).max - FEE + 1, 0);
        bytes memory raw = B.sign(_tx(alice, bob, 1), aliceKey);
        bytes32 pre = model.stateRoot();
        bytes memory w = _senderWitness(alice);
        model.setAccount(alice, 10 ether - 1 - FEE, 4);
        w = bytes.concat(w, model.accountProof(bob));
        model.setAccount(bob, 1 ether + 1, 0);
        w = bytes.concat(w, model.accountProof(leader));
        (bytes32 post, uint8 code) = harness.step(pre, _ctx(), raw, w);
        assertEq(code, 15);
        assertEq(post, pre);
    }

    function test_outcome15_feeRecipientOverflowOnWithdrawal() public {
        model.setAccount(leader, type(uint256).max, 0);
        bytes memory raw = B.sign(_tx(alice, WITHDRAWAL, 1), aliceKey);
        bytes32 pre = model.stateRoot();
        bytes memory w = _senderWitness(alice);
        model.setAccount(alice, 10 ether - 1 - FEE, 4);
        bytes32 key = keccak256(abi.encode(alice, uint256(3)));
        w = bytes.concat(w, model.withdrawalProof(key));
        model.setWithdrawal(key, keccak256(abi.encode(alice, uint256(1))));
        w = bytes.concat(w, model.accountProof(leader));
        (bytes32 post, uint8 code) = harness.step(pre, _ctx(), raw, w);
        assertEq(code, 15);
        assertEq(post, pre);
    }

    /// @dev The withdrawal slot of (sender, nonce) already holds a leaf: 16, decided when the
    ///      withdrawal leaf is read, so the witness ends there.
    function test_outcome16_withdrawalExists() public {
        bytes32 key = keccak256(abi.encode(alice, uint256(3)));
        model.setWithdrawal(key, keccak256("taken"));
        bytes memory raw = B.sign(_tx(alice, WITHDRAWAL, 1 ether), aliceKey);
        bytes32 pre = model.stateRoot();
        bytes memory w = _senderWitness(alice);
        model.setAccount(alice, 9 ether - FEE, 4);
        w = bytes.concat(w, model.withdrawalProof(key));
        (bytes32 post, uint8 code) = harness.step(pre, _ctx(), raw, w);
        assertEq(code, 16);
        assertEq(post, pre);
    }

    // ---------------------------------------------------------------- wrong witnesses revert

    function test_witness_revertsWhenEmptyOrShort() public {
        bytes memory raw = B.sign(_tx(alice, bob, 1), aliceKey);
        bytes32 pre = model.stateRoot();
        bytes memory w = model.transfer(alice, bob, 1, FEE, leader);
        vm.expectRevert(WitnessTooShort.selector);
        harness.step(pre, _ctx(), raw, "");
        vm.expectRevert(WitnessTooShort.selector);
        harness.step(pre, _ctx(), raw, _slice(w, 0, 63));
        // Every cut that loses part of a proof or of an account's data.
        for (uint256 cut = 1; cut < w.length - 64; cut += 13) {
            vm.expectRevert(WitnessTooShort.selector);
            harness.step(pre, _ctx(), raw, _slice(w, 0, w.length - cut));
        }
    }

    function test_witness_revertsOnWrongHeader() public {
        bytes memory raw = B.sign(_tx(alice, bob, 1), aliceKey);
        bytes32 pre = model.stateRoot();
        bytes memory w = model.transfer(alice, bob, 1, FEE, leader);
        bytes memory bad = bytes.concat(w);
        bad[33] = bytes1(uint8(bad[33]) ^ 1); // withdrawalsRoot
        vm.expectRevert(WitnessMismatch.selector);
        harness.step(pre, _ctx(), raw, bad);
        vm.expectRevert(WitnessMismatch.selector);
        harness.step(keccak256("another root"), _ctx(), raw, w);
    }

    function test_witness_revertsOnTamperedAccount() public {
        bytes memory raw = B.sign(_tx(alice, bob, 1), aliceKey);
        bytes32 pre = model.stateRoot();
        bytes memory w = model.transfer(alice, bob, 1, FEE, leader);
        // Sender's balance (a lower balance would turn the outcome into 14: it must revert).
        for (uint256 i = 64; i < 64 + 40; i += 5) {
            bytes memory bad = bytes.concat(w);
            bad[i] = bytes1(uint8(bad[i]) ^ 0x80);
            vm.expectRevert(WitnessMismatch.selector);
            harness.step(pre, _ctx(), raw, bad);
        }
    }

    function test_witness_revertsOnTamperedSibling() public {
        bytes memory raw = B.sign(_tx(alice, bob, 1), aliceKey);
        bytes32 pre = model.stateRoot();
        bytes memory w = model.transfer(alice, bob, 1, FEE, leader);
        // The last byte of the witness is the last sibling of the fee recipient's proof.
        bytes memory bad = bytes.concat(w);
        bad[w.length - 1] = bytes1(uint8(bad[w.length - 1]) ^ 1);
        vm.expectRevert(WitnessMismatch.selector);
        harness.step(pre, _ctx(), raw, bad);
        // The first sibling of the sender's proof (after header, data and bitmap).
        bad = bytes.concat(w);
        bad[64 + 40 + 20] = bytes1(uint8(bad[64 + 40 + 20]) ^ 1);
        vm.expectRevert(WitnessMismatch.selector);
        harness.step(pre, _ctx(), raw, bad);
    }

    /// @dev A witness for another transaction's reads (a proof of the wrong account) reverts.
    function test_witness_revertsOnOtherAccountsProof() public {
        bytes memory raw = B.sign(_tx(alice, bob, 1), aliceKey);
        bytes32 pre = model.stateRoot();
        bytes memory w = _senderWitness(bob);
        vm.expectRevert(WitnessMismatch.selector);
        harness.step(pre, _ctx(), raw, w);
    }

    // ---------------------------------------------------------------- fuzz

    /// @dev Random bytes are malformed (1) and never revert, whatever the witness.
    function testFuzz_step_randomBytesAreMalformed(bytes calldata raw, bytes calldata witness) public view {
        bytes32 pre = keccak256("pre");
        (bytes32 post, uint8 code) = harness.step(pre, _ctx(), raw, witness);
        assertEq(code, 1);
        assertEq(post, pre);
        (post, code) = harness.step(pre, _ctx(), bytes.concat(hex"02", raw), witness);
        assertEq(code, 1);
        assertEq(post, pre);
    }

    /// @dev A valid transaction with one byte changed: either a stateless outcome with no
    ///      revert, or (if it still recovers to some key) a witness read that fails for the
    ///      empty witness. Nothing else (no panic) can happen.
    function testFuzz_step_mutatedTransaction(uint256 at, uint8 value) public view {
        bytes memory raw = B.sign(_tx(alice, bob, 1), aliceKey);
        at = bound(at, 0, raw.length - 1);
        if (uint8(raw[at]) == value) return;
        raw[at] = bytes1(value);
        bytes32 pre = model.stateRoot();
        try harness.step(pre, _ctx(), raw, "") returns (bytes32 post, uint8 code) {
            assertTrue(code >= 1 && code <= 12, "stateless outcome");
            assertEq(post, pre);
        } catch (bytes memory reason) {
            assertEq(reason, abi.encodeWithSelector(WitnessTooShort.selector), "only the witness is missing");
        }
    }

    /// @dev A sequence of random valid transfers and withdrawals among random accounts, with a
    ///      random fee recipient (sometimes a party to the transaction): every step lands on the
    ///      reference model's root, each starting from the previous one's. (~19M gas a run, most
    ///      of it the model's roots: fewer runs than the default.)
    /// forge-config: default.fuzz.runs = 64
    /// forge-config: ci.fuzz.runs = 256
    function testFuzz_step_randomTransfers(uint256 seed) public {
        uint256[] memory keys = new uint256[](4);
        address[] memory addrs = new address[](4);
        for (uint256 i; i < keys.length; ++i) {
            keys[i] = uint256(keccak256(abi.encode(seed, "key", i))) % (N - 1) + 1;
            addrs[i] = vm.addr(keys[i]);
            model.setAccount(
                addrs[i], uint256(keccak256(abi.encode(seed, "balance", i))) % 100 ether + FEE, uint64(i)
            );
        }
        bytes32 root = model.stateRoot();
        for (uint256 round; round < 4; ++round) {
            root = _runRound(
                root, _pickRound(uint256(keccak256(abi.encode(seed, "round", round))), keys, addrs)
            );
        }
    }

    // ---------------------------------------------------------------- dirty memory

    /// @dev The same call to the clean and the brutalized harness: the same result or revert.
    function _assertSameWithDirtyMemory(bytes memory call) internal {
        LedgerHarness brutalized = LedgerHarness(address(new BrutalizedLedgerHarness()));
        (bool ok, bytes memory result) = address(harness).staticcall(call);
        (bool dirtyOk, bytes memory dirtyResult) = address(brutalized).staticcall(call);
        assertEq(dirtyOk, ok, "dirty memory changed success");
        assertEq(dirtyResult, result, "dirty memory changed the result");
    }

    /// @dev A valid transfer or withdrawal, one byte of it or of its witness changed, or the
    ///      wrong witness: each step comes out the same with memory dirtied.
    function testFuzz_step_brutalizedMemoryMatchesClean(uint256 at, uint8 value, bool withdrawal) public {
        bytes32 pre = model.stateRoot();
        B.UnsignedTx memory t = _tx(alice, withdrawal ? WITHDRAWAL : bob, 1 ether);
        bytes memory w = withdrawal
            ? model.withdraw(alice, alice, 1 ether, FEE, leader)
            : model.transfer(alice, bob, 1 ether, FEE, leader);
        bytes memory raw = B.sign(t, aliceKey);
        _assertSameWithDirtyMemory(abi.encodeCall(LedgerHarness.step, (pre, _ctx(), raw, w)));
        bytes memory badTx = bytes.concat(raw);
        badTx[bound(at, 0, raw.length - 1)] = bytes1(value);
        _assertSameWithDirtyMemory(abi.encodeCall(LedgerHarness.step, (pre, _ctx(), badTx, w)));
        bytes memory badWitness = bytes.concat(w);
        badWitness[bound(at, 0, w.length - 1)] ^= bytes1(value | 1);
        _assertSameWithDirtyMemory(abi.encodeCall(LedgerHarness.step, (pre, _ctx(), raw, badWitness)));
        _assertSameWithDirtyMemory(
            abi.encodeCall(LedgerHarness.step, (pre, _ctx(), raw, _senderWitness(bob)))
        );
    }

    /// @dev Random transfers and withdrawals against the reference model, memory dirtied before
    ///      every step and deposit.
    /// forge-config: default.fuzz.runs = 64
    /// forge-config: ci.fuzz.runs = 256
    function testFuzz_step_brutalizedMemoryRandomTransfers(uint256 seed) public {
        harness = LedgerHarness(address(new BrutalizedLedgerHarness()));
        testFuzz_step_randomTransfers(seed);
    }
}

/// @notice Ledger.deposit: credits against the reference model, overflow, wrong witnesses.
contract Ledger_Deposit_Test is LedgerTest {
    // ---------------------------------------------------------------- deposits

    function test_deposit() public {
        address fresh = makeAddr("fresh");
        bytes32 pre = model.stateRoot();
        bytes memory w = model.deposit(fresh, 3 ether);
        (bytes32 post, uint8 code) = harness.deposit(pre, fresh, 3 ether, w);
        assertEq(code, 0);
        assertEq(post, model.stateRoot());

        pre = post;
        w = model.deposit(alice, 1);
        (post, code) = harness.deposit(pre, alice, 1, w);
        assertEq(code, 0);
        assertEq(post, model.stateRoot());
    }

    function test_deposit_zeroAmountToEmptyAccount() public {
        bytes32 pre = model.stateRoot();
        bytes memory w = model.deposit(makeAddr("nobody"), 0);
        (bytes32 post, uint8 code) = harness.deposit(pre, makeAddr("nobody"), 0, w);
        assertEq(code, 0);
        assertEq(post, pre, "an empty account stays empty");
    }

    function test_deposit_overflow() public {
        model.setAccount(bob, type(uint256).max - 5, 0);
        bytes32 pre = model.stateRoot();
        bytes memory w = bytes.concat(model.header(), model.accountProof(bob));
        (bytes32 post, uint8 code) = harness.deposit(pre, bob, 6, w);
        assertEq(code, uint8(Ledger.Outcome.BalanceOverflow));
        assertEq(post, pre);
        // Up to the maximum is fine.
        (post, code) = harness.deposit(pre, bob, 5, w);
        assertEq(code, 0);
        model.setAccount(bob, type(uint256).max, 0);
        assertEq(post, model.stateRoot());
    }

    function test_deposit_revertsOnWrongWitness() public {
        bytes32 pre = model.stateRoot();
        bytes memory w = bytes.concat(model.header(), model.accountProof(bob));
        vm.expectRevert(WitnessMismatch.selector);
        harness.deposit(pre, alice, 1, w);
        vm.expectRevert(WitnessTooShort.selector);
        harness.deposit(pre, bob, 1, "");
        vm.expectRevert(WitnessMismatch.selector);
        harness.deposit(keccak256("other root"), bob, 1, w);
    }

    function testFuzz_deposit(uint256 seed, uint256 balance, uint256 amount) public {
        address recipient = seed % 3 == 0 ? alice : address(uint160(uint256(keccak256(abi.encode(seed)))));
        if (seed % 3 == 0) model.setAccount(alice, balance, 3);
        bytes32 pre = model.stateRoot();
        uint256 had = model.balanceOf(recipient);
        bytes memory w = bytes.concat(model.header(), model.accountProof(recipient));
        (bytes32 post, uint8 code) = harness.deposit(pre, recipient, amount, w);
        if (amount > type(uint256).max - had) {
            assertEq(code, 15);
            assertEq(post, pre);
        } else {
            assertEq(code, 0);
            model.deposit(recipient, amount);
            assertEq(post, model.stateRoot());
        }
    }

    /// @dev The deposit fuzz again, memory dirtied before every deposit.
    function testFuzz_deposit_brutalizedMemory(uint256 seed, uint256 balance, uint256 amount) public {
        harness = LedgerHarness(address(new BrutalizedLedgerHarness()));
        testFuzz_deposit(seed, balance, amount);
    }
}
