//! `oba get|request PHONE_ID`: Official Business Account status and application.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use whatsapp_phone_numbers::GraphVersion;

use super::done;

use crate::failure::Failure;
use crate::session::Session;

/// `oba` subcommands.
#[derive(Debug, Subcommand)]
pub enum ObaAction {
    /// Show the number's Official Business Account status.
    Get(ObaGetArgs),
    /// Apply for Official Business Account status.
    Request(ObaRequestArgs),
}

/// `oba get PHONE_ID`
#[derive(Debug, Args)]
pub struct ObaGetArgs {
    /// Phone number ID.
    pub phone_number_id: String,
}

/// `oba request PHONE_ID --website URL --country C [...]`
#[derive(Debug, Args)]
pub struct ObaRequestArgs {
    /// Phone number ID.
    pub phone_number_id: String,
    /// The business's website (https).
    #[arg(id = "business_website_url", long = "website")]
    pub website: String,
    /// Country where the business mainly operates.
    #[arg(id = "primary_country_of_operation", long = "country")]
    pub country: String,
    /// The business's main language.
    #[arg(id = "primary_language", long = "language")]
    pub language: Option<String>,
    /// Parent company or brand.
    #[arg(id = "parent_business_or_brand", long = "parent")]
    pub parent: Option<String>,
    /// A link showing the business is notable (repeat 5 to 10 times).
    #[arg(id = "supporting_links", long = "link", value_name = "URL")]
    pub links: Vec<String>,
    /// Anything else that supports the application.
    #[arg(id = "additional_supporting_information", long = "info")]
    pub info: Option<String>,
}

impl ObaAction {
    /// Runs the subcommand.
    pub async fn run<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        self.run_inner(session).await
    }

    async fn run_inner<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        match self {
            ObaAction::Get(args) => {
                let status = session
                    .client
                    .phone_number(&args.phone_number_id)
                    .official_business_account()
                    .get()
                    .await?;
                session.out.record(&*status)?;
            }
            ObaAction::Request(args) => {
                let mut request = session
                    .client
                    .phone_number(&args.phone_number_id)
                    .official_business_account()
                    .request(&args.website, &args.country);
                if let Some(language) = &args.language {
                    request = request.primary_language(language);
                }
                if let Some(parent) = &args.parent {
                    request = request.parent_business_or_brand(parent);
                }
                if !args.links.is_empty() {
                    request = request.supporting_links(args.links.iter().cloned());
                }
                if let Some(info) = &args.info {
                    request = request.additional_supporting_information(info);
                }
                let answer = request.await?;
                session.out.record(&*answer)?;
            }
        }
        Ok(done())
    }
}
