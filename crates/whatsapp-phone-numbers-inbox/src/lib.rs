//! A durable inbox for WhatsApp Business webhooks: **stored before acknowledged**, consumed
//! **at least once**, **in order per account**, with replay, retention and dead letters.
//!
//! Graph sends a webhook again until it is answered 200 (for up to seven days on the
//! WhatsApp platform), and never after; it carries no event ID and has no replay API. A
//! receiver that answers first loses what a crash catches between the answer and the work.
//! An [`Inbox`] is a [`DeliveryStore`]: the facade's store-first receiver
//! (`WebhookReceiver::router_with_store`) answers Graph 200 only once the inbox committed the
//! delivery, and 503 when it could not, so that Graph sends it again.
//!
//! - Each verified delivery is kept as received (the raw body, its signature, the app it
//!   was signed for, when it came) with **one row per change** and a deduplication key
//!   (why that key: see below), so Graph's resends are kept once and answered 200 again. A
//!   part that is not a readable change is kept as a **dead letter** with the reason; the
//!   body's other changes are kept as usual.
//! - Values are kept **raw**, exactly as Graph wrote them, and typed when consumed with the
//!   consumer's version ([`Change::decode`]), so a newer SDK reads old rows and nothing Graph
//!   sent is dropped.
//! - [`Inbox::consume`] hands changes out oldest first under a **lease**; `Ok` marks one
//!   done, `Err` retries it with backoff, the last failure makes it a dead letter. An
//!   account's changes go one at a time, in order, across every consumer.
//! - [`Inbox::replay`] hands finished changes out again (from a time or a row ID),
//!   [`Inbox::prune`] deletes finished ones older than a time, [`Inbox::status`] and
//!   [`Inbox::dead_letters`] report.
//!
//! The **deduplication key** is the SHA-256 of the app, the entry's ID (the account), the
//! field, the entry's time and the value's canonical JSON. A resend repeats all five; two
//! apps' copies differ by the app (each app acts on its own); a real repeat later (flagged,
//! unflagged, flagged again) carries another time; the canonical form ignores spacing and
//! key order.
//!
//! # Stores
//!
//! | feature | location | for |
//! |---|---|---|
//! | `sqlite` (default) | `sqlite:PATH` | one machine: a file created on first use; WAL with durable commits; concurrent deliveries share one commit |
//! | `postgres` | `postgres://user@host/db` | several receivers behind a load balancer and several consumers sharing one database |
//!
//! ```no_run
//! use whatsapp_phone_numbers::webhooks::{ServeLimits, WebhookReceiver, serve};
//! use whatsapp_phone_numbers::{AppSecret, v24_0};
//! use whatsapp_phone_numbers_inbox::{ConsumeOptions, Inbox};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let inbox = Inbox::open("sqlite:/var/lib/myapp/webhooks.sqlite3").await?;
//! let receiver = WebhookReceiver::new(AppSecret::new(std::env::var("WHATSAPP_APP_SECRET")?)?);
//! let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
//! tokio::spawn(serve(listener, receiver.router_with_store(inbox.clone()), ServeLimits::default(), std::future::pending()));
//!
//! inbox
//!     .consume(&ConsumeOptions::default(), |change| async move {
//!         if let v24_0::webhooks::Change::PhoneNumberQualityUpdate(update) = change.decode::<v24_0::Version>() {
//!             println!("{}: {:?}", change.waba_id, update.event);
//!         }
//!         Ok(())
//!     })
//!     .await?;
//! # Ok(()) }
//! ```
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod backend;
mod consume;
mod error;
pub mod fleet;
mod model;
#[cfg(feature = "postgres")]
mod postgres;
mod record;
#[cfg(feature = "sqlite")]
mod sqlite;

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::SystemTime;

pub use consume::{ConsumeOptions, Consumed, HandlerError};
pub use error::InboxError;
pub use model::{Change, DeadLetter, Inserted, Replay, Status};
use whatsapp_phone_numbers::webhooks::{DeliveryStore, Received, StoreError};

use crate::backend::Backend;

/// Where an inbox lives: `sqlite:PATH` or `postgres://...` (`postgresql://` too).
#[derive(Clone, PartialEq, Eq)]
pub enum Location {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection string.
    Postgres(String),
}

impl FromStr for Location {
    type Err = InboxError;

    fn from_str(text: &str) -> Result<Self, InboxError> {
        let text = text.trim();
        if let Some(path) = text.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() {
                return Err(InboxError::new("sqlite: needs a file path (sqlite:PATH)"));
            }
            return Ok(Location::Sqlite(PathBuf::from(path)));
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(Location::Postgres(text.to_owned()));
        }
        Err(InboxError::new(
            "an inbox is sqlite:PATH or postgres://USER@HOST/DATABASE",
        ))
    }
}

impl fmt::Display for Location {
    /// The location without a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Sqlite(path) => write!(f, "sqlite:{}", path.display()),
            Location::Postgres(url) => f.write_str(&without_password(url)),
        }
    }
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Location({self})")
    }
}

/// A PostgreSQL URL with the password (and any `password=` parameter) cut out.
fn without_password(url: &str) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let base = match base.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((credentials, host)) => {
                let user = credentials.split(':').next().unwrap_or_default();
                if credentials.contains(':') {
                    format!("{scheme}://{user}:<redacted>@{host}")
                } else {
                    format!("{scheme}://{user}@{host}")
                }
            }
            None => base.to_owned(),
        },
        None => base.to_owned(),
    };
    if query.is_empty() {
        return base;
    }
    let query: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=<redacted>"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{base}?{}", query.join("&"))
}

/// A durable inbox of webhook deliveries (see the [crate docs](crate)). Cheap to clone;
/// clones share the store.
#[derive(Clone)]
pub struct Inbox {
    backend: Arc<dyn Backend>,
    location: Location,
}

impl fmt::Debug for Inbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inbox")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

impl Inbox {
    /// Opens the inbox at `location` (`sqlite:PATH`, `postgres://...`), creating and
    /// migrating its store when needed.
    pub async fn open(location: &str) -> Result<Self, InboxError> {
        Self::open_at(location.parse()?).await
    }

    /// Opens the inbox at `location`: it must be reachable and writable now.
    pub async fn open_at(location: Location) -> Result<Self, InboxError> {
        Self::connect(location, true).await
    }

    /// The inbox at `location`, whether or not its store can be reached now: every
    /// operation fails until it can (a receiver answers 503 meanwhile), and then works,
    /// without a restart. For a receiver that must come up even while its database is
    /// down.
    pub async fn open_later(location: Location) -> Result<Self, InboxError> {
        Self::connect(location, false).await
    }

    async fn connect(location: Location, check: bool) -> Result<Self, InboxError> {
        let backend: Arc<dyn Backend> = match &location {
            #[cfg(feature = "sqlite")]
            Location::Sqlite(path) => Arc::new(sqlite::Sqlite::open(path, check).await?),
            #[cfg(feature = "postgres")]
            Location::Postgres(url) => Arc::new(postgres::Postgres::open(url, check).await?),
            #[allow(unreachable_patterns)]
            other => {
                return Err(InboxError::new(format!(
                    "this build has no store for {other} (features `sqlite`, `postgres`)"
                )));
            }
        };
        Ok(Self { backend, location })
    }

    /// Where it lives (without a password).
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Keeps a verified delivery: committed when this answers `Ok`.
    pub async fn store(&self, delivery: Received) -> Result<Inserted, InboxError> {
        self.backend.insert(record::prepare(delivery)).await
    }

    /// How many changes are in each state.
    pub async fn status(&self) -> Result<Status, InboxError> {
        self.backend.status().await
    }

    /// Whether any change waits to be consumed (pending or leased): cheaper than
    /// [`status`](Self::status), which counts every row.
    pub async fn has_backlog(&self) -> Result<bool, InboxError> {
        self.backend.has_backlog().await
    }

    /// The dead letters, oldest first (at most `limit`).
    pub async fn dead_letters(&self, limit: usize) -> Result<Vec<DeadLetter>, InboxError> {
        self.backend.dead_letters(limit).await
    }

    /// Hands finished changes and dead letters out again (not parts that were never
    /// readable changes); answers how many.
    pub async fn replay(&self, from: Replay) -> Result<u64, InboxError> {
        self.backend.replay(from).await
    }

    /// Deletes changes finished before `before` (and deliveries left without changes);
    /// answers how many changes. Pending changes and dead letters stay.
    pub async fn prune(&self, before: SystemTime) -> Result<u64, InboxError> {
        self.backend.prune(before).await
    }
}

impl DeliveryStore for Inbox {
    async fn store(&self, delivery: Received) -> Result<(), StoreError> {
        Inbox::store(self, delivery)
            .await
            .map(drop)
            .map_err(StoreError::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_parse_and_never_show_a_password() {
        assert_eq!(
            "sqlite:/tmp/x.db".parse::<Location>().unwrap(),
            Location::Sqlite("/tmp/x.db".into())
        );
        assert_eq!(
            "sqlite:///tmp/x.db".parse::<Location>().unwrap(),
            Location::Sqlite("/tmp/x.db".into())
        );
        assert!("sqlite:".parse::<Location>().is_err());
        assert!("mysql://x".parse::<Location>().is_err());
        let pg: Location =
            "postgres://inbox:s3cret@127.0.0.1:5433/db?sslmode=disable&password=s3cret"
                .parse()
                .unwrap();
        let shown = format!("{pg} {pg:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(
            shown.contains("postgres://inbox:<redacted>@127.0.0.1:5433/db"),
            "{shown}"
        );
    }
}
