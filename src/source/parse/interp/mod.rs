//! The DDL interpreter: applies statements to a [`Catalog`] in order, with psql's session state
//! (search_path, standard_conforming_strings). One file per statement family.

mod alter_table;
mod cast;
mod comment;
mod drop;
mod grant;
mod index;
mod misc;
mod plpgsql;
mod rename;
mod routine;
mod schema;
mod sequence;
mod statistics;
mod table;
mod text_search;
mod trigger;
mod types;
mod view;

use super::split::{Piece, Splitter};
use super::{diagnostic_at, parse_statement, ParseOptions, Parsed, SqlFile};
use crate::model::{Catalog, QualifiedName};
use crate::normalize::Scope;
use crate::source::diagnostic::{Diagnostic, Severity};
use crate::source::files::{include_root, read_include};
use pg_query::protobuf::node::Node as N;
use pg_query::protobuf::{self as pb};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// An error in one statement: the message and, when known, the byte offset in the statement.
#[derive(Debug)]
pub struct StmtError {
    pub message: String,
    pub at: Option<usize>,
}

impl From<String> for StmtError {
    fn from(message: String) -> Self {
        StmtError { message, at: None }
    }
}

impl From<&str> for StmtError {
    fn from(message: &str) -> Self {
        StmtError { message: message.to_string(), at: None }
    }
}

pub type R<T = ()> = Result<T, StmtError>;

/// An error at an AST location (pg_query locations are byte offsets in the statement).
pub fn err_at(message: impl Into<String>, location: i32) -> StmtError {
    StmtError { message: message.into(), at: (location >= 0).then_some(location as usize) }
}

/// The session state psql keeps per file.
#[derive(Clone, Debug)]
pub struct Session {
    pub search_path: Vec<String>,
    pub standard_conforming_strings: bool,
    /// Temporary relations created in this session: they live in `pg_temp`, vanish with the
    /// session and are not part of the schema, but later statements of the file may use them.
    pub temp_relations: BTreeSet<String>,
    /// An open transaction block: the catalog as it was at `BEGIN` and at each `SAVEPOINT`
    /// since (name, catalog), so `ROLLBACK` and `ROLLBACK TO SAVEPOINT` undo what they undo.
    pub transaction: Vec<(Option<String>, Catalog)>,
    /// psql variables: the options' and what `\set` gave.
    pub vars: std::collections::BTreeMap<String, String>,
}

impl Session {
    /// The temporary relation a RangeVar names, if any (`pg_temp` is searched first).
    pub fn temp_relation(&self, rv: &pb::RangeVar) -> Option<&str> {
        let temp_schema = rv.schemaname.is_empty() || rv.schemaname == "pg_temp";
        self.temp_relations.get(&rv.relname).filter(|_| temp_schema).map(String::as_str)
    }
}

/// Where the statement being interpreted is, for warnings raised while interpreting it.
struct Current {
    file: SqlFile,
    offset: usize,
    text: String,
}

pub struct Interpreter {
    pub(crate) catalog: Catalog,
    options: ParseOptions,
    diagnostics: Vec<Diagnostic>,
    current: Option<Current>,
    include_depth: usize,
    /// The directory the `\i` of the file being run (and of the files it includes) may read
    /// under, canonical; `None` when it cannot be resolved (nothing may be included then).
    include_root: Option<PathBuf>,
    /// When set, every statement run is recorded here (`review` reads them).
    recorded: Option<Vec<RecordedStatement>>,
    /// Text that did not parse (each also an error among `diagnostics`).
    syntax_errors: Vec<Diagnostic>,
}

/// A statement as the interpreter met it: where it is, its tree, and the session's
/// search_path when it ran.
#[derive(Clone, Debug)]
pub struct RecordedStatement {
    pub file: String,
    /// Byte offset of the statement in its file.
    pub offset: usize,
    pub text: String,
    pub node: pb::Node,
    pub search_path: Vec<String>,
    /// Whether the interpreter failed on it (an error diagnostic names why).
    pub failed: bool,
}

const MAX_ERRORS: usize = 50;
const MAX_INCLUDE_DEPTH: usize = 16;

impl Interpreter {
    pub fn new(catalog: Catalog, options: ParseOptions) -> Self {
        Interpreter {
            catalog,
            options,
            diagnostics: Vec::new(),
            current: None,
            include_depth: 0,
            include_root: None,
            recorded: None,
            syntax_errors: Vec::new(),
        }
    }

    pub fn finish(self) -> Result<Parsed, Vec<Diagnostic>> {
        if self.diagnostics.iter().any(|d| d.severity == Severity::Error) {
            Err(self.diagnostics)
        } else {
            Ok(Parsed { catalog: self.catalog, diagnostics: self.diagnostics })
        }
    }

    fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == Severity::Error).count()
    }

    /// The places where the text did not parse as SQL, so far.
    pub fn syntax_errors(&self) -> &[Diagnostic] {
        &self.syntax_errors
    }

    /// The catalog as the statements run so far leave it.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The diagnostics so far.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Run one file in a fresh session, returning its statements as they ran (including those
    /// of files it includes).
    pub fn run_file_recording(&mut self, file: &SqlFile) -> Vec<RecordedStatement> {
        self.recorded = Some(Vec::new());
        self.run_file(file);
        self.recorded.take().unwrap_or_default()
    }

    /// Run one file in a fresh session.
    pub fn run_file(&mut self, file: &SqlFile) {
        let mut session = Session {
            search_path: self.options.search_path.clone(),
            standard_conforming_strings: true,
            temp_relations: BTreeSet::new(),
            transaction: Vec::new(),
            vars: self.options.vars.clone(),
        };
        self.include_root = include_root(Path::new(&file.name), &self.options.include_roots);
        self.run_in_session(file, &mut session);
        // psql ends its session at the end of the file: an open transaction is rolled back.
        let open = std::mem::take(&mut session.transaction);
        if let Some((_, at_begin)) = open.into_iter().next() {
            self.catalog = at_begin;
            let end = file.text.trim_end().len();
            self.diagnostics.push(diagnostic_at(
                Severity::Warning,
                file,
                end,
                "the file ends inside a transaction block (BEGIN without COMMIT): the server rolls it back when the \
                 session ends, so what it did is not part of the schema"
                    .into(),
                None,
            ));
        }
    }

    fn run_in_session(&mut self, file: &SqlFile, session: &mut Session) {
        let mut splitter = Splitter::new(&file.text);
        while let Some(piece) = splitter.next_piece(session.standard_conforming_strings) {
            // A review judges every statement, however many could not be modeled before it.
            if self.recorded.is_none() && self.error_count() >= MAX_ERRORS {
                return;
            }
            match piece {
                Piece::Sql { start, end } => self.run_statement(file, start, &file.text[start..end], session),
                Piece::Meta { start, end } => self.run_meta(file, start, &file.text[start..end], session),
                Piece::CopyData { start, .. } => {
                    self.diagnostics.push(diagnostic_at(
                        Severity::Note,
                        file,
                        start,
                        "COPY data is not part of the schema and is ignored".into(),
                        None,
                    ));
                }
            }
        }
    }

    fn run_statement(&mut self, file: &SqlFile, offset: usize, text: &str, session: &mut Session) {
        let text = match super::split::substitute_variables(text, &session.vars, session.standard_conforming_strings) {
            Ok(t) => t.into_owned(),
            Err(message) => {
                let d = diagnostic_at(Severity::Error, file, offset, message, Some(text));
                self.diagnostics.push(d);
                return;
            }
        };
        let text = text.as_str();
        let tree = match parse_statement(text, session.standard_conforming_strings) {
            Ok(t) => t,
            Err((message, at)) => {
                let d = diagnostic_at(Severity::Error, file, offset + at.unwrap_or(0), message, Some(text));
                self.syntax_errors.push(d.clone());
                self.diagnostics.push(d);
                self.recover_statements(file, offset, text, session);
                return;
            }
        };
        self.current = Some(Current { file: file.clone(), offset, text: text.to_string() });
        for raw in &tree.stmts {
            let Some(node) = raw.stmt.as_ref().and_then(|s| s.node.as_ref()) else {
                continue;
            };
            let stmt_offset = raw.stmt_location.max(0) as usize;
            let before = self.default_acl_targets();
            let search_path = self.recorded.as_ref().map(|_| session.search_path.clone());
            let result = self.apply(node, session);
            if let Some(before) = before {
                self.apply_default_privileges(&before);
            }
            if let (Some(recorded), Some(search_path)) = (self.recorded.as_mut(), search_path) {
                let len = if raw.stmt_len > 0 { raw.stmt_len as usize } else { text.len() - stmt_offset };
                recorded.push(RecordedStatement {
                    file: file.name.clone(),
                    offset: offset + stmt_offset,
                    text: text.get(stmt_offset..stmt_offset + len).unwrap_or(text).trim().to_string(),
                    node: pb::Node { node: Some(node.clone()) },
                    search_path,
                    failed: result.is_err(),
                });
            }
            if let Err(e) = result {
                self.diagnostics.push(diagnostic_at(
                    Severity::Error,
                    file,
                    offset + e.at.unwrap_or(stmt_offset),
                    e.message,
                    Some(text),
                ));
            }
        }
        self.current = None;
    }

    /// After a syntax error, while recording for a review: an unbalanced parenthesis makes the
    /// rest of the file one statement, which would hide every later statement from the review.
    /// Split the text again at each semicolon outside quotes and comments, parentheses or not,
    /// and run the pieces, so each later statement is still judged (a piece that does not parse
    /// either is one more error).
    fn recover_statements(&mut self, file: &SqlFile, offset: usize, text: &str, session: &mut Session) {
        if self.recorded.is_none() {
            return;
        }
        let mut splitter = Splitter::ignoring_parentheses(text);
        let mut pieces = Vec::new();
        while let Some(piece) = splitter.next_piece(session.standard_conforming_strings) {
            if let Piece::Sql { start, end } = piece {
                pieces.push((start, end));
            }
        }
        if pieces.len() < 2 {
            return;
        }
        for (i, (start, end)) in pieces.into_iter().enumerate() {
            let piece = &text[start..end];
            match parse_statement(piece, session.standard_conforming_strings) {
                Ok(_) => self.run_statement(file, offset + start, piece, session),
                // The first piece's error is the one reported already.
                Err(_) if i == 0 => {}
                Err((message, at)) => {
                    let d =
                        diagnostic_at(Severity::Error, file, offset + start + at.unwrap_or(0), message, Some(piece));
                    self.syntax_errors.push(d.clone());
                    self.diagnostics.push(d);
                }
            }
        }
    }

    /// A warning or note about the statement being interpreted.
    pub(crate) fn report(&mut self, severity: Severity, message: impl Into<String>) {
        if let Some(c) = &self.current {
            let d = diagnostic_at(severity, &c.file, c.offset, message.into(), Some(&c.text));
            self.diagnostics.push(d);
        } else {
            self.diagnostics.push(Diagnostic { severity, location: None, message: message.into(), statement: None });
        }
    }

    /// psql meta-commands: `\i` / `\ir` are followed; the others are rejected with a message.
    fn run_meta(&mut self, file: &SqlFile, offset: usize, line: &str, session: &mut Session) {
        let command = meta_command_name(line);
        let mut words = line[command.len()..].split_whitespace();
        let arg = words.next().map(|a| a.trim_matches('\'').to_string());
        match (command, arg) {
            ("\\i" | "\\include" | "\\ir" | "\\include_relative", Some(path)) => {
                let relative = command.starts_with("\\ir") || command.starts_with("\\include_r");
                let base = Path::new(&file.name).parent().map(|p| p.to_path_buf()).unwrap_or_default();
                let target = if relative { base.join(&path) } else { PathBuf::from(&path) };
                if self.include_depth >= MAX_INCLUDE_DEPTH {
                    self.diagnostics.push(diagnostic_at(
                        Severity::Error,
                        file,
                        offset,
                        format!("{command} nested too deeply (a file including itself?)"),
                        Some(line),
                    ));
                    return;
                }
                match read_include(&target, self.include_root.as_deref()) {
                    Ok(text) => {
                        let included = SqlFile { name: target.display().to_string(), text };
                        self.include_depth += 1;
                        self.run_in_session(&included, session);
                        self.include_depth -= 1;
                    }
                    Err(e) => self.diagnostics.push(diagnostic_at(
                        Severity::Error,
                        file,
                        offset,
                        format!("{command} {path}: {e}"),
                        Some(line),
                    )),
                }
            }
            // psql variables, for the statements after.
            ("\\set", Some(name)) => {
                let value: Vec<String> = words.map(|w| w.trim_matches('\'').to_string()).collect();
                session.vars.insert(name, value.concat());
            }
            ("\\unset", Some(name)) => {
                session.vars.remove(&name);
            }
            // Session settings that do not change the schema.
            (
                "\\set" | "\\unset" | "\\echo" | "\\qecho" | "\\pset" | "\\timing" | "\\restrict" | "\\unrestrict"
                | "\\encoding" | "\\x" | "\\t" | "\\a" | "\\o" | "\\warn",
                _,
            ) => {
                self.diagnostics.push(diagnostic_at(
                    Severity::Note,
                    file,
                    offset,
                    format!("psql meta-command {command} does not change the schema and is ignored"),
                    None,
                ));
            }
            _ => {
                let why = match command {
                    "\\gexec" => {
                        ": it runs, as statements, the text a query returns from the database, which tidemark \
                                  does not query; write the statements it would build"
                    }
                    "\\g" | "\\gx" | "\\gset" | "\\gdesc" => {
                        ": it sends the statement before it to the server; end the statement with `;` instead"
                    }
                    "\\;" => {
                        ": it joins statements into one request to the server; end each statement with `;` instead"
                    }
                    _ => "",
                };
                self.diagnostics.push(diagnostic_at(
                    Severity::Error,
                    file,
                    offset,
                    format!("psql meta-command {command} is not supported in schema files{why}"),
                    Some(line),
                ))
            }
        }
    }

    pub(crate) fn scope<'a>(&'a self, session: &'a Session) -> Scope<'a> {
        Scope::new(&self.catalog, &session.search_path)
    }

    /// The qualified name a CREATE gives its object.
    pub(crate) fn creation_name(
        &self,
        session: &Session,
        schema: Option<&str>,
        name: &str,
        location: i32,
    ) -> R<QualifiedName> {
        let schema = match schema {
            Some(s) => {
                if !self.catalog.schemas.contains_key(s) {
                    return Err(err_at(format!("schema \"{s}\" does not exist"), location));
                }
                s.to_string()
            }
            None => self
                .scope(session)
                .creation_schema()
                .ok_or_else(|| err_at("no schema has been selected to create in", location))?
                .to_string(),
        };
        Ok(QualifiedName::new(schema, name))
    }

    /// Record a `CREATE TEMPORARY ...` relation in the session; true when `rv` is temporary.
    pub(crate) fn temporary(&mut self, session: &mut Session, rv: &pb::RangeVar, what: &str) -> bool {
        if rv.relpersistence != "t" && rv.schemaname != "pg_temp" {
            return false;
        }
        session.temp_relations.insert(rv.relname.clone());
        self.report(
            Severity::Note,
            format!("temporary {what} \"{}\": session-local, not part of the schema", rv.relname),
        );
        true
    }

    /// A statement on a temporary relation of the session: nothing for the schema.
    pub(crate) fn on_temporary(&mut self, session: &Session, rv: &pb::RangeVar) -> bool {
        if session.temp_relation(rv).is_none() {
            return false;
        }
        self.report(Severity::Note, format!("temporary relation \"{}\": not part of the schema, ignored", rv.relname));
        true
    }

    pub(crate) fn create_name_from_rv(&self, session: &Session, rv: &pb::RangeVar) -> R<QualifiedName> {
        let schema = (!rv.schemaname.is_empty()).then_some(rv.schemaname.as_str());
        self.creation_name(session, schema, &rv.relname, rv.location)
    }

    /// An existing table named by a RangeVar.
    pub(crate) fn find_table_rv(&self, session: &Session, rv: &pb::RangeVar) -> R<QualifiedName> {
        let schema = (!rv.schemaname.is_empty()).then_some(rv.schemaname.as_str());
        self.scope(session)
            .find_table(schema, &rv.relname)
            .ok_or_else(|| err_at(format!("relation \"{}\" does not exist", rv.relname), rv.location))
    }

    /// Apply one statement.
    fn apply(&mut self, node: &N, s: &mut Session) -> R {
        // A statement the target version cannot run fails here, as it would on the server.
        for (feature, at) in super::feature::required(node) {
            super::feature::check(feature, self.options.postgres).map_err(|e| err_at(e, at))?;
        }
        match node {
            N::CreateSchemaStmt(st) => self.create_schema(st, s),
            N::CreateExtensionStmt(st) => self.create_extension(st, s),
            N::AlterExtensionStmt(st) => self.alter_extension(st),
            N::CreateEnumStmt(st) => self.create_enum(st, s),
            N::AlterEnumStmt(st) => self.alter_enum(st, s),
            N::CreateDomainStmt(st) => self.create_domain(st, s),
            N::AlterDomainStmt(st) => self.alter_domain(st, s),
            N::CompositeTypeStmt(st) => self.create_composite(st, s),
            N::CreateSeqStmt(st) => self.create_sequence(st, s),
            N::AlterSeqStmt(st) => self.alter_sequence(st, s),
            N::CreateStmt(st) => self.create_table(st, s),
            N::AlterTableStmt(st) => self.alter_table(st, s),
            N::IndexStmt(st) => self.create_index(st, s),
            N::DropStmt(st) => self.drop(st, s),
            N::CommentStmt(st) => self.comment(st, s),
            N::RenameStmt(st) => self.rename(st, s),
            N::AlterOwnerStmt(st) => self.alter_owner(st, s),
            N::AlterObjectSchemaStmt(st) => self.alter_object_schema(st, s),
            N::GrantStmt(st) => self.grant(st, s),
            N::AlterDefaultPrivilegesStmt(st) => self.alter_default_privileges(st),
            N::VariableSetStmt(st) => self.set_variable(st, s),
            N::SelectStmt(st) => self.select(st, s),
            N::TransactionStmt(st) => self.transaction(st, s),
            N::InsertStmt(_) | N::UpdateStmt(_) | N::DeleteStmt(_) | N::CopyStmt(_) | N::TruncateStmt(_) => {
                self.report(Severity::Note, "data statement: not part of the schema, ignored");
                Ok(())
            }
            N::DoStmt(st) => self.do_block(st, s),
            N::CreateFunctionStmt(st) => self.create_function(st, s),
            N::AlterFunctionStmt(st) => self.alter_function(st, s),
            N::DefineStmt(st) if st.kind == pg_query::protobuf::ObjectType::ObjectAggregate as i32 => {
                self.create_aggregate(st, s)
            }
            N::DefineStmt(st) if st.kind == pg_query::protobuf::ObjectType::ObjectCollation as i32 => {
                self.create_collation(st, s)
            }
            N::DefineStmt(st) if st.kind == pg_query::protobuf::ObjectType::ObjectTsconfiguration as i32 => {
                self.create_text_search_config(st, s)
            }
            N::DefineStmt(st) if st.kind == pg_query::protobuf::ObjectType::ObjectTsdictionary as i32 => {
                self.create_text_search_dictionary(st, s)
            }
            N::AlterTsconfigurationStmt(st) => self.alter_text_search_config(st, s),
            N::AlterTsdictionaryStmt(st) => self.alter_text_search_dictionary(st, s),
            N::CreateStatsStmt(st) => self.create_statistics(st, s),
            N::AlterStatsStmt(st) => self.alter_statistics(st, s),
            N::ViewStmt(st) => self.create_view(st, s),
            N::CreateTableAsStmt(st) => self.create_table_as(st, s),
            N::RefreshMatViewStmt(st) => self.refresh_matview(st, s),
            N::CreateTrigStmt(st) => self.create_trigger(st, s),
            N::CreateEventTrigStmt(st) => self.create_event_trigger(st, s),
            N::AlterEventTrigStmt(st) => self.alter_event_trigger(st),
            N::CreatePolicyStmt(st) => self.create_policy(st, s),
            N::AlterPolicyStmt(st) => self.alter_policy(st, s),
            N::RuleStmt(st) => self.create_rule(st, s),
            N::CreateCastStmt(st) => self.create_cast(st, s),
            N::CreateRangeStmt(st) => self.create_range(st, s),
            // A database's own settings: named, not compared (as on the database side).
            N::AlterDatabaseSetStmt(_) | N::AlterRoleSetStmt(_) if !matches!(node, N::AlterRoleSetStmt(r) if r.database.is_empty()) =>
            {
                self.report(
                    Severity::Warning,
                    "settings of the database (ALTER DATABASE ... SET, ALTER ROLE ... IN DATABASE ... SET) are not \
                     compared yet: accepted, not compared",
                );
                Ok(())
            }
            N::CreateRoleStmt(_)
            | N::AlterRoleStmt(_)
            | N::DropRoleStmt(_)
            | N::GrantRoleStmt(_)
            | N::AlterRoleSetStmt(_) => {
                self.report(
                    Severity::Note,
                    "roles are cluster-wide, not part of a database's schema: accepted, not compared",
                );
                Ok(())
            }
            N::CallStmt(st) => self.call(st, s),
            N::NotifyStmt(_)
            | N::ListenStmt(_)
            | N::VacuumStmt(_)
            | N::ExplainStmt(_)
            | N::CheckPointStmt(_)
            | N::ReindexStmt(_)
            | N::LockStmt(_) => {
                self.report(Severity::Note, "not part of the schema, ignored");
                Ok(())
            }
            other => Err(format!("unsupported statement: {}", statement_name(other)).into()),
        }
    }
}

/// A readable name for a statement kind (`CreateFunctionStmt` → `CREATE FUNCTION`).
/// The name of the meta-command a line starts with, as psql reads it: `\;` and `\:`, else
/// the backslash and what follows up to a space or the next backslash.
fn meta_command_name(line: &str) -> &str {
    if line.starts_with("\\;") || line.starts_with("\\:") {
        return &line[..2];
    }
    let end = line.char_indices().skip(1).find(|(_, c)| c.is_whitespace() || *c == '\\').map_or(line.len(), |(i, _)| i);
    &line[..end]
}

pub fn statement_name(node: &N) -> String {
    let known = match node {
        N::ViewStmt(_) => Some("CREATE VIEW"),
        N::CreateFunctionStmt(f) if f.is_procedure => Some("CREATE PROCEDURE"),
        N::CreateFunctionStmt(_) => Some("CREATE FUNCTION"),
        N::CreateTrigStmt(_) => Some("CREATE TRIGGER"),
        N::CreatePolicyStmt(_) => Some("CREATE POLICY"),
        N::CreateTableAsStmt(_) => Some("CREATE MATERIALIZED VIEW / CREATE TABLE AS"),
        N::DefineStmt(_) => Some("CREATE AGGREGATE / OPERATOR / COLLATION / TEXT SEARCH / TYPE"),
        N::CreateRoleStmt(_) => Some("CREATE ROLE"),
        N::AlterDefaultPrivilegesStmt(_) => Some("ALTER DEFAULT PRIVILEGES"),
        N::RuleStmt(_) => Some("CREATE RULE"),
        N::CreateEventTrigStmt(_) => Some("CREATE EVENT TRIGGER"),
        N::CreateStatsStmt(_) => Some("CREATE STATISTICS"),
        N::CreateCastStmt(_) => Some("CREATE CAST"),
        N::CreatePlangStmt(_) => Some("CREATE LANGUAGE"),
        N::CreateForeignTableStmt(_) => Some("CREATE FOREIGN TABLE"),
        _ => None,
    };
    if let Some(k) = known {
        return k.to_string();
    }
    let debug = format!("{node:?}");
    let kind = debug.split('(').next().unwrap_or_default();
    let kind = kind.strip_suffix("Stmt").unwrap_or(kind);
    let mut words = Vec::new();
    let mut word = String::new();
    for c in kind.chars() {
        if c.is_uppercase() && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        word.push(c.to_ascii_uppercase());
    }
    words.push(word);
    words.join(" ")
}
