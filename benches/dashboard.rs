//! Dashboard benchmark (not a test). For each backend and size it generates
//! tasks over 500 units, imports them as offices do (CSV through
//! `dondoc::import::import_tasks`, 100 000 rows per file), then serves the real
//! app on loopback and measures, request by request, the dashboard page a
//! leader opens (`/dashboard`: the current half-year as of today, with its
//! charts) and `GET /api/v1/dashboard`.
//!
//! ```sh
//! cargo bench --bench dashboard                       # 100k and 1M, SQLite and PostgreSQL
//! DONDOC_BENCH_SIZES=100000 DONDOC_BENCH_BACKENDS=sqlite DONDOC_BENCH_YEARS=2 cargo bench --bench dashboard
//! ```
//! `DONDOC_BENCH_RUNS` (default 30) requests per measure; PostgreSQL runs on
//! `DONDOC_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`)
//! in a database `dondoc_bench_*` created for the run and dropped after it
//! (`DONDOC_BENCH_KEEP=1` keeps the databases, to look at query plans).
//!
//! On PostgreSQL the run then does what autovacuum does within a minute of a
//! large import (`VACUUM ANALYZE tasks`); SQLite is read as the import left it.
//!
//! The tasks span the five years up to today (`DONDOC_BENCH_YEARS`, default
//! `5,2`: each size is run over five years, then packed into two, the dense
//! case of a busy national system): each is assigned on a random day,
//! nine in ten with a deadline 15 to 180 days later; the older a task, the
//! likelier it is done (done late a third of the time) or cancelled; a tenth
//! were extended; a third have a coordinating unit.

use chrono::NaiveDate;
use diesel::connection::SimpleConnection;
use std::net::TcpListener;
use std::time::Instant;

use dondoc::storage::{self, Db};

mod common;
use common::{config, env_list, env_usize, BenchDb};

/// The median, 95th percentile and best of some durations, in milliseconds.
fn stats(mut ms: Vec<f64>) -> (f64, f64, f64) {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.95), ms[0])
}

struct Figures {
    backend: String,
    tasks: usize,
    years: i64,
    rows_per_s: f64,
    in_report: u64,
    page: (f64, f64, f64),
    json: (f64, f64, f64),
    page_cold: (f64, f64, f64),
    json_cold: (f64, f64, f64),
    xlsx: (f64, f64, f64),
    /// The tasks behind a number, one page, after a change: the overdue ones, and all.
    overdue_list: (f64, f64, f64),
    all_list: (f64, f64, f64),
    /// The overdue ones as of a day not asked before.
    fresh_list: (f64, f64, f64),
    /// One unit's overdue ones, a unit not asked before.
    unit_list: (f64, f64, f64),
}

/// Changes one task's report data (the trigger stamps it and raises the
/// version, as a completion would), a different task each time.
fn change_a_task(db: &Db) {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let id = NEXT.fetch_add(7919, Ordering::Relaxed) % 100_000 + 1;
    let mut conn = db.conn().expect("conn");
    conn.batch_execute(&format!(
        "UPDATE tasks SET cancelled_on = cancelled_on WHERE id = {id}"
    ))
    .expect("a change");
}

/// Times `runs` requests after three to warm up. With `change`, a task
/// changes before every request (as when tasks are completed between two
/// views), so that no report computed before can be reused.
async fn timed(
    client: &reqwest::RequestBuilder,
    runs: usize,
    change: Option<&Db>,
) -> (f64, f64, f64) {
    timed_each(|_| client.try_clone().expect("request"), runs, change).await
}

/// As [`timed`], the `i`th request made by `request(i)`.
async fn timed_each(
    request: impl Fn(usize) -> reqwest::RequestBuilder,
    runs: usize,
    change: Option<&Db>,
) -> (f64, f64, f64) {
    let mut ms = Vec::with_capacity(runs);
    for i in 0..runs + 3 {
        if let Some(db) = change {
            change_a_task(db);
        }
        let request = request(i);
        let started = Instant::now();
        let res = request.send().await.expect("request");
        assert_eq!(res.status().as_u16(), 200, "the page answers");
        let body = res.bytes().await.expect("body");
        assert!(!body.is_empty());
        if i >= 3 {
            ms.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    stats(ms)
}

async fn run(backend: &str, n: usize, years: i64, runs: usize) -> Figures {
    let bench_db = BenchDb::new(backend);
    let config = config(&bench_db);
    let today = config.today();
    let db = Db::connect(&config.database_url).expect("connect");
    db.migrate().expect("migrate");
    let (leader_token, rows_per_s) = common::seed(&db, backend, n, today, years);

    // The real app on loopback, and a signed-in leader.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!(
        "http://127.0.0.1:{}",
        listener.local_addr().expect("addr").port()
    );
    let state = dondoc::cli::app_state(config, db.clone()).expect("state");
    let server = dondoc::web::start(state, listener).expect("server");
    let handle = server.handle();
    tokio::spawn(server);
    let web = common::signed_in(&base).await;

    let api = reqwest::Client::new();
    let json: serde_json::Value = api
        .get(format!("{base}/api/v1/dashboard"))
        .bearer_auth(&leader_token)
        .send()
        .await
        .expect("json")
        .json()
        .await
        .expect("json body");
    let in_report = json["totals"]["total"].as_u64().unwrap_or(0);
    eprintln!(
        "{backend} {n} over {years} years: {} ({} to {}) as of {}: {in_report} tasks in the report, {} units",
        json["period"],
        json["from"],
        json["to"],
        json["as_of"],
        json["units"].as_array().map(Vec::len).unwrap_or(0)
    );

    breakdown(&db, today, runs);
    let page_request = web.get(format!("{base}/dashboard"));
    let json_request = api
        .get(format!("{base}/api/v1/dashboard"))
        .bearer_auth(&leader_token);
    let page = timed(&page_request, runs, None).await;
    let json = timed(&json_request, runs, None).await;
    let page_cold = timed(&page_request, runs, Some(&db)).await;
    let json_cold = timed(&json_request, runs, Some(&db)).await;
    let xlsx = timed(
        &web.get(format!("{base}/dashboard/export.xlsx")),
        runs.min(10),
        Some(&db),
    )
    .await;
    let overdue_list = timed(
        &web.get(format!("{base}/dashboard/tasks?status=overdue")),
        runs,
        Some(&db),
    )
    .await;
    let all_list = timed(&web.get(format!("{base}/dashboard/tasks")), runs, Some(&db)).await;
    // A list no one asked before: the overdue tasks as of another day each
    // time (days the breakdown did not ask), so that no list kept can answer
    // and every row is walked.
    let fresh_list = timed_each(
        |i| {
            let as_of = today - chrono::Duration::days(100 + i as i64);
            web.get(format!(
                "{base}/dashboard/tasks?status=overdue&as_of={as_of}"
            ))
        },
        runs,
        Some(&db),
    )
    .await;
    // One unit's overdue tasks, another unit each time: a number of the
    // units table clicked for the first time.
    let unit_list = timed_each(
        |i| {
            let unit = common::unit_code(i % common::UNITS);
            web.get(format!(
                "{base}/dashboard/tasks?status=overdue&lead_unit={unit}"
            ))
        },
        runs,
        Some(&db),
    )
    .await;
    handle.stop(true).await;
    Figures {
        backend: backend.to_string(),
        tasks: n,
        years,
        overdue_list,
        all_list,
        fresh_list,
        unit_list,
        rows_per_s,
        in_report,
        page,
        json,
        page_cold,
        json_cold,
        xlsx,
    }
}

/// Where the time of a page goes: the report's queries, the months, the view.
fn breakdown(db: &Db, today: NaiveDate, runs: usize) {
    use dondoc::storage::dashboard::{dashboard, DashboardRequest};
    let period = dondoc::domain::Period::half_year_of(today);
    let mut conn = db.conn().expect("conn");
    let leader = storage::users::by_email(&mut conn, "lanhdao@tinh.vn").expect("leader");
    let scope_root = leader.user.scope_unit_id;
    let request = |progress: bool| DashboardRequest {
        period,
        as_of: today,
        unit: None,
        scope_root,
        progress,
        frozen: true,
    };
    let time = |what: &str, f: &mut dyn FnMut()| {
        let mut ms = Vec::new();
        for _ in 0..runs {
            let started = Instant::now();
            f();
            ms.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        let (p50, _, best) = stats(ms);
        eprintln!("  {what}: p50 {p50:.1} ms (best {best:.1})");
    };
    let points = dondoc::domain::dashboard::progress_points(&period, today);
    time(
        "bringing the snapshot up to date after a change",
        &mut || {
            change_a_task(db);
            storage::report::snapshot::current(&mut conn).expect("snapshot");
        },
    );
    time(
        "report (units, totals, ages) after a change, moved by the changed row",
        &mut || {
            change_a_task(db);
            storage::report::tallies(&mut conn, &period, today, None).expect("report");
        },
    );
    let mut days_back = 0;
    time(
        "report of an as-of date not asked before, counted from every row",
        &mut || {
            days_back += 1;
            let as_of = today - chrono::Duration::days(days_back);
            storage::report::tallies(&mut conn, &period, as_of, None).expect("report");
        },
    );
    time(
        "months (the points of the chart) after a change, moved by the changed row",
        &mut || {
            change_a_task(db);
            storage::report::point_counts(&mut conn, &points, None).expect("months");
        },
    );
    let overdue = storage::report::TaskQuery {
        statuses: vec![dondoc::domain::Status::Overdue],
        ..Default::default()
    };
    time("the overdue tasks' ids, one page", &mut || {
        storage::report::report_task_ids(&mut conn, &period, today, &overdue, Some((50, 0)))
            .expect("ids");
    });
    let mut days_back = 0;
    time(
        "the overdue tasks' ids as of a date not asked before (a walk of every row)",
        &mut || {
            days_back += 1;
            let as_of = today - chrono::Duration::days(days_back);
            storage::report::report_task_ids(&mut conn, &period, as_of, &overdue, Some((50, 0)))
                .expect("ids");
        },
    );
    time("every task's id of the report, one page", &mut || {
        storage::report::report_task_ids(
            &mut conn,
            &period,
            today,
            &Default::default(),
            Some((50, 0)),
        )
        .expect("ids");
    });
    time(
        "the leader's badge (overdue tasks), counted after a change",
        &mut || {
            change_a_task(db);
            storage::inbox::waiting_count(&mut conn, &leader, today).expect("badge");
        },
    );
    time(
        "the whole dashboard read as read (units, scope, close, cached report)",
        &mut || {
            dashboard(&mut conn, &request(true)).expect("report");
        },
    );
    let data = dashboard(&mut conn, &request(true)).expect("report");
    let q = dondoc::web::report::Query {
        period,
        as_of: today,
        unit: None,
        sort: dondoc::domain::dashboard::SortKey::Code,
        dir: dondoc::domain::dashboard::SortDir::Asc,
    };
    time("view (order, ranks, links, charts)", &mut || {
        dondoc::web::report::View::build(
            &q,
            &data,
            dondoc::i18n::Lang::Vi,
            chrono_tz::Asia::Ho_Chi_Minh,
        );
    });
}

fn main() {
    // Before any PostgreSQL connection: see `storage::init_tls`.
    dondoc::storage::init_tls();
    let sizes = common::bench_sizes();
    let backends = env_list("DONDOC_BENCH_BACKENDS", "sqlite,postgres");
    let runs = env_usize("DONDOC_BENCH_RUNS", 30).max(1);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let spreads: Vec<i64> = env_list("DONDOC_BENCH_YEARS", "5,2")
        .iter()
        .map(|y| y.parse().expect("DONDOC_BENCH_YEARS: numbers of years"))
        .collect();
    let mut all = Vec::new();
    for backend in &backends {
        for n in &sizes {
            for years in &spreads {
                all.push(rt.block_on(run(backend, *n, *years, runs)));
            }
        }
    }
    println!();
    println!("p50 (p95) in ms; \"as read\": the same report asked again; \"after a change\": a task changed before every request, so no report kept is exact any more: it is moved by the changed row.");
    println!();
    println!("| backend | tasks | years | import rows/s | tasks in the report | /dashboard as read | /dashboard after a change | /api/v1/dashboard as read | /api/v1/dashboard after a change | XLSX after a change | overdue list after a change | list of all after a change | overdue list of a day not asked before | one unit's overdue list, a unit not asked before |");
    println!(
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    let ms = |t: (f64, f64, f64)| format!("{:.1} ({:.1})", t.0, t.1);
    for f in &all {
        println!(
            "| {} | {} | {} | {:.0} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            f.backend,
            f.tasks,
            f.years,
            f.rows_per_s,
            f.in_report,
            ms(f.page),
            ms(f.page_cold),
            ms(f.json),
            ms(f.json_cold),
            ms(f.xlsx),
            ms(f.overdue_list),
            ms(f.all_list),
            ms(f.fresh_list),
            ms(f.unit_list)
        );
    }
    let goal = |n: usize| if n <= 100_000 { 30.0 } else { 100.0 };
    let met = |ok: bool| if ok { "met" } else { "MISSED" };
    for f in &all {
        let worst = f.page_cold.0.max(f.json_cold.0);
        let list = [f.overdue_list, f.all_list, f.fresh_list, f.unit_list]
            .iter()
            .fold(0.0, |worst: f64, l| worst.max(l.0));
        println!(
            "{} {} tasks over {} years: import {} (goal 5000 rows/s); dashboard {} (goal {} ms, p50 after a change); lists {} (goal 20 ms)",
            f.backend,
            f.tasks,
            f.years,
            met(f.rows_per_s >= 5000.0),
            met(worst <= goal(f.tasks)),
            goal(f.tasks),
            met(list <= 20.0)
        );
    }
}
