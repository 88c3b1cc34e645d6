//! Stored files sent to the browser: the first chunk at once, the rest read
//! from the database one chunk at a time while the response streams (a file
//! is never held whole in memory). Kept as `storage::files` keeps them.

use actix_web::body::SizedStream;
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use futures_util::StreamExt;

use super::{ApiError, State};
use crate::domain::attachment;
use crate::storage::files::{self, Opened};
use crate::storage::{self, users::Account};

/// Opens a stored file for sending; `NotFound` when it is not there.
pub async fn open(state: &State, stored: String) -> Result<Opened, ApiError> {
    let files = state.config.files();
    state
        .run(move |conn| files::open(conn, &files, &stored))
        .await
}

/// The response for an opened file, as a download named `name`.
pub fn download(state: &State, opened: Opened, name: &str, content_type: &str) -> HttpResponse {
    let db = state.db.clone();
    let first = web::Bytes::from(opened.first);
    let rest = futures_util::stream::unfold((opened.rest, 1), move |(rest, seq)| {
        let db = db.clone();
        async move {
            let (blob, count) = rest?;
            if seq >= count {
                return None;
            }
            let read = web::block(move || {
                let mut conn = db.conn()?;
                files::chunk(&mut conn, blob, seq)
            })
            .await;
            let item = match read {
                Ok(Ok(bytes)) => Ok(web::Bytes::from(bytes)),
                Ok(Err(e)) => Err(std::io::Error::other(e.to_string())),
                Err(e) => Err(std::io::Error::other(e.to_string())),
            };
            // A chunk that cannot be read ends the response (the client sees it cut short).
            let next = if item.is_ok() {
                (rest, seq + 1)
            } else {
                (None, seq)
            };
            Some((item, next))
        }
    });
    let body =
        futures_util::stream::once(async move { Ok::<_, std::io::Error>(first) }).chain(rest);
    let encoded: String = url::form_urlencoded::byte_serialize(name.as_bytes()).collect();
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename*=UTF-8''{encoded}"),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(SizedStream::new(opened.size.max(0) as u64, body))
}

/// A report's attachment, to whoever may read its task (the page and the API).
pub async fn attachment(
    state: &State,
    account: Account,
    report_id: i64,
) -> Result<HttpResponse, ApiError> {
    let report = state
        .run(move |conn| {
            let report = storage::progress::report(conn, report_id)?;
            // An attachment is read by whoever may read its task.
            storage::tasks::get_for(conn, &account, report.stored.task_id)?;
            Ok(report)
        })
        .await?;
    let (Some(name), Some(path)) = (report.stored.attachment_name, report.stored.attachment_path)
    else {
        return Err(ApiError::NotFound);
    };
    let opened = open(state, path).await?;
    let kind = attachment::check(
        "attachment",
        &name,
        opened.size.max(1) as usize,
        &opened.first[..opened.first.len().min(512)],
    )
    .map(attachment::Kind::content_type)
    .unwrap_or("application/octet-stream");
    Ok(download(state, opened, &name, kind))
}
