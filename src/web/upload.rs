//! A form body that is either url-encoded or multipart (with one file), read
//! into its fields in order. The review table of a new meeting has fields
//! named by item (`content_0`, `lead_0`…) and may carry the conclusion's file,
//! so neither the typed form extractors nor a fixed multipart form fit.

use actix_web::http::header;
use actix_web::{web, HttpRequest};
use futures_util::StreamExt;

use crate::domain::document::MAX_BYTES;

/// An uploaded file as sent: its name and bytes (at most [`MAX_BYTES`]).
#[derive(Debug, Clone)]
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Default)]
pub struct Body {
    /// Text fields, in order, repeated names kept.
    pub pairs: Vec<(String, String)>,
    /// The file field, when a file was chosen.
    pub file: Option<Upload>,
    /// The chosen file was over [`MAX_BYTES`] (it was read and dropped).
    pub file_too_big: bool,
}

impl Body {
    /// The first field not among `known` (the file field aside): an API form
    /// takes only the fields its document names.
    pub fn unknown_field(&self, known: &[&str]) -> Option<&str> {
        self.pairs
            .iter()
            .map(|(k, _)| k.as_str())
            .find(|k| !known.contains(k))
    }

    /// The last value of a field, or "".
    pub fn value(&self, key: &str) -> String {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("the request body is over the limit")]
    TooLarge,
    #[error("the request body cannot be read: {0}")]
    Malformed(String),
}

/// The most a request may upload (pages and API alike) before it is cut off,
/// rather than read to its end; a file over
/// [`attachment::MAX_BYTES`](crate::domain::attachment::MAX_BYTES) is refused
/// with a message, the form kept.
pub const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;

pub fn is_multipart(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"))
}

/// Reads a url-encoded or multipart body. Text fields may hold `text_limit`
/// bytes together; the file `file_field` is kept up to [`MAX_BYTES`].
pub async fn read(
    req: &HttpRequest,
    mut payload: web::Payload,
    file_field: &str,
    text_limit: usize,
) -> Result<Body, BodyError> {
    if !is_multipart(req) {
        let mut bytes = web::BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|e| BodyError::Malformed(e.to_string()))?;
            if bytes.len() + chunk.len() > text_limit {
                return Err(BodyError::TooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
        let pairs = url::form_urlencoded::parse(&bytes)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        return Ok(Body {
            pairs,
            ..Default::default()
        });
    }
    let mut form = actix_multipart::Multipart::new(req.headers(), payload);
    let mut body = Body::default();
    let mut text_bytes = 0usize;
    let mut read_total = 0usize;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|e| BodyError::Malformed(e.to_string()))?;
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_string);
        let mut data = Vec::new();
        let mut too_big = false;
        let is_file = name == file_field;
        let limit = if is_file {
            MAX_BYTES
        } else {
            text_limit.saturating_sub(text_bytes)
        };
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| BodyError::Malformed(e.to_string()))?;
            read_total += chunk.len();
            if read_total > UPLOAD_LIMIT {
                return Err(BodyError::TooLarge);
            }
            if too_big {
                continue;
            }
            if data.len() + chunk.len() > limit {
                // A file over the limit is read to its end and dropped: the form
                // is answered with a message, not a broken connection.
                too_big = true;
                data = Vec::new();
                continue;
            }
            data.extend_from_slice(&chunk);
        }
        if is_file {
            let name = file_name.unwrap_or_default();
            if too_big {
                body.file_too_big = true;
            } else if !(name.is_empty() && data.is_empty()) {
                body.file = Some(Upload { name, bytes: data });
            }
        } else {
            if too_big {
                return Err(BodyError::TooLarge);
            }
            text_bytes += data.len();
            let text = String::from_utf8(data)
                .map_err(|_| BodyError::Malformed(format!("field {name} is not UTF-8")))?;
            body.pairs.push((name, text));
        }
    }
    Ok(body)
}
