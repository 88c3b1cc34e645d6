//! Counting benchmark (not a test): the report's numbers counted from rows in
//! memory, as the dashboard counts them from its snapshot, without a database
//! or a server. Measures what `benches/dashboard.rs` calls "the report from
//! the snapshot" and "the months of the chart" (and both in the one walk the
//! page makes) in seconds of build instead of
//! an import.
//!
//! ```sh
//! cargo bench --bench counting                        # 100k and 1M tasks over two years
//! DONDOC_BENCH_SIZES=1000000 DONDOC_BENCH_RUNS=50 cargo bench --bench counting
//! ```
//!
//! Tasks over the two years up to 2026-12-02 and 500 units (one in fifty
//! waiting for its lead): each assigned on a random day, nine in ten with a
//! deadline 15 to 180 days later, the older the likelier done (a third of
//! those late) or cancelled, a tenth extended. The report is 2026-H2 as of
//! 2026-12-02, with its chart's points.

use chrono::{Duration, NaiveDate};
use rand::{Rng, SeedableRng};
use std::time::Instant;

use dondoc::domain::dashboard::{count, count_points, count_with_points, progress_points, Drill};
use dondoc::domain::report::{ReportedTask, NO_LEAD};
use dondoc::domain::{Period, Status, TaskDates};

fn tasks(n: usize, today: NaiveDate) -> Vec<ReportedTask> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(13);
    let span = 730;
    (0..n)
        .map(|_| {
            let age = rng.gen_range(0..span);
            let assigned_on = today - Duration::days(age);
            let deadline = (rng.gen_range(0..10) < 9)
                .then(|| assigned_on + Duration::days(rng.gen_range(15..=180)));
            let finished = rng.gen_bool((age as f64 / 365.0).min(0.97));
            let (mut completed_on, mut cancelled_on) = (None, None);
            if finished {
                let took = rng.gen_range(1..=age.max(1));
                let on = (assigned_on + Duration::days(took)).min(today);
                if rng.gen_range(0..20) == 0 {
                    cancelled_on = Some(on);
                } else {
                    completed_on = Some(on);
                }
            }
            ReportedTask {
                lead_unit_id: if rng.gen_range(0..50) == 0 {
                    NO_LEAD
                } else {
                    rng.gen_range(1..=500)
                },
                dates: TaskDates {
                    assigned_on,
                    deadline,
                    completed_on,
                    cancelled_on,
                },
                extended: rng.gen_range(0..10) == 0,
            }
        })
        .collect()
}

fn p50_p95(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.95))
}

fn measure(runs: usize, mut f: impl FnMut() -> u64) -> (f64, f64) {
    let mut sink = 0;
    for _ in 0..3 {
        sink += f();
    }
    let ms = (0..runs)
        .map(|_| {
            let t = Instant::now();
            sink += f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    std::hint::black_box(sink);
    p50_p95(ms)
}

fn main() {
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_string());
    let sizes: Vec<usize> = env("DONDOC_BENCH_SIZES", "100000,1000000")
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let runs: usize = env("DONDOC_BENCH_RUNS", "30").parse().unwrap_or(30);
    let today = NaiveDate::from_ymd_opt(2026, 12, 2).expect("date");
    let period: Period = "2026-H2".parse().expect("period");
    let points = progress_points(&period, today);
    // A list's selection, as a drill-down list walks it: the overdue tasks
    // as of another day each time, every row asked (on one core).
    let overdue = Drill {
        statuses: vec![Status::Overdue],
        ..Drill::default()
    };
    println!("| tasks | in the report | report p50 (p95) | chart p50 (p95) | both in one walk p50 (p95) | overdue list's selection p50 (p95) |");
    println!("| ---: | ---: | ---: | ---: | ---: | ---: |");
    for n in sizes {
        let rows = tasks(n, today);
        let in_report: u64 = count(&rows, &period, today)
            .values()
            .map(|t| t.counts.total)
            .sum();
        let report = measure(runs, || count(&rows, &period, today).len() as u64);
        let chart = measure(runs, || count_points(&rows, &points)[0].total);
        let both = measure(runs, || {
            count_with_points(&rows, &period, today, &points).1[0].total
        });
        let mut day = 0;
        let selection = measure(runs, || {
            day += 1;
            let as_of = today - Duration::days(100 + day);
            let selection = overdue.selection(&period, as_of);
            rows.iter().filter(|t| selection.selects(t)).count() as u64
        });
        println!(
            "| {n} | {in_report} | {:.1} ({:.1}) | {:.1} ({:.1}) | {:.1} ({:.1}) | {:.1} ({:.1}) |",
            report.0, report.1, chart.0, chart.1, both.0, both.1, selection.0, selection.1
        );
    }
}
