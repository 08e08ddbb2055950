//! `state` and `history`: the fleet as `watch` stored it, read without calling Graph.

use std::collections::BTreeMap;
use std::time::UNIX_EPOCH;

use clap::Args;
use serde::Serialize;
use whatsapp_phone_numbers::Risk;
use whatsapp_phone_numbers_inbox::fleet::{Entity, FleetChange, HistoryQuery, StateValue};

use super::webhooks::inbox::time_flag;
use super::webhooks::location::InboxFlag;
use crate::failure::Failure;
use crate::output::{Output, emit, table};
use crate::session::Global;
use crate::terminal::safe;

/// `state [--at-risk] [--inbox LOCATION]`
#[derive(Debug, Args)]
pub struct StateArgs {
    #[command(flatten)]
    pub inbox: InboxFlag,
    /// Only the numbers at risk (quality RED, or a status such as FLAGGED or RESTRICTED).
    #[arg(long)]
    pub at_risk: bool,
}

/// `history PHONE_ID|WABA_ID [--since TIME] [--limit N] [--inbox LOCATION]`
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// A phone number ID, or an account ID (its numbers' records too).
    pub id: String,
    #[command(flatten)]
    pub inbox: InboxFlag,
    /// Records made at or after this time: RFC 3339 (2026-12-01T09:30:00Z) or a while ago
    /// (2h, 30m, 7d).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// At most this many records, oldest first (0: all).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub limit: usize,
}

/// One number or account as stored: its fields, and its last change.
#[derive(Debug, Default, Serialize)]
struct Entry {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    waba_id: Option<String>,
    fields: BTreeMap<String, Option<String>>,
    at_risk: bool,
    changed_at_ms: i64,
    source: String,
}

/// What `state --json` prints.
#[derive(Debug, Serialize)]
struct Fleet {
    numbers: Vec<Entry>,
    accounts: Vec<Entry>,
}

fn at_risk(fields: &BTreeMap<String, Option<String>>) -> bool {
    let field = |name: &str| fields.get(name).and_then(Option::as_deref);
    Risk::from_wire(field("status"), field("quality_rating")).is_at_risk()
}

fn entries(values: Vec<StateValue>, entity: Entity) -> Vec<Entry> {
    let mut by_id: BTreeMap<String, Entry> = BTreeMap::new();
    for value in values.into_iter().filter(|v| v.entity == entity) {
        let entry = by_id.entry(value.id.clone()).or_insert_with(|| Entry {
            id: value.id.clone(),
            ..Entry::default()
        });
        if value.waba_id.is_some() {
            entry.waba_id = value.waba_id.clone();
        }
        if value.changed_at_ms >= entry.changed_at_ms {
            entry.changed_at_ms = value.changed_at_ms;
            entry.source = value.source.to_string();
        }
        entry.fields.insert(value.field, value.value);
    }
    let mut out: Vec<Entry> = by_id.into_values().collect();
    for entry in &mut out {
        entry.at_risk = entity == Entity::Number && at_risk(&entry.fields);
    }
    out
}

/// `2026-12-03T04:51:02Z`.
fn when(ms: i64) -> String {
    let at = UNIX_EPOCH + std::time::Duration::from_millis(u64::try_from(ms).unwrap_or(0));
    humantime::format_rfc3339_seconds(at).to_string()
}

impl StateArgs {
    /// Prints the stored fleet.
    pub async fn run(&self, global: &Global) -> Result<(), Failure> {
        let inbox = self.inbox.open().await?;
        let values = inbox
            .fleet_values()
            .await
            .map_err(|e| Failure::Local(format!("cannot read the fleet state: {e}")))?;
        let mut numbers = entries(values.clone(), Entity::Number);
        let accounts = entries(values, Entity::Account);
        if self.at_risk {
            numbers.retain(|n| n.at_risk);
        }
        let out = Output::new(global.json);
        if out.json {
            return out.json(&Fleet { numbers, accounts });
        }
        if numbers.is_empty() && accounts.is_empty() && !self.at_risk {
            return emit("nothing stored yet: `waphone watch` reads the fleet first\n");
        }
        let cell =
            |e: &Entry, f: &str| safe(e.fields.get(f).cloned().flatten().as_deref().unwrap_or("-"));
        let rows: Vec<Vec<String>> = numbers
            .iter()
            .map(|n| {
                vec![
                    safe(&n.id),
                    safe(n.waba_id.as_deref().unwrap_or("-")),
                    cell(n, "display_phone_number"),
                    cell(n, "status"),
                    cell(n, "quality_rating"),
                    cell(n, "messaging_limit"),
                    cell(n, "name_status"),
                    cell(n, "can_send_message"),
                    if n.at_risk {
                        "AT RISK".into()
                    } else {
                        String::new()
                    },
                    format!("{} ({})", when(n.changed_at_ms), n.source),
                ]
            })
            .collect();
        emit(&table(
            &[
                "ID",
                "ACCOUNT",
                "NUMBER",
                "STATUS",
                "QUALITY",
                "LIMIT",
                "NAME",
                "CAN SEND",
                "",
                "LAST CHANGE",
            ],
            &rows,
        ))?;
        let at_risk = numbers.iter().filter(|n| n.at_risk).count();
        emit(&format!(
            "{} numbers ({at_risk} at risk) in {} accounts\n",
            numbers.len(),
            accounts.len()
        ))
    }
}

impl HistoryArgs {
    /// Prints the records of one number or account.
    pub async fn run(&self, global: &Global) -> Result<(), Failure> {
        if self.id.is_empty() || !self.id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Failure::Usage(format!(
                "invalid id: must be a numeric phone number or account ID, got {:?}",
                self.id
            )));
        }
        let since_ms = self
            .since
            .as_deref()
            .map(|t| time_flag(t, "--since"))
            .transpose()?
            .map(|at| {
                at.duration_since(UNIX_EPOCH)
                    .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            });
        let inbox = self.inbox.open().await?;
        let records: Vec<FleetChange> = inbox
            .fleet_history(HistoryQuery {
                id: Some(self.id.clone()),
                since_ms,
                after_id: None,
                limit: self.limit,
            })
            .await
            .map_err(|e| Failure::Local(format!("cannot read the fleet history: {e}")))?;
        let out = Output::new(global.json);
        if out.json {
            return out.json(&records);
        }
        let rows: Vec<Vec<String>> = records
            .iter()
            .map(|r| {
                vec![
                    when(r.recorded_at_ms),
                    format!("{} {}", r.entity, safe(&r.entity_id)),
                    safe(&r.field),
                    format!(
                        "{} -> {}",
                        safe(r.old.as_deref().unwrap_or("-")),
                        safe(r.new.as_deref().unwrap_or("-"))
                    ),
                    if r.unannounced {
                        "resync (unannounced)".into()
                    } else {
                        r.source.to_string()
                    },
                ]
            })
            .collect();
        emit(&table(
            &["RECORDED", "WHAT", "FIELD", "CHANGE", "SOURCE"],
            &rows,
        ))?;
        emit(&format!("{} records\n", records.len()))
    }
}
