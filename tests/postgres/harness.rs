#![allow(dead_code)]
//! The test binary's PostgreSQL: one throwaway server (see `tidemark::pgserver`), a database
//! per test, statements applied one by one in autocommit like psql would.

use libtest_mimic::Failed;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use tidemark::model::Catalog;
use tidemark::pgserver::TempServer;
use tidemark::plan::Plan;

/// Roles the fixtures may name (cluster-wide, created once).
pub const ROLES: &[&str] = &["tidemark_app", "tidemark_owner", "tidemark_reader"];

pub struct Pg {
    server: std::sync::Mutex<TempServer>,
    url: String,
    socket: String,
    counter: AtomicUsize,
    rt: tokio::runtime::Runtime,
}

impl Pg {
    pub fn start() -> Result<Pg, String> {
        let server = TempServer::start().map_err(|e| e.to_string())?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let pg = Pg {
            url: server.url("postgres"),
            socket: server.socket_dir().display().to_string(),
            server: std::sync::Mutex::new(server),
            counter: AtomicUsize::new(0),
            rt,
        };
        let roles: Vec<String> = ROLES.iter().map(|r| format!("CREATE ROLE {r};")).collect();
        pg.execute("postgres", &roles.join("\n"))?;
        // Files are parsed for the server the suite runs on (a new database's defaults differ).
        let version = pg.rt.block_on(async {
            let client = tidemark::source::introspect::connect(&pg.url).await.map_err(|e| e.to_string())?;
            tidemark::source::introspect::server_version(&client).await.map_err(|e| e.to_string())
        })?;
        crate::common::set_postgres(version.major());
        eprintln!(
            "PostgreSQL {} ({})",
            version.display(),
            pg.server.lock().map(|s| s.bindir().display().to_string()).unwrap_or_default()
        );
        Ok(pg)
    }

    pub fn db_url(&self, db: &str) -> String {
        format!("postgresql://postgres@localhost/{db}?host={}&port=5432", self.socket)
    }

    /// The first column of each row of `sql`, as text.
    pub fn column(&self, db: &str, sql: &str) -> Result<Vec<String>, String> {
        let url = if db == "postgres" { self.url.clone() } else { self.db_url(db) };
        self.rt.block_on(async {
            let client = tidemark::source::introspect::connect(&url).await.map_err(|e| e.to_string())?;
            let rows = client.query(sql, &[]).await.map_err(|e| tidemark::source::introspect::error_text(&e))?;
            Ok(rows.iter().map(|r| r.get::<_, String>(0)).collect())
        })
    }

    fn execute(&self, db: &str, sql: &str) -> Result<(), String> {
        let url = if db == "postgres" { self.url.clone() } else { self.db_url(db) };
        self.rt.block_on(async {
            let client = tidemark::source::introspect::connect(&url).await.map_err(|e| e.to_string())?;
            client.batch_execute(sql).await.map_err(|e| tidemark::source::introspect::error_text(&e))
        })
    }

    /// Run a file's statements one at a time on one session, as psql does (a multi-statement
    /// string would be one implicit transaction, which a BEGIN ... ROLLBACK inside it extends
    /// back to the first statement).
    fn execute_like_psql(&self, db: &str, sql: &str) -> Result<(), String> {
        use tidemark::source::parse::split::{pieces, Piece};
        let url = self.db_url(db);
        self.rt.block_on(async {
            let client = tidemark::source::introspect::connect(&url).await.map_err(|e| e.to_string())?;
            for piece in pieces(sql) {
                if let Piece::Sql { start, end } = piece {
                    client
                        .batch_execute(&sql[start..end])
                        .await
                        .map_err(|e| tidemark::source::introspect::error_text(&e))?;
                }
            }
            Ok(())
        })
    }

    /// A fresh, empty database.
    pub fn empty_database(&self) -> Result<String, Failed> {
        let n = self.counter.fetch_add(1, Ordering::SeqCst);
        let db = format!("t{n}");
        self.execute(
            "postgres",
            &format!("CREATE DATABASE {db} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"),
        )?;
        Ok(db)
    }

    /// Run files with psql, one process per file as a user would (`ON_ERROR_STOP`).
    pub fn psql_files(&self, db: &str, dir: &Path, files: &[String]) -> Result<(), Failed> {
        let (psql, socket) = {
            let server = self.server.lock().map_err(|_| "server lock")?;
            (server.bindir().join("psql"), server.socket_dir().display().to_string())
        };
        for f in files {
            let out = std::process::Command::new(&psql)
                .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", &socket, "-U", "postgres", "-d", db, "-f", f])
                .current_dir(dir)
                .env("PGOPTIONS", "-c client_min_messages=warning")
                .output()
                .map_err(|e| format!("psql: {e}"))?;
            if !out.status.success() {
                return Err(format!("loading {f}: {}", String::from_utf8_lossy(&out.stderr)).into());
            }
        }
        Ok(())
    }

    /// A fresh database holding the SQL of `file`.
    pub fn database_with(&self, file: &Path) -> Result<String, Failed> {
        let n = self.counter.fetch_add(1, Ordering::SeqCst);
        let db = format!("t{n}");
        self.execute("postgres", &format!("CREATE DATABASE {db} TEMPLATE template0"))?;
        let sql = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        self.execute_like_psql(&db, &sql).map_err(|e| format!("loading {}: {e}", file.display()))?;
        Ok(db)
    }

    pub fn drop_database(&self, db: &str) {
        let _ = self.execute("postgres", &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"));
    }

    pub fn introspect(&self, db: &str) -> Result<Catalog, Failed> {
        let url = self.db_url(db);
        self.rt
            .block_on(async {
                let client = tidemark::source::introspect::connect(&url).await?;
                tidemark::source::introspect::introspect(&client).await
            })
            .map_err(|e| Failed::from(e.to_string()))
    }

    /// Run a plan's statements one by one (autocommit), stopping at the first error.
    /// After `plan` was applied to database `a`: it now introspects as database `b` does (no
    /// residue), and a second plan to `desired` is empty. Both databases are dropped on success.
    pub fn check_converged(&self, a: &str, b: &str, plan: &Plan, desired: &Catalog) -> Result<(), Failed> {
        let after = self.introspect(a)?;
        let target = self.introspect(b)?;
        let residue = crate::common::plan_between(&after, &target, false)?;
        if !residue.is_empty() {
            return Err(format!(
                "after applying the plan the database still differs from the target:\n{}\n\nthe plan was:\n{}",
                crate::common::statements(&residue),
                crate::common::statements(plan)
            )
            .into());
        }
        let second = crate::common::plan_between(&after, desired, false)?;
        if !second.is_empty() {
            return Err(format!("the second plan is not empty:\n{}", crate::common::statements(&second)).into());
        }
        self.drop_database(a);
        self.drop_database(b);
        Ok(())
    }

    pub fn apply(&self, db: &str, plan: &Plan) -> Result<(), Failed> {
        let url = self.db_url(db);
        self.rt.block_on(async {
            let client = tidemark::source::introspect::connect(&url).await.map_err(|e| Failed::from(e.to_string()))?;
            for p in &plan.preamble {
                client
                    .batch_execute(p)
                    .await
                    .map_err(|e| Failed::from(tidemark::source::introspect::error_text(&e)))?;
            }
            for s in &plan.steps {
                client.batch_execute(&s.sql).await.map_err(|e| {
                    Failed::from(format!("{};\nfailed: {}", s.sql, tidemark::source::introspect::error_text(&e)))
                })?;
            }
            Ok(())
        })
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        if let Ok(mut s) = self.server.lock() {
            s.stop();
        }
    }
}
