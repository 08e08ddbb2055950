//! `commerce get|set PHONE_ID` (catalog and cart) and `encryption get|set PHONE_ID` (the
//! business public key Flows encrypt with).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use whatsapp_phone_numbers::GraphVersion;

use super::done;
use super::settings::Switch;
use crate::failure::Failure;
use crate::session::Session;

/// The largest public key file read: a 2048- or 4096-bit RSA key in PEM is under 1 KB; a
/// file far larger is no key.
const MAX_PUBLIC_KEY_BYTES: usize = 64 << 10;

/// `commerce` subcommands.
#[derive(Debug, Subcommand)]
pub enum CommerceAction {
    /// Whether the number shows its catalog and a cart.
    Get(CommercePhoneArgs),
    /// Show or hide the catalog and the cart.
    Set(CommerceSetArgs),
}

/// `commerce get PHONE_ID`.
#[derive(Debug, Args)]
pub struct CommercePhoneArgs {
    /// Phone number ID.
    pub phone_number_id: String,
}

/// `commerce set PHONE_ID [--cart on|off] [--catalog on|off]`.
#[derive(Debug, Args)]
pub struct CommerceSetArgs {
    /// Phone number ID.
    pub phone_number_id: String,
    /// Whether customers can add products to a cart.
    #[arg(long, value_enum)]
    pub cart: Option<Switch>,
    /// Whether the catalog shows in the chat and the business profile.
    #[arg(long, value_enum)]
    pub catalog: Option<Switch>,
}

impl CommerceAction {
    /// Runs the subcommand.
    pub async fn run<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        match self {
            CommerceAction::Get(args) => {
                let answer = session
                    .client
                    .phone_number(&args.phone_number_id)
                    .commerce_settings()
                    .await?;
                session.out.record(&*answer)?;
            }
            CommerceAction::Set(args) => {
                if args.cart.is_none() && args.catalog.is_none() {
                    return Err(Failure::Usage(
                        "commerce set needs --cart or --catalog (nothing was sent)".into(),
                    ));
                }
                let mut request = session
                    .client
                    .phone_number(&args.phone_number_id)
                    .set_commerce_settings();
                if let Some(cart) = args.cart {
                    request = request.cart_enabled(matches!(cart, Switch::On));
                }
                if let Some(catalog) = args.catalog {
                    request = request.catalog_visible(matches!(catalog, Switch::On));
                }
                let answer = request.await?;
                session.out.record(&*answer)?;
            }
        }
        Ok(done())
    }
}

/// `encryption` subcommands.
#[derive(Debug, Subcommand)]
pub enum EncryptionAction {
    /// The business public key and whether Meta's signature of it matches.
    Get(CommercePhoneArgs),
    /// Upload a business public key (PEM; a private key is refused before sending).
    Set(EncryptionSetArgs),
}

/// `encryption set PHONE_ID --public-key-file F`.
#[derive(Debug, Args)]
pub struct EncryptionSetArgs {
    /// Phone number ID.
    pub phone_number_id: String,
    /// The public key, a PEM file (`-----BEGIN PUBLIC KEY-----`).
    #[arg(long = "public-key-file", value_name = "FILE")]
    pub business_public_key: PathBuf,
}

impl EncryptionAction {
    /// Runs the subcommand.
    pub async fn run<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        match self {
            EncryptionAction::Get(args) => {
                let answer = session
                    .client
                    .phone_number(&args.phone_number_id)
                    .business_encryption()
                    .await?;
                session.out.record(&*answer)?;
            }
            EncryptionAction::Set(args) => {
                let invalid = |why: String| {
                    Failure::Usage(format!(
                        "invalid --public-key-file: {why} (nothing was sent)"
                    ))
                };
                let path = &args.business_public_key;
                let bytes = super::read_at_most(path, MAX_PUBLIC_KEY_BYTES)
                    .map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))?;
                if bytes.len() > MAX_PUBLIC_KEY_BYTES {
                    return Err(invalid(format!(
                        "{} is more than {MAX_PUBLIC_KEY_BYTES} bytes: no public key",
                        path.display()
                    )));
                }
                let key = String::from_utf8(bytes)
                    .map_err(|_| invalid(format!("{} is not text", path.display())))?;
                let answer = session
                    .client
                    .phone_number(&args.phone_number_id)
                    .set_business_encryption(key)
                    .await?;
                session.out.record(&*answer)?;
            }
        }
        Ok(done())
    }
}
