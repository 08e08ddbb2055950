//! Behaviour 6: Validation before sending: a clear error naming the field, and zero requests.

use whatsapp_phone_numbers::v23_0::{PhoneNumberField, types};
use whatsapp_phone_numbers::{Error, Filter, TwoStepPin, VerificationCode};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

fn field(result: Result<impl std::fmt::Debug, Error>) -> &'static str {
    let error = result.unwrap_err();
    let field = error
        .invalid_field()
        .unwrap_or_else(|| panic!("not an input error: {error}"));
    assert!(error.to_string().contains("nothing was sent"), "{error}");
    field
}

#[tokio::test]
async fn bad_input_never_reaches_the_server() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"success": true})),
        )
        .mount(&server)
        .await;
    let client = client(&server);
    let phone = client.phone_number(PHONE);

    // PINs and codes: six ASCII digits; the value is never echoed.
    let pin_error = TwoStepPin::new("12a456").unwrap_err();
    assert_eq!(pin_error.invalid_field(), Some("pin"));
    assert!(!format!("{pin_error:?}{pin_error}").contains("12a456"));
    assert_eq!(field(TwoStepPin::new("1234567")), "pin");
    assert_eq!(field(VerificationCode::new("12 456")), "code");

    // IDs: digits only, so nothing like `/`, `?` or `..` reaches a path.
    for bad in ["", "../123", "123/register", "1?x=1", "12ab"] {
        assert_eq!(
            field(client.phone_number(bad).get().await),
            "phone_number_id",
            "{bad:?}"
        );
        assert_eq!(
            field(client.account_number(bad).get().await),
            "account_number_id"
        );
        assert_eq!(
            field(client.business_account(bad).phone_numbers().list().await),
            "waba_id"
        );
    }

    assert_eq!(
        field(phone.request_code(types::CodeMethod::Sms, "english").await),
        "language"
    );
    assert_eq!(
        field(phone.request_code(types::CodeMethod::Voice, "en-US").await),
        "language"
    );

    let numbers = client.business_account(WABA).phone_numbers();
    assert_eq!(
        field(numbers.add("1234", "6315551000", "Jaspers").await),
        "cc"
    );
    assert_eq!(
        field(numbers.add("1", "631-555-1000", "Jaspers").await),
        "phone_number"
    );
    assert_eq!(
        field(numbers.add("1", "12345", "Jaspers").await),
        "phone_number"
    );
    assert_eq!(
        field(numbers.add("1", "6315551000", "J").await),
        "verified_name"
    );
    assert_eq!(
        field(numbers.add("1", "6315551000", "x".repeat(76)).await),
        "verified_name"
    );

    assert_eq!(field(phone.set_display_name("x").await), "new_display_name");
    for bad in ["http://hooks.example.com", "https:///hooks/wa", "https://"] {
        assert_eq!(
            field(phone.set_webhook(bad, None).await),
            "webhook_url",
            "{bad}"
        );
    }
    assert_eq!(field(phone.update().await), "update");
    assert_eq!(field(phone.settings().update().await), "settings");

    assert_eq!(field(numbers.list().page_size(0).await), "page_size");
    assert_eq!(field(numbers.list().page_size(101).await), "page_size");
    assert_eq!(
        field(
            numbers
                .list()
                .field(PhoneNumberField::Unknown("status&x=1".into()))
                .await
        ),
        "fields"
    );
    assert_eq!(
        field(
            numbers
                .list()
                .filter(Filter::custom("", "EQUAL", "x"))
                .await
        ),
        "filtering"
    );

    let profile = phone.business_profile();
    assert_eq!(
        field(profile.update().about("x".repeat(140)).await),
        "about"
    );
    assert_eq!(field(profile.update().email("not-an-email").await), "email");
    assert_eq!(
        field(
            profile
                .update()
                .websites(["https://a", "https://b", "https://c"])
                .await
        ),
        "websites"
    );
    for bad in [
        "ftp://a",
        "https://user:pass@hooks.example.com/wa",
        "https://user@hooks.example.com/",
        "https://",
        "http:///path",
        "https://shop.example:99999/",
        "https://shop.example:port/",
        "https://shop example/",
        "https://shop.example/\u{202E}",
    ] {
        let error = profile.update().websites([bad]).await.expect_err(bad);
        assert_eq!(error.invalid_field(), Some("websites"), "{bad}");
        assert!(!error.to_string().contains("pass"), "{error}");
    }
    let long = format!("https://shop.example/{}", "a".repeat(240));
    assert_eq!(field(profile.update().websites([long]).await), "websites");

    // The stream reports the same error, once.
    use futures_util::StreamExt;
    let items: Vec<_> = numbers.list().page_size(0).stream().collect().await;
    assert_eq!(items.len(), 1);
    assert_eq!(
        items[0].as_ref().unwrap_err().invalid_field(),
        Some("page_size")
    );

    assert_eq!(
        requests(&server).await.len(),
        0,
        "something reached the server"
    );
}
