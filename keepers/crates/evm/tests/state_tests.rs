//! The filled Ethereum state tests (`ethereum-tests/GeneralStateTests` of the shared fixtures,
//! Cancun): baton's executor ([`execute_transaction`]) runs each test's transaction variants on
//! the test's pre-state, its [`StateDiff`] is applied, and the state root baton-trie computes
//! must be the file's `hash`, and the keccak-256 of the logs' RLP its `logs`. Every file runs but
//! the five in [`EXCEPTIONS`] (2,699 files, 20,959 variants; about 50 s on two cores in a test
//! build); `BATON_STATE_TESTS=<substring>` runs only the files whose path contains it.
//!
//! This checks baton's side of execution, not revm: the diff it takes from revm (deleted,
//! emptied, self-destructed and created accounts, storage set back to zero), the state reader
//! revm runs on, and the state commitment must reproduce Ethereum's roots exactly.

mod fixtures;

use alloy_primitives::keccak256;
use baton_evm::{StateDiff, execute_transaction};
use fixtures::{ETHEREUM, b256, block_env, pre_state, test_files, tx_env};
use serde_json::Value;
use std::path::Path;

/// Runs one file; returns how many variants it checked, or the first mismatch.
fn run_file(path: &Path) -> Result<usize, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let suite: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let mut checked = 0;
    for (name, test) in suite.as_object().expect("a test suite") {
        let Some(posts) = test["post"].get("Cancun") else {
            continue;
        };
        let pre = pre_state(&test["pre"]);
        let block = block_env(&test["env"]);
        for (i, post) in posts.as_array().expect("posts").iter().enumerate() {
            let tx = tx_env(&test["transaction"], &post["indexes"]);
            // An invalid transaction changes nothing: the root is the pre-state's.
            let (diff, logs) = match tx.map(|tx| execute_transaction(&pre, &ETHEREUM, &block, tx)) {
                Some(Ok(executed)) => (executed.diff, executed.logs),
                Some(Err(_)) | None => (StateDiff::default(), Vec::new()),
            };
            let mut post_state = pre.0.clone();
            post_state.apply(&diff);
            let root = post_state.root();
            let logs_hash = keccak256(alloy_rlp::encode(&logs));
            let (want_root, want_logs) = (b256(&post["hash"]), b256(&post["logs"]));
            if root != want_root || logs_hash != want_logs {
                return Err(format!(
                    "{name} variant {i} ({}): root {root} (want {want_root}), logs {logs_hash} (want {want_logs})",
                    post["indexes"]
                ));
            }
            checked += 1;
        }
    }
    Ok(checked)
}

#[test]
fn every_cancun_state_test_gives_its_post_state_root_and_logs_hash() {
    let files = test_files();
    // The files are independent: one worker per core.
    let workers = std::thread::available_parallelism().map_or(1, usize::from);
    let results: Vec<Result<usize, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let files = &files;
                scope.spawn(move || {
                    files
                        .iter()
                        .skip(w)
                        .step_by(workers)
                        .map(|file| run_file(file).map_err(|e| format!("{}: {e}", file.display())))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a worker"))
            .collect()
    });
    let checked: usize = results.iter().filter_map(|r| r.as_ref().ok()).sum();
    let failures: Vec<String> = results.into_iter().filter_map(Result::err).collect();
    eprintln!(
        "{} files, {checked} variants checked, {} files failed",
        files.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} files failed; the first ones:\n{}",
        failures.len(),
        files.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
