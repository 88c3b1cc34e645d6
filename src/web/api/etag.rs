//! `ETag` and `If-None-Match` for reads polled often (the dashboard): the tag
//! is a digest of the answer, so it changes exactly when the answer does
//! (tasks, units, closes, the reader's scope), and an unchanged answer is a
//! 304 without a body.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The answer as JSON with its `ETag`, or a 304 when the caller has it already.
pub fn respond<T: Serialize>(req: &HttpRequest, body: &T) -> HttpResponse {
    let Ok(bytes) = serde_json::to_vec(body) else {
        return HttpResponse::InternalServerError().finish();
    };
    let tag = format!("\"{}\"", hex::encode(&Sha256::digest(&bytes)[..16]));
    let unchanged = matches_tag(req, &tag);
    let mut res = if unchanged {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::ETAG, tag))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"));
    if unchanged {
        res.finish()
    } else {
        res.content_type("application/json").body(bytes)
    }
}

/// Whether `If-None-Match` names the tag (weak comparison, as RFC 9110 asks for GET).
fn matches_tag(req: &HttpRequest, tag: &str) -> bool {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == tag)
}
