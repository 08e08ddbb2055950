//! Request bodies held strictly to a version's request types (`request::decode`): the
//! problems it names, with their paths.
#![cfg(feature = "v24_0")]

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use whatsapp_phone_numbers_api::request::{Expected, Problem, RequestError, decode};
use whatsapp_phone_numbers_api::v24_0::types::{
    PhoneNumberSettingsUpdate, RegisterRequest, SubscriptionRequest,
};

fn error<T: DeserializeOwned + Serialize>(body: Value) -> RequestError {
    decode::<T>(&body).map(|_| ()).unwrap_err()
}

#[test]
fn good_bodies_decode() {
    let body = json!({"calling": {"status": "enabled", "sip": {"status": "enabled", "servers": [{"hostname": "sip.example.com"}]}}});
    assert!(decode::<PhoneNumberSettingsUpdate>(&body).is_ok());
    // An empty list a type leaves out is not an unknown key.
    assert!(
        decode::<PhoneNumberSettingsUpdate>(&json!({"calling": {"sip": {"servers": []}}})).is_ok()
    );
    assert!(decode::<SubscriptionRequest>(&json!({})).is_ok());
}

#[test]
fn problems_are_named_with_their_path() {
    let e = error::<PhoneNumberSettingsUpdate>(json!({"pin": 150954}));
    assert_eq!(
        (e.param(), &e.problem),
        ("pin".to_owned(), &Problem::UnknownKey)
    );
    let e = error::<PhoneNumberSettingsUpdate>(
        json!({"calling": {"sip": {"servers": [{"hostname": "a", "bogus": 1}]}}}),
    );
    assert_eq!(e.param(), "calling[sip][servers][0][bogus]");
    assert_eq!(e.problem, Problem::UnknownKey);
    assert_eq!(e.field(), Some("bogus"));
    assert_eq!(
        e.parent_param().as_deref(),
        Some("calling[sip][servers][0]")
    );

    let e = error::<PhoneNumberSettingsUpdate>(json!({"calling": {"status": null}}));
    assert_eq!(
        (e.param(), &e.problem),
        ("calling[status]".to_owned(), &Problem::Null)
    );

    let e = error::<RegisterRequest>(json!({"messaging_product": "whatsapp"}));
    assert_eq!(
        (e.param(), &e.problem),
        ("pin".to_owned(), &Problem::Missing)
    );

    let e = error::<RegisterRequest>(json!({"messaging_product": "whatsapp", "pin": 150954}));
    assert_eq!(e.param(), "pin");
    assert_eq!(e.problem, Problem::WrongType(Expected::Text));
    assert_eq!(e.to_string(), "pin: must be a string");

    let e = error::<PhoneNumberSettingsUpdate>(json!({"calling": "on"}));
    assert_eq!(e.problem, Problem::WrongType(Expected::Object));
    let e = error::<PhoneNumberSettingsUpdate>(
        json!({"user_identity_change": {"enable_identity_key_check": "yes"}}),
    );
    assert_eq!(e.problem, Problem::WrongType(Expected::Boolean));
    assert_eq!(error::<RegisterRequest>(json!([1])).param(), "body");
    // serde would read a struct from an array by position; a request may not.
    let e = error::<PhoneNumberSettingsUpdate>(json!({"user_identity_change": [true]}));
    assert_eq!(e.param(), "user_identity_change");
    assert_eq!(e.problem, Problem::WrongType(Expected::Object));
}
