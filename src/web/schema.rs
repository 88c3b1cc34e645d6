//! Schemas of the OpenAPI document built from the domain's own lists (the
//! codes of statuses, states, workflow filters, inbox kinds, roles) and from
//! the limits the checks use, so that the document says exactly what the
//! server accepts and answers. The query structs of `web::query` name them
//! too, so they sit beside the API rather than in it.

use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::{Array, Object, RefOr};

use crate::domain::inbox::{Kind, Waiting};
use crate::domain::status::State;
use crate::domain::{Role, Status};
use crate::storage::meetings::MeetingSummary;

/// The pattern of a period's name in the API's document (ranges are `from`, `to`).
pub const PERIOD_PATTERN: &str = r"^[0-9]{4}(-([Hh][12]|[Qq][1-4]|0[1-9]|1[0-2]))?$";

/// The pattern of a unit's code (see `domain::unit::check_code`).
pub const CODE_PATTERN: &str = r"^[A-Za-z0-9_.-]+$";

/// The pattern of a unit's code where a blank one means "none" (a task waiting for its lead).
pub const CODE_OR_BLANK_PATTERN: &str = r"^[A-Za-z0-9_.-]*$";

/// The largest page number the API documents (a page past the last is empty).
pub const MAX_PAGE: i64 = 1_000_000;

/// A type that stands for one of the schemas below in `value_type = …,
/// inline` of a field, so that the field keeps its description, `style` and
/// `explode` (a `schema_with` drops them).
macro_rules! doc_types {
    ($( $(#[$meta:meta])* $name:ident => $schema:expr; )*) => {
        $(
            $(#[$meta])*
            pub struct $name;

            impl utoipa::PartialSchema for $name {
                fn schema() -> RefOr<Schema> {
                    $schema.into()
                }
            }

            impl utoipa::ToSchema for $name {}
        )*
    };
}

doc_types! {
    /// `YYYY-MM-DD`.
    DateText => date();
    StatusCode => status();
    /// One status or several, comma-separated.
    StatusList => status_list();
    WaitingCode => waiting();
    UnitRoleCode => unit_role();
    UnitCode => unit_code();
    PeriodName => period();
    PageNumber => page();
    PerPage => per_page();
    Id => id();
    SearchText => search();
}

/// The pattern of a date as the API writes it (the format alone leaves `""` valid to some readers).
pub const DATE_PATTERN: &str = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";

pub fn date() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Date,
        )))
        .pattern(Some(DATE_PATTERN))
        .build()
}

fn codes(description: &str, codes: impl IntoIterator<Item = &'static str>) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(codes))
}

pub fn status() -> Object {
    codes(
        "The status as of the request's date.",
        Status::ALL.map(Status::code),
    )
    .build()
}

/// `status=overdue,done_late`: one or more statuses, comma-separated.
pub fn status_list() -> Array {
    ArrayBuilder::new()
        .items(status())
        .min_items(Some(1))
        .description(Some(
            "One status or several, comma-separated: tasks with any of them.",
        ))
        .build()
}

pub fn state() -> Object {
    codes(
        "Where the task stands today.",
        [State::Open, State::Done, State::Cancelled].map(State::code),
    )
    .build()
}

pub fn waiting() -> Object {
    codes(
        "Where the task stands in its workflow: a proposal of completion \
         waits (completion), an extension request waits (extension), or the \
         last proposal was returned (returned). Open tasks only.",
        Waiting::ALL.map(Waiting::code),
    )
    .build()
}

pub fn inbox_kind() -> Object {
    codes("The kind of entry.", Kind::ALL.map(Kind::code)).build()
}

pub fn role() -> Object {
    codes("The user's role.", Role::ALL.map(Role::code)).build()
}

pub fn unit_role() -> Object {
    codes(
        "With `unit`: the unit leads the task (lead, the default) or takes any part in it (any).",
        ["lead", "any"],
    )
    .build()
}

/// A unit's code: letters, digits, `_`, `-` and `.`.
pub fn unit_code() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(crate::domain::unit::MAX_CODE_LEN))
        .pattern(Some(CODE_PATTERN))
        .description(Some("A unit's code, e.g. BTGTU."))
        .build()
}

pub fn period() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(PERIOD_PATTERN))
        .description(Some(
            "A named period: a year (2022), a half-year (2022-H2), a quarter \
             (2022-Q3) or a month (2022-09). Any range: `from` and `to` instead.",
        ))
        .examples(["2022-H2"])
        .build()
}

/// A record's id.
pub fn id() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Int64,
        )))
        .minimum(Some(1))
        .build()
}

pub fn page() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Int64,
        )))
        .minimum(Some(1))
        .maximum(Some(MAX_PAGE))
        .description(Some(
            "The page, from 1 (default 1); past the last page the list is empty.",
        ))
        .build()
}

pub fn per_page() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Int64,
        )))
        .minimum(Some(1))
        .maximum(Some(crate::storage::tasks::MAX_PER_PAGE))
        .description(Some("Entries per page (default 50)."))
        .build()
}

/// Free text to search for.
pub fn search() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(
            "Words in the content or reference; accents and case are ignored; blank: no filter.",
        ))
        .build()
}

/// A meeting as a list shows it: the API's meeting and the meetings pages' line.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct MeetingJson {
    pub id: i64,
    pub title: String,
    pub held_on: chrono::NaiveDate,
    pub chair: String,
    /// The organising unit's code.
    pub organiser_unit: Option<String>,
    /// The document the conclusions were issued in, e.g. `Thông báo số 123-TB/TU`.
    pub document_ref: String,
    pub task_count: i64,
    /// Confidential ("mật"): its tasks are read only by officials, leaders in scope and their units.
    pub confidential: bool,
}

impl From<MeetingSummary> for MeetingJson {
    fn from(m: MeetingSummary) -> MeetingJson {
        MeetingJson {
            confidential: m.meeting.confidential,
            id: m.meeting.id,
            title: m.meeting.title,
            held_on: m.meeting.held_on,
            chair: m.meeting.chair,
            organiser_unit: m.organiser_unit,
            document_ref: m.meeting.document_ref,
            task_count: m.task_count,
        }
    }
}
