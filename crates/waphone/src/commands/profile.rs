//! `profile get` and `profile set`.

use whatsapp_phone_numbers::types;

use crate::failure::Failure;
use crate::session::Session;

/// `profile get <ID>`
pub async fn get(session: &Session, id: &str) -> Result<(), Failure> {
    let profile = session
        .client
        .phone_number(id)
        .business_profile()
        .get()
        .await?;
    session.out.record(&*profile)
}

/// The options of `profile set`.
pub struct ProfileArgs<'a> {
    /// `--about`.
    pub about: Option<&'a str>,
    /// `--address`.
    pub address: Option<&'a str>,
    /// `--description`.
    pub description: Option<&'a str>,
    /// `--email`.
    pub email: Option<&'a str>,
    /// `--website`, repeated.
    pub websites: &'a [String],
    /// `--vertical`.
    pub vertical: Option<&'a str>,
}

/// `profile set <ID> [...]`
pub async fn set(session: &Session, id: &str, args: ProfileArgs<'_>) -> Result<(), Failure> {
    let mut request = session.client.phone_number(id).business_profile().update();
    if let Some(about) = args.about {
        request = request.about(about);
    }
    if let Some(address) = args.address {
        request = request.address(address);
    }
    if let Some(description) = args.description {
        request = request.description(description);
    }
    if let Some(email) = args.email {
        request = request.email(email);
    }
    if !args.websites.is_empty() {
        request = request.websites(args.websites.iter().cloned());
    }
    if let Some(vertical) = args.vertical {
        request = request.vertical(types::BusinessVertical::from(vertical.to_ascii_uppercase()));
    }
    let answer = request.await?;
    session.out.record(&*answer)
}
