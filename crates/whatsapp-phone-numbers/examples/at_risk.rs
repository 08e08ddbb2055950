//! Streams every number of a WhatsApp Business Account and lists those at risk, by the
//! library's rule (`number.risk()`: quality RED, or status FLAGGED, RESTRICTED, BANNED,
//! RATE_LIMITED or DISCONNECTED).
//!
//! ```sh
//! WHATSAPP_ACCESS_TOKEN=... cargo run -p whatsapp-phone-numbers --example at_risk -- 102290129340398
//! ```

use futures_util::TryStreamExt;
use whatsapp_phone_numbers::NumberRisk;
use whatsapp_phone_numbers::v23_0::{Client, PhoneNumberField as Field};

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
        let risk = number.risk();
        if risk.is_at_risk() {
            at_risk += 1;
            let reasons: Vec<String> = risk.reasons().iter().map(ToString::to_string).collect();
            println!(
                "{} {} {}",
                number.id.as_deref().unwrap_or("?"),
                number.display_phone_number.as_deref().unwrap_or("?"),
                reasons.join(", "),
            );
        }
    }
    println!("{at_risk} of {total} numbers at risk");
    Ok(())
}
