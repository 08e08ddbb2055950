//! The audit benchmark's baseline: what `waphone --json audit --business B --concurrency C`
//! does, written by hand the way a careful user would, with reqwest, serde_json and tokio.
//!
//! `raw_audit BUSINESS_ID CONCURRENCY`, with `WHATSAPP_BASE_URL` and `WHATSAPP_ACCESS_TOKEN`
//! in the environment. It lists the business's owned accounts (page size 100, `fields=id`),
//! then each account's numbers with the audit's 8 fields at page size 100, `CONCURRENCY`
//! accounts at a time, keeps one row per number (the same row waphone prints) and prints
//! them as one pretty JSON document. Exit 3 when a number is at risk, like waphone.
//!
//! `raw_audit BUSINESS_ID CONCURRENCY expand` reads the way `waphone audit --business` does
//! since it uses Graph's field expansion: pages of 100 accounts, each with its first 100
//! numbers embedded (`fields=id,phone_numbers.limit(100){...}`), and for an account with
//! more, the pages its embedded `paging.next` leads to, `CONCURRENCY` accounts at a time.
//! After the first page, the pages of accounts come in chains inside one batch call (2, 4,
//! 8, ... up to 50 items, each reading from the cursor of the one before it,
//! `{result=NAME:$.paging.cursors.after}`), as waphone reads them.

use std::io::Write;
use std::process::ExitCode;

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use workspace_benches::raw::{ListedNumber, Page, Raw};

/// The fields the audit reads, as the query sends them.
const FIELDS: &str = "id,display_phone_number,verified_name,status,quality_rating,\
                      messaging_limit_tier,whatsapp_business_manager_messaging_limit,name_status";

/// Statuses that put a number at risk.
const RISKY_STATUSES: &[&str] = &[
    "FLAGGED",
    "RESTRICTED",
    "BANNED",
    "RATE_LIMITED",
    "DISCONNECTED",
];

/// An owned account, `fields=id`.
#[derive(Deserialize)]
struct Account {
    id: String,
}

/// One audited number: the fields and order of waphone's `AuditRow`.
#[derive(Serialize)]
struct Row {
    waba_id: String,
    id: Option<String>,
    display_phone_number: Option<String>,
    verified_name: Option<String>,
    status: Option<String>,
    quality_rating: Option<String>,
    messaging_limit: Option<String>,
    messaging_limit_tier: Option<String>,
    name_status: Option<String>,
    at_risk: bool,
    reasons: Vec<String>,
}

impl Row {
    fn of(waba_id: &str, number: ListedNumber) -> Self {
        let mut reasons = Vec::new();
        if number.quality_rating.as_deref() == Some("RED") {
            reasons.push("quality RED".to_owned());
        }
        if let Some(status) = number.status.as_deref()
            && RISKY_STATUSES.contains(&status)
        {
            reasons.push(format!("status {status}"));
        }
        Self {
            waba_id: waba_id.to_owned(),
            id: number.id,
            display_phone_number: number.display_phone_number,
            verified_name: number.verified_name,
            status: number.status,
            quality_rating: number.quality_rating,
            messaging_limit: number
                .whatsapp_business_manager_messaging_limit
                .or_else(|| number.messaging_limit_tier.clone()),
            messaging_limit_tier: number.messaging_limit_tier,
            name_status: number.name_status,
            at_risk: !reasons.is_empty(),
            reasons,
        }
    }
}

/// Every item of a list, following `paging.next` from `first`, each turned into `f(item)`.
async fn all<T: serde::de::DeserializeOwned, R>(
    raw: &Raw,
    first: String,
    mut f: impl FnMut(T) -> R,
) -> Vec<R> {
    let mut items = Vec::new();
    let mut url = Some(first);
    while let Some(next) = url {
        let page: Page<T> = raw.get(&next).await;
        items.extend(page.data.into_iter().map(&mut f));
        url = page.paging.and_then(|p| p.next);
    }
    items
}

async fn audit(raw: &Raw, business: &str, concurrency: usize) -> Vec<Row> {
    let base = raw.base_url();
    let accounts: Vec<String> = all(
        raw,
        format!("{base}/v24.0/{business}/owned_whatsapp_business_accounts?fields=id&limit=100"),
        |account: Account| account.id,
    )
    .await;
    let per_account: Vec<Vec<Row>> = futures_util::stream::iter(&accounts)
        .map(|waba| {
            all(
                raw,
                format!("{base}/v24.0/{waba}/phone_numbers?fields={FIELDS}&limit=100"),
                |number: ListedNumber| Row::of(waba, number),
            )
        })
        .buffered(concurrency)
        .collect()
        .await;
    per_account.into_iter().flatten().collect()
}

/// An owned account with its numbers embedded.
#[derive(Deserialize)]
struct ExpandedAccount {
    id: String,
    phone_numbers: Option<Page<ListedNumber>>,
}

/// A page of expanded accounts, with the cursor a chain reads on from.
#[derive(Deserialize)]
struct ExpandedPage {
    data: Vec<ExpandedAccount>,
    paging: Option<ChainPaging>,
}

#[derive(Deserialize)]
struct ChainPaging {
    next: Option<String>,
    cursors: Option<Cursors>,
}

#[derive(Deserialize)]
struct Cursors {
    after: Option<String>,
}

impl ExpandedPage {
    /// The cursor of the next page, when there is one.
    fn next_cursor(&self) -> Option<String> {
        let paging = self.paging.as_ref()?;
        paging.next.as_ref()?;
        paging.cursors.as_ref()?.after.clone()
    }
}

async fn audit_expanded(raw: &Raw, business: &str, concurrency: usize) -> Vec<Row> {
    let base = raw.base_url();
    let relative = format!(
        "v24.0/{business}/owned_whatsapp_business_accounts?fields=id,phone_numbers.limit(100)%7B{FIELDS}%7D&limit=100"
    );
    let mut rows = Vec::new();
    let first: ExpandedPage = raw.get(&format!("{base}/{relative}")).await;
    let mut after = first.next_cursor();
    rows.extend(expanded_rows(raw, first, concurrency).await);
    let mut length = 1;
    while let Some(cursor) = after.take() {
        length = (length * 2).min(50);
        let items: Vec<serde_json::Value> = (0..length)
            .map(|i| {
                let from = if i == 0 {
                    cursor.clone()
                } else {
                    format!("{{result=p{}:$.paging.cursors.after}}", i - 1)
                };
                serde_json::json!({
                    "method": "GET",
                    "name": format!("p{i}"),
                    "omit_response_on_success": false,
                    "relative_url": format!("{relative}&after={from}"),
                })
            })
            .collect();
        for answer in raw.batch(&items).await {
            let Some(answer) = answer.filter(|a| a.code == 200) else {
                break;
            };
            let page: ExpandedPage = serde_json::from_str(&answer.body).unwrap();
            after = page.next_cursor();
            rows.extend(expanded_rows(raw, page, concurrency).await);
            if after.is_none() {
                break;
            }
        }
    }
    rows
}

/// The rows of one page of accounts, each account's further pages read.
async fn expanded_rows(raw: &Raw, page: ExpandedPage, concurrency: usize) -> Vec<Row> {
    let per_account: Vec<Vec<Row>> = futures_util::stream::iter(page.data)
        .map(|account| async move {
            let mut account_rows = Vec::new();
            let mut more = None;
            if let Some(numbers) = account.phone_numbers {
                account_rows.extend(numbers.data.into_iter().map(|n| Row::of(&account.id, n)));
                more = numbers.paging.and_then(|p| p.next);
            }
            if let Some(first) = more {
                let id = account.id.clone();
                account_rows.extend(all(raw, first, |n: ListedNumber| Row::of(&id, n)).await);
            }
            account_rows
        })
        .buffered(concurrency)
        .collect()
        .await;
    per_account.into_iter().flatten().collect()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (business, concurrency, expand) = match args.as_slice() {
        [business, concurrency] => (business, concurrency, false),
        [business, concurrency, mode] if mode == "expand" => (business, concurrency, true),
        _ => {
            eprintln!("usage: raw_audit BUSINESS_ID CONCURRENCY [expand]");
            return ExitCode::from(2);
        }
    };
    let concurrency: usize = concurrency.parse().expect("CONCURRENCY is a number");
    let base_url = std::env::var("WHATSAPP_BASE_URL").expect("WHATSAPP_BASE_URL is set");
    let token = std::env::var("WHATSAPP_ACCESS_TOKEN").expect("WHATSAPP_ACCESS_TOKEN is set");
    // reqwest is built with rustls in this workspace; a plain client needs the provider the
    // SDK would install.
    whatsapp_phone_numbers::tls::install_default_provider();
    // The runtime waphone's main builds.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let raw = Raw::new(&base_url, &token);
    let rows = if expand {
        runtime.block_on(audit_expanded(&raw, business, concurrency))
    } else {
        runtime.block_on(audit(&raw, business, concurrency))
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, &rows).expect("the rows are written");
    out.write_all(b"\n").expect("the rows are written");
    out.flush().expect("the rows are written");
    if rows.iter().any(|r| r.at_risk) {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    }
}
