//! `profile get` and `profile set`.

use std::process::ExitCode;

use clap::Args;
use whatsapp_phone_numbers::GraphVersion;

use super::done;
use crate::failure::Failure;
use crate::session::Session;

/// `profile get <ID>`
#[derive(Debug, Args)]
pub struct ProfileGetArgs {
    /// Phone number ID.
    pub phone_number_id: String,
}

impl ProfileGetArgs {
    /// Reads and prints the profile.
    pub async fn run<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        let profile = session
            .client
            .phone_number(&self.phone_number_id)
            .business_profile()
            .get()
            .await?;
        session.out.record(&*profile)?;
        Ok(done())
    }
}

/// `profile set <ID> [...]`
#[derive(Debug, Args)]
pub struct ProfileSetArgs {
    /// Phone number ID.
    pub phone_number_id: String,
    /// Short text under the name.
    #[arg(long)]
    pub about: Option<String>,
    /// Postal address.
    #[arg(long)]
    pub address: Option<String>,
    /// Longer description.
    #[arg(long)]
    pub description: Option<String>,
    /// Contact email.
    #[arg(long)]
    pub email: Option<String>,
    /// Website (repeat for a second one).
    #[arg(long = "website")]
    pub websites: Vec<String>,
    /// Industry, such as RETAIL.
    #[arg(long)]
    pub vertical: Option<String>,
}

impl ProfileSetArgs {
    /// Sends the change.
    pub async fn run<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        let mut request = session
            .client
            .phone_number(&self.phone_number_id)
            .business_profile()
            .update();
        if let Some(about) = &self.about {
            request = request.about(about);
        }
        if let Some(address) = &self.address {
            request = request.address(address);
        }
        if let Some(description) = &self.description {
            request = request.description(description);
        }
        if let Some(email) = &self.email {
            request = request.email(email);
        }
        if !self.websites.is_empty() {
            request = request.websites(self.websites.iter().cloned());
        }
        if let Some(vertical) = &self.vertical {
            request = request.vertical(V::BusinessVertical::from(vertical.to_ascii_uppercase()));
        }
        let answer = request.await?;
        session.out.record(&*answer)?;
        Ok(done())
    }
}
