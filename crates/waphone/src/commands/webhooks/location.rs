//! Where the inbox is: `--inbox` (or `WAPHONE_INBOX`), else an SQLite file at a default
//! path every `webhooks` subcommand agrees on.

use std::path::PathBuf;

use clap::Args;
use whatsapp_phone_numbers_inbox::{Inbox, Location};

use crate::failure::Failure;

/// `--inbox LOCATION`
#[derive(Debug, Args)]
pub struct InboxFlag {
    /// The inbox: `sqlite:PATH` or `postgres://USER@HOST:PORT/DATABASE` (default: an SQLite
    /// file in $XDG_DATA_HOME/waphone, else ~/.local/share/waphone: `inbox.sqlite3`).
    #[arg(long, env = "WAPHONE_INBOX", value_name = "LOCATION")]
    pub inbox: Option<String>,
}

impl InboxFlag {
    /// The location asked for, or the default one.
    pub fn location(&self) -> Result<Location, Failure> {
        match &self.inbox {
            Some(text) => text
                .parse()
                .map_err(|e| Failure::Usage(format!("invalid --inbox: {e}"))),
            None => default_path().map(Location::Sqlite),
        }
    }

    /// The inbox, which must be reachable now (for commands that read it).
    pub async fn open(&self) -> Result<Inbox, Failure> {
        let location = self.location()?;
        Inbox::open_at(location.clone())
            .await
            .map_err(|e| Failure::Local(format!("cannot open the inbox {location}: {e}")))
    }
}

/// `$XDG_DATA_HOME/waphone/inbox.sqlite3`, else `$HOME/.local/share/waphone/inbox.sqlite3`.
pub fn default_path() -> Result<PathBuf, Failure> {
    let non_empty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    let base = match (non_empty("XDG_DATA_HOME"), non_empty("HOME")) {
        (Some(data), _) => PathBuf::from(data),
        (None, Some(home)) => PathBuf::from(home).join(".local/share"),
        (None, None) => {
            return Err(Failure::Usage(
                "no default inbox: neither XDG_DATA_HOME nor HOME is set; give --inbox sqlite:PATH"
                    .into(),
            ));
        }
    };
    Ok(base.join("waphone").join("inbox.sqlite3"))
}
