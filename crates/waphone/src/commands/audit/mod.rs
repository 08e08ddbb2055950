//! `audit [<WABA_ID>...]`: every number of the given accounts, flagging those at risk.

use std::borrow::Cow;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::Args;
use futures_util::stream::FuturesUnordered;
use futures_util::{StreamExt, TryStreamExt};
use serde::Serialize;
use serde::ser::Serializer as _;
use serde_json::ser::PrettyFormatter;
use whatsapp_phone_numbers::view::{BusinessAccount as _, PhoneNumber as _};
use whatsapp_phone_numbers::{Error, Field, GraphVersion, NumberRisk, OpenEnum};

use super::done;
use super::list::text;
use crate::failure::{self, Failure};
use crate::output::{emit, emit_line, table};
use crate::session::Session;

mod report;

use report::{Report, Tally, encode};

/// `audit [<WABA_ID>...] [--business BUSINESS_ID [--client]] [--concurrency N]`
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// WhatsApp Business Account IDs (with --mock and none: the demo account).
    pub waba_ids: Vec<String>,
    /// Audit every account this business portfolio owns.
    #[arg(long, value_name = "BUSINESS_ID")]
    pub business: Option<String>,
    /// With --business: also the accounts clients shared with it.
    #[arg(long, requires = "business")]
    pub client: bool,
    /// Accounts named by ID read at the same time, at most. Fewer while Graph reports usage
    /// near the rate limit: the client's throttle suggests how many (one from 95%).
    /// `--business` reads pages of 100 accounts with their numbers (several pages per
    /// batch call), and larger accounts' further pages in batch requests.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
}

/// The fields the audit reads.
const FIELDS: &[&str] = &[
    "id",
    "display_phone_number",
    "verified_name",
    "status",
    "quality_rating",
    "messaging_limit_tier",
    "whatsapp_business_manager_messaging_limit",
    "name_status",
];

/// One audited number. Enumerations keep Graph's text, known or not. The text is borrowed
/// from the number it describes while that number is at hand (a row written into the JSON
/// document at once copies nothing), owned once the row outlives it.
#[derive(Debug, Serialize)]
pub struct AuditRow<'a> {
    /// The account it belongs to.
    pub waba_id: Cow<'a, str>,
    /// Phone number ID.
    pub id: Option<Cow<'a, str>>,
    /// The number as displayed.
    pub display_phone_number: Option<Cow<'a, str>>,
    /// Reviewed display name.
    pub verified_name: Option<Cow<'a, str>>,
    /// Operating status.
    pub status: Option<Cow<'a, str>>,
    /// Quality rating.
    pub quality_rating: Option<Cow<'a, str>>,
    /// The messaging limit: `whatsapp_business_manager_messaging_limit`, or the deprecated
    /// `messaging_limit_tier` when only that is present.
    pub messaging_limit: Option<Cow<'a, str>>,
    /// The deprecated `messaging_limit_tier`, as Graph sent it (now usually null).
    pub messaging_limit_tier: Option<Cow<'a, str>>,
    /// Display name review status.
    pub name_status: Option<Cow<'a, str>>,
    /// Whether the number needs attention.
    pub at_risk: bool,
    /// Why: `quality RED`, `status FLAGGED`, ...
    pub reasons: Vec<String>,
    /// For an account whose numbers could not be read: the error (the other fields are
    /// empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

fn text_of<T: OpenEnum>(value: Option<&T>) -> Option<Cow<'_, str>> {
    value.map(|v| Cow::Borrowed(v.as_str()))
}

impl<'a> AuditRow<'a> {
    /// The row of one number of any version, borrowing its text.
    pub fn of<V: GraphVersion>(waba_id: &'a str, number: &'a V::PhoneNumber) -> Self {
        let reasons: Vec<String> = NumberRisk::<V>::risk(number)
            .reasons()
            .iter()
            .map(ToString::to_string)
            .collect();
        Self {
            waba_id: Cow::Borrowed(waba_id),
            id: number.id().map(Cow::Borrowed),
            display_phone_number: number.display_phone_number().map(Cow::Borrowed),
            verified_name: number.verified_name().map(Cow::Borrowed),
            status: text_of(number.status()),
            quality_rating: text_of(number.quality_rating()),
            messaging_limit: text_of(number.whatsapp_business_manager_messaging_limit())
                .or_else(|| text_of(number.messaging_limit_tier())),
            messaging_limit_tier: text_of(number.messaging_limit_tier()),
            name_status: text_of(number.name_status()),
            at_risk: !reasons.is_empty(),
            reasons,
            error: None,
        }
    }

    /// The same row, owning its text (to outlive the number it was read from).
    fn into_owned(self) -> AuditRow<'static> {
        let owned = |text: Option<Cow<'a, str>>| text.map(|t| Cow::Owned(t.into_owned()));
        AuditRow {
            waba_id: Cow::Owned(self.waba_id.into_owned()),
            id: owned(self.id),
            display_phone_number: owned(self.display_phone_number),
            verified_name: owned(self.verified_name),
            status: owned(self.status),
            quality_rating: owned(self.quality_rating),
            messaging_limit: owned(self.messaging_limit),
            messaging_limit_tier: owned(self.messaging_limit_tier),
            name_status: owned(self.name_status),
            at_risk: self.at_risk,
            reasons: self.reasons,
            error: self.error,
        }
    }

    /// The row of an account whose numbers could not be read.
    fn failed(waba_id: &str, error: &Error) -> AuditRow<'static> {
        AuditRow {
            waba_id: Cow::Owned(waba_id.to_owned()),
            id: None,
            display_phone_number: None,
            verified_name: None,
            status: None,
            quality_rating: None,
            messaging_limit: None,
            messaging_limit_tier: None,
            name_status: None,
            at_risk: false,
            reasons: Vec::new(),
            error: Some(error.to_string().replace(['\r', '\n'], " ")),
        }
    }
}

impl AuditArgs {
    /// The accounts named on the command line, checked before anything is sent (so a typo
    /// in the second account is a usage error, not a half-finished audit), or the demo
    /// account with `--mock` when neither IDs nor `--business` are given.
    fn named_accounts<V: GraphVersion>(
        &self,
        session: &Session<V>,
    ) -> Result<Vec<String>, Failure> {
        let numeric = |id: &str| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit());
        if let Some(bad) = self.waba_ids.iter().find(|w| !numeric(w)) {
            return Err(Failure::Usage(format!(
                "invalid waba_id: must be a numeric Graph ID, got {bad:?} (nothing was sent)"
            )));
        }
        if let Some(business) = self.business.as_deref().filter(|b| !numeric(b)) {
            return Err(Failure::Usage(format!(
                "invalid --business: must be a numeric Graph ID, got {business:?} (nothing was sent)"
            )));
        }
        if self.waba_ids.is_empty() && self.business.is_none() {
            return match session.demo_waba() {
                Some(demo) => Ok(vec![demo.to_owned()]),
                None => Err(Failure::Usage(
                    "audit needs a WABA_ID or --business (or --mock for the demo account)".into(),
                )),
            };
        }
        Ok(self.waba_ids.clone())
    }

    /// Audits the accounts. Every account that can be read is printed; an account whose
    /// numbers cannot be read appears with its error. Exit 1 after printing when one failed,
    /// else 3 when a number is at risk.
    pub async fn run<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        if self.concurrency == 0 {
            return Err(Failure::Usage("--concurrency must be at least 1".into()));
        }
        let named = self.named_accounts(session)?;
        let out = session.out;
        let fetched = AtomicUsize::new(0);
        let fields: Vec<V::PhoneNumberField> = FIELDS.iter().map(|f| Field::parse(f)).collect();
        // With --json the document is written as accounts are read; `document` is only
        // borrowed by the report until it is finished.
        let mut document =
            serde_json::Serializer::with_formatter(Vec::new(), PrettyFormatter::new());
        let json = if out.json {
            Some(document.serialize_seq(None).map_err(encode)?)
        } else {
            None
        };
        let mut report = Report::new(json);
        let audited = self.audit_each(session, &named, &fields, &fetched).await;
        let mut seen: std::collections::HashSet<String> =
            audited.iter().map(|(waba, _)| waba.clone()).collect();
        for (waba, rows) in audited {
            report.account(&waba, rows)?;
        }
        if let Some(business_id) = &self.business {
            self.audit_business(
                session,
                business_id,
                &fields,
                &fetched,
                &mut seen,
                &mut report,
            )
            .await?;
        }
        out.progress_done();
        let throttle = session.client.throttle_status();
        if throttle.delayed_requests > 0 {
            crate::to_stderr!(
                "note: {} request(s) were held back for {:.1} s in all: Graph reported usage \
                 near the rate limit (last reported: {:.0}%)",
                throttle.delayed_requests,
                throttle.total_delay.as_secs_f64(),
                throttle.highest_percent(),
            );
        }
        let Tally {
            rows,
            failed,
            accounts,
            at_risk,
        } = report.finish()?;
        if out.json {
            out.json_encoded(&document.into_inner())?;
        } else {
            print_table(&rows)?;
            for row in &failed {
                emit_line(&format!(
                    "account {}: {}",
                    row.waba_id,
                    crate::terminal::safe(row.error.as_deref().unwrap_or_default())
                ))?;
            }
            let reasons: Vec<Vec<String>> = rows.iter().map(|r| r.reasons.clone()).collect();
            let mut line = summary(&reasons, accounts);
            if !failed.is_empty() {
                line.push_str(&format!("; {} account(s) could not be read", failed.len()));
            }
            emit_line(&line)?;
        }
        Ok(if !failed.is_empty() {
            ExitCode::from(1)
        } else if at_risk {
            failure::at_risk()
        } else {
            done()
        })
    }

    /// The rows of the numbers one account lists, borrowing them, counted for the
    /// progress line as they are taken.
    fn rows_of<'a, V: GraphVersion>(
        session: &'a Session<V>,
        waba: &'a str,
        numbers: &'a [V::PhoneNumber],
        fetched: &'a AtomicUsize,
    ) -> impl Iterator<Item = AuditRow<'a>> + 'a {
        numbers.iter().map(move |number| {
            let n = fetched.fetch_add(1, Ordering::Relaxed) + 1;
            if session.out.progress && n.is_multiple_of(100) {
                session.out.progress(&format!("audited {n} numbers…"));
            }
            AuditRow::of::<V>(waba, number)
        })
    }

    /// The accounts named by ID, each read on its own (its number list, page by page), as
    /// many at once as the throttle suggests (at most --concurrency); results keep the
    /// order of the accounts.
    async fn audit_each<V: GraphVersion>(
        &self,
        session: &Session<V>,
        accounts: &[String],
        fields: &[V::PhoneNumberField],
        fetched: &AtomicUsize,
    ) -> Vec<(String, Result<Vec<AuditRow<'static>>, Error>)> {
        let audit_account = |index: usize| {
            let waba = accounts[index].as_str();
            async move {
                let numbers: Result<Vec<V::PhoneNumber>, Error> = session
                    .client
                    .business_account(waba)
                    .phone_numbers()
                    .list()
                    .fields(fields.iter().cloned())
                    .page_size(100)
                    .stream()
                    .try_collect()
                    .await;
                // The rows outlive the numbers (accounts finish out of order).
                let rows = numbers.map(|numbers| {
                    Self::rows_of(session, waba, &numbers, fetched)
                        .map(AuditRow::into_owned)
                        .collect()
                });
                (index, rows)
            }
        };
        let mut per_account: Vec<Option<Result<Vec<AuditRow<'static>>, Error>>> =
            accounts.iter().map(|_| None).collect();
        let mut in_flight = FuturesUnordered::new();
        let mut next = 0;
        loop {
            let limit = session
                .client
                .throttle_status()
                .suggested_concurrency(self.concurrency);
            while in_flight.len() < limit && next < accounts.len() {
                in_flight.push(audit_account(next));
                next += 1;
            }
            match in_flight.next().await {
                Some((index, result)) => per_account[index] = Some(result),
                None => break,
            }
        }
        accounts
            .iter()
            .cloned()
            .zip(per_account)
            // Every account is audited before the loop above ends.
            .filter_map(|(waba, result)| Some((waba, result?)))
            .collect()
    }

    /// The business's accounts (owned, then with --client the shared ones) with their
    /// numbers, read through Graph's field expansion: pages of 100 accounts with up to 100
    /// numbers each embedded, chained in batch calls after the first; the further pages of
    /// larger accounts go in Graph batch requests (50 pages per call). Graph's "reduce the
    /// amount of data" answer is met with smaller pages by the library, down to one account
    /// per page. Accounts already audited (in `seen`) are skipped. Each account's rows go
    /// to the report as its numbers arrive.
    async fn audit_business<V: GraphVersion>(
        &self,
        session: &Session<V>,
        business_id: &str,
        fields: &[V::PhoneNumberField],
        fetched: &AtomicUsize,
        seen: &mut std::collections::HashSet<String>,
        report: &mut Report<'_>,
    ) -> Result<(), Failure> {
        let business = session.client.business(business_id);
        let mut lists = vec![business.owned_accounts()];
        if self.client {
            lists.push(business.client_accounts());
        }
        for list in lists {
            let mut accounts = list
                .fields([V::BusinessAccountField::parse("id")])
                .page_size(100)
                .with_phone_numbers(|numbers| numbers.fields(fields.iter().cloned()).limit(100))
                .stream();
            while let Some(read) = accounts.try_next().await? {
                let Some(waba) = read.account.id().map(str::to_owned) else {
                    continue;
                };
                if !seen.insert(waba.clone()) {
                    continue;
                }
                let rows = match read.error {
                    Some(error) => Err(error),
                    None => Ok(Self::rows_of(session, &waba, &read.numbers, fetched)),
                };
                report.account(&waba, rows)?;
            }
        }
        Ok(())
    }
}

fn print_table(rows: &[AuditRow]) -> Result<(), Failure> {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                text(r.id.as_deref()),
                text(r.display_phone_number.as_deref()),
                text(r.verified_name.as_deref()),
                text(r.status.as_deref()),
                text(r.quality_rating.as_deref()),
                text(r.messaging_limit.as_deref()),
                text(r.name_status.as_deref()),
                if r.at_risk {
                    "AT RISK".into()
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    emit(&table(
        &[
            "ID",
            "NUMBER",
            "VERIFIED NAME",
            "STATUS",
            "QUALITY",
            "TIER",
            "NAME STATUS",
            "",
        ],
        &cells,
    ))
}

/// `30 numbers in 1 account: 7 at risk (quality RED 3, status FLAGGED 2, ...)`.
pub fn summary(reasons_per_row: &[Vec<String>], accounts: usize) -> String {
    let mut reasons: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for reason in reasons_per_row.iter().flatten() {
        *reasons.entry(reason.as_str()).or_default() += 1;
    }
    let at_risk = reasons_per_row.iter().filter(|r| !r.is_empty()).count();
    let plural = if accounts == 1 { "account" } else { "accounts" };
    let mut line = format!(
        "{} numbers in {accounts} {plural}: {at_risk} at risk",
        reasons_per_row.len()
    );
    if !reasons.is_empty() {
        let parts: Vec<String> = reasons.iter().map(|(r, n)| format!("{r} {n}")).collect();
        line.push_str(&format!(" ({})", parts.join(", ")));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use whatsapp_phone_numbers::v23_0::{Version, types};

    /// A number with this status and quality rating (also for `report`'s tests).
    pub(super) fn number(status: &str, quality: &str) -> types::PhoneNumber {
        serde_json::from_value(serde_json::json!({"status": status, "quality_rating": quality}))
            .unwrap()
    }

    #[test]
    fn rows_carry_the_library_rule_as_text() {
        let risky = number("FLAGGED", "RED");
        let row = AuditRow::of::<Version>("1", &risky);
        assert!(row.at_risk);
        assert_eq!(row.reasons, ["quality RED", "status FLAGGED"]);
        assert_eq!(row.status.as_deref(), Some("FLAGGED"));
        let fine = number("CONNECTED", "GREEN");
        let row = AuditRow::of::<Version>("1", &fine);
        assert!(!row.at_risk && row.reasons.is_empty());
    }
}
