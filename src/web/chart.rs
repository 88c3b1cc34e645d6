//! The dashboard's charts as SVG, drawn on the server (no chart script). Each
//! chart is readable in grey print: every status has its own pattern as well
//! as its colour, and the numbers are written on the bars. Each carries a
//! `<title>` and a `<desc>` for screen readers; the page also prints the
//! numbers as a table. Every text is escaped here.
//!
//! Each chart comes in two layouts (see [`Layout`]) so that its text is never
//! drawn under 11 px: an SVG scales its text with its width, and a chart
//! drawn for a desktop shrinks to under 5 px on a phone.

use std::fmt::Write;

use crate::domain::report::Counts;
use crate::domain::status::Status;
use crate::domain::text::escape_markup as esc;

/// A text cut to `max` characters (with an ellipsis), for labels in a fixed width.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// The texts a chart shows, in the reader's language.
#[derive(Debug, Clone)]
pub struct Texts {
    pub title: String,
    pub desc: String,
    /// The label of each status, in the order of [`Status::ALL`].
    pub statuses: [String; 4],
}

/// One bar of a stacked chart: a label and the counts by status.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    /// Written at the end of the bar (e.g. the total and the completion rate).
    pub note: String,
    pub counts: Counts,
}

const FONT: &str = "font-family=\"DejaVu Sans, Noto Sans, Arial, sans-serif\"";
const INK: &str = "#1b1f24";

/// The two renderings of a chart; the page carries both and its style sheet
/// shows one (`svg.chart-wide`, `svg.chart-narrow`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// For desktops and print: drawn at its own size (12-unit text reads 12 px)
    /// where there is room, never wider than about 1000 units.
    Wide,
    /// For phones: [`NARROW_WIDTH`] units wide, one row per bar, 13-unit text,
    /// so that on a 320–390 px screen it reads 11–13 px.
    Narrow,
}

impl Layout {
    fn class(self) -> &'static str {
        match self {
            Layout::Wide => "chart chart-wide",
            Layout::Narrow => "chart chart-narrow",
        }
    }

    fn font_size(self) -> u32 {
        match self {
            Layout::Wide => 12,
            Layout::Narrow => 13,
        }
    }

    /// The width of one character of text, roughly (DejaVu Sans is wide),
    /// to decide what fits.
    fn char_width(self) -> f64 {
        match self {
            Layout::Wide => 7.5,
            Layout::Narrow => 8.2,
        }
    }

    /// Ids inside the SVG get a suffix, as both renderings sit on one page.
    fn id(self, id: &str) -> String {
        match self {
            Layout::Wide => id.to_string(),
            Layout::Narrow => format!("{id}-n"),
        }
    }
}

/// The width of the phone rendering, in user units: a 390 px phone has
/// about 350 px for it, so it is drawn at about 1:1.
pub const NARROW_WIDTH: f64 = 340.0;

fn fill(id: &str, status: Status) -> String {
    match status {
        Status::DoneOnTime => "#1d6b36".to_string(),
        other => format!("url(#{id}-{})", other.code()),
    }
}

/// Whether a status's fill is dark (its labels are written light on dark).
fn dark(status: Status) -> bool {
    matches!(status, Status::DoneOnTime | Status::Overdue)
}

/// The patterns of the statuses: solid, hatched, dotted, cross-hatched.
fn patterns(id: &str) -> String {
    format!(
        "<defs>\
<pattern id=\"{id}-done_late\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\
<rect width=\"6\" height=\"6\" fill=\"#e8b04a\"/><line x1=\"1\" y1=\"0\" x2=\"1\" y2=\"6\" stroke=\"#5c3b00\" stroke-width=\"2\"/></pattern>\
<pattern id=\"{id}-in_progress\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">\
<rect width=\"6\" height=\"6\" fill=\"#dce9f6\"/><circle cx=\"3\" cy=\"3\" r=\"1.3\" fill=\"#0b4f8a\"/></pattern>\
<pattern id=\"{id}-overdue\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\">\
<rect width=\"8\" height=\"8\" fill=\"#a4161a\"/><path d=\"M0 0L8 8M8 0L0 8\" stroke=\"#ffffff\" stroke-width=\"1.4\"/></pattern>\
</defs>"
    )
}

/// The SVG's opening: its own size as `width`/`height` (the style sheet lets
/// it shrink, never grow, so that text keeps its size where there is room).
fn open(out: &mut String, id: &str, width: u32, height: u32, texts: &Texts, layout: Layout) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"{}\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" {FONT} font-size=\"{}\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>{}",
        layout.class(),
        layout.font_size(),
        esc(&texts.title),
        esc(&texts.desc),
        patterns(id)
    );
}

/// A number written on a bar, with a halo so that it reads on any fill.
fn value_label(out: &mut String, x: f64, y: f64, text: &str, on_dark: bool, anchor: &str) {
    let (fg, halo) = if on_dark {
        ("#ffffff", INK)
    } else {
        (INK, "#ffffff")
    };
    let _ = write!(
        out,
        "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{anchor}\" fill=\"{fg}\" stroke=\"{halo}\" \
         stroke-width=\"3\" paint-order=\"stroke\" font-weight=\"bold\">{}</text>",
        esc(text)
    );
}

/// The legend: a swatch and the label of each status, on one line.
fn legend(out: &mut String, id: &str, texts: &Texts, x0: f64, y: f64) {
    let mut x = x0;
    for (status, label) in Status::ALL.iter().zip(&texts.statuses) {
        let _ = write!(
            out,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"14\" height=\"14\" fill=\"{}\" stroke=\"{INK}\" stroke-width=\"0.6\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" fill=\"{INK}\">{}</text>",
            y - 11.0,
            fill(id, *status),
            x + 19.0,
            y,
            esc(label)
        );
        x += 30.0 + label.chars().count() as f64 * 6.6;
    }
}

/// One stacked segment with its number when it fits.
#[allow(clippy::too_many_arguments)]
fn segment(
    out: &mut String,
    id: &str,
    status: Status,
    label: &str,
    value: u64,
    (x, y, w, h): (f64, f64, f64, f64),
    horizontal: bool,
    layout: Layout,
) {
    if value == 0 || w <= 0.0 || h <= 0.0 {
        return;
    }
    let _ = write!(
        out,
        "<rect x=\"{x:.2}\" y=\"{y:.2}\" width=\"{w:.2}\" height=\"{h:.2}\" fill=\"{}\" stroke=\"{INK}\" stroke-width=\"0.5\">\
         <title>{}: {value}</title></rect>",
        fill(id, status),
        esc(label)
    );
    let text = value.to_string();
    let need = layout.char_width() * text.len() as f64 + 6.0;
    let fits = if horizontal {
        w >= need
    } else {
        h >= 16.0 && w >= need
    };
    if fits {
        value_label(
            out,
            x + w / 2.0,
            y + h / 2.0 + 4.0,
            &text,
            dark(status),
            "middle",
        );
    }
}

/// Units as horizontal bars of 100 %, stacked by status, with the count of
/// each status on its segment and `note` at the end of the bar.
pub fn units_chart(id: &str, bars: &[Bar], texts: &Texts) -> String {
    let layout = Layout::Wide;
    let (label_w, bar_w, note_w) = (230.0, 520.0, 150.0);
    let row_h = 24.0;
    let top = 34.0;
    let width = (label_w + bar_w + note_w) as u32;
    let height = (top + row_h * bars.len() as f64 + 8.0).ceil() as u32;
    let mut out = String::with_capacity(600 + bars.len() * 700);
    open(&mut out, id, width, height, texts, layout);
    legend(&mut out, id, texts, label_w, 18.0);
    for (i, bar) in bars.iter().enumerate() {
        let y = top + row_h * i as f64;
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"{INK}\">{}</text>",
            label_w - 8.0,
            y + 15.0,
            esc(&clip(&bar.label, 34))
        );
        stacked_bar(
            &mut out,
            id,
            bar,
            texts,
            (label_w, y + 2.0, bar_w, 18.0),
            bar.counts.total,
            layout,
        );
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"{INK}\">{}</text>",
            label_w + bar_w + 8.0,
            y + 15.0,
            esc(&bar.note)
        );
    }
    out.push_str("</svg>");
    out
}

/// A horizontal bar of `bar`'s counts by status in the box `(x, y, w, h)`,
/// where `full` is the count that takes the whole width; an empty bar is
/// drawn as a dashed outline.
fn stacked_bar(
    out: &mut String,
    id: &str,
    bar: &Bar,
    texts: &Texts,
    (x0, y, w, h): (f64, f64, f64, f64),
    full: u64,
    layout: Layout,
) {
    if bar.counts.total == 0 || full == 0 {
        let _ = write!(
            out,
            "<rect x=\"{x0:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"none\" stroke=\"{INK}\" stroke-width=\"0.5\" stroke-dasharray=\"3 3\"/>"
        );
        return;
    }
    let mut x = x0;
    for (status, label) in Status::ALL.iter().zip(&texts.statuses) {
        let value = bar.counts.count_of(*status);
        let sw = w * value as f64 / full as f64;
        segment(out, id, *status, label, value, (x, y, sw, h), true, layout);
        x += sw;
    }
}

/// How the bars of a phone chart are measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Each bar is 100 % (shares of its own total).
    Share,
    /// Bars are as long as their totals, the largest one the full width.
    Largest,
}

/// The phone layout of a chart of bars: the legend one status a line (when
/// `legend`), then for each bar its label and `note` on a line of their own
/// and the bar below them, across the whole width.
fn rows_chart(id: &str, bars: &[Bar], texts: &Texts, scale: Scale, legend: bool) -> String {
    let layout = Layout::Narrow;
    let id = &layout.id(id);
    let width = NARROW_WIDTH;
    let line_h = 20.0;
    let legend_h = if legend { 4.0 * line_h + 8.0 } else { 0.0 };
    let row_h = 50.0;
    let height = (legend_h + row_h * bars.len() as f64 + 4.0).ceil() as u32;
    let largest = bars.iter().map(|b| b.counts.total).max().unwrap_or(0);
    let mut out = String::with_capacity(600 + bars.len() * 700);
    open(&mut out, id, width as u32, height, texts, layout);
    if legend {
        for (i, (status, label)) in Status::ALL.iter().zip(&texts.statuses).enumerate() {
            let y = line_h * i as f64;
            let _ = write!(
                out,
                "<rect x=\"0.5\" y=\"{:.1}\" width=\"14\" height=\"14\" fill=\"{}\" stroke=\"{INK}\" stroke-width=\"0.6\"/>\
                 <text x=\"20\" y=\"{:.1}\" fill=\"{INK}\">{}</text>",
                y + 3.0,
                fill(id, *status),
                y + 15.0,
                esc(label)
            );
        }
    }
    let chars = |w: f64| (w / layout.char_width()).floor() as usize;
    for (i, bar) in bars.iter().enumerate() {
        let y = legend_h + row_h * i as f64;
        let note_w = bar.note.chars().count() as f64 * layout.char_width();
        let _ = write!(
            out,
            "<text x=\"0\" y=\"{:.1}\" fill=\"{INK}\">{}</text>\
             <text x=\"{width:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"{INK}\" font-weight=\"bold\">{}</text>",
            y + 15.0,
            esc(&clip(&bar.label, chars(width - note_w - 10.0).max(4))),
            y + 15.0,
            esc(&bar.note)
        );
        let full = match scale {
            Scale::Share => bar.counts.total,
            Scale::Largest => largest,
        };
        stacked_bar(
            &mut out,
            id,
            bar,
            texts,
            (0.5, y + 21.0, width - 1.0, 22.0),
            full,
            layout,
        );
    }
    out.push_str("</svg>");
    out
}

/// [`units_chart`] for a phone.
pub fn units_chart_narrow(id: &str, bars: &[Bar], texts: &Texts) -> String {
    rows_chart(id, bars, texts, Scale::Share, true)
}

/// [`progress_chart`] for a phone: one row per point in time, bars as long as
/// their totals.
pub fn progress_chart_narrow(id: &str, bars: &[Bar], texts: &Texts) -> String {
    rows_chart(id, bars, texts, Scale::Largest, true)
}

/// [`ages_chart`] for a phone.
pub fn ages_chart_narrow(id: &str, buckets: &[(String, u64)], texts: &Texts) -> String {
    let bars: Vec<Bar> = buckets
        .iter()
        .map(|(label, value)| Bar {
            label: label.clone(),
            note: value.to_string(),
            counts: Counts {
                total: *value,
                overdue: *value,
                ..Counts::default()
            },
        })
        .collect();
    rows_chart(id, &bars, texts, Scale::Largest, false)
}

/// A round step for the value axis: 1, 2 or 5 times a power of ten.
fn nice_step(max: u64, ticks: u64) -> u64 {
    let raw = (max.max(1) as f64 / ticks as f64).max(1.0);
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(raw);
    step.round().max(1.0) as u64
}

/// More columns than this and the progress chart narrows them and writes
/// their labels and notes aslant, at the same size.
const DENSE: usize = 12;

/// Columns stacked by status, one per point in time, with the count of each
/// status on its segment and `note` (e.g. the completion rate) above each column.
pub fn progress_chart(id: &str, bars: &[Bar], texts: &Texts) -> String {
    let layout = Layout::Wide;
    let dense = bars.len() > DENSE;
    // Dense columns write their notes upright above them: room for "100,0%".
    let (left, right, top, bottom) = (
        56.0,
        16.0,
        if dense { 84.0 } else { 44.0 },
        if dense { 70.0 } else { 40.0 },
    );
    let plot_h = 240.0;
    let (col_w, gap) = if dense { (26.0, 10.0) } else { (48.0, 24.0) };
    let plot_w = (bars.len().max(1) as f64) * (col_w + gap);
    let width = (left + plot_w + right).max(620.0) as u32;
    let height = (top + plot_h + bottom) as u32;
    let max = bars.iter().map(|b| b.counts.total).max().unwrap_or(0);
    let step = nice_step(max, 5);
    let axis_max = (max.div_ceil(step).max(1) * step) as f64;
    let mut out = String::with_capacity(2000 + bars.len() * 900);
    open(&mut out, id, width, height, texts, layout);
    legend(&mut out, id, texts, left, 16.0);
    let y_of = |v: f64| top + plot_h - plot_h * v / axis_max;
    let mut tick = 0u64;
    while tick as f64 <= axis_max {
        let y = y_of(tick as f64);
        let _ = write!(
            out,
            "<line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#c9d0d8\" stroke-width=\"0.8\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"{INK}\">{tick}</text>",
            left + plot_w,
            left - 6.0,
            y + 4.0
        );
        tick += step;
    }
    for (i, bar) in bars.iter().enumerate() {
        let x = left + gap / 2.0 + i as f64 * (col_w + gap);
        let mut base = 0u64;
        for (status, label) in Status::ALL.iter().zip(&texts.statuses) {
            let value = bar.counts.count_of(*status);
            let (y1, y0) = (y_of((base + value) as f64), y_of(base as f64));
            segment(
                &mut out,
                id,
                *status,
                label,
                value,
                (x, y1, col_w, y0 - y1),
                false,
                layout,
            );
            base += value;
        }
        let (cx, note_y, label_y) = (
            x + col_w / 2.0,
            y_of(base as f64) - 6.0,
            top + plot_h + 18.0,
        );
        if dense {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{note_y:.1}\" fill=\"{INK}\" font-weight=\"bold\" transform=\"rotate(-90 {:.1} {note_y:.1})\">{}</text>\
                 <text x=\"{cx:.1}\" y=\"{label_y:.1}\" text-anchor=\"end\" fill=\"{INK}\" transform=\"rotate(-45 {cx:.1} {label_y:.1})\">{}</text>",
                cx + 4.0,
                cx + 4.0,
                esc(&bar.note),
                esc(&bar.label)
            );
        } else {
            let _ = write!(
                out,
                "<text x=\"{cx:.1}\" y=\"{note_y:.1}\" text-anchor=\"middle\" fill=\"{INK}\" font-weight=\"bold\">{}</text>\
                 <text x=\"{cx:.1}\" y=\"{label_y:.1}\" text-anchor=\"middle\" fill=\"{INK}\">{}</text>",
                esc(&bar.note),
                esc(&bar.label)
            );
        }
    }
    let _ = write!(
        out,
        "<line x1=\"{left}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{INK}\" stroke-width=\"1\"/></svg>",
        top + plot_h,
        left + plot_w,
        top + plot_h
    );
    out
}

/// Overdue tasks by age: one horizontal bar per age bucket, its count written after it.
pub fn ages_chart(id: &str, buckets: &[(String, u64)], texts: &Texts) -> String {
    let (label_w, bar_w, note_w) = (150.0, 560.0, 80.0);
    let row_h = 30.0;
    let top = 10.0;
    let width = (label_w + bar_w + note_w) as u32;
    let height = (top + row_h * buckets.len() as f64 + 6.0) as u32;
    let max = buckets.iter().map(|b| b.1).max().unwrap_or(0).max(1) as f64;
    let mut out = String::with_capacity(1500);
    open(&mut out, id, width, height, texts, Layout::Wide);
    let overdue = &texts.statuses[3];
    for (i, (label, value)) in buckets.iter().enumerate() {
        let y = top + row_h * i as f64;
        let w = bar_w * *value as f64 / max;
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"{INK}\">{}</text>",
            label_w - 8.0,
            y + 17.0,
            esc(label)
        );
        if *value > 0 {
            let _ = write!(
                out,
                "<rect x=\"{label_w}\" y=\"{:.1}\" width=\"{w:.2}\" height=\"20\" fill=\"{}\" stroke=\"{INK}\" stroke-width=\"0.5\">\
                 <title>{}, {}: {value}</title></rect>",
                y + 2.0,
                fill(id, Status::Overdue),
                esc(overdue),
                esc(label)
            );
        }
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"{INK}\" font-weight=\"bold\">{value}</text>",
            label_w + w + 6.0,
            y + 17.0
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts() -> Texts {
        Texts {
            title: "Tiêu đề <b>".into(),
            desc: "Mô tả & \"chú thích\"".into(),
            statuses: [
                "Đúng hạn".into(),
                "Quá hạn (đã xong)".into(),
                "Đang làm".into(),
                "Quá hạn".into(),
            ],
        }
    }

    fn counts(on_time: u64, late: u64, progress: u64, overdue: u64) -> Counts {
        Counts {
            total: on_time + late + progress + overdue,
            done_on_time: on_time,
            done_late: late,
            in_progress: progress,
            overdue,
            ..Counts::default()
        }
    }

    /// A rough well-formedness check: every opened element is closed in order.
    fn balanced(svg: &str) -> bool {
        let mut stack: Vec<String> = Vec::new();
        let mut rest = svg;
        while let Some(start) = rest.find('<') {
            let Some(end) = rest[start..].find('>') else {
                return false;
            };
            let tag = &rest[start + 1..start + end];
            rest = &rest[start + end + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                if stack.pop().as_deref() != Some(name) {
                    return false;
                }
            } else if !tag.ends_with('/') {
                stack.push(tag.split_whitespace().next().unwrap_or("").to_string());
            }
        }
        stack.is_empty()
    }

    #[test]
    fn texts_are_escaped() {
        let bars = vec![Bar {
            label: "<script>alert(1)</script>".into(),
            note: "a & b".into(),
            counts: counts(1, 2, 3, 4),
        }];
        let svg = units_chart("c1", &bars, &texts());
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains("Tiêu đề &lt;b&gt;"));
        assert!(svg.contains("Mô tả &amp; &quot;chú thích&quot;"));
        assert!(balanced(&svg), "{svg}");
    }

    #[test]
    fn no_inline_styles() {
        let bars = vec![Bar {
            label: "A".into(),
            note: "4".into(),
            counts: counts(1, 1, 1, 1),
        }];
        for svg in [
            units_chart("a", &bars, &texts()),
            progress_chart("b", &bars, &texts()),
            ages_chart("c", &[("≤ 30".into(), 3)], &texts()),
        ] {
            assert!(!svg.contains("style="), "{svg}");
            assert!(!svg.contains("<style"), "{svg}");
            assert!(balanced(&svg), "{svg}");
        }
    }

    #[test]
    fn segments_carry_their_numbers_and_patterns() {
        let bars = vec![Bar {
            label: "Ban Tuyên giáo".into(),
            note: "n = 40".into(),
            counts: counts(10, 10, 10, 10),
        }];
        let svg = units_chart("u", &bars, &texts());
        // Four segments of a quarter of the width each, each with its number.
        assert_eq!(
            svg.matches("<rect x=").count(),
            4 + 4,
            "legend swatches and segments"
        );
        assert_eq!(svg.matches(">10</text>").count(), 4);
        for code in ["done_late", "in_progress", "overdue"] {
            assert!(svg.contains(&format!("fill=\"url(#u-{code})\"")));
            assert!(svg.contains(&format!("<pattern id=\"u-{code}\"")));
        }
        assert!(svg.contains("aria-labelledby=\"u-t u-d\""));
    }

    #[test]
    fn empty_units_get_an_outline_and_no_segments() {
        let bars = vec![Bar {
            label: "Trống".into(),
            note: "0".into(),
            counts: Counts::default(),
        }];
        let svg = units_chart("e", &bars, &texts());
        assert!(svg.contains("stroke-dasharray"));
        assert!(balanced(&svg));
    }

    #[test]
    fn progress_columns_scale_to_the_largest() {
        let bars: Vec<Bar> = (1..=6)
            .map(|m| Bar {
                label: format!("{m:02}/2022"),
                note: format!("{}%", m * 10),
                counts: counts(m, 0, 10 - m, 0),
            })
            .collect();
        let svg = progress_chart("p", &bars, &texts());
        assert!(svg.contains(">06/2022</text>"));
        assert!(svg.contains(">60%</text>"));
        assert!(balanced(&svg));
        assert_eq!(nice_step(10, 5), 2);
        assert_eq!(nice_step(0, 5), 1);
        assert_eq!(nice_step(1234, 5), 500);
    }

    #[test]
    fn age_bars_write_their_counts() {
        let svg = ages_chart(
            "g",
            &[
                ("≤ 30 ngày".into(), 5),
                ("31–60".into(), 0),
                ("61–120".into(), 2),
                ("> 120".into(), 1),
            ],
            &texts(),
        );
        assert!(
            svg.contains(">5</text>") && svg.contains(">0</text>") && svg.contains(">2</text>")
        );
        assert!(svg.contains("&gt; 120"));
        assert_eq!(svg.matches("fill=\"url(#g-overdue)\"").count(), 3);
        assert!(balanced(&svg));
    }

    /// Every `font-size` the SVG sets, as numbers.
    fn font_sizes(svg: &str) -> Vec<f64> {
        svg.split("font-size=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next()?.parse().ok())
            .collect()
    }

    /// The value of an attribute of the root `<svg>`.
    fn root_attr(svg: &str, name: &str) -> String {
        let root = &svg[..svg.find('>').unwrap_or(svg.len())];
        let at = root
            .find(&format!(" {name}=\""))
            .unwrap_or_else(|| panic!("{name} in {root}"))
            + name.len()
            + 3;
        root[at..].split('"').next().unwrap_or("").to_string()
    }

    fn months(n: u64) -> Vec<Bar> {
        (1..=n)
            .map(|m| Bar {
                label: format!("{:02}/2022", (m - 1) % 12 + 1),
                note: "100,0%".into(),
                counts: counts(m, 1, 2, 3),
            })
            .collect()
    }

    #[test]
    fn wide_charts_are_drawn_at_their_own_size_with_12_unit_text() {
        let bars = months(6);
        for (svg, dense) in [
            (units_chart("u", &bars, &texts()), false),
            (progress_chart("p", &bars, &texts()), false),
            (progress_chart("p", &months(25), &texts()), true),
            (ages_chart("a", &[("≤ 30".into(), 3)], &texts()), false),
        ] {
            let (w, h) = (root_attr(&svg, "width"), root_attr(&svg, "height"));
            assert_eq!(root_attr(&svg, "viewBox"), format!("0 0 {w} {h}"));
            assert_eq!(root_attr(&svg, "class"), "chart chart-wide");
            let width: f64 = w.parse().expect("width");
            assert!(width <= 1000.0, "{width}: a desktop has room for it at 1:1");
            assert!(
                font_sizes(&svg).iter().all(|s| *s == 12.0),
                "{:?}",
                font_sizes(&svg)
            );
            assert_eq!(
                svg.contains(" transform=\"rotate("),
                dense,
                "only dense columns write aslant"
            );
            assert!(balanced(&svg), "{svg}");
        }
    }

    #[test]
    fn narrow_charts_fit_a_phone_at_13_units() {
        let bars = months(6);
        for svg in [
            units_chart_narrow("u", &bars, &texts()),
            progress_chart_narrow("p", &months(25), &texts()),
            ages_chart_narrow("a", &[("≤ 30".into(), 3), ("> 120".into(), 0)], &texts()),
        ] {
            assert_eq!(root_attr(&svg, "width"), "340");
            assert_eq!(root_attr(&svg, "class"), "chart chart-narrow");
            assert!(
                font_sizes(&svg).iter().all(|s| *s == 13.0),
                "{:?}",
                font_sizes(&svg)
            );
            assert!(!svg.contains(" transform=\"rotate("));
            assert!(balanced(&svg), "{svg}");
        }
    }

    #[test]
    fn both_drawings_of_a_chart_can_share_a_page() {
        let bars = months(3);
        let wide = units_chart("c", &bars, &texts());
        let narrow = units_chart_narrow("c", &bars, &texts());
        assert!(
            wide.contains("aria-labelledby=\"c-t c-d\"")
                && wide.contains("<pattern id=\"c-overdue\"")
        );
        assert!(
            narrow.contains("aria-labelledby=\"c-n-t c-n-d\"")
                && narrow.contains("<pattern id=\"c-n-overdue\"")
        );
        assert!(
            narrow.contains("fill=\"url(#c-n-overdue)\"") && !narrow.contains("url(#c-overdue)")
        );
    }

    /// The widths of the segments drawn for a status, in order.
    fn segment_widths(svg: &str, id: &str, code: &str) -> Vec<f64> {
        let fill = format!("fill=\"url(#{id}-{code})\"");
        svg.split("<rect ")
            .filter(|r| r.contains(&fill) && r.contains("<title>"))
            .filter_map(|r| r.split("width=\"").nth(1)?.split('"').next()?.parse().ok())
            .collect()
    }

    #[test]
    fn phone_bars_are_shares_for_units_and_lengths_for_months() {
        let bars = vec![
            Bar {
                label: "A".into(),
                note: "4".into(),
                counts: counts(0, 0, 0, 4),
            },
            Bar {
                label: "B".into(),
                note: "2".into(),
                counts: counts(0, 0, 0, 2),
            },
        ];
        let share = segment_widths(&units_chart_narrow("u", &bars, &texts()), "u-n", "overdue");
        assert_eq!(share.len(), 2);
        assert!(
            (share[0] - share[1]).abs() < 0.01,
            "{share:?}: each unit is 100 %"
        );
        let length = segment_widths(
            &progress_chart_narrow("p", &bars, &texts()),
            "p-n",
            "overdue",
        );
        assert!(
            (length[0] - 2.0 * length[1]).abs() < 0.01,
            "{length:?}: half the tasks, half the bar"
        );
    }

    #[test]
    fn phone_labels_are_clipped_to_leave_room_for_the_figure() {
        let long =
            "Ban Chỉ đạo thực hiện Quy chế dân chủ ở cơ sở và các tổ chức chính trị - xã hội tỉnh";
        let svg = units_chart_narrow(
            "u",
            &[Bar {
                label: long.into(),
                note: "120 · 100,0%".into(),
                counts: counts(120, 0, 0, 0),
            }],
            &texts(),
        );
        let shown = svg
            .split("<text x=\"0\"")
            .nth(1)
            .and_then(|t| t.split('>').nth(1))
            .and_then(|t| t.split('<').next())
            .expect("label");
        assert!(shown.ends_with('…'), "{shown}");
        let room = NARROW_WIDTH - "120 · 100,0%".chars().count() as f64 * 8.2;
        assert!(shown.chars().count() as f64 * 8.2 <= room, "{shown}");
        assert!(svg.contains(">120 · 100,0%</text>"));
    }

    #[test]
    fn phone_ages_write_each_count_and_outline_the_empty_ones() {
        let svg = ages_chart_narrow(
            "g",
            &[("≤ 30 ngày".into(), 5), ("31–60".into(), 0)],
            &texts(),
        );
        assert!(svg.contains(">5</text>") && svg.contains(">0</text>"));
        assert_eq!(segment_widths(&svg, "g-n", "overdue").len(), 1);
        assert!(
            svg.contains("stroke-dasharray"),
            "the empty bucket is an outline"
        );
        assert!(
            !svg.contains("<rect x=\"0.5\" y=\"3.0\""),
            "no legend: one status only"
        );
    }
}
