//! The headers Graph puts on every answer: request and trace IDs, the API version and the
//! app and business-use-case usage that clients throttle themselves by.

use axum::http::{HeaderName, HeaderValue};
use axum::response::Response;
use serde_json::json;

use crate::state::Usage;

/// What the headers of one answer say.
#[derive(Clone, Debug)]
pub(crate) struct Meta {
    /// The version segment of the path (`v23.0` when the path had none).
    pub(crate) version: String,
    pub(crate) trace_id: String,
    pub(crate) request_id: String,
    pub(crate) usage: Usage,
    /// The app's usage is reported at 100% (a rate-limited answer).
    pub(crate) app_exhausted: bool,
    /// The account's usage is reported at 100%, with access back in this many minutes.
    pub(crate) regain_minutes: Option<u64>,
}

/// `x-app-usage`.
fn app_usage(meta: &Meta) -> String {
    let percent = if meta.app_exhausted {
        100
    } else {
        meta.usage.charge.app_percent
    };
    json!({
        "call_count": percent,
        "total_cputime": percent / 2,
        "total_time": percent * 3 / 4,
    })
    .to_string()
}

/// `x-business-use-case-usage`.
fn business_usage(meta: &Meta) -> String {
    let Some(waba_id) = &meta.usage.waba_id else {
        return "{}".to_owned();
    };
    let (percent, cputime, regain) = match meta.regain_minutes {
        Some(minutes) => (100, 100, minutes),
        None => (meta.usage.charge.account_percent, 1, 0),
    };
    let mut object = serde_json::Map::new();
    object.insert(
        waba_id.clone(),
        json!([{
            "type": "whatsapp_business_management",
            "call_count": percent,
            "total_cputime": cputime,
            "total_time": cputime,
            "estimated_time_to_regain_access": regain,
        }]),
    );
    serde_json::Value::Object(object).to_string()
}

/// Adds Graph's headers to `response`.
pub(crate) fn apply(response: &mut Response, meta: &Meta) {
    let headers = response.headers_mut();
    let mut set = |name: &'static str, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    };
    set("x-fb-request-id", &meta.request_id);
    set("x-fb-trace-id", &meta.trace_id);
    set("facebook-api-version", &meta.version);
    set("x-app-usage", &app_usage(meta));
    set("x-business-use-case-usage", &business_usage(meta));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rate_limits::Charge;

    fn meta() -> Meta {
        Meta {
            version: "v23.0".into(),
            trace_id: "Atrace".into(),
            request_id: "Areq".into(),
            usage: Usage {
                waba_id: Some("102290129340398".into()),
                charge: Charge {
                    app_percent: 2,
                    account_percent: 1,
                    refused: None,
                },
            },
            app_exhausted: false,
            regain_minutes: None,
        }
    }

    #[test]
    fn usage_headers_are_json_graph_shapes() {
        let mut m = meta();
        let app: serde_json::Value = serde_json::from_str(&app_usage(&m)).unwrap();
        assert_eq!(app["call_count"], 2);
        let buc: serde_json::Value = serde_json::from_str(&business_usage(&m)).unwrap();
        let entry = &buc["102290129340398"][0];
        assert_eq!(entry["type"], "whatsapp_business_management");
        assert_eq!(entry["estimated_time_to_regain_access"], 0);
        m.regain_minutes = Some(7);
        let buc: serde_json::Value = serde_json::from_str(&business_usage(&m)).unwrap();
        assert_eq!(
            buc["102290129340398"][0]["estimated_time_to_regain_access"],
            7
        );
        assert_eq!(buc["102290129340398"][0]["call_count"], 100);
    }
}
