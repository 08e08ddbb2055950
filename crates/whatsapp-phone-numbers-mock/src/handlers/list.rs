//! The phone numbers edge of an account: `GET /{waba-id}/phone_numbers` (fields, filtering,
//! sort, summary, cursor paging) and `POST /{waba-id}/phone_numbers` (add a number).

use serde_json::Value;
use whatsapp_phone_numbers_api::v24_0::types;

use super::{Call, all_digits, check_display_name, not_one_of, page_url};
use crate::demo;
use crate::errors::{GraphError, GraphResult, ok_json};
use crate::paging::{self, Position, SortKey};
use crate::records::NumberRecord;

/// `filtering`: a JSON array of `{field, operator, value}`.
fn parse_filters(raw: Option<&str>) -> Result<Vec<types::PhoneNumberFilter>, GraphError> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(Vec::new());
    };
    let shape = || {
        GraphError::invalid_param(
            "Param filtering must be a JSON array of {\"field\", \"operator\", \"value\"} objects",
        )
    };
    let Ok(Value::Array(items)) = serde_json::from_str::<Value>(raw) else {
        return Err(shape());
    };
    let mut filters = Vec::with_capacity(items.len());
    for (i, mut item) in items.into_iter().enumerate() {
        // Graph takes `"value": true` as well as `"value": "true"`.
        if let Some(value) = item
            .get_mut("value")
            .filter(|v| v.is_boolean() || v.is_number())
        {
            *value = Value::String(value.to_string());
        }
        let filter: types::PhoneNumberFilter = serde_json::from_value(item).map_err(|_| shape())?;
        if filter.field.is_unknown() {
            return Err(not_one_of(
                &format!("filtering[{i}][field]"),
                types::PhoneNumberFilterField::KNOWN,
            ));
        }
        if filter.operator.is_unknown() {
            return Err(not_one_of(
                &format!("filtering[{i}][operator]"),
                types::FilterOperator::KNOWN,
            ));
        }
        if filter.field == types::PhoneNumberFilterField::IsOfficialBusinessAccount
            && parse_bool(&filter.value).is_none()
        {
            return Err(GraphError::invalid_param(format!(
                "Param filtering[{i}][value] must be true or false"
            )));
        }
        filters.push(filter);
    }
    Ok(filters)
}

fn parse_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

fn matches(filter: &types::PhoneNumberFilter, number: &types::PhoneNumber) -> bool {
    use types::PhoneNumberFilterField as F;
    let same =
        |text: Option<&str>| text.is_some_and(|t| t.eq_ignore_ascii_case(filter.value.trim()));
    match filter.field {
        F::AccountMode => same(number.account_mode.as_ref().map(|m| m.as_str())),
        F::MessagingLimitTier => same(number.messaging_limit_tier.as_ref().map(|t| t.as_str())),
        F::IsOfficialBusinessAccount => {
            parse_bool(&filter.value) == Some(number.is_official_business_account.unwrap_or(false))
        }
        _ => false,
    }
}

/// `sort`: the guide's one-element JSON array (`["last_onboarded_time_ascending"]`, a bare
/// key is taken too) or the reference's plain key (`creation_time.asc`,
/// `last_onboarded_time.desc`). True for ascending. The mock's numbers were created when
/// they were onboarded, so both keys order the same way.
fn parse_sort(raw: Option<&str>) -> Result<bool, GraphError> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(false);
    };
    let keys: Vec<types::PhoneNumberSortKey> = if raw.starts_with('[') {
        serde_json::from_str(raw).map_err(|_| {
            GraphError::invalid_param(
                "Param sort must be a JSON array such as [\"last_onboarded_time_ascending\"]",
            )
        })?
    } else {
        vec![types::PhoneNumberSortKey::from(raw)]
    };
    match keys.first().map(|k| k.as_str()) {
        None
        | Some("last_onboarded_time_descending")
        | Some("last_onboarded_time.desc")
        | Some("creation_time.desc") => Ok(false),
        Some("last_onboarded_time_ascending")
        | Some("last_onboarded_time.asc")
        | Some("creation_time.asc") => Ok(true),
        Some(_) => Err(not_one_of("sort[0]", types::PhoneNumberSortKey::KNOWN)),
    }
}

/// `GET /{v}/{waba-id}/phone_numbers`.
///
/// Without `filtering`, a page is read from the account's index (kept in onboarding
/// order) in O(log N + limit) for N numbers on the account, whichever way it is sorted;
/// `summary=total_count` is the index's length. With `filtering`, every number of the
/// account is checked against the filters, so a page costs O(N).
pub(crate) fn list(call: &Call) -> GraphResult {
    let waba_id = call.id();
    let p = call.params;
    let fields = call.fields()?;
    let filters = parse_filters(p.get("filtering").as_deref())?;
    let ascending = parse_sort(p.get("sort").as_deref())?;
    let limit = paging::parse_limit(p.get("limit").as_deref())?;
    let after = p.get("after").filter(|c| !c.is_empty());
    let before = p.get("before").filter(|c| !c.is_empty());
    let position = match (after, before) {
        (Some(cursor), _) => Position::After(paging::decode_cursor("after", &cursor)?),
        (None, Some(cursor)) => Position::Before(paging::decode_cursor("before", &cursor)?),
        (None, None) => Position::First,
    };
    let with_total = p.get("summary").is_some_and(|s| {
        s.split(',')
            .any(|v| matches!(v.trim(), "total_count" | "true"))
    });

    let inner = call.state.lock();
    let Some(index) = inner.by_waba.get(waba_id) else {
        return Err(GraphError::unsupported("get", waba_id));
    };
    let link = |name: &str, cursor: &str| {
        page_url(
            call,
            &format!("{waba_id}/phone_numbers"),
            limit,
            name,
            cursor,
        )
    };
    let (page_keys, paging, total) = if filters.is_empty() {
        // The account's index is already in list order: read just the page, in
        // O(log N + limit).
        let page = paging::index_page(index, ascending, &position, limit);
        let paging = paging::links(&page.keys, page.more_before, page.more_after, link);
        (page.keys, paging, index.len())
    } else {
        // Filters look at every number of the account (O(N) for N numbers on it).
        let mut keys: Vec<SortKey> = index
            .iter()
            .filter(|(_, id)| {
                inner
                    .numbers
                    .get(id)
                    .is_some_and(|r| filters.iter().all(|f| matches(f, &r.number)))
            })
            .cloned()
            .collect();
        if !ascending {
            keys.reverse();
        }
        let window = paging::window(&keys, ascending, &position, limit);
        let paging = paging::paging(&keys, &window, link);
        let total = keys.len();
        keys.truncate(window.end);
        keys.drain(..window.start);
        (keys, paging, total)
    };
    let data: Vec<Value> = page_keys
        .iter()
        .filter_map(|(_, id)| inner.numbers.get(id))
        .map(|r| fields.project(&r.number))
        .collect::<Result<_, _>>()?;
    let mut page = serde_json::json!({ "data": data, "paging": paging });
    if with_total {
        page["summary"] = serde_json::json!({ "total_count": total });
    }
    Ok(ok_json(&page))
}

/// `POST /{v}/{waba-id}/phone_numbers`: adds a number (status `PENDING`, not verified).
pub(crate) fn add(call: &Call) -> GraphResult {
    let waba_id = call.id();
    let request: types::AddPhoneNumberRequest = call.body()?;
    let cc = request.cc.trim().trim_start_matches('+');
    if !(all_digits(cc) && cc.len() <= 3 && !cc.starts_with('0')) {
        return Err(GraphError::invalid_param(
            "Param cc must be a country calling code of 1 to 3 digits",
        ));
    }
    let number = request.phone_number.trim();
    if !all_digits(number) || !(4..=14).contains(&number.len()) || cc.len() + number.len() > 15 {
        return Err(GraphError::invalid_param(
            "Param phone_number must be the number without country code: 4 to 14 digits",
        ));
    }
    check_display_name("verified_name", &request.verified_name)?;
    let full = format!("{cc}{number}");

    let mut inner = call.state.lock();
    let existing = inner
        .numbers
        .values()
        .find(|r| {
            let digits: String = r
                .number
                .display_phone_number
                .as_deref()
                .unwrap_or_default()
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            digits == full
        })
        .map(|r| (r.id().to_owned(), r.waba_id.clone()));
    if let Some((id, owner)) = existing {
        if owner == waba_id {
            return Err(GraphError::invalid_whatsapp_param(
                "This phone number is already on this WhatsApp Business Account",
            ));
        }
        if request.migrate_phone_number != Some(true) {
            return Err(GraphError::invalid_whatsapp_param(
                "This phone number is on another WhatsApp Business Account; set \
                 migrate_phone_number to move it",
            ));
        }
        inner.move_number(&id, waba_id);
        if let Some(record) = inner.numbers.get_mut(&id) {
            record.number.status = Some(types::PhoneNumberStatus::Pending);
            record.number.code_verification_status =
                Some(types::CodeVerificationStatus::NotVerified);
            record.pin = None;
        }
        return Ok(ok_json(&types::CreatedId { id }));
    }

    let preverified = request
        .preverified_id
        .as_deref()
        .is_some_and(|p| !p.trim().is_empty());
    let node = types::PhoneNumber {
        display_phone_number: Some(demo::display_number(cc, number)),
        verified_name: Some(request.verified_name.trim().to_owned()),
        status: Some(types::PhoneNumberStatus::Pending),
        quality_rating: Some(types::QualityRating::Na),
        code_verification_status: Some(if preverified {
            types::CodeVerificationStatus::Verified
        } else {
            types::CodeVerificationStatus::NotVerified
        }),
        name_status: Some(types::NameStatus::PendingReview),
        messaging_limit_tier: Some(types::MessagingLimitTier::Tier250),
        account_mode: Some(types::AccountMode::Live),
        is_official_business_account: Some(false),
        country_code: demo::country_of(cc).map(str::to_owned),
        country_dial_code: Some(cc.to_owned()),
        host_platform: Some(types::HostPlatform::NotApplicable),
        unified_cert_status: Some(types::UnifiedCertStatus::NamePendingReview),
        search_visibility: Some(types::SearchVisibility::Visible),
        ..Default::default()
    };
    let mut record = NumberRecord::new(waba_id, node);
    record.onboarded_at = inner.fresh_onboarding_time();
    let id = inner.insert(record);
    Ok(ok_json(&types::CreatedId { id }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_and_reject() {
        let f = parse_filters(Some(
            r#"[{"field":"is_official_business_account","operator":"EQUAL","value":true}]"#,
        ))
        .unwrap();
        assert_eq!(f[0].value, "true");
        assert!(parse_filters(Some("[{")).is_err());
        assert!(parse_filters(Some("{}")).is_err());
        assert!(parse_filters(Some(r#"[{"field":"x","operator":"EQUAL","value":"1"}]"#)).is_err());
        assert!(
            parse_filters(Some(
                r#"[{"field":"account_mode","operator":"LT","value":"1"}]"#
            ))
            .is_err()
        );
        assert!(parse_filters(None).unwrap().is_empty());
    }

    #[test]
    fn sort_parses() {
        assert!(!parse_sort(None).unwrap());
        assert!(parse_sort(Some(r#"["last_onboarded_time_ascending"]"#)).unwrap());
        assert!(!parse_sort(Some(r#"["last_onboarded_time_descending"]"#)).unwrap());
        assert!(parse_sort(Some("last_onboarded_time_ascending")).unwrap());
        assert!(parse_sort(Some("creation_time.asc")).unwrap());
        assert!(!parse_sort(Some("creation_time.desc")).unwrap());
        assert!(parse_sort(Some(r#"["sideways"]"#)).is_err());
        assert!(parse_sort(Some("[")).is_err());
    }
}
