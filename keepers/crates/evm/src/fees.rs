//! The L2's EIP-1559 base fee: the usual update rule, with its two parameters per deployment.

/// The two parameters of the EIP-1559 update rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BaseFeeParams {
    /// The block gas limit over the gas target (Ethereum: 2).
    pub elasticity_multiplier: u64,
    /// The largest change per block is `1 / max_change_denominator` of the base fee
    /// (Ethereum: 8, a 12.5% step).
    pub max_change_denominator: u64,
}

impl BaseFeeParams {
    /// Ethereum mainnet's parameters.
    pub const ETHEREUM: Self = Self {
        elasticity_multiplier: 2,
        max_change_denominator: 8,
    };
}

/// The base fee of the block after one with `gas_used` of `gas_limit` at `base_fee` (EIP-1559):
/// unchanged at the target, up by at least 1 wei above it, down below it.
///
/// A zero multiplier or denominator is a configuration error that the deployment's parameters
/// rule out; like other clients, the rule then leaves the fee unchanged.
pub fn next_base_fee(params: BaseFeeParams, gas_used: u64, gas_limit: u64, base_fee: u64) -> u64 {
    if params.elasticity_multiplier == 0 || params.max_change_denominator == 0 {
        return base_fee;
    }
    let target = gas_limit / params.elasticity_multiplier;
    let denominator = u128::from(params.max_change_denominator);
    if target == 0 || gas_used == target {
        return base_fee;
    }
    let (base, target128) = (u128::from(base_fee), u128::from(target));
    if gas_used > target {
        let delta = base * u128::from(gas_used - target) / target128 / denominator;
        let next = base + delta.max(1);
        u64::try_from(next).unwrap_or(u64::MAX)
    } else {
        let delta = base * u128::from(target - gas_used) / target128 / denominator;
        // delta <= base / denominator <= base, so this does not wrap.
        u64::try_from(base - delta).unwrap_or(u64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn follows_the_rule_at_the_edges() {
        let p = BaseFeeParams::ETHEREUM;
        // At the target: unchanged. A full block: +12.5%. An empty block: -12.5%.
        assert_eq!(
            next_base_fee(p, 15_000_000, 30_000_000, 1_000_000_000),
            1_000_000_000
        );
        assert_eq!(
            next_base_fee(p, 30_000_000, 30_000_000, 1_000_000_000),
            1_125_000_000
        );
        assert_eq!(next_base_fee(p, 0, 30_000_000, 1_000_000_000), 875_000_000);
        // Above the target the fee rises by at least one wei, even from 1 or 0.
        assert_eq!(next_base_fee(p, 15_000_001, 30_000_000, 1), 2);
        assert_eq!(next_base_fee(p, 30_000_000, 30_000_000, 0), 1);
        // Below the target a small fee can stop falling.
        assert_eq!(next_base_fee(p, 0, 30_000_000, 7), 7);
    }

    proptest! {
        /// alloy's implementation (reth, and so every Ethereum client's rule) agrees wherever its
        /// arithmetic does not overflow.
        #[test]
        fn agrees_with_alloy(
            gas_limit in 1u64..=1_000_000_000,
            used_share in 0u64..=1_000,
            base_fee in 0u64..=1_000_000_000_000_000,
            elasticity in 1u64..=8,
            denominator in 1u64..=250,
        ) {
            let gas_used = gas_limit / 1_000 * used_share;
            let ours = next_base_fee(
                BaseFeeParams { elasticity_multiplier: elasticity, max_change_denominator: denominator },
                gas_used, gas_limit, base_fee,
            );
            let theirs = alloy_eips::eip1559::calc_next_block_base_fee(
                gas_used,
                gas_limit,
                base_fee,
                alloy_eips::eip1559::BaseFeeParams::new(u128::from(denominator), u128::from(elasticity)),
            );
            prop_assert_eq!(ours, theirs);
        }
    }
}
