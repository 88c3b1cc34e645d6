//! Reminder benchmark: plans the reminders of one day for 100 000 tasks (goal:
//! at most 5 s, recording and queuing included), then delivers 10 000 mails to
//! an SMTP server on loopback and reports mails per second.
//!
//! `cargo bench --bench reminders` (SQLite in a temporary folder);
//! `DONDOC_BENCH_BACKEND=postgres cargo bench --bench reminders` (a fresh
//! database on DONDOC_TEST_POSTGRES_URL, dropped after);
//! `DONDOC_BENCH_TASKS` and `DONDOC_BENCH_MAILS` change the sizes.
//!
//! Figures on the project's 2-core machine, release build, with other builds
//! running beside it (November 2026), for a Monday of 100 000 tasks over 60
//! units (81 882 open; 37 845 reminders to 121 recipients, 60 digests):
//!
//! | | SQLite | PostgreSQL 15 |
//! | --- | --- | --- |
//! | read the open tasks | 0.28 s | 0.44 s |
//! | apply the policy, group by recipient | 0.11 s | 0.09 s |
//! | queue: all of the above, record, render, enqueue, in one transaction (goal ≤ 5 s) | 1.7–2.2 s | 3.0 s |
//! | queue the same day again (nothing new) | 0.65 s | 1.0 s |
//! | deliver 10 000 mails (4 000 on PostgreSQL) to SMTP on loopback, 4 threads | 87 mails/s | 85 mails/s |
//! | the same, 1 thread | 22 mails/s | |
//!
//! One SMTP conversation waits about 40 ms per mail: lettre writes the message
//! and its final dot in two writes, and the second waits for the server's
//! delayed ACK. Hence several sending threads.

use chrono::{Datelike, NaiveDate};
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use dondoc::config::{Config, DatabaseUrl};
use dondoc::domain::unit::UnitInput;
use dondoc::mail::{planner, reminder_mail, DeliverOptions, Mailer};
use dondoc::storage::tasks::{insert_tasks, NewTask};
use dondoc::storage::{self, outbox, Db};

const UNITS: usize = 60;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A database for the run: SQLite in a temporary folder, or a fresh PostgreSQL database.
struct BenchDb {
    url: String,
    pg_name: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

impl BenchDb {
    fn new() -> BenchDb {
        let dir = tempfile::tempdir().expect("temp dir");
        if std::env::var("DONDOC_BENCH_BACKEND").as_deref() == Ok("postgres") {
            let admin = std::env::var("DONDOC_TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
            let name = format!("dondoc_bench_{}", dondoc::auth::random_secret(6));
            let mut conn = PgConnection::establish(&admin).expect("PostgreSQL");
            conn.batch_execute(&format!("CREATE DATABASE {name}"))
                .expect("create database");
            let mut url = url::Url::parse(&admin).expect("url");
            url.set_path(&name);
            BenchDb {
                url: url.to_string(),
                pg_name: Some((admin, name)),
                _dir: dir,
            }
        } else {
            BenchDb {
                url: format!("sqlite://{}", dir.path().join("bench.db").display()),
                pg_name: None,
                _dir: dir,
            }
        }
    }
}

impl Drop for BenchDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.pg_name {
            if let Ok(mut conn) = PgConnection::establish(admin) {
                let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// Units with emails and heads, one assigning official, and `n` tasks around
/// `day`: deadlines from 90 days before to 150 days after, a tenth ongoing,
/// some done or cancelled, up to two coordinators each.
fn generate(db: &Db, n: usize, day: NaiveDate) -> usize {
    let mut rng = StdRng::seed_from_u64(20221231);
    let mut conn = db.conn().expect("conn");
    let units: Vec<UnitInput> = (0..UNITS)
        .map(|i| UnitInput {
            code: format!("DV{i:03}"),
            name: format!("Đơn vị số {i}"),
            parent: (i > 0).then(|| "DV000".to_string()),
            email: Some(format!("dv{i:03}@hanam.vn")),
            head_email: Some(format!("thutruong{i:03}@hanam.vn")),
            aliases: vec![],
        })
        .collect();
    storage::units::upsert_all(&mut conn, &units, None).expect("units");
    let official = storage::users::create(
        &mut conn,
        &storage::users::NewUser {
            email: "chuyenvien@hanam.vn".into(),
            name: "Chuyên viên theo dõi".into(),
            role: dondoc::domain::Role::Official,
            unit_code: None,
            password_hash: "x".into(),
        },
    )
    .expect("official");
    let ids: HashMap<String, i64> = storage::units::list(&mut conn)
        .expect("units")
        .into_iter()
        .map(|u| (u.unit.code, u.unit.id))
        .collect();
    let unit_ids: Vec<i64> = (0..UNITS).map(|i| ids[&format!("DV{i:03}")]).collect();
    let at = storage::now();
    let days = |d: i64| day + chrono::Duration::days(d);
    let rows: Vec<(NewTask, Vec<i64>)> = (0..n)
        .map(|i| {
            let lead = unit_ids[rng.gen_range(0..UNITS)];
            let coordinators: Vec<i64> = (0..rng.gen_range(0..3))
                .map(|_| unit_ids[rng.gen_range(0..UNITS)])
                .filter(|u| *u != lead)
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let assigned_on = days(-rng.gen_range(100..300));
            let deadline = (rng.gen_range(0..10) != 0).then(|| days(rng.gen_range(-90..150)));
            let roll = rng.gen_range(0..100);
            let completed_on = (roll < 15).then(|| days(-rng.gen_range(0..90)).max(assigned_on));
            let cancelled_on = (15..18).contains(&roll).then(|| days(-rng.gen_range(0..90)).max(assigned_on));
            let reference = format!("BENCH-{i:06}");
            let content = format!(
                "Nhiệm vụ {i}: tổ chức quán triệt, triển khai thực hiện Nghị quyết, Chỉ thị của Trung ương và của Tỉnh ủy; báo cáo kết quả về Thường trực Tỉnh ủy"
            );
            (
                NewTask {
                    search_text: storage::tasks::search_text(&reference, &content),
                    reference,
                    meeting_id: None,
                    content,
                    lead_unit_id: Some(lead),
                    assigned_on,
                    deadline,
                    original_deadline: None,
                    expected_output: String::new(),
                    completed_on,
                    cancelled_on,
                    percent: 0,
                    assigned_by: Some(official),
                    created_at: at,
                    updated_at: at,
                },
                coordinators,
            )
        })
        .collect();
    for chunk in rows.chunks(10_000) {
        storage::write_tx(&mut conn, |c| insert_tasks(c, chunk)).expect("insert tasks");
    }
    rows.len()
}

/// An SMTP server on loopback that counts what it receives.
#[derive(Clone)]
struct Counter {
    received: Arc<AtomicUsize>,
}

impl mailin_embedded::Handler for Counter {
    fn data_end(&mut self) -> mailin_embedded::Response {
        self.received.fetch_add(1, Ordering::Relaxed);
        mailin_embedded::response::OK
    }
}

fn smtp_server() -> (String, Arc<AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let received = Arc::new(AtomicUsize::new(0));
    let handler = Counter {
        received: received.clone(),
    };
    std::thread::spawn(move || {
        let mut server = mailin_embedded::Server::new(handler);
        server
            .with_name("bench.local")
            .with_num_threads(4)
            .with_tcp_listener(listener);
        if let Err(e) = server.serve() {
            eprintln!("SMTP server stopped: {e}");
        }
    });
    (format!("smtp://127.0.0.1:{port}"), received)
}

fn config(db_url: &str, smtp: Option<&str>, mail_dir: &std::path::Path) -> Config {
    let mut vars: HashMap<&str, String> = HashMap::new();
    vars.insert("DATABASE_URL", db_url.to_string());
    vars.insert("DONDOC_MAIL_DIR", mail_dir.display().to_string());
    vars.insert("DONDOC_SECRET_KEY", "k".repeat(64));
    if let Some(s) = smtp {
        vars.insert("SMTP_URL", s.to_string());
    }
    Config::from_lookup(|name| vars.get(name).cloned()).expect("config")
}

fn main() {
    // Before any PostgreSQL connection: see `storage::init_tls`.
    dondoc::storage::init_tls();
    // `cargo bench` passes --bench; `cargo test --benches` runs this with no argument: keep that quick.
    let quick = !std::env::args().any(|a| a == "--bench");
    let tasks = env_usize("DONDOC_BENCH_TASKS", if quick { 2_000 } else { 100_000 });
    let mails = env_usize("DONDOC_BENCH_MAILS", if quick { 200 } else { 10_000 });
    let bench_db = BenchDb::new();
    let url = DatabaseUrl::parse(&bench_db.url).expect("url");
    let backend = if bench_db.pg_name.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let db = Db::connect(&url).expect("connect");
    db.migrate().expect("migrate");
    // A Monday, so that the weekly digests are planned too (the heaviest day).
    let mut day = NaiveDate::from_ymd_opt(2022, 12, 26).expect("date");
    while day.weekday() != chrono::Weekday::Mon {
        day = day.succ_opt().expect("date");
    }

    let started = Instant::now();
    let n = generate(&db, tasks, day);
    println!(
        "{backend}: generated {n} tasks over {UNITS} units in {:.1}s",
        started.elapsed().as_secs_f64()
    );

    let (smtp_url, received) = smtp_server();
    let mail_dir = bench_db._dir.path().join("mail");
    let mailer = Mailer::new(
        &config(&bench_db.url, Some(&smtp_url), &mail_dir),
        "k".repeat(64),
    )
    .expect("mailer");

    // The pure part alone: read the open tasks, apply the policy, group by recipient.
    let t = Instant::now();
    let mut conn = db.conn().expect("conn");
    let snap = storage::reminders::snapshot(&mut conn, day).expect("snapshot");
    let read = t.elapsed();
    let t = Instant::now();
    let plan = planner::plan(&mailer.policy, &snap, day, day);
    let planned = t.elapsed();
    println!(
        "plan of {day} (a Monday): {} open tasks read in {:.2}s, planned in {:.3}s: {} reminders to {} recipients",
        snap.tasks.len(),
        read.as_secs_f64(),
        planned.as_secs_f64(),
        plan.reminder_count(),
        plan.mails.len()
    );
    drop(conn);
    drop(snap);

    // The whole queuing: snapshot, policy, reminders recorded once, mails rendered and queued, one transaction.
    let t = Instant::now();
    let queued = mailer.queue(&db, day).expect("queue");
    let queue_time = t.elapsed();
    println!(
        "queue {n} tasks: {:.2}s (goal ≤ 5 s): {} reminders recorded, {} mails queued ({} with a digest)",
        queue_time.as_secs_f64(),
        queued.reminders,
        queued.mails,
        queued.digests
    );
    let t = Instant::now();
    let again = mailer.queue(&db, day).expect("queue again");
    println!(
        "queue the same day again: {:.2}s, {} reminders, {} mails",
        t.elapsed().as_secs_f64(),
        again.reminders,
        again.mails
    );

    // Delivery: the day's mails out of the way first, then `mails` mails of a usual size.
    let mut conn = db.conn().expect("conn");
    let typical = typical_mail(&mailer, &plan, day);
    storage::with_conn!(&mut *conn, c => c.batch_execute("DELETE FROM mail_outbox"))
        .expect("clear outbox");
    let t = Instant::now();
    for chunk in (0..mails).collect::<Vec<_>>().chunks(1000) {
        storage::write_tx(&mut conn, |c| {
            for i in chunk {
                outbox::Outbox::enqueue_mail(
                    c,
                    &outbox::NewMail {
                        dedup_key: format!("bench:{i}"),
                        recipient: format!("dv{:03}@hanam.vn", i % UNITS),
                        subject: typical.0.clone(),
                        body_text: typical.1.clone(),
                        body_html: typical.2.clone(),
                    },
                )?;
            }
            Ok::<_, diesel::result::Error>(())
        })
        .expect("enqueue");
    }
    println!(
        "enqueued {mails} mails ({} + {} bytes of text and HTML each) in {:.2}s",
        typical.1.len(),
        typical.2.len(),
        t.elapsed().as_secs_f64()
    );
    let before = received.load(Ordering::Relaxed);
    let t = Instant::now();
    let delivered = mailer
        .deliver(
            &db,
            &DeliverOptions {
                batch: 50,
                ..DeliverOptions::default()
            },
        )
        .expect("deliver");
    let took = t.elapsed();
    // The server counts a mail when its DATA ends; give the last one a moment.
    let deadline = Instant::now() + Duration::from_secs(5);
    while received.load(Ordering::Relaxed) - before < delivered.sent && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let got = received.load(Ordering::Relaxed) - before;
    println!(
        "delivered {} mails over SMTP on loopback in {:.2}s: {:.0} mails/s (server received {got}; {} to retry, {} dead)",
        delivered.sent,
        took.as_secs_f64(),
        delivered.sent as f64 / took.as_secs_f64().max(1e-9),
        delivered.retrying,
        delivered.dead
    );
    assert_eq!(delivered.sent, mails, "every mail delivered");
    assert_eq!(got, mails, "every mail received once");
}

/// A usual reminder mail: the first recipient's first five reminders, rendered.
fn typical_mail(mailer: &Mailer, plan: &planner::Plan, day: NaiveDate) -> (String, String, String) {
    let mut mail = plan.mails.values().next().expect("a planned mail").clone();
    mail.items.truncate(5);
    mail.digests.clear();
    let r = reminder_mail::render(mailer, &mail, day, chrono::Utc::now()).expect("render");
    (r.subject, r.text, r.html)
}
