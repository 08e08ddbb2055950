//! `GET`/`POST /{phone-number-id}/official_business_account`: the Official Business Account
//! application, which moves `NOT_STARTED` → `PENDING` when submitted; tests move it on
//! with [`MockState::set_oba_status`](crate::MockState::set_oba_status).

use whatsapp_phone_numbers_api::v24_0::types;

use super::{Call, check_length, selected};
use crate::errors::{GraphError, GraphResult, ok_json};

/// `GET /{v}/{id}/official_business_account`.
pub(crate) fn get(call: &Call) -> GraphResult {
    let id = call.id();
    let status = call.state.lock().oba_status(id);
    Ok(ok_json(&selected(call, &status)?))
}

fn https(param: &str, url: &str) -> Result<(), GraphError> {
    if url.starts_with("https://") && url.len() > "https://".len() && !url.contains(' ') {
        Ok(())
    } else {
        Err(GraphError::invalid_param(format!(
            "Param {param} must be an https URL"
        )))
    }
}

/// `POST /{v}/{id}/official_business_account`: submits an application.
pub(crate) fn request(call: &Call) -> GraphResult {
    let id = call.id();
    let request: types::OfficialBusinessAccountRequest = call.body()?;
    https("business_website_url", &request.business_website_url)?;
    check_length(
        "primary_country_of_operation",
        &request.primary_country_of_operation,
        1,
        100,
    )?;
    if !request.supporting_links.is_empty() && !(5..=10).contains(&request.supporting_links.len()) {
        return Err(GraphError::invalid_param(
            "Param supporting_links must have between 5 and 10 elements",
        ));
    }
    for (i, link) in request.supporting_links.iter().enumerate() {
        https(&format!("supporting_links[{i}]"), link)?;
    }
    if let Some(parent) = &request.parent_business_or_brand {
        check_length("parent_business_or_brand", parent, 0, 255)?;
    }
    if let Some(info) = &request.additional_supporting_information {
        check_length("additional_supporting_information", info, 0, 1000)?;
    }
    let mut inner = call.state.lock();
    let pending = inner.oba.get(id).is_some_and(|o| {
        matches!(
            o.oba_status,
            Some(types::ObaStatus::Pending | types::ObaStatus::UnderReview)
        )
    });
    if pending {
        return Err(GraphError::invalid_param(
            "An Official Business Account application for this number is already under review",
        ));
    }
    let status = types::OfficialBusinessAccount {
        id: Some(id.to_owned()),
        oba_status: Some(types::ObaStatus::Pending),
        status_message: Some(
            "Your Official Business Account application is under review".to_owned(),
        ),
    };
    inner.oba.insert(id.to_owned(), status.clone());
    // Meta's OpenAPI description answers the application with its new status.
    Ok(ok_json(&types::OfficialBusinessAccountSubmission {
        success: true,
        message: None,
        tracking_id: None,
        updated_status: Some(status),
    }))
}
