//! Parser benchmark: how long one conclusion takes to read, for every text of
//! the fixture sets (`tests/fixtures/conclusions/`,
//! `tests/fixtures/conclusions-heldout/`,
//! `tests/fixtures/conclusions-fresh/`, `tests/fixtures/conclusions-fresh2/`
//! and `tests/fixtures/conclusions-fresh3/`), in a release build. Goal
//! (issue 17): under 50 ms per text.
//!
//! `cargo bench --bench parser`; `DONDOC_BENCH_RUNS` (default 200) sets the
//! runs per text. Each text is parsed a few times to warm up, then timed run
//! by run; the table gives the median and the slowest run per text, and the
//! last line the slowest median and the slowest run of all.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use dondoc::domain::conclusion::fixture::{meeting_date, units_from_csv};
use dondoc::domain::conclusion::{propose_items, ParseInput};
use dondoc::domain::holidays::WorkCalendar;

const SETS: &[&str] = &[
    "tests/fixtures/conclusions",
    "tests/fixtures/conclusions-heldout",
    "tests/fixtures/conclusions-fresh",
    "tests/fixtures/conclusions-fresh2",
    "tests/fixtures/conclusions-fresh3",
];

fn texts(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "txt"))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let runs: usize = std::env::var("DONDOC_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
        .max(1);
    let calendar = WorkCalendar::vietnam();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut worst_median = (Duration::ZERO, String::new());
    let mut worst_run = (Duration::ZERO, String::new());
    let mut count = 0;
    println!("| text | bytes | items | median ms | slowest ms |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for set in SETS {
        let dir = root.join(set);
        let units = std::fs::read_to_string(dir.join("units.csv"))
            .map(|csv| units_from_csv(&csv))
            .unwrap_or_default();
        for path in texts(&dir) {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let meeting = std::fs::read_to_string(path.with_extension("expect"))
                .ok()
                .and_then(|e| meeting_date(&e))
                .unwrap_or_default();
            let input = ParseInput {
                meeting_date: meeting,
                units: &units,
                calendar: &calendar,
            };
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let mut items = 0;
            for _ in 0..3 {
                items = propose_items(&text, &input).items.len();
            }
            let mut times: Vec<Duration> = (0..runs)
                .map(|_| {
                    let start = Instant::now();
                    std::hint::black_box(propose_items(std::hint::black_box(&text), &input));
                    start.elapsed()
                })
                .collect();
            times.sort();
            let median = times[times.len() / 2];
            let slowest = times[times.len() - 1];
            println!(
                "| {name} | {} | {items} | {:.2} | {:.2} |",
                text.len(),
                ms(median),
                ms(slowest)
            );
            if median > worst_median.0 {
                worst_median = (median, name.clone());
            }
            if slowest > worst_run.0 {
                worst_run = (slowest, name.clone());
            }
            count += 1;
        }
    }
    println!(
        "\n{count} texts, {runs} runs each: slowest median {:.2} ms ({}), slowest run {:.2} ms ({})",
        ms(worst_median.0),
        worst_median.1,
        ms(worst_run.0),
        worst_run.1
    );
}
