//! The dashboard's report drawn once for all its readers: the totals, the
//! frozen report, the units table and the charts are a pure function of the
//! query, the language, the time zone and the numbers ([`View::build`] and
//! `templates/dashboard_drawn.html`), so every reader who opens the same
//! report between two changes gets the HTML drawn for the first. Under load
//! that drawing was most of a dashboard request.
//!
//! Entries are found by comparing those inputs themselves, numbers included:
//! a change anywhere (a task, a unit's name, a close) makes other numbers,
//! hence a new entry, with no version to keep in step.

use serde::Serialize;
use std::sync::{Arc, LazyLock, Mutex};

use crate::i18n::Lang;
use crate::storage::dashboard::Dashboard;
use crate::web::export;
use crate::web::report::{Exports, Query, UnitRef, View};
use crate::web::State;

/// What the page shows of one report.
#[derive(Debug, Serialize)]
pub struct Drawn {
    /// The report's own fields the page's header and forms use.
    pub head: Head,
    pub scope_line: String,
    /// HTML, escaped when drawn.
    pub totals: String,
    /// HTML of the frozen report of a closed period, if closed.
    pub frozen: Option<String>,
    pub units: String,
    pub charts: String,
}

/// The light part of a [`View`]: the page's header, links and forms.
#[derive(Debug, Serialize)]
pub struct Head {
    pub period: String,
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub as_of: chrono::NaiveDate,
    pub unit: Option<String>,
    pub choices: Vec<UnitRef>,
    pub exports: Exports,
    pub frozen: bool,
}

struct Entry {
    q: Query,
    lang: Lang,
    tz: chrono_tz::Tz,
    data: Dashboard,
    drawn: Arc<Drawn>,
}

impl Entry {
    fn is_for(&self, q: &Query, lang: Lang, tz: chrono_tz::Tz, data: &Dashboard) -> bool {
        // The cheap comparisons first: most entries differ by their query.
        self.lang == lang && self.tz == tz && self.q == *q && self.data == *data
    }
}

/// Reports kept: a few periods, orders and scopes read at once.
const KEPT_MAX: usize = 32;

/// Newest first.
static KEPT: LazyLock<Mutex<Vec<Arc<Entry>>>> = LazyLock::new(Default::default);

fn kept() -> std::sync::MutexGuard<'static, Vec<Arc<Entry>>> {
    KEPT.lock().unwrap_or_else(|e| e.into_inner())
}

/// The report drawn for these inputs: kept, or drawn now (on the blocking
/// pool, as pages are) and kept.
pub async fn drawn(
    state: &State,
    q: Query,
    data: Dashboard,
    lang: Lang,
) -> Result<Arc<Drawn>, tera::Error> {
    let tz = state.config.tz;
    // Compared outside the lock: every dashboard request looks here.
    let entries = kept().clone();
    let found = entries
        .iter()
        .find(|e| e.is_for(&q, lang, tz, &data))
        .map(|e| e.drawn.clone());
    if let Some(drawn) = found {
        return Ok(drawn);
    }
    let state = state.clone();
    let entry = actix_web::web::block(move || {
        let drawn = draw(&state.templates, &q, &data, lang, tz)?;
        Ok::<_, tera::Error>(Entry {
            q,
            lang,
            tz,
            data,
            drawn: Arc::new(drawn),
        })
    })
    .await
    .map_err(|e| tera::Error::msg(e.to_string()))??;
    let drawn = entry.drawn.clone();
    let mut held = kept();
    held.insert(0, Arc::new(entry));
    held.truncate(KEPT_MAX);
    Ok(drawn)
}

fn draw(
    templates: &tera::Tera,
    q: &Query,
    data: &Dashboard,
    lang: Lang,
    tz: chrono_tz::Tz,
) -> Result<Drawn, tera::Error> {
    let view = View::build(q, data, lang, tz);
    let mut ctx = tera::Context::new();
    ctx.insert("v", &view);
    ctx.insert("lang", &lang);
    let mut part = |name: &str| {
        ctx.insert("part", name);
        templates.render("dashboard_drawn.html", &ctx)
    };
    let (totals, units, charts) = (part("totals")?, part("units")?, part("charts")?);
    let frozen = match view.frozen {
        Some(_) => Some(part("frozen")?),
        None => None,
    };
    Ok(Drawn {
        scope_line: export::scope_line(view.root.as_ref(), lang),
        head: Head {
            period: view.period,
            from: view.from,
            to: view.to,
            as_of: view.as_of,
            unit: view.unit,
            choices: view.choices,
            exports: view.exports,
            frozen: view.frozen.is_some(),
        },
        totals,
        frozen,
        units,
        charts,
    })
}
