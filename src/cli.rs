//! The `dondoc` command line.

use clap::{Parser, Subcommand};
use std::io::{IsTerminal, Read};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::config::Config;
use crate::domain::Role;
use crate::i18n::{self, Lang};
use crate::import::{self, ImportError};
use crate::storage::{self, Db, StorageError};
use crate::web;

#[derive(Debug, Parser)]
#[command(
    name = "dondoc",
    version,
    about = "Meeting conclusions tracked as tasks until they are done"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply migrations, then serve the web UI and the API (the default).
    Serve,
    /// Apply migrations and exit.
    Migrate,
    /// Load the reference meeting of 07/07/2022 with its units, tasks and demo users.
    Demo,
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage units.
    #[command(subcommand)]
    Unit(UnitCommand),
    /// Manage tasks.
    #[command(subcommand)]
    Task(TaskCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Stored files (attachments, conclusion documents).
    #[command(subcommand)]
    Files(FilesCommand),
    /// Write a consistent copy of the database while the app runs (SQLite: a
    /// database file; PostgreSQL: a pg_dump archive for pg_restore).
    Backup {
        /// The file to write; it must not exist yet.
        #[arg(long)]
        to: PathBuf,
    },
    /// Queue the reminders due on a date and deliver the outbox.
    Remind {
        /// The date (YYYY-MM-DD or dd/mm/yyyy); today in DONDOC_TZ by default.
        #[arg(long)]
        at: Option<String>,
        /// Print who would get what; write and send nothing.
        #[arg(long)]
        dry_run: bool,
        /// Try every pending mail now, ignoring back-off (after a mail server outage).
        #[arg(long)]
        flush: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, official, unit or leader.
        #[arg(long)]
        role: Role,
        /// The unit's code (required for the role `unit`).
        #[arg(long)]
        unit: Option<String>,
        /// Read the password from standard input (first line).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Limit the reports a user reads (dashboard, exports, API) to a unit and
    /// the units under it; without --unit, the whole tree again.
    Scope {
        #[arg(long)]
        email: String,
        /// The code of the unit at the top of the user's scope.
        #[arg(long)]
        unit: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum UnitCommand {
    /// Add or update units from a CSV file: code,name,parent,email,aliases[,head_email].
    Import { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum TaskCommand {
    /// Add or update tasks from a CSV file:
    /// ref,content,lead_unit,coordinators,assigned_on,deadline,original_deadline,completed_on,cancelled_on.
    Import { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum FilesCommand {
    /// Move the attachments and conclusion documents kept in DONDOC_FILES_DIR into
    /// the database (each file removed once its row points at the copy).
    Migrate,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Print a new API token for a user, alone on the last line.
    Create {
        #[arg(long)]
        email: String,
    },
}

/// A failure of a command, printed as one or more lines to stderr.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error("{0}")]
    Message(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// The language of messages on the terminal: English when LANG says so.
fn terminal_lang() -> Lang {
    std::env::var("LANG")
        .ok()
        .filter(|l| l.starts_with("en"))
        .map(|_| Lang::En)
        .unwrap_or(Lang::Vi)
}

fn storage_message(e: &StorageError) -> String {
    match e {
        StorageError::Invalid(i) => i18n::invalid(terminal_lang(), i),
        StorageError::Conflict { field, key } => i18n::invalid(
            terminal_lang(),
            &crate::domain::Invalid::new(field.clone(), key),
        ),
        other => other.to_string(),
    }
}

pub fn run() -> ExitCode {
    crate::storage::init_tls();
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("dondoc: {e}");
            return ExitCode::from(2);
        }
    };
    init_tracing(config.log_json);
    let db = match Db::connect(&config.database_url).and_then(|db| db.migrate().map(|_| db)) {
        Ok(db) => db,
        Err(e) => {
            eprintln!("dondoc: DATABASE_URL: {e}");
            return ExitCode::from(2);
        }
    };
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config, db),
        Command::Migrate => {
            println!("migrations applied ({})", config.database_url.redacted());
            Ok(())
        }
        Command::Demo => demo(&db),
        Command::User(UserCommand::Add {
            email,
            name,
            role,
            unit,
            password_stdin,
        }) => user_add(&db, email, name, role, unit, password_stdin),
        Command::User(UserCommand::Scope { email, unit }) => {
            user_scope(&db, &email, unit.as_deref())
        }
        Command::Unit(UnitCommand::Import { file }) => unit_import(&db, &file),
        Command::Task(TaskCommand::Import { file }) => task_import(&db, &file, &config),
        Command::Token(TokenCommand::Create { email }) => token_create(&db, &email),
        Command::Remind { at, dry_run, flush } => remind(&config, &db, at, dry_run, flush),
        Command::Backup { to } => backup(&config, &db, &to),
        Command::Files(FilesCommand::Migrate) => files_migrate(&config, &db),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Message(m)) => {
            eprintln!("{m}");
            ExitCode::FAILURE
        }
        Err(CliError::Storage(e)) => {
            eprintln!("dondoc: {}", storage_message(&e));
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second subscriber (tests start several apps in one process) is refused: ignored.
    let _ = if json {
        // One JSON object a line; a request's lines carry its span's request id.
        builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init()
    } else {
        builder.try_init()
    };
}

/// Builds the application state: the secret key (from the environment, or
/// generated once and kept in the database) and the templates.
pub fn app_state(config: Config, db: Db) -> Result<web::AppState, String> {
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    let secret_key = match &config.secret_key {
        Some(key) => key.clone(),
        None => storage::settings::get_or_insert(
            &mut conn,
            "secret_key",
            &crate::auth::random_secret(64),
        )
        .map_err(|e| e.to_string())?,
    };
    drop(conn);
    let templates = web::pages::templates().map_err(|e| format!("templates: {e}"))?;
    Ok(web::AppState {
        db,
        exports: web::stream::ExportSlots::new(config.max_exports),
        config,
        templates,
        secret_key,
    })
}

fn serve(config: Config, db: Db) -> Result<(), CliError> {
    let bind = config.bind;
    let base_url = config.base_url.clone();
    let state = app_state(config, db).map_err(CliError::Message)?;
    let listener = TcpListener::bind(bind).map_err(|e| {
        CliError::Message(format!("dondoc: DONDOC_BIND: cannot listen on {bind}: {e}"))
    })?;
    // The address really bound (port 0 in DONDOC_BIND picks a free one).
    let bound = listener.local_addr().unwrap_or(bind);
    tracing::info!("dondoc serving on http://{bound} (public address {base_url})");
    let reminders = reminder_worker(&state)?;
    let served = actix_web::rt::System::new().block_on(async move {
        let server = web::start(state, listener)?;
        server.await
    });
    // Stops the reminder thread after its round in progress.
    drop(reminders);
    served.map_err(|e| CliError::Message(format!("dondoc: server stopped: {e}")))
}

/// The reminder round of `serve`, every `DONDOC_REMINDER_INTERVAL` (none when 0).
fn reminder_worker(state: &web::AppState) -> Result<Option<crate::mail::worker::Worker>, CliError> {
    let interval = state.config.reminder_interval;
    if interval.is_zero() {
        return Ok(None);
    }
    let mailer = crate::mail::Mailer::new(&state.config, state.secret_key.clone())
        .map_err(|e| CliError::Message(format!("dondoc: {e}")))?;
    tracing::info!(
        "reminders every {}s, mail to {}",
        interval.as_secs(),
        mailer.transport.describe()
    );
    crate::mail::worker::Worker::spawn(std::sync::Arc::new(mailer), state.db.clone(), interval)
        .map(Some)
        .map_err(|e| CliError::Message(format!("dondoc: cannot start the reminder thread: {e}")))
}

fn remind(
    config: &Config,
    db: &Db,
    at: Option<String>,
    dry_run: bool,
    flush: bool,
) -> Result<(), CliError> {
    let secret = crate::mail::secret_key(config, db)?;
    let mailer = crate::mail::Mailer::new(config, secret)
        .map_err(|e| CliError::Message(format!("dondoc: {e}")))?;
    let at = at
        .map(|raw| {
            crate::domain::dates::parse_date(&raw)
                .map_err(|e| CliError::Message(format!("dondoc: --at: {e}")))
        })
        .transpose()?;
    let on = at.unwrap_or_else(|| mailer.today());
    let failed = |e: crate::mail::MailError| match e {
        crate::mail::MailError::Storage(e) => CliError::Storage(e),
        other => CliError::Message(format!("dondoc: {other}")),
    };
    if dry_run {
        let plan = mailer.preview(db, on).map_err(failed)?;
        print!("{}", describe_plan(&plan));
        return Ok(());
    }
    // A given date runs that day only; the daily run also catches up missed days.
    let (queued, delivered) = match at {
        Some(on) => mailer.remind(db, on, flush),
        None => mailer.remind_today(db, flush),
    }
    .map_err(failed)?;
    for u in &queued.unreachable {
        eprintln!(
            "dondoc: no email for {} ({:?}) of task {}",
            u.who, u.audience, u.task_reference
        );
    }
    let mut conn = db.conn()?;
    let counts = storage::outbox::counts(&mut conn)?;
    println!(
        "{on}: {} open tasks, {} reminders recorded, {} mails queued ({} with a weekly digest)",
        queued.tasks_seen, queued.reminders, queued.mails, queued.digests
    );
    println!(
        "delivered to {}: {} sent, {} to retry, {} dead; outbox: {} pending, {} sending, {} sent, {} dead",
        mailer.transport.describe(),
        delivered.sent,
        delivered.retrying,
        delivered.dead,
        counts.pending,
        counts.sending,
        counts.sent,
        counts.dead
    );
    let (held, until) = storage::outbox::held(&mut conn)?;
    if held > 0 {
        let until = until.map_or_else(String::new, |u| {
            u.and_utc()
                .with_timezone(&mailer.tz)
                .format(" until %d/%m/%Y %H:%M:%S")
                .to_string()
        });
        println!("{held} mails are held by another sender{until}; they go out then if it does not send them");
    }
    match delivered.unreachable {
        Some(why) => Err(CliError::Message(format!(
            "dondoc: the mail server cannot be reached ({why}); {} mails wait in the outbox: run `dondoc remind --flush` once it is back",
            counts.pending + counts.sending
        ))),
        None => Ok(()),
    }
}

fn files_migrate(config: &Config, db: &Db) -> Result<(), CliError> {
    let mut conn = db.conn()?;
    let moved = storage::files::migrate_folder(&mut conn, &config.files())?;
    println!(
        "{moved} files moved from {} into the database",
        config.files_dir.display()
    );
    Ok(())
}

fn backup(config: &Config, db: &Db, to: &Path) -> Result<(), CliError> {
    let mut conn = db.conn()?;
    storage::backup::backup_to(&mut conn, &config.database_url, to)?;
    println!("backup written to {}", to.display());
    Ok(())
}

fn demo(db: &Db) -> Result<(), CliError> {
    let mut conn = db.conn()?;
    let summary = crate::demo::load(&mut conn)?;
    if summary.created {
        println!(
            "Đã nạp cuộc họp mẫu #{} với {} nhiệm vụ.",
            summary.meeting_id, summary.task_count
        );
    } else {
        println!(
            "Cuộc họp mẫu #{} đã có ({} nhiệm vụ); không thay đổi gì.",
            summary.meeting_id, summary.task_count
        );
    }
    println!("Tài khoản dùng thử (email / mật khẩu / vai trò):");
    for u in &crate::demo::USERS {
        println!("  {} / {} / {}", u.email, u.password, u.role);
    }
    Ok(())
}

fn user_add(
    db: &Db,
    email: String,
    name: String,
    role: Role,
    unit: Option<String>,
    password_stdin: bool,
) -> Result<(), CliError> {
    let password = if password_stdin {
        let mut input = String::new();
        std::io::stdin().read_to_string(&mut input).map_err(|e| {
            CliError::Message(format!(
                "dondoc: cannot read the password from standard input: {e}"
            ))
        })?;
        input.lines().next().unwrap_or("").to_string()
    } else {
        return Err(CliError::Message(
            "dondoc: --password-stdin: give the password on standard input (e.g. echo \"$PASSWORD\" | dondoc user add … --password-stdin)".into(),
        ));
    };
    crate::auth::check_password_strength("password", &password).map_err(|e| {
        CliError::Message(format!("dondoc: {}", i18n::invalid(terminal_lang(), &e)))
    })?;
    let mut conn = db.conn()?;
    let id = storage::users::create(
        &mut conn,
        &storage::users::NewUser {
            email: email.clone(),
            name,
            role,
            unit_code: unit,
            password_hash: crate::auth::hash_password(&password),
        },
    )?;
    println!(
        "user #{id} {} ({role}) added",
        storage::users::normalize_email(&email)
    );
    Ok(())
}

fn user_scope(db: &Db, email: &str, unit: Option<&str>) -> Result<(), CliError> {
    let mut conn = db.conn()?;
    match storage::users::set_user_scope(&mut conn, email, unit, None) {
        Ok(()) => {}
        Err(StorageError::NotFound) => {
            return Err(CliError::Message(format!(
                "dondoc: no user with the email {email}"
            )));
        }
        Err(e) => return Err(e.into()),
    }
    match unit {
        Some(code) => println!("{email}: reports of {code} and the units under it"),
        None => println!("{email}: reports of every unit"),
    }
    Ok(())
}

fn token_create(db: &Db, email: &str) -> Result<(), CliError> {
    let mut conn = db.conn()?;
    let account = storage::users::by_email(&mut conn, email).map_err(|e| match e {
        StorageError::NotFound => {
            CliError::Message(format!("dondoc: --email: no user with the email {email}"))
        }
        other => other.into(),
    })?;
    let token = storage::users::create_token(&mut conn, account.user.id, "cli")?;
    println!("API token for {} (shown once):", account.user.email);
    println!("{token}");
    Ok(())
}

fn open(file: &Path) -> Result<std::fs::File, CliError> {
    std::fs::File::open(file)
        .map_err(|e| CliError::Message(format!("dondoc: {}: {e}", file.display())))
}

fn import_failure(file: &Path, e: ImportError) -> CliError {
    let lang = terminal_lang();
    let head = format!("dondoc: {}: nothing was imported", file.display());
    let body = match e {
        ImportError::Rows(rows) => rows
            .iter()
            .flat_map(|r| {
                r.errors
                    .iter()
                    .map(move |e| format!("  line {}: {}", r.line, i18n::invalid(lang, e)))
            })
            .collect::<Vec<_>>()
            .join("\n"),
        ImportError::Storage(e) => format!("  {}", storage_message(&e)),
        other => format!("  {other}"),
    };
    CliError::Message(format!("{head}\n{body}"))
}

fn unit_import(db: &Db, file: &Path) -> Result<(), CliError> {
    let mut conn = db.conn()?;
    let counts =
        import::import_units(&mut conn, open(file)?, None).map_err(|e| import_failure(file, e))?;
    println!(
        "{} units read, {} added or changed",
        counts.rows, counts.changed
    );
    Ok(())
}

fn task_import(db: &Db, file: &Path, config: &Config) -> Result<(), CliError> {
    let mut conn = db.conn()?;
    let bar = if std::io::stderr().is_terminal() {
        indicatif::ProgressBar::new(0)
    } else {
        indicatif::ProgressBar::hidden()
    };
    let started = std::time::Instant::now();
    let counts = import::import_tasks(
        &mut conn,
        open(file)?,
        None,
        config.today(),
        &|done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        },
    )
    .map_err(|e| import_failure(file, e))?;
    bar.finish_and_clear();
    let rows = counts.added + counts.updated + counts.unchanged;
    println!(
        "{rows} tasks read in {:.1}s: {} added, {} updated, {} unchanged",
        started.elapsed().as_secs_f64(),
        counts.added,
        counts.updated,
        counts.unchanged
    );
    Ok(())
}

/// Who would get what, for `remind --dry-run`.
fn describe_plan(plan: &crate::mail::Plan) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let date = plan.date.map(|d| d.to_string()).unwrap_or_default();
    let _ = writeln!(
        out,
        "{date}: {} open tasks; would queue {} mails with {} reminders (dry run: nothing written, nothing sent)",
        plan.tasks_seen,
        plan.mails.len(),
        plan.reminder_count()
    );
    for mail in plan.mails.values() {
        let _ = writeln!(
            out,
            "{} ({}): {} reminders",
            mail.recipient,
            mail.lang.code(),
            mail.items.len()
        );
        for i in &mail.items {
            let when = match i.due {
                crate::domain::reminder::Due::Before { days } => format!("in {days} days"),
                crate::domain::reminder::Due::Today => "due today".to_string(),
                crate::domain::reminder::Due::Overdue { days, .. } => format!("{days} days late"),
            };
            let content: String = i.content.chars().take(60).collect();
            let _ = writeln!(
                out,
                "  {:<10} {:<13} {:<10} deadline {}  {}",
                i.kind.code(),
                when,
                i.reference,
                i.deadline
                    .map(crate::domain::dates::format_vi)
                    .unwrap_or_default(),
                content
            );
        }
        for d in &mail.digests {
            let count = |s: crate::domain::reminder::DigestSection| {
                d.tasks.iter().filter(|t| t.section == s).count()
            };
            let _ = writeln!(
                out,
                "  + weekly digest of {}: {} overdue, {} due soon, {} open",
                d.unit_code,
                count(crate::domain::reminder::DigestSection::Overdue),
                count(crate::domain::reminder::DigestSection::DueSoon),
                count(crate::domain::reminder::DigestSection::Open)
            );
        }
    }
    for u in &plan.unreachable {
        let _ = writeln!(
            out,
            "no email: {} ({:?}) for task {}",
            u.who, u.audience, u.task_reference
        );
    }
    out
}
