//! `settings get` and `settings set`.

use whatsapp_phone_numbers::types;

use crate::cli::Switch;
use crate::failure::Failure;
use crate::session::Session;

/// `settings get <ID>`
pub async fn get(session: &Session, id: &str) -> Result<(), Failure> {
    let settings = session.client.phone_number(id).settings().get().await?;
    session.out.record(&*settings)
}

/// `settings set <ID> [--identity-key-check on|off] [--calling on|off]`
pub async fn set(
    session: &Session,
    id: &str,
    identity_key_check: Option<Switch>,
    calling: Option<Switch>,
) -> Result<(), Failure> {
    let mut request = session.client.phone_number(id).settings().update();
    if let Some(switch) = identity_key_check {
        request = request.identity_key_check(matches!(switch, Switch::On));
    }
    if let Some(switch) = calling {
        request = request.calling(types::CallingSettingsUpdate {
            status: Some(match switch {
                Switch::On => types::FeatureStatus::Enabled,
                Switch::Off => types::FeatureStatus::Disabled,
            }),
            ..Default::default()
        });
    }
    let answer = request.await?;
    session.out.record(&*answer)
}
