//! A throwaway PostgreSQL server started from the local binaries: `initdb` into a temporary
//! directory, `pg_ctl start` on a private Unix socket (no TCP), stopped and removed on drop.
//! Used by the test suites and by `--verify`. As root, the server runs as the `postgres` OS
//! user (initdb refuses root).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("no PostgreSQL server binaries found (looked at $TIDEMARK_PG_BIN, pg_config, /usr/lib/postgresql/*/bin, PATH); install them with `apt-get install -y postgresql`")]
    NoBinaries,
    #[error("{command} failed: {message}")]
    Command { command: String, message: String },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The directory holding `initdb`, `pg_ctl` and `postgres`.
pub fn find_bindir() -> Result<PathBuf, ServerError> {
    let has_initdb = |d: &Path| d.join("initdb").is_file() && d.join("pg_ctl").is_file();
    if let Ok(dir) = std::env::var("TIDEMARK_PG_BIN") {
        let d = PathBuf::from(dir);
        if has_initdb(&d) {
            return Ok(d);
        }
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let d = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && has_initdb(&d) {
            return Ok(d);
        }
    }
    if let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") {
        let mut versions: Vec<(u32, PathBuf)> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str().and_then(|v| v.parse().ok()).map(|v| (v, e.path().join("bin"))))
            .filter(|(_, d)| has_initdb(d))
            .collect();
        versions.sort();
        if let Some((_, d)) = versions.pop() {
            return Ok(d);
        }
    }
    if let Some(path) = std::env::var_os("PATH") {
        for d in std::env::split_paths(&path) {
            if has_initdb(&d) {
                return Ok(d);
            }
        }
    }
    Err(ServerError::NoBinaries)
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}

/// A running throwaway server.
pub struct TempServer {
    dir: PathBuf,
    bindir: PathBuf,
    as_postgres: bool,
    port: u16,
    stopped: bool,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Servers running now, so that an interrupt can stop them (destructors do not run then).
static RUNNING: std::sync::Mutex<Vec<(PathBuf, PathBuf, bool)>> = std::sync::Mutex::new(Vec::new());

/// On Ctrl-C (or SIGTERM), stop and remove every throwaway server, then exit with 130.
pub fn stop_servers_on_interrupt() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let _ = ctrlc::set_handler(|| {
            let running: Vec<(PathBuf, PathBuf, bool)> =
                RUNNING.lock().map(|mut r| std::mem::take(&mut *r)).unwrap_or_default();
            for (dir, bindir, as_postgres) in running {
                let server = TempServer { dir, bindir, as_postgres, port: 5432, stopped: false };
                drop(server);
            }
            eprintln!("\ninterrupted: throwaway servers stopped");
            std::process::exit(130);
        });
    });
}

impl TempServer {
    pub fn start() -> Result<TempServer, ServerError> {
        let bindir = find_bindir()?;
        let as_postgres = is_root();
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("tidemark-pg-{}-{n}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        let mut server = TempServer { dir, bindir, as_postgres, port: 5432, stopped: true };
        if as_postgres {
            run(Command::new("chown").arg("postgres:").arg(&server.dir), "chown")?;
        }
        let data = server.dir.join("data");
        server.pg(
            "initdb",
            &["-D", path(&data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"],
        )?;
        let options = format!(
            "-k {} -c listen_addresses='' -p {} -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
             -c max_connections=100 -c max_locks_per_transaction=1024 -c shared_buffers=128MB",
            server.dir.display(),
            server.port
        );
        let log = server.dir.join("server.log");
        server.pg("pg_ctl", &["-D", path(&data), "-l", path(&log), "-o", &options, "-w", "-t", "60", "start"])?;
        server.stopped = false;
        if let Ok(mut r) = RUNNING.lock() {
            r.push((server.dir.clone(), server.bindir.clone(), server.as_postgres));
        }
        Ok(server)
    }

    fn pg(&self, program: &str, args: &[&str]) -> Result<Output, ServerError> {
        let exe = self.bindir.join(program);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        cmd.args(args).current_dir(&self.dir);
        run(&mut cmd, program)
    }

    /// The URL of a database on this server.
    pub fn url(&self, database: &str) -> String {
        format!("postgresql://postgres@localhost/{database}?host={}&port={}", self.dir.display(), self.port)
    }

    /// The directory of the server binaries (psql is there too).
    pub fn bindir(&self) -> &Path {
        &self.bindir
    }

    /// The directory holding the server's socket.
    pub fn socket_dir(&self) -> &Path {
        &self.dir
    }

    pub fn stop(&mut self) {
        if let Ok(mut r) = RUNNING.lock() {
            r.retain(|(d, _, _)| *d != self.dir);
        }
        if !self.stopped {
            let data = self.dir.join("data");
            let _ = self.pg("pg_ctl", &["-D", path(&data), "-m", "immediate", "-w", "stop"]);
            self.stopped = true;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Drop for TempServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn path(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

fn run(cmd: &mut Command, name: &str) -> Result<Output, ServerError> {
    let out = cmd.output()?;
    if out.status.success() {
        Ok(out)
    } else {
        Err(ServerError::Command {
            command: name.to_string(),
            message: format!("{}{}", String::from_utf8_lossy(&out.stderr), String::from_utf8_lossy(&out.stdout))
                .trim()
                .to_string(),
        })
    }
}
