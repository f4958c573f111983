//! Declared renames. A diff sees names, so a renamed column looks like a dropped column and an
//! added one, and the drop deletes the data. The user declares the rename instead, in a schema
//! file (`-- tidemark:rename public.users.name to full_name`) or in `tidemark.toml`
//! (`[renames] "public.users.name" = "full_name"`), and the plan starts with
//! `ALTER TABLE public.users RENAME COLUMN name TO full_name`.
//!
//! A declared name has one part for a schema, two for a relation or type (table, view,
//! materialized view, sequence, index, enum, composite type, domain), three for a column of a
//! table or view, or a label of an enum. Identifiers follow SQL: unquoted parts fold to lower
//! case, `"Quoted"` parts keep theirs. Column and label names may use the relation's old name
//! or its new one, when the relation is renamed too.
//!
//! A declaration applies when the old name is in the current schema, the new one is not, and
//! the desired schema has the new name and not the old one. Declarations stay in the project
//! after their migration is written, so one whose new name already exists (applied before) or
//! that names nothing on either side on a fresh database is quietly done with; any other
//! mismatch is a warning naming it.
//!
//! The renames are applied by the DDL interpreter onto a copy of the current catalog, which
//! rewrites every reference (foreign keys, views, defaults, policies) the way the server does;
//! the rest of the plan is the ordinary diff from there. A dropped table or column next to an
//! added one that looks the same earns a suggestion of the declaration, never a guess.

use crate::diff::{diff, Change, DiffOptions};
use crate::hazard::{HazardKind, LockLevel};
use crate::model::{quote_ident, quote_literal, Catalog, ObjectRef, QualifiedName, TypeKind};
use crate::plan::{plan_with, CycleError, Plan, PlanOptions, Step};
use crate::source::diagnostic::{Diagnostic, Location, Severity};
use crate::source::parse::{parse_files_onto, ParseOptions, SqlFile};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// A rename as the user wrote it: the old name's parts, the new name, and where it was declared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeclaredRename {
    pub old: Vec<String>,
    pub new: String,
    /// `tidemark.toml`, `schema/users.sql:3`, `--rename`.
    pub origin: String,
}

impl DeclaredRename {
    /// `old` is a dotted name (`public.users.name`), `new` one identifier.
    pub fn parse(old: &str, new: &str, origin: impl Into<String>) -> Result<DeclaredRename, String> {
        let parts = split_name(old)?;
        if parts.len() > 3 {
            return Err(format!("`{old}`: a renamed name has at most three parts (schema.table.column)"));
        }
        let new_parts = split_name(new)?;
        let [new] = <[String; 1]>::try_from(new_parts)
            .map_err(|_| format!("`{new}`: the new name is one identifier (the schema and table stay)"))?;
        Ok(DeclaredRename { old: parts, new, origin: origin.into() })
    }

    fn old_display(&self) -> String {
        self.old.iter().map(|p| quote_ident(p)).collect::<Vec<_>>().join(".")
    }
}

/// Split a dotted SQL name into identifiers: unquoted parts folded to lower case.
fn split_name(text: &str) -> Result<Vec<String>, String> {
    let mut parts = Vec::new();
    let mut chars = text.trim().chars().peekable();
    loop {
        let mut part = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        part.push('"');
                    }
                    Some('"') => break,
                    Some(c) => part.push(c),
                    None => return Err(format!("`{text}`: unterminated quoted identifier")),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_alphanumeric() || c == '_' || c == '$' {
                    part.extend(c.to_lowercase());
                    chars.next();
                } else {
                    break;
                }
            }
        }
        if part.is_empty() {
            return Err(format!("`{text}`: expected a name like public.users.name"));
        }
        parts.push(part);
        match chars.next() {
            None => return Ok(parts),
            Some('.') => continue,
            Some(c) => return Err(format!("`{text}`: unexpected `{c}` in a name")),
        }
    }
}

/// The `[renames]` table of `tidemark.toml`.
pub fn from_config(renames: &BTreeMap<String, String>) -> Result<Vec<DeclaredRename>, String> {
    renames
        .iter()
        .map(|(old, new)| {
            DeclaredRename::parse(old, new, crate::config::FILE_NAME).map_err(|e| format!("[renames] {e}"))
        })
        .collect()
}

const ANNOTATION: &str = "tidemark:rename";

/// The `-- tidemark:rename OLD to NEW` comments of a schema file, in order.
pub fn annotations(file: &SqlFile) -> Result<Vec<DeclaredRename>, Diagnostic> {
    let mut found = Vec::new();
    for (index, line) in file.text.lines().enumerate() {
        let Some(comment_at) = line.find("--") else { continue };
        let comment = line[comment_at + 2..].trim_start();
        let Some(rest) = comment.strip_prefix(ANNOTATION) else { continue };
        let column = line.len() - comment.len() + 1;
        let origin = format!("{}:{}", file.name, index + 1);
        let error = |message: String| Diagnostic {
            severity: Severity::Error,
            location: Some(Location { file: file.name.clone(), line: index + 1, column }),
            message,
            statement: Some(crate::source::diagnostic::abridge(line)),
        };
        let words: Vec<&str> = rest.split_whitespace().collect();
        match words.as_slice() {
            [old, to, new] if to.eq_ignore_ascii_case("to") => {
                found.push(DeclaredRename::parse(old, new, origin).map_err(error)?);
            }
            _ => {
                return Err(error(format!(
                    "malformed {ANNOTATION}: write `-- {ANNOTATION} public.users.name to full_name`"
                )))
            }
        }
    }
    Ok(found)
}

/// What kind of relation or type a two-part name is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelationKind {
    Table,
    View,
    MaterializedView,
    Sequence,
    Index,
    Type,
    Domain,
}

impl RelationKind {
    fn of(catalog: &Catalog, name: &QualifiedName) -> Option<RelationKind> {
        if catalog.tables.contains_key(name) {
            Some(RelationKind::Table)
        } else if let Some(v) = catalog.views.get(name) {
            Some(if v.materialized { RelationKind::MaterializedView } else { RelationKind::View })
        } else if catalog.sequences.contains_key(name) {
            Some(RelationKind::Sequence)
        } else if catalog.indexes.contains_key(name) {
            Some(RelationKind::Index)
        } else {
            catalog.types.get(name).map(|t| match t.kind {
                TypeKind::Domain(_) => RelationKind::Domain,
                _ => RelationKind::Type,
            })
        }
    }

    fn keyword(self) -> &'static str {
        match self {
            RelationKind::Table => "TABLE",
            RelationKind::View => "VIEW",
            RelationKind::MaterializedView => "MATERIALIZED VIEW",
            RelationKind::Sequence => "SEQUENCE",
            RelationKind::Index => "INDEX",
            RelationKind::Type => "TYPE",
            RelationKind::Domain => "DOMAIN",
        }
    }

    fn word(self) -> &'static str {
        match self {
            RelationKind::Table => "table",
            RelationKind::View => "view",
            RelationKind::MaterializedView => "materialized view",
            RelationKind::Sequence => "sequence",
            RelationKind::Index => "index",
            RelationKind::Type => "type",
            RelationKind::Domain => "domain",
        }
    }
}

/// One rename the plan performs, with the names as they are when it runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RenameOp {
    Schema {
        old: String,
        new: String,
    },
    Relation {
        kind: RelationKind,
        old: QualifiedName,
        new: String,
    },
    Column {
        kind: RelationKind,
        relation: QualifiedName,
        old: String,
        new: String,
    },
    EnumLabel {
        ty: QualifiedName,
        old: String,
        new: String,
    },
    /// Not declared: a constraint whose definition is unchanged under another name (as when
    /// its table is renamed and the desired schema uses the new default name).
    Constraint {
        table: QualifiedName,
        old: String,
        new: String,
    },
}

impl RenameOp {
    pub fn sql(&self) -> String {
        match self {
            RenameOp::Schema { old, new } => {
                format!("ALTER SCHEMA {} RENAME TO {}", quote_ident(old), quote_ident(new))
            }
            RenameOp::Relation { kind, old, new } => {
                format!("ALTER {} {old} RENAME TO {}", kind.keyword(), quote_ident(new))
            }
            RenameOp::Column { kind, relation, old, new } => format!(
                "ALTER {} {relation} RENAME COLUMN {} TO {}",
                kind.keyword(),
                quote_ident(old),
                quote_ident(new)
            ),
            RenameOp::EnumLabel { ty, old, new } => {
                format!("ALTER TYPE {ty} RENAME VALUE {} TO {}", quote_literal(old), quote_literal(new))
            }
            RenameOp::Constraint { table, old, new } => {
                format!("ALTER TABLE {table} RENAME CONSTRAINT {} TO {}", quote_ident(old), quote_ident(new))
            }
        }
    }

    /// The rename back (for down migrations).
    pub fn inverse(&self) -> RenameOp {
        match self.clone() {
            RenameOp::Schema { old, new } => RenameOp::Schema { old: new, new: old },
            RenameOp::Relation { kind, old, new } => {
                RenameOp::Relation { kind, old: QualifiedName::new(old.schema.clone(), new), new: old.name }
            }
            RenameOp::Column { kind, relation, old, new } => RenameOp::Column { kind, relation, old: new, new: old },
            RenameOp::EnumLabel { ty, old, new } => RenameOp::EnumLabel { ty, old: new, new: old },
            RenameOp::Constraint { table, old, new } => RenameOp::Constraint { table, old: new, new: old },
        }
    }

    fn step(&self) -> Step {
        let step = Step::new(self.sql(), self.summary());
        let clients = |what: String| format!("{what}: clients still using the old name fail until they are deployed");
        match self {
            RenameOp::Schema { old, .. } => step
                .hazard(HazardKind::BreaksClients, clients(format!("renames schema {}", quote_ident(old))))
                .object(ObjectRef::Schema(old.clone())),
            RenameOp::Relation { kind: RelationKind::Index, old, .. } => {
                step.lock(LockLevel::ShareUpdateExclusive).object(ObjectRef::Index(old.clone()))
            }
            RenameOp::Relation { kind, old, .. } => {
                let object = match kind {
                    RelationKind::Table => ObjectRef::Table(old.clone()),
                    RelationKind::View | RelationKind::MaterializedView => ObjectRef::View(old.clone()),
                    RelationKind::Sequence => ObjectRef::Sequence(old.clone()),
                    _ => ObjectRef::Type(old.clone()),
                };
                let step = match kind {
                    RelationKind::Type | RelationKind::Domain => step,
                    _ => step.lock(LockLevel::AccessExclusive),
                };
                step.hazard(HazardKind::BreaksClients, clients(format!("renames {} {old}", kind.word()))).object(object)
            }
            RenameOp::Column { relation, old, .. } => step
                .lock(LockLevel::AccessExclusive)
                .hazard(HazardKind::BreaksClients, clients(format!("renames column {relation}.{}", quote_ident(old))))
                .object(ObjectRef::Column(relation.clone(), old.clone())),
            RenameOp::EnumLabel { ty, old, .. } => step
                .hazard(
                    HazardKind::BreaksClients,
                    format!("renames value {} of {ty}: code that writes the old label fails", quote_literal(old)),
                )
                .object(ObjectRef::Type(ty.clone())),
            RenameOp::Constraint { table, old, .. } => {
                step.lock(LockLevel::AccessExclusive).object(ObjectRef::Constraint(table.clone(), old.clone()))
            }
        }
    }

    fn summary(&self) -> String {
        match self {
            RenameOp::Schema { old, new } => format!("rename schema {old} to {new}"),
            RenameOp::Relation { kind, old, new } => format!("rename {} {old} to {new}", kind.word()),
            RenameOp::Column { relation, old, new, .. } => format!("rename column {relation}.{old} to {new}"),
            RenameOp::EnumLabel { ty, old, new } => format!("rename value {old} of {ty} to {new}"),
            RenameOp::Constraint { table, old, new } => format!("rename constraint {old} on {table} to {new}"),
        }
    }
}

/// The declarations that apply between two catalogs, as operations, and warnings about the
/// ones that do not.
#[derive(Debug, Default)]
pub struct Resolution {
    pub ops: Vec<RenameOp>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Decide which declarations apply to `from` → `to`: schemas first, then relations and
/// types, then columns and labels (which may name their relation by its old or new name).
pub fn resolve(declared: &[DeclaredRename], from: &Catalog, to: &Catalog) -> Resolution {
    let mut r = Resolver {
        from,
        to,
        schemas: BTreeMap::new(),
        schemas_before: BTreeMap::new(),
        relations: BTreeMap::new(),
        out: Resolution::default(),
    };
    for d in declared.iter().filter(|d| d.old.len() == 1) {
        r.schema(d);
    }
    for d in declared.iter().filter(|d| d.old.len() == 2) {
        r.relation(d);
    }
    for d in declared.iter().filter(|d| d.old.len() == 3) {
        r.member(d);
    }
    r.out
}

/// Whether a declaration applies, from where each name is.
enum Verdict {
    Apply,
    /// Applied by an earlier migration, or nothing to do on a fresh database.
    Done,
    Skip(String),
}

fn verdict(old_in_from: bool, new_in_from: bool, old_in_to: bool, new_in_to: bool) -> Verdict {
    match (old_in_from, new_in_from) {
        (true, true) => Verdict::Skip("both names exist in the current schema".into()),
        (true, false) if !new_in_to => Verdict::Skip("the new name is not in the desired schema".into()),
        (true, false) if old_in_to => Verdict::Skip("the old name is still in the desired schema".into()),
        (true, false) => Verdict::Apply,
        (false, true) => Verdict::Done,
        (false, false) if new_in_to || old_in_to => Verdict::Done,
        (false, false) => Verdict::Skip("neither name exists in the current or the desired schema".into()),
    }
}

struct Resolver<'a> {
    from: &'a Catalog,
    to: &'a Catalog,
    /// Schema renames that apply: old → new.
    schemas: BTreeMap<String, String>,
    /// Schema renames an earlier migration made: old → new.
    schemas_before: BTreeMap<String, String>,
    /// Relation renames that apply, by the old name and by the new one (a column's
    /// declaration may name its table either way): the name in `from` and the name after.
    relations: BTreeMap<QualifiedName, (QualifiedName, QualifiedName)>,
    out: Resolution,
}

impl Resolver<'_> {
    fn warn(&mut self, d: &DeclaredRename, why: String) {
        self.out.diagnostics.push(Diagnostic::warning(format!(
            "declared rename {} to {} ({}) not applied: {why}",
            d.old_display(),
            quote_ident(&d.new),
            d.origin
        )));
    }

    fn decide(&mut self, d: &DeclaredRename, v: &Verdict) -> bool {
        match v {
            Verdict::Apply => true,
            Verdict::Done => false,
            Verdict::Skip(why) => {
                self.warn(d, why.clone());
                false
            }
        }
    }

    /// A relation renamed (now or before): where a column's declaration finds it under its
    /// old or new name, in the old or new schema.
    fn remember(&mut self, d: &DeclaredRename, new: &QualifiedName, from_name: &QualifiedName, at_run: &QualifiedName) {
        for schema in [&d.old[0], &new.schema] {
            for name in [&d.old[1], &new.name] {
                let key = QualifiedName::new(schema.clone(), name.clone());
                self.relations.insert(key, (from_name.clone(), at_run.clone()));
            }
        }
    }

    /// A schema's name once the schema renames ran (in this plan or before it).
    fn schema_after(&self, schema: &str) -> String {
        self.schemas
            .get(schema)
            .or_else(|| self.schemas_before.get(schema))
            .cloned()
            .unwrap_or_else(|| schema.to_string())
    }

    /// A schema's name in `from`: the new one if an earlier migration renamed it.
    fn schema_in_from(&self, schema: &str) -> String {
        self.schemas_before.get(schema).cloned().unwrap_or_else(|| schema.to_string())
    }

    fn schema(&mut self, d: &DeclaredRename) {
        let (old, new) = (&d.old[0], &d.new);
        let v = verdict(
            self.from.schemas.contains_key(old),
            self.from.schemas.contains_key(new),
            self.to.schemas.contains_key(old),
            self.to.schemas.contains_key(new),
        );
        match v {
            Verdict::Done if self.from.schemas.contains_key(new) => {
                self.schemas_before.insert(old.clone(), new.clone());
            }
            v if self.decide(d, &v) => {
                self.schemas.insert(old.clone(), new.clone());
                self.out.ops.push(RenameOp::Schema { old: old.clone(), new: new.clone() });
            }
            _ => {}
        }
    }

    fn relation(&mut self, d: &DeclaredRename) {
        // The relation's schema in `from` (renamed already, by an earlier migration, or not),
        // and where it is once this plan's schema renames ran.
        let in_from = self.schema_in_from(&d.old[0]);
        let old = QualifiedName::new(in_from.clone(), d.old[1].clone());
        let moved = QualifiedName::new(self.schema_after(&d.old[0]), old.name.clone());
        let new = QualifiedName::new(moved.schema.clone(), d.new.clone());
        let renamed_before = QualifiedName::new(in_from, d.new.clone());
        let kind = RelationKind::of(self.from, &old);
        let new_kind = RelationKind::of(self.to, &new);
        let name_taken = |c: &Catalog, q: &QualifiedName| RelationKind::of(c, q).is_some();
        let v = verdict(
            kind.is_some(),
            name_taken(self.from, &renamed_before),
            name_taken(self.to, &moved),
            new_kind.is_some(),
        );
        match v {
            Verdict::Done if name_taken(self.from, &renamed_before) => {
                // Renamed by an earlier migration: columns declared under either name are
                // looked up under the new one.
                self.remember(d, &new, &renamed_before, &new);
                return;
            }
            v if !self.decide(d, &v) => return,
            _ => {}
        }
        let kind = kind.expect("the old name exists");
        if new_kind != Some(kind) {
            let was = new_kind.map_or("", |k| k.word());
            self.warn(d, format!("{old} is a {} and {new} a {was}", kind.word()));
            return;
        }
        self.remember(d, &new, &old, &new);
        self.out.ops.push(RenameOp::Relation { kind, old: moved, new: d.new.clone() });
    }

    /// A column of a table or view, or a label of an enum.
    fn member(&mut self, d: &DeclaredRename) {
        let named = QualifiedName::new(d.old[0].clone(), d.old[1].clone());
        // The relation in `from` (by its old name), where it is when this rename runs, and its
        // name in `to`.
        let (old_rel, at_run) = match self.relations.get(&named) {
            Some((old, new)) => (old.clone(), new.clone()),
            None => (named.clone(), QualifiedName::new(self.schema_after(&named.schema), named.name.clone())),
        };
        let in_to = at_run.clone();
        let (old, new) = (&d.old[2], &d.new);
        if let Some(t) = self.from.types.get(&old_rel) {
            let TypeKind::Enum { labels } = &t.kind else {
                self.warn(d, format!("{old_rel} is not an enum, a table or a view"));
                return;
            };
            let to_labels = match self.to.types.get(&in_to).map(|t| &t.kind) {
                Some(TypeKind::Enum { labels }) => labels.clone(),
                _ => Vec::new(),
            };
            let v = match verdict(
                labels.contains(old),
                labels.contains(new),
                to_labels.contains(old),
                to_labels.contains(new),
            ) {
                // The type is there: a label in neither place is a mistake, not a fresh database.
                Verdict::Done if !labels.contains(new) => {
                    Verdict::Skip(format!("{old_rel} has no value {}", quote_literal(old)))
                }
                v => v,
            };
            if self.decide(d, &v) {
                self.out.ops.push(RenameOp::EnumLabel { ty: at_run, old: old.clone(), new: new.clone() });
            }
            return;
        }
        let columns = |c: &Catalog, q: &QualifiedName| -> Option<(RelationKind, Vec<String>)> {
            if let Some(t) = c.tables.get(q) {
                return Some((RelationKind::Table, t.columns.iter().map(|c| c.name.clone()).collect()));
            }
            c.views.get(q).map(|v| {
                let kind = if v.materialized { RelationKind::MaterializedView } else { RelationKind::View };
                (kind, v.columns.iter().map(|c| c.name.clone()).collect())
            })
        };
        let Some((kind, from_columns)) = columns(self.from, &old_rel) else {
            let v = match columns(self.to, &in_to) {
                Some((_, cols)) if cols.contains(new) || cols.contains(old) => Verdict::Done,
                _ => Verdict::Skip(format!("{old_rel} is not a table, view or enum in either schema")),
            };
            self.decide(d, &v);
            return;
        };
        let to_columns = columns(self.to, &in_to).map(|(_, c)| c).unwrap_or_default();
        let v = match verdict(
            from_columns.contains(old),
            from_columns.contains(new),
            to_columns.contains(old),
            to_columns.contains(new),
        ) {
            // The relation is there: a column in neither place is a mistake, not a fresh database.
            Verdict::Done if !from_columns.contains(new) => {
                Verdict::Skip(format!("{old_rel} has no column {}", quote_ident(old)))
            }
            v => v,
        };
        if self.decide(d, &v) {
            self.out.ops.push(RenameOp::Column { kind, relation: at_run, old: old.clone(), new: new.clone() });
        }
    }
}

/// A plan whose declared renames run first.
#[derive(Debug)]
pub struct RenamedPlan {
    pub plan: Plan,
    /// The renames the plan starts with.
    pub renames: Vec<RenameOp>,
    /// Declarations not applied, and drops next to adds that look like renames.
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, thiserror::Error)]
pub enum RenameError {
    #[error(transparent)]
    Cycle(#[from] CycleError),
    #[error("the declared renames cannot be applied to the current schema:\n{}", .0.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n"))]
    Replay(Vec<Diagnostic>),
}

/// Plan `from` → `to` with the declarations that apply.
pub fn plan(
    from: &Catalog,
    to: &Catalog,
    declared: &[DeclaredRename],
    diff_options: &DiffOptions,
    plan_options: &PlanOptions,
) -> Result<RenamedPlan, RenameError> {
    let resolution = resolve(declared, from, to);
    let mut planned = plan_ops(from, to, &resolution.ops, diff_options, plan_options)?;
    planned.diagnostics.splice(0..0, resolution.diagnostics);
    Ok(planned)
}

/// Plan `from` → `to` starting with `ops` (resolved renames, or their inverses for a down
/// migration).
pub fn plan_ops(
    from: &Catalog,
    to: &Catalog,
    ops: &[RenameOp],
    diff_options: &DiffOptions,
    plan_options: &PlanOptions,
) -> Result<RenamedPlan, RenameError> {
    // Without renames (the usual case) the catalog is not copied.
    let declared = apply(Cow::Borrowed(from), ops)?;
    let implied = implied(&declared, to);
    let renamed = apply(declared, &implied)?;
    let changes = diff(&renamed, to, diff_options);
    let mut plan = plan_with(&changes, &renamed, to, plan_options)?;
    prepend(&mut plan, &[ops, &implied].concat(), plan_options);
    Ok(RenamedPlan { plan, renames: ops.to_vec(), diagnostics: suggestions(&changes) })
}

/// The inverse renames, in the order that undoes `ops`.
pub fn inverse(ops: &[RenameOp]) -> Vec<RenameOp> {
    ops.iter().rev().map(RenameOp::inverse).collect()
}

/// Indexes, constraints and serial sequences that differ only by name: renamed rather than
/// dropped and rebuilt. Old and new are paired in name order, each used once (two identical
/// indexes becoming one: the first is renamed, the second dropped).
fn implied(from: &Catalog, to: &Catalog) -> Vec<RenameOp> {
    fn pairs<'a, T>(old: &[&'a T], new: &[&'a T], same: impl Fn(&T, &T) -> bool) -> Vec<(&'a T, &'a T)> {
        let mut used = vec![false; new.len()];
        old.iter()
            .filter_map(|o| {
                let i = (0..new.len()).find(|&i| !used[i] && same(o, new[i]))?;
                used[i] = true;
                Some((*o, new[i]))
            })
            .collect()
    }
    let mut ops = Vec::new();
    for (name, table) in &from.tables {
        let Some(desired) = to.tables.get(name) else { continue };
        let gone: Vec<_> = table.constraints.values().filter(|c| !desired.constraints.contains_key(&c.name)).collect();
        let added: Vec<_> = desired.constraints.values().filter(|c| !table.constraints.contains_key(&c.name)).collect();
        let same = |a: &crate::model::Constraint, b: &crate::model::Constraint| {
            a.kind == b.kind && a.deferrable == b.deferrable && a.initially_deferred == b.initially_deferred
        };
        for (old, new) in pairs(&gone, &added, same) {
            ops.push(RenameOp::Constraint { table: name.clone(), old: old.name.clone(), new: new.name.clone() });
        }
    }
    let gone: Vec<_> = from.indexes.values().filter(|i| !to.indexes.contains_key(&i.name)).collect();
    let added: Vec<_> = to.indexes.values().filter(|i| !from.indexes.contains_key(&i.name)).collect();
    let same = |a: &crate::model::Index, b: &crate::model::Index| {
        a.table == b.table
            && to.tables.contains_key(&a.table)
            && crate::model::Index { name: b.name.clone(), comment: b.comment.clone(), ..a.clone() } == *b
    };
    for (old, new) in pairs(&gone, &added, same) {
        if !from.relation_name_taken(&old.name.schema, &new.name.name) {
            ops.push(RenameOp::Relation {
                kind: RelationKind::Index,
                old: old.name.clone(),
                new: new.name.name.clone(),
            });
        }
    }
    // A serial column's sequence, named after its table.
    let gone: Vec<_> = from.sequences.values().filter(|q| !to.sequences.contains_key(&q.name)).collect();
    let added: Vec<_> = to.sequences.values().filter(|q| !from.sequences.contains_key(&q.name)).collect();
    let same = |a: &crate::model::Sequence, b: &crate::model::Sequence| {
        a.owned_by.is_some() && a.owned_by == b.owned_by && a.options == b.options && a.name.schema == b.name.schema
    };
    for (old, new) in pairs(&gone, &added, same) {
        if !from.relation_name_taken(&old.name.schema, &new.name.name) {
            ops.push(RenameOp::Relation {
                kind: RelationKind::Sequence,
                old: old.name.clone(),
                new: new.name.name.clone(),
            });
        }
    }
    ops
}

/// `from` with the renames applied, as the server would apply them.
fn apply<'c>(from: Cow<'c, Catalog>, ops: &[RenameOp]) -> Result<Cow<'c, Catalog>, RenameError> {
    if ops.is_empty() {
        return Ok(from);
    }
    let text: String = ops.iter().map(|o| format!("{};\n", o.sql())).collect();
    let file = SqlFile { name: "declared renames".into(), text };
    parse_files_onto(from.into_owned(), &[file], &ParseOptions::default())
        .map(|p| Cow::Owned(p.catalog))
        .map_err(RenameError::Replay)
}

/// Put the rename steps before the plan's, every other step after them.
fn prepend(plan: &mut Plan, ops: &[RenameOp], options: &PlanOptions) {
    if ops.is_empty() {
        return;
    }
    let steps: Vec<Step> = ops.iter().map(RenameOp::step).collect();
    let n = steps.len();
    let mut after: Vec<Vec<usize>> = (0..n).map(|i| if i == 0 { Vec::new() } else { vec![i - 1] }).collect();
    for mut before in std::mem::take(&mut plan.after) {
        before.iter_mut().for_each(|i| *i += n);
        if before.is_empty() {
            before.push(n - 1);
        }
        after.push(before);
    }
    plan.after = after;
    if steps.iter().any(|s| s.lock.is_some()) {
        for setting in options.timeouts().into_iter().rev() {
            if !plan.preamble.contains(&setting) {
                plan.preamble.insert(0, setting);
            }
        }
    }
    plan.steps.splice(0..0, steps);
}

/// Drops next to adds that look like renames: a table dropped and one created in the same
/// schema with mostly the same columns, a column dropped and one added to the same table with
/// the same type.
pub fn suggestions(changes: &[Change]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let hint = |old: &str, new: &str| {
        format!(
            "if it was renamed, declare it and keep the data: `-- {ANNOTATION} {old} to {new}` in a schema file, \
             or `\"{old}\" = \"{new}\"` under [renames] in tidemark.toml"
        )
    };
    let dropped: Vec<&crate::model::Table> =
        changes.iter().filter_map(|c| if let Change::DropTable(t) = c { Some(t) } else { None }).collect();
    let created: Vec<&crate::model::Table> =
        changes.iter().filter_map(|c| if let Change::CreateTable(t) = c { Some(t) } else { None }).collect();
    for old in &dropped {
        let similar = |new: &&&crate::model::Table| {
            let shared = old.columns.iter().filter(|c| new.columns.iter().any(|n| n.name == c.name && n.ty == c.ty));
            new.name.schema == old.name.schema
                && !old.columns.is_empty()
                && shared.count() * 2 >= old.columns.len().max(new.columns.len())
        };
        let candidates: Vec<&&crate::model::Table> = created.iter().filter(similar).collect();
        if candidates.len() == 1 {
            let new = candidates[0];
            out.push(suggestion(
                format!("table {} is dropped and {} created with the same columns", old.name, new.name),
                hint(&old.name.to_string(), &quote_ident(&new.name.name)),
            ));
        }
    }
    let mut dropped_columns: Vec<(&QualifiedName, &crate::model::Column)> = Vec::new();
    let mut added_columns: Vec<(&QualifiedName, &crate::model::Column)> = Vec::new();
    for c in changes {
        match c {
            Change::DropColumn { table, column, .. } => dropped_columns.push((table, column)),
            Change::AddColumn { table, column } => added_columns.push((table, column)),
            _ => {}
        }
    }
    for (table, old) in &dropped_columns {
        let candidates: Vec<&str> = added_columns
            .iter()
            .filter(|(t, new)| t == table && new.ty == old.ty)
            .map(|(_, new)| new.name.as_str())
            .collect();
        let Some(first) = candidates.first() else { continue };
        let old_name = format!("{table}.{}", quote_ident(&old.name));
        let added = candidates.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", ");
        out.push(suggestion(
            format!("column {old_name} is dropped and {added} added to the same table with the same type"),
            hint(&old_name, &quote_ident(first)),
        ));
    }
    for c in changes {
        let Change::RecreateType { from, to } = c else { continue };
        let (TypeKind::Enum { labels: old }, TypeKind::Enum { labels: new }) = (&from.kind, &to.kind) else { continue };
        let removed: Vec<&String> = old.iter().filter(|l| !new.contains(l)).collect();
        let added: Vec<&String> = new.iter().filter(|l| !old.contains(l)).collect();
        if let ([removed], [added]) = (removed.as_slice(), added.as_slice()) {
            out.push(suggestion(
                format!(
                    "value {} of {} is removed and {} added",
                    quote_literal(removed),
                    from.name,
                    quote_literal(added)
                ),
                hint(&format!("{}.{}", from.name, quote_ident(removed)), &quote_ident(added)),
            ));
        }
    }
    out
}

fn suggestion(what: String, hint: String) -> Diagnostic {
    Diagnostic::warning(format!("{what}: {hint}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(sql: &str) -> Catalog {
        let file = SqlFile { name: "t.sql".into(), text: sql.into() };
        crate::source::parse::parse_files(&[file], &ParseOptions::default()).expect("parses").catalog
    }

    fn declared(old: &str, new: &str) -> DeclaredRename {
        DeclaredRename::parse(old, new, "test").expect("a valid declaration")
    }

    #[test]
    fn names_fold_unless_quoted() {
        assert_eq!(split_name("Public.Users.Name").unwrap(), ["public", "users", "name"]);
        assert_eq!(split_name(r#"public."Users"."a.b""c""#).unwrap(), ["public", "Users", r#"a.b"c"#]);
        assert!(split_name("public..users").is_err());
        assert!(split_name(r#""open"#).is_err());
        assert!(DeclaredRename::parse("a.b.c.d", "e", "t").is_err());
        assert!(DeclaredRename::parse("public.t.c", "other.d", "t").is_err());
    }

    #[test]
    fn annotations_carry_their_place() {
        let file = SqlFile {
            name: "s.sql".into(),
            text: "CREATE TABLE t (a int);\n  --  tidemark:rename public.t.b TO a\n-- tidemark:rename x y\n".into(),
        };
        let err = annotations(&file).unwrap_err();
        assert_eq!(err.location.as_ref().map(|l| (l.line, l.column)), Some((3, 4)));
        let ok = SqlFile { name: "s.sql".into(), text: file.text.lines().take(2).collect::<Vec<_>>().join("\n") };
        let found = annotations(&ok).unwrap();
        assert_eq!(
            found,
            [DeclaredRename {
                old: vec!["public".into(), "t".into(), "b".into()],
                new: "a".into(),
                origin: "s.sql:2".into()
            }]
        );
    }

    #[test]
    fn a_declaration_applies_only_between_the_right_states() {
        let old = catalog("CREATE TABLE t (b int);");
        let new = catalog("CREATE TABLE t (a int);");
        let both = catalog("CREATE TABLE t (a int, b int);");
        let empty = catalog("");
        let d = [declared("public.t.b", "a")];
        assert_eq!(resolve(&d, &old, &new).ops.len(), 1);
        // Applied before, or a fresh database: nothing, quietly.
        for (from, to) in [(&new, &new), (&empty, &new)] {
            let r = resolve(&d, from, to);
            assert!(r.ops.is_empty() && r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        }
        // Anything else: nothing, with a warning.
        for (from, to) in [(&both, &new), (&old, &both), (&old, &old)] {
            let r = resolve(&d, from, to);
            assert!(r.ops.is_empty() && r.diagnostics.len() == 1, "{:?} {:?}", r.ops, r.diagnostics);
        }
        // A column in neither place while its table is there: a mistake, said so.
        let r = resolve(&[declared("public.t.zz", "a")], &old, &new);
        assert!(r.ops.is_empty() && r.diagnostics[0].message.contains("public.t has no column zz"), "{r:?}");
    }

    #[test]
    fn the_inverse_undoes_in_reverse_order() {
        let from = catalog("CREATE TABLE t (b int);");
        let to = catalog("CREATE TABLE u (a int);");
        let ops = resolve(&[declared("public.t", "u"), declared("public.t.b", "a")], &from, &to).ops;
        let sql: Vec<String> = inverse(&ops).iter().map(RenameOp::sql).collect();
        assert_eq!(sql, ["ALTER TABLE public.u RENAME COLUMN a TO b", "ALTER TABLE public.u RENAME TO t"]);
    }
}
