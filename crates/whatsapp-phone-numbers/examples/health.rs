//! Prints the health of one phone number.
//!
//! ```sh
//! WHATSAPP_ACCESS_TOKEN=... cargo run -p whatsapp-phone-numbers --example health -- 106540352242922
//! ```

use whatsapp_phone_numbers::v23_0::{Client, PhoneNumberField as Field};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let id = std::env::args()
        .nth(1)
        .ok_or("usage: health <PHONE_NUMBER_ID>")?;
    let client = Client::from_env()?;
    let number = client
        .phone_number(id)
        .get()
        .fields([
            Field::DisplayPhoneNumber,
            Field::VerifiedName,
            Field::Status,
            Field::QualityRating,
            Field::MessagingLimitTier,
            Field::NameStatus,
        ])
        .await?;
    println!(
        "{} ({}): status {}, quality {}, tier {}, name {}",
        number.display_phone_number.as_deref().unwrap_or("?"),
        number.verified_name.as_deref().unwrap_or("?"),
        show(&number.status),
        show(&number.quality_rating),
        show(&number.messaging_limit_tier),
        show(&number.name_status),
    );
    println!("request id: {:?}", number.meta().request_id());
    Ok(())
}

fn show<T: std::fmt::Display>(value: &Option<T>) -> String {
    value.as_ref().map_or("-".into(), T::to_string)
}
