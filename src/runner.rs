//! Migrations against a live database: which are applied (read from the history the layout's
//! own runner keeps, so tidemark and drizzle-kit, Prisma or golang-migrate can take turns),
//! and applying the pending ones.
//!
//! | layout | history table |
//! |---|---|
//! | plain | `tidemark.history` (name, checksum, applied_at, duration_ms, tidemark_version) |
//! | drizzle | `drizzle.__drizzle_migrations` (hash, created_at = the journal's `when`) |
//! | prisma | `_prisma_migrations` (migration_name, checksum, started_at, finished_at, ...) |
//! | golang-migrate | `schema_migrations` (version, dirty) |
//!
//! `apply` holds an advisory lock for its whole run, on a session of its own that never sits in
//! a transaction, so two deployers serialize without deadlock (see [`apply_blocking`]). Each
//! migration runs on a fresh session, in a transaction together with the row that records it,
//! unless it must run outside one (`CREATE INDEX CONCURRENTLY`): then its statements run one by
//! one and the row is written after the last succeeds. Transaction control inside a
//! transactional file is refused before anything runs. A failure stops the run, names the
//! file, the statement and the position, and records nothing for that file.

use crate::migrations::{Directory, Layout, Migration};
use crate::source::introspect::{connect, error_text};
use crate::source::parse::split::Piece;
use std::time::Instant;
use tokio_postgres::Client;

/// The advisory lock key every tidemark apply takes (`'tidemark'` as bytes).
const LOCK_KEY: i64 = 0x7469_6465_6d61_726b;

#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    #[error(transparent)]
    Connect(#[from] crate::source::introspect::IntrospectError),
    #[error("{0}")]
    Database(String),
    /// A migration failed; nothing of it is recorded.
    #[error("{file}:{line}:{column}: {message}\n{statement}{note}")]
    Failed { file: String, line: usize, column: usize, message: String, statement: String, note: String },
    #[error("{0}")]
    Refused(String),
}

fn db(e: tokio_postgres::Error) -> RunnerError {
    RunnerError::Database(error_text(&e))
}

/// A migration the database records as applied.
#[derive(Clone, Debug, PartialEq)]
pub struct Applied {
    pub name: String,
    /// `sha256:<hex>` of the file as applied, when the history keeps it.
    pub checksum: Option<String>,
    pub applied_at: Option<String>,
    pub duration_ms: Option<i64>,
}

/// Where a migration stands against a database.
#[derive(Clone, Debug, PartialEq)]
pub enum State {
    Applied(Applied),
    /// Applied, but the file changed since.
    Edited(Applied),
    Pending,
}

/// Each migration of the directory with its state, and applied migrations the directory no
/// longer has.
#[derive(Clone, Debug)]
pub struct Status {
    pub history: &'static str,
    pub migrations: Vec<(String, State)>,
    pub unknown: Vec<Applied>,
    /// golang-migrate's dirty flag, Prisma's failed migrations: a run that stopped half-way.
    pub failed: Vec<String>,
}

impl Status {
    pub fn pending(&self) -> impl Iterator<Item = &str> {
        self.migrations.iter().filter(|(_, s)| *s == State::Pending).map(|(n, _)| n.as_str())
    }

    pub fn edited(&self) -> impl Iterator<Item = &str> {
        self.migrations.iter().filter(|(_, s)| matches!(s, State::Edited(_))).map(|(n, _)| n.as_str())
    }
}

pub fn history_table(layout: Layout) -> &'static str {
    match layout {
        Layout::Plain => "tidemark.history",
        Layout::Drizzle => "drizzle.__drizzle_migrations",
        Layout::Prisma => "_prisma_migrations",
        Layout::GolangMigrate => "schema_migrations",
    }
}

fn sha_hex(text: &str) -> String {
    crate::migrations::checksum(text.as_bytes()).trim_start_matches("sha256:").to_string()
}

async fn table_exists(client: &Client, qualified: &str) -> Result<bool, RunnerError> {
    let row = client.query_one("SELECT to_regclass($1) IS NOT NULL", &[&qualified]).await.map_err(db)?;
    Ok(row.get(0))
}

/// The applied migrations as the layout's history records them.
async fn read_history(client: &Client, dir: &Directory) -> Result<(Vec<Applied>, Vec<String>), RunnerError> {
    let table = history_table(dir.layout);
    if !table_exists(client, table).await? {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut failed = Vec::new();
    let applied = match dir.layout {
        Layout::Plain => client
            .query(
                "SELECT name, checksum, to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC', duration_ms \
                 FROM tidemark.history ORDER BY name",
                &[],
            )
            .await
            .map_err(db)?
            .iter()
            .map(|r| Applied {
                name: r.get(0),
                checksum: Some(r.get(1)),
                applied_at: r.get(2),
                duration_ms: Some(r.get(3)),
            })
            .collect(),
        Layout::Drizzle => {
            let rows = client
                .query("SELECT hash, created_at FROM drizzle.__drizzle_migrations ORDER BY created_at", &[])
                .await
                .map_err(db)?;
            rows.iter()
                .map(|r| {
                    let when: Option<i64> = r.get(1);
                    let name = dir
                        .migrations
                        .iter()
                        .find(|m| m.when == when)
                        .map_or_else(|| format!("(created_at {})", when.unwrap_or_default()), |m| m.name.clone());
                    Applied {
                        name,
                        checksum: Some(format!("sha256:{}", r.get::<_, String>(0))),
                        applied_at: None,
                        duration_ms: None,
                    }
                })
                .collect()
        }
        Layout::Prisma => {
            let rows = client
                .query(
                    "SELECT migration_name, checksum, \
                     to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC', \
                     finished_at IS NULL AND rolled_back_at IS NULL \
                     FROM _prisma_migrations WHERE rolled_back_at IS NULL ORDER BY migration_name",
                    &[],
                )
                .await
                .map_err(db)?;
            let mut out = Vec::new();
            for r in &rows {
                if r.get::<_, bool>(3) {
                    failed.push(r.get(0));
                    continue;
                }
                out.push(Applied {
                    name: r.get(0),
                    checksum: Some(format!("sha256:{}", r.get::<_, String>(1))),
                    applied_at: r.get(2),
                    duration_ms: None,
                });
            }
            out
        }
        Layout::GolangMigrate => {
            let row = client.query_opt("SELECT version, dirty FROM schema_migrations LIMIT 1", &[]).await.map_err(db)?;
            match row {
                None => Vec::new(),
                Some(r) => {
                    let version: i64 = r.get(0);
                    if r.get::<_, bool>(1) {
                        failed.push(format!("version {version} (dirty)"));
                    }
                    dir.migrations
                        .iter()
                        .filter(|m| number(&m.name).is_some_and(|n| n <= version))
                        .map(|m| Applied { name: m.name.clone(), checksum: None, applied_at: None, duration_ms: None })
                        .collect()
                }
            }
        }
    };
    Ok((applied, failed))
}

fn number(name: &str) -> Option<i64> {
    name.split_once('_').and_then(|(n, _)| n.parse().ok())
}

/// Where each migration of `dir` stands against the database.
pub async fn status(client: &Client, dir: &Directory) -> Result<Status, RunnerError> {
    let (applied, failed) = read_history(client, dir).await?;
    let mut migrations = Vec::new();
    for m in &dir.migrations {
        let state = match applied.iter().find(|a| a.name == m.name) {
            None => State::Pending,
            Some(a) => {
                let now = crate::migrations::checksum(m.sql.as_bytes());
                if a.checksum.as_ref().is_some_and(|c| *c != now) {
                    State::Edited(a.clone())
                } else {
                    State::Applied(a.clone())
                }
            }
        };
        migrations.push((m.name.clone(), state));
    }
    let unknown = applied.into_iter().filter(|a| !dir.migrations.iter().any(|m| m.name == a.name)).collect();
    Ok(Status { history: history_table(dir.layout), migrations, unknown, failed })
}

/// Status on a private runtime.
pub fn status_blocking(url: &str, dir: &Directory) -> Result<Status, RunnerError> {
    runtime()?.block_on(async {
        let client = connect_for_reads(url).await?;
        status(&client, dir).await
    })
}

/// A session for our own reads of the history: each bounded by a statement timeout.
async fn connect_for_reads(url: &str) -> Result<Client, RunnerError> {
    let client = connect(url).await?;
    let timeout = crate::source::introspect::CATALOG_STATEMENT_TIMEOUT;
    client.batch_execute(&format!("SET statement_timeout = '{timeout}'")).await.map_err(db)?;
    Ok(client)
}

fn runtime() -> Result<tokio::runtime::Runtime, RunnerError> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| RunnerError::Database(e.to_string()))
}

/// One applied migration of a run.
#[derive(Clone, Debug)]
pub struct Ran {
    pub name: String,
    pub statements: usize,
    pub duration_ms: i64,
}

/// Apply the pending migrations of `dir`, in order; `on_start` is told each one as it starts,
/// `on_wait` once when another apply holds the lock.
///
/// Two sessions: one holds the advisory lock (session-level, taken by polling
/// `pg_try_advisory_lock` in autocommit, so neither the holder nor a waiter ever sits in an open
/// transaction: a `CREATE INDEX CONCURRENTLY`, which waits for every older transaction, cannot
/// wait on either), and each migration runs on a session of its own, so whatever a file sets
/// (`search_path`, a role, a temporary table) ends with it: every file starts from the session
/// state the database gives a new connection, as the offline replay assumes.
pub fn apply_blocking(
    url: &str,
    dir: &Directory,
    on_start: &mut dyn FnMut(&Migration),
    on_wait: &mut dyn FnMut(&str),
) -> Result<Vec<Ran>, RunnerError> {
    runtime()?.block_on(async {
        let lock = connect(url).await?;
        take_apply_lock(&lock, on_wait).await?;
        let result = apply_locked(url, dir, on_start).await;
        let _ = lock.batch_execute(&format!("SELECT pg_advisory_unlock({LOCK_KEY})")).await;
        result
    })
}

/// Take the apply lock, polling in autocommit; tell `on_wait` who holds it, once.
async fn take_apply_lock(lock: &Client, on_wait: &mut dyn FnMut(&str)) -> Result<(), RunnerError> {
    let mut told = false;
    loop {
        let row = lock.query_one(&format!("SELECT pg_try_advisory_lock({LOCK_KEY})"), &[]).await.map_err(db)?;
        if row.get::<_, bool>(0) {
            return Ok(());
        }
        if !told {
            told = true;
            let holder = lock
                .query_opt(
                    "SELECT a.pid, coalesce(a.client_addr::text, 'local'), \
                     to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC' \
                     FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
                     WHERE l.locktype = 'advisory' AND l.granted \
                     AND (l.classid::bigint << 32) | l.objid::bigint = $1 LIMIT 1",
                    &[&LOCK_KEY],
                )
                .await
                .ok()
                .flatten()
                .map(|r| {
                    format!(
                        "pid {} from {}, connected {}",
                        r.get::<_, i32>(0),
                        r.get::<_, String>(1),
                        r.get::<_, String>(2)
                    )
                })
                .unwrap_or_else(|| "another session".into());
            on_wait(&format!("waiting for another apply to finish ({holder})"));
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

async fn apply_locked(
    url: &str,
    dir: &Directory,
    on_start: &mut dyn FnMut(&Migration),
) -> Result<Vec<Ran>, RunnerError> {
    let st = {
        let client = connect_for_reads(url).await?;
        let st = status(&client, dir).await?;
        if let Some(f) = st.failed.first() {
            return Err(RunnerError::Refused(format!(
                "{} records a migration that failed half-way ({f}): repair the database and its history first",
                st.history
            )));
        }
        let edited: Vec<&str> = st.edited().collect();
        if !edited.is_empty() {
            return Err(RunnerError::Refused(format!(
                "applied migrations were edited since: {} (an applied migration must not change; write a new one)",
                edited.join(", ")
            )));
        }
        ensure_history(&client, dir.layout).await?;
        st
    };
    // Every pending file is split and checked (transaction control, meta-commands) before
    // the first one runs: a file that cannot be applied whole stops the run before it starts.
    let mut planned = Vec::new();
    for m in dir.migrations.iter().filter(|m| st.pending().any(|p| p == m.name)) {
        planned.push((m, statements(m, dir)?));
    }
    let mut ran = Vec::new();
    for (m, statements) in &planned {
        let m = *m;
        on_start(m);
        // A session of its own: nothing one file sets reaches the next.
        let client = connect(url).await?;
        let started = Instant::now();
        if m.transactional {
            client.batch_execute("BEGIN").await.map_err(db)?;
            for s in statements.iter().filter(|s| !s.wrapper) {
                if let Err(e) = client.batch_execute(&s.text).await {
                    let _ = client.batch_execute("ROLLBACK").await;
                    return Err(failure(dir, m, s, &e, "\n(the migration was rolled back: nothing of it is applied)"));
                }
            }
            let ms = started.elapsed().as_millis() as i64;
            if let Err(e) = record(&client, dir, m, ms).await {
                let _ = client.batch_execute("ROLLBACK").await;
                return Err(e);
            }
            if let Err(e) = client.batch_execute("COMMIT").await {
                // Deferred constraints are checked here: the last statement is not the culprit.
                let (line, column) = crate::source::parse::split::line_col(&m.sql, m.sql.trim_end().len());
                return Err(RunnerError::Failed {
                    file: dir.dir.join(&m.file).display().to_string(),
                    line,
                    column,
                    message: format!("at COMMIT: {}", error_text(&e)),
                    statement: "    | COMMIT".into(),
                    note:
                        "\n(a deferred constraint or trigger failed when the migration committed; it was rolled back: \
                           nothing of it is applied)"
                            .into(),
                });
            }
            ran.push(Ran { name: m.name.clone(), statements: statements.len(), duration_ms: ms });
        } else {
            for (i, s) in statements.iter().enumerate() {
                if let Err(e) = client.batch_execute(&s.text).await {
                    let note = if builds_concurrently(&s.text) {
                        format!(
                            "\n(it runs outside a transaction{}; a failed concurrent build leaves an INVALID index behind, \
                             which IF NOT EXISTS would then take for done: DROP INDEX CONCURRENTLY it, then run apply again)",
                            if i == 0 { String::new() } else { format!(": its first {i} statement(s) stay applied") }
                        )
                    } else if i == 0 {
                        "\n(it runs outside a transaction; nothing of it was applied)".to_string()
                    } else {
                        format!(
                            "\n(it runs outside a transaction: its first {i} statement(s) stay applied and it is not recorded; \
                             complete or undo them by hand, then run apply again)"
                        )
                    };
                    return Err(failure(dir, m, s, &e, &note));
                }
            }
            let ms = started.elapsed().as_millis() as i64;
            record(&client, dir, m, ms).await?;
            ran.push(Ran { name: m.name.clone(), statements: statements.len(), duration_ms: ms });
        }
    }
    Ok(ran)
}

struct Statement {
    text: String,
    /// Byte offset in the file.
    offset: usize,
    /// The `BEGIN` or `COMMIT` of a file wrapped whole in one transaction block: the migration's
    /// own transaction takes their place.
    wrapper: bool,
}

/// The transaction-control command a statement is, if it is one (`BEGIN`, `COMMIT`, `ROLLBACK`,
/// `PREPARE TRANSACTION`, ...), as pg_query reads it.
fn transaction_control(text: &str) -> Option<pg_query::protobuf::TransactionStmtKind> {
    use pg_query::protobuf::node::Node;
    let tree = pg_query::parse(text, 0).ok()?;
    let stmt = tree.protobuf.stmts.first()?.stmt.as_ref()?.node.as_ref()?;
    match stmt {
        Node::TransactionStmt(t) => pg_query::protobuf::TransactionStmtKind::try_from(t.kind).ok(),
        _ => None,
    }
}

/// `CREATE INDEX CONCURRENTLY` or `REINDEX ... CONCURRENTLY`: a failure leaves an INVALID index.
fn builds_concurrently(text: &str) -> bool {
    use pg_query::protobuf::node::Node;
    let Ok(tree) = pg_query::parse(text, 0) else { return false };
    tree.protobuf.stmts.iter().filter_map(|s| s.stmt.as_ref()?.node.as_ref()).any(|n| match n {
        Node::IndexStmt(i) => i.concurrent,
        Node::ReindexStmt(_) => crate::migrations::cannot_run_in_transaction(n),
        _ => false,
    })
}

/// A transactional migration runs inside tidemark's transaction, with the row that records it:
/// a `COMMIT` or `ROLLBACK` of its own would end that transaction half-way (what came before
/// stays, or is undone while we record the file as applied). Such files are refused before
/// anything runs, unless the file is wrapped whole in `BEGIN; ... COMMIT;`, which we take as
/// the transaction it asks for. Savepoints stay inside the transaction and are fine.
fn check_transaction_control(m: &Migration, dir: &Directory, statements: &mut [Statement]) -> Result<(), RunnerError> {
    use pg_query::protobuf::TransactionStmtKind as K;
    if !m.transactional {
        return Ok(());
    }
    let kinds: Vec<Option<K>> = statements.iter().map(|s| transaction_control(&s.text)).collect();
    let is_begin = |k: &Option<K>| matches!(k, Some(K::TransStmtBegin | K::TransStmtStart));
    let wrapped = kinds.len() >= 2
        && is_begin(&kinds[0])
        && matches!(kinds[kinds.len() - 1], Some(K::TransStmtCommit))
        && kinds[1..kinds.len() - 1]
            .iter()
            .all(|k| matches!(k, None | Some(K::TransStmtSavepoint | K::TransStmtRelease | K::TransStmtRollbackTo)));
    if wrapped {
        let last = statements.len() - 1;
        statements[0].wrapper = true;
        statements[last].wrapper = true;
        return Ok(());
    }
    let offending = kinds
        .iter()
        .position(|k| !matches!(k, None | Some(K::TransStmtSavepoint | K::TransStmtRelease | K::TransStmtRollbackTo)));
    if let Some(i) = offending {
        let s = &statements[i];
        let (line, column) = crate::source::parse::split::line_col(&m.sql, s.offset);
        return Err(RunnerError::Failed {
            file: dir.dir.join(&m.file).display().to_string(),
            line,
            column,
            message: "transaction control inside a migration that runs in a transaction: it would end tidemark's \
                      transaction half-way, so the file could be applied in part or recorded wrongly"
                .into(),
            statement: format!("    | {}", s.text.trim().lines().next().unwrap_or_default()),
            note: format!(
                "\n(nothing was applied; remove it, wrap the whole file in one BEGIN; ... COMMIT;, or mark the file `{}` \
                 to run its statements one by one)",
                crate::migrations::NO_TRANSACTION
            ),
        });
    }
    Ok(())
}

fn statements(m: &Migration, dir: &Directory) -> Result<Vec<Statement>, RunnerError> {
    let mut out = Vec::new();
    for piece in crate::source::parse::split::pieces(&m.sql) {
        match piece {
            Piece::Sql { start, end } => {
                out.push(Statement { text: m.sql[start..end].to_string(), offset: start, wrapper: false });
            }
            Piece::Meta { start, end } | Piece::CopyData { start, end } => {
                let (line, column) = crate::source::parse::split::line_col(&m.sql, start);
                return Err(RunnerError::Failed {
                    file: dir.dir.join(&m.file).display().to_string(),
                    line,
                    column,
                    message: "psql meta-commands and COPY data cannot be applied by tidemark".into(),
                    statement: format!("    | {}", &m.sql[start..end].lines().next().unwrap_or_default()),
                    note: String::new(),
                });
            }
        }
    }
    check_transaction_control(m, dir, &mut out)?;
    Ok(out)
}

fn failure(dir: &Directory, m: &Migration, s: &Statement, e: &tokio_postgres::Error, note: &str) -> RunnerError {
    // The server's position is a 1-based character offset into the statement.
    let within = e
        .as_db_error()
        .and_then(|d| match d.position() {
            Some(tokio_postgres::error::ErrorPosition::Original(p)) => Some(*p as usize),
            _ => None,
        })
        .map(|p| s.text.char_indices().nth(p.saturating_sub(1)).map_or(0, |(i, _)| i))
        .unwrap_or(0);
    let (line, column) = crate::source::parse::split::line_col(&m.sql, s.offset + within);
    let shown: Vec<String> = s.text.trim().lines().take(6).map(|l| format!("    | {l}")).collect();
    RunnerError::Failed {
        file: dir.dir.join(&m.file).display().to_string(),
        line,
        column,
        message: error_text(e),
        statement: shown.join("\n"),
        note: note.to_string(),
    }
}

/// Create the layout's history table as its own runner would.
async fn ensure_history(client: &Client, layout: Layout) -> Result<(), RunnerError> {
    let ddl = match layout {
        Layout::Plain => {
            "CREATE SCHEMA IF NOT EXISTS tidemark; \
             CREATE TABLE IF NOT EXISTS tidemark.history (name text PRIMARY KEY, checksum text NOT NULL, \
             applied_at timestamptz NOT NULL DEFAULT now(), duration_ms bigint NOT NULL, tidemark_version text NOT NULL)"
        }
        Layout::Drizzle => {
            "CREATE SCHEMA IF NOT EXISTS drizzle; \
             CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)"
        }
        Layout::Prisma => {
            "CREATE TABLE IF NOT EXISTS _prisma_migrations (id VARCHAR(36) PRIMARY KEY NOT NULL, \
             checksum VARCHAR(64) NOT NULL, finished_at TIMESTAMPTZ, migration_name VARCHAR(255) NOT NULL, logs TEXT, \
             rolled_back_at TIMESTAMPTZ, started_at TIMESTAMPTZ NOT NULL DEFAULT now(), \
             applied_steps_count INTEGER NOT NULL DEFAULT 0)"
        }
        Layout::GolangMigrate => {
            "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)"
        }
    };
    client.batch_execute(ddl).await.map_err(db)
}

/// Record a migration as applied, in the layout's history.
async fn record(client: &Client, dir: &Directory, m: &Migration, duration_ms: i64) -> Result<(), RunnerError> {
    let hex = sha_hex(&m.sql);
    match dir.layout {
        Layout::Plain => client
            .execute(
                "INSERT INTO tidemark.history (name, checksum, duration_ms, tidemark_version) VALUES ($1, $2, $3, $4)",
                &[&m.name, &format!("sha256:{hex}"), &duration_ms, &env!("CARGO_PKG_VERSION")],
            )
            .await
            .map(|_| ())
            .map_err(db),
        Layout::Drizzle => client
            .execute("INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ($1, $2)", &[&hex, &m.when])
            .await
            .map(|_| ())
            .map_err(db),
        Layout::Prisma => client
            .execute(
                "INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count) \
                 VALUES (gen_random_uuid()::text, $1, $2, now() - make_interval(secs => $3::float8 / 1000), now(), 1)",
                &[&hex, &m.name, &(duration_ms as f64)],
            )
            .await
            .map(|_| ())
            .map_err(db),
        Layout::GolangMigrate => {
            let version = number(&m.name).ok_or_else(|| RunnerError::Refused(format!("{}: no version number", m.name)))?;
            client
                .batch_execute(&format!(
                    "DELETE FROM schema_migrations; INSERT INTO schema_migrations (version, dirty) VALUES ({version}, false)"
                ))
                .await
                .map_err(db)
        }
    }
}
