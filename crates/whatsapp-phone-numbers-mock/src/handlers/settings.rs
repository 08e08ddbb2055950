//! `GET` and `POST /{v}/{phone-number-id}/settings`.

use sha2::{Digest, Sha256};
use whatsapp_phone_numbers_api::v24_0::types;

use super::{Call, ensure_known, with_number};
use crate::errors::{GraphError, GraphResult, ok_json, success};

/// `GET /{v}/{id}/settings`.
pub(crate) fn get(call: &Call) -> GraphResult {
    let id = call.id();
    let inner = call.state.lock();
    let record = inner
        .numbers
        .get(id)
        .ok_or_else(|| GraphError::unsupported("get", id))?;
    // SIP passwords only with `include_sip_credentials=true`.
    let with_credentials = call
        .params
        .get("include_sip_credentials")
        .is_some_and(|v| v == "true");
    let mut settings = record.settings.clone();
    if !with_credentials && let Some(sip) = settings.calling.as_mut().and_then(|c| c.sip.as_mut()) {
        for server in &mut sip.servers {
            server.sip_user_password = None;
        }
    }
    Ok(ok_json(&settings))
}

fn check_toggle(toggle: &Option<types::FeatureToggle>, param: &str) -> Result<(), GraphError> {
    if let Some(status) = toggle.as_ref().and_then(|t| t.status.as_ref()) {
        ensure_known!(status, types::FeatureStatus, param);
    }
    Ok(())
}

fn check(update: &types::PhoneNumberSettingsUpdate) -> Result<(), GraphError> {
    if let Some(calling) = &update.calling {
        if let Some(v) = &calling.status {
            ensure_known!(v, types::FeatureStatus, "calling[status]");
        }
        if let Some(v) = &calling.call_icon_visibility {
            ensure_known!(
                v,
                types::CallIconVisibility,
                "calling[call_icon_visibility]"
            );
        }
        if let Some(v) = &calling.callback_permission_status {
            ensure_known!(
                v,
                types::FeatureStatus,
                "calling[callback_permission_status]"
            );
        }
        if let Some(v) = &calling.srtp_key_exchange_protocol {
            ensure_known!(
                v,
                types::SrtpKeyExchangeProtocol,
                "calling[srtp_key_exchange_protocol]"
            );
        }
        check_toggle(&calling.video, "calling[video][status]")?;
        if let Some(sip) = &calling.sip {
            if let Some(status) = &sip.status {
                ensure_known!(status, types::FeatureStatus, "calling[sip][status]");
            }
            if sip.servers.len() > 3 {
                return Err(GraphError::invalid_param(
                    "Param calling[sip][servers] must have at most 3 elements",
                ));
            }
            if let Some(bad) = sip
                .servers
                .iter()
                .position(|s| s.hostname.as_deref().is_none_or(|h| h.trim().is_empty()))
            {
                return Err(GraphError::invalid_param(format!(
                    "Param calling[sip][servers][{bad}][hostname] is required"
                )));
            }
        }
    }
    if let Some(encryption) = &update.payload_encryption {
        ensure_known!(
            encryption.status,
            types::FeatureStatus,
            "payload_encryption[status]"
        );
        if encryption.status == types::FeatureStatus::Enabled
            && encryption
                .client_encryption_key
                .as_deref()
                .is_none_or(|k| k.trim().is_empty())
        {
            return Err(GraphError::invalid_param(
                "Param payload_encryption[client_encryption_key] is required to enable encryption",
            ));
        }
    }
    if let Some(storage) = &update.storage_configuration {
        let region = storage
            .region
            .as_deref()
            .or(storage.data_localization_region.as_deref());
        let in_country = storage.enabled == Some(true)
            || storage.status == Some(types::StorageMode::InCountryStorageEnabled);
        if in_country && region.is_none_or(|r| r.trim().is_empty()) {
            return Err(GraphError::invalid_param(
                "Param storage_configuration[region] is required to enable local storage",
            ));
        }
        if let Some(status) = &storage.status {
            ensure_known!(status, types::StorageMode, "storage_configuration[status]");
        }
        if storage.status == Some(types::StorageMode::NoStorageEnabled)
            && storage.retention_minutes != Some(60)
        {
            return Err(GraphError::invalid_param(
                "Param storage_configuration[retention_minutes] must be 60 for no-storage mode",
            ));
        }
        if storage.enabled.is_none() && storage.status.is_none() {
            return Err(GraphError::invalid_param(
                "Param storage_configuration needs enabled or status",
            ));
        }
    }
    Ok(())
}

fn fingerprint(key: &str) -> String {
    Sha256::digest(key.trim().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The calling values, as the specifications spell them: Meta's calling settings page
/// writes `ENABLED`/`DISABLED` where its reference writes `enabled`/`disabled`, and Graph is
/// used both ways, so the mock takes either case.
fn lower_case_calling(update: &mut types::PhoneNumberSettingsUpdate) {
    let lower = |status: &mut Option<types::FeatureStatus>| {
        if let Some(value) = status.as_mut().filter(|s| s.is_unknown()) {
            *value = types::FeatureStatus::from(value.as_str().to_ascii_lowercase().as_str());
        }
    };
    if let Some(calling) = update.calling.as_mut() {
        lower(&mut calling.status);
        lower(&mut calling.callback_permission_status);
        if let Some(video) = calling.video.as_mut() {
            lower(&mut video.status);
        }
        if let Some(sip) = calling.sip.as_mut() {
            lower(&mut sip.status);
        }
    }
}

/// `POST /{v}/{id}/settings`: merges the groups that were sent.
pub(crate) fn update(call: &Call) -> GraphResult {
    let id = call.id();
    let mut update: types::PhoneNumberSettingsUpdate = call.body()?;
    lower_case_calling(&mut update);
    check(&update)?;
    with_number(call, |record| {
        let settings = &mut record.settings;
        if let Some(change) = update.calling {
            let calling = settings.calling.get_or_insert_with(Default::default);
            if change.status.is_some() {
                calling.status = change.status;
            }
            if change.call_icon_visibility.is_some() {
                calling.call_icon_visibility = change.call_icon_visibility;
            }
            if change.callback_permission_status.is_some() {
                calling.callback_permission_status = change.callback_permission_status;
            }
            if change.srtp_key_exchange_protocol.is_some() {
                calling.srtp_key_exchange_protocol = change.srtp_key_exchange_protocol;
            }
            if change.video.is_some() {
                calling.video = change.video;
            }
            if let Some(mut sip) = change.sip {
                for server in &mut sip.servers {
                    let seed = format!("{id}:{}", server.hostname.as_deref().unwrap_or(""));
                    server.sip_user_password = Some(fingerprint(&seed)[..24].to_owned().into());
                }
                calling.sip = Some(sip);
            }
            if change.call_hours.is_some() {
                calling.call_hours = change.call_hours;
            }
        }
        if let Some(change) = update.user_identity_change {
            settings.user_identity_change = Some(change);
        }
        if let Some(change) = update.payload_encryption {
            let enabled = change.status == types::FeatureStatus::Enabled;
            settings.payload_encryption = Some(types::PayloadEncryptionSettings {
                client_encryption_key_fingerprint: change
                    .client_encryption_key
                    .as_deref()
                    .filter(|_| enabled)
                    .map(fingerprint),
                status: Some(change.status),
            });
        }
        if let Some(change) = update.storage_configuration {
            use types::{StorageConfigurationStatus as Stored, StorageMode as Mode};
            let region = change.region.or(change.data_localization_region);
            settings.storage_configuration = Some(match (change.status, change.enabled) {
                (Some(Mode::NoStorageEnabled), _) => types::StorageConfiguration {
                    data_localization_region: None,
                    retention_minutes: change.retention_minutes,
                    status: Some(Stored::NoStorageEnabled),
                },
                (Some(Mode::InCountryStorageEnabled), _) | (None, Some(true)) => {
                    types::StorageConfiguration {
                        data_localization_region: region,
                        retention_minutes: None,
                        status: Some(Stored::InCountryStorageEnabled),
                    }
                }
                _ => types::StorageConfiguration {
                    data_localization_region: None,
                    retention_minutes: None,
                    status: Some(Stored::Default),
                },
            });
        }
        Ok(())
    })?;
    Ok(success())
}
