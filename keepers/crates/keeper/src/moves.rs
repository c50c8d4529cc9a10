//! The move a keeper makes in a dispute game, decided from the game's state alone (as
//! op-challenger's `NextMove`): no RPC, no trace, so every branch is unit-tested here and the
//! player (`dispute.rs`) only carries the decision out.

/// Which side of a game this keeper plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// Defends its outputs.
    Proposer,
    /// Disputes outputs.
    Challenger,
}

/// What the keeper sees of a game when it decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GameState {
    /// Whether the disputed output (index and generation) still exists in the oracle.
    pub output_exists: bool,
    /// Whether the proposer is to move.
    pub proposer_to_move: bool,
    /// The agreed end of the disputed segment.
    pub lo: u64,
    /// The disputed end.
    pub hi: u64,
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
    /// The challenger proves the one transaction at `lo`.
    Prove {
        /// The agreed position whose transaction is executed.
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
    let mid = (g.lo + g.hi) / 2;
    match side {
        Side::Proposer => Move::Bisect { mid },
        // One transaction (or none) left: the segment is settled by the one-step proof.
        Side::Challenger if g.hi - g.lo <= 1 => Move::Prove { lo: g.lo },
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
            proposer_left: 60,
            challenger_left: 60,
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
    fn the_challenger_responds_until_one_transaction_is_left_then_proves() {
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
            Move::Prove { lo: 3 }
        );
        // An empty trace: the proof executes nothing.
        assert_eq!(
            next_move(Side::Challenger, &game(false, 0, 0)),
            Move::Prove { lo: 0 }
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
