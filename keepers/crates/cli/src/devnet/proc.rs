//! The devnet's child processes: spawned with their output in a log file, stopped with
//! SIGTERM (they finish what they are sending), or killed on purpose by a scenario.

use eyre::WrapErr;
use std::{path::PathBuf, process::Stdio, time::Duration};
use tokio::process::{Child, Command};

/// A child process with its log file.
pub(crate) struct Proc {
    pub(crate) name: String,
    child: Child,
    pub(crate) log: PathBuf,
    /// Killed on purpose (a scenario's crash): its exit is not a failure.
    killed: bool,
}

impl Proc {
    pub(crate) fn spawn(name: &str, log: PathBuf, cmd: &mut Command) -> eyre::Result<Self> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .wrap_err_with(|| format!("opening {}", log.display()))?;
        let child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::from(file))
            .kill_on_drop(true)
            .spawn()
            .wrap_err_with(|| format!("starting {name}"))?;
        Ok(Self {
            name: name.to_string(),
            child,
            log,
            killed: false,
        })
    }

    /// SIGTERM, then up to 10 s for a clean exit, then SIGKILL.
    pub(crate) async fn stop(&mut self) {
        terminate(self.child.id());
        if tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
    }

    /// `kill -9` (a scenario's crash).
    pub(crate) async fn kill9(&mut self) -> eyre::Result<()> {
        self.killed = true;
        self.child.kill().await?;
        Ok(())
    }

    pub(crate) fn exited(&mut self) -> bool {
        !self.killed && !matches!(self.child.try_wait(), Ok(None))
    }
}

/// Sends SIGTERM to `pid`.
pub(crate) fn terminate(pid: Option<u32>) {
    if let Some(pid) = pid {
        let _ = std::process::Command::new("kill")
            .args(["-s", "TERM", "--", &pid.to_string()])
            .status();
    }
}
