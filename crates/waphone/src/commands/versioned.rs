//! The commands that read phone numbers, written once and expanded for each Graph API
//! version, so that `--api-version v24.0` decodes with the v24.0 types.

/// Expands the read commands for one version module of the SDK.
macro_rules! version_commands {
    ($module:ident) => {
        /// Read commands bound to this version's types.
        pub mod $module {
            use std::sync::atomic::{AtomicUsize, Ordering};

            use futures_util::{StreamExt, TryStreamExt};
            use serde::Serialize;
            use whatsapp_phone_numbers::$module::{Client, types};
            use whatsapp_phone_numbers::{
                AccountNumberField, Error, Filter, PhoneNumberField as Field, Sort,
            };

            use crate::commands::phone_fields;
            use crate::failure::Failure;
            use crate::output::{emit, emit_line, table};
            use crate::session::Session;

            /// This version's client over the session's configuration.
            fn client(session: &Session) -> Client {
                Client::from(session.core.clone())
            }

            /// `get <ID> [--fields ..]`
            pub async fn get(
                session: &Session,
                id: &str,
                fields: &[String],
            ) -> Result<(), Failure> {
                let number = client(session)
                    .phone_number(id)
                    .get()
                    .fields(phone_fields(fields)?)
                    .await?;
                session.out.record(&*number)
            }

            /// `account-number <ID> [--fields ..]`
            pub async fn account_number(
                session: &Session,
                id: &str,
                fields: &[String],
            ) -> Result<(), Failure> {
                let fields = fields
                    .iter()
                    .map(|f| AccountNumberField::parse(f))
                    .collect::<Result<Vec<_>, _>>()?;
                let node = client(session)
                    .account_number(id)
                    .get()
                    .fields(fields)
                    .await?;
                session.out.record(&*node)
            }

            /// `list <WABA_ID> ...`
            pub async fn list(session: &Session, args: super::ListArgs<'_>) -> Result<(), Failure> {
                let mut request = client(session)
                    .business_account(args.waba_id)
                    .phone_numbers()
                    .list()
                    .fields(phone_fields(args.fields)?);
                if let Some(limit) = args.limit {
                    request = request.page_size(limit);
                }
                if let Some(after) = args.after {
                    request = request.after(after);
                }
                if let Some(sort) = args.sort {
                    request = request.sort(Sort::parse(sort)?);
                }
                for filter in args.filters {
                    request = request.filter(Filter::parse(filter)?);
                }
                let out = session.out;
                if args.all {
                    let mut numbers = Vec::new();
                    let mut stream = request.stream();
                    while let Some(number) = stream
                        .try_next()
                        .await
                        .inspect_err(|_| out.progress_done())?
                    {
                        numbers.push(number);
                        if numbers.len() % 25 == 0 {
                            out.progress(&format!("fetched {} numbers…", numbers.len()));
                        }
                    }
                    out.progress_done();
                    if out.json {
                        return out.json(&numbers);
                    }
                    print_numbers(&numbers)?;
                    return emit_line(&format!("{} numbers", numbers.len()));
                }
                let page = request.await?;
                if out.json {
                    return out.json(&*page);
                }
                print_numbers(&page.data)?;
                match page
                    .paging
                    .as_ref()
                    .and_then(|p| p.next.as_ref().and(p.cursors.as_ref()))
                {
                    Some(cursors) => emit_line(&format!(
                        "{} numbers on this page; more with --after {}",
                        page.data.len(),
                        cursors.after.as_deref().unwrap_or("?")
                    )),
                    None => emit_line(&format!("{} numbers (last page)", page.data.len())),
                }
            }

            fn text<T: std::fmt::Display>(value: &Option<T>) -> String {
                value.as_ref().map_or_else(|| "-".to_owned(), T::to_string)
            }

            fn print_numbers(numbers: &[types::PhoneNumber]) -> Result<(), Failure> {
                let rows: Vec<Vec<String>> = numbers
                    .iter()
                    .map(|n| {
                        vec![
                            text(&n.id),
                            text(&n.display_phone_number),
                            text(&n.verified_name),
                            text(&n.status),
                            text(&n.quality_rating),
                        ]
                    })
                    .collect();
                emit(&format!(
                    "{}",
                    table(
                        &["ID", "NUMBER", "VERIFIED NAME", "STATUS", "QUALITY"],
                        &rows
                    )
                ))
            }

            /// One audited number.
            #[derive(Debug, Serialize)]
            pub struct AuditRow {
                /// The account it belongs to.
                pub waba_id: String,
                /// Phone number ID.
                pub id: Option<String>,
                /// The number as displayed.
                pub display_phone_number: Option<String>,
                /// Reviewed display name.
                pub verified_name: Option<String>,
                /// Operating status (unknown values keep Graph's text).
                pub status: Option<types::PhoneNumberStatus>,
                /// Quality rating.
                pub quality_rating: Option<types::QualityRating>,
                /// Messaging limit tier.
                pub messaging_limit_tier: Option<types::MessagingLimitTier>,
                /// Display name review status.
                pub name_status: Option<types::NameStatus>,
                /// Whether the number needs attention.
                pub at_risk: bool,
                /// Why: `quality RED`, `status FLAGGED`, ...
                pub reasons: Vec<String>,
            }

            /// Why a number is at risk: quality RED, or status FLAGGED, RESTRICTED, BANNED,
            /// RATE_LIMITED or DISCONNECTED. Empty when it is not.
            pub fn risk_reasons(number: &types::PhoneNumber) -> Vec<String> {
                use types::PhoneNumberStatus as S;
                let mut reasons = Vec::new();
                if number.quality_rating == Some(types::QualityRating::Red) {
                    reasons.push("quality RED".to_owned());
                }
                if let Some(
                    status @ (S::Flagged
                    | S::Restricted
                    | S::Banned
                    | S::RateLimited
                    | S::Disconnected),
                ) = &number.status
                {
                    reasons.push(format!("status {status}"));
                }
                reasons
            }

            /// `audit [<WABA_ID>...] [--concurrency N]`; returns whether any number is at risk.
            pub async fn audit(
                session: &Session,
                waba_ids: &[String],
                concurrency: usize,
            ) -> Result<bool, Failure> {
                let accounts: Vec<String> = match (waba_ids.is_empty(), &session.mock) {
                    (false, _) => waba_ids.to_vec(),
                    (true, Some(_)) => {
                        vec![whatsapp_phone_numbers_mock::demo::DEMO_WABA_ID.to_owned()]
                    }
                    (true, None) => {
                        return Err(Failure::Usage(
                            "audit needs at least one WABA_ID (or --mock for the demo account)"
                                .into(),
                        ));
                    }
                };
                if concurrency == 0 {
                    return Err(Failure::Usage("--concurrency must be at least 1".into()));
                }
                // Every ID is checked before anything is sent, so a typo in the second
                // account is a usage error, not a half-finished audit.
                if let Some(bad) = accounts
                    .iter()
                    .find(|w| w.is_empty() || !w.bytes().all(|b| b.is_ascii_digit()))
                {
                    return Err(Failure::Usage(format!(
                        "invalid waba_id: must be a numeric Graph ID, got {bad:?} (nothing was sent)"
                    )));
                }
                let out = session.out;
                let fetched = AtomicUsize::new(0);
                let per_account: Vec<Result<Vec<AuditRow>, Error>> =
                    futures_util::stream::iter(accounts.iter())
                        .map(|waba| {
                            let fetched = &fetched;
                            async move {
                                let mut rows = Vec::new();
                                let mut numbers = client(session)
                                    .business_account(waba.as_str())
                                    .phone_numbers()
                                    .list()
                                    .fields([
                                        Field::Id,
                                        Field::DisplayPhoneNumber,
                                        Field::VerifiedName,
                                        Field::Status,
                                        Field::QualityRating,
                                        Field::MessagingLimitTier,
                                        Field::NameStatus,
                                    ])
                                    .page_size(100)
                                    .stream();
                                while let Some(number) = numbers.try_next().await? {
                                    let n = fetched.fetch_add(1, Ordering::Relaxed) + 1;
                                    out.progress(&format!("audited {n} numbers…"));
                                    let reasons = risk_reasons(&number);
                                    rows.push(AuditRow {
                                        waba_id: waba.clone(),
                                        id: number.id,
                                        display_phone_number: number.display_phone_number,
                                        verified_name: number.verified_name,
                                        status: number.status,
                                        quality_rating: number.quality_rating,
                                        messaging_limit_tier: number.messaging_limit_tier,
                                        name_status: number.name_status,
                                        at_risk: !reasons.is_empty(),
                                        reasons,
                                    });
                                }
                                Ok(rows)
                            }
                        })
                        .buffered(concurrency)
                        .collect()
                        .await;
                out.progress_done();
                let mut rows = Vec::new();
                for result in per_account {
                    rows.extend(result?);
                }
                let at_risk = rows.iter().filter(|r| r.at_risk).count();
                if out.json {
                    out.json(&rows)?;
                } else {
                    print_table(&rows)?;
                    let reasons: Vec<Vec<String>> =
                        rows.iter().map(|r| r.reasons.clone()).collect();
                    emit_line(&super::summary(&reasons, accounts.len()))?;
                }
                Ok(at_risk > 0)
            }

            fn print_table(rows: &[AuditRow]) -> Result<(), Failure> {
                let cells: Vec<Vec<String>> = rows
                    .iter()
                    .map(|r| {
                        vec![
                            text(&r.id),
                            text(&r.display_phone_number),
                            text(&r.verified_name),
                            text(&r.status),
                            text(&r.quality_rating),
                            text(&r.messaging_limit_tier),
                            text(&r.name_status),
                            if r.at_risk {
                                "AT RISK".into()
                            } else {
                                String::new()
                            },
                        ]
                    })
                    .collect();
                emit(&format!(
                    "{}",
                    table(
                        &[
                            "ID",
                            "NUMBER",
                            "VERIFIED NAME",
                            "STATUS",
                            "QUALITY",
                            "TIER",
                            "NAME STATUS",
                            ""
                        ],
                        &cells
                    )
                ))
            }
        }
    };
}

version_commands!(v23_0);
version_commands!(v24_0);

/// The options of `list`.
pub struct ListArgs<'a> {
    /// Account.
    pub waba_id: &'a str,
    /// `--fields`.
    pub fields: &'a [String],
    /// `--limit`.
    pub limit: Option<u32>,
    /// `--all`.
    pub all: bool,
    /// `--after`.
    pub after: Option<&'a str>,
    /// `--sort`.
    pub sort: Option<&'a str>,
    /// `--filter`.
    pub filters: &'a [String],
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
    use super::v23_0::*;
    use whatsapp_phone_numbers::v23_0::types;

    fn number(status: &str, quality: &str) -> types::PhoneNumber {
        serde_json::from_value(serde_json::json!({"status": status, "quality_rating": quality}))
            .unwrap()
    }

    #[test]
    fn risk_rules() {
        assert!(risk_reasons(&number("CONNECTED", "GREEN")).is_empty());
        assert_eq!(risk_reasons(&number("CONNECTED", "RED")), ["quality RED"]);
        for status in [
            "FLAGGED",
            "RESTRICTED",
            "BANNED",
            "RATE_LIMITED",
            "DISCONNECTED",
        ] {
            assert_eq!(
                risk_reasons(&number(status, "GREEN")),
                [format!("status {status}")]
            );
        }
        assert!(risk_reasons(&number("PENDING", "NA")).is_empty());
        assert!(risk_reasons(&number("SOMETHING_NEW", "PURPLE")).is_empty());
    }
}
