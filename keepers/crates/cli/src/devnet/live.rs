//! How `baton devnet` shows its status while it runs: on a terminal, a block redrawn in place
//! every second; otherwise (a log file, CI) one plain line when the status changed, at most every
//! [`PLAIN_EVERY`], so the output stays readable and carries no cursor-movement codes.

use std::{
    io::{IsTerminal, Write},
    time::{Duration, Instant},
};

/// The least time between two plain status lines.
pub(crate) const PLAIN_EVERY: Duration = Duration::from_secs(5);

/// Where the status goes, and what was last shown there.
pub(crate) enum LiveStatus {
    /// A terminal: the block is redrawn over the `drawn` lines of the previous one.
    Terminal { drawn: usize },
    /// Anything else: plain lines.
    Plain {
        last: String,
        shown_at: Option<Instant>,
    },
}

impl LiveStatus {
    /// The kind standard output calls for.
    pub(crate) fn for_stdout() -> Self {
        if std::io::stdout().is_terminal() {
            Self::Terminal { drawn: 0 }
        } else {
            Self::Plain {
                last: String::new(),
                shown_at: None,
            }
        }
    }

    /// Shows the status report `text` (lines of `label: value`).
    pub(crate) fn show(&mut self, text: &str) {
        let mut out = std::io::stdout().lock();
        match self {
            Self::Terminal { drawn } => {
                // Up over the previous block, then each line cleared and written again.
                if *drawn > 0 {
                    let _ = write!(out, "\x1b[{drawn}A");
                }
                *drawn = 0;
                for line in text.lines() {
                    let _ = writeln!(out, "\x1b[K{line}");
                    *drawn += 1;
                }
                // Clear what a longer previous block left below.
                let _ = write!(out, "\x1b[J");
            }
            Self::Plain { last, shown_at } => {
                let line = plain_line(text);
                let now = Instant::now();
                if plain_due(last, &line, shown_at.map(|t| now - t)) {
                    let _ = writeln!(out, "status | {line}");
                    *last = line;
                    *shown_at = Some(now);
                }
            }
        }
        let _ = out.flush();
    }
}

/// The report on one line: its lines trimmed and joined with ` | `.
pub(crate) fn plain_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Whether a plain line is shown: the first always, later ones when the status changed and
/// [`PLAIN_EVERY`] has passed since the last (`since`).
pub(crate) fn plain_due(last: &str, line: &str, since: Option<Duration>) -> bool {
    match since {
        None => true,
        Some(since) => line != last && since >= PLAIN_EVERY,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_becomes_one_line() {
        let text = "L1 block   42\n  epoch    5, leader 0xab\n\nL2 head    17\n";
        assert_eq!(
            plain_line(text),
            "L1 block   42 | epoch    5, leader 0xab | L2 head    17"
        );
    }

    #[test]
    fn plain_lines_come_when_the_status_changed_and_not_too_often() {
        assert!(plain_due("", "a", None), "the first is always shown");
        assert!(!plain_due("a", "a", Some(PLAIN_EVERY * 3)), "unchanged");
        assert!(!plain_due("a", "b", Some(PLAIN_EVERY / 2)), "too soon");
        assert!(plain_due("a", "b", Some(PLAIN_EVERY)));
    }
}
