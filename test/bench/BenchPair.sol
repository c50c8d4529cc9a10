// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// A constant-product pair in the style of Uniswap V2, for the EVM execution and guest
/// benchmarks (`keepers/crates/state/benches`): the same storage and calls per swap as a V2 swap
/// through its router (the input pulled with `transferFrom`, the output sent with `transfer`,
/// both balances read back, the reserves and the cumulative prices written, `Swap` and `Sync`
/// emitted), with a 0.3% fee. Liquidity is added by sending tokens and calling `sync`; there are
/// no LP shares, which a swap does not touch.
contract BenchPair {
    using SafeERC20 for IERC20;

    IERC20 public immutable token0;
    IERC20 public immutable token1;

    uint112 private reserve0;
    uint112 private reserve1;
    uint32 private blockTimestampLast;

    uint256 public price0CumulativeLast;
    uint256 public price1CumulativeLast;

    event Swap(
        address indexed sender,
        uint256 amount0In,
        uint256 amount1In,
        uint256 amount0Out,
        uint256 amount1Out,
        address indexed to
    );
    event Sync(uint112 reserve0, uint112 reserve1);

    /// The output is zero or below the caller's minimum.
    error InsufficientOutput(uint256 amountOut, uint256 amountOutMin);
    /// A balance does not fit the reserves' 112 bits.
    error Overflow();

    constructor(IERC20 tokenA, IERC20 tokenB) {
        token0 = tokenA;
        token1 = tokenB;
    }

    function getReserves() external view returns (uint112, uint112, uint32) {
        return (reserve0, reserve1, blockTimestampLast);
    }

    /// Sets the reserves to the balances (how liquidity is added here).
    function sync() external {
        _update(token0.balanceOf(address(this)), token1.balanceOf(address(this)), reserve0, reserve1);
    }

    /// Swaps `amountIn` of token0 (`zeroForOne`) or token1, pulled from the caller, for at least
    /// `amountOutMin` of the other, sent to `to`.
    function swapExactIn(bool zeroForOne, uint256 amountIn, uint256 amountOutMin, address to)
        external
        returns (uint256 amountOut)
    {
        (uint112 r0, uint112 r1) = (reserve0, reserve1);
        (IERC20 tokenIn, IERC20 tokenOut, uint256 reserveIn, uint256 reserveOut) = zeroForOne
            ? (token0, token1, uint256(r0), uint256(r1))
            : (token1, token0, uint256(r1), uint256(r0));
        uint256 inWithFee = amountIn * 997;
        amountOut = (inWithFee * reserveOut) / (reserveIn * 1000 + inWithFee);
        if (amountOut == 0 || amountOut < amountOutMin) revert InsufficientOutput(amountOut, amountOutMin);
        tokenIn.safeTransferFrom(msg.sender, address(this), amountIn);
        tokenOut.safeTransfer(to, amountOut);
        _update(token0.balanceOf(address(this)), token1.balanceOf(address(this)), r0, r1);
        if (zeroForOne) emit Swap(msg.sender, amountIn, 0, 0, amountOut, to);
        else emit Swap(msg.sender, 0, amountIn, amountOut, 0, to);
    }

    /// V2's update: the cumulative prices over the time since the last update, then the reserves.
    function _update(uint256 balance0, uint256 balance1, uint112 r0, uint112 r1) private {
        if (balance0 > type(uint112).max || balance1 > type(uint112).max) revert Overflow();
        uint32 timestamp = uint32(block.timestamp);
        unchecked {
            uint32 elapsed = timestamp - blockTimestampLast;
            if (elapsed > 0 && r0 != 0 && r1 != 0) {
                // UQ112x112 prices times seconds, as V2 keeps them (the division is the price).
                // forge-lint: disable-next-line(divide-before-multiply)
                price0CumulativeLast += ((uint256(r1) << 112) / r0) * elapsed;
                // forge-lint: disable-next-line(divide-before-multiply)
                price1CumulativeLast += ((uint256(r0) << 112) / r1) * elapsed;
            }
        }
        reserve0 = uint112(balance0);
        reserve1 = uint112(balance1);
        blockTimestampLast = timestamp;
        emit Sync(reserve0, reserve1);
    }
}
