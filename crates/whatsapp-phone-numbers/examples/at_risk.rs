//! Streams every number of a WhatsApp Business Account and lists those at risk
//! (quality RED, or status FLAGGED, RESTRICTED, BANNED, RATE_LIMITED or DISCONNECTED).
//!
//! ```sh
//! WHATSAPP_ACCESS_TOKEN=... cargo run -p whatsapp-phone-numbers --example at_risk -- 102290129340398
//! ```

use futures_util::TryStreamExt;
use whatsapp_phone_numbers::v23_0::{Client, PhoneNumberField as Field, types};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let waba = std::env::args().nth(1).ok_or("usage: at_risk <WABA_ID>")?;
    let client = Client::from_env()?;
    let mut numbers = client
        .business_account(waba)
        .phone_numbers()
        .list()
        .fields([
            Field::Id,
            Field::DisplayPhoneNumber,
            Field::Status,
            Field::QualityRating,
        ])
        .page_size(100)
        .stream();
    let (mut total, mut at_risk) = (0, 0);
    while let Some(number) = numbers.try_next().await? {
        total += 1;
        let risky_status = matches!(
            number.status,
            Some(
                types::PhoneNumberStatus::Flagged
                    | types::PhoneNumberStatus::Restricted
                    | types::PhoneNumberStatus::Banned
                    | types::PhoneNumberStatus::RateLimited
                    | types::PhoneNumberStatus::Disconnected
            )
        );
        if risky_status || number.quality_rating == Some(types::QualityRating::Red) {
            at_risk += 1;
            println!(
                "{} {} status={:?} quality={:?}",
                number.id.as_deref().unwrap_or("?"),
                number.display_phone_number.as_deref().unwrap_or("?"),
                number.status.as_ref().map(|s| s.as_str()),
                number.quality_rating.as_ref().map(|q| q.as_str()),
            );
        }
    }
    println!("{at_risk} of {total} numbers at risk");
    Ok(())
}
