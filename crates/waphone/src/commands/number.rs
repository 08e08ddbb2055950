//! `get` and `account-number`: read one node.

use std::process::ExitCode;

use clap::Args;
use whatsapp_phone_numbers::GraphVersion;

use super::{done, parse_fields};
use crate::failure::Failure;
use crate::session::Session;

/// `get <ID> [--fields ..]`
#[derive(Debug, Args)]
pub struct GetArgs {
    /// Phone number ID.
    pub phone_number_id: String,
    /// Comma-separated fields (default: Graph's default fields).
    #[arg(long, value_delimiter = ',')]
    pub fields: Vec<String>,
}

impl GetArgs {
    /// Reads the number and prints it.
    pub async fn run<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        let number = session
            .client
            .phone_number(&self.phone_number_id)
            .get()
            .fields(parse_fields::<V::PhoneNumberField>(&self.fields))
            .await?;
        session.out.record(&*number)?;
        Ok(done())
    }
}

/// `account-number <ID> [--fields ..]`
#[derive(Debug, Args)]
pub struct AccountNumberArgs {
    /// Account number ID.
    #[arg(id = "account_number_id", value_name = "ID")]
    pub id: String,
    /// Comma-separated fields.
    #[arg(long, value_delimiter = ',')]
    pub fields: Vec<String>,
}

impl AccountNumberArgs {
    /// Reads the node and prints it.
    pub async fn run<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        let node = session
            .client
            .account_number(&self.id)
            .get()
            .fields(parse_fields::<V::AccountNumberField>(&self.fields))
            .await?;
        session.out.record(&*node)?;
        Ok(done())
    }
}
