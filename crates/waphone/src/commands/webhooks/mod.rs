//! `webhooks listen|consume|inbox`: Graph's webhooks stored before they are answered,
//! handed on at least once, and the inbox they wait in.
//!
//! Graph sends a webhook again until it is answered 200, and never after. `listen`
//! therefore stores each verified delivery in an inbox (an SQLite file by default,
//! PostgreSQL for several machines) and answers 200 only once it is committed; `consume`
//! hands each change on and marks it done only after it was printed and flushed (or its
//! command exited 0); `inbox` reports, replays and prunes.

mod consume;
pub(crate) mod inbox;
pub(crate) mod listen;
pub(crate) mod location;
mod print;
pub(crate) mod stop;

use clap::Subcommand;

use crate::failure::Failure;
use crate::session::Global;

pub use consume::ConsumeArgs;
pub use inbox::InboxArgs;
pub use listen::ListenArgs;

/// `webhooks` subcommands.
#[derive(Debug, Subcommand)]
pub enum WebhooksAction {
    /// Receive Graph's webhooks: each verified delivery is stored in the inbox before it
    /// is answered 200 (503 while the inbox cannot keep it, so that Graph sends it again).
    Listen(ListenArgs),
    /// Hand each stored change on, at least once: print it (or run --exec with it) and
    /// mark it done after that; in order per account, failures retried.
    Consume(ConsumeArgs),
    /// The inbox: status, dead letters, replay, prune.
    Inbox(InboxArgs),
}

impl WebhooksAction {
    /// Runs the subcommand.
    pub async fn run(&self, global: &Global) -> Result<(), Failure> {
        match self {
            WebhooksAction::Listen(args) => args.run(global).await,
            WebhooksAction::Consume(args) => args.run(global).await,
            WebhooksAction::Inbox(args) => args.run(global).await,
        }
    }
}
