//! Export benchmark (not a test). For each backend and size it imports tasks
//! assigned over the **two** years up to today (dense: a half-year holds about
//! a quarter of them plus those carried over), serves the real binary
//! (`dondoc serve`, its own process) and downloads, as a signed-in leader,
//! the task list of the current half-year: `/dashboard/tasks.csv` and
//! `/dashboard/tasks.xlsx`. For each it measures the time to the first byte of
//! the body, the total time, and the server's peak memory during the export:
//! the peak resident set (`VmHWM` of `/proc/<pid>/status`, reset through
//! `/proc/<pid>/clear_refs` before each download) less the resident set
//! before it, and the peak itself.
//!
//! ```sh
//! cargo bench --bench exports                      # 100k and 1M, SQLite and PostgreSQL
//! DONDOC_BENCH_SIZES=100000 DONDOC_BENCH_BACKENDS=sqlite cargo bench --bench exports
//! ```
//! `DONDOC_BENCH_RUNS` (default 3) downloads per measure (the figures are the
//! median); `DONDOC_BENCH_SERVE` names the builds of `dondoc` to serve with,
//! separated by `:` (e.g. an earlier version and this one, to compare them
//! over the same data; default: this one); PostgreSQL as in `benches/dashboard.rs`.

use std::time::Instant;

use dondoc::storage::Db;

mod common;
use common::{config, env_list, env_usize, BenchDb, Served};

/// `dondoc serve` over the bench's database, watched through `/proc`.
struct Server(Served);

impl Server {
    /// A field of `/proc/<pid>/status`, in kB.
    fn status_kb(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.0.child.id()))
            .expect("/proc status");
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|rest| rest.trim_start_matches(':').split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{field} in /proc status"))
    }

    /// Sets the peak resident set back to the current one.
    fn reset_peak(&self) {
        std::fs::write(format!("/proc/{}/clear_refs", self.0.child.id()), "5")
            .expect("clear_refs (Linux 4.0 or later)");
    }
}

#[derive(Clone, Copy, Default)]
struct Download {
    first_byte_s: f64,
    total_s: f64,
    bytes: u64,
    /// Line ends in the body (a CSV's rows and its header).
    lines: usize,
    /// Peak resident set during the download less the one before, and the peak, in MB.
    growth_mb: f64,
    peak_mb: f64,
}

async fn download(web: &reqwest::Client, server: &Server, path: &str) -> Download {
    server.reset_peak();
    let before = server.status_kb("VmRSS");
    let started = Instant::now();
    let mut res = web
        .get(format!("{}{path}", server.0.base))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status().as_u16(), 200, "{path}");
    let mut first_byte_s = None;
    let (mut bytes, mut lines) = (0u64, 0usize);
    while let Some(chunk) = res.chunk().await.expect("body") {
        first_byte_s.get_or_insert_with(|| started.elapsed().as_secs_f64());
        bytes += chunk.len() as u64;
        lines += chunk.iter().filter(|b| **b == b'\n').count();
    }
    let total_s = started.elapsed().as_secs_f64();
    let peak = server.status_kb("VmHWM");
    Download {
        first_byte_s: first_byte_s.unwrap_or(total_s),
        total_s,
        bytes,
        lines,
        growth_mb: peak.saturating_sub(before) as f64 / 1024.0,
        peak_mb: peak as f64 / 1024.0,
    }
}

/// The median download of `runs` (by total time).
async fn measured(web: &reqwest::Client, server: &Server, path: &str, runs: usize) -> Download {
    let mut all = Vec::with_capacity(runs);
    for _ in 0..runs {
        all.push(download(web, server, path).await);
    }
    all.sort_by(|a, b| a.total_s.total_cmp(&b.total_s));
    all[all.len() / 2]
}

struct Figures {
    served: String,
    backend: String,
    tasks: usize,
    rows: usize,
    /// The server's resident set after the dashboard, before any export, MB.
    baseline_mb: f64,
    csv: Download,
    xlsx: Download,
}

async fn run(backend: &str, n: usize, runs: usize, binaries: &[String]) -> Vec<Figures> {
    let bench_db = BenchDb::new(backend);
    let config = config(&bench_db);
    let today = config.today();
    let db = Db::connect(&config.database_url).expect("connect");
    db.migrate().expect("migrate");
    common::seed(&db, backend, n, today, 2);
    drop(db);

    let mut all = Vec::new();
    for binary in binaries {
        let server = Server(Served::start(binary, &bench_db, "a"));
        let web = common::signed_in(&server.0.base).await;
        // The report behind the list, computed once as a leader's first view does.
        let page = web
            .get(format!("{}/dashboard", server.0.base))
            .send()
            .await
            .expect("dashboard");
        assert_eq!(page.status().as_u16(), 200);
        let baseline_mb = server.status_kb("VmRSS") as f64 / 1024.0;
        let csv = measured(&web, &server, "/dashboard/tasks.csv", runs).await;
        let rows = csv.lines.saturating_sub(1);
        eprintln!("{backend} {n} ({binary}): {rows} tasks in the current half-year's list");
        let xlsx = measured(&web, &server, "/dashboard/tasks.xlsx", runs).await;
        all.push(Figures {
            served: binary.rsplit('/').next().unwrap_or(binary).to_string(),
            backend: backend.to_string(),
            tasks: n,
            rows,
            baseline_mb,
            csv,
            xlsx,
        });
    }
    all
}

fn main() {
    // Before any PostgreSQL connection: see `storage::init_tls`.
    dondoc::storage::init_tls();
    let sizes = common::bench_sizes();
    let backends = env_list("DONDOC_BENCH_BACKENDS", "sqlite,postgres");
    let runs = env_usize("DONDOC_BENCH_RUNS", 3).max(1);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let binaries: Vec<String> = std::env::var("DONDOC_BENCH_SERVE")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_dondoc").into())
        .split(':')
        .filter(|b| !b.is_empty())
        .map(str::to_string)
        .collect();
    let mut all = Vec::new();
    for backend in &backends {
        for n in &sizes {
            all.extend(rt.block_on(run(backend, *n, runs, &binaries)));
        }
    }
    println!();
    println!("Median of {runs}; first byte and total in seconds; memory in MB: the server's resident set after the dashboard, before any export, and during each export its peak resident set less the one before it (the peak itself; the allocator keeps what an export freed, so the peak of a second export starts higher).");
    println!();
    println!("| served by | backend | tasks | rows exported | server before | CSV first byte | CSV total | CSV size (MB) | CSV memory | XLSX first byte | XLSX total | XLSX size (MB) | XLSX memory |");
    println!("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let cells = |d: &Download| {
        format!(
            "{:.2} | {:.2} | {:.1} | {:.0} ({:.0})",
            d.first_byte_s,
            d.total_s,
            d.bytes as f64 / 1_048_576.0,
            d.growth_mb,
            d.peak_mb
        )
    };
    for f in &all {
        println!(
            "| {} | {} | {} | {} | {:.0} | {} | {} |",
            f.served,
            f.backend,
            f.tasks,
            f.rows,
            f.baseline_mb,
            cells(&f.csv),
            cells(&f.xlsx)
        );
    }
}
