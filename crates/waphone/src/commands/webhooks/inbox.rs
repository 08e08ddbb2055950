//! `webhooks inbox status|dead|replay|prune`: what the inbox holds, and looking after it.

use std::time::{Duration, SystemTime};

use clap::{Args, Subcommand};
use serde::Serialize;
use whatsapp_phone_numbers_inbox::Replay;

use super::location::InboxFlag;
use crate::failure::Failure;
use crate::output::{Output, table};
use crate::session::Global;
use crate::terminal::safe;

/// `webhooks inbox [--inbox LOCATION] status|dead|replay|prune`
#[derive(Debug, Args)]
pub struct InboxArgs {
    #[command(flatten)]
    pub inbox: InboxFlag,
    #[command(subcommand)]
    pub action: InboxAction,
}

/// What to do with the inbox.
#[derive(Debug, Subcommand)]
pub enum InboxAction {
    /// How many changes are pending, leased, done and dead, and the oldest waiting.
    Status,
    /// The dead letters, oldest first: changes given up on and parts that were never
    /// readable, with why.
    Dead {
        /// At most this many.
        #[arg(long, default_value_t = 100, value_name = "N")]
        limit: usize,
    },
    /// Hand finished changes and dead letters out again, from a time or a row ID.
    Replay {
        /// Changes received at or after this time: RFC 3339 (2026-12-01T09:30:00Z) or
        /// a while ago (2h, 30m, 7d).
        #[arg(
            long,
            value_name = "TIME",
            required_unless_present = "from_id",
            conflicts_with = "from_id"
        )]
        from: Option<String>,
        /// Changes with this row ID or a later one.
        #[arg(long, value_name = "ID")]
        from_id: Option<i64>,
    },
    /// Delete changes finished longer ago than a duration (pending ones and dead letters
    /// stay).
    Prune {
        /// How long finished changes are kept: 30d, 12h, 90m.
        #[arg(long, value_name = "DURATION")]
        older_than: String,
    },
}

/// What `replay` and `prune` answer.
#[derive(Serialize)]
struct Count {
    changes: u64,
}

impl InboxArgs {
    /// Runs the action and prints its result.
    pub async fn run(&self, global: &Global) -> Result<(), Failure> {
        // Read the flags before opening (and maybe creating) anything.
        let task = match &self.action {
            InboxAction::Status => Task::Status,
            InboxAction::Dead { limit } => Task::Dead(*limit),
            InboxAction::Replay { from, from_id } => Task::Replay(match (from, from_id) {
                (_, Some(id)) => Replay::FromId(*id),
                (Some(text), None) => Replay::Since(time(text)?),
                (None, None) => {
                    return Err(Failure::Usage("replay needs --from or --from-id".into()));
                }
            }),
            InboxAction::Prune { older_than } => {
                let keep = duration(older_than, "--older-than")?;
                Task::Prune(
                    SystemTime::now()
                        .checked_sub(keep)
                        .unwrap_or(SystemTime::UNIX_EPOCH),
                )
            }
        };
        let out = Output::new(global.json);
        let inbox = self.inbox.open().await?;
        let failed = |e: whatsapp_phone_numbers_inbox::InboxError| {
            Failure::Local(format!("the inbox failed: {e}"))
        };
        match task {
            Task::Status => out.record(&inbox.status().await.map_err(failed)?),
            Task::Dead(limit) => {
                let dead = inbox.dead_letters(limit).await.map_err(failed)?;
                if out.json {
                    return out.json(&dead);
                }
                let rows: Vec<Vec<String>> = dead
                    .iter()
                    .map(|d| {
                        vec![
                            d.id.to_string(),
                            safe(&d.waba_id),
                            safe(d.field.as_deref().unwrap_or("-")),
                            d.attempts.to_string(),
                            safe(&d.reason),
                        ]
                    })
                    .collect();
                crate::output::emit(&table(
                    &["ID", "WABA", "FIELD", "ATTEMPTS", "REASON"],
                    &rows,
                ))
            }
            Task::Replay(from) => {
                let changes = inbox.replay(from).await.map_err(failed)?;
                out.record(&Count { changes })
            }
            Task::Prune(before) => {
                let changes = inbox.prune(before).await.map_err(failed)?;
                out.record(&Count { changes })
            }
        }
    }
}

/// An action with its flags read.
enum Task {
    Status,
    Dead(usize),
    Replay(Replay),
    Prune(SystemTime),
}

/// A duration such as `30d`, `12h`, `90m`.
fn duration(text: &str, flag: &str) -> Result<Duration, Failure> {
    humantime::parse_duration(text.trim())
        .map_err(|e| Failure::Usage(format!("invalid {flag}: {text:?}: {e} (such as 30d, 12h)")))
}

/// An RFC 3339 time, or a duration ago.
pub(crate) fn time(text: &str) -> Result<SystemTime, Failure> {
    time_flag(text, "--from")
}

/// A time flag: RFC 3339, or a while ago (`2h`).
pub(crate) fn time_flag(text: &str, flag: &str) -> Result<SystemTime, Failure> {
    let text = text.trim();
    if let Ok(at) = humantime::parse_rfc3339_weak(text) {
        return Ok(at);
    }
    let ago = duration(text, flag).map_err(|_| {
        Failure::Usage(format!(
            "invalid {flag}: {text:?} (an RFC 3339 time such as 2026-12-01T09:30:00Z, or a while ago such as 2h)"
        ))
    })?;
    Ok(SystemTime::now()
        .checked_sub(ago)
        .unwrap_or(SystemTime::UNIX_EPOCH))
}
