//! Each unit's deadlines as an iCalendar feed (RFC 5545) at a secret address,
//! `GET /ics/{secret}.ics`, for calendar apps to subscribe to. The address is
//! the credential: an unknown secret is a plain 404.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, Event, EventLike};

use crate::domain::dates::format_vi;
use crate::i18n::{self, Lang};
use crate::storage::calendar::{self, Feed};
use crate::web::{ApiError, State};

pub fn register(cfg: &mut web::ServiceConfig) {
    cfg.route("/ics/{secret}.ics", web::get().to(feed));
}

/// The feed's address, for the unit's page.
pub fn feed_url(base_url: &str, secret: &str) -> String {
    format!("{base_url}/ics/{secret}.ics")
}

fn is_secret(s: &str) -> bool {
    s.len() == calendar::SECRET_BYTES * 2 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

async fn feed(state: State, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let secret = path.into_inner();
    if !is_secret(&secret) {
        return Err(ApiError::NotFound);
    }
    let feed = state.run(move |conn| calendar::feed(conn, &secret)).await?;
    let body = render(
        &feed,
        &state.config.base_url,
        state.config.mail_from.email.domain(),
        Lang::Vi,
        Utc::now(),
    );
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "private, max-age=300"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"dondoc-{}.ics\"", feed.unit.code),
        ))
        .body(body))
}

/// The calendar of a feed: one all-day event on each open task's deadline.
pub fn render(
    feed: &Feed,
    base_url: &str,
    uid_domain: &str,
    lang: Lang,
    now: DateTime<Utc>,
) -> String {
    let mut cal = Calendar::new();
    cal.name(&i18n::text_with(
        lang,
        "ics-calendar-name",
        &[("unit", feed.unit.name.clone())],
    ));
    cal.append_property(("X-PUBLISHED-TTL", "PT1H"));
    for task in &feed.tasks {
        let url = format!("{base_url}/tasks/{}", task.id);
        let mut description = format!(
            "{}\n\n{}: {}\n{}: {}\n",
            task.content,
            i18n::text(lang, "mail-deadline"),
            format_vi(task.deadline),
            i18n::text(lang, "mail-lead-unit"),
            task.lead_unit_name,
        );
        if !task.leads {
            description.push_str(&i18n::text_with(
                lang,
                "ics-role-coordinator",
                &[("unit", feed.unit.name.clone())],
            ));
            description.push('\n');
        }
        description.push_str(&url);
        let mut event = Event::new();
        event
            .uid(&format!("task-{}@{uid_domain}", task.id))
            .timestamp(now)
            .last_modified(DateTime::<Utc>::from_naive_utc_and_offset(
                task.updated_at,
                Utc,
            ))
            .summary(&format!(
                "[{}] {}",
                task.reference,
                summary_text(&task.content)
            ))
            .description(&description)
            .url(&url)
            .starts(task.deadline)
            .ends(task.deadline.succ_opt().unwrap_or(task.deadline))
            .add_property("TRANSP", "TRANSPARENT");
        cal.push(event.done());
    }
    cal.done().to_string()
}

/// The first line of a task's content, at most 120 characters.
fn summary_text(content: &str) -> String {
    let line = content.lines().next().unwrap_or("").trim();
    let mut s: String = line.chars().take(120).collect();
    if line.chars().count() > 120 {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::calendar::FeedTask;
    use crate::storage::models::Unit;
    use chrono::NaiveDate;

    fn feed() -> Feed {
        let at = NaiveDate::from_ymd_opt(2022, 7, 7)
            .and_then(|d| d.and_hms_opt(8, 0, 0))
            .expect("time");
        Feed {
            unit: Unit {
                id: 2,
                code: "BTGTU".into(),
                name: "Ban Tuyên giáo Tỉnh ủy".into(),
                parent_id: None,
                email: None,
                head_email: None,
                active: true,
                created_at: at,
                updated_at: at,
            },
            tasks: vec![FeedTask {
                id: 7,
                reference: "NV-000007".into(),
                content: "Tổ chức hội nghị quán triệt, triển khai Nghị quyết; \"đợt 2\", phần A, B\nDòng hai".repeat(3),
                deadline: NaiveDate::from_ymd_opt(2022, 12, 31).expect("date"),
                lead_unit_code: "BTGTU".into(),
                lead_unit_name: "Ban Tuyên giáo Tỉnh ủy".into(),
                leads: true,
                updated_at: at,
            }],
        }
    }

    #[test]
    fn rfc5545_lines_are_folded_escaped_and_end_in_crlf() {
        let text = render(
            &feed(),
            "https://dondoc.example.vn",
            "dondoc.example.vn",
            Lang::Vi,
            Utc::now(),
        );
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(text.trim_end().ends_with("END:VCALENDAR"));
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "{line}");
            assert!(!line.contains('\n'), "{line:?}");
        }
        let unfolded = text.replace("\r\n ", "");
        assert!(
            unfolded.contains("DTSTART;VALUE=DATE:20221231"),
            "{unfolded}"
        );
        assert!(unfolded.contains("DTEND;VALUE=DATE:20230101"));
        assert!(unfolded.contains("UID:task-7@dondoc.example.vn"));
        assert!(unfolded.contains("URL:https://dondoc.example.vn/tasks/7"));
        assert!(
            unfolded.contains("Nghị quyết\\; \\\"đợt 2\\\"")
                || unfolded.contains("Nghị quyết\\; \"đợt 2\""),
            "{unfolded}"
        );
        assert!(unfolded.contains("phần A\\, B"));
        assert!(unfolded.contains("VERSION:2.0"));
        assert!(unfolded.contains("PRODID:"));
    }

    #[test]
    fn descriptions_name_the_lead_unit_and_the_coordinating_one() {
        let mut f = feed();
        let mut other = f.tasks[0].clone();
        other.id = 8;
        other.leads = false;
        other.lead_unit_name = "Văn phòng Tỉnh ủy".into();
        f.tasks.push(other);
        let text = render(&f, "https://x.vn", "x.vn", Lang::Vi, Utc::now()).replace("\r\n ", "");
        assert!(
            text.contains("Đơn vị chủ trì: Ban Tuyên giáo Tỉnh ủy\\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "Đơn vị chủ trì: Văn phòng Tỉnh ủy\\nĐơn vị phối hợp: Ban Tuyên giáo Tỉnh ủy\\n"
            ),
            "{text}"
        );
        let en = render(&f, "https://x.vn", "x.vn", Lang::En, Utc::now()).replace("\r\n ", "");
        assert!(
            en.contains("Coordinating unit: Ban Tuyên giáo Tỉnh ủy"),
            "{en}"
        );
    }

    #[test]
    fn only_hex_secrets_of_the_right_length() {
        assert!(is_secret(&"ab".repeat(32)));
        assert!(!is_secret(&"ab".repeat(31)));
        assert!(!is_secret(&format!("{}zz", "ab".repeat(31))));
        assert!(!is_secret("../../etc/passwd"));
    }
}
