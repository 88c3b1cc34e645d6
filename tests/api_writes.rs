//! Recording meetings, proposing tasks from a conclusion, and changing tasks through the API.

mod common;

use dondoc::domain::Role;
use serde_json::{json, Value};

async fn send(
    app: &common::TestApp,
    method: reqwest::Method,
    path: &str,
    role: Role,
    body: Value,
) -> (u16, Value) {
    let res = app
        .client
        .request(method, app.url(path))
        .bearer_auth(&app.tokens[&role])
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn post(app: &common::TestApp, path: &str, role: Role, body: Value) -> (u16, Value) {
    send(app, reqwest::Method::POST, path, role, body).await
}

async fn count(app: &common::TestApp, path: &str) -> usize {
    let (_, body) = app.get_json(path).await;
    body.as_array()
        .map(Vec::len)
        .or_else(|| body["total"].as_u64().map(|n| n as usize))
        .unwrap_or(0)
}

on_both_backends! {
    async fn the_seed_speech_becomes_proposed_tasks(app) {
        let (status, body) = post(&app, "/api/v1/conclusions/parse", Role::Official, json!({"text": dondoc::demo::closing_speech(), "meeting_date": "07/07/2022"})).await;
        assert_eq!(status, 200, "{body}");
        let items = body["items"].as_array().expect("items");
        assert!((12..=14).contains(&items.len()), "{} items", items.len());
        for item in items {
            assert_eq!(item["deadline"], "2022-12-31", "{item}");
            assert!(item["deadline_phrase"].as_str().is_some_and(|p| !p.is_empty()));
            assert!(item["text"].as_str().is_some_and(|t| t.chars().next().is_some_and(char::is_uppercase)), "{item}");
        }
        let vptu = items.iter().find(|i| i["text"].as_str().unwrap_or("").contains("Văn phòng Tỉnh ủy")).expect("the item naming VPTU");
        assert!(vptu["coordinators"].as_array().expect("coordinators").contains(&json!("VPTU")), "{vptu}");
        assert!(!body["context"].as_array().expect("context").is_empty());
    }

    async fn bad_conclusions_are_named(app) {
        for (body, field) in [
            (json!({"text": "  ", "meeting_date": "2022-07-07"}), "text"),
            (json!({"text": "Tổ chức hội nghị.".repeat(130_000), "meeting_date": "2022-07-07"}), "text"),
            (json!({"text": "Tổ chức hội nghị.", "meeting_date": "31/02/2022"}), "meeting_date"),
            (json!({"text": "Tổ chức hội nghị."}), "meeting_date"),
        ] {
            let (status, res) = post(&app, "/api/v1/conclusions/parse", Role::Official, body).await;
            assert_eq!((status, res["field"].as_str()), (422, Some(field)), "{res}");
        }
        let res = app.client.post(app.url("/api/v1/conclusions/parse")).bearer_auth(&app.tokens[&Role::Official]).header("content-type", "application/json").body("{not json").send().await.expect("request");
        assert_eq!(res.status().as_u16(), 422);
        let (status, _) = post(&app, "/api/v1/conclusions/parse", Role::Leader, json!({"text": "x", "meeting_date": "2022-07-07"})).await;
        assert_eq!(status, 403);
    }

    async fn a_meeting_and_its_tasks_are_saved_together_or_not_at_all(app) {
        let meeting = json!({
            "title": "Giao ban tháng 9", "held_on": "2022-09-05", "chair": "Trưởng ban", "organiser_unit": "BTGTU",
            "document_ref": "Thông báo số 12-TB/BTG", "conclusion_text": "…",
            "tasks": [
                {"content": "Tổ chức hội nghị", "lead_unit": "BTGTU", "coordinators": ["VPTU"], "deadline": "2022-10-31"},
                {"content": "Tuyên truyền", "lead_unit": "VPTU", "deadline": "31/02/2022"},
            ]
        });
        let (status, body) = post(&app, "/api/v1/meetings", Role::Official, meeting.clone()).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("tasks[1].deadline")), "{body}");
        assert!(body["message"].as_str().unwrap_or("").contains("mục 2"), "{body}");
        assert_eq!(count(&app, "/api/v1/meetings").await, 0, "nothing saved");
        assert_eq!(count(&app, "/api/v1/tasks").await, 0);
        let mut good = meeting.clone();
        good["tasks"][1]["deadline"] = json!(null);
        let (status, body) = post(&app, "/api/v1/meetings", Role::Official, good).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["tasks"].as_array().expect("tasks").len(), 2);
        assert_eq!(body["tasks"][0]["assigned_on"], "2022-09-05", "assigned on the meeting's day");
        assert_eq!(body["tasks"][1]["deadline"], Value::Null);
        assert_eq!(body["tasks"][0]["coordinators"], json!(["VPTU"]));
        let (status, _) = post(&app, "/api/v1/meetings", Role::Unit, meeting).await;
        assert_eq!(status, 403);
        let (status, body) = post(&app, "/api/v1/meetings", Role::Official, json!({"title": "", "held_on": "x"})).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("title")));
    }

    async fn tasks_are_added_changed_with_versions_and_cancelled(app) {
        let (status, task) = post(&app, "/api/v1/tasks", Role::Official, json!({"content": "Rà soát quy chế", "lead_unit": "BTGTU", "deadline": "2022-12-31", "assigned_on": "2022-07-07"})).await;
        assert_eq!(status, 201, "{task}");
        assert!(task["ref"].as_str().unwrap_or("").starts_with("NV-"), "{task}");
        assert_eq!(task["version"], 1);
        let id = task["id"].as_i64().expect("id");
        let (status, _) = post(&app, "/api/v1/tasks", Role::Official, json!({"ref": task["ref"], "content": "x", "lead_unit": "BTGTU"})).await;
        assert_eq!(status, 409, "a taken reference");
        let (status, body) = post(&app, "/api/v1/tasks", Role::Official, json!({"content": "x", "lead_unit": "NOPE"})).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("lead_unit")));
        let (status, _) = post(&app, "/api/v1/tasks", Role::Leader, json!({"content": "x", "lead_unit": "BTGTU"})).await;
        assert_eq!(status, 403);
        // A meeting's id starts at 1 (the document's minimum); a well-formed one that names no meeting is a 404.
        let (status, body) = post(&app, "/api/v1/tasks", Role::Official, json!({"content": "x", "meeting_id": 0})).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("meeting_id")), "{body}");
        let (status, body) = post(&app, "/api/v1/tasks", Role::Official, json!({"content": "x", "meeting_id": 424242})).await;
        assert_eq!(status, 404, "{body}");

        let path = format!("/api/v1/tasks/{id}");
        let (status, body) = send(&app, reqwest::Method::PATCH, &path, Role::Official, json!({"content": "Rà soát, sửa đổi quy chế"})).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("version")));
        let (status, changed) = send(&app, reqwest::Method::PATCH, &path, Role::Official, json!({"version": 1, "content": "Rà soát, sửa đổi quy chế", "coordinators": ["VPTU"], "deadline": null})).await;
        assert_eq!(status, 200, "{changed}");
        assert_eq!((changed["version"].as_i64(), changed["deadline"].clone()), (Some(2), Value::Null));
        assert_eq!(changed["content"], "Rà soát, sửa đổi quy chế");
        let (status, body) = send(&app, reqwest::Method::PATCH, &path, Role::Official, json!({"version": 1, "content": "Bản cũ"})).await;
        assert_eq!((status, body["error"].as_str()), (409, Some("conflict")), "a stale version");
        let (status, body) = send(&app, reqwest::Method::PATCH, &path, Role::Official, json!({"version": 2, "deadline": "2022-01-01"})).await;
        assert_eq!((status, body["error"].as_str(), body["field"].as_str()), (422, Some("contradiction"), Some("deadline")), "before the assignment: well formed, contradicting");
        let (status, _) = send(&app, reqwest::Method::PATCH, &path, Role::Unit, json!({"version": 2, "content": "x"})).await;
        assert_eq!(status, 403);
        let (status, _) = send(&app, reqwest::Method::PATCH, "/api/v1/tasks/999999", Role::Official, json!({"version": 1})).await;
        assert_eq!(status, 404);

        let (status, body) = post(&app, &format!("{path}/cancel"), Role::Official, json!({"reason": " "})).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("reason")));
        let (status, cancelled) = post(&app, &format!("{path}/cancel"), Role::Official, json!({"reason": "Trùng với nhiệm vụ khác"})).await;
        assert_eq!(status, 200, "{cancelled}");
        assert_eq!((cancelled["state"].as_str(), cancelled["status"].clone()), (Some("cancelled"), Value::Null));
        let (status, _) = post(&app, &format!("{path}/cancel"), Role::Official, json!({"reason": "lần hai"})).await;
        assert_eq!(status, 409);
        let (status, _) = send(&app, reqwest::Method::PATCH, &path, Role::Official, json!({"version": 3, "content": "x"})).await;
        assert_eq!(status, 409, "a cancelled task does not change");

        let mut conn = app.db.conn().expect("conn");
        let history = dondoc::storage::audit::list(&mut conn, &dondoc::storage::audit::AuditFilter { task_id: Some(id), ..Default::default() }, 50).expect("audit");
        let actions: Vec<&str> = history.iter().map(|h| h.action.as_str()).collect();
        assert_eq!(actions, ["task.cancel", "task.update", "task.create"]);
        assert!(history[1].details.contains("Rà soát, sửa đổi quy chế"));
    }

    async fn a_change_answers_with_the_task_as_a_read_gives_it(app) {
        let (status, task) = post(&app, "/api/v1/tasks", Role::Official, json!({"content": "Tổng kết công tác", "lead_unit": "BTGTU", "coordinators": ["VPTU"], "deadline": "2022-12-31", "assigned_on": "2022-07-07"})).await;
        assert_eq!(status, 201, "{task}");
        let path = format!("/api/v1/tasks/{}", task["id"]);
        // Without its coordinators changed the answer is the written row; with them, read again.
        let changes = [
            json!({"version": 1, "deadline": "2023-01-15", "content": "Tổng kết, đánh giá công tác"}),
            json!({"version": 2, "coordinators": ["TUHN", "BTGTU"], "lead_unit": "VPTU"}),
            json!({"version": 3, "expected_output": "Báo cáo"}),
        ];
        for change in changes {
            let (status, changed) = send(&app, reqwest::Method::PATCH, &path, Role::Official, change.clone()).await;
            assert_eq!(status, 200, "{change}: {changed}");
            let (_, read) = app.get_json(&path).await;
            assert_eq!(changed, read, "{change}");
        }
    }

    async fn confirming_a_completion_after_the_deadline_makes_it_late(app) {
        let (_, task) = post(&app, "/api/v1/tasks", Role::Official, json!({"content": "Báo cáo sơ kết", "lead_unit": "BTGTU", "deadline": "2022-12-31", "assigned_on": "2022-07-07"})).await;
        let path = format!("/api/v1/tasks/{}/complete", task["id"]);
        let (status, _) = post(&app, &path, Role::Unit, json!({"completed_on": "2023-01-05"})).await;
        assert_eq!(status, 403, "units propose, officials confirm");
        // Well-formed dates that contradict the assignment or today, and a malformed one: 422, told apart by `error`.
        for (date, error) in [("2022-07-01", "contradiction"), ("2999-01-01", "contradiction"), ("2022-02-30", "invalid")] {
            let (status, body) = post(&app, &path, Role::Official, json!({"completed_on": date})).await;
            assert_eq!((status, body["error"].as_str(), body["field"].as_str()), (422, Some(error), Some("completed_on")), "{date}");
        }
        let (status, done) = post(&app, &path, Role::Official, json!({"completed_on": "05/01/2023"})).await;
        assert_eq!(status, 200, "{done}");
        assert_eq!((done["status"].as_str(), done["percent"].as_i64()), (Some("done_late"), Some(100)));
        let (status, _) = post(&app, &path, Role::Official, json!({})).await;
        assert_eq!(status, 409, "already done");
    }
}
