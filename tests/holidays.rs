//! The working-day calendar an admin edits, and the parser counting with it.

mod common;

use common::csrf_in;
use dondoc::domain::Role;
use serde_json::{json, Value};

async fn parse(app: &common::TestApp, text: &str, meeting_date: &str) -> Value {
    let res = app
        .client
        .post(app.url("/api/v1/conclusions/parse"))
        .bearer_auth(&app.tokens[&Role::Official])
        .json(&json!({"text": text, "meeting_date": meeting_date}))
        .send()
        .await
        .expect("parse");
    assert_eq!(res.status().as_u16(), 200);
    res.json().await.expect("json")
}

const WORKING_DAYS: &str = "Sở Tư pháp thẩm định dự thảo quy định trong thời hạn 15 ngày làm việc.";

on_both_backends! {
    async fn an_added_day_off_moves_a_working_day_deadline(app) {
        // Monday 25/3/2024 + 15 working days (Giỗ Tổ is 18/4): Monday 15/4.
        let body = parse(&app, WORKING_DAYS, "2024-03-25").await;
        assert_eq!(body["items"][0]["deadline"], "2024-04-15", "{body}");

        let admin = app.web_as(Role::Admin).await;
        let (status, html) = admin.get("/admin/holidays").await;
        assert_eq!(status, 200);
        assert!(html.contains("Tết Nguyên đán") && html.contains("Giỗ Tổ Hùng Vương"));
        let csrf = csrf_in(&html).expect("csrf");

        // A bad date is named and what was typed is kept.
        let (status, _, html) = admin
            .post("/admin/holidays", &[("csrf", csrf.as_str()), ("holiday_day", "31/02/2024"), ("holiday_kind", "off"), ("note", "nghỉ bù")])
            .await;
        assert_eq!(status, 422);
        let html = html.replace("&#x2F;", "/");
        assert!(html.contains("31/02/2024") && html.contains("nghỉ bù"), "{html}");

        let (status, _, _) = admin
            .post("/admin/holidays", &[("csrf", csrf.as_str()), ("holiday_day", "26/03/2024"), ("holiday_kind", "off"), ("note", "Nghỉ theo thông báo")])
            .await;
        assert_eq!(status, 303);
        let body = parse(&app, WORKING_DAYS, "2024-03-25").await;
        assert_eq!(body["items"][0]["deadline"], "2024-04-16", "{body}");

        // A make-up Saturday brings it back.
        let (status, _, _) = admin
            .post("/admin/holidays", &[("csrf", csrf.as_str()), ("holiday_day", "2024-03-30"), ("holiday_kind", "working"), ("note", "")])
            .await;
        assert_eq!(status, 303);
        let body = parse(&app, WORKING_DAYS, "2024-03-25").await;
        assert_eq!(body["items"][0]["deadline"], "2024-04-15", "{body}");

        let (status, _, _) = admin
            .post("/admin/holidays/2024-03-30/remove", &[("csrf", csrf.as_str())])
            .await;
        assert_eq!(status, 303);
        let (_, html) = admin.get("/admin/holidays").await;
        let html = html.replace("&#x2F;", "/");
        assert!(html.contains("26/03/2024") && !html.contains("30/03/2024"));

        let unit = app.web_as(Role::Unit).await;
        let (status, _) = unit.get("/admin/holidays").await;
        assert_eq!(status, 403);
    }

    async fn the_parse_api_returns_flags_and_context(app) {
        let text = "Chủ tịch UBND tỉnh kết luận như sau:\n1. Các sở, ngành gửi báo cáo trước ngày 20/5.\nNơi nhận:\n- Lưu: VT.";
        let body = parse(&app, text, "2024-05-08").await;
        let items = body["items"].as_array().expect("items");
        assert_eq!(items.len(), 1, "{body}");
        assert_eq!(items[0]["lead_unit"], Value::Null);
        assert_eq!(items[0]["flags"], json!(["group_addressee", "no_lead"]));
        assert_eq!(items[0]["addressee"], "Các sở, ngành");
        assert_eq!(items[0]["deadline"], "2024-05-20");
        let context = body["context"].as_array().expect("context");
        assert!(context.iter().any(|c| c.as_str().is_some_and(|c| c.contains("Nơi nhận"))), "{body}");
    }
}
