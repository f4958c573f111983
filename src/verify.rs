//! Proof before writing (`--verify`): build the from-state on a throwaway server, apply the
//! plan, read the result back and check it is the to-state. By default the server is started
//! from the local PostgreSQL binaries (a temporary directory and a private socket, removed
//! afterwards, on Ctrl-C too); `--dev-url` names a server to use instead, on which a scratch
//! database is created and dropped.

use crate::diff::{diff, DiffOptions};
use crate::model::{quote_ident, Catalog};
use crate::pgserver::TempServer;
use crate::plan::{plan, Plan};
use crate::source::introspect::{connect, error_text, introspect};
use tokio_postgres::Client;

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("cannot start a throwaway PostgreSQL server: {0}")]
    Server(#[from] crate::pgserver::ServerError),
    #[error(transparent)]
    Connect(#[from] crate::source::introspect::IntrospectError),
    #[error("{0}")]
    Setup(String),
    #[error("building the starting state failed at `{statement}`: {message}")]
    FromState { statement: String, message: String },
    #[error("the plan fails at `{statement}`: {message}")]
    Apply { statement: String, message: String },
    #[error("the plan does not converge: after applying it, these differences remain:\n{0}")]
    NotConverged(String),
}

/// Where verification runs.
pub enum Target<'a> {
    /// A throwaway server from the local binaries.
    Throwaway,
    /// A server the user provides (`--dev-url`): a scratch database is made there.
    DevUrl(&'a str),
}

/// What happened, for the report.
#[derive(Debug)]
pub struct Proof {
    pub statements: usize,
    pub server: String,
}

/// Prove that `plan` turns `from` into `to`. `progress` is told each stage.
pub fn verify(
    from: &Catalog,
    to: &Catalog,
    plan: &Plan,
    options: &DiffOptions,
    target: Target,
    progress: &mut dyn FnMut(&str),
) -> Result<Proof, VerifyError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| VerifyError::Setup(e.to_string()))?;
    let mut server = None;
    let (admin_url, label) = match target {
        Target::Throwaway => {
            progress("starting a throwaway PostgreSQL server");
            crate::pgserver::stop_servers_on_interrupt();
            let s = TempServer::start()?;
            let url = s.url("postgres");
            server = Some(s);
            (url, "a throwaway server".to_string())
        }
        Target::DevUrl(url) => (url.to_string(), crate::source::connstr::redact(url)),
    };
    let database = format!("tidemark_verify_{}", std::process::id());
    let result = rt.block_on(async {
        let admin = connect(&admin_url).await?;
        admin.batch_execute(&format!("DROP DATABASE IF EXISTS {}", quote_ident(&database))).await.map_err(setup)?;
        admin
            .batch_execute(&format!("CREATE DATABASE {} TEMPLATE template0", quote_ident(&database)))
            .await
            .map_err(setup)?;
        let outcome = async {
            let url = crate::source::connstr::with_database(&admin_url, &database);
            let client = connect(&url).await?;
            progress("creating the roles the schemas name");
            for role in from.roles().union(&to.roles()) {
                let create = format!(
                    "DO $$ BEGIN CREATE ROLE {}; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
                    quote_ident(role)
                );
                admin.batch_execute(&create).await.map_err(setup)?;
            }
            progress("building the starting state");
            let empty = introspect(&client).await?;
            let build = plan_between(&empty, from, options)?;
            run(&client, &build).await.map_err(|(statement, message)| VerifyError::FromState { statement, message })?;
            progress("applying the plan");
            run(&client, plan).await.map_err(|(statement, message)| VerifyError::Apply { statement, message })?;
            progress("checking the result");
            let after = introspect(&client).await?;
            let residue = plan_between(&after, to, options)?;
            if !residue.is_empty() {
                let shown: Vec<String> = residue.steps.iter().map(|s| format!("  {};", s.sql)).collect();
                return Err(VerifyError::NotConverged(shown.join("\n")));
            }
            Ok(Proof { statements: plan.steps.len(), server: label.clone() })
        }
        .await;
        let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_ident(&database))).await;
        outcome
    });
    drop(server);
    result
}

fn setup(e: tokio_postgres::Error) -> VerifyError {
    VerifyError::Setup(error_text(&e))
}

fn plan_between(from: &Catalog, to: &Catalog, options: &DiffOptions) -> Result<Plan, VerifyError> {
    plan(&diff(from, to, options), from, to).map_err(|e| VerifyError::Setup(e.to_string()))
}

/// Run a plan's preamble and steps, stopping at the first failure.
async fn run(client: &Client, plan: &Plan) -> Result<(), (String, String)> {
    for p in &plan.preamble {
        client.batch_execute(p).await.map_err(|e| (p.clone(), error_text(&e)))?;
    }
    for s in &plan.steps {
        client.batch_execute(&s.sql).await.map_err(|e| (s.sql.clone(), error_text(&e)))?;
    }
    Ok(())
}
