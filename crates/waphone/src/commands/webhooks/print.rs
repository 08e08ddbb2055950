//! `listen --no-inbox`: each change printed as one JSON line, its value exactly as Graph
//! sent it, and answered once stdout took it.

use std::io::Write;
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use serde::Serialize;
use serde_json::value::RawValue;
use tokio::sync::Notify;
use whatsapp_phone_numbers::webhooks::{DeliveryStore, Received, StoreError, envelope};

/// A "store" that prints: a delivery is answered 200 once its lines are flushed to stdout,
/// 503 when stdout is slower than the receiver's store deadline, and 503 (and the listener
/// stops) once stdout is closed.
#[derive(Clone)]
pub struct PrintStore {
    closed: Arc<Notify>,
}

impl PrintStore {
    /// The store, and what it notifies when stdout closes.
    pub fn new() -> (Self, Arc<Notify>) {
        let closed = Arc::new(Notify::new());
        (
            Self {
                closed: closed.clone(),
            },
            closed,
        )
    }
}

/// One printed change.
#[derive(Serialize)]
struct Line<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    app_id: Option<&'a str>,
    waba_id: &'a str,
    field: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    time: Option<i64>,
    /// Unix milliseconds.
    received_at: u128,
    value: &'a RawValue,
}

/// The lines of `delivery`: one per readable change; unreadable parts go to stderr.
fn lines(delivery: &Received) -> Vec<u8> {
    let mut out = Vec::new();
    let received_at = delivery
        .received_at
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    let read = match envelope::read(&delivery.body) {
        Ok(read) => read,
        Err(error) => {
            crate::to_stderr!(
                "waphone: a signed delivery is not a notification: {}",
                crate::terminal::safe(&error.to_string())
            );
            return out;
        }
    };
    for part in &read.unreadable {
        crate::to_stderr!(
            "waphone: part of a delivery could not be read ({}); its other changes are printed",
            crate::terminal::safe(&part.reason.to_string())
        );
    }
    for change in &read.changes {
        let Ok(value) = serde_json::from_str::<&RawValue>(change.value) else {
            continue;
        };
        let line = Line {
            app_id: delivery.app_id.as_deref(),
            waba_id: &change.waba_id,
            field: &change.field,
            time: change.time,
            received_at,
            value,
        };
        if serde_json::to_writer(&mut out, &line).is_ok() {
            out.push(b'\n');
        }
    }
    out
}

impl DeliveryStore for PrintStore {
    async fn store(&self, delivery: Received) -> Result<(), StoreError> {
        let text = lines(&delivery);
        // Writing may block on a slow reader: off the async workers. The receiver's deadline
        // answers 503 meanwhile, and Graph sends it again (printed twice: at least once).
        let written = tokio::task::spawn_blocking(move || {
            let mut out = std::io::stdout().lock();
            out.write_all(&text).and_then(|()| out.flush())
        })
        .await
        .map_err(|e| StoreError::new(format!("cannot print: {e}")))?;
        match written {
            Ok(()) => Ok(()),
            Err(error) => {
                if error.kind() == std::io::ErrorKind::BrokenPipe {
                    self.closed.notify_one();
                }
                Err(StoreError::new(format!("cannot print: {error}")))
            }
        }
    }
}
