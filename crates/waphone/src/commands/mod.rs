//! One function per command.

pub mod lifecycle;
pub mod mock;
pub mod profile;
pub mod settings;
pub mod versioned;

use whatsapp_phone_numbers::{Error, PhoneNumberField};

/// Parses `--fields` values into typed fields (unknown names are sent as written).
pub fn phone_fields(names: &[String]) -> Result<Vec<PhoneNumberField>, Error> {
    names
        .iter()
        .filter(|n| !n.trim().is_empty())
        .map(|n| PhoneNumberField::parse(n))
        .collect()
}
