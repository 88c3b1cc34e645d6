use actix_web::web::{self, Json};
use actix_web::{FromRequest, HttpRequest};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{doc, ApiUser};
use crate::domain::conclusion::{ItemFlag, ProposedTask};
use crate::domain::dates::parse_date;
use crate::domain::document::{self, ExtractError};
use crate::domain::meeting::check_text;
use crate::domain::Invalid;
use crate::storage;
use crate::web::conclusion::{propose, read_document};
use crate::web::upload;
use crate::web::{ApiError, State};

#[derive(Debug, Deserialize, ToSchema)]
pub struct ParseRequest {
    /// The concluding text as written (HTML pasted from a portal is stripped
    /// to its text); at most 204800 bytes of UTF-8.
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 204800, pattern = r"\S")]
    pub text: String,
    /// Phrases without a year mean this date's year.
    #[serde(default)]
    #[schema(value_type = doc::DateText, inline, required = true)]
    pub meeting_date: String,
}

/// The same request as a file upload (`multipart/form-data`); no other field.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ParseUpload {
    /// The conclusion document: .docx, .pdf with a text layer, .txt or .html; at most 10 MB.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    #[schema(value_type = doc::DateText, inline)]
    pub meeting_date: NaiveDate,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProposedItemJson {
    pub text: String,
    /// Suggested lead unit code; null when the text names none (see `flags`).
    pub lead_unit: Option<String>,
    pub coordinators: Vec<String>,
    /// Suggested deadline; null for none or ongoing.
    pub deadline: Option<NaiveDate>,
    /// True when the text says "thường xuyên" (ongoing, no deadline).
    pub ongoing: bool,
    /// The words the deadline came from.
    pub deadline_phrase: Option<String>,
    /// `no_lead`, `group_addressee`: what the official should check.
    #[schema(value_type = Vec<String>)]
    pub flags: Vec<ItemFlag>,
    /// The group the directive is addressed to, as written ("các sở, ngành").
    pub addressee: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ParseResponse {
    pub items: Vec<ProposedItemJson>,
    /// Lead-ins, headers, closings, assessments, page chrome: shown, not proposed.
    pub context: Vec<String>,
    /// The text read from an uploaded document (absent for JSON requests).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl From<ProposedTask> for ProposedItemJson {
    fn from(t: ProposedTask) -> ProposedItemJson {
        ProposedItemJson {
            text: t.text,
            lead_unit: t.lead_unit,
            coordinators: t.coordinators,
            deadline: t.deadline,
            ongoing: t.ongoing,
            deadline_phrase: t.deadline_phrase,
            flags: t.flags,
            addressee: t.addressee,
        }
    }
}

/// What the request sent: JSON, or the fields of a multipart form.
enum Sent {
    Json(ParseRequest),
    Form(Result<upload::Body, upload::BodyError>),
}

/// Proposes tasks from a concluding text: one item per directive, with suggested units and
/// deadlines. JSON `{text, meeting_date}`, or multipart with the document in `file`.
#[utoipa::path(post, path = "/conclusions/parse",
    request_body(content(
        (ParseRequest = "application/json"),
        (ParseUpload = "multipart/form-data"),
    )),
    responses(
        (status = 200, body = ParseResponse),
        (status = 400, body = crate::web::error::ErrorBody, description = "the multipart body cannot be read"),
        (status = 422, body = crate::web::error::ErrorBody, description = "no text, a bad date, a file of the wrong kind, over 10 MB, or a scan without text"),
))]
pub async fn parse(
    state: State,
    _user: ApiUser,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<Json<ParseResponse>, actix_web::Error> {
    let sent = if upload::is_multipart(&req) {
        Sent::Form(upload::read(&req, payload, "file", TEXT_LIMIT).await)
    } else {
        // The JSON extractor keeps the API's own answer to a bad body.
        let body = Json::<ParseRequest>::from_request(&req, &mut payload.into_inner()).await?;
        Sent::Json(body.into_inner())
    };
    Ok(answer(state, sent).await?)
}

/// The most text fields a multipart request may carry besides its file.
const TEXT_LIMIT: usize = 1024 * 1024;

async fn answer(state: State, sent: Sent) -> Result<Json<ParseResponse>, ApiError> {
    let (text, meeting_date, extracted) = match sent {
        Sent::Json(body) => (document::pasted_text(&body.text), body.meeting_date, None),
        Sent::Form(Err(upload::BodyError::TooLarge)) => {
            return Err(Invalid::new("text", "err-too-long")
                .arg("max", TEXT_LIMIT)
                .into())
        }
        Sent::Form(Err(upload::BodyError::Malformed(detail))) => {
            return Err(ApiError::BadRequest(
                Invalid::new("body", "documents-err-body").arg("value", detail),
            ))
        }
        Sent::Form(Ok(body)) => {
            if body.file_too_big {
                return Err(ExtractError::TooBig.invalid("file", "").into());
            }
            if let Some(field) = body.unknown_field(&["meeting_date"]) {
                return Err(Invalid::new(field, "err-unknown-field").into());
            }
            let meeting_date = body.value("meeting_date");
            match body.file {
                Some(file) => {
                    let text = read_document(file, "file").await?;
                    (text.clone(), meeting_date, Some(text))
                }
                None => (
                    document::pasted_text(&body.value("text")),
                    meeting_date,
                    None,
                ),
            }
        }
    };
    check_text("text", &text)?;
    let meeting_date =
        parse_date(&meeting_date).map_err(|_| Invalid::bad_date("meeting_date", &meeting_date))?;
    let (units, calendar) = state
        .run(|conn| {
            Ok((
                storage::units::list(conn)?,
                storage::holidays::calendar(conn)?,
            ))
        })
        .await?;
    let proposal = web::block(move || propose(&units, &text, meeting_date, &calendar)).await?;
    Ok(Json(ParseResponse {
        items: proposal.tasks.into_iter().map(Into::into).collect(),
        context: proposal.context,
        text: extracted,
    }))
}
