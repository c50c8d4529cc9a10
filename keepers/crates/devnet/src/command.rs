//! Running a short command (forge, cast, the `baton` CLI) to its end from async code, with a
//! limit.
//!
//! Why not `tokio::process::Command::output()`: a CI run once hung for over an hour inside a test
//! that runs a dozen short `cast` commands one after the other, where the same test takes 3 s on
//! a quiet machine. The log cannot tell whether a command hung or its exit went unnoticed. Here
//! the child's exit is found by polling `try_wait` (a plain `waitpid(WNOHANG)`, which cannot miss
//! an exit), its pipes are drained by threads of their own, and a command that runs past its
//! limit is killed and reported with what it had printed: a hang becomes an error that names the
//! command instead of a stalled CI run.

use eyre::{WrapErr, bail};
use std::{
    io::Read,
    process::{Child, Command, Output, Stdio},
    sync::mpsc,
    thread,
    time::{Duration, Instant},
};

/// How often the child's exit is polled.
const POLL: Duration = Duration::from_millis(20);

/// How long to wait for a pipe to close once the child has exited (a grandchild that kept it
/// open would otherwise block the caller forever).
const PIPE_GRACE: Duration = Duration::from_secs(10);

/// Runs `cmd` with stdin closed and its output captured, and returns the output once it exits
/// (whatever its status), or an error if it is still running after `limit` (it is then killed).
pub async fn run(mut cmd: Command, limit: Duration) -> eyre::Result<Output> {
    let what = describe(&cmd);
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .wrap_err_with(|| format!("starting {what}"))?;
    let mut child = KillOnDrop(child);
    let stdout = drain(child.0.stdout.take());
    let stderr = drain(child.0.stderr.take());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child
            .0
            .try_wait()
            .wrap_err_with(|| format!("waiting for {what}"))?
        {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.0.kill();
            let _ = child.0.wait();
            bail!(
                "{what} was still running after {limit:?} and was killed\n--- stdout ---\n{}\n--- stderr ---\n{}",
                String::from_utf8_lossy(&collect(stdout)),
                String::from_utf8_lossy(&collect(stderr)),
            );
        }
        tokio::time::sleep(POLL).await;
    };
    Ok(Output {
        status,
        stdout: collect(stdout),
        stderr: collect(stderr),
    })
}

/// The program and its arguments, for messages.
fn describe(cmd: &Command) -> String {
    let mut words = vec![cmd.get_program().to_string_lossy().into_owned()];
    words.extend(cmd.get_args().map(|a| a.to_string_lossy().into_owned()));
    format!("`{}`", words.join(" "))
}

/// Reads a pipe to its end on a thread of its own; the bytes arrive on the returned channel.
fn drain(pipe: Option<impl Read + Send + 'static>) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    if let Some(mut pipe) = pipe {
        thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            let _ = tx.send(bytes);
        });
    }
    rx
}

/// What a drained pipe held (empty if it stayed open past [`PIPE_GRACE`]).
fn collect(rx: mpsc::Receiver<Vec<u8>>) -> Vec<u8> {
    rx.recv_timeout(PIPE_GRACE).unwrap_or_default()
}

/// Kills the child if the future running it is dropped before it exits.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn returns_the_output_and_status() -> eyre::Result<()> {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo out; echo err >&2; exit 3"]);
        let out = run(cmd, Duration::from_secs(60)).await?;
        assert_eq!(out.status.code(), Some(3));
        assert_eq!(out.stdout, b"out\n");
        assert_eq!(out.stderr, b"err\n");
        Ok(())
    }

    #[tokio::test]
    async fn kills_a_command_past_its_limit_and_says_which() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo started; exec sleep 600"]);
        let err = run(cmd, Duration::from_millis(300)).await.unwrap_err();
        let message = format!("{err}");
        assert!(
            message.contains("`sh -c echo started; exec sleep 600`"),
            "{message}"
        );
        assert!(message.contains("killed"), "{message}");
        assert!(message.contains("started"), "{message}");
    }

    #[tokio::test]
    async fn a_missing_program_is_an_error() {
        let err = run(
            Command::new("/nonexistent/baton-tool"),
            Duration::from_secs(5),
        )
        .await
        .unwrap_err();
        assert!(format!("{err}").contains("starting `/nonexistent/baton-tool`"));
    }
}
