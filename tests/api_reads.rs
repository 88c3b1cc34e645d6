//! The reads the pages have, through the API: a task's reports (with their
//! files), requests and history, period closes, users; pagination, the
//! dashboard's ETag, and the 405 of a method a path does not have.

mod common;

use dondoc::domain::Role;
use serde_json::{json, Value};

async fn send(
    app: &common::TestApp,
    method: reqwest::Method,
    path: &str,
    role: Role,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = app
        .client
        .request(method, app.url(path))
        .bearer_auth(&app.tokens[&role]);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn get(app: &common::TestApp, path: &str, role: Role) -> (u16, Value) {
    send(app, reqwest::Method::GET, path, role, None).await
}

async fn post(app: &common::TestApp, path: &str, role: Role, body: Value) -> (u16, Value) {
    send(app, reqwest::Method::POST, path, role, Some(body)).await
}

async fn task(app: &common::TestApp, lead: &str, confidential: bool) -> i64 {
    let (status, body) = post(app, "/api/v1/tasks", Role::Official, json!({"content": "Xây dựng kế hoạch tuyên truyền", "lead_unit": lead, "assigned_on": "2022-07-07", "deadline": "2022-12-31", "confidential": confidential})).await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_i64().expect("id")
}

const PDF: &[u8] = b"%PDF-1.4\n% bao cao tien do\n";

on_both_backends! {
    async fn a_tasks_reports_requests_and_history_read_as_on_its_page(app) {
        let id = task(&app, common::TEST_UNIT, false).await;
        let (status, created) = app.report_with_file(id, "bao-cao.pdf", PDF).await;
        assert_eq!(status, 201, "{created}");
        let report_id = created["id"].as_i64().expect("id");
        let (status, body) = app.report_with_file(id, "bao-cao.pdf", b"\x00\x01 not a pdf").await;
        assert_eq!((status, body["field"].as_str()), (422, Some("attachment")), "{body}");
        let (status, _) = post(&app, &format!("/api/v1/tasks/{id}/reports"), Role::Unit, json!({"percent": 60, "note": "Đang triển khai"})).await;
        assert_eq!(status, 201);
        let (status, ext) = post(&app, &format!("/api/v1/tasks/{id}/extensions"), Role::Unit, json!({"new_deadline": "2023-03-31", "reason": "Chờ ý kiến"})).await;
        assert_eq!(status, 201, "{ext}");
        let (status, _) = post(&app, &format!("/api/v1/extensions/{}/approve", ext["id"]), Role::Official, json!({})).await;
        assert_eq!(status, 200);

        let (status, reports) = get(&app, &format!("/api/v1/tasks/{id}/reports"), Role::Leader).await;
        assert_eq!(status, 200, "{reports}");
        assert_eq!((reports["total"].as_i64(), reports["page"].as_i64()), (Some(2), Some(1)));
        let items = reports["items"].as_array().expect("items");
        assert_eq!(items[0]["percent"], 60, "newest first");
        assert_eq!(items[1]["unit"], common::TEST_UNIT);
        assert_eq!(items[1]["attachment"]["name"], "bao-cao.pdf");
        let url = items[1]["attachment"]["url"].as_str().expect("url").to_string();
        assert_eq!(url, format!("/api/v1/attachments/{report_id}"));
        let res = app.get(&url, Role::Leader).send().await.expect("file");
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(res.headers()["content-type"], "application/pdf");
        assert_eq!(res.bytes().await.expect("bytes").as_ref(), PDF);
        let (status, _) = get(&app, &format!("/api/v1/attachments/{}", items[0]["id"]), Role::Leader).await;
        assert_eq!(status, 404, "a report without a file");

        let (status, exts) = get(&app, &format!("/api/v1/tasks/{id}/extensions"), Role::Unit).await;
        assert_eq!(status, 200);
        assert_eq!(exts["items"][0]["state"], "approved");
        assert_eq!(exts["items"][0]["new_deadline"], "2023-03-31");
        assert_eq!(exts["items"][0]["current_deadline"], "2022-12-31");

        let res = app.get(&format!("/api/v1/tasks/{id}/history?per_page=2"), Role::Official).send().await.expect("history");
        assert_eq!(res.status().as_u16(), 200);
        let link = res.headers()["link"].to_str().expect("link").to_string();
        let history: Value = res.json().await.expect("json");
        assert_eq!(history["items"].as_array().map(Vec::len), Some(2));
        let total = history["total"].as_i64().expect("total");
        assert!(total >= 4, "created, two reports, a request, its approval: {history}");
        assert!(link.contains(&format!("</api/v1/tasks/{id}/history?page=2&per_page=2>; rel=\"next\"")), "{link}");
        assert!(history["items"][0]["action"].as_str().is_some_and(|a| !a.is_empty()));
        assert!(history["items"][0]["details"].is_object());
    }

    async fn a_confidential_tasks_work_is_hidden_like_the_task(app) {
        let id = task(&app, "VPTU", true).await;
        let vptu = {
            let mut conn = app.db.conn().expect("conn");
            let user = dondoc::storage::users::create(&mut conn, &dondoc::storage::users::NewUser {
                email: "vptu@example.vn".into(), name: "Văn phòng".into(), role: Role::Unit, unit_code: Some("VPTU".into()),
                password_hash: dondoc::auth::hash_password(common::PASSWORD),
            }).expect("user");
            dondoc::storage::users::create_token(&mut conn, user, "test").expect("token")
        };
        let res = app.client.post(app.url(&format!("/api/v1/tasks/{id}/reports"))).bearer_auth(&vptu)
            .multipart(reqwest::multipart::Form::new().text("percent", "10").part("attachment", reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("mat.pdf")))
            .send().await.expect("report");
        assert_eq!(res.status().as_u16(), 201);
        let report: Value = res.json().await.expect("json");
        for path in [format!("/api/v1/tasks/{id}/reports"), format!("/api/v1/tasks/{id}/extensions"), format!("/api/v1/tasks/{id}/history"), format!("/api/v1/attachments/{}", report["id"])] {
            let (status, _) = get(&app, &path, Role::Unit).await;
            assert_eq!(status, 404, "another unit: {path}");
            let (status, _) = get(&app, &path, Role::Admin).await;
            assert_eq!(status, 404, "an admin: {path}");
            let res = app.client.get(app.url(&path)).bearer_auth(&vptu).send().await.expect("read");
            assert_eq!(res.status().as_u16(), 200, "the lead unit: {path}");
        }
    }

    async fn lists_are_paginated_with_links(app) {
        for _ in 0..5 {
            task(&app, common::TEST_UNIT, false).await;
        }
        let res = app.get("/api/v1/tasks?per_page=2&page=2&q=tuy%C3%AAn", Role::Leader).send().await.expect("list");
        assert_eq!(res.status().as_u16(), 200);
        let link = res.headers()["link"].to_str().expect("link").to_string();
        let body: Value = res.json().await.expect("json");
        assert_eq!((body["total"].as_i64(), body["page"].as_i64(), body["per_page"].as_i64()), (Some(5), Some(2), Some(2)));
        for rel in ["first\"", "prev\"", "next\"", "last\""] {
            assert!(link.contains(rel), "{rel} in {link}");
        }
        assert!(link.contains("</api/v1/tasks?q=tuy%C3%AAn&page=3&per_page=2>; rel=\"last\""), "{link}");
        for (query, field) in [("per_page=501", "per_page"), ("page=0", "page"), ("as_of=", "as_of"), ("unit=", "unit")] {
            let (status, body) = get(&app, &format!("/api/v1/tasks?{query}"), Role::Leader).await;
            assert_eq!((status, body["field"].as_str()), (422, Some(field)), "{query}: {body}");
        }
        let (status, body) = get(&app, "/api/v1/tasks?unit=NOPE", Role::Leader).await;
        assert_eq!((status, body["error"].as_str(), body["field"].as_str()), (422, Some("invalid"), Some("unit")), "{body}");
        let (status, body) = get(&app, "/api/v1/tasks?from=2022-07-01", Role::Leader).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("to")), "{body}");
        let (status, body) = get(&app, "/api/v1/tasks?from=2022-07-01&to=2022-06-01", Role::Leader).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("to")), "{body}");
        let (status, body) = get(&app, "/api/v1/tasks?period=2022-H2&as_of=2022-06-30", Role::Leader).await;
        assert_eq!((status, body["field"].as_str()), (400, Some("as_of")), "an as-of date before the period: {body}");
    }

    async fn a_list_of_statuses_is_sent_comma_separated_or_once_per_value(app) {
        for _ in 0..2 {
            task(&app, common::TEST_UNIT, false).await;
        }
        let comma = get(&app, "/api/v1/tasks?as_of=2023-01-15&status=overdue,done_late", Role::Leader).await;
        let repeated = get(&app, "/api/v1/tasks?as_of=2023-01-15&status=overdue&status=done_late", Role::Leader).await;
        assert_eq!(comma.0, 200, "{}", comma.1);
        assert_eq!(comma.1["total"].as_i64(), Some(2), "{}", comma.1);
        assert_eq!(repeated, comma);
        let none = get(&app, "/api/v1/tasks?as_of=2023-01-15&status=done_late&status=in_progress", Role::Leader).await;
        assert_eq!(none.1["total"].as_i64(), Some(0), "{}", none.1);
        // A field that holds one value, sent twice, is refused naming the query.
        let (status, body) = get(&app, "/api/v1/tasks?unit=A&unit=B", Role::Leader).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("query")), "{body}");
    }

    async fn the_dashboard_answers_304_while_unchanged(app) {
        let path = "/api/v1/dashboard?period=2022-H2&as_of=2022-12-31";
        let res = app.get(path, Role::Leader).send().await.expect("dashboard");
        assert_eq!(res.status().as_u16(), 200);
        let tag = res.headers()["etag"].to_str().expect("etag").to_string();
        let again = app.get(path, Role::Leader).header("If-None-Match", &tag).send().await.expect("again");
        assert_eq!(again.status().as_u16(), 304);
        assert_eq!(again.headers()["etag"].to_str().ok(), Some(tag.as_str()));
        assert!(again.bytes().await.expect("body").is_empty());
        let other = app.get("/api/v1/dashboard?period=2022-H1&as_of=2022-06-30", Role::Leader).header("If-None-Match", &tag).send().await.expect("other");
        assert_eq!(other.status().as_u16(), 200, "another report has another tag");
        task(&app, common::TEST_UNIT, false).await;
        let changed = app.get(path, Role::Leader).header("If-None-Match", &tag).send().await.expect("changed");
        assert_eq!(changed.status().as_u16(), 200, "a new task changes the report");
        assert_ne!(changed.headers()["etag"].to_str().ok(), Some(tag.as_str()));
    }

    async fn periods_are_closed_listed_and_reopened(app) {
        task(&app, common::TEST_UNIT, false).await;
        let (status, _) = post(&app, "/api/v1/closes", Role::Leader, json!({"period": "2022-H2"})).await;
        assert_eq!(status, 403);
        let (status, close) = post(&app, "/api/v1/closes", Role::Official, json!({"period": "2022-H2", "as_of": "2022-12-31", "note": "Sơ kết"})).await;
        assert_eq!(status, 201, "{close}");
        assert_eq!((close["period"].as_str(), close["totals"]["total"].as_u64()), (Some("2022-H2"), Some(1)));
        let (status, _) = post(&app, "/api/v1/closes", Role::Official, json!({"period": "2022-H2", "as_of": "2022-12-31"})).await;
        assert_eq!(status, 409, "closed already");
        let (status, body) = post(&app, "/api/v1/closes", Role::Official, json!({"period": "2022-H2", "as_of": "2022-06-30"})).await;
        assert_eq!((status, body["field"].as_str()), (400, Some("as_of")), "{body}");
        let (status, list) = get(&app, "/api/v1/closes", Role::Leader).await;
        assert_eq!(status, 200);
        assert_eq!(list["total"], 1);
        assert_eq!(list["items"][0]["note"], "Sơ kết");
        assert!(list["items"][0]["units"].as_array().is_some_and(|u| u.iter().any(|u| u["code"] == common::TEST_UNIT)));
        let path = format!("/api/v1/closes/{}", close["id"]);
        let (status, _) = send(&app, reqwest::Method::DELETE, &path, Role::Unit, None).await;
        assert_eq!(status, 403);
        let (status, _) = send(&app, reqwest::Method::DELETE, &path, Role::Official, None).await;
        assert_eq!(status, 204);
        let (status, _) = send(&app, reqwest::Method::DELETE, &path, Role::Official, None).await;
        assert_eq!(status, 404, "reopened already");
        assert_eq!(get(&app, "/api/v1/closes", Role::Leader).await.1["total"], 0);
    }

    async fn users_are_listed_to_admins(app) {
        let (status, users) = get(&app, "/api/v1/users?per_page=3", Role::Admin).await;
        assert_eq!(status, 200);
        assert_eq!((users["total"].as_i64(), users["items"].as_array().map(Vec::len)), (Some(4), Some(3)));
        let unit = users["items"].as_array().expect("items").iter().chain(get(&app, "/api/v1/users?page=2&per_page=3", Role::Admin).await.1["items"].as_array().expect("items"))
            .find(|u| u["role"] == "unit").cloned().expect("a unit user");
        assert_eq!(unit["unit"], common::TEST_UNIT);
        assert!(unit.get("password_hash").is_none());
        for role in [Role::Official, Role::Unit, Role::Leader] {
            assert_eq!(get(&app, "/api/v1/users", role).await.0, 403, "{role}");
        }
    }

    async fn a_meeting_is_changed_field_by_field(app) {
        let (status, meeting) = post(&app, "/api/v1/meetings", Role::Official, json!({"title": "Hội nghị sơ kết", "held_on": "2022-07-07", "chair": "Trưởng ban"})).await;
        assert_eq!(status, 201, "{meeting}");
        let path = format!("/api/v1/meetings/{}", meeting["id"]);
        let (status, changed) = send(&app, reqwest::Method::PATCH, &path, Role::Official, Some(json!({"title": "Hội nghị sơ kết 6 tháng", "organiser_unit": "VPTU"}))).await;
        assert_eq!(status, 200, "{changed}");
        assert_eq!((changed["title"].as_str(), changed["chair"].as_str(), changed["organiser_unit"].as_str()), (Some("Hội nghị sơ kết 6 tháng"), Some("Trưởng ban"), Some("VPTU")));
        let (status, body) = send(&app, reqwest::Method::PATCH, &path, Role::Official, Some(json!({"held_on": "31/02/2022"}))).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("held_on")));
        let (status, body) = send(&app, reqwest::Method::PATCH, &path, Role::Official, Some(json!({"organiser_unit": "NOPE"}))).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("organiser_unit")));
        let (status, _) = send(&app, reqwest::Method::PATCH, &path, Role::Leader, Some(json!({"title": "x"}))).await;
        assert_eq!(status, 403);
        let (status, _) = send(&app, reqwest::Method::PATCH, "/api/v1/meetings/999999", Role::Official, Some(json!({"title": "x"}))).await;
        assert_eq!(status, 404);
        let (_, meetings) = get(&app, "/api/v1/meetings", Role::Leader).await;
        assert_eq!(meetings[0]["title"], "Hội nghị sơ kết 6 tháng");
    }

    async fn a_method_a_path_does_not_have_is_a_405_with_allow(app) {
        for (method, path, allow) in [
            (reqwest::Method::DELETE, "/api/v1/tasks", "GET, POST"),
            (reqwest::Method::PUT, "/api/v1/tasks/1", "GET, PATCH"),
            (reqwest::Method::GET, "/api/v1/tasks/1/cancel", "POST"),
            (reqwest::Method::POST, "/api/v1/closes/1", "DELETE"),
        ] {
            let res = app.client.request(method.clone(), app.url(path)).send().await.expect("request");
            assert_eq!(res.status().as_u16(), 405, "{method} {path}");
            assert_eq!(res.headers()["allow"].to_str().ok(), Some(allow), "{method} {path}");
            let body: Value = res.json().await.expect("json");
            assert_eq!(body["error"], "method_not_allowed");
        }
        let res = app.client.delete(app.url("/api/v1/nothing-here")).send().await.expect("request");
        assert_eq!(res.status().as_u16(), 404);
    }
}
