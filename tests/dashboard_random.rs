//! The dashboard's SQL counts equal the pure report function on random tasks,
//! for several periods and as-of dates, on both backends; and the task list's
//! filters select exactly the tasks behind each count.

mod common;

use chrono::{Duration, NaiveDate};
use dondoc::domain::report::{tally, total, Counts, ReportedTask};
use dondoc::domain::{Period, Status, TaskDates};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

const UNITS: [&str; 6] = ["U0", "U1", "U2", "U3", "U4", "U5"];
const TASKS: usize = 600;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

/// Random tasks between 2021 and 2024, with every kind of date combination.
fn random_tasks(seed: u64) -> Vec<(String, ReportedTask)> {
    let mut rng = StdRng::seed_from_u64(seed);
    let today = d("2025-06-30");
    (0..TASKS)
        .map(|i| {
            let assigned = d("2021-01-01") + Duration::days(rng.gen_range(0..1400));
            let deadline =
                (rng.gen_ratio(9, 10)).then(|| assigned + Duration::days(rng.gen_range(0..300)));
            // An extension moved the deadline later than the original.
            let extended = deadline.is_some_and(|dl| dl > assigned) && rng.gen_ratio(1, 5);
            let completed = rng
                .gen_ratio(3, 5)
                .then(|| assigned + Duration::days(rng.gen_range(0..400)))
                .filter(|c| *c <= today);
            let cancelled = rng
                .gen_ratio(1, 10)
                .then(|| assigned + Duration::days(rng.gen_range(0..200)))
                .filter(|c| *c <= today);
            let unit = rng.gen_range(0..UNITS.len());
            (
                format!("R{i:04}"),
                ReportedTask {
                    lead_unit_id: unit as i64,
                    dates: TaskDates {
                        assigned_on: assigned,
                        deadline,
                        completed_on: completed,
                        cancelled_on: cancelled,
                    },
                    extended,
                },
            )
        })
        .collect()
}

fn csv(tasks: &[(String, ReportedTask)]) -> String {
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let mut out = String::from("ref,content,lead_unit,coordinators,assigned_on,deadline,original_deadline,completed_on,cancelled_on\n");
    for (r, t) in tasks {
        let assigned = t.dates.assigned_on;
        let original = t
            .extended
            .then(|| t.dates.deadline.map(|x| assigned + (x - assigned) / 2))
            .flatten();
        out.push_str(&format!(
            "{r},Nhiệm vụ {r},{},,{},{},{},{},{}\n",
            UNITS[t.lead_unit_id as usize],
            t.dates.assigned_on,
            date(t.dates.deadline),
            date(original),
            date(t.dates.completed_on),
            date(t.dates.cancelled_on),
        ));
    }
    out
}

fn counts_of(v: &Value) -> Counts {
    let n = |k: &str| v[k].as_u64().unwrap_or(u64::MAX);
    Counts {
        total: n("total"),
        done_on_time: n("done_on_time"),
        done_late: n("done_late"),
        in_progress: n("in_progress"),
        overdue: n("overdue"),
        carried_over: n("carried_over"),
        extended: n("extended"),
    }
}

fn cases() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        (
            "2022-H1",
            vec!["2022-01-01", "2022-03-15", "2022-06-30", "2023-12-31"],
        ),
        (
            "2022-H2",
            vec!["2022-07-01", "2022-10-10", "2022-12-31", "2024-02-29"],
        ),
        ("2023-Q3", vec!["2023-07-01", "2023-09-30"]),
        ("2021-02", vec!["2021-02-28"]),
        ("2024", vec!["2024-06-30", "2024-12-31"]),
        (
            "2021-06-15..2023-03-20",
            vec!["2021-06-15", "2022-08-08", "2023-03-20"],
        ),
    ]
}

on_both_backends! {
    async fn dashboard_counts_equal_the_pure_function(app) {
        let codes: Vec<(&str, String, Option<&str>)> = UNITS.iter().map(|c| (*c, format!("Đơn vị {c}"), Some("TUHN"))).collect();
        let refs: Vec<(&str, &str, Option<&str>)> = codes.iter().map(|(c, n, p)| (*c, n.as_str(), *p)).collect();
        app.add_units(&refs);
        let tasks = random_tasks(20221231);
        {
            let mut conn = app.db.conn().expect("conn");
            dondoc::import::import_tasks(&mut conn, csv(&tasks).as_bytes(), None, d("2025-06-30"), &|_, _| {}).expect("import");
        }
        let reported: Vec<ReportedTask> = tasks.iter().map(|(_, t)| *t).collect();
        let mut checked = 0;
        for (name, as_ofs) in cases() {
            let period: Period = name.parse().expect("period");
            for as_of in as_ofs {
                let want_by_unit = tally(&reported, &period, d(as_of));
                let want = total(want_by_unit.values());
                let (status, body) = app.get_json(&format!("/api/v1/dashboard?period={name}&as_of={as_of}")).await;
                assert_eq!(status, 200, "{body}");
                assert_eq!(counts_of(&body["totals"]), want, "{name} as of {as_of}");
                assert!((body["totals"]["completion_rate"].as_f64().unwrap_or(-1.0) - want.completion_rate()).abs() < 1e-12);
                assert!((body["totals"]["on_time_rate"].as_f64().unwrap_or(-1.0) - want.on_time_rate()).abs() < 1e-12);
                for (i, code) in UNITS.iter().enumerate() {
                    let row = body["units"].as_array().expect("units").iter().find(|u| u["code"] == *code).expect("unit row");
                    let want_unit = want_by_unit.get(&(i as i64)).copied().unwrap_or_default();
                    assert_eq!(counts_of(row), want_unit, "{name} as of {as_of}, {code}");
                }
                // The task list behind each number holds exactly that many tasks.
                for status in Status::ALL {
                    let (_, list) = app
                        .get_json(&format!("/api/v1/tasks?period={name}&as_of={as_of}&status={}&per_page=1", status.code()))
                        .await;
                    assert_eq!(list["total"].as_u64(), Some(want.count_of(status)), "{name} {as_of} {}", status.code());
                }
                let (_, list) = app.get_json(&format!("/api/v1/tasks?period={name}&as_of={as_of}&unit=U3&per_page=1")).await;
                assert_eq!(list["total"].as_u64(), Some(want_by_unit.get(&3).map(|c| c.total).unwrap_or(0)));
                checked += 1;
            }
        }
        assert_eq!(checked, 16);
        // A task list without a period shows each task's status as of the date.
        let (_, page) = app.get_json("/api/v1/tasks?as_of=2023-01-01&per_page=500").await;
        for item in page["items"].as_array().expect("items") {
            let (_, t) = tasks.iter().find(|(r, _)| item["ref"] == *r).expect("task");
            let want = t.dates.status_as_of(d("2023-01-01")).map(|s| s.code());
            assert_eq!(item["status"].as_str(), want, "{}", item["ref"]);
        }
    }
}
