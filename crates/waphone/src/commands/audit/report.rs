//! The audit's output as accounts are read: rows written into the JSON document at once, or
//! kept for the table.

use serde::ser::SerializeSeq;
use serde_json::ser::{Compound, PrettyFormatter};
use whatsapp_phone_numbers::Error;

use super::AuditRow;
use crate::failure::Failure;

/// The JSON document's array of rows, written a row at a time.
type JsonRows<'s> = Compound<'s, Vec<u8>, PrettyFormatter<'static>>;

/// What the audit found, as the output needs it once every account is read.
#[derive(Default)]
pub(super) struct Tally {
    /// The rows kept for the table (none with `--json`: they are in the document).
    pub(super) rows: Vec<AuditRow<'static>>,
    /// One row per account that could not be read; printed last.
    pub(super) failed: Vec<AuditRow<'static>>,
    /// Accounts audited, read or not.
    pub(super) accounts: usize,
    /// Whether a number is at risk.
    pub(super) at_risk: bool,
}

/// The audit's output, built as accounts are read: with `--json` each row is written into
/// the document at once (the text it borrows from its number is copied only into the
/// document), otherwise rows are kept for the table. The rows of accounts that could not be
/// read come last either way.
pub(super) struct Report<'s> {
    json: Option<JsonRows<'s>>,
    tally: Tally,
}

impl<'s> Report<'s> {
    pub(super) fn new(json: Option<JsonRows<'s>>) -> Self {
        Self {
            json,
            tally: Tally::default(),
        }
    }

    /// One account's rows, or the error that kept them from being read.
    pub(super) fn account<'r>(
        &mut self,
        waba: &str,
        rows: Result<impl IntoIterator<Item = AuditRow<'r>>, Error>,
    ) -> Result<(), Failure> {
        let tally = &mut self.tally;
        tally.accounts += 1;
        match rows {
            Err(error) => tally.failed.push(AuditRow::failed(waba, &error)),
            Ok(rows) => {
                for row in rows {
                    tally.at_risk |= row.at_risk;
                    match &mut self.json {
                        Some(document) => document.serialize_element(&row).map_err(encode)?,
                        None => tally.rows.push(row.into_owned()),
                    }
                }
            }
        }
        Ok(())
    }

    /// Closes the document, the failed accounts' rows last, and answers the tally.
    pub(super) fn finish(self) -> Result<Tally, Failure> {
        if let Some(mut document) = self.json {
            for row in &self.tally.failed {
                document.serialize_element(row).map_err(encode)?;
            }
            SerializeSeq::end(document).map_err(encode)?;
        }
        Ok(self.tally)
    }
}

pub(super) fn encode(error: serde_json::Error) -> Failure {
    Failure::Local(format!("cannot encode the result: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::ser::Serializer as _;
    use whatsapp_phone_numbers::v23_0::Version;

    use super::super::tests::number;

    /// The document written row by row is the one printing all rows at once would give.
    #[test]
    fn the_streamed_document_is_the_pretty_document_of_its_rows() {
        let numbers = [number("FLAGGED", "RED"), number("CONNECTED", "GREEN")];
        let refused = Error::InvalidInput(whatsapp_phone_numbers::InvalidInput {
            field: "waba_id",
            reason: "is refused".into(),
        });
        let write = |accounts: &[(&str, bool)]| {
            let mut document =
                serde_json::Serializer::with_formatter(Vec::new(), PrettyFormatter::new());
            let mut report = Report::new(Some(document.serialize_seq(None).unwrap()));
            for (waba, readable) in accounts {
                let rows = if *readable {
                    Ok(numbers.iter().map(|n| AuditRow::of::<Version>(waba, n)))
                } else {
                    Err(refused.clone())
                };
                report.account(waba, rows).unwrap();
            }
            let tally = report.finish().unwrap();
            (document.into_inner(), tally)
        };
        let (streamed, tally) = write(&[("1", true), ("2", false), ("3", true)]);
        assert_eq!(
            (tally.accounts, tally.at_risk, tally.failed.len()),
            (3, true, 1)
        );
        assert!(
            tally.rows.is_empty(),
            "with --json the rows are in the document only"
        );
        let all: Vec<AuditRow> = ["1", "3"]
            .iter()
            .flat_map(|waba| numbers.iter().map(|n| AuditRow::of::<Version>(waba, n)))
            .chain([AuditRow::failed("2", &refused)])
            .collect();
        assert_eq!(
            String::from_utf8(streamed).unwrap(),
            serde_json::to_string_pretty(&all).unwrap()
        );
        let (empty, tally) = write(&[]);
        assert_eq!((empty.as_slice(), tally.accounts), (&b"[]"[..], 0));
    }

    #[test]
    fn without_json_the_rows_are_kept_owned_for_the_table() {
        let numbers = [number("CONNECTED", "GREEN")];
        let mut report = Report::new(None);
        let waba = String::from("7");
        report
            .account(
                &waba,
                Ok(numbers.iter().map(|n| AuditRow::of::<Version>(&waba, n))),
            )
            .unwrap();
        drop(waba);
        let tally = report.finish().unwrap();
        assert_eq!(tally.rows.len(), 1);
        assert_eq!(tally.rows[0].waba_id, "7");
        assert!(!tally.at_risk);
    }
}
