//! A WhatsApp Business Account and its phone numbers edge: list (one page, every page, or
//! every number as a stream) and add.

use whatsapp_phone_numbers_api::GraphVersion;
use whatsapp_phone_numbers_api::build::AddPhoneNumberRequest as _;

use super::into_future;
use super::paged::List;
use super::subscriptions::SubscriptionsHandle;
use crate::client::Client;
use crate::error::Error;
use crate::meta::Response;
use crate::validate;

impl<V: GraphVersion> BusinessAccountHandle<V> {
    /// The handle [`Client::business_account`] gives.
    pub(crate) fn new(client: Client<V>, id: String) -> Self {
        Self { client, id }
    }
}

/// One WhatsApp Business Account.
#[derive(Clone, Debug)]
pub struct BusinessAccountHandle<V: GraphVersion> {
    client: Client<V>,
    id: String,
}

impl<V: GraphVersion> BusinessAccountHandle<V> {
    /// The account ID this handle addresses.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Reads the account (`GET /<WABA_ID>`): name, review and verification status,
    /// ownership, health, messaging limit.
    pub async fn get(&self) -> Result<Response<V::BusinessAccount>, Error> {
        self.get_fields(&[]).await
    }

    /// Reads the account with a field selection.
    pub async fn get_fields(
        &self,
        fields: &[V::BusinessAccountField],
    ) -> Result<Response<V::BusinessAccount>, Error> {
        let waba = validate::node_id("waba_id", &self.id)?;
        self.client
            .select(V::GET_BUSINESS_ACCOUNT, &[&waba], fields)
            .await
    }

    /// The apps subscribed to the account's webhooks.
    pub fn subscribed_apps(&self) -> SubscriptionsHandle<V> {
        SubscriptionsHandle::new(self.client.clone(), self.id.clone())
    }

    /// The account's phone numbers edge.
    pub fn phone_numbers(&self) -> AccountPhoneNumbersHandle<V> {
        AccountPhoneNumbersHandle {
            client: self.client.clone(),
            waba: self.id.clone(),
        }
    }
}

/// The phone numbers of one WhatsApp Business Account.
#[derive(Clone, Debug)]
pub struct AccountPhoneNumbersHandle<V: GraphVersion> {
    client: Client<V>,
    waba: String,
}

impl<V: GraphVersion> AccountPhoneNumbersHandle<V> {
    /// Lists the numbers, a page at a time or as a stream.
    pub fn list(&self) -> ListPhoneNumbers<V> {
        List::new(
            self.client.clone(),
            V::LIST_PHONE_NUMBERS,
            self.waba.clone(),
            "waba_id",
            100,
        )
    }

    /// Adds a number: `cc` is the country calling code, `phone_number` the rest of the
    /// number (digits only), `verified_name` the display name to review.
    pub fn add(
        &self,
        cc: impl Into<String>,
        phone_number: impl Into<String>,
        verified_name: impl Into<String>,
    ) -> AddPhoneNumber<V> {
        AddPhoneNumber {
            client: self.client.clone(),
            waba: self.waba.clone(),
            cc: cc.into(),
            phone_number: phone_number.into(),
            verified_name: verified_name.into(),
            migrate: None,
            preverified_id: None,
        }
    }
}

/// `GET /<WABA_ID>/phone_numbers`: one page with `send` (or `.await`), every page with
/// `pages`, every number with `stream`; filters, order and the total count besides.
pub type ListPhoneNumbers<V> =
    List<V, <V as GraphVersion>::PhoneNumberPage, <V as GraphVersion>::PhoneNumberField>;

/// `POST /<WABA_ID>/phone_numbers`.
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until the builder is awaited"]
pub struct AddPhoneNumber<V: GraphVersion> {
    client: Client<V>,
    waba: String,
    cc: String,
    phone_number: String,
    verified_name: String,
    migrate: Option<bool>,
    preverified_id: Option<String>,
}

impl<V: GraphVersion> AddPhoneNumber<V> {
    /// Moves a number registered on another WhatsApp Business Account.
    pub fn migrate(mut self, migrate: bool) -> Self {
        self.migrate = Some(migrate);
        self
    }

    /// Uses a pre-verified number bought through a solution partner.
    pub fn preverified_id(mut self, id: impl Into<String>) -> Self {
        self.preverified_id = Some(id.into());
        self
    }

    /// Sends the request. Retried only when Graph throttled it or it was never sent.
    pub async fn send(self) -> Result<Response<V::CreatedId>, Error> {
        let waba = validate::node_id("waba_id", &self.waba)?;
        let mut body = V::AddPhoneNumberRequest::new(
            validate::country_code("cc", &self.cc)?,
            validate::phone_digits("phone_number", &self.phone_number)?,
            validate::display_name("verified_name", &self.verified_name)?,
        );
        if let Some(migrate) = self.migrate {
            body.set_migrate_phone_number(migrate);
        }
        if let Some(id) = self.preverified_id {
            body.set_preverified_id(id);
        }
        self.client
            .call_with_body(V::ADD_PHONE_NUMBER, &[&waba], &body)
            .await
    }
}

into_future!(AddPhoneNumber => Response<V::CreatedId>);
