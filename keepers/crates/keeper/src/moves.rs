//! The move a keeper makes in a dispute game, decided from the game's state alone (as
//! op-challenger's `NextMove`): no RPC, no trace, so every branch is unit-tested here and the
//! player (`dispute.rs`, `execution.rs`) only carries the decision out. A game has two levels,
//! the positions (transactions or blocks) and then the VM steps of the disputed one; see
//! `IBisectionGame`.

/// Which side of a game this keeper plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// Defends its outputs.
    Proposer,
    /// Disputes outputs.
    Challenger,
}

/// The execution level of a game, once started: the disputed VM steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExecutionState {
    /// The agreed step.
    pub lo: u64,
    /// The disputed step.
    pub hi: u64,
    /// Whether the proposer has posted its claim at the end.
    pub end_claimed: bool,
}

/// What the keeper sees of a game when it decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GameState {
    /// Whether the disputed output (index and generation) still exists in the oracle.
    pub output_exists: bool,
    /// Whether the proposer is to move.
    pub proposer_to_move: bool,
    /// The agreed end of the disputed transaction segment.
    pub lo: u64,
    /// The disputed end.
    pub hi: u64,
    /// The execution of the disputed transaction, once `proveTransaction` started it.
    pub execution: Option<ExecutionState>,
    /// Seconds left on the proposer's clock.
    pub proposer_left: u64,
    /// Seconds left on the challenger's clock.
    pub challenger_left: u64,
}

/// The keeper's next action in a game.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    /// Another game deleted the output: resolve this one as moot (the bond comes back).
    ResolveMoot,
    /// The opponent is to move and its clock ran out: resolve in this keeper's favour.
    ResolveTimeout,
    /// The opponent is to move and still has time.
    Wait,
    /// The proposer posts its root at `mid`.
    Bisect {
        /// The midpoint position.
        mid: u64,
    },
    /// The challenger agrees or disagrees with the proposer's root at `mid`.
    Respond {
        /// The midpoint position.
        mid: u64,
    },
    /// The challenger proves which transaction (or block) is at `lo`, starting its execution
    /// (or, for an empty trace, ending the game).
    ProvePosition {
        /// The agreed position whose transaction (or block) is disputed.
        lo: u64,
    },
    /// The proposer claims the VM state at the execution's end (the guest accepts its root).
    ClaimExecutionEnd,
    /// The proposer posts its VM state claim at step `mid`.
    BisectExecution {
        /// The midpoint step.
        mid: u64,
    },
    /// The challenger agrees or disagrees with the proposer's claim at step `mid`.
    RespondExecution {
        /// The midpoint step.
        mid: u64,
    },
    /// The challenger runs step `lo` + 1 on L1 from the agreed state at `lo`.
    Step {
        /// The agreed step.
        lo: u64,
    },
}

/// The move `side` makes in a game in state `g`.
pub fn next_move(side: Side, g: &GameState) -> Move {
    if !g.output_exists {
        return Move::ResolveMoot;
    }
    let (mine, opponent_left) = match side {
        Side::Proposer => (g.proposer_to_move, g.challenger_left),
        Side::Challenger => (!g.proposer_to_move, g.proposer_left),
    };
    if !mine {
        return if opponent_left == 0 {
            Move::ResolveTimeout
        } else {
            Move::Wait
        };
    }
    if let Some(e) = g.execution {
        let mid = (e.lo + e.hi) / 2;
        return match side {
            Side::Proposer if !e.end_claimed => Move::ClaimExecutionEnd,
            Side::Proposer => Move::BisectExecution { mid },
            // One step left: the VM on L1 settles it.
            Side::Challenger if e.hi - e.lo <= 1 => Move::Step { lo: e.lo },
            Side::Challenger => Move::RespondExecution { mid },
        };
    }
    let mid = (g.lo + g.hi) / 2;
    match side {
        Side::Proposer => Move::Bisect { mid },
        // One transaction (or none) left: its execution settles it.
        Side::Challenger if g.hi - g.lo <= 1 => Move::ProvePosition { lo: g.lo },
        Side::Challenger => Move::Respond { mid },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn game(proposer_to_move: bool, lo: u64, hi: u64) -> GameState {
        GameState {
            output_exists: true,
            proposer_to_move,
            lo,
            hi,
            execution: None,
            proposer_left: 60,
            challenger_left: 60,
        }
    }

    fn executing(proposer_to_move: bool, lo: u64, hi: u64, end_claimed: bool) -> GameState {
        GameState {
            execution: Some(ExecutionState {
                lo,
                hi,
                end_claimed,
            }),
            ..game(proposer_to_move, 3, 4)
        }
    }

    #[test]
    fn a_deleted_output_makes_the_game_moot_for_both_sides() {
        let g = GameState {
            output_exists: false,
            ..game(true, 0, 8)
        };
        assert_eq!(next_move(Side::Proposer, &g), Move::ResolveMoot);
        assert_eq!(next_move(Side::Challenger, &g), Move::ResolveMoot);
    }

    #[test]
    fn the_proposer_bisects_at_the_midpoint_when_it_is_to_move() {
        assert_eq!(
            next_move(Side::Proposer, &game(true, 0, 8)),
            Move::Bisect { mid: 4 }
        );
        assert_eq!(
            next_move(Side::Proposer, &game(true, 5, 8)),
            Move::Bisect { mid: 6 }
        );
    }

    #[test]
    fn the_challenger_responds_until_one_transaction_is_left_then_proves_it() {
        assert_eq!(
            next_move(Side::Challenger, &game(false, 0, 8)),
            Move::Respond { mid: 4 }
        );
        assert_eq!(
            next_move(Side::Challenger, &game(false, 3, 5)),
            Move::Respond { mid: 4 }
        );
        assert_eq!(
            next_move(Side::Challenger, &game(false, 3, 4)),
            Move::ProvePosition { lo: 3 }
        );
        // An empty trace: the proof decides at once.
        assert_eq!(
            next_move(Side::Challenger, &game(false, 0, 0)),
            Move::ProvePosition { lo: 0 }
        );
    }

    #[test]
    fn the_execution_is_played_like_the_transactions_after_the_end_claim() {
        let end = 1 << 28;
        assert_eq!(
            next_move(Side::Proposer, &executing(true, 0, end, false)),
            Move::ClaimExecutionEnd
        );
        assert_eq!(
            next_move(Side::Proposer, &executing(true, 0, end, true)),
            Move::BisectExecution { mid: end / 2 }
        );
        assert_eq!(
            next_move(Side::Challenger, &executing(false, 0, end, true)),
            Move::RespondExecution { mid: end / 2 }
        );
        assert_eq!(
            next_move(Side::Challenger, &executing(false, 7, 8, true)),
            Move::Step { lo: 7 }
        );
        assert_eq!(
            next_move(Side::Challenger, &executing(true, 0, end, false)),
            Move::Wait
        );
        let out_of_time = GameState {
            challenger_left: 0,
            ..executing(false, 7, 8, true)
        };
        assert_eq!(
            next_move(Side::Proposer, &out_of_time),
            Move::ResolveTimeout
        );
    }

    #[test]
    fn a_side_not_to_move_waits_or_resolves_an_opponent_out_of_time() {
        assert_eq!(next_move(Side::Proposer, &game(false, 0, 8)), Move::Wait);
        assert_eq!(next_move(Side::Challenger, &game(true, 0, 8)), Move::Wait);
        let challenger_out = GameState {
            challenger_left: 0,
            ..game(false, 0, 8)
        };
        assert_eq!(
            next_move(Side::Proposer, &challenger_out),
            Move::ResolveTimeout
        );
        let proposer_out = GameState {
            proposer_left: 0,
            ..game(true, 0, 8)
        };
        assert_eq!(
            next_move(Side::Challenger, &proposer_out),
            Move::ResolveTimeout
        );
        // Its own clock is not the opponent's: a side out of time that is to move still moves
        // (the contract refuses it; the opponent resolves).
        assert_eq!(
            next_move(
                Side::Proposer,
                &GameState {
                    proposer_left: 0,
                    ..game(true, 0, 8)
                }
            ),
            Move::Bisect { mid: 4 }
        );
    }
}
