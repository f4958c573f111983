//! The rules: one statement, the state of the file so far, and Postgres' behaviour for that
//! command → lock, transactionality, rewrite and findings.

use super::Finding;
use crate::hazard::{HazardKind as H, LockLevel as L};
use crate::model::{Catalog, ConstraintKind, QualifiedName, Volatility};
use crate::normalize::{self, Scope};
use crate::plan::contract::{self, ColumnAspect, Loosening};
use crate::plan::typechange;
use crate::source::parse::ast;
use crate::source::parse::RecordedStatement;
use pg_query::protobuf::node::Node as N;
use pg_query::protobuf::{self as pb, AlterTableType as AT, ConstrType as C, Node, ObjectType as O};
use std::collections::{BTreeMap, BTreeSet};

/// What one statement costs.
pub struct Judged {
    pub summary: String,
    pub lock: Option<(L, QualifiedName)>,
    pub transactional: bool,
    pub rewrites: bool,
    pub findings: Vec<Finding>,
}

impl Judged {
    fn new(summary: impl Into<String>) -> Judged {
        Judged { summary: summary.into(), lock: None, transactional: true, rewrites: false, findings: Vec::new() }
    }

    /// Record a lock, keeping the strongest.
    fn lock(&mut self, level: L, table: &QualifiedName) {
        if self.lock.as_ref().is_none_or(|(l, _)| level > *l) {
            self.lock = Some((level, table.clone()));
        }
    }

    fn find(&mut self, f: Finding) {
        if f.kind == H::TableRewrite {
            self.rewrites = true;
        }
        self.findings.push(f);
    }
}

/// What the file has done so far.
pub struct FileState<'a> {
    before: &'a Catalog,
    /// The catalog the whole file leaves: a drop the file makes good later is no break.
    after: &'a Catalog,
    /// Relations the file created: nobody else sees them yet.
    created: BTreeSet<QualifiedName>,
    lock_timeout: bool,
    lock_timeout_reported: bool,
    /// CHECK (col IS NOT NULL) constraints the file added NOT VALID: name → (table, column).
    not_null_checks: BTreeMap<String, (QualifiedName, String)>,
    /// Columns with a validated CHECK (col IS NOT NULL): SET NOT NULL skips its scan.
    proven_not_null: BTreeSet<(QualifiedName, String)>,
    /// Names (schema if written, name) that statements after the one judged create, with how
    /// many do: a view, function or type dropped and re-created in the same migration is not
    /// gone for clients.
    created_later: BTreeMap<(Option<String>, String), usize>,
    /// Names statements before the one judged created (or renamed something to).
    created_earlier: BTreeSet<(Option<String>, String)>,
}

/// Whether `parts` (a name as written) is in `names`; a side without a schema matches any.
fn named_in<'n>(mut names: impl Iterator<Item = &'n (Option<String>, String)>, parts: &[String]) -> bool {
    let Some((name, rest)) = parts.split_last() else { return false };
    let schema = rest.last();
    names.any(|(s, n)| n == name && (s.is_none() || schema.is_none() || s.as_ref() == schema))
}

/// The names a statement creates (or renames something to), as written.
fn created_names(node: &Node) -> Vec<(Option<String>, String)> {
    let dotted = |parts: Vec<String>| ast::qualified_parts(&parts).into_iter().collect();
    match node.node.as_ref() {
        Some(N::CreateStmt(c)) => c.relation.as_ref().map(ast::range_var_parts).into_iter().collect(),
        Some(N::ViewStmt(v)) => v.view.as_ref().map(ast::range_var_parts).into_iter().collect(),
        Some(N::CreateTableAsStmt(c)) => {
            c.into.as_ref().and_then(|i| i.rel.as_ref()).map(ast::range_var_parts).into_iter().collect()
        }
        Some(N::CompositeTypeStmt(c)) => c.typevar.as_ref().map(ast::range_var_parts).into_iter().collect(),
        Some(N::CreateEnumStmt(e)) => dotted(ast::names(&e.type_name)),
        Some(N::CreateDomainStmt(d)) => dotted(ast::names(&d.domainname)),
        // A range type and its multirange type.
        Some(N::CreateRangeStmt(r)) => {
            let Some((schema, name)) = ast::qualified_parts(&ast::names(&r.type_name)) else { return Vec::new() };
            let named = ast::def_elems(&r.params).find(|d| d.defname.eq_ignore_ascii_case("multirange_type_name"));
            let multirange = match named.and_then(|d| d.arg.as_deref()).and_then(|a| a.node.as_ref()) {
                Some(N::TypeName(tn)) => ast::qualified_parts(&ast::names(&tn.names)),
                _ => None,
            };
            let multirange = match multirange {
                Some((s, m)) => (s.or_else(|| schema.clone()), m),
                None => (schema.clone(), crate::model::default_multirange_name(&name)),
            };
            vec![(schema, name), multirange]
        }
        Some(N::CreateFunctionStmt(f)) => dotted(ast::names(&f.funcname)),
        Some(N::CreateExtensionStmt(e)) => vec![(None, e.extname.clone())],
        Some(N::RenameStmt(r)) => {
            let schema = r.relation.as_ref().map(ast::range_var_parts).and_then(|(s, _)| s).or_else(|| {
                let parts = r.object.as_deref().map(ast::list_names).unwrap_or_default();
                (parts.len() > 1).then(|| parts[parts.len() - 2].clone())
            });
            vec![(schema, r.newname.clone())]
        }
        _ => Vec::new(),
    }
}

fn ident(s: &str) -> String {
    crate::model::quote_ident(s)
}

fn deparse(node: N) -> String {
    normalize::query::deparse(&Node { node: Some(node) }).unwrap_or_default()
}

/// The column a `col IS NOT NULL` expression tests.
fn is_not_null_column(e: &Node) -> Option<String> {
    match e.node.as_ref()? {
        N::NullTest(nt) if nt.nulltesttype == pb::NullTestType::IsNotNull as i32 => {
            match nt.arg.as_ref()?.node.as_ref()? {
                N::ColumnRef(cr) => ast::names(&cr.fields).pop(),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Functions whose value differs per row: a default calling one is computed for every row.
const VOLATILE_BUILTINS: &[&str] = &[
    "random",
    "gen_random_uuid",
    "uuid_generate_v1",
    "uuid_generate_v1mc",
    "uuid_generate_v4",
    "uuidv4",
    "uuidv7",
    "clock_timestamp",
    "timeofday",
    "nextval",
    "gen_random_bytes",
    "txid_current",
    "pg_current_xact_id",
    "setseed",
];

impl<'a> FileState<'a> {
    /// The state before a file whose statements are `statements`, which leave `after`.
    pub fn new(before: &'a Catalog, after: &'a Catalog, statements: &[RecordedStatement]) -> FileState<'a> {
        let mut created_later = BTreeMap::new();
        for name in statements.iter().flat_map(|st| created_names(&st.node)) {
            *created_later.entry(name).or_insert(0) += 1;
        }
        let mut proven_not_null = BTreeSet::new();
        for t in before.tables.values() {
            for c in t.constraints.values() {
                if let ConstraintKind::Check { expr, .. } = &c.kind {
                    if c.validated {
                        if let Some(col) = expr.key.strip_suffix(" IS NOT NULL") {
                            proven_not_null.insert((t.name.clone(), col.trim_matches('"').to_string()));
                        }
                    }
                }
            }
        }
        FileState {
            before,
            after,
            created: BTreeSet::new(),
            lock_timeout: false,
            lock_timeout_reported: false,
            not_null_checks: BTreeMap::new(),
            proven_not_null,
            created_later,
            created_earlier: BTreeSet::new(),
        }
    }

    fn scope<'s>(&'s self, search_path: &'s [String]) -> Scope<'s> {
        Scope::new(self.before, search_path)
    }

    /// A relation name as the statement's search_path resolves it (the first schema of the
    /// path when no relation of that name is known).
    fn resolve(&self, rv: &pb::RangeVar, search_path: &[String]) -> QualifiedName {
        let (schema, name) = ast::range_var_parts(rv);
        if let Some(s) = schema {
            return QualifiedName::new(s, name);
        }
        let path: Vec<&String> = search_path.iter().filter(|s| !s.starts_with('$') && *s != "pg_temp").collect();
        for s in &path {
            let qn = QualifiedName::new(s.as_str(), name.as_str());
            if self.created.contains(&qn)
                || self.before.tables.contains_key(&qn)
                || self.before.views.contains_key(&qn)
                || self.before.indexes.contains_key(&qn)
                || self.before.sequences.contains_key(&qn)
            {
                return qn;
            }
        }
        QualifiedName::new(path.first().map(|s| s.as_str()).unwrap_or("public"), name)
    }

    /// Whether a relation existed before this file (unknown relations are assumed to).
    fn existing(&self, qn: &QualifiedName) -> bool {
        !self.created.contains(qn)
    }

    /// Whether a later statement of the file creates an object of this name (as written).
    fn recreated_later(&self, parts: &[String]) -> bool {
        named_in(self.created_later.keys(), parts)
    }

    /// Whether an earlier statement of the file created an object of this name: nobody else
    /// has used it yet.
    fn created_in_file(&self, parts: &[String]) -> bool {
        named_in(self.created_earlier.iter(), parts)
    }

    /// What a subcommand on `column` of the existing `table` takes away (see [`contract`]):
    /// judged from the column before the file and the one the file leaves, so that a guarantee
    /// the file restores is no break; from the statement alone (`unmodeled`) when the history
    /// does not know the table.
    fn loosened(
        &self,
        j: &mut Judged,
        table: &QualifiedName,
        column: &str,
        aspect: ColumnAspect,
        unmodeled: &[Loosening],
    ) {
        let found = match self.before.tables.get(table) {
            None => unmodeled.to_vec(),
            Some(t) => match (t.column(column), self.after.tables.get(table).and_then(|t| t.column(column))) {
                (Some(before), Some(after)) => contract::column_loosened(before, after, aspect),
                _ => Vec::new(),
            },
        };
        for l in found {
            j.find(Finding::new(H::BreaksClients, l.message(table, column)));
        }
    }

    /// The tables a CREATE TABLE's foreign keys reference (column and table constraints).
    fn references(&self, cs: &pb::CreateStmt, path: &[String]) -> Vec<QualifiedName> {
        let constraints = cs.table_elts.iter().flat_map(|e| match e.node.as_ref() {
            Some(N::ColumnDef(cd)) => cd.constraints.iter().collect::<Vec<_>>(),
            Some(N::Constraint(_)) => vec![e],
            _ => Vec::new(),
        });
        constraints
            .filter_map(|n| match n.node.as_ref() {
                Some(N::Constraint(c)) if c.contype == C::ConstrForeign as i32 => c.pktable.as_ref(),
                _ => None,
            })
            .map(|rv| self.resolve(rv, path))
            .collect()
    }

    fn table_of_index(&self, qn: &QualifiedName) -> Option<QualifiedName> {
        if let Some(i) = self.before.indexes.get(qn) {
            return Some(i.table.clone());
        }
        self.before.constraint_index(qn).map(|(t, _)| t.name.clone())
    }

    fn volatile_default(&self, e: &Node, search_path: &[String]) -> Option<String> {
        let mut found = None;
        normalize::visit(e, &mut |n| {
            if let Some(N::FuncCall(fc)) = n.node.as_ref() {
                let names = ast::names(&fc.funcname);
                let Some(name) = names.last() else { return };
                // A function the file creates is known from the catalog the file leaves.
                let schema = names.len().checked_sub(2).map(|i| names[i].as_str());
                let volatile = VOLATILE_BUILTINS.contains(&name.as_str())
                    || [self.before, self.after].into_iter().any(|catalog| {
                        Scope::new(catalog, search_path)
                            .find_function(schema, name, Some(fc.args.len()))
                            .and_then(|id| catalog.functions.get(&id))
                            .is_some_and(|f| f.volatility == Volatility::Volatile)
                    });
                if volatile && found.is_none() {
                    found = Some(format!("{name}()"));
                }
            }
        });
        found
    }

    pub fn judge(&mut self, st: &RecordedStatement) -> Judged {
        let created = created_names(&st.node);
        for name in &created {
            if let Some(n) = self.created_later.get_mut(name) {
                *n -= 1;
                if *n == 0 {
                    self.created_later.remove(name);
                }
            }
        }
        let mut j = self.judge_node(st);
        self.created_earlier.extend(created);
        // A lock on a table others use, with nothing bounding the wait.
        if let Some((level, table)) = &j.lock {
            if *level >= L::ShareUpdateExclusive
                && self.existing(table)
                && !self.lock_timeout
                && !self.lock_timeout_reported
                && !matches!(st.node.node, Some(N::DeleteStmt(_) | N::UpdateStmt(_) | N::InsertStmt(_)))
            {
                self.lock_timeout_reported = true;
                j.findings.push(
                    Finding::new(
                        H::MissingLockTimeout,
                        format!("takes {} on {table} with no lock_timeout set: behind a long query it waits, and all queries on {table} wait behind it", level.name()),
                    )
                    .safer("SET lock_timeout = '5s';"),
                );
            }
        }
        j
    }

    fn judge_node(&mut self, st: &RecordedStatement) -> Judged {
        let path = &st.search_path;
        let Some(node) = st.node.node.as_ref() else {
            return Judged::new("empty statement");
        };
        match node {
            N::CreateStmt(cs) => {
                let Some(rv) = cs.relation.as_ref() else { return Judged::new("CREATE TABLE") };
                let qn = self.resolve(rv, path);
                let mut j = Judged::new(format!("CREATE TABLE {qn}"));
                // A foreign key locks the table it references against writes (briefly: a new
                // table has no rows to check); INHERITS locks the parents against schema changes.
                for referenced in self.references(cs, path) {
                    if self.existing(&referenced) && referenced != qn {
                        j.lock(L::ShareRowExclusive, &referenced);
                    }
                }
                if cs.partbound.is_none() {
                    for parent in &cs.inh_relations {
                        if let Some(N::RangeVar(p)) = parent.node.as_ref() {
                            let p = self.resolve(p, path);
                            if self.existing(&p) {
                                j.lock(L::ShareUpdateExclusive, &p);
                            }
                        }
                    }
                }
                if cs.partbound.is_some() {
                    if let Some(N::RangeVar(parent)) = cs.inh_relations.first().and_then(|n| n.node.as_ref()) {
                        let parent = self.resolve(parent, path);
                        if self.existing(&parent) {
                            j.lock(L::AccessExclusive, &parent);
                            j.find(
                                Finding::new(
                                    H::AccessExclusiveLock,
                                    format!("creating a partition takes ACCESS EXCLUSIVE on {parent}"),
                                )
                                .safer(format!(
                                    "CREATE TABLE {qn} (LIKE {parent} INCLUDING DEFAULTS INCLUDING CONSTRAINTS);\nALTER TABLE {parent} ATTACH PARTITION {qn} FOR VALUES ...;  -- SHARE UPDATE EXCLUSIVE on {parent}"
                                )),
                            );
                        }
                    }
                }
                self.created.insert(qn);
                j
            }
            N::CreateTableAsStmt(c) => {
                let what = if c.objtype == O::ObjectMatview as i32 { "MATERIALIZED VIEW" } else { "TABLE AS" };
                match c.into.as_ref().and_then(|i| i.rel.as_ref()) {
                    Some(rv) => {
                        let qn = self.resolve(rv, path);
                        self.created.insert(qn.clone());
                        Judged::new(format!("CREATE {what} {qn}"))
                    }
                    None => Judged::new(format!("CREATE {what}")),
                }
            }
            N::ViewStmt(v) => {
                let Some(rv) = v.view.as_ref() else { return Judged::new("CREATE VIEW") };
                let qn = self.resolve(rv, path);
                let mut j = Judged::new(format!("CREATE {}VIEW {qn}", if v.replace { "OR REPLACE " } else { "" }));
                if self.before.views.contains_key(&qn) && !self.created.contains(&qn) {
                    // Replacing a view others query locks it against them.
                    j.lock(L::AccessExclusive, &qn);
                } else {
                    self.created.insert(qn);
                }
                j
            }
            N::CreateSeqStmt(c) => match c.sequence.as_ref() {
                Some(rv) => {
                    let qn = self.resolve(rv, path);
                    self.created.insert(qn.clone());
                    Judged::new(format!("CREATE SEQUENCE {qn}"))
                }
                None => Judged::new("CREATE SEQUENCE"),
            },
            N::IndexStmt(ix) => self.index(ix, path),
            N::DropStmt(d) => self.drop(d, path),
            N::AlterTableStmt(at) => self.alter_table(at, path),
            N::RenameStmt(r) => self.rename(r, path),
            N::TruncateStmt(t) => {
                let tables: Vec<QualifiedName> = t
                    .relations
                    .iter()
                    .filter_map(|n| match n.node.as_ref() {
                        Some(N::RangeVar(rv)) => Some(self.resolve(rv, path)),
                        _ => None,
                    })
                    .collect();
                let names: Vec<String> = tables.iter().map(|t| t.to_string()).collect();
                let mut j = Judged::new(format!("TRUNCATE {}", names.join(", ")));
                let cascade = t.behavior == pb::DropBehavior::DropCascade as i32;
                for t in &tables {
                    j.lock(L::AccessExclusive, t);
                }
                j.find(Finding::new(
                    H::DataLoss,
                    format!(
                        "deletes every row of {}{}",
                        names.join(", "),
                        if cascade { " and of every table referencing them (CASCADE)" } else { "" }
                    ),
                ));
                j
            }
            N::DeleteStmt(d) => {
                let qn = d.relation.as_ref().map(|rv| self.resolve(rv, path));
                let name = qn.as_ref().map(|q| q.to_string()).unwrap_or_default();
                let mut j = Judged::new(format!("DELETE FROM {name}"));
                if let Some(qn) = &qn {
                    j.lock(L::RowExclusive, qn);
                }
                let all = d.where_clause.is_none();
                j.find(Finding::new(
                    H::DataLoss,
                    if all { format!("deletes every row of {name}") } else { format!("deletes rows of {name}") },
                ));
                j
            }
            N::UpdateStmt(u) => {
                let qn = u.relation.as_ref().map(|rv| self.resolve(rv, path));
                let mut j = Judged::new(format!("UPDATE {}", qn.as_ref().map(|q| q.to_string()).unwrap_or_default()));
                if let Some(qn) = &qn {
                    j.lock(L::RowExclusive, qn);
                }
                j
            }
            N::InsertStmt(i) => {
                let qn = i.relation.as_ref().map(|rv| self.resolve(rv, path));
                let mut j =
                    Judged::new(format!("INSERT INTO {}", qn.as_ref().map(|q| q.to_string()).unwrap_or_default()));
                if let Some(qn) = &qn {
                    j.lock(L::RowExclusive, qn);
                }
                j
            }
            N::TransactionStmt(_) => {
                let word = st.text.split_whitespace().next().unwrap_or("BEGIN").to_uppercase();
                let mut j = Judged::new(word.clone());
                j.find(Finding::new(
                    H::TransactionControl,
                    format!(
                        "{word} inside a migration file: the runner's own transaction around the file ends or nests"
                    ),
                ));
                j
            }
            N::VariableSetStmt(v) => {
                if v.name == "lock_timeout" {
                    let value = v.args.first().and_then(ast::text).unwrap_or_default();
                    self.lock_timeout = !matches!(value.trim(), "" | "0");
                }
                Judged::new(format!("SET {}", v.name))
            }
            N::GrantStmt(g) => {
                let mut j = Judged::new(if g.is_grant { "GRANT" } else { "REVOKE" });
                j.find(Finding::new(H::Authorization, "changes privileges"));
                j
            }
            N::GrantRoleStmt(_) => authorization("GRANT role", "changes role membership"),
            N::CreatePolicyStmt(p) => {
                let mut j =
                    authorization(format!("CREATE POLICY {}", p.policy_name), "adds a row-level security policy");
                if let Some(rv) = p.table.as_ref() {
                    j.lock(L::AccessExclusive, &self.resolve(rv, path));
                }
                j
            }
            N::AlterPolicyStmt(p) => {
                let mut j =
                    authorization(format!("ALTER POLICY {}", p.policy_name), "changes a row-level security policy");
                if let Some(rv) = p.table.as_ref() {
                    j.lock(L::AccessExclusive, &self.resolve(rv, path));
                }
                j
            }
            N::RuleStmt(r) => {
                let mut j = Judged::new(format!("CREATE RULE {}", r.rulename));
                if let Some(rv) = r.relation.as_ref() {
                    j.lock(L::AccessExclusive, &self.resolve(rv, path));
                }
                j
            }
            N::AlterTsdictionaryStmt(d) => {
                let name = ast::names(&d.dictname).join(".");
                let mut j = Judged::new(format!("ALTER TEXT SEARCH DICTIONARY {name}"));
                j.find(Finding::new(
                    H::StaleDerivedData,
                    format!("indexes and stored values computed with {name} are not computed again"),
                ));
                j
            }
            N::AlterSeqStmt(a) => {
                let Some(rv) = a.sequence.as_ref() else { return Judged::new("ALTER SEQUENCE") };
                let qn = self.resolve(rv, path);
                // Blocks nextval(), so the inserts that draw from it, until the transaction ends.
                let mut j = Judged::new(format!("ALTER SEQUENCE {qn}"));
                j.lock(L::ShareRowExclusive, &qn);
                j
            }
            N::AlterOwnerStmt(_) => authorization("ALTER ... OWNER TO", "changes an owner"),
            N::AlterDefaultPrivilegesStmt(_) => {
                authorization("ALTER DEFAULT PRIVILEGES", "changes the privileges of objects created later")
            }
            N::CreateRoleStmt(r) => authorization(format!("CREATE ROLE {}", r.role), "creates a role"),
            N::AlterRoleStmt(_) => authorization("ALTER ROLE", "changes a role"),
            N::DropRoleStmt(_) => authorization("DROP ROLE", "drops a role"),
            N::CreateFunctionStmt(f) => {
                let names = ast::names(&f.funcname);
                let mut j = Judged::new(format!(
                    "CREATE {}{} {}",
                    if f.replace { "OR REPLACE " } else { "" },
                    if f.is_procedure { "PROCEDURE" } else { "FUNCTION" },
                    names.join(".")
                ));
                let mut language = String::new();
                for d in ast::def_elems(&f.options) {
                    match d.defname.as_str() {
                        "language" => language = d.arg.as_deref().and_then(ast::text).unwrap_or_default(),
                        "security"
                            if matches!(d.arg.as_deref().and_then(|a| a.node.as_ref()), Some(N::Boolean(b)) if b.boolval)
                                || d.arg.as_deref().and_then(ast::int) == Some(1) =>
                        {
                            j.find(Finding::new(
                                H::Authorization,
                                "SECURITY DEFINER: runs with its owner's privileges; pin its search_path",
                            ))
                        }
                        _ => {}
                    }
                }
                if language.eq_ignore_ascii_case("plpgsql") {
                    j.find(Finding::new(
                        H::UntrackedDependency,
                        "the objects a PL/pgSQL body uses are not checked when it is created, and dropping them does not fail",
                    ));
                }
                j
            }
            N::DoStmt(_) => {
                let mut j = Judged::new("DO");
                j.find(Finding::new(H::UntrackedDependency, "a DO block runs code that review cannot see into"));
                j
            }
            N::AlterDomainStmt(d) => {
                let name = ast::names(&d.type_name).join(".");
                let mut j = Judged::new(format!("ALTER DOMAIN {name}"));
                let adds_checked = d.subtype == "C"
                    && matches!(d.def.as_deref().and_then(|n| n.node.as_ref()), Some(N::Constraint(c)) if !c.skip_validation);
                // A domain this file created holds no stored values yet.
                if (adds_checked || d.subtype == "O") && !self.created_in_file(&ast::names(&d.type_name)) {
                    j.find(
                        Finding::new(
                            H::ValidationScan,
                            format!("checks every stored value of domain {name}, in every table using it, while blocking writes"),
                        )
                        .safer(format!("ALTER DOMAIN {name} ADD CONSTRAINT ... NOT VALID;\nALTER DOMAIN {name} VALIDATE CONSTRAINT ...;")),
                    );
                    j.find(Finding::new(
                        H::FailsOnExistingData,
                        format!("fails if a stored value of domain {name} violates it"),
                    ));
                }
                j
            }
            N::AlterEnumStmt(e) => {
                let name = ast::names(&e.type_name).join(".");
                if !e.old_val.is_empty() {
                    let mut j = Judged::new(format!("ALTER TYPE {name} RENAME VALUE"));
                    j.find(Finding::new(
                        H::BreaksClients,
                        format!("renames value '{}' of {name}: code that writes the old label fails", e.old_val),
                    ));
                    j
                } else {
                    Judged::new(format!("ALTER TYPE {name} ADD VALUE"))
                }
            }
            N::RefreshMatViewStmt(r) => {
                let qn =
                    r.relation.as_ref().map(|rv| self.resolve(rv, path)).unwrap_or_else(|| QualifiedName::new("", ""));
                let mut j = Judged::new(format!("REFRESH MATERIALIZED VIEW {qn}"));
                if r.concurrent {
                    j.lock(L::Exclusive, &qn);
                } else {
                    j.lock(L::AccessExclusive, &qn);
                    if self.existing(&qn) {
                        j.find(
                            Finding::new(H::AccessExclusiveLock, format!("reads of {qn} wait for the whole refresh"))
                                .safer(format!(
                                    "REFRESH MATERIALIZED VIEW CONCURRENTLY {qn};  -- needs a unique index on it"
                                )),
                        );
                    }
                }
                j
            }
            N::ClusterStmt(c) => {
                let qn = c.relation.as_ref().map(|rv| self.resolve(rv, path));
                let mut j = Judged::new(format!("CLUSTER {}", qn.as_ref().map(|q| q.to_string()).unwrap_or_default()));
                if let Some(qn) = &qn {
                    j.lock(L::AccessExclusive, qn);
                }
                j.find(Finding::new(H::TableRewrite, "rewrites the table in index order under ACCESS EXCLUSIVE"));
                j
            }
            N::VacuumStmt(v) => {
                let full =
                    v.options.iter().any(|o| matches!(o.node.as_ref(), Some(N::DefElem(d)) if d.defname == "full"));
                let word = if v.is_vacuumcmd { "VACUUM" } else { "ANALYZE" };
                let mut j = Judged::new(if full { "VACUUM FULL".to_string() } else { word.to_string() });
                if v.is_vacuumcmd {
                    j.transactional = false;
                    j.find(Finding::new(H::NonTransactional, "VACUUM cannot run inside a transaction block"));
                }
                if full {
                    for r in &v.rels {
                        if let Some(N::VacuumRelation(vr)) = r.node.as_ref() {
                            if let Some(rv) = vr.relation.as_ref() {
                                let qn = self.resolve(rv, path);
                                j.lock(L::AccessExclusive, &qn);
                            }
                        }
                    }
                    j.find(Finding::new(H::TableRewrite, "VACUUM FULL rewrites the table under ACCESS EXCLUSIVE"));
                }
                j
            }
            N::ReindexStmt(r) => {
                let concurrently = r
                    .params
                    .iter()
                    .any(|o| matches!(o.node.as_ref(), Some(N::DefElem(d)) if d.defname == "concurrently"));
                let mut j = Judged::new("REINDEX");
                if let Some(rv) = r.relation.as_ref() {
                    let qn = self.resolve(rv, path);
                    let table = self.table_of_index(&qn).unwrap_or(qn);
                    j.lock(if concurrently { L::ShareUpdateExclusive } else { L::Share }, &table);
                }
                if concurrently {
                    j.transactional = false;
                    j.find(Finding::new(
                        H::NonTransactional,
                        "REINDEX CONCURRENTLY cannot run inside a transaction block",
                    ));
                } else {
                    let safer = st.text.replacen("REINDEX", "REINDEX (CONCURRENTLY)", 1);
                    j.find(
                        Finding::new(H::IndexBuild, "rebuilds the index while writes to the table are blocked")
                            .safer(safer),
                    );
                }
                j
            }
            N::LockStmt(l) => {
                let mut j = Judged::new("LOCK TABLE");
                // AccessExclusiveLock is lock mode 8 in Postgres' lockdefs.h.
                let level = if l.mode >= 8 { L::AccessExclusive } else { L::Share };
                for r in &l.relations {
                    if let Some(N::RangeVar(rv)) = r.node.as_ref() {
                        let qn = self.resolve(rv, path);
                        j.lock(level, &qn);
                    }
                }
                if level == L::AccessExclusive {
                    j.find(Finding::new(H::AccessExclusiveLock, "holds ACCESS EXCLUSIVE until the transaction ends"));
                }
                j
            }
            N::CreateTrigStmt(t) => {
                let mut j = Judged::new(format!("CREATE TRIGGER {}", t.trigname));
                if let Some(rv) = t.relation.as_ref() {
                    let qn = self.resolve(rv, path);
                    j.lock(L::ShareRowExclusive, &qn);
                }
                j
            }
            N::DropdbStmt(d) => {
                let mut j = Judged::new(format!("DROP DATABASE {}", d.dbname));
                j.find(Finding::new(H::DataLoss, format!("drops database {} and everything in it", d.dbname)));
                j
            }
            _ => Judged::new(statement_words(&st.text)),
        }
    }

    fn index(&mut self, ix: &pb::IndexStmt, path: &[String]) -> Judged {
        let Some(rv) = ix.relation.as_ref() else { return Judged::new("CREATE INDEX") };
        let table = self.resolve(rv, path);
        let name = if ix.idxname.is_empty() { String::new() } else { format!("{} ", ident(&ix.idxname)) };
        let mut j = Judged::new(format!(
            "CREATE {}INDEX {}{}ON {table}",
            if ix.unique { "UNIQUE " } else { "" },
            if ix.concurrent { "CONCURRENTLY " } else { "" },
            name
        ));
        if ix.concurrent {
            j.lock(L::ShareUpdateExclusive, &table);
            j.transactional = false;
            let message = if ix.if_not_exists {
                "CREATE INDEX CONCURRENTLY cannot run in a transaction block; a failed build leaves an INVALID index, \
                 which IF NOT EXISTS then takes for done on the next run: check pg_index.indisvalid, or drop it first"
            } else {
                "CREATE INDEX CONCURRENTLY cannot run in a transaction block; a failed build leaves an INVALID index to drop"
            };
            let mut finding = Finding::new(H::NonTransactional, message);
            if ix.if_not_exists && !ix.idxname.is_empty() {
                let index = QualifiedName::new(table.schema.clone(), ix.idxname.clone());
                finding = finding.safer(format!(
                    "DROP INDEX CONCURRENTLY IF EXISTS {index};  -- only if an earlier build left it INVALID\n{};",
                    deparse(N::IndexStmt(Box::new(ix.clone())))
                ));
            }
            j.find(finding);
        } else {
            j.lock(L::Share, &table);
            if self.existing(&table) {
                let partitioned = self.before.tables.get(&table).is_some_and(|t| t.partition_key.is_some());
                let safer = if partitioned {
                    format!(
                        "{}\nCREATE INDEX ... ON ONLY {table} (...);\n-- then, per partition: CREATE INDEX CONCURRENTLY ...; ALTER INDEX ... ATTACH PARTITION ...;",
                        crate::model::sql_comment(&format!("{table} is partitioned: CONCURRENTLY is not supported on it."))
                    )
                } else {
                    let mut c = ix.clone();
                    c.concurrent = true;
                    format!("{};", deparse(N::IndexStmt(Box::new(c))))
                };
                j.find(
                    Finding::new(H::IndexBuild, format!("builds the index while writes to {table} are blocked"))
                        .safer(safer),
                );
            }
        }
        if ix.unique && self.existing(&table) {
            j.find(Finding::new(H::FailsOnExistingData, format!("fails if existing rows of {table} hold duplicates")));
        }
        j
    }

    fn drop(&mut self, d: &pb::DropStmt, path: &[String]) -> Judged {
        let cascade = d.behavior == pb::DropBehavior::DropCascade as i32;
        let objects: Vec<Vec<String>> = d.objects.iter().map(object_names).collect();
        let qualified = |names: &Vec<String>| -> QualifiedName {
            let rv = pb::RangeVar {
                schemaname: if names.len() > 1 { names[names.len() - 2].clone() } else { String::new() },
                relname: names.last().cloned().unwrap_or_default(),
                inh: true,
                relpersistence: "p".into(),
                ..Default::default()
            };
            self.resolve(&rv, path)
        };
        let word = |t: i32| -> &'static str {
            match O::try_from(t).unwrap_or(O::Undefined) {
                O::ObjectTable => "TABLE",
                O::ObjectIndex => "INDEX",
                O::ObjectView => "VIEW",
                O::ObjectMatview => "MATERIALIZED VIEW",
                O::ObjectSequence => "SEQUENCE",
                O::ObjectType => "TYPE",
                O::ObjectDomain => "DOMAIN",
                O::ObjectSchema => "SCHEMA",
                O::ObjectFunction => "FUNCTION",
                O::ObjectProcedure => "PROCEDURE",
                O::ObjectTrigger => "TRIGGER",
                O::ObjectPolicy => "POLICY",
                O::ObjectExtension => "EXTENSION",
                O::ObjectForeignTable => "FOREIGN TABLE",
                _ => "",
            }
        };
        let kind = O::try_from(d.remove_type).unwrap_or(O::Undefined);
        let names: Vec<String> = objects.iter().map(|n| n.join(".")).collect();
        // Dropped to be re-created by the same migration (around a change it depends on).
        let all_recreated = objects.iter().all(|n| self.recreated_later(n) || self.created_in_file(n));
        let mut j = Judged::new(format!(
            "DROP {}{} {}",
            word(d.remove_type),
            if d.concurrent { " CONCURRENTLY" } else { "" },
            names.join(", ")
        ));
        let also = if cascade { ", and everything that depends on it (CASCADE)" } else { "" };
        match kind {
            O::ObjectView | O::ObjectMatview | O::ObjectForeignTable => {
                for n in &objects {
                    j.lock(L::AccessExclusive, &qualified(n));
                }
            }
            // `ON table`: the name's last part is the trigger's or policy's, the rest the table's.
            O::ObjectTrigger | O::ObjectPolicy => {
                for n in objects.iter().filter(|n| n.len() > 1) {
                    j.lock(L::AccessExclusive, &qualified(&n[..n.len() - 1].to_vec()));
                }
            }
            O::ObjectSchema if cascade => {
                // Everything in it is locked: report the first relation the history knows.
                let relations = self.before.tables.keys().chain(self.before.views.keys());
                if let Some(r) = relations.filter(|r| names.contains(&r.schema)).min() {
                    j.lock(L::AccessExclusive, r);
                }
            }
            _ => {}
        }
        match kind {
            O::ObjectTable => {
                for n in &objects {
                    let qn = qualified(n);
                    j.lock(L::AccessExclusive, &qn);
                    if self.existing(&qn) {
                        j.find(Finding::new(H::DataLoss, format!("deletes table {qn} and all its rows{also}")));
                    }
                }
            }
            O::ObjectIndex => {
                for n in &objects {
                    let qn = qualified(n);
                    let table = self.table_of_index(&qn);
                    if d.concurrent {
                        if let Some(t) = &table {
                            j.lock(L::ShareUpdateExclusive, t);
                        }
                        j.transactional = false;
                        j.find(Finding::new(
                            H::NonTransactional,
                            "DROP INDEX CONCURRENTLY cannot run in a transaction block",
                        ));
                    } else {
                        // The index itself is locked too: the lock to report when its table
                        // is unknown.
                        j.lock(L::AccessExclusive, table.as_ref().unwrap_or(&qn));
                        if table.as_ref().is_none_or(|t| self.existing(t)) {
                            let on = table.as_ref().map(|t| format!(" on {t}")).unwrap_or_default();
                            j.find(
                                Finding::new(
                                    H::AccessExclusiveLock,
                                    format!("dropping index {qn} takes ACCESS EXCLUSIVE{on}"),
                                )
                                .safer(format!("DROP INDEX CONCURRENTLY {qn};")),
                            );
                        }
                    }
                    let index = self.before.indexes.get(&qn);
                    if let Some(message) = index
                        .filter(|i| self.existing(&i.table))
                        .and_then(|i| contract::unique_index_dropped(i, self.after))
                    {
                        j.find(Finding::new(H::BreaksClients, message));
                    }
                }
            }
            O::ObjectSequence => {
                for n in &objects {
                    j.lock(L::AccessExclusive, &qualified(n));
                }
                j.find(Finding::new(H::DataLoss, format!("the current value of {} is lost", names.join(", "))));
            }
            O::ObjectType | O::ObjectDomain | O::ObjectView | O::ObjectMatview | O::ObjectFunction
                if all_recreated && !cascade => {}
            O::ObjectType | O::ObjectDomain if !cascade => {
                j.find(Finding::new(
                    H::BreaksClients,
                    format!("code casting to or declaring {} fails", names.join(", ")),
                ));
            }
            O::ObjectExtension => {
                j.find(Finding::new(
                    H::BreaksClients,
                    format!("the functions and types of {} go away{also}", names.join(", ")),
                ));
                if cascade {
                    j.find(Finding::new(
                        H::DataLoss,
                        "CASCADE drops every column and object using the extension's types",
                    ));
                }
            }
            O::ObjectType | O::ObjectDomain | O::ObjectSchema if cascade => {
                j.find(Finding::new(
                    H::DataLoss,
                    format!("CASCADE drops every column, table or object using {}", names.join(", ")),
                ));
            }
            O::ObjectSchema => {}
            O::ObjectForeignTable if all_recreated && !cascade => {}
            // Its rows live on the foreign server: nothing is lost, but queries using it fail.
            O::ObjectView | O::ObjectMatview | O::ObjectFunction | O::ObjectProcedure | O::ObjectForeignTable => {
                j.find(Finding::new(
                    H::BreaksClients,
                    format!("queries and code using {} fail{also}", names.join(", ")),
                ));
            }
            O::ObjectPolicy => {
                j.find(Finding::new(H::Authorization, "drops a row-level security policy"));
            }
            _ => {}
        }
        j
    }

    fn rename(&mut self, r: &pb::RenameStmt, path: &[String]) -> Judged {
        let kind = O::try_from(r.rename_type).unwrap_or(O::Undefined);
        let relation = r.relation.as_ref().map(|rv| self.resolve(rv, path));
        let target = relation
            .as_ref()
            .map(|q| q.to_string())
            .or_else(|| r.object.as_deref().map(|o| ast::list_names(o).join(".")))
            .unwrap_or_default();
        let (what, breaks) = match kind {
            O::ObjectColumn | O::ObjectAttribute => (format!("column {target}.{}", ident(&r.subname)), true),
            O::ObjectTable => (format!("table {target}"), true),
            O::ObjectView => (format!("view {target}"), true),
            O::ObjectMatview => (format!("materialized view {target}"), true),
            O::ObjectFunction | O::ObjectProcedure => (format!("routine {target}"), true),
            O::ObjectType | O::ObjectDomain => (format!("type {target}"), true),
            O::ObjectSchema => (format!("schema {}", ident(&r.subname)), true),
            O::ObjectTabconstraint => (format!("constraint {} of {target}", ident(&r.subname)), false),
            O::ObjectIndex => (format!("index {target}"), false),
            O::ObjectSequence => (format!("sequence {target}"), true),
            O::ObjectTrigger => (format!("trigger {}", ident(&r.subname)), false),
            _ => (target.clone(), false),
        };
        let mut j = Judged::new(format!("RENAME {what} TO {}", ident(&r.newname)));
        if let Some(t) = &relation {
            let table = if kind == O::ObjectIndex { self.table_of_index(t).unwrap_or(t.clone()) } else { t.clone() };
            j.lock(L::AccessExclusive, &table);
            if kind == O::ObjectTable && !self.existing(t) {
                self.created.insert(QualifiedName::new(t.schema.clone(), r.newname.clone()));
            }
        }
        let old_parts: Vec<String> = match (&relation, r.object.as_deref()) {
            (Some(t), _) => vec![t.schema.clone(), t.name.clone()],
            (None, Some(o)) => object_names(o),
            _ => Vec::new(),
        };
        // Renamed aside for a new object of the same name (a type re-created around its columns,
        // with its constructors for a range type).
        let replaced =
            matches!(kind, O::ObjectTable | O::ObjectView | O::ObjectType | O::ObjectDomain | O::ObjectFunction)
                && self.recreated_later(&old_parts);
        if breaks && !replaced && relation.as_ref().is_none_or(|t| self.existing(t)) {
            j.find(Finding::new(
                H::BreaksClients,
                format!("renaming {what} breaks queries that still use the old name (the running application's)"),
            ));
        }
        j
    }

    fn alter_table(&mut self, at: &pb::AlterTableStmt, path: &[String]) -> Judged {
        let Some(rv) = at.relation.as_ref() else { return Judged::new("ALTER TABLE") };
        let mut table = self.resolve(rv, path);
        let is_index = at.objtype == O::ObjectIndex as i32;
        if is_index {
            table = self.table_of_index(&table).unwrap_or(table);
        }
        let existing = self.existing(&table);
        let word = match O::try_from(at.objtype).unwrap_or(O::Undefined) {
            O::ObjectIndex => "INDEX",
            O::ObjectMatview => "MATERIALIZED VIEW",
            O::ObjectView => "VIEW",
            O::ObjectSequence => "SEQUENCE",
            O::ObjectType => "TYPE",
            O::ObjectForeignTable => "FOREIGN TABLE",
            _ => "TABLE",
        };
        let mut parts = Vec::new();
        let mut j = Judged::new(String::new());
        for cmd in &at.cmds {
            let Some(N::AlterTableCmd(c)) = cmd.node.as_ref() else { continue };
            let sub = AT::try_from(c.subtype).unwrap_or(AT::Undefined);
            let col = ident(&c.name);
            let one = |c: &pb::AlterTableCmd| -> String {
                let mut single = at.clone();
                single.cmds = vec![Node { node: Some(N::AlterTableCmd(Box::new(c.clone()))) }];
                format!("{};", deparse(N::AlterTableStmt(single)))
            };
            match sub {
                AT::AtAddColumn => {
                    let Some(N::ColumnDef(cd)) = c.def.as_deref().and_then(|n| n.node.as_ref()) else { continue };
                    parts.push(format!("ADD COLUMN {}", ident(&cd.colname)));
                    j.lock(L::AccessExclusive, &table);
                    if existing {
                        self.add_column(&mut j, &table, cd, path);
                    }
                }
                AT::AtColumnDefault | AT::AtCookedColumnDefault => {
                    parts.push(format!("ALTER COLUMN {col} {} DEFAULT", if c.def.is_some() { "SET" } else { "DROP" }));
                    j.lock(L::AccessExclusive, &table);
                    if c.def.is_none() && existing {
                        let unmodeled = [Loosening::NothingFills { not_null: None }];
                        self.loosened(&mut j, &table, &c.name, ColumnAspect::Omitted, &unmodeled);
                    }
                }
                AT::AtDropNotNull => {
                    parts.push(format!("ALTER COLUMN {col} DROP NOT NULL"));
                    j.lock(L::AccessExclusive, &table);
                    if existing {
                        self.loosened(&mut j, &table, &c.name, ColumnAspect::Nullability, &[Loosening::MayBeNull]);
                    }
                }
                AT::AtDropIdentity => {
                    parts.push(format!("ALTER COLUMN {col} DROP IDENTITY"));
                    j.lock(L::AccessExclusive, &table);
                    if existing {
                        // An identity column is NOT NULL, and stays so without it.
                        let unmodeled = [Loosening::NothingFills { not_null: Some(true) }];
                        self.loosened(&mut j, &table, &c.name, ColumnAspect::Omitted, &unmodeled);
                    }
                }
                AT::AtAddIdentity | AT::AtSetIdentity => {
                    // ADD carries a Constraint (`generated_when` 'a' or 'd', sequence options);
                    // SET a list of options, `generated` among them (the character as integer).
                    let (always, start) = match c.def.as_deref().and_then(|n| n.node.as_ref()) {
                        Some(N::Constraint(con)) => (
                            con.generated_when == "a",
                            ast::def_elems(&con.options)
                                .find(|d| d.defname == "start")
                                .and_then(|d| d.arg.as_deref().and_then(ast::int))
                                .or(Some(1)),
                        ),
                        Some(N::List(l)) => (
                            ast::def_elems(&l.items).any(|d| {
                                d.defname == "generated" && d.arg.as_deref().and_then(ast::int) == Some(i64::from(b'a'))
                            }),
                            None,
                        ),
                        _ => (false, None),
                    };
                    let sets_generated = matches!(
                        c.def.as_deref().and_then(|n| n.node.as_ref()),
                        Some(N::List(l)) if ast::def_elems(&l.items).any(|d| d.defname == "generated")
                    );
                    parts.push(format!(
                        "ALTER COLUMN {col} {}",
                        match (sub == AT::AtAddIdentity, always, sets_generated) {
                            (true, true, _) => "ADD GENERATED ALWAYS AS IDENTITY",
                            (true, false, _) => "ADD GENERATED BY DEFAULT AS IDENTITY",
                            (false, true, _) => "SET GENERATED ALWAYS",
                            (false, false, true) => "SET GENERATED BY DEFAULT",
                            (false, false, false) => "SET sequence options",
                        }
                    ));
                    j.lock(L::AccessExclusive, &table);
                    if existing {
                        let mut unmodeled = Vec::new();
                        if always {
                            unmodeled.push(Loosening::SuppliedFails);
                        }
                        unmodeled.extend(start.map(Loosening::IdentityStartsAt));
                        self.loosened(&mut j, &table, &c.name, ColumnAspect::Supplied, &unmodeled);
                    }
                }
                AT::AtDropExpression => {
                    parts.push(format!("ALTER COLUMN {col} DROP EXPRESSION"));
                    j.lock(L::AccessExclusive, &table);
                    if existing {
                        let unmodeled = [Loosening::NoLongerComputed];
                        self.loosened(&mut j, &table, &c.name, ColumnAspect::Generated, &unmodeled);
                    }
                }
                AT::AtSetNotNull => {
                    parts.push(format!("ALTER COLUMN {col} SET NOT NULL"));
                    j.lock(L::AccessExclusive, &table);
                    if existing && !self.proven_not_null.contains(&(table.clone(), c.name.clone())) {
                        self.set_not_null(&mut j, &table, &c.name);
                    }
                }
                AT::AtDropColumn => {
                    parts.push(format!("DROP COLUMN {col}"));
                    j.lock(L::AccessExclusive, &table);
                    // A generated column's values are derived: nothing is lost.
                    let generated = self
                        .before
                        .tables
                        .get(&table)
                        .and_then(|t| t.column(&c.name))
                        .is_some_and(|x| x.generated.is_some());
                    if existing && !generated {
                        j.find(Finding::new(H::DataLoss, format!("deletes the values of column {table}.{col}")));
                    }
                }
                AT::AtAlterColumnType => {
                    parts.push(format!("ALTER COLUMN {col} TYPE"));
                    j.lock(L::AccessExclusive, &table);
                    if existing {
                        self.alter_type(&mut j, &table, c, path);
                    }
                }
                AT::AtAddConstraint => {
                    let Some(N::Constraint(con)) = c.def.as_deref().and_then(|n| n.node.as_ref()) else { continue };
                    parts.push(format!("ADD {}", constraint_words(con)));
                    self.add_constraint(&mut j, &table, existing, c, con, path, &one);
                }
                AT::AtValidateConstraint => {
                    parts.push(format!("VALIDATE CONSTRAINT {col}"));
                    j.lock(L::ShareUpdateExclusive, &table);
                    if existing {
                        j.find(Finding::new(
                            H::FailsOnExistingData,
                            format!("fails if a row of {table} violates {col} (writes go on meanwhile)"),
                        ));
                    }
                    if let Some(proven) = self.not_null_checks.get(&c.name) {
                        self.proven_not_null.insert(proven.clone());
                    }
                }
                AT::AtAlterConstraint => {
                    parts.push(command_words(sub));
                    j.lock(L::ShareRowExclusive, &table);
                    // ENFORCED (18) validates the key at once, under the lock.
                    if let Some(N::AtalterConstraint(ac)) = c.def.as_deref().and_then(|n| n.node.as_ref()) {
                        if existing && ac.alter_enforceability && ac.is_enforced {
                            j.find(Finding::new(
                                H::ValidationScan,
                                format!(
                                    "checks every row of {table} against the referenced table while writes are blocked"
                                ),
                            ));
                            j.find(Finding::new(
                                H::FailsOnExistingData,
                                format!("fails if a row of {table} has no referenced row"),
                            ));
                        }
                    }
                }
                AT::AtDropConstraint => {
                    parts.push(format!("DROP CONSTRAINT {col}"));
                    j.lock(L::AccessExclusive, &table);
                    let dropped = self.before.tables.get(&table).and_then(|t| t.constraints.get(&c.name));
                    if let Some(message) = dropped
                        .filter(|_| existing)
                        .and_then(|con| contract::constraint_dropped(&table, con, self.after))
                    {
                        j.find(Finding::new(H::BreaksClients, message));
                    }
                }
                AT::AtSetLogged | AT::AtSetUnLogged | AT::AtSetTableSpace | AT::AtSetAccessMethod => {
                    let what = match sub {
                        AT::AtSetLogged => "SET LOGGED",
                        AT::AtSetUnLogged => "SET UNLOGGED",
                        AT::AtSetTableSpace => "SET TABLESPACE",
                        _ => "SET ACCESS METHOD",
                    };
                    parts.push(what.to_string());
                    j.lock(L::AccessExclusive, &table);
                    if existing {
                        j.find(Finding::new(
                            H::TableRewrite,
                            format!("{what} rewrites {table} under ACCESS EXCLUSIVE"),
                        ));
                    }
                }
                AT::AtAttachPartition => {
                    let child = match c.def.as_deref().and_then(|n| n.node.as_ref()) {
                        Some(N::PartitionCmd(p)) => p.name.as_ref().map(|rv| self.resolve(rv, path)),
                        _ => None,
                    };
                    let child_name = child.as_ref().map(|c| c.to_string()).unwrap_or_default();
                    parts.push(format!("ATTACH PARTITION {child_name}"));
                    j.lock(L::ShareUpdateExclusive, &table);
                    if child.as_ref().is_some_and(|c| self.existing(c)) {
                        j.find(Finding::new(
                            H::ValidationScan,
                            format!("{child_name} is scanned under ACCESS EXCLUSIVE to check its rows fit the bound, unless a validated CHECK constraint implies it")
                        ).safer(format!("ALTER TABLE {child_name} ADD CONSTRAINT ... CHECK (<the bound>) NOT VALID;\nALTER TABLE {child_name} VALIDATE CONSTRAINT ...;\n-- then ATTACH PARTITION, and drop the CHECK")));
                    }
                }
                AT::AtDetachPartition => {
                    let concurrent = matches!(c.def.as_deref().and_then(|n| n.node.as_ref()), Some(N::PartitionCmd(p)) if p.concurrent);
                    parts.push(format!("DETACH PARTITION{}", if concurrent { " CONCURRENTLY" } else { "" }));
                    if concurrent {
                        j.lock(L::ShareUpdateExclusive, &table);
                        j.transactional = false;
                        j.find(Finding::new(
                            H::NonTransactional,
                            "DETACH PARTITION CONCURRENTLY cannot run in a transaction block",
                        ));
                    } else {
                        j.lock(L::AccessExclusive, &table);
                        if existing {
                            j.find(
                                Finding::new(
                                    H::AccessExclusiveLock,
                                    format!("detaching takes ACCESS EXCLUSIVE on {table}"),
                                )
                                .safer({
                                    let mut concurrent = c.clone();
                                    if let Some(N::PartitionCmd(p)) =
                                        concurrent.def.as_deref_mut().and_then(|n| n.node.as_mut())
                                    {
                                        p.concurrent = true;
                                    }
                                    format!("{}  -- outside a transaction", one(&concurrent))
                                }),
                            );
                        }
                    }
                }
                AT::AtEnableRowSecurity
                | AT::AtDisableRowSecurity
                | AT::AtForceRowSecurity
                | AT::AtNoForceRowSecurity => {
                    let what = match sub {
                        AT::AtEnableRowSecurity => "ENABLE ROW LEVEL SECURITY",
                        AT::AtDisableRowSecurity => "DISABLE ROW LEVEL SECURITY",
                        AT::AtForceRowSecurity => "FORCE ROW LEVEL SECURITY",
                        _ => "NO FORCE ROW LEVEL SECURITY",
                    };
                    parts.push(what.to_string());
                    j.lock(L::AccessExclusive, &table);
                    j.find(Finding::new(H::Authorization, format!("{what} on {table}")));
                }
                AT::AtChangeOwner => {
                    parts.push("OWNER TO".into());
                    j.lock(L::AccessExclusive, &table);
                    j.find(Finding::new(H::Authorization, format!("changes the owner of {table}")));
                }
                AT::AtSetStatistics
                | AT::AtSetOptions
                | AT::AtResetOptions
                | AT::AtSetRelOptions
                | AT::AtResetRelOptions
                | AT::AtClusterOn
                | AT::AtDropCluster => {
                    parts.push(command_words(sub));
                    j.lock(L::ShareUpdateExclusive, &table);
                }
                AT::AtEnableTrig
                | AT::AtEnableAlwaysTrig
                | AT::AtEnableReplicaTrig
                | AT::AtDisableTrig
                | AT::AtEnableTrigAll
                | AT::AtDisableTrigAll
                | AT::AtEnableTrigUser
                | AT::AtDisableTrigUser => {
                    parts.push(command_words(sub));
                    j.lock(L::ShareRowExclusive, &table);
                }
                _ => {
                    parts.push(command_words(sub));
                    j.lock(L::AccessExclusive, &table);
                }
            }
        }
        j.summary = format!("ALTER {word} {table} {}", parts.join(", "));
        if at.objtype == O::ObjectType as i32 {
            // A composite type is no table: no rows of its own to lock or rewrite (its
            // attribute changes fail while a table column uses it).
            j.lock = None;
            j.rewrites = false;
            j.findings.retain(|f| f.kind != H::TableRewrite);
        }
        j
    }

    fn add_column(&self, j: &mut Judged, table: &QualifiedName, cd: &pb::ColumnDef, path: &[String]) {
        let col = ident(&cd.colname);
        let ty =
            cd.type_name.as_ref().map(|t| ast::names(&t.names).last().cloned().unwrap_or_default()).unwrap_or_default();
        let serial = matches!(ty.as_str(), "serial" | "bigserial" | "smallserial" | "serial4" | "serial8" | "serial2");
        let mut not_null = cd.is_not_null;
        let mut default = cd.raw_default.as_deref().cloned();
        let mut computed: Option<&str> = None;
        // The default first: whether a foreign key is checked depends on a DEFAULT clause.
        for n in &cd.constraints {
            if let Some(N::Constraint(con)) = n.node.as_ref() {
                if con.contype == C::ConstrDefault as i32 {
                    default = con.raw_expr.as_deref().cloned();
                }
            }
        }
        for n in &cd.constraints {
            let Some(N::Constraint(con)) = n.node.as_ref() else { continue };
            match C::try_from(con.contype).unwrap_or(C::Undefined) {
                C::ConstrNotnull | C::ConstrPrimary => not_null = true,
                C::ConstrDefault => default = con.raw_expr.as_deref().cloned(),
                C::ConstrIdentity => computed = Some("an identity column numbers every existing row"),
                // A virtual generated column (18) is computed when read: nothing is written.
                C::ConstrGenerated if con.generated_kind != "v" => {
                    computed = Some("a stored generated column is computed for every existing row")
                }
                _ => {}
            }
            match C::try_from(con.contype).unwrap_or(C::Undefined) {
                C::ConstrPrimary | C::ConstrUnique | C::ConstrExclusion => j.find(
                    Finding::new(H::IndexBuild, format!("builds the index of the new column's constraint while writes to {table} are blocked"))
                        .safer(format!("ALTER TABLE {table} ADD COLUMN {col} ...;\nCREATE UNIQUE INDEX CONCURRENTLY ... ON {table} ({col});\nALTER TABLE {table} ADD CONSTRAINT ... USING INDEX ...;")),
                ),
                // Measured on PostgreSQL 15: a CHECK on a new column scans the table even when
                // every value is NULL; a foreign key is checked only when the column has a
                // DEFAULT clause (even DEFAULT NULL).
                C::ConstrCheck => j.find(
                    Finding::new(H::ValidationScan, format!("checks the new column's CHECK on every row of {table}"))
                        .safer(format!("ALTER TABLE {table} ADD COLUMN {col} ...;\nALTER TABLE {table} ADD CONSTRAINT ... CHECK (...) NOT VALID;\nALTER TABLE {table} VALIDATE CONSTRAINT ...;")),
                ),
                C::ConstrForeign if default.is_some() => j.find(
                    Finding::new(H::ValidationScan, format!("checks the new column's foreign key on every row of {table}"))
                        .safer(format!("ALTER TABLE {table} ADD COLUMN {col} ...;\nALTER TABLE {table} ADD CONSTRAINT ... FOREIGN KEY ({col}) REFERENCES ... NOT VALID;\nALTER TABLE {table} VALIDATE CONSTRAINT ...;")),
                ),
                _ => {}
            }
        }
        if serial {
            computed = Some("a serial column draws nextval() for every existing row");
        }
        if let Some(why) = computed {
            j.find(
                Finding::new(H::TableRewrite, format!("{why}: {table} is rewritten"))
                    .safer(format!("-- add a plain nullable column, backfill it in batches, then add the default or identity\nALTER TABLE {table} ADD COLUMN {col} ...;")),
            );
        } else if let Some(f) = default.as_ref().and_then(|d| self.volatile_default(d, path)) {
            j.find(
                Finding::new(H::TableRewrite, format!("the volatile default {f} is computed for every existing row: {table} is rewritten"))
                    .safer(format!("ALTER TABLE {table} ADD COLUMN {col} <type>;\nALTER TABLE {table} ALTER COLUMN {col} SET DEFAULT ...;\n-- then backfill existing rows in batches")),
            );
        }
        if not_null && default.is_none() && computed.is_none() {
            j.find(
                Finding::new(H::FailsOnExistingData, format!("a NOT NULL column without a default cannot be added while {table} has rows"))
                    .safer(format!("ALTER TABLE {table} ADD COLUMN {col} <type> DEFAULT <value> NOT NULL;  -- a constant default does not rewrite")),
            );
        }
    }

    fn set_not_null(&self, j: &mut Judged, table: &QualifiedName, column: &str) {
        let col = ident(column);
        let check = ident(&format!("{}_{}_not_null", table.name, column));
        j.find(
            Finding::new(H::ValidationScan, format!("{table} is scanned for NULLs in {col} while reads and writes are blocked"))
                .safer(format!(
                    "ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({col} IS NOT NULL) NOT VALID;\nALTER TABLE {table} VALIDATE CONSTRAINT {check};\nALTER TABLE {table} ALTER COLUMN {col} SET NOT NULL;  -- no scan: the CHECK proves it\nALTER TABLE {table} DROP CONSTRAINT {check};"
                )),
        );
        j.find(Finding::new(H::FailsOnExistingData, format!("fails if any row of {table} has {col} NULL")));
    }

    fn alter_type(&self, j: &mut Judged, table: &QualifiedName, c: &pb::AlterTableCmd, path: &[String]) {
        let col = ident(&c.name);
        let Some(N::ColumnDef(cd)) = c.def.as_deref().and_then(|n| n.node.as_ref()) else { return };
        let old =
            self.before.tables.get(table).and_then(|t| t.columns.iter().find(|x| x.name == c.name)).map(|x| &x.ty);
        let new = cd.type_name.as_ref().and_then(|tn| normalize::type_ref(tn, &self.scope(path)).ok());
        let cost = match (old, &new) {
            (Some(o), Some(n)) => typechange::classify(o, n),
            _ => typechange::TypeChange { rewrites: true, lossy: false },
        };
        let describe = match (old, &new) {
            (Some(o), Some(n)) => format!("from {o} to {n}"),
            (_, Some(n)) => format!("to {n}"),
            _ => String::new(),
        };
        if cost.rewrites || cd.raw_default.is_some() {
            j.find(
                Finding::new(
                    H::TableRewrite,
                    format!("changing {col} {describe} rewrites {table} and rebuilds its indexes"),
                )
                .safer(format!(
                    "-- expand and contract: add a new column of the new type, keep it in sync with a trigger,\n{}",
                    crate::model::sql_comment(&format!("backfill in batches, switch the application, then drop {col}"))
                )),
            );
        }
        if cost.lossy {
            j.find(Finding::new(
                H::DataLoss,
                format!("converting {col} {describe} may truncate or round values, or fail"),
            ));
        }
        if old.is_none() {
            if let Some(f) = j.findings.last_mut() {
                f.message.push_str(" (the old type is unknown: assumed to)");
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn add_constraint(
        &mut self,
        j: &mut Judged,
        table: &QualifiedName,
        existing: bool,
        cmd: &pb::AlterTableCmd,
        con: &pb::Constraint,
        path: &[String],
        one: &dyn Fn(&pb::AlterTableCmd) -> String,
    ) {
        let kind = C::try_from(con.contype).unwrap_or(C::Undefined);
        let named = |suffix: &str| -> String {
            if con.conname.is_empty() {
                let cols: Vec<String> = con.fk_attrs.iter().chain(&con.keys).filter_map(ast::text).collect();
                let base =
                    if cols.is_empty() { table.name.clone() } else { format!("{}_{}", table.name, cols.join("_")) };
                format!("{base}_{suffix}")
            } else {
                con.conname.clone()
            }
        };
        // The same command, named and NOT VALID, then validated.
        let validate_in_two = |suffix: &str| -> String {
            let name = named(suffix);
            let mut c2 = cmd.clone();
            if let Some(N::Constraint(k)) = c2.def.as_deref_mut().and_then(|n| n.node.as_mut()) {
                k.skip_validation = true;
                k.initially_valid = false;
                k.conname = name.clone();
            }
            format!("{}\nALTER TABLE {table} VALIDATE CONSTRAINT {};", one(&c2), ident(&name))
        };
        match kind {
            C::ConstrCheck => {
                j.lock(L::AccessExclusive, table);
                if con.skip_validation {
                    if let Some(column) = con.raw_expr.as_deref().and_then(is_not_null_column) {
                        self.not_null_checks.insert(named("check"), (table.clone(), column));
                    }
                } else if existing {
                    j.find(
                        Finding::new(H::ValidationScan, format!("every row of {table} is checked while reads and writes are blocked; fails if one violates it"))
                            .safer(validate_in_two("check")),
                    );
                }
            }
            C::ConstrForeign => {
                j.lock(L::ShareRowExclusive, table);
                let referenced = con.pktable.as_ref().map(|rv| self.resolve(rv, path));
                if !con.skip_validation && existing {
                    let r = referenced.as_ref().map(|r| format!(" (looking each up in {r})")).unwrap_or_default();
                    j.find(
                        Finding::new(
                            H::ValidationScan,
                            format!("every row of {table} is checked{r} while writes to both are blocked"),
                        )
                        .safer(validate_in_two("fkey")),
                    );
                }
            }
            C::ConstrPrimary | C::ConstrUnique | C::ConstrExclusion => {
                j.lock(L::AccessExclusive, table);
                if con.indexname.is_empty() && existing {
                    let name = named(if kind == C::ConstrPrimary {
                        "pkey"
                    } else if kind == C::ConstrUnique {
                        "key"
                    } else {
                        "excl"
                    });
                    let cols: Vec<String> = con.keys.iter().filter_map(ast::text).map(|c| ident(&c)).collect();
                    let safer = if kind == C::ConstrExclusion {
                        None
                    } else {
                        Some(format!(
                            "CREATE UNIQUE INDEX CONCURRENTLY {} ON {table} ({});\nALTER TABLE {table} ADD CONSTRAINT {} {} USING INDEX {};",
                            ident(&name),
                            cols.join(", "),
                            ident(&name),
                            if kind == C::ConstrPrimary { "PRIMARY KEY" } else { "UNIQUE" },
                            ident(&name)
                        ))
                    };
                    let mut f = Finding::new(
                        H::IndexBuild,
                        format!("builds the constraint's index while reads and writes of {table} are blocked"),
                    );
                    if let Some(s) = safer {
                        f = f.safer(s);
                    }
                    j.find(f);
                    let conflict = if kind == C::ConstrExclusion { "conflicting rows" } else { "duplicates" };
                    j.find(Finding::new(
                        H::FailsOnExistingData,
                        format!("fails if existing rows of {table} hold {conflict}"),
                    ));
                }
            }
            C::ConstrNotnull => {
                j.lock(L::AccessExclusive, table);
                if existing {
                    if let Some(column) = con.keys.first().and_then(ast::text) {
                        if !self.proven_not_null.contains(&(table.clone(), column.clone())) {
                            self.set_not_null(j, table, &column);
                        }
                    }
                }
            }
            _ => j.lock(L::AccessExclusive, table),
        }
    }
}

/// The name parts of a DROP's object: a list, a routine with arguments, a type, a name.
fn object_names(n: &Node) -> Vec<String> {
    match n.node.as_ref() {
        Some(N::ObjectWithArgs(o)) => ast::names(&o.objname),
        Some(N::TypeName(t)) => ast::names(&t.names),
        Some(N::String(s)) => vec![s.sval.clone()],
        _ => ast::list_names(n),
    }
}

fn authorization(summary: impl Into<String>, message: &str) -> Judged {
    let mut j = Judged::new(summary);
    j.find(Finding::new(H::Authorization, message));
    j
}

fn constraint_words(con: &pb::Constraint) -> String {
    let kind = match C::try_from(con.contype).unwrap_or(C::Undefined) {
        C::ConstrCheck => "CHECK",
        C::ConstrForeign => "FOREIGN KEY",
        C::ConstrPrimary => "PRIMARY KEY",
        C::ConstrUnique => "UNIQUE",
        C::ConstrExclusion => "EXCLUDE",
        C::ConstrNotnull => "NOT NULL",
        _ => "CONSTRAINT",
    };
    let name = if con.conname.is_empty() { String::new() } else { format!("CONSTRAINT {} ", ident(&con.conname)) };
    format!("{name}{kind}{}", if con.skip_validation { " NOT VALID" } else { "" })
}

/// `AtSetStatistics` → `SET STATISTICS`.
fn command_words(sub: AT) -> String {
    let name = format!("{sub:?}");
    let name = name.strip_prefix("At").unwrap_or(&name);
    let mut out = String::new();
    for (i, ch) in name.chars().enumerate() {
        if ch.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.push(ch.to_ascii_uppercase());
    }
    out
}

/// The first words of a statement the rules have nothing to say about.
fn statement_words(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().take(3).collect();
    words.join(" ").to_uppercase()
}
