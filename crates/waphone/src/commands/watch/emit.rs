//! Handing each history record on: one JSON line on stdout, or `--exec`'s command, after it
//! was committed; marked handed on after that, so that a crash in between hands it on
//! again (at least once).

use std::time::Duration;

use whatsapp_phone_numbers::GraphVersion;
use whatsapp_phone_numbers_inbox::fleet::FleetChange;

use super::Watcher;
use crate::failure::Failure;
use crate::output::emit_line;

/// Records read from the store at a time.
const BATCH: usize = 500;

impl<V: GraphVersion> Watcher<'_, V> {
    /// Hands on every record not handed on yet, oldest first. A failing `--exec` is tried
    /// again every second, unless `stopping`: then what is left waits for the next run.
    pub(super) async fn emit(&self, stopping: bool) -> Result<(), Failure> {
        loop {
            let records = self
                .fleet
                .unemitted(BATCH)
                .await
                .map_err(|e| Failure::Local(format!("cannot read the fleet history: {e}")))?;
            let Some(last) = records.last().map(|r| r.id) else {
                return Ok(());
            };
            match &self.exec {
                None => {
                    let lines: Vec<String> = records.iter().map(FleetChange::to_json).collect();
                    emit_line(&lines.join("\n"))?;
                }
                Some(command) => {
                    for record in &records {
                        while let Err(why) = run_command(command, record).await {
                            if stopping {
                                crate::to_stderr!(
                                    "waphone: --exec failed for record {} ({why}); it and the records after it are handed on by the next run",
                                    record.id
                                );
                                return Ok(());
                            }
                            crate::to_stderr!(
                                "waphone: --exec failed for record {} ({why}); trying again in a second",
                                record.id
                            );
                            tokio::time::sleep(Duration::from_secs(1)).await;
                        }
                        self.fleet.mark_emitted(record.id).await.map_err(|e| {
                            Failure::Local(format!("cannot mark the fleet history: {e}"))
                        })?;
                    }
                }
            }
            self.fleet
                .mark_emitted(last)
                .await
                .map_err(|e| Failure::Local(format!("cannot mark the fleet history: {e}")))?;
            if records.len() < BATCH {
                return Ok(());
            }
        }
    }
}

/// Runs `command` with the record's JSON line on stdin: done when it exits 0.
async fn run_command(command: &str, record: &FleetChange) -> Result<(), String> {
    let env = [
        ("WAPHONE_ENTITY_ID", record.entity_id.as_str()),
        ("WAPHONE_FIELD", record.field.as_str()),
        ("WAPHONE_SOURCE", record.source.as_str()),
    ];
    crate::commands::exec::run(command, &env, &record.to_json()).await
}
