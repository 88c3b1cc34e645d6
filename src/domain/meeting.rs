//! A meeting as it comes in (form, API), checked once.

use chrono::NaiveDate;

use super::dates::parse_date;
use super::task::keep;
use super::unit::check_code;
use super::Invalid;

pub const MAX_TITLE_LEN: usize = 500;
pub const MAX_LINE_LEN: usize = 300;
/// The longest conclusion text accepted: far beyond any speech.
pub const MAX_TEXT_BYTES: usize = 200 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingInput {
    pub title: String,
    pub held_on: NaiveDate,
    pub chair: String,
    pub organiser_unit: Option<String>,
    pub document_ref: String,
    pub conclusion_text: String,
    /// "Mật": its tasks are read only by officials, leaders in scope and their own units.
    pub confidential: bool,
}

#[derive(Debug, Clone, Default)]
pub struct RawMeeting<'a> {
    pub title: &'a str,
    pub held_on: &'a str,
    pub chair: &'a str,
    pub organiser_unit: &'a str,
    pub document_ref: &'a str,
    pub conclusion_text: &'a str,
    pub confidential: bool,
}

/// A conclusion text: present, and not absurdly long.
pub fn check_text(field: &str, text: &str) -> Result<(), Invalid> {
    if text.trim().is_empty() {
        return Err(Invalid::required(field));
    }
    if text.len() > MAX_TEXT_BYTES {
        return Err(Invalid::new(field, "err-text-too-long").arg("max", MAX_TEXT_BYTES / 1024));
    }
    Ok(())
}

fn check_line(field: &str, value: &str, max: usize, required: bool) -> Result<String, Invalid> {
    let v = value.trim();
    if required && v.is_empty() {
        return Err(Invalid::required(field));
    }
    if v.chars().count() > max {
        return Err(Invalid::new(field, "err-too-long").arg("max", max));
    }
    Ok(v.to_string())
}

impl MeetingInput {
    /// Every problem, not just the first. The conclusion text may be empty
    /// (a meeting recorded before its notice is out).
    pub fn parse(raw: &RawMeeting) -> Result<MeetingInput, Vec<Invalid>> {
        let mut errors = Vec::new();
        let e = &mut errors;
        let title = keep(e, check_line("title", raw.title, MAX_TITLE_LEN, true));
        let held_on = if raw.held_on.trim().is_empty() {
            e.push(Invalid::required("held_on"));
            None
        } else {
            keep(
                e,
                parse_date(raw.held_on).map_err(|_| Invalid::bad_date("held_on", raw.held_on)),
            )
        };
        let chair = keep(e, check_line("chair", raw.chair, MAX_LINE_LEN, false));
        let document_ref = keep(
            e,
            check_line("document_ref", raw.document_ref, MAX_LINE_LEN, false),
        );
        let organiser_unit = match raw.organiser_unit.trim() {
            "" => None,
            code => keep(e, check_code("organiser_unit", code)),
        };
        if raw.conclusion_text.len() > MAX_TEXT_BYTES {
            e.push(
                Invalid::new("conclusion_text", "err-text-too-long")
                    .arg("max", MAX_TEXT_BYTES / 1024),
            );
        }
        match (title, held_on, chair, document_ref, errors.is_empty()) {
            (Some(title), Some(held_on), Some(chair), Some(document_ref), true) => {
                Ok(MeetingInput {
                    title,
                    held_on,
                    chair,
                    organiser_unit,
                    document_ref,
                    conclusion_text: raw.conclusion_text.to_string(),
                    confidential: raw.confidential,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_good_meeting() {
        let m = MeetingInput::parse(&RawMeeting {
            title: " Hội nghị sơ kết ",
            held_on: "07/07/2022",
            organiser_unit: "BTGTU",
            ..Default::default()
        })
        .expect("valid");
        assert_eq!(m.title, "Hội nghị sơ kết");
        assert_eq!(
            m.held_on,
            NaiveDate::from_ymd_opt(2022, 7, 7).expect("date")
        );
        assert_eq!(m.organiser_unit.as_deref(), Some("BTGTU"));
    }

    #[test]
    fn every_problem_is_named() {
        let big = "x".repeat(MAX_TEXT_BYTES + 1);
        let errors = MeetingInput::parse(&RawMeeting {
            title: "",
            held_on: "31/02/2022",
            organiser_unit: "BTG TU",
            conclusion_text: &big,
            ..Default::default()
        })
        .expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec!["title", "held_on", "organiser_unit", "conclusion_text"]
        );
    }

    #[test]
    fn conclusion_texts() {
        assert!(check_text("text", "  ").is_err());
        assert!(check_text("text", &"a".repeat(2 * 1024 * 1024)).is_err());
        assert!(check_text("text", "Tổ chức hội nghị.").is_ok());
    }
}
