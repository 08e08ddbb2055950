//! What can go wrong with an inbox.

use std::fmt;

/// An inbox operation that failed: the store could not be opened, written or read.
#[derive(Debug)]
pub struct InboxError {
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl InboxError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
        }
    }

    pub(crate) fn with(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }
}

impl fmt::Display for InboxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl std::error::Error for InboxError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

impl From<InboxError> for whatsapp_phone_numbers::webhooks::StoreError {
    fn from(error: InboxError) -> Self {
        whatsapp_phone_numbers::webhooks::StoreError::with_source(
            "the inbox did not keep it",
            error,
        )
    }
}
