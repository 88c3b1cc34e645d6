//! What the API and the meeting form share to propose tasks from a
//! conclusion: the stored units as the parser knows them, and the text of an
//! uploaded document read off the request thread.

use actix_web::web;
use chrono::NaiveDate;

use crate::domain::conclusion::{propose_tasks, ParseInput, TaskProposal, UnitName};
use crate::domain::document::{self, ExtractError};
use crate::domain::holidays::WorkCalendar;
use crate::domain::Invalid;
use crate::storage::units::UnitInfo;
use crate::web::upload::Upload;

/// The tasks a conclusion proposes with the active units (names and aliases),
/// counting working days with `calendar`.
pub fn propose(
    units: &[UnitInfo],
    text: &str,
    meeting_date: NaiveDate,
    calendar: &WorkCalendar,
) -> TaskProposal {
    let names: Vec<UnitName> = units
        .iter()
        .filter(|u| u.unit.active)
        .map(|u| UnitName {
            code: u.unit.code.clone(),
            names: std::iter::once(u.unit.name.clone())
                .chain(u.aliases.iter().cloned())
                .collect(),
        })
        .collect();
    let input = ParseInput {
        meeting_date,
        units: &names,
        calendar,
    };
    propose_tasks(text, &input)
}

/// The text of an upload, read off the request thread; errors name `field`.
pub async fn read_document(upload: Upload, field: &str) -> Result<String, Invalid> {
    let name = upload.name.clone();
    let result = web::block(move || document::extract(&upload.name, &upload.bytes))
        .await
        .map_err(|_| ExtractError::Unreadable("worker stopped".into()));
    match result {
        Ok(Ok(found)) => Ok(found.text),
        Ok(Err(e)) | Err(e) => Err(e.invalid(field, &name)),
    }
}
