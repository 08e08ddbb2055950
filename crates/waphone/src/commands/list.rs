//! `list <WABA_ID>`: one page, or every page with `--all`.

use std::fmt::Display;
use std::process::ExitCode;

use clap::Args;
use futures_util::TryStreamExt;
use whatsapp_phone_numbers::view::PhoneNumber as _;
use whatsapp_phone_numbers::{Filter, GraphVersion, Page, Sort};

use super::{done, parse_fields};
use crate::failure::Failure;
use crate::output::{emit, emit_line, table};
use crate::session::Session;

/// `list <WABA_ID> [--fields ..] [--limit N] [--all] [--after C] [--sort S] [--filter F=V]`
#[derive(Debug, Args)]
pub struct ListArgs {
    /// WhatsApp Business Account ID.
    pub waba_id: String,
    /// Comma-separated fields.
    #[arg(long, value_delimiter = ',')]
    pub fields: Vec<String>,
    /// Numbers per page, 1 to 100 (`--limit` is the old name).
    #[arg(
        id = "page_size",
        long = "page-size",
        visible_alias = "limit",
        value_name = "N"
    )]
    pub limit: Option<u32>,
    /// Follow the cursor through every page.
    #[arg(long)]
    pub all: bool,
    /// Follow the cursor until this many numbers were read (implies paging).
    #[arg(long, value_name = "N")]
    pub max_items: Option<usize>,
    /// Start after this cursor.
    #[arg(long)]
    pub after: Option<String>,
    /// Sort order: asc or desc (by onboarding time), or a Graph sort key.
    #[arg(long)]
    pub sort: Option<String>,
    /// Filter as FIELD=VALUE (repeatable), e.g. account_mode=SANDBOX.
    #[arg(id = "filtering", long = "filter", value_name = "FIELD=VALUE")]
    pub filters: Vec<String>,
}

impl ListArgs {
    /// Lists and prints the numbers.
    pub async fn run<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        // Without --fields, ask for what the table shows.
        let fields = if self.fields.is_empty() {
            PRINTED.iter().map(|f| f.to_string()).collect()
        } else {
            self.fields.clone()
        };
        if self.max_items == Some(0) {
            return Err(Failure::Usage(
                "invalid --max-items: must be at least 1 (nothing was sent)".into(),
            ));
        }
        let mut request = session
            .client
            .business_account(&self.waba_id)
            .phone_numbers()
            .list()
            .fields(parse_fields::<V::PhoneNumberField>(&fields));
        if let Some(limit) = self.limit {
            request = request.page_size(limit);
        }
        if let Some(after) = &self.after {
            request = request.after(after);
        }
        if let Some(sort) = &self.sort {
            request = request.sort(Sort::parse(sort)?);
        }
        for filter in &self.filters {
            request = request.filter(Filter::parse(filter)?);
        }
        let out = session.out;
        if self.all || self.max_items.is_some() {
            let cap = self.max_items.unwrap_or(usize::MAX);
            let mut numbers = Vec::new();
            let mut stream = request.stream();
            while numbers.len() < cap
                && let Some(number) = stream
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
                out.json(&numbers)?;
                return Ok(done());
            }
            print_numbers::<V>(&numbers)?;
            emit_line(&format!("{} numbers", numbers.len()))?;
            return Ok(done());
        }
        let page = request.await?;
        if out.json {
            out.json(&*page)?;
            return Ok(done());
        }
        print_numbers::<V>(page.items())?;
        let count = page.items().len();
        match (page.next_page(), page.after_cursor()) {
            (Some(_), after) => emit_line(&format!(
                "{count} numbers on this page; more with --after {}",
                crate::terminal::safe(after.unwrap_or("?"))
            ))?,
            (None, _) => emit_line(&format!("{count} numbers (last page)"))?,
        }
        Ok(done())
    }
}

/// The fields the table shows.
const PRINTED: &[&str] = &[
    "id",
    "display_phone_number",
    "verified_name",
    "status",
    "quality_rating",
];

/// A cell: the value, or `-`.
pub fn text<T: Display + ?Sized>(value: Option<&T>) -> String {
    value.map_or_else(|| "-".to_owned(), T::to_string)
}

fn print_numbers<V: GraphVersion>(numbers: &[V::PhoneNumber]) -> Result<(), Failure> {
    let rows: Vec<Vec<String>> = numbers
        .iter()
        .map(|n| {
            vec![
                text(n.id()),
                text(n.display_phone_number()),
                text(n.verified_name()),
                text(n.status()),
                text(n.quality_rating()),
            ]
        })
        .collect();
    emit(&table(
        &["ID", "NUMBER", "VERIFIED NAME", "STATUS", "QUALITY"],
        &rows,
    ))
}
