//! A number's QR codes (and wa.me links) that open a chat with a prefilled message.

use whatsapp_phone_numbers_api::build::QrCodeRequest as _;
use whatsapp_phone_numbers_api::{GraphVersion, Page};

use super::into_future;
use super::paged::List;
use crate::client::Client;
use crate::error::{DecodeError, Error};
use crate::meta::Response;
use crate::validate;

/// A QR code's code: letters and digits (Graph's are 14 long; its own pattern is not kept
/// by its own examples, so only the alphabet and a bound are checked).
fn code(value: &str) -> Result<String, Error> {
    if !value.is_empty() && value.len() <= 32 && value.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(value.to_owned())
    } else {
        Err(Error::invalid(
            "code",
            format!(
                "must be the letters and digits of a QR code, got {:?}",
                validate::excerpt(value)
            ),
        ))
    }
}

fn message(value: &str) -> Result<String, Error> {
    validate::text("prefilled_message", value, 1, 140)
}

/// The `message_qrdls` edge of one number.
#[derive(Clone, Debug)]
pub struct QrCodesHandle<V: GraphVersion> {
    client: Client<V>,
    id: String,
}

impl<V: GraphVersion> QrCodesHandle<V> {
    pub(crate) fn new(client: Client<V>, id: String) -> Self {
        Self { client, id }
    }

    /// Lists the codes, newest first.
    pub fn list(&self) -> ListQrCodes<V> {
        List::new(
            self.client.clone(),
            V::LIST_QR_CODES,
            self.id.clone(),
            "phone_number_id",
            25,
        )
    }

    /// Reads one code (Graph answers a one-element list; this returns the code).
    pub async fn get(&self, qr_code: &str) -> Result<Response<V::QrCode>, Error> {
        let id = validate::node_id("phone_number_id", &self.id)?;
        let qr = code(qr_code)?;
        let page: Response<V::QrCodePage> =
            self.client.call(V::GET_QR_CODE, &[&id, &qr], &[]).await?;
        let (page, meta) = page.into_parts();
        match page.into_items().into_iter().next() {
            Some(found) => Ok(Response::new(found, meta)),
            None => Err(Error::Decode(Box::new(DecodeError {
                status: meta.status(),
                message: "the answer holds no QR code".into(),
                body_excerpt: String::new(),
                meta,
            }))),
        }
    }

    /// Creates a code that opens a chat with `prefilled_message` (at most 140 characters).
    pub fn create(&self, prefilled_message: impl Into<String>) -> SaveQrCode<V> {
        self.save(None, prefilled_message.into())
    }

    /// Changes the prefilled message of an existing code.
    pub fn update(
        &self,
        qr_code: impl Into<String>,
        prefilled_message: impl Into<String>,
    ) -> SaveQrCode<V> {
        self.save(Some(qr_code.into()), prefilled_message.into())
    }

    fn save(&self, qr_code: Option<String>, prefilled_message: String) -> SaveQrCode<V> {
        let checked = message(&prefilled_message)
            .and_then(|m| validate::convert("prefilled_message", &m))
            .and_then(|m| {
                let mut body = V::QrCodeRequest::new(m);
                if let Some(c) = &qr_code {
                    body.set_code(code(c)?);
                }
                Ok(body)
            });
        let (body, error) = match checked {
            Ok(body) => (Some(body), None),
            Err(e) => (None, Some(e)),
        };
        SaveQrCode {
            client: self.client.clone(),
            id: self.id.clone(),
            body,
            error,
        }
    }

    /// Deletes a code.
    pub async fn delete(&self, qr_code: &str) -> Result<Response<V::SuccessResponse>, Error> {
        let id = validate::node_id("phone_number_id", &self.id)?;
        let qr = code(qr_code)?;
        self.client.call(V::DELETE_QR_CODE, &[&id, &qr], &[]).await
    }
}

/// `POST /<PHONE_NUMBER_ID>/message_qrdls`: create or change a code.
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until the builder is awaited"]
pub struct SaveQrCode<V: GraphVersion> {
    client: Client<V>,
    id: String,
    /// `None` only after an error, which `send` returns.
    body: Option<V::QrCodeRequest>,
    error: Option<Error>,
}

impl<V: GraphVersion> SaveQrCode<V> {
    /// Also generates an image of the code (`PNG` or `SVG`); its URL is in `qr_image_url`.
    pub fn image(mut self, format: V::QrImageFormat) -> Self {
        if let Some(body) = &mut self.body {
            body.set_generate_qr_image(format);
        }
        self
    }

    /// Sends the request.
    pub async fn send(self) -> Result<Response<V::QrCode>, Error> {
        let id = validate::node_id("phone_number_id", &self.id)?;
        let body = match (self.body, self.error) {
            (_, Some(error)) => return Err(error),
            (Some(body), None) => body,
            (None, None) => return Err(Error::invalid("prefilled_message", "missing")),
        };
        self.client
            .call_with_body(V::SAVE_QR_CODE, &[&id], &body)
            .await
    }
}

into_future!(SaveQrCode => Response<V::QrCode>);

/// `GET /<PHONE_NUMBER_ID>/message_qrdls`, newest first, 25 at most per page.
pub type ListQrCodes<V> =
    List<V, <V as GraphVersion>::QrCodePage, <V as GraphVersion>::QrCodeField>;
