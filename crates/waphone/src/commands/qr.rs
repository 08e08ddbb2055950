//! `qr list|get|create|update|delete PHONE_ID`: QR codes and wa.me links.

use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use futures_util::TryStreamExt;
use whatsapp_phone_numbers::view::QrCode as _;
use whatsapp_phone_numbers::{GraphVersion, Page};

use super::done;

use super::list::text;
use crate::failure::Failure;
use crate::output::{emit, emit_line, table};
use crate::session::Session;

/// Image format of a generated QR code.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum QrFormat {
    /// PNG.
    Png,
    /// SVG.
    Svg,
}

/// `qr` subcommands.
#[derive(Debug, Subcommand)]
pub enum QrAction {
    /// List the number's QR codes, newest first (one page; --all for every page).
    List(QrListArgs),
    /// Show one QR code.
    Get(QrCodeArgs),
    /// Create a QR code with a prefilled message.
    Create(QrCreateArgs),
    /// Change a QR code's prefilled message.
    Update(QrUpdateArgs),
    /// Delete a QR code.
    Delete(QrCodeArgs),
}

/// `qr list PHONE_ID [--all]`
#[derive(Debug, Args)]
pub struct QrListArgs {
    /// Phone number ID.
    pub phone_number_id: String,
    /// Follow the cursor through every page.
    #[arg(long)]
    pub all: bool,
}

/// A phone number ID and a code.
#[derive(Debug, Args)]
pub struct QrCodeArgs {
    /// Phone number ID.
    pub phone_number_id: String,
    /// The QR code's code.
    #[arg(long)]
    pub code: String,
}

/// `qr create PHONE_ID --prefilled-message TEXT [--format png|svg]`
#[derive(Debug, Args)]
pub struct QrCreateArgs {
    /// Phone number ID.
    pub phone_number_id: String,
    /// The message the chat opens with (at most 140 characters).
    #[arg(long)]
    pub prefilled_message: String,
    /// Also generate an image of the code.
    #[arg(long, value_enum)]
    pub format: Option<QrFormat>,
}

/// `qr update PHONE_ID --code CODE --prefilled-message TEXT`
#[derive(Debug, Args)]
pub struct QrUpdateArgs {
    /// Phone number ID.
    pub phone_number_id: String,
    /// The QR code's code.
    #[arg(long)]
    pub code: String,
    /// The new message (at most 140 characters).
    #[arg(long)]
    pub prefilled_message: String,
}

impl QrAction {
    /// Runs the subcommand.
    pub async fn run<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        self.run_inner(session).await
    }

    async fn run_inner<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        let out = session.out;
        match self {
            QrAction::List(args) => {
                let list = session
                    .client
                    .phone_number(&args.phone_number_id)
                    .qr_codes()
                    .list();
                let (codes, more): (Vec<V::QrCode>, bool) = if args.all {
                    (list.stream().try_collect().await?, false)
                } else {
                    let page = list.await?.into_inner();
                    let more = page.next_page().is_some();
                    (page.into_items(), more)
                };
                let hint =
                    more.then(|| format!("{} QR codes on this page; more with --all", codes.len()));
                if out.json {
                    out.json(&codes)?;
                    // The document is the page's codes; that there are more goes beside it.
                    if let Some(hint) = &hint {
                        crate::to_stderr!("waphone: {hint}");
                    }
                } else {
                    let rows: Vec<Vec<String>> = codes
                        .iter()
                        .map(|c| {
                            vec![
                                text(c.code()),
                                text(c.prefilled_message()),
                                text(c.deep_link_url()),
                            ]
                        })
                        .collect();
                    emit(&table(&["CODE", "PREFILLED MESSAGE", "LINK"], &rows))?;
                    if let Some(hint) = &hint {
                        emit_line(hint)?;
                    }
                }
            }
            QrAction::Get(args) => {
                let code = session
                    .client
                    .phone_number(&args.phone_number_id)
                    .qr_codes()
                    .get(&args.code)
                    .await?;
                out.record(&*code)?;
            }
            QrAction::Create(args) => {
                let mut request = session
                    .client
                    .phone_number(&args.phone_number_id)
                    .qr_codes()
                    .create(&args.prefilled_message);
                if let Some(format) = args.format {
                    request = request.image(V::QrImageFormat::from(match format {
                        QrFormat::Png => "PNG",
                        QrFormat::Svg => "SVG",
                    }));
                }
                out.record(&*request.await?)?;
            }
            QrAction::Update(args) => {
                let code = session
                    .client
                    .phone_number(&args.phone_number_id)
                    .qr_codes()
                    .update(&args.code, &args.prefilled_message)
                    .await?;
                out.record(&*code)?;
            }
            QrAction::Delete(args) => {
                let answer = session
                    .client
                    .phone_number(&args.phone_number_id)
                    .qr_codes()
                    .delete(&args.code)
                    .await?;
                out.record(&*answer)?;
            }
        }
        Ok(done())
    }
}
