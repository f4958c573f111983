//! CREATE TABLE: columns (serial, identity, generated, defaults, collations), column and table
//! constraints, and the server's rules for them: unnamed constraints are named the way the
//! server names them (CHECKs first, then the primary key and other index constraints, then
//! foreign keys), a UNIQUE that repeats another index constraint is dropped, a PRIMARY KEY makes
//! its columns NOT NULL, NOT VALID means nothing on a new table.

use super::{err_at, Interpreter, Session, R};
use crate::model::{
    quote_literal, Column, ConstraintKind, Generated, GeneratedKind, Identity, QualifiedName, Sequence, Storage, Table,
    TypeRef,
};
use crate::normalize::{self, expr::is_null_constant, types::storage_from_char, ExprContext};
use crate::source::diagnostic::Severity;
use crate::source::parse::interp::sequence::{apply_options, default_options};
use crate::source::parse::{ast, build, naming};
use pg_query::protobuf::node::Node as N;
use pg_query::protobuf::{self as pb, ConstrType, Node};

/// A constraint met while reading a table definition, named and added once all columns are in.
pub(super) struct PendingConstraint {
    pub node: pb::Constraint,
}

const SERIALS: &[(&str, &str)] = &[
    ("serial", "integer"),
    ("serial4", "integer"),
    ("bigserial", "bigint"),
    ("serial8", "bigint"),
    ("smallserial", "smallint"),
    ("serial2", "smallint"),
];

fn serial_type(tn: &pb::TypeName) -> Option<&'static str> {
    if !tn.typmods.is_empty() || !tn.array_bounds.is_empty() {
        return None;
    }
    let names = ast::names(&tn.names);
    let name = match names.as_slice() {
        [n] => n,
        [s, n] if s == "pg_catalog" => n,
        _ => return None,
    };
    SERIALS.iter().find(|(s, _)| s == name).map(|(_, t)| *t)
}

impl Interpreter {
    pub(super) fn create_table(&mut self, st: &pb::CreateStmt, s: &mut Session) -> R {
        let rv = st.relation.as_ref().ok_or("missing table name")?;
        if st.of_typename.is_some() {
            return Err(err_at("typed tables (CREATE TABLE ... OF type) are not supported yet", rv.location));
        }
        if self.temporary(s, rv, "table") {
            return Ok(());
        }
        if !st.access_method.is_empty() && st.access_method != "heap" {
            return Err(err_at(format!("table access method \"{}\" is not supported", st.access_method), rv.location));
        }
        let name = self.create_name_from_rv(s, rv)?;
        if self.catalog.relation_name_taken(&name.schema, &name.name) || self.catalog.types.contains_key(&name) {
            if st.if_not_exists {
                self.report(Severity::Note, format!("relation \"{}\" already exists, skipping", name.name));
                return Ok(());
            }
            return Err(err_at(format!("relation \"{}\" already exists", name.name), rv.location));
        }
        if !st.tablespacename.is_empty() {
            self.report(
                Severity::Warning,
                format!("tablespace \"{}\" is not modeled; the table is compared without it", st.tablespacename),
            );
        }
        let mut table = Table::new(name);
        table.unlogged = rv.relpersistence == "u";
        // Parents: INHERITS (a, b), or the partitioned table of PARTITION OF.
        let mut parents = Vec::new();
        for p in &st.inh_relations {
            let Some(N::RangeVar(prv)) = p.node.as_ref() else { continue };
            parents.push(self.find_table_rv(s, prv)?);
        }
        for p in &parents {
            for c in &self.catalog.tables[p].columns {
                let inherited = Column {
                    inherited: true,
                    local: false,
                    comment: None,
                    acl: None,
                    identity: None,
                    statistics: None,
                    ..c.clone()
                };
                match table.column_mut(&c.name) {
                    Some(existing) => existing.inherited = true,
                    None => table.columns.push(inherited),
                }
            }
        }
        if let Some(bound) = st.partbound.as_ref() {
            let parent = parents.first().cloned().ok_or_else(|| err_at("PARTITION OF needs a parent", rv.location))?;
            let key_types = self.partition_key_types(&parent)?;
            let bound =
                build::partition_bound(bound, &key_types, &self.scope(s)).map_err(|e| err_at(e, rv.location))?;
            table.partition_of = Some(crate::model::PartitionOf { parent, bound });
        } else {
            table.inherits = parents;
        }
        if let Some(spec) = st.partspec.as_ref() {
            table.partition_key =
                Some(build::partition_key(spec, &table.name, &self.scope(s)).map_err(|e| err_at(e, rv.location))?);
        }
        table.options = build::reloption_map(&st.options);
        // WITH (OIDS = FALSE) from old dumps: the only value the server still accepts.
        table.options.remove("oids");
        let mut pending = Vec::new();
        let mut taken_names = Vec::new();
        let mut like_indexes = Vec::new();
        for elt in &st.table_elts {
            match elt.node.as_ref() {
                Some(N::ColumnDef(cd)) => {
                    if let Some(existing) = table.columns.iter().position(|c| c.name == cd.colname && c.inherited) {
                        // A partition's column options, or a local definition merged with an
                        // inherited column.
                        if cd.type_name.is_none() {
                            self.column_options(cd, &mut table, existing, &mut pending, s)?;
                        } else {
                            let mut column = self.column_def(cd, &table, &mut pending, &mut taken_names, s)?;
                            column.inherited = true;
                            if column.default.is_none() {
                                column.default = table.columns[existing].default.clone();
                            }
                            column.not_null |= table.columns[existing].not_null;
                            table.columns[existing] = column;
                        }
                        continue;
                    }
                    if table.column(&cd.colname).is_some() {
                        return Err(err_at(format!("column \"{}\" specified more than once", cd.colname), cd.location));
                    }
                    let column = self.column_def(cd, &table, &mut pending, &mut taken_names, s)?;
                    table.columns.push(column);
                }
                Some(N::Constraint(c)) => pending.push(PendingConstraint { node: (**c).clone() }),
                Some(N::TableLikeClause(like)) => {
                    like_indexes.extend(self.like_clause(like, &mut table, &mut pending, s)?);
                }
                _ => return Err("unsupported table element".into()),
            }
        }
        self.add_constraints(&mut table, pending, true, s)?;
        let name = table.name.clone();
        self.catalog.tables.insert(name.clone(), table);
        self.copy_like_indexes(&name, like_indexes, s)
    }

    /// `LIKE source [INCLUDING ...]`: the source's columns (names, types, collations, NOT
    /// NULL) and, as the options say, defaults, generated expressions, identities, storage,
    /// compression, comments, CHECK constraints (by name) and index constraints (named for the
    /// new table, through `pending`). Returns the source's plain indexes to copy once the new
    /// table exists (INCLUDING INDEXES).
    fn like_clause(
        &mut self,
        like: &pb::TableLikeClause,
        table: &mut Table,
        pending: &mut Vec<PendingConstraint>,
        s: &Session,
    ) -> R<Vec<crate::model::Index>> {
        // CREATE_TABLE_LIKE_* of the grammar.
        const COMMENTS: u32 = 1 << 0;
        const COMPRESSION: u32 = 1 << 1;
        const CONSTRAINTS: u32 = 1 << 2;
        const DEFAULTS: u32 = 1 << 3;
        const GENERATED: u32 = 1 << 4;
        const IDENTITY: u32 = 1 << 5;
        const INDEXES: u32 = 1 << 6;
        const STATISTICS: u32 = 1 << 7;
        const STORAGE: u32 = 1 << 8;
        let rv = like.relation.as_ref().ok_or("LIKE without a table")?;
        let source = self.find_table_rv(s, rv)?;
        let src = self.catalog.tables[&source].clone();
        let has = |o: u32| like.options & o != 0;
        let retarget = |e: &crate::model::Expr, ty: Option<&TypeRef>, this: &Self| -> R<crate::model::Expr> {
            let cx = ExprContext { scope: this.scope(s), table: Some(&table.name), target: ty };
            Ok(build::expr_from_text(&e.sql, &cx)?)
        };
        for c in &src.columns {
            if table.column(&c.name).is_some() {
                return Err(format!("column \"{}\" specified more than once", c.name).into());
            }
            let mut col = Column::new(c.name.clone(), c.ty.clone());
            col.collation = c.collation.clone();
            col.not_null = c.not_null;
            if has(DEFAULTS) {
                col.default = c.default.as_ref().map(|d| retarget(d, Some(&c.ty), self)).transpose()?;
            }
            if has(GENERATED) {
                if let Some(g) = &c.generated {
                    col.generated = Some(Generated { expr: retarget(&g.expr, Some(&c.ty), self)?, kind: g.kind });
                }
            }
            if has(IDENTITY) {
                if let Some(id) = &c.identity {
                    let seq = naming::choose_relation_name(
                        &self.catalog,
                        &table.name.schema,
                        &table.name.name,
                        Some(&c.name),
                        "seq",
                        false,
                        &[],
                    );
                    col.identity =
                        Some(Identity { sequence: QualifiedName::new(table.name.schema.clone(), seq), ..id.clone() });
                }
            }
            if has(STORAGE) {
                col.storage = c.storage;
            }
            if has(COMPRESSION) {
                col.compression = c.compression.clone();
            }
            if has(COMMENTS) {
                col.comment = c.comment.clone();
            }
            table.columns.push(col);
        }
        let constraint = |def: &str| -> R<pb::Constraint> {
            let tree = pg_query::parse(&format!("CREATE TABLE t ({def})"), 0).map_err(|e| e.to_string())?.protobuf;
            let Some(N::CreateStmt(cs)) =
                tree.stmts.first().and_then(|r| r.stmt.as_ref()).and_then(|n| n.node.as_ref())
            else {
                return Err("unexpected constraint".into());
            };
            match cs.table_elts.first().and_then(|e| e.node.as_ref()) {
                Some(N::Constraint(c)) => Ok((**c).clone()),
                _ => Err("unexpected constraint".into()),
            }
        };
        let list = |cols: &[String]| cols.iter().map(|c| crate::model::quote_ident(c)).collect::<Vec<_>>().join(", ");
        for (name, c) in &src.constraints {
            match &c.kind {
                crate::model::ConstraintKind::Check { expr, no_inherit } if has(CONSTRAINTS) => {
                    let mut node = constraint(&format!(
                        "CONSTRAINT {} CHECK ({}){}",
                        crate::model::quote_ident(name),
                        expr.sql,
                        if *no_inherit { " NO INHERIT" } else { "" }
                    ))?;
                    node.skip_validation = !c.validated;
                    pending.push(PendingConstraint { node });
                    if has(COMMENTS) && c.comment.is_some() {
                        self.report(Severity::Warning, format!("LIKE: the comment on constraint {name} is not copied"));
                    }
                }
                crate::model::ConstraintKind::PrimaryKey(k) | crate::model::ConstraintKind::Unique(k)
                    if has(INDEXES) =>
                {
                    let primary = matches!(c.kind, crate::model::ConstraintKind::PrimaryKey(_));
                    let mut def = if primary {
                        format!("PRIMARY KEY ({})", list(&k.columns))
                    } else {
                        format!(
                            "UNIQUE{} ({})",
                            if k.nulls_not_distinct { " NULLS NOT DISTINCT" } else { "" },
                            list(&k.columns)
                        )
                    };
                    if !k.include.is_empty() {
                        def.push_str(&format!(" INCLUDE ({})", list(&k.include)));
                    }
                    pending.push(PendingConstraint { node: constraint(&def)? });
                }
                crate::model::ConstraintKind::Exclude(_) if has(INDEXES) => {
                    return Err(format!(
                        "LIKE {source} INCLUDING INDEXES: copying the exclusion constraint {name} is not supported yet"
                    )
                    .into());
                }
                _ => {}
            }
        }
        if has(STATISTICS) && self.catalog.statistics.values().any(|st| st.table == source) {
            return Err(
                format!("LIKE {source} INCLUDING STATISTICS: copying statistics objects is not supported yet").into()
            );
        }
        Ok(if has(INDEXES) {
            self.catalog.indexes.values().filter(|i| i.table == source).cloned().collect()
        } else {
            Vec::new()
        })
    }

    /// The plain indexes LIKE ... INCLUDING INDEXES copies, named as an unnamed CREATE INDEX
    /// names them, their expressions read again on the new table.
    fn copy_like_indexes(&mut self, table: &QualifiedName, indexes: Vec<crate::model::Index>, s: &Session) -> R {
        for mut index in indexes {
            let snapshot = self.catalog.clone();
            let scope = crate::normalize::Scope::new(&snapshot, &s.search_path);
            let cx = ExprContext { scope, table: Some(table), target: None };
            for k in &mut index.keys {
                if let crate::model::IndexTarget::Expr(e) = &mut k.target {
                    *e = build::expr_from_text(&e.sql, &cx)?;
                }
            }
            if let Some(p) = &mut index.predicate {
                *p = build::expr_from_text(&p.sql, &cx)?;
            }
            // As the server names a cloned index: its columns' names, an expression's as
            // FigureColname gives it (`lower(kind)`: lower), then the INCLUDE columns.
            let mut keys: Vec<Option<String>> = index
                .keys
                .iter()
                .map(|k| match &k.target {
                    crate::model::IndexTarget::Column(c) => Some(c.clone()),
                    crate::model::IndexTarget::Expr(e) => pg_query::parse(&format!("SELECT {}", e.sql), 0)
                        .ok()
                        .and_then(|t| match t.protobuf.stmts.first()?.stmt.as_ref()?.node.as_ref()? {
                            N::SelectStmt(sel) => match sel.target_list.first()?.node.as_ref()? {
                                N::ResTarget(rt) => rt.val.as_deref().and_then(naming::figure_colname),
                                _ => None,
                            },
                            _ => None,
                        }),
                })
                .collect();
            keys.extend(index.include.iter().map(|c| Some(c.clone())));
            let keys: Vec<Option<&str>> = keys.iter().map(|k| k.as_deref()).collect();
            let addition = naming::name_addition(&naming::index_column_names(&keys));
            let name = naming::choose_relation_name(
                &self.catalog,
                &table.schema,
                &table.name,
                Some(&addition),
                "idx",
                false,
                &[],
            );
            index.name = QualifiedName::new(table.schema.clone(), name);
            index.table = table.clone();
            index.comment = None;
            self.catalog.indexes.insert(index.name.clone(), index);
        }
        Ok(())
    }

    /// A column definition (CREATE TABLE, ALTER TABLE ADD COLUMN). Serial sequences are created
    /// in the catalog right away, as the server creates them before the table; the column's
    /// constraints are appended to `pending`.
    pub(super) fn column_def(
        &mut self,
        cd: &pb::ColumnDef,
        table: &Table,
        pending: &mut Vec<PendingConstraint>,
        taken_names: &mut Vec<String>,
        s: &Session,
    ) -> R<Column> {
        let tn = cd.type_name.as_ref().ok_or_else(|| err_at("column without type", cd.location))?;
        let serial = serial_type(tn);
        let ty = match serial {
            Some(t) => TypeRef::builtin(t),
            None => normalize::type_ref(tn, &self.scope(s)).map_err(|e| err_at(e, tn.location))?,
        };
        let mut col = Column::new(cd.colname.clone(), ty.clone());
        if let Some(c) = cd.coll_clause.as_ref() {
            col.collation = build::collation(&ast::names(&c.collname), &self.scope(s))?;
        }
        if !cd.compression.is_empty() && cd.compression != "default" {
            col.compression = Some(cd.compression.clone());
        }
        if !cd.storage_name.is_empty() {
            col.storage = storage_keyword(&cd.storage_name, &ty);
        }
        col.not_null = cd.is_not_null;
        let schema = table.name.schema.clone();
        if serial.is_some() {
            let seq_name = naming::choose_relation_name(
                &self.catalog,
                &schema,
                &table.name.name,
                Some(&col.name),
                "seq",
                false,
                taken_names,
            );
            taken_names.push(seq_name.clone());
            let seq = QualifiedName::new(schema.clone(), seq_name);
            self.catalog.sequences.insert(
                seq.clone(),
                Sequence {
                    name: seq.clone(),
                    options: default_options(ty.clone()),
                    owned_by: Some((table.name.clone(), col.name.clone())),
                    owner: None,
                    comment: None,
                    acl: None,
                },
            );
            let cx = ExprContext { scope: self.scope(s), table: Some(&table.name), target: Some(&ty) };
            col.default =
                Some(build::expr_from_text(&format!("nextval({}::regclass)", quote_literal(&seq.to_string())), &cx)?);
            col.not_null = true;
        }
        let mut last_index: Option<usize> = None;
        // The last CHECK or foreign key, which a following [NOT] ENFORCED applies to.
        let mut last_enforceable: Option<usize> = None;
        for c in &cd.constraints {
            let Some(N::Constraint(c)) = c.node.as_ref() else {
                continue;
            };
            let kind = ConstrType::try_from(c.contype).unwrap_or(ConstrType::Undefined);
            match kind {
                ConstrType::ConstrNotnull => {
                    not_null_modelled(c, &table.name.name, &col.name, self.options.postgres)?;
                    col.not_null = true
                }
                ConstrType::ConstrNull => col.not_null = false,
                ConstrType::ConstrDefault => {
                    if serial.is_some() {
                        return Err(err_at(
                            format!("multiple default values specified for column \"{}\"", col.name),
                            c.location,
                        ));
                    }
                    let cx = ExprContext { scope: self.scope(s), table: Some(&table.name), target: Some(&ty) };
                    let e = normalize::expr(c.raw_expr.as_deref().ok_or("DEFAULT without expression")?, &cx)?;
                    col.default = (!is_null_constant(&e)).then_some(e);
                }
                ConstrType::ConstrIdentity => {
                    let mut options = default_options(ty.clone());
                    let extras = apply_options(&mut options, &c.options, true, &self.scope(s))?;
                    let sequence = match extras.sequence_name {
                        Some(names) => {
                            let (sch, n) = ast::qualified_parts(&names).ok_or("invalid SEQUENCE NAME")?;
                            QualifiedName::new(sch.unwrap_or_else(|| schema.clone()), n)
                        }
                        None => {
                            let n = naming::choose_relation_name(
                                &self.catalog,
                                &schema,
                                &table.name.name,
                                Some(&col.name),
                                "seq",
                                false,
                                taken_names,
                            );
                            QualifiedName::new(schema.clone(), n)
                        }
                    };
                    taken_names.push(sequence.name.clone());
                    col.identity = Some(Identity { always: c.generated_when == "a", sequence, options });
                    col.not_null = true;
                }
                ConstrType::ConstrGenerated => {
                    let cx = ExprContext { scope: self.scope(s), table: Some(&table.name), target: Some(&ty) };
                    let expr = normalize::expr(c.raw_expr.as_deref().ok_or("GENERATED without expression")?, &cx)?;
                    col.generated = Some(Generated { expr, kind: GeneratedKind::from_char(&c.generated_kind) });
                }
                ConstrType::ConstrCheck
                | ConstrType::ConstrPrimary
                | ConstrType::ConstrUnique
                | ConstrType::ConstrForeign => {
                    let mut node = (**c).clone();
                    let column = || Node { node: Some(N::String(pb::String { sval: cd.colname.clone() })) };
                    match kind {
                        ConstrType::ConstrPrimary | ConstrType::ConstrUnique => node.keys = vec![column()],
                        ConstrType::ConstrForeign => node.fk_attrs = vec![column()],
                        _ => {}
                    }
                    pending.push(PendingConstraint { node });
                    last_index = (kind != ConstrType::ConstrCheck).then(|| pending.len() - 1);
                    last_enforceable =
                        matches!(kind, ConstrType::ConstrCheck | ConstrType::ConstrForeign).then(|| pending.len() - 1);
                }
                ConstrType::ConstrAttrEnforced | ConstrType::ConstrAttrNotEnforced => {
                    let i = last_enforceable.ok_or_else(|| err_at("misplaced ENFORCED clause", c.location))?;
                    pending[i].node.is_enforced = kind == ConstrType::ConstrAttrEnforced;
                }
                ConstrType::ConstrAttrDeferrable
                | ConstrType::ConstrAttrNotDeferrable
                | ConstrType::ConstrAttrDeferred
                | ConstrType::ConstrAttrImmediate => {
                    let i = last_index.ok_or_else(|| err_at("misplaced DEFERRABLE clause", c.location))?;
                    let target = &mut pending[i].node;
                    match kind {
                        ConstrType::ConstrAttrDeferrable => target.deferrable = true,
                        ConstrType::ConstrAttrNotDeferrable => target.deferrable = false,
                        ConstrType::ConstrAttrDeferred => {
                            target.initdeferred = true;
                            target.deferrable = true;
                        }
                        _ => target.initdeferred = false,
                    }
                }
                other => return Err(err_at(format!("unsupported column constraint {other:?}"), c.location)),
            }
        }
        if col.identity.is_some() && col.default.is_some() {
            return Err(err_at(
                format!("both default and identity specified for column \"{}\"", col.name),
                cd.location,
            ));
        }
        Ok(col)
    }

    /// `(col WITH OPTIONS DEFAULT 1 NOT NULL)` on an inherited column of a partition.
    fn column_options(
        &mut self,
        cd: &pb::ColumnDef,
        table: &mut Table,
        index: usize,
        pending: &mut Vec<PendingConstraint>,
        s: &Session,
    ) -> R {
        let ty = table.columns[index].ty.clone();
        for c in &cd.constraints {
            let Some(N::Constraint(c)) = c.node.as_ref() else { continue };
            match ConstrType::try_from(c.contype).unwrap_or(ConstrType::Undefined) {
                ConstrType::ConstrNotnull => table.columns[index].not_null = true,
                ConstrType::ConstrDefault => {
                    let cx = ExprContext { scope: self.scope(s), table: Some(&table.name), target: Some(&ty) };
                    let e = normalize::expr(c.raw_expr.as_deref().ok_or("DEFAULT without expression")?, &cx)?;
                    table.columns[index].default = (!is_null_constant(&e)).then_some(e);
                }
                ConstrType::ConstrCheck
                | ConstrType::ConstrPrimary
                | ConstrType::ConstrUnique
                | ConstrType::ConstrForeign => {
                    let mut node = (**c).clone();
                    let column = Node { node: Some(N::String(pb::String { sval: cd.colname.clone() })) };
                    match ConstrType::try_from(c.contype).unwrap_or(ConstrType::Undefined) {
                        ConstrType::ConstrPrimary | ConstrType::ConstrUnique => node.keys = vec![column],
                        ConstrType::ConstrForeign => node.fk_attrs = vec![column],
                        _ => {}
                    }
                    pending.push(PendingConstraint { node });
                }
                other => return Err(err_at(format!("unsupported column option {other:?}"), c.location)),
            }
        }
        Ok(())
    }

    /// The types of a partitioned table's key columns (`None` for expressions).
    pub(super) fn partition_key_types(&self, parent: &QualifiedName) -> R<Vec<Option<TypeRef>>> {
        let p = &self.catalog.tables[parent];
        let key = p.partition_key.as_ref().ok_or_else(|| format!("\"{}\" is not partitioned", parent.name))?;
        Ok(key
            .keys
            .iter()
            .map(|k| match &k.target {
                crate::model::IndexTarget::Column(c) => p.column(c).map(|c| c.ty.clone()),
                crate::model::IndexTarget::Expr(_) => None,
            })
            .collect())
    }

    /// Tables that inherit from `parent` or are its partitions (direct children).
    pub(super) fn children_of(&self, parent: &QualifiedName) -> Vec<QualifiedName> {
        self.catalog
            .tables
            .values()
            .filter(|t| t.inherits.contains(parent) || t.partition_of.as_ref().is_some_and(|p| p.parent == *parent))
            .map(|t| t.name.clone())
            .collect()
    }

    /// Name and add constraints to a table (new, or being altered), in the server's order.
    pub(super) fn add_constraints(
        &mut self,
        table: &mut Table,
        pending: Vec<PendingConstraint>,
        new_table: bool,
        s: &Session,
    ) -> R {
        let schema = table.name.schema.clone();
        let mut chosen: Vec<String> = table.constraints.keys().cloned().collect();
        let kind_of = |p: &PendingConstraint| ConstrType::try_from(p.node.contype).unwrap_or(ConstrType::Undefined);
        let (checks, rest): (Vec<_>, Vec<_>) = pending.into_iter().partition(|p| kind_of(p) == ConstrType::ConstrCheck);
        let (fks, indexed): (Vec<_>, Vec<_>) = rest.into_iter().partition(|p| kind_of(p) == ConstrType::ConstrForeign);

        // CHECK constraints: `<table>_<column>_check` when the expression reads one column.
        for p in checks {
            let name = if p.node.conname.is_empty() {
                let cols = p.node.raw_expr.as_deref().map(normalize::expr::referenced_columns).unwrap_or_default();
                let col = if cols.len() == 1 { Some(cols[0].as_str()) } else { None };
                naming::choose_constraint_name(&self.catalog, &schema, &table.name.name, col, "check", &chosen)
            } else {
                p.node.conname.clone()
            };
            self.push_constraint(table, &p.node, name, new_table, &mut chosen, s)?;
        }

        // Index constraints: the primary key first, repeats of an earlier one dropped.
        let mut indexed: Vec<pb::Constraint> = indexed.into_iter().map(|p| p.node).collect();
        if let Some(pk) = indexed.iter().position(|c| c.contype == ConstrType::ConstrPrimary as i32) {
            let pk = indexed.remove(pk);
            indexed.insert(0, pk);
        }
        let mut kept: Vec<pb::Constraint> = Vec::new();
        for c in indexed {
            let same = |p: &pb::Constraint| {
                p.contype != ConstrType::ConstrExclusion as i32
                    && c.contype != ConstrType::ConstrExclusion as i32
                    && ast::names(&p.keys) == ast::names(&c.keys)
                    && ast::names(&p.including) == ast::names(&c.including)
                    && p.nulls_not_distinct == c.nulls_not_distinct
                    && p.deferrable == c.deferrable
                    && p.initdeferred == c.initdeferred
            };
            match kept.iter_mut().find(|p| same(p)) {
                Some(prior) if prior.conname.is_empty() => prior.conname = c.conname.clone(),
                Some(_) => {}
                None => kept.push(c),
            }
        }
        for c in kept {
            let kind = ConstrType::try_from(c.contype).unwrap_or(ConstrType::Undefined);
            if kind == ConstrType::ConstrPrimary && (table.primary_key().is_some()) {
                return Err(err_at(
                    format!("multiple primary keys for table \"{}\" are not allowed", table.name.name),
                    c.location,
                ));
            }
            let name = if !c.conname.is_empty() {
                c.conname.clone()
            } else if kind == ConstrType::ConstrPrimary {
                naming::choose_relation_name(&self.catalog, &schema, &table.name.name, None, "pkey", true, &chosen)
            } else {
                let cols: Vec<String> = if kind == ConstrType::ConstrExclusion {
                    let keys: Vec<Option<String>> = c
                        .exclusions
                        .iter()
                        .map(|pair| match pair.node.as_ref() {
                            Some(N::List(l)) => match l.items.first().and_then(|n| n.node.as_ref()) {
                                Some(N::IndexElem(e)) if !e.name.is_empty() => Some(e.name.clone()),
                                Some(N::IndexElem(e)) => e.expr.as_deref().and_then(naming::figure_colname),
                                _ => None,
                            },
                            _ => None,
                        })
                        .collect();
                    let mut all: Vec<Option<&str>> = keys.iter().map(|k| k.as_deref()).collect();
                    let include = ast::names(&c.including);
                    all.extend(include.iter().map(|i| Some(i.as_str())));
                    naming::index_column_names(&all)
                } else {
                    let keys: Vec<String> = ast::names(&c.keys).into_iter().chain(ast::names(&c.including)).collect();
                    naming::index_column_names(&keys.iter().map(|k| Some(k.as_str())).collect::<Vec<_>>())
                };
                let label = if kind == ConstrType::ConstrExclusion { "excl" } else { "key" };
                naming::choose_relation_name(
                    &self.catalog,
                    &schema,
                    &table.name.name,
                    Some(&naming::name_addition(&cols)),
                    label,
                    true,
                    &chosen,
                )
            };
            if kind == ConstrType::ConstrPrimary {
                for col in ast::names(&c.keys) {
                    table
                        .column_mut(&col)
                        .ok_or_else(|| err_at(format!("column \"{col}\" named in key does not exist"), c.location))?
                        .not_null = true;
                }
            }
            self.push_constraint(table, &c, name, new_table, &mut chosen, s)?;
        }

        for p in fks {
            let name = if p.node.conname.is_empty() {
                let cols = naming::name_addition(&ast::names(&p.node.fk_attrs));
                naming::choose_constraint_name(&self.catalog, &schema, &table.name.name, Some(&cols), "fkey", &chosen)
            } else {
                p.node.conname.clone()
            };
            self.push_constraint(table, &p.node, name, new_table, &mut chosen, s)?;
        }
        Ok(())
    }

    fn push_constraint(
        &self,
        table: &mut Table,
        c: &pb::Constraint,
        name: String,
        new_table: bool,
        chosen: &mut Vec<String>,
        s: &Session,
    ) -> R {
        if table.constraints.contains_key(&name) {
            return Err(err_at(
                format!("constraint \"{name}\" for relation \"{}\" already exists", table.name.name),
                c.location,
            ));
        }
        let kind = ConstrType::try_from(c.contype).unwrap_or(ConstrType::Undefined);
        if kind != ConstrType::ConstrCheck
            && kind != ConstrType::ConstrForeign
            && self.catalog.relation_name_taken(&table.name.schema, &name)
        {
            return Err(err_at(format!("relation \"{name}\" already exists"), c.location));
        }
        let scope = self.scope(s);
        let own_pk = table.primary_key().and_then(|pk| match &pk.kind {
            ConstraintKind::PrimaryKey(k) => Some(k.columns.clone()),
            _ => None,
        });
        let own_name = table.name.clone();
        let catalog = &self.catalog;
        let pk_of = move |qn: &QualifiedName| -> Option<Vec<String>> {
            if *qn == own_name {
                return own_pk.clone();
            }
            catalog.tables.get(qn)?.primary_key().and_then(|pk| match &pk.kind {
                ConstraintKind::PrimaryKey(k) => Some(k.columns.clone()),
                _ => None,
            })
        };
        let mut built = build::constraint(c, name.clone(), table, &scope, &pk_of).map_err(|e| err_at(e, c.location))?;
        for col in constraint_columns(&built.kind) {
            if table.column(col).is_none() {
                return Err(err_at(format!("column \"{col}\" named in constraint does not exist"), c.location));
            }
        }
        if new_table {
            // NOT VALID means nothing in CREATE TABLE; NOT ENFORCED stays not valid.
            built.validated = built.enforced;
        }
        chosen.push(name.clone());
        table.constraints.insert(name, built);
        Ok(())
    }
}

/// The columns of its own table a constraint names.
pub(super) fn constraint_columns(kind: &ConstraintKind) -> Vec<&String> {
    match kind {
        ConstraintKind::PrimaryKey(k) | ConstraintKind::Unique(k) => k.columns.iter().chain(k.include.iter()).collect(),
        ConstraintKind::ForeignKey(f) => f.columns.iter().collect(),
        ConstraintKind::Exclude(x) => x
            .elements
            .iter()
            .filter_map(|(k, _)| match &k.target {
                crate::model::IndexTarget::Column(c) => Some(c),
                _ => None,
            })
            .chain(x.include.iter())
            .collect(),
        ConstraintKind::Check { .. } => Vec::new(),
    }
}

/// `STORAGE x` as the model keeps it: `None` when it is the type's default.
pub(super) fn storage_keyword(word: &str, ty: &TypeRef) -> Option<Storage> {
    let st = match word.to_ascii_lowercase().as_str() {
        "plain" => storage_from_char('p'),
        "external" => storage_from_char('e'),
        "extended" => storage_from_char('x'),
        "main" => storage_from_char('m'),
        _ => None,
    }?;
    (normalize::types::default_storage(ty) != Some(st)).then_some(st)
}

/// PostgreSQL 18 keeps NOT NULL as a constraint with a name (`<table>_<column>_not_null`
/// unless named), and it may be NOT VALID or NO INHERIT. The model holds a column's NOT NULL
/// as a flag: a name other than the default, NOT VALID and NO INHERIT are refused by name
/// rather than dropped. (Before 18 the server ignores a NOT NULL's name, and so do we; NOT
/// VALID and NO INHERIT are refused there by `feature`.)
fn not_null_modelled(c: &pb::Constraint, table: &str, column: &str, target: u32) -> R {
    if target < 18 {
        return Ok(());
    }
    let unsupported = |what: String| -> R {
        Err(err_at(format!("{what} (PostgreSQL 18) is not supported by tidemark yet"), c.location))
    };
    if c.skip_validation {
        return unsupported(format!("NOT NULL ... NOT VALID on column \"{column}\""));
    }
    if c.is_no_inherit {
        return unsupported(format!("NOT NULL ... NO INHERIT on column \"{column}\""));
    }
    let default = naming::make_object_name(table, Some(column), Some("not_null"));
    if !c.conname.is_empty() && c.conname != default {
        return unsupported(format!(
            "a NOT NULL constraint named \"{}\" (the server's own name would be \"{default}\")",
            c.conname
        ));
    }
    Ok(())
}
