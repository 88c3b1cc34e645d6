//! CSV imports of units and tasks: every row is checked before anything is
//! written; a file with a bad row writes nothing and names each bad line.

use std::collections::{HashMap, HashSet};
use std::io::Read;

use crate::domain::task::{RawTask, TaskInput};
use crate::domain::unit::{RawUnit, UnitInput};
use crate::domain::Invalid;
use crate::storage::import::ImportCounts;
use crate::storage::tasks::NewTask;
use crate::storage::{self, Conn, StorageError};

pub const UNIT_COLUMNS: [&str; 5] = ["code", "name", "parent", "email", "aliases"];
pub const UNIT_OPTIONAL_COLUMNS: [&str; 1] = ["head_email"];
pub const TASK_COLUMNS: [&str; 9] = [
    "ref",
    "content",
    "lead_unit",
    "coordinators",
    "assigned_on",
    "deadline",
    "original_deadline",
    "completed_on",
    "cancelled_on",
];
pub const TASK_OPTIONAL_COLUMNS: [&str; 1] = ["expected_output"];

/// The problems of one line of the file (line 1 is the header).
#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    pub line: u64,
    pub errors: Vec<Invalid>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read the file: {0}")]
    Read(String),
    #[error("line {line}: {message}")]
    Csv { line: u64, message: String },
    #[error("the header misses the column '{0}'")]
    MissingColumn(String),
    #[error("the header has an unknown column '{0}'")]
    UnknownColumn(String),
    #[error("{} bad rows", .0.len())]
    Rows(Vec<RowError>),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UnitImportCounts {
    pub rows: usize,
    pub changed: usize,
}

/// A CSV file read into records keyed by column name, with their line numbers.
struct Table {
    columns: HashMap<String, usize>,
    rows: Vec<(u64, csv::StringRecord)>,
}

impl Table {
    fn read(input: impl Read, required: &[&str], optional: &[&str]) -> Result<Table, ImportError> {
        let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(input);
        let headers = reader.headers().map_err(|e| csv_error(&e))?.clone();
        let mut columns = HashMap::new();
        for (i, name) in headers.iter().enumerate() {
            // Spreadsheets often save a byte-order mark before the first name.
            let name = name.trim_start_matches('\u{feff}').trim().to_lowercase();
            if !required.contains(&name.as_str()) && !optional.contains(&name.as_str()) {
                return Err(ImportError::UnknownColumn(name));
            }
            columns.insert(name, i);
        }
        if let Some(missing) = required.iter().find(|c| !columns.contains_key(**c)) {
            return Err(ImportError::MissingColumn(missing.to_string()));
        }
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| csv_error(&e))?;
            let line = record.position().map(|p| p.line()).unwrap_or(0);
            if record.iter().all(|cell| cell.trim().is_empty()) {
                continue;
            }
            rows.push((line, record));
        }
        Ok(Table { columns, rows })
    }

    fn cell<'r>(&self, record: &'r csv::StringRecord, column: &str) -> &'r str {
        self.columns
            .get(column)
            .and_then(|i| record.get(*i))
            .unwrap_or("")
    }
}

fn csv_error(e: &csv::Error) -> ImportError {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    let message = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "the file is not UTF-8 text".to_string(),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("{len} cells where the header has {expected_len}")
        }
        csv::ErrorKind::Io(io) => return ImportError::Read(io.to_string()),
        _ => e.to_string(),
    };
    ImportError::Csv { line, message }
}

pub fn import_units(
    conn: &mut Conn,
    input: impl Read,
    user_id: Option<i64>,
) -> Result<UnitImportCounts, ImportError> {
    let table = Table::read(input, &UNIT_COLUMNS, &UNIT_OPTIONAL_COLUMNS)?;
    let known: HashSet<String> = storage::units::list(conn)?
        .into_iter()
        .map(|u| u.unit.code)
        .collect();
    let in_file: HashSet<&str> = table
        .rows
        .iter()
        .map(|(_, r)| table.cell(r, "code").trim())
        .collect();
    let mut bad = Vec::new();
    let mut inputs = Vec::new();
    let mut lines_by_code: HashMap<String, u64> = HashMap::new();
    for (line, record) in &table.rows {
        let raw = RawUnit {
            code: table.cell(record, "code"),
            name: table.cell(record, "name"),
            parent: table.cell(record, "parent"),
            email: table.cell(record, "email"),
            head_email: table.cell(record, "head_email"),
            aliases: table.cell(record, "aliases"),
        };
        let parsed = UnitInput::parse(&raw);
        let mut errors = parsed.as_ref().err().cloned().unwrap_or_default();
        let parent = raw.parent.trim();
        if !parent.is_empty() && !known.contains(parent) && !in_file.contains(parent) {
            errors.push(Invalid::new("parent", "err-unknown-unit").arg("value", parent));
        }
        if let Ok(unit) = parsed {
            if let Some(first) = lines_by_code.insert(unit.code.clone(), *line) {
                errors.push(
                    Invalid::new("code", "err-duplicate-in-file")
                        .arg("value", &unit.code)
                        .arg("line", first),
                );
            }
            inputs.push(unit);
        }
        if !errors.is_empty() {
            bad.push(RowError {
                line: *line,
                errors,
            });
        }
    }
    if !bad.is_empty() {
        return Err(ImportError::Rows(bad));
    }
    let changed = storage::units::upsert_all(conn, &inputs, user_id)?;
    Ok(UnitImportCounts {
        rows: inputs.len(),
        changed,
    })
}

/// `progress(done, total)` is called as rows are written.
pub fn import_tasks(
    conn: &mut Conn,
    input: impl Read,
    user_id: Option<i64>,
    today: chrono::NaiveDate,
    progress: &dyn Fn(usize, usize),
) -> Result<ImportCounts, ImportError> {
    let table = Table::read(input, &TASK_COLUMNS, &TASK_OPTIONAL_COLUMNS)?;
    let units: HashMap<String, i64> = storage::units::list(conn)?
        .into_iter()
        .map(|u| (u.unit.code, u.unit.id))
        .collect();
    let mut bad = Vec::new();
    let mut rows = Vec::with_capacity(table.rows.len());
    let mut lines_by_ref: HashMap<String, u64> = HashMap::new();
    for (line, record) in &table.rows {
        let raw = RawTask {
            reference: table.cell(record, "ref"),
            content: table.cell(record, "content"),
            lead_unit: table.cell(record, "lead_unit"),
            coordinators: table.cell(record, "coordinators"),
            assigned_on: table.cell(record, "assigned_on"),
            deadline: table.cell(record, "deadline"),
            original_deadline: table.cell(record, "original_deadline"),
            completed_on: table.cell(record, "completed_on"),
            cancelled_on: table.cell(record, "cancelled_on"),
            expected_output: table.cell(record, "expected_output"),
        };
        let task = match TaskInput::parse(&raw, crate::domain::task::Needs::IMPORT, today) {
            Ok(t) => t,
            Err(errors) => {
                bad.push(RowError {
                    line: *line,
                    errors,
                });
                continue;
            }
        };
        let reference = task.reference.clone().unwrap_or_default();
        if let Some(first) = lines_by_ref.insert(reference.clone(), *line) {
            bad.push(RowError {
                line: *line,
                errors: vec![Invalid::new("ref", "err-duplicate-in-file")
                    .arg("value", &reference)
                    .arg("line", first)],
            });
            continue;
        }
        match NewTask::resolve(&task, reference, &units, None, user_id) {
            Ok(row) => rows.push(row),
            Err(e) => bad.push(RowError {
                line: *line,
                errors: vec![e],
            }),
        }
    }
    if !bad.is_empty() {
        return Err(ImportError::Rows(bad));
    }
    let total = rows.len();
    Ok(storage::import::upsert_tasks(
        conn,
        &rows,
        user_id,
        &|done| progress(done.min(total), total),
    )?)
}
