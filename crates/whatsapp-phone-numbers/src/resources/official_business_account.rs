//! Official Business Account status of a number: read it, or apply for it.

use whatsapp_phone_numbers_api::GraphVersion;
use whatsapp_phone_numbers_api::build::OfficialBusinessAccountRequest as _;

use super::into_future;
use crate::client::Client;
use crate::error::Error;
use crate::meta::Response;
use crate::validate;

/// The `official_business_account` edge of one number.
#[derive(Clone, Debug)]
pub struct OfficialBusinessAccountHandle<V: GraphVersion> {
    client: Client<V>,
    id: String,
}

impl<V: GraphVersion> OfficialBusinessAccountHandle<V> {
    pub(crate) fn new(client: Client<V>, id: String) -> Self {
        Self { client, id }
    }

    /// Reads the application's status (`oba_status`, `status_message`).
    pub async fn get(&self) -> Result<Response<V::OfficialBusinessAccount>, Error> {
        let id = validate::node_id("phone_number_id", &self.id)?;
        self.client
            .call(V::GET_OFFICIAL_BUSINESS_ACCOUNT, &[&id], &[])
            .await
    }

    /// Starts an application: the business's website (https) and the country where it
    /// mainly operates are required.
    pub fn request(
        &self,
        business_website_url: impl Into<String>,
        primary_country_of_operation: impl Into<String>,
    ) -> RequestOfficialBusinessAccount<V> {
        let url = business_website_url.into();
        let country = primary_country_of_operation.into();
        let checked = validate::https_url("business_website_url", &url).and_then(|url| {
            let country = validate::text("primary_country_of_operation", &country, 1, 100)?;
            Ok((url, country))
        });
        // After an error nothing is sent; the body only keeps what was given.
        let (body, error) = match checked {
            Ok((url, country)) => (V::OfficialBusinessAccountRequest::new(url, country), None),
            Err(e) => (
                V::OfficialBusinessAccountRequest::new(url, country),
                Some(e),
            ),
        };
        RequestOfficialBusinessAccount {
            client: self.client.clone(),
            id: self.id.clone(),
            body,
            error,
        }
    }
}

/// `POST /<PHONE_NUMBER_ID>/official_business_account`.
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until the builder is awaited"]
pub struct RequestOfficialBusinessAccount<V: GraphVersion> {
    client: Client<V>,
    id: String,
    body: V::OfficialBusinessAccountRequest,
    error: Option<Error>,
}

impl<V: GraphVersion> RequestOfficialBusinessAccount<V> {
    fn check(mut self, result: Result<(), Error>) -> Self {
        validate::keep_first(&mut self.error, result);
        self
    }

    /// The business's main language.
    pub fn primary_language(mut self, language: impl Into<String>) -> Self {
        let result = validate::text("primary_language", &language.into(), 1, 100)
            .map(|l| self.body.set_primary_language(l));
        self.check(result)
    }

    /// A parent company or brand (at most 255 characters).
    pub fn parent_business_or_brand(mut self, parent: impl Into<String>) -> Self {
        let result = validate::text("parent_business_or_brand", &parent.into(), 1, 255)
            .and_then(|p| validate::convert("parent_business_or_brand", &p))
            .map(|p| self.body.set_parent_business_or_brand(p));
        self.check(result)
    }

    /// Links showing the business is notable: 5 to 10 https URLs.
    pub fn supporting_links(mut self, links: impl IntoIterator<Item = impl Into<String>>) -> Self {
        let links: Vec<String> = links.into_iter().map(Into::into).collect();
        let result = if (5..=10).contains(&links.len()) {
            links
                .iter()
                .map(|l| validate::https_url("supporting_links", l))
                .collect::<Result<Vec<_>, _>>()
                .map(|links| self.body.set_supporting_links(links))
        } else {
            Err(Error::invalid(
                "supporting_links",
                format!("needs 5 to 10 links, got {}", links.len()),
            ))
        };
        self.check(result)
    }

    /// Anything else that supports the application (at most 1000 characters).
    pub fn additional_supporting_information(mut self, info: impl Into<String>) -> Self {
        let result = validate::text("additional_supporting_information", &info.into(), 1, 1000)
            .and_then(|i| validate::convert("additional_supporting_information", &i))
            .map(|i| self.body.set_additional_supporting_information(i));
        self.check(result)
    }

    /// Submits the application. Success means submitted, not approved: watch `oba_status`.
    pub async fn send(self) -> Result<Response<V::OfficialBusinessAccountSubmission>, Error> {
        let id = validate::node_id("phone_number_id", &self.id)?;
        if let Some(error) = self.error {
            return Err(error);
        }
        self.client
            .call_with_body(V::REQUEST_OFFICIAL_BUSINESS_ACCOUNT, &[&id], &self.body)
            .await
    }
}

into_future!(RequestOfficialBusinessAccount => Response<V::OfficialBusinessAccountSubmission>);
