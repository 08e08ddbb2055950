//! `profile get` and `profile set`.

use std::process::ExitCode;

use clap::Args;
use whatsapp_phone_numbers::GraphVersion;

use super::done;
use crate::failure::Failure;
use crate::session::Session;

/// `profile get <ID>`
#[derive(Debug, Args)]
pub struct ProfileGetArgs {
    /// Phone number ID.
    pub phone_number_id: String,
}

impl ProfileGetArgs {
    /// Reads and prints the profile.
    pub async fn run<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        let profile = session
            .client
            .phone_number(&self.phone_number_id)
            .business_profile()
            .get()
            .await?;
        session.out.record(&*profile)?;
        Ok(done())
    }
}

/// `profile set <ID> [...]`
#[derive(Debug, Args)]
pub struct ProfileSetArgs {
    /// Phone number ID.
    pub phone_number_id: String,
    /// Short text under the name.
    #[arg(long)]
    pub about: Option<String>,
    /// Postal address.
    #[arg(long)]
    pub address: Option<String>,
    /// Longer description.
    #[arg(long)]
    pub description: Option<String>,
    /// Contact email.
    #[arg(long)]
    pub email: Option<String>,
    /// Website (repeat for a second one).
    #[arg(long = "website")]
    pub websites: Vec<String>,
    /// Industry, such as RETAIL.
    #[arg(long)]
    pub vertical: Option<String>,
}

impl ProfileSetArgs {
    /// Sends the change.
    pub async fn run<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        let mut request = session
            .client
            .phone_number(&self.phone_number_id)
            .business_profile()
            .update();
        if let Some(about) = &self.about {
            request = request.about(about);
        }
        if let Some(address) = &self.address {
            request = request.address(address);
        }
        if let Some(description) = &self.description {
            request = request.description(description);
        }
        if let Some(email) = &self.email {
            request = request.email(email);
        }
        if !self.websites.is_empty() {
            request = request.websites(self.websites.iter().cloned());
        }
        if let Some(vertical) = &self.vertical {
            request = request.vertical(V::BusinessVertical::from(vertical.to_ascii_uppercase()));
        }
        let answer = request.await?;
        session.out.record(&*answer)?;
        Ok(done())
    }
}

/// The most a profile picture may weigh (Meta's limit for profile photos).
const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;

/// `profile photo <ID> <FILE> [--app-id ID]`
#[derive(Debug, Args)]
pub struct ProfilePhotoArgs {
    /// Phone number ID.
    pub phone_number_id: String,
    /// A JPEG or PNG image (at most 5 MB; square, 640 px recommended).
    pub file: std::path::PathBuf,
    /// The Meta app the upload goes through (with --mock: the mock's app).
    #[arg(long, env = "WHATSAPP_APP_ID")]
    pub app_id: Option<String>,
}

impl ProfilePhotoArgs {
    /// Uploads the image with the Resumable Upload API and sets it as the profile picture.
    pub async fn run<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        let app_id = match (&self.app_id, session.mock_app()) {
            (Some(id), _) => id.clone(),
            (None, Some(mock)) => mock.to_owned(),
            (None, None) => {
                return Err(Failure::Usage(
                    "profile photo needs --app-id (or WHATSAPP_APP_ID): uploads go through an app (nothing was sent)"
                        .into(),
                ));
            }
        };
        let extension = self
            .file
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let file_type = match extension.as_deref() {
            Some("jpg" | "jpeg") => "image/jpeg",
            Some("png") => "image/png",
            _ => {
                return Err(Failure::Usage(
                    "invalid FILE: the profile picture must be a .jpg, .jpeg or .png file (nothing was sent)"
                        .into(),
                ));
            }
        };
        let bytes = super::read_at_most(&self.file, MAX_PHOTO_BYTES).map_err(|e| {
            Failure::Usage(format!(
                "cannot read FILE {}: {e} (nothing was sent)",
                self.file.display()
            ))
        })?;
        if bytes.is_empty() || bytes.len() > MAX_PHOTO_BYTES {
            let size = if bytes.is_empty() {
                "empty".to_owned()
            } else {
                format!("more than {MAX_PHOTO_BYTES} bytes")
            };
            return Err(Failure::Usage(format!(
                "invalid FILE: a profile picture is 1 byte to 5 MB, this one is {size} (nothing was sent)"
            )));
        }
        let file_name = self.file.file_name().map_or_else(
            || "profile".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        );
        let uploaded = session
            .client
            .app(app_id)
            .upload(file_name, file_type, bytes)
            .await?;
        let handle = whatsapp_phone_numbers::view::UploadedFile::h(&*uploaded).to_owned();
        let answer = session
            .client
            .phone_number(&self.phone_number_id)
            .business_profile()
            .update()
            .profile_picture_handle(&handle)
            .await?;
        session.out.record(&*answer)?;
        Ok(done())
    }
}
