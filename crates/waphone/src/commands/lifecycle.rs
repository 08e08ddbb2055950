//! `add`, `request-code`, `verify-code`, `register`, `deregister`, `set-pin`, `update`.

use whatsapp_phone_numbers::{Pin, VerificationCode, types};

use crate::cli::{CodeMethodArg, VisibilityArg};
use crate::failure::Failure;
use crate::session::Session;

/// `add <WABA_ID> --cc CC --phone-number N --verified-name NAME [--migrate]`
pub async fn add(
    session: &Session,
    waba_id: &str,
    cc: &str,
    phone_number: &str,
    verified_name: &str,
    migrate: bool,
) -> Result<(), Failure> {
    let mut request = session
        .client
        .business_account(waba_id)
        .phone_numbers()
        .add(cc, phone_number, verified_name);
    if migrate {
        request = request.migrate(true);
    }
    let created = request.await?;
    session.out.record(&*created)
}

/// `request-code <ID> --method sms|voice --language LOCALE`
pub async fn request_code(
    session: &Session,
    id: &str,
    method: CodeMethodArg,
    language: &str,
) -> Result<(), Failure> {
    let method = match method {
        CodeMethodArg::Sms => types::CodeMethod::Sms,
        CodeMethodArg::Voice => types::CodeMethod::Voice,
    };
    let answer = session
        .client
        .phone_number(id)
        .request_code(method, language)
        .await?;
    session.out.record(&*answer)
}

/// `verify-code <ID> --code CODE`
pub async fn verify_code(session: &Session, id: &str, code: &str) -> Result<(), Failure> {
    let code = VerificationCode::new(code)?;
    let answer = session.client.phone_number(id).verify_code(code).await?;
    session.out.record(&*answer)
}

/// `register <ID> --pin PIN`
pub async fn register(session: &Session, id: &str, pin: &str) -> Result<(), Failure> {
    let answer = session
        .client
        .phone_number(id)
        .register(Pin::new(pin)?)
        .await?;
    session.out.record(&*answer)
}

/// `deregister <ID>`
pub async fn deregister(session: &Session, id: &str) -> Result<(), Failure> {
    let answer = session.client.phone_number(id).deregister().await?;
    session.out.record(&*answer)
}

/// `set-pin <ID> --pin PIN`
pub async fn set_pin(session: &Session, id: &str, pin: &str) -> Result<(), Failure> {
    let answer = session
        .client
        .phone_number(id)
        .set_pin(Pin::new(pin)?)
        .await?;
    session.out.record(&*answer)
}

/// The options of `update`.
pub struct UpdateArgs<'a> {
    /// `--new-display-name`.
    pub new_display_name: Option<&'a str>,
    /// `--webhook-url`.
    pub webhook_url: Option<&'a str>,
    /// `--verify-token`.
    pub verify_token: Option<&'a str>,
    /// `--remove-webhook`.
    pub remove_webhook: bool,
    /// `--search-visibility`.
    pub search_visibility: Option<VisibilityArg>,
}

/// `update <ID> [...]`
pub async fn update(session: &Session, id: &str, args: UpdateArgs<'_>) -> Result<(), Failure> {
    let mut request = session.client.phone_number(id).update();
    if let Some(name) = args.new_display_name {
        request = request.new_display_name(name);
    }
    if let Some(url) = args.webhook_url {
        request = request.webhook(url, args.verify_token.map(str::to_owned));
    }
    if args.remove_webhook {
        request = request.remove_webhook_override();
    }
    if let Some(visibility) = args.search_visibility {
        request = request.search_visibility(match visibility {
            VisibilityArg::Visible => types::SearchVisibility::Visible,
            VisibilityArg::Hidden => types::SearchVisibility::Hidden,
        });
    }
    let answer = request.await?;
    session.out.record(&*answer)
}
