//! The JSON API over HTTP, on SQLite and PostgreSQL.

mod common;

use dondoc::domain::Role;
use serde_json::Value;

fn import_tasks(app: &common::TestApp, csv: &str) {
    let mut conn = app.db.conn().expect("conn");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
    dondoc::import::import_tasks(&mut conn, csv.as_bytes(), None, today, &|_, _| {})
        .expect("import");
}

const TASKS: &str = "ref,content,lead_unit,coordinators,assigned_on,deadline,original_deadline,completed_on,cancelled_on
T1,Tổ chức quán triệt nghị quyết,BTGTU,VPTU,2022-07-07,2022-12-31,,2022-11-01,
T2,Ban hành Quy chế hoạt động báo cáo viên,BTGTU,,2022-07-07,2022-12-31,2022-09-30,2023-01-10,
T3,Chuẩn bị nội dung hội nghị,VPTU,BTGTU,2022-03-01,2022-09-30,,,
T4,Tuyên truyền thường xuyên,VPTU,,2022-07-07,,,,
T5,Việc đã hủy,BTGTU,,2022-07-07,2022-12-31,,,2022-08-01
";

on_both_backends! {
    async fn health_and_login_page_answer(app) {
        let res = app.client.get(app.url("/healthz")).send().await.expect("healthz");
        assert_eq!(res.status().as_u16(), 200);
        let res = app.client.get(app.url("/login")).send().await.expect("login");
        assert_eq!(res.status().as_u16(), 200);
        let html = res.text().await.expect("html");
        assert!(html.contains("<html lang=\"vi\">"), "{html}");
        assert!(html.contains("name=\"email\"") && html.contains("name=\"password\""));
        assert!(html.contains("Đăng nhập"));
    }

    async fn ready_only_when_every_migration_has_run(app) {
        let res = app.client.get(app.url("/readyz")).send().await.expect("readyz");
        assert_eq!(res.status().as_u16(), 200);
        let body: Value = res.json().await.expect("json");
        assert_eq!(body["status"], "ready");
        // As after an upgrade whose migrations have not run on this database yet.
        {
            use diesel::RunQueryDsl;
            let mut conn = app.db.conn().expect("conn");
            dondoc::storage::with_conn!(&mut *conn, c => diesel::sql_query(
                "DELETE FROM __diesel_schema_migrations WHERE version = (SELECT MAX(version) FROM __diesel_schema_migrations)"
            ).execute(c)).expect("forget a migration");
        }
        let res = app.client.get(app.url("/readyz")).send().await.expect("readyz");
        assert_eq!(res.status().as_u16(), 503);
        let body: Value = res.json().await.expect("json");
        assert_eq!(body["status"], "migrations pending");
        // Alive all the same: the process answers.
        let res = app.client.get(app.url("/healthz")).send().await.expect("healthz");
        assert_eq!(res.status().as_u16(), 200);
        // No metrics without DONDOC_METRICS_TOKEN.
        let res = app.client.get(app.url("/metrics")).send().await.expect("metrics");
        assert_eq!(res.status().as_u16(), 404);
    }

    async fn a_write_transaction_is_all_or_nothing(app) {
        use diesel::prelude::*;
        use dondoc::storage::schema::settings as s;
        use dondoc::storage::{settings, write_tx, DbConn, StorageError};
        fn put(c: &mut DbConn, key: &str) -> Result<(), StorageError> {
            diesel::insert_into(s::table).values((s::key.eq(key), s::value.eq("1"))).execute(c)?;
            Ok(())
        }
        let mut conn = app.db.conn().expect("conn");
        let failed = write_tx(&mut conn, |c| {
            put(c, "tx:undone")?;
            Err::<(), _>(StorageError::NotFound)
        });
        assert!(matches!(failed, Err(StorageError::NotFound)), "{failed:?}");
        assert_eq!(settings::get(&mut conn, "tx:undone").expect("read"), None, "the body's error undoes its writes");
        write_tx(&mut conn, |c| put(c, "tx:kept")).expect("commit");
        assert_eq!(settings::get(&mut conn, "tx:kept").expect("read").as_deref(), Some("1"));
        // Nested: PostgreSQL undoes the inner one alone (a savepoint); SQLite's
        // write transaction cannot nest, as with diesel's own.
        let inner = write_tx(&mut conn, |c| {
            put(c, "tx:outer")?;
            Ok::<_, StorageError>(write_tx(c, |c| {
                put(c, "tx:inner")?;
                Err::<(), _>(StorageError::NotFound)
            }))
        })
        .expect("outer");
        match app.backend {
            common::Backend::Postgres => assert!(matches!(inner, Err(StorageError::NotFound)), "{inner:?}"),
            common::Backend::Sqlite => assert!(
                matches!(inner, Err(StorageError::Db(diesel::result::Error::AlreadyInTransaction))),
                "{inner:?}"
            ),
        }
        assert_eq!(settings::get(&mut conn, "tx:inner").expect("read"), None);
        assert_eq!(settings::get(&mut conn, "tx:outer").expect("read").as_deref(), Some("1"));
        // SQLite takes the write lock before the body runs: another writer meets it at once.
        if matches!(app.backend, common::Backend::Sqlite) {
            use diesel::connection::SimpleConnection;
            let mut other = app.db.conn().expect("conn");
            other.batch_execute("PRAGMA busy_timeout = 0").expect("no wait");
            let blocked = write_tx(&mut conn, |_| Ok::<_, StorageError>(settings::set(&mut other, "tx:other", "1")))
                .expect("outer");
            other.batch_execute("PRAGMA busy_timeout = 15000").expect("wait again");
            assert!(blocked.is_err(), "the other writer got in: {blocked:?}");
        }
    }

    async fn tokens_are_required(app) {
        let res = app.client.get(app.url("/api/v1/tasks")).send().await.expect("request");
        assert_eq!(res.status().as_u16(), 401);
        let body: Value = res.json().await.expect("json");
        assert_eq!(body["error"], "unauthorized");
        let res = app.client.get(app.url("/api/v1/tasks")).bearer_auth("ddk_wrong").send().await.expect("request");
        assert_eq!(res.status().as_u16(), 401);
        // The caller's language when nobody is signed in.
        let res = app.client.get(app.url("/api/v1/units")).header("Accept-Language", "en-US,en").send().await.expect("request");
        let body: Value = res.json().await.expect("json");
        assert!(body["message"].as_str().unwrap_or("").starts_with("Sign in"), "{body}");
        let res = app.client.get(app.url("/api/v1/units")).send().await.expect("request");
        let body: Value = res.json().await.expect("json");
        assert!(body["message"].as_str().unwrap_or("").starts_with("Cần đăng nhập"), "{body}");
    }

    async fn units_are_listed_with_their_parents(app) {
        let (status, body) = app.get_json("/api/v1/units").await;
        assert_eq!(status, 200);
        let units = body.as_array().expect("array");
        assert_eq!(units.len(), 3);
        let btg = units.iter().find(|u| u["code"] == "BTGTU").expect("BTGTU");
        assert_eq!(btg["parent"], "TUHN");
        assert_eq!(btg["name"], "Ban Tuyên giáo Tỉnh ủy");
    }

    async fn tasks_read_as_the_design_says(app) {
        import_tasks(&app, TASKS);
        let (status, body) = app.get_json("/api/v1/tasks?as_of=2023-01-15&per_page=2").await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["total"], 5);
        assert_eq!(body["items"].as_array().expect("items").len(), 2);
        let (_, all) = app.get_json("/api/v1/tasks?as_of=2023-01-15&per_page=50").await;
        let by_ref = |r: &str| all["items"].as_array().expect("items").iter().find(|t| t["ref"] == r).cloned().expect("task");
        let t2 = by_ref("T2");
        for key in ["id", "ref", "content", "lead_unit", "coordinators", "assigned_on", "deadline", "original_deadline", "state", "completed_on", "status", "percent", "version", "meeting_id"] {
            assert!(t2.get(key).is_some(), "missing {key}");
        }
        assert_eq!(t2["status"], "done_late");
        assert_eq!(t2["original_deadline"], "2022-09-30");
        assert_eq!(t2["state"], "done");
        assert_eq!(by_ref("T1")["coordinators"], serde_json::json!(["VPTU"]));
        assert_eq!(by_ref("T3")["status"], "overdue");
        assert_eq!(by_ref("T4")["status"], "in_progress");
        assert_eq!(by_ref("T4")["deadline"], Value::Null);
        assert_eq!(by_ref("T5")["state"], "cancelled");
        assert_eq!(by_ref("T5")["status"], Value::Null);
        // Ongoing tasks come last.
        assert_eq!(all["items"][4]["ref"], "T4");

        let (status, one) = app.get_json(&format!("/api/v1/tasks/{}", t2["id"])).await;
        assert_eq!(status, 200);
        assert_eq!(one["ref"], "T2");
        let (status, body) = app.get_json("/api/v1/tasks/999999").await;
        assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));
        let (status, _) = app.get_json("/api/v1/tasks/abc").await;
        assert_eq!(status, 404);
    }

    async fn task_filters(app) {
        import_tasks(&app, TASKS);
        let refs = |body: &Value| -> Vec<String> {
            let mut r: Vec<String> = body["items"].as_array().expect("items").iter().map(|t| t["ref"].as_str().unwrap_or("").to_string()).collect();
            r.sort();
            r
        };
        let (_, body) = app.get_json("/api/v1/tasks?unit=VPTU").await;
        assert_eq!(refs(&body), ["T3", "T4"]);
        let (_, body) = app.get_json("/api/v1/tasks?unit=VPTU&unit_role=any").await;
        assert_eq!(refs(&body), ["T1", "T3", "T4"]);
        let (_, body) = app.get_json("/api/v1/tasks?status=overdue&as_of=2022-10-01").await;
        assert_eq!(refs(&body), ["T3"]);
        let (_, body) = app.get_json("/api/v1/tasks?status=done_on_time,done_late&as_of=2023-02-01").await;
        assert_eq!(refs(&body), ["T1", "T2"]);
        // Accent- and case-insensitive search.
        let (_, body) = app.get_json("/api/v1/tasks?q=QUAN%20TRIET").await;
        assert_eq!(refs(&body), ["T1"]);
        let (_, body) = app.get_json("/api/v1/tasks?q=b%C3%A1o%20c%C3%A1o%20vi%C3%AAn").await;
        assert_eq!(refs(&body), ["T2"]);
        let (_, body) = app.get_json("/api/v1/tasks?q=100%25").await;
        assert_eq!(refs(&body), Vec::<String>::new());
        // The period's report: T5 was cancelled before the as-of date.
        let (_, body) = app.get_json("/api/v1/tasks?period=2022-H2&as_of=2022-12-31").await;
        assert_eq!(refs(&body), ["T1", "T2", "T3", "T4"]);
    }

    async fn bad_filters_name_their_field(app) {
        for (query, field) in [
            ("status=late", "status"),
            ("period=2022-H3", "period"),
            ("as_of=31/02/2022", "as_of"),
            ("unit=NOPE", "unit"),
            ("page=0", "page"),
            ("per_page=x", "per_page"),
        ] {
            let (status, body) = app.get_json(&format!("/api/v1/tasks?{query}")).await;
            assert_eq!(status, 422, "{query}: {body}");
            assert_eq!(body["error"], "invalid");
            assert_eq!(body["field"], field, "{query}");
            assert!(!body["message"].as_str().unwrap_or("").is_empty());
        }
        // Well-formed values that contradict each other: a 422 told apart by `error`.
        for (query, field) in [("from=2022-07-01", "to"), ("from=2022-12-31&to=2022-07-01", "to")] {
            let (status, body) = app.get_json(&format!("/api/v1/tasks?{query}")).await;
            assert_eq!((status, body["error"].as_str()), (422, Some("contradiction")), "{query}: {body}");
            assert_eq!(body["field"], field, "{query}");
        }
        let (status, body) = app.get_json("/api/v1/dashboard?period=2022-H2&as_of=2022-06-30").await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["field"], "as_of");
        let (status, _) = app.get_json("/api/v1/nothing-here").await;
        assert_eq!(status, 404);
    }

    async fn dashboard_counts(app) {
        import_tasks(&app, TASKS);
        let (status, body) = app.get_json("/api/v1/dashboard?period=2022-H2&as_of=2023-01-15").await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["from"], "2022-07-01");
        assert_eq!(body["to"], "2022-12-31");
        assert_eq!(body["as_of"], "2023-01-15");
        let t = &body["totals"];
        assert_eq!((t["total"].as_u64(), t["done_on_time"].as_u64(), t["done_late"].as_u64(), t["in_progress"].as_u64(), t["overdue"].as_u64()), (Some(4), Some(1), Some(1), Some(1), Some(1)));
        assert_eq!(t["carried_over"], 1);
        assert_eq!(t["extended"], 1);
        assert_eq!(t["completion_rate"], 0.5);
        assert_eq!(t["on_time_rate"], 0.25);
        let units = body["units"].as_array().expect("units");
        assert_eq!(units.len(), 3, "every active unit, zeros included");
        let tuhn = units.iter().find(|u| u["code"] == "TUHN").expect("TUHN");
        assert_eq!((tuhn["total"].as_u64(), tuhn["completion_rate"].as_f64()), (Some(0), Some(0.0)));
        // The default as-of date is the earlier of today and the period's end.
        let (_, body) = app.get_json("/api/v1/dashboard?period=2022-H2").await;
        assert_eq!(body["as_of"], "2022-12-31");
        // A subtree.
        let (_, body) = app.get_json("/api/v1/dashboard?period=2022-H2&unit=VPTU").await;
        assert_eq!(body["units"].as_array().expect("units").len(), 1);
        assert_eq!(body["totals"]["total"], 2);
        let (_, body) = app.get_json("/api/v1/dashboard?from=2022-07-01&to=2022-09-30&as_of=2022-09-30").await;
        assert_eq!(body["period"], "2022-Q3");
    }

    async fn meetings_are_listed(app) {
        let (status, body) = app.get_json("/api/v1/meetings").await;
        assert_eq!(status, 200);
        assert_eq!(body, serde_json::json!([]));
        {
            let mut conn = app.db.conn().expect("conn");
            dondoc::demo::load(&mut conn).expect("demo");
        }
        let (_, body) = app.get_json("/api/v1/meetings").await;
        let meeting = &body[0];
        assert_eq!(meeting["held_on"], "2022-07-07");
        let (status, detail) = app.get_json(&format!("/api/v1/meetings/{}", meeting["id"])).await;
        assert_eq!(status, 200);
        let tasks = detail["tasks"].as_array().expect("tasks");
        assert_eq!(tasks.len() as u64, meeting["task_count"].as_u64().unwrap_or(0));
        // The parser's 13 (±1) items, less the 3 directives every district carries out
        // (quán triệt, tuyên truyền, tập huấn), plus those 3 for each of the 6 district boards.
        assert!((27..=29).contains(&tasks.len()), "{} tasks", tasks.len());
        let boards = tasks.iter().filter(|t| t["lead_unit"].as_str().is_some_and(|l| dondoc::demo::DISTRICT_BOARDS.contains(&l))).count();
        assert_eq!(boards, 18, "three tasks for each district board");
        assert!(detail["conclusion_text"].as_str().unwrap_or("").starts_with("Phát biểu kết luận"));
        let (status, _) = app.get_json("/api/v1/meetings/424242").await;
        assert_eq!(status, 404);
    }

    async fn every_role_may_read(app) {
        for role in Role::ALL {
            let res = app.get("/api/v1/dashboard", role).send().await.expect("request");
            assert_eq!(res.status().as_u16(), 200, "{role}");
        }
    }

    async fn the_served_document_lists_the_stored_unit_codes(app) {
        let (_, units) = app.get_json("/api/v1/units").await;
        let mut codes: Vec<Value> = units.as_array().expect("units").iter().map(|u| u["code"].clone()).collect();
        assert!(codes.len() > 1, "{units}");
        let (status, doc) = app.get_json("/api/v1/openapi.json").await;
        assert_eq!(status, 200);
        let text = doc.to_string();
        assert!(!text.contains("A-Za-z0-9_.-"), "no unit code is left to a pattern");
        let unit = doc["paths"]["/tasks"]["get"]["parameters"].as_array().expect("parameters").iter().find(|p| p["name"] == "unit").expect("unit");
        assert_eq!(unit["schema"]["enum"], Value::Array(codes.clone()));
        let lead = &doc["components"]["schemas"]["NewTaskJson"]["properties"]["lead_unit"];
        codes.extend([Value::String(String::new()), Value::Null]);
        assert_eq!(lead["enum"], Value::Array(codes), "blank and null: the task waits for its lead");
        // A unit added later is in the next document served.
        let mut conn = app.db.conn().expect("conn");
        dondoc::import::import_units(&mut conn, "code,name,parent,email,aliases\nMOI,Đơn vị mới,,,\n".as_bytes(), None).expect("import");
        let (_, doc) = app.get_json("/api/v1/openapi.json").await;
        assert!(doc["components"]["schemas"]["NewTaskJson"]["properties"]["lead_unit"]["enum"].as_array().expect("enum").contains(&Value::from("MOI")));
    }

    async fn every_documented_route_answers(app) {
        let (status, doc) = app.get_json("/api/v1/openapi.json").await;
        assert_eq!(status, 200);
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for method in item.as_object().expect("item").keys() {
                let concrete = path.replace("{id}", "1");
                let res = app
                    .client
                    .request(method.to_uppercase().parse().expect("method"), app.url(&format!("/api/v1{concrete}")))
                    .bearer_auth(&app.tokens[&Role::Official])
                    .send()
                    .await
                    .expect("request");
                assert_ne!(res.status().as_u16(), 405, "{method} {path}");
                assert!(res.status().as_u16() < 500, "{method} {path}");
            }
        }
    }
}
