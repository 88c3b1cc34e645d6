//! What the benchmarks share: the database of a run, the province's units,
//! the tasks offices import, and percentiles.

use chrono::{Duration, NaiveDate};
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::fmt::Write as _;

use dondoc::domain::unit::UnitInput;

const FILE_ROWS: usize = 100_000;

pub fn env_list(name: &str, default: &str) -> Vec<String> {
    std::env::var(name)
        .unwrap_or_else(|_| default.to_string())
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The PostgreSQL server the benchmarks create their databases on.
pub fn postgres_admin_url() -> String {
    std::env::var("DONDOC_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A database for one run: SQLite in a temporary folder, or a fresh PostgreSQL database.
pub struct BenchDb {
    pub url: String,
    pg: Option<(String, String)>,
    pub dir: tempfile::TempDir,
}

impl BenchDb {
    pub fn new(backend: &str) -> BenchDb {
        let dir = tempfile::tempdir().expect("temp dir");
        if backend == "postgres" {
            let admin = postgres_admin_url();
            let name = format!(
                "dondoc_bench_{}",
                dondoc::auth::random_secret(6).to_lowercase()
            );
            let mut conn = PgConnection::establish(&admin).expect("PostgreSQL");
            conn.batch_execute(&format!("CREATE DATABASE {name}"))
                .expect("create database");
            let mut url = url::Url::parse(&admin).expect("url");
            url.set_path(&name);
            BenchDb {
                url: url.to_string(),
                pg: Some((admin, name)),
                dir,
            }
        } else {
            BenchDb {
                url: format!("sqlite://{}", dir.path().join("bench.db").display()),
                pg: None,
                dir,
            }
        }
    }
}

impl Drop for BenchDb {
    fn drop(&mut self) {
        if std::env::var("DONDOC_BENCH_KEEP").is_ok() {
            eprintln!("kept: {}", self.url);
            std::mem::forget(std::mem::replace(
                &mut self.dir,
                tempfile::tempdir().expect("dir"),
            ));
            return;
        }
        if let Some((admin, name)) = &self.pg {
            if let Ok(mut conn) = PgConnection::establish(admin) {
                let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// The code of the `i`th unit.
pub fn unit_code(i: usize) -> String {
    format!("DV{i:03}")
}

/// A province's tree of `count` units: the province, up to 24 departments and
/// district committees, and the units under them.
pub fn units(count: usize) -> Vec<UnitInput> {
    let middle = count.saturating_sub(1).min(24);
    (0..count)
        .map(|i| UnitInput {
            code: unit_code(i),
            name: match i {
                0 => "Tỉnh ủy".to_string(),
                i if i <= middle => format!("Ban, sở, huyện ủy số {i}"),
                _ => format!("Đơn vị cơ sở số {i}"),
            },
            parent: match i {
                0 => None,
                i if i <= middle => Some(unit_code(0)),
                _ => Some(unit_code(1 + (i - middle - 1) % middle)),
            },
            email: Some(format!("dv{i:03}@tinh.vn")),
            head_email: None,
            aliases: vec![],
        })
        .collect()
}

/// `n` tasks over `unit_count` units as import CSV files of at most 100 000
/// rows, spread over the five years up to `today`: each task is assigned on a
/// random day, nine in ten with a deadline 15 to 180 days later; the older a
/// task, the likelier it is done (late a third of the time) or cancelled; a
/// tenth were extended; a third have a coordinating unit.
pub fn task_files(n: usize, unit_count: usize, today: NaiveDate) -> Vec<String> {
    let mut rng = StdRng::seed_from_u64(7_072_022);
    let start = today - Duration::days(5 * 365);
    let span = (today - start).num_days();
    let date = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let mut files = Vec::new();
    let mut csv = String::new();
    for i in 0..n {
        if i % FILE_ROWS == 0 {
            if !csv.is_empty() {
                files.push(std::mem::take(&mut csv));
            }
            csv.push_str("ref,content,lead_unit,coordinators,assigned_on,deadline,original_deadline,completed_on,cancelled_on\n");
        }
        let assigned = start + Duration::days(rng.gen_range(0..=span));
        let age = (today - assigned).num_days();
        let deadline = rng
            .gen_ratio(9, 10)
            .then(|| assigned + Duration::days(rng.gen_range(15..=180)));
        let original = deadline
            .filter(|_| rng.gen_ratio(1, 10))
            .map(|d| (d - Duration::days(30)).max(assigned));
        // The older a task, the likelier it is finished.
        let finished = match age {
            0..=90 => 35,
            91..=365 => 80,
            _ => 97,
        };
        let roll = rng.gen_range(0..100);
        let latest = today.min(assigned + Duration::days(400));
        let (completed, cancelled) = if roll < finished - 3 {
            let on_time = rng.gen_ratio(2, 3);
            let when = match (deadline, on_time) {
                (Some(d), true) => {
                    assigned + Duration::days(rng.gen_range(0..=(d - assigned).num_days()))
                }
                (Some(d), false) => d + Duration::days(rng.gen_range(1..=90)),
                (None, _) => assigned + Duration::days(rng.gen_range(0..=200)),
            };
            (Some(when.min(latest).max(assigned)), None)
        } else if roll < finished {
            (
                None,
                Some(
                    (assigned + Duration::days(rng.gen_range(0..=120)))
                        .min(latest)
                        .max(assigned),
                ),
            )
        } else {
            (None, None)
        };
        let lead = rng.gen_range(0..unit_count);
        let coordinator = rng
            .gen_ratio(1, 3)
            .then(|| rng.gen_range(0..unit_count))
            .filter(|c| *c != lead)
            .map(unit_code)
            .unwrap_or_default();
        let _ = writeln!(
            csv,
            "B{i:07},\"Nhiệm vụ {i}: triển khai thực hiện kết luận của Thường trực Tỉnh ủy, báo cáo kết quả theo quy định\",{},{coordinator},{},{},{},{},{}",
            unit_code(lead),
            date(assigned),
            deadline.map(date).unwrap_or_default(),
            original.map(date).unwrap_or_default(),
            completed.map(date).unwrap_or_default(),
            cancelled.map(date).unwrap_or_default(),
        );
    }
    if !csv.is_empty() {
        files.push(csv);
    }
    files
}

/// The `q` quantile (0 to 1) of durations sorted in ascending order.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * q).round() as usize]
}
