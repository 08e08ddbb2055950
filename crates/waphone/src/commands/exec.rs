//! `--exec CMD` (`webhooks consume`, `watch`): a shell command given one JSON line on its
//! stdin; done when it exits 0.

use std::process::Stdio;

use tokio::io::AsyncWriteExt;

/// Runs `command` with `sh -c`, `env` added to its environment and `line` (and a newline)
/// on its stdin. A command that does not read its stdin is fine.
pub async fn run(command: &str, env: &[(&str, &str)], line: &str) -> Result<(), String> {
    let mut child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run --exec: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        let mut line = line.to_owned();
        line.push('\n');
        // A closed pipe (the command did not read) is ignored.
        let _ = stdin.write_all(line.as_bytes()).await;
    }
    let status = child
        .wait()
        .await
        .map_err(|e| format!("cannot run --exec: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("--exec exited with {status}"))
    }
}
