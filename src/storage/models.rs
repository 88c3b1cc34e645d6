//! Rows as they are stored, and the domain's values stored in them.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::expression::AsExpression;
use diesel::prelude::*;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::{Nullable, Text};

use super::schema::*;
use crate::domain::progress::{Decision, Review};
use crate::domain::{Role, TaskDates};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = units)]
pub struct Unit {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub parent_id: Option<i64>,
    pub email: Option<String>,
    pub head_email: Option<String>,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub unit_id: Option<i64>,
    pub password_hash: String,
    pub language: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// A leader's reports cover this unit's subtree (`None`: every unit).
    pub scope_unit_id: Option<i64>,
}

impl User {
    /// Rows are written through [`Role::code`], and the table checks the value.
    pub fn role(&self) -> Role {
        self.role.parse().unwrap_or(Role::Leader)
    }
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = meetings)]
pub struct Meeting {
    pub id: i64,
    pub title: String,
    pub held_on: NaiveDate,
    pub chair: String,
    pub organiser_unit_id: Option<i64>,
    pub document_ref: String,
    pub conclusion_text: String,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Confidential ("mật"): its tasks are read by few (`storage::visibility`).
    pub confidential: bool,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = tasks)]
pub struct Task {
    pub id: i64,
    pub reference: String,
    pub meeting_id: Option<i64>,
    pub content: String,
    pub search_text: String,
    pub lead_unit_id: Option<i64>,
    pub assigned_on: NaiveDate,
    pub deadline: Option<NaiveDate>,
    pub original_deadline: Option<NaiveDate>,
    pub expected_output: String,
    pub completed_on: Option<NaiveDate>,
    pub cancelled_on: Option<NaiveDate>,
    pub cancel_reason: String,
    pub percent: i32,
    pub version: i32,
    pub assigned_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Confidential ("mật"), by itself; a task of a confidential meeting is too.
    pub confidential: bool,
}

impl Task {
    pub fn dates(&self) -> TaskDates {
        TaskDates {
            assigned_on: self.assigned_on,
            deadline: self.deadline,
            completed_on: self.completed_on,
            cancelled_on: self.cancelled_on,
        }
    }
}

/// Reads and writes a workflow state as the domain's enum, stored as its code
/// (`progress_reports.review_state`, `extension_requests.state`): the enum's
/// `code`/`from_code` are the one mapping between the two. Written by hand
/// over diesel's public traits, since the domain's types carry no diesel derive.
macro_rules! stored_as_code {
    ($($state:ident),*) => {$(
        impl<DB> FromSql<Text, DB> for $state
        where
            DB: Backend,
            String: FromSql<Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                let code = String::from_sql(bytes)?;
                $state::from_code(&code).ok_or_else(|| {
                    format!("no {} is stored as {code:?}", stringify!($state)).into()
                })
            }
        }

        impl<DB> Queryable<Text, DB> for $state
        where
            DB: Backend,
            Self: FromSql<Text, DB>,
        {
            type Row = Self;

            fn build(row: Self) -> deserialize::Result<Self> {
                Ok(row)
            }
        }

        impl<DB> ToSql<Text, DB> for $state
        where
            DB: Backend,
            str: ToSql<Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                <str as ToSql<Text, DB>>::to_sql(self.code(), out)
            }
        }

        impl AsExpression<Text> for $state {
            type Expression = <&'static str as AsExpression<Text>>::Expression;

            fn as_expression(self) -> Self::Expression {
                <&'static str as AsExpression<Text>>::as_expression(self.code())
            }
        }

        impl AsExpression<Nullable<Text>> for $state {
            type Expression = <&'static str as AsExpression<Nullable<Text>>>::Expression;

            fn as_expression(self) -> Self::Expression {
                <&'static str as AsExpression<Nullable<Text>>>::as_expression(self.code())
            }
        }
    )*};
}

stored_as_code!(Review, Decision);
