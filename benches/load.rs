//! Load benchmark (not a test): the real app as `dondoc serve` processes on
//! loopback, read and written at once, measured from outside.
//!
//! ```sh
//! cargo bench --bench load                          # SQLite, then PostgreSQL with one and two instances
//! DONDOC_BENCH_BACKENDS=sqlite DONDOC_LOAD_SECONDS=10 cargo bench --bench load
//! ```
//!
//! Per backend: 10 000 tasks over 60 units (the generator of the dashboard
//! benchmark), imported as offices do, 8 leaders, an official and an officer
//! per unit. Then, for `DONDOC_LOAD_SECONDS` (default 30) each:
//!
//! - **read and write**: 96 readers (`DONDOC_LOAD_READERS`), each its own
//!   connection and a session signed in through the form; half open the
//!   half-year `/dashboard` as a leader, half their own unit's task list
//!   (`/tasks?mine=1`) as its officer; at the same time 4 writers
//!   (`DONDOC_LOAD_WRITERS`) through the API, each in turn changing an open
//!   task's deadline with the version it last read (`PATCH /api/v1/tasks/{id}`)
//!   and posting a progress report as the task's lead unit
//!   (`POST /api/v1/tasks/{id}/reports`);
//! - **writers alone**: the same writers, nobody reading.
//!
//! `DONDOC_LOAD_SERVER` names another build of `dondoc` to serve (by default
//! the one cargo built beside the benchmark). SQLite runs one instance; PostgreSQL one and two (`DONDOC_LOAD_INSTANCES`,
//! default `1,2`), two being two processes on one database with readers and
//! writers spread over both. An error is any answer but a 2xx, except a 409
//! for a stale version (counted apart), and any request that fails.

use chrono::{Duration, NaiveDate};
use diesel::connection::SimpleConnection;
use std::sync::Arc;
use std::time::Instant;

use dondoc::config::DatabaseUrl;
use dondoc::domain::Role;
use dondoc::storage::{self, Db};

mod common;
use common::{env_list, env_usize, quantile, task_files, unit_code, units, BenchDb, Served};

const UNITS: usize = 60;
const LEADERS: usize = 8;
const PASSWORD: &str = "mat-khau-bench";

/// Who reads and who writes, made once per database.
struct People {
    leaders: Vec<String>,
    /// Each unit's officer's email.
    officers: Vec<String>,
    official_token: String,
    /// Each unit's officer's API token.
    unit_tokens: Vec<String>,
}

fn prepare(db: &BenchDb, today: NaiveDate, tasks: usize) -> People {
    let url = DatabaseUrl::parse(&db.url).expect("url");
    let pool = Db::connect(&url).expect("connect");
    pool.migrate().expect("migrate");
    let mut conn = pool.conn().expect("conn");
    storage::units::upsert_all(&mut conn, &units(UNITS), None).expect("units");
    let hash = dondoc::auth::hash_password(PASSWORD);
    let mut user = |email: String, role: Role, unit: Option<String>| {
        let id = storage::users::create(
            &mut conn,
            &storage::users::NewUser {
                email: email.clone(),
                name: email.clone(),
                role,
                unit_code: unit,
                password_hash: hash.clone(),
            },
        )
        .expect("user");
        (email, id)
    };
    let leaders: Vec<String> = (0..LEADERS)
        .map(|i| user(format!("lanhdao{i}@tinh.vn"), Role::Leader, None).0)
        .collect();
    let official = user("vanphong@tinh.vn".into(), Role::Official, None).1;
    let officers: Vec<(String, i64)> = (0..UNITS)
        .map(|i| user(format!("canbo{i}@tinh.vn"), Role::Unit, Some(unit_code(i))))
        .collect();
    let official_token = storage::users::create_token(&mut conn, official, "load").expect("token");
    let unit_tokens = officers
        .iter()
        .map(|(_, id)| storage::users::create_token(&mut conn, *id, "load").expect("token"))
        .collect();
    let started = Instant::now();
    for file in task_files(tasks, UNITS, today, 5) {
        dondoc::import::import_tasks(&mut conn, file.as_bytes(), None, today, &|_, _| {})
            .expect("import");
    }
    eprintln!(
        "{tasks} tasks imported in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    if pool.backend() == storage::Backend::Postgres {
        // What autovacuum does within a minute of an import.
        conn.batch_execute("VACUUM ANALYZE").expect("vacuum");
    }
    People {
        leaders,
        officers: officers.into_iter().map(|(e, _)| e).collect(),
        official_token,
        unit_tokens,
    }
}

/// A client's connections. The pool may open a connection it then does not
/// use (a request found another free first); the server closes such a
/// connection after 5 s without a request, its guard against slow clients.
/// The pool lets it go before, as a client must, or a request sent on it at
/// that moment is lost.
fn pooled() -> reqwest::ClientBuilder {
    reqwest::Client::builder().pool_idle_timeout(std::time::Duration::from_secs(4))
}

/// A client of its own (one connection) sharing a signed-in session's cookies.
fn client(jar: &Arc<reqwest::cookie::Jar>) -> reqwest::Client {
    pooled()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Signs in through the form; the session's cookie goes to every instance.
async fn sign_in(base: &str, email: &str) -> Arc<reqwest::cookie::Jar> {
    let jar = Arc::new(reqwest::cookie::Jar::default());
    common::sign_in(&client(&jar), base, email, PASSWORD).await;
    jar
}

/// An open task a writer works on.
#[derive(Clone)]
struct Target {
    id: i64,
    version: i64,
    /// The lead unit's index.
    unit: usize,
}

/// The open tasks of every unit it leads, through the API.
async fn open_tasks(base: &str, token: &str) -> Vec<Target> {
    let api = reqwest::Client::new();
    let mut found = Vec::new();
    for unit in 0..UNITS {
        let page: serde_json::Value = api
            .get(format!(
                "{base}/api/v1/tasks?unit={}&unit_role=lead&status=in_progress,overdue&per_page=100",
                unit_code(unit)
            ))
            .bearer_auth(token)
            .send()
            .await
            .expect("task list")
            .json()
            .await
            .expect("task list json");
        for t in page["items"].as_array().into_iter().flatten() {
            if let (Some(id), Some(version)) = (t["id"].as_i64(), t["version"].as_i64()) {
                found.push(Target { id, version, unit });
            }
        }
    }
    found
}

/// What one reader or writer saw.
#[derive(Default)]
struct Tally {
    reads: Vec<f64>,
    writes: Vec<f64>,
    stale: usize,
    errors: usize,
    first_errors: Vec<String>,
}

/// An error with its causes (reqwest's own text names only the request).
fn causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    text
}

impl Tally {
    fn error(&mut self, what: String) {
        self.errors += 1;
        if self.first_errors.len() < 3 {
            self.first_errors.push(what);
        }
    }

    fn merge(&mut self, other: Tally) {
        self.reads.extend(other.reads);
        self.writes.extend(other.writes);
        self.stale += other.stale;
        self.errors += other.errors;
        for e in other.first_errors {
            if self.first_errors.len() < 5 {
                self.first_errors.push(e);
            }
        }
    }
}

async fn reader(web: reqwest::Client, url: String, until: Instant) -> Tally {
    let mut tally = Tally::default();
    while Instant::now() < until {
        let started = Instant::now();
        match web.get(&url).send().await {
            Ok(res) if res.status().is_success() => match res.bytes().await {
                Ok(_) => tally.reads.push(started.elapsed().as_secs_f64() * 1000.0),
                Err(e) => tally.error(format!("GET {url}: {}", causes(&e))),
            },
            Ok(res) => tally.error(format!("GET {url}: {}", res.status())),
            Err(e) => tally.error(format!("GET {url}: {}", causes(&e))),
        }
    }
    tally
}

async fn writer(
    base: String,
    official: String,
    unit_tokens: Arc<Vec<String>>,
    mut targets: Vec<Target>,
    seed: u64,
    until: Instant,
    today: NaiveDate,
) -> Tally {
    let api = pooled().build().expect("client");
    let mut tally = Tally::default();
    let mut step: u64 = seed;
    while Instant::now() < until {
        step += 1;
        let slot = (step as usize / 2) % targets.len();
        let target = &mut targets[slot];
        let change = step.is_multiple_of(2);
        let started = Instant::now();
        let (what, res) = if change {
            let deadline = today + Duration::days(10 + (step % 170) as i64);
            (
                format!("PATCH /api/v1/tasks/{}", target.id),
                api.patch(format!("{base}/api/v1/tasks/{}", target.id))
                    .bearer_auth(&official)
                    .json(&serde_json::json!({"version": target.version, "deadline": deadline}))
                    .send()
                    .await,
            )
        } else {
            (
                format!("POST /api/v1/tasks/{}/reports", target.id),
                api.post(format!("{base}/api/v1/tasks/{}/reports", target.id))
                    .bearer_auth(&unit_tokens[target.unit])
                    .json(&serde_json::json!({
                        "percent": step % 90,
                        "note": format!("Đã triển khai bước {step}, đang tổng hợp kết quả"),
                    }))
                    .send()
                    .await,
            )
        };
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        match res {
            Ok(res) if res.status().is_success() => {
                let body: serde_json::Value = res.json().await.unwrap_or_default();
                if let Some(v) = body["version"].as_i64() {
                    target.version = v;
                }
                tally.writes.push(ms);
            }
            Ok(res) if res.status().as_u16() == 409 && change => {
                // A stale version: read the task again, as a client would.
                tally.stale += 1;
                let fresh: Option<serde_json::Value> = match api
                    .get(format!("{base}/api/v1/tasks/{}", target.id))
                    .bearer_auth(&official)
                    .send()
                    .await
                {
                    Ok(r) => r.json().await.ok(),
                    Err(_) => None,
                };
                match fresh.and_then(|f| f["version"].as_i64()) {
                    Some(v) => target.version = v,
                    None => tally.error(format!("GET /api/v1/tasks/{}", target.id)),
                }
            }
            Ok(res) => {
                let status = res.status();
                let body = res.text().await.unwrap_or_default();
                tally.error(format!(
                    "{what}: {status} {}",
                    body.chars().take(200).collect::<String>()
                ))
            }
            Err(e) => tally.error(format!("{what}: {}", causes(&e))),
        }
    }
    tally
}

struct Figures {
    backend: String,
    instances: usize,
    readers: usize,
    writers: usize,
    seconds: f64,
    tally: Tally,
}

impl Figures {
    fn reads_per_s(&self) -> f64 {
        self.tally.reads.len() as f64 / self.seconds
    }
    fn writes_per_s(&self) -> f64 {
        self.tally.writes.len() as f64 / self.seconds
    }
    fn read_at(&self, q: f64) -> f64 {
        quantile(&self.tally.reads, q)
    }
    fn write_at(&self, q: f64) -> f64 {
        quantile(&self.tally.writes, q)
    }
}

struct Plan {
    readers: usize,
    writers: usize,
    seconds: u64,
}

/// One run: `plan.readers` and `plan.writers` spread over the instances, for the time given.
async fn measure(
    backend: &str,
    servers: &[Served],
    people: &People,
    targets: &[Target],
    plan: &Plan,
    today: NaiveDate,
) -> Figures {
    let n = servers.len();
    // Sessions, signed in on the first instance (they live in the database).
    let base0 = servers[0].base.clone();
    let mut leader_jars = Vec::new();
    for email in &people.leaders {
        leader_jars.push(sign_in(&base0, email).await);
    }
    let unit_readers = plan.readers / 2;
    let mut officer_jars = Vec::new();
    for email in people.officers.iter().take(unit_readers.min(UNITS)) {
        officer_jars.push(sign_in(&base0, email).await);
    }
    let start = Instant::now() + std::time::Duration::from_millis(200);
    let until = start + std::time::Duration::from_secs(plan.seconds);
    let mut set = tokio::task::JoinSet::new();
    for r in 0..plan.readers {
        let base = &servers[(r / 2) % n].base;
        let (jar, url) = if r % 2 == 0 {
            (
                &leader_jars[(r / 2) % leader_jars.len()],
                format!("{base}/dashboard"),
            )
        } else {
            (
                &officer_jars[(r / 2) % officer_jars.len()],
                format!("{base}/tasks?mine=1"),
            )
        };
        let web = client(jar);
        set.spawn(async move {
            tokio::time::sleep_until(start.into()).await;
            reader(web, url, until).await
        });
    }
    let tokens = Arc::new(people.unit_tokens.clone());
    for w in 0..plan.writers {
        // Each writer its own tasks: a stale version comes only from a report
        // landing on a task between a writer's read and its change.
        let mine: Vec<Target> = targets
            .iter()
            .skip(w)
            .step_by(plan.writers)
            .cloned()
            .collect();
        let base = servers[w % n].base.clone();
        let official = people.official_token.clone();
        let tokens = tokens.clone();
        set.spawn(async move {
            tokio::time::sleep_until(start.into()).await;
            writer(base, official, tokens, mine, w as u64 * 1000, until, today).await
        });
    }
    let mut tally = Tally::default();
    while let Some(done) = set.join_next().await {
        tally.merge(done.expect("a reader or writer"));
    }
    let seconds = start.elapsed().as_secs_f64();
    tally.reads.sort_by(f64::total_cmp);
    tally.writes.sort_by(f64::total_cmp);
    Figures {
        backend: backend.to_string(),
        instances: n,
        readers: plan.readers,
        writers: plan.writers,
        seconds,
        tally,
    }
}

async fn run_backend(backend: &str, instance_counts: &[usize], plan: &Plan) -> Vec<Figures> {
    let db = BenchDb::new(backend);
    // Today where the app counts it (its default time zone).
    let today = dondoc::config::Config::from_lookup(|name| {
        (name == "DATABASE_URL").then(|| db.url.clone())
    })
    .expect("config")
    .today();
    let people = prepare(&db, today, env_usize("DONDOC_LOAD_TASKS", 10_000));
    let mut all = Vec::new();
    for &n in instance_counts {
        // `DONDOC_LOAD_SERVER`: another build of `dondoc` to measure.
        let program = std::env::var("DONDOC_LOAD_SERVER")
            .unwrap_or_else(|_| env!("CARGO_BIN_EXE_dondoc").to_string());
        let servers: Vec<Served> = (0..n)
            .map(|i| Served::start(&program, &db, &format!("{backend}-{i}")))
            .collect();
        let targets = open_tasks(&servers[0].base, &people.official_token).await;
        assert!(targets.len() >= plan.writers.max(1), "open tasks to write");
        for readers in [plan.readers, 0] {
            let run = Plan {
                readers,
                writers: plan.writers,
                seconds: plan.seconds,
            };
            let figures = measure(backend, &servers, &people, &targets, &run, today).await;
            eprintln!(
                "{backend}, {n} instance(s), {readers} readers: {:.0} reads/s, {:.0} writes/s, {} errors",
                figures.reads_per_s(),
                figures.writes_per_s(),
                figures.tally.errors
            );
            for e in &figures.tally.first_errors {
                eprintln!("  {e}");
            }
            all.push(figures);
        }
    }
    all
}

fn main() {
    dondoc::storage::init_tls();
    let backends = env_list("DONDOC_BENCH_BACKENDS", "sqlite,postgres");
    let pg_instances: Vec<usize> = env_list("DONDOC_LOAD_INSTANCES", "1,2")
        .iter()
        .map(|s| s.parse().expect("DONDOC_LOAD_INSTANCES: numbers"))
        .collect();
    let plan = Plan {
        readers: env_usize("DONDOC_LOAD_READERS", 96),
        writers: env_usize("DONDOC_LOAD_WRITERS", 4).max(1),
        seconds: env_usize("DONDOC_LOAD_SECONDS", 30).max(1) as u64,
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut all = Vec::new();
    for backend in &backends {
        // SQLite is one file on one machine: one instance.
        let counts = if backend == "postgres" {
            pg_instances.clone()
        } else {
            vec![1]
        };
        all.extend(rt.block_on(run_backend(backend, &counts, &plan)));
    }
    println!();
    println!("Milliseconds; an error is any answer but a 2xx (a 409 for a stale version is counted apart) or a failed request.");
    println!();
    println!("| backend | instances | readers + writers | reads/s | read p50 | read p95 | read p99 | writes/s | write p99 | errors | stale 409 |");
    println!("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for f in &all {
        let reads = if f.readers == 0 {
            "| | | | |".to_string()
        } else {
            format!(
                "| {:.0} | {:.1} | {:.1} | {:.1} |",
                f.reads_per_s(),
                f.read_at(0.5),
                f.read_at(0.95),
                f.read_at(0.99)
            )
        };
        println!(
            "| {} | {} | {} + {} {reads} {:.0} | {:.1} | {} | {} |",
            f.backend,
            f.instances,
            f.readers,
            f.writers,
            f.writes_per_s(),
            f.write_at(0.99),
            f.tally.errors,
            f.tally.stale
        );
    }
    for f in all.iter().filter(|f| f.readers > 0) {
        let goal = match (f.backend.as_str(), f.instances) {
            ("sqlite", _) => Some((100.0, Some(300.0))),
            ("postgres", 2) => Some((300.0, None)),
            _ => None,
        };
        if let Some((writes, p99)) = goal {
            let met = f.writes_per_s() >= writes
                && p99.is_none_or(|p| f.read_at(0.99) <= p)
                && f.tally.errors == 0;
            println!(
                "{} with {} instance(s): {} (goal ≥ {writes} writes/s{}, no errors)",
                f.backend,
                f.instances,
                if met { "met" } else { "MISSED" },
                p99.map(|p| format!(", read p99 ≤ {p} ms"))
                    .unwrap_or_default()
            );
        }
    }
}
