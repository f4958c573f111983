//! ALTER TABLE (and ALTER INDEX / SEQUENCE / TYPE forms that share its statement node).
//! Subcommands apply in order to a working copy of the table, which goes back into the catalog
//! when all of them succeed.

use super::misc::object_type_name;
use super::table::{constraint_columns, storage_keyword, PendingConstraint};
use super::{err_at, Interpreter, Session, R};
use crate::model::{ConstraintKind, IndexStorage, KeyConstraint, ObjectRef, QualifiedName, ReplicaIdentity, Table};
use crate::normalize::{self, expr::is_null_constant, ExprContext};
use crate::source::diagnostic::Severity;
use crate::source::parse::interp::sequence::{apply_options, default_options};
use crate::source::parse::{ast, build, naming};
use pg_query::protobuf::node::Node as N;
use pg_query::protobuf::{self as pb, AlterTableType as A, ConstrType, DropBehavior, ObjectType};

impl Interpreter {
    pub(super) fn alter_table(&mut self, st: &pb::AlterTableStmt, s: &mut Session) -> R {
        let rv = st.relation.as_ref().ok_or("missing relation")?;
        if self.on_temporary(s, rv) {
            return Ok(());
        }
        let (schema, name) = ast::range_var_parts(rv);
        let objtype = ObjectType::try_from(st.objtype).unwrap_or(ObjectType::Undefined);
        let scope = self.scope(s);
        // IF EXISTS: nothing to do; else the server's error.
        let missing = || -> R {
            if st.missing_ok {
                Ok(())
            } else {
                Err(err_at(format!("relation \"{name}\" does not exist"), rv.location))
            }
        };
        match objtype {
            ObjectType::ObjectTable => {}
            ObjectType::ObjectSequence => {
                let Some(seq) = scope.find_sequence(schema.as_deref(), &name) else {
                    return missing();
                };
                return self.alter_sequence_as_table(&seq, st);
            }
            ObjectType::ObjectIndex => {
                let Some(idx) = scope.find_index(schema.as_deref(), &name) else {
                    return missing();
                };
                return self.alter_index(&idx, st);
            }
            ObjectType::ObjectType => {
                let qn = scope
                    .find_type(schema.as_deref(), &name)
                    .ok_or_else(|| err_at(format!("type \"{name}\" does not exist"), rv.location))?;
                return self.alter_composite(&qn, st, s);
            }
            ObjectType::ObjectView | ObjectType::ObjectMatview => {
                let Some(v) = scope.find_view(schema.as_deref(), &name) else {
                    return missing();
                };
                return self.alter_view(&v, st, s);
            }
            other => {
                return Err(err_at(format!("ALTER {} is not supported yet", object_type_name(other)), rv.location))
            }
        }
        let Some(qn) = scope.find_table(schema.as_deref(), &name) else {
            if st.missing_ok {
                return Ok(());
            }
            // ALTER TABLE also reaches sequences and indexes in the server.
            if let Some(seq) = scope.find_sequence(schema.as_deref(), &name) {
                return self.alter_sequence_as_table(&seq, st);
            }
            if let Some(idx) = scope.find_index(schema.as_deref(), &name) {
                return self.alter_index(&idx, st);
            }
            if let Some(v) = scope.find_view(schema.as_deref(), &name) {
                return self.alter_view(&v, st, s);
            }
            return Err(err_at(format!("relation \"{name}\" does not exist"), rv.location));
        };
        let mut table = self.catalog.tables.remove(&qn).expect("found");
        let result = st.cmds.iter().try_for_each(|cmd| match cmd.node.as_ref() {
            Some(N::AlterTableCmd(cmd)) => self.alter_table_cmd(&mut table, cmd, s),
            _ => Err("unsupported ALTER TABLE command".into()),
        });
        self.catalog.tables.insert(qn.clone(), table);
        result?;
        // Column changes reach the table's children (inheritance and partitions), unless ONLY.
        if rv.inh {
            for cmd in &st.cmds {
                if let Some(N::AlterTableCmd(cmd)) = cmd.node.as_ref() {
                    self.recurse_column_change(&qn, cmd)?;
                }
            }
        }
        Ok(())
    }

    fn alter_table_cmd(&mut self, table: &mut Table, cmd: &pb::AlterTableCmd, s: &mut Session) -> R {
        let sub = A::try_from(cmd.subtype).unwrap_or(A::Undefined);
        let def = cmd.def.as_deref().and_then(|d| d.node.as_ref());
        let tname = table.name.name.clone();
        let no_column = || format!("column \"{}\" of relation \"{tname}\" does not exist", cmd.name);
        match sub {
            A::AtAddColumn => {
                let Some(N::ColumnDef(cd)) = def else {
                    return Err("missing column definition".into());
                };
                if table.column(&cd.colname).is_some() {
                    if cmd.missing_ok {
                        self.report(
                            Severity::Note,
                            format!("column \"{}\" of relation \"{tname}\" already exists, skipping", cd.colname),
                        );
                        return Ok(());
                    }
                    return Err(err_at(
                        format!("column \"{}\" of relation \"{tname}\" already exists", cd.colname),
                        cd.location,
                    ));
                }
                let mut pending = Vec::new();
                let mut taken = self.own_relation_names(table);
                let col = self.column_def(cd, table, &mut pending, &mut taken, s)?;
                table.columns.push(col);
                self.add_constraints(table, pending, false, s)?;
            }
            A::AtColumnDefault => {
                let ty = table.column(&cmd.name).ok_or_else(no_column)?.ty.clone();
                let value = match cmd.def.as_deref() {
                    Some(d) => {
                        let cx = ExprContext { scope: self.scope(s), table: Some(&table.name), target: Some(&ty) };
                        let e = normalize::expr(d, &cx)?;
                        (!is_null_constant(&e)).then_some(e)
                    }
                    None => None,
                };
                let col = table.column_mut(&cmd.name).ok_or_else(no_column)?;
                if col.identity.is_some() && value.is_some() {
                    return Err(format!("column \"{}\" of relation \"{tname}\" is an identity column", cmd.name).into());
                }
                col.default = value;
            }
            A::AtSetNotNull => table.column_mut(&cmd.name).ok_or_else(no_column)?.not_null = true,
            A::AtDropNotNull => {
                let in_pk = table.primary_key().is_some_and(|pk| constraint_columns(&pk.kind).contains(&&cmd.name));
                let col = table.column_mut(&cmd.name).ok_or_else(no_column)?;
                if in_pk {
                    return Err(format!("column \"{}\" is in a primary key", cmd.name).into());
                }
                if col.identity.is_some() {
                    return Err(format!("column \"{}\" of relation \"{tname}\" is an identity column", cmd.name).into());
                }
                col.not_null = false;
            }
            A::AtSetStatistics => {
                let n = cmd.def.as_deref().and_then(ast::int).ok_or("invalid statistics target")?;
                table.column_mut(&cmd.name).ok_or_else(no_column)?.statistics = (n != -1).then_some(n as i32);
            }
            A::AtSetStorage => {
                let word = cmd.def.as_deref().and_then(ast::text).ok_or("invalid storage")?;
                let col = table.column_mut(&cmd.name).ok_or_else(no_column)?;
                col.storage = storage_keyword(&word, &col.ty);
            }
            A::AtSetCompression => {
                let word = cmd.def.as_deref().and_then(ast::text).ok_or("invalid compression")?;
                table.column_mut(&cmd.name).ok_or_else(no_column)?.compression = (word != "default").then_some(word);
            }
            A::AtDropColumn => {
                if table.column(&cmd.name).is_none() {
                    if cmd.missing_ok {
                        return Ok(());
                    }
                    return Err(no_column().into());
                }
                let cascade = cmd.behavior == DropBehavior::DropCascade as i32;
                let column = ObjectRef::Column(table.name.clone(), cmd.name.clone());
                self.drop_from_altered(table, column, cascade)?;
            }
            A::AtAddConstraint => {
                let Some(N::Constraint(c)) = def else {
                    return Err("missing constraint".into());
                };
                if !c.indexname.is_empty() {
                    return self.add_constraint_using_index(table, c, s);
                }
                let mut node = (**c).clone();
                // Validity is data, but NOT VALID on an existing table is what the catalog keeps.
                node.skip_validation = c.skip_validation;
                self.add_constraints(table, vec![PendingConstraint { node }], false, s)?;
            }
            A::AtValidateConstraint => {
                let c = table
                    .constraints
                    .get_mut(&cmd.name)
                    .ok_or_else(|| format!("constraint \"{}\" of relation \"{tname}\" does not exist", cmd.name))?;
                c.validated = true;
            }
            A::AtDropConstraint => {
                if !table.constraints.contains_key(&cmd.name) {
                    if cmd.missing_ok {
                        return Ok(());
                    }
                    return Err(format!("constraint \"{}\" of relation \"{tname}\" does not exist", cmd.name).into());
                }
                let cascade = cmd.behavior == DropBehavior::DropCascade as i32;
                let obj = ObjectRef::Constraint(table.name.clone(), cmd.name.clone());
                self.drop_from_altered(table, obj, cascade)?;
            }
            A::AtAlterConstraint => {
                let Some(N::AtalterConstraint(c)) = def else {
                    return Err("missing constraint".into());
                };
                // (Which version runs these is `feature::required`'s business.)
                if c.alter_inheritability {
                    return Err(format!(
                        "ALTER CONSTRAINT {} ... [NO] INHERIT is not supported: tidemark does not model the \
                         inheritability of NOT NULL constraints",
                        c.conname
                    )
                    .into());
                }
                let con = table
                    .constraints
                    .get_mut(&c.conname)
                    .ok_or_else(|| format!("constraint \"{}\" of relation \"{tname}\" does not exist", c.conname))?;
                if c.alter_enforceability && !matches!(con.kind, crate::model::ConstraintKind::ForeignKey(_)) {
                    return Err(format!(
                        "cannot alter enforceability of constraint \"{}\" of relation \"{tname}\"",
                        c.conname
                    )
                    .into());
                }
                if c.alter_enforceability {
                    // ENFORCED validates the existing rows; NOT ENFORCED leaves it not valid.
                    con.enforced = c.is_enforced;
                    con.validated = c.is_enforced;
                }
                if !matches!(con.kind, crate::model::ConstraintKind::ForeignKey(_)) {
                    return Err(format!(
                        "constraint \"{}\" of relation \"{tname}\" is not a foreign key constraint",
                        c.conname
                    )
                    .into());
                }
                if c.alter_deferrability {
                    con.deferrable = c.deferrable;
                    con.initially_deferred = c.initdeferred;
                }
            }
            A::AtAlterColumnType => {
                let Some(N::ColumnDef(cd)) = def else {
                    return Err("missing type".into());
                };
                let tn = cd.type_name.as_ref().ok_or("missing type")?;
                let ty = normalize::type_ref(tn, &self.scope(s)).map_err(|e| err_at(e, tn.location))?;
                let collation = match cd.coll_clause.as_ref() {
                    Some(c) => build::collation(&ast::names(&c.collname), &self.scope(s))?,
                    None => None,
                };
                let col = table.column_mut(&cmd.name).ok_or_else(no_column)?;
                col.ty = ty;
                col.collation = collation;
                if let Some(id) = col.identity.as_mut() {
                    // The identity sequence follows the column's type.
                    let fresh = default_options(col.ty.clone());
                    if id.options.max == crate::source::parse::interp::sequence::type_bounds(&id.options.data_type).1 {
                        id.options.max = fresh.max;
                    }
                    id.options.data_type = col.ty.clone();
                }
                if col.storage.is_some() {
                    col.storage = None;
                }
            }
            A::AtChangeOwner => {
                let owner = cmd.newowner.as_ref().and_then(|r| self.role_name(r));
                // Sequences owned by the table's columns change owner with it.
                for seq in self.catalog.sequences.values_mut() {
                    if seq.owned_by.as_ref().is_some_and(|(t, _)| *t == table.name) {
                        seq.owner = owner.clone();
                    }
                }
                table.owner = owner;
            }
            A::AtClusterOn => {
                let index = QualifiedName::new(table.name.schema.clone(), cmd.name.clone());
                let own_constraint = table.constraints.get(&cmd.name).is_some_and(|c| c.kind.has_index());
                let own_index = self.catalog.indexes.get(&index).is_some_and(|i| i.table == table.name);
                if !(own_constraint || own_index) {
                    return Err(format!("index \"{}\" for table \"{tname}\" does not exist", cmd.name).into());
                }
                table.cluster_on = Some(cmd.name.clone());
            }
            A::AtDropCluster => table.cluster_on = None,
            A::AtSetLogged => table.unlogged = false,
            A::AtSetUnLogged => table.unlogged = true,
            A::AtSetOptions | A::AtResetOptions => {
                let list = match def {
                    Some(N::List(l)) => l.items.clone(),
                    _ => Vec::new(),
                };
                let col = table.column_mut(&cmd.name).ok_or_else(no_column)?;
                if sub == A::AtSetOptions {
                    col.options.extend(build::reloption_map(&list));
                } else {
                    for (k, _) in ast::reloptions(&list) {
                        col.options.remove(&k);
                    }
                }
            }
            A::AtSetRelOptions => {
                let list = match def {
                    Some(N::List(l)) => l.items.clone(),
                    _ => Vec::new(),
                };
                table.options.extend(build::reloption_map(&list));
                table.options.remove("oids");
            }
            A::AtResetRelOptions => {
                let list = match def {
                    Some(N::List(l)) => l.items.clone(),
                    _ => Vec::new(),
                };
                for (k, _) in ast::reloptions(&list) {
                    table.options.remove(&k);
                }
            }
            A::AtReplicaIdentity => {
                let Some(N::ReplicaIdentityStmt(ri)) = def else {
                    return Err("missing replica identity".into());
                };
                table.replica_identity = match ri.identity_type.as_str() {
                    "f" => ReplicaIdentity::Full,
                    "n" => ReplicaIdentity::Nothing,
                    "i" => ReplicaIdentity::Index(ri.name.clone()),
                    _ => ReplicaIdentity::Default,
                };
            }
            A::AtAddIdentity => {
                let Some(N::Constraint(c)) = def else {
                    return Err("missing identity".into());
                };
                let taken = self.own_relation_names(table);
                let ty = table.column(&cmd.name).ok_or_else(no_column)?.ty.clone();
                let mut options = default_options(ty);
                let extras = apply_options(&mut options, &c.options, true, &self.scope(s))?;
                let sequence = match extras.sequence_name.and_then(|n| ast::qualified_parts(&n)) {
                    Some((sch, n)) => QualifiedName::new(sch.unwrap_or_else(|| table.name.schema.clone()), n),
                    None => QualifiedName::new(
                        table.name.schema.clone(),
                        naming::choose_relation_name(
                            &self.catalog,
                            &table.name.schema,
                            &tname,
                            Some(&cmd.name),
                            "seq",
                            false,
                            &taken,
                        ),
                    ),
                };
                let col = table.column_mut(&cmd.name).ok_or_else(no_column)?;
                if col.default.is_some() {
                    return Err(
                        format!("column \"{}\" of relation \"{tname}\" already has a default value", cmd.name).into()
                    );
                }
                col.identity = Some(crate::model::Identity { always: c.generated_when == "a", sequence, options });
                col.not_null = true;
            }
            A::AtSetIdentity => {
                let list = match def {
                    Some(N::List(l)) => l.items.clone(),
                    _ => Vec::new(),
                };
                let scope_catalog = self.catalog.clone();
                let col = table.column_mut(&cmd.name).ok_or_else(no_column)?;
                let id = col.identity.as_mut().ok_or_else(|| {
                    format!("column \"{}\" of relation \"{tname}\" is not an identity column", cmd.name)
                })?;
                let mut seq_options = Vec::new();
                for d in ast::def_elems(&list) {
                    if d.defname == "generated" {
                        // The grammar stores the character ('a' ALWAYS, 'd' BY DEFAULT) as an integer.
                        id.always = d.arg.as_deref().and_then(ast::int) == Some(i64::from(b'a'))
                            || d.arg.as_deref().and_then(ast::text).as_deref() == Some("a");
                    } else {
                        seq_options.push(pb::Node { node: Some(N::DefElem(Box::new(d.clone()))) });
                    }
                }
                apply_options(
                    &mut id.options,
                    &seq_options,
                    false,
                    &crate::normalize::Scope::new(&scope_catalog, &s.search_path),
                )?;
            }
            A::AtDropIdentity => {
                let col = table.column_mut(&cmd.name).ok_or_else(no_column)?;
                if col.identity.take().is_none() && !cmd.missing_ok {
                    return Err(
                        format!("column \"{}\" of relation \"{tname}\" is not an identity column", cmd.name).into()
                    );
                }
            }
            A::AtDropExpression => {
                let col = table.column_mut(&cmd.name).ok_or_else(no_column)?;
                if col.generated.take().is_none() && !cmd.missing_ok {
                    return Err(format!(
                        "column \"{}\" of relation \"{tname}\" is not a stored generated column",
                        cmd.name
                    )
                    .into());
                }
            }
            A::AtSetTableSpace => {
                self.report(Severity::Warning, "tablespaces are not modeled; SET TABLESPACE ignored");
            }
            A::AtDropOids => {}
            A::AtAttachPartition => self.attach_partition(table, cmd, true, s)?,
            A::AtDetachPartition | A::AtDetachPartitionFinalize => self.attach_partition(table, cmd, false, s)?,
            A::AtAddInherit => self.set_inherit(table, cmd, true, s)?,
            A::AtDropInherit => self.set_inherit(table, cmd, false, s)?,
            A::AtEnableRowSecurity => table.rls_enabled = true,
            A::AtDisableRowSecurity => table.rls_enabled = false,
            A::AtForceRowSecurity => table.rls_forced = true,
            A::AtNoForceRowSecurity => table.rls_forced = false,
            A::AtEnableTrig
            | A::AtEnableAlwaysTrig
            | A::AtEnableReplicaTrig
            | A::AtDisableTrig
            | A::AtEnableTrigAll
            | A::AtDisableTrigAll
            | A::AtEnableTrigUser
            | A::AtDisableTrigUser => self.set_trigger_enabled(&table.name, sub, &cmd.name)?,
            other => {
                let name = format!("{other:?}");
                let name = name.strip_prefix("At").unwrap_or(&name);
                return Err(format!("ALTER TABLE subcommand {name} is not supported yet").into());
            }
        }
        Ok(())
    }

    /// Bring a column change of `parent` to its children, recursively: what the server does for
    /// ADD / DROP COLUMN, ALTER TYPE, SET / DROP DEFAULT, SET / DROP NOT NULL without ONLY.
    /// Drop a part of the table being altered (held outside the catalog while its commands
    /// run): the dependency closure needs the table in the catalog, so it goes back for the drop.
    fn drop_from_altered(&mut self, table: &mut Table, object: ObjectRef, cascade: bool) -> R {
        let qn = table.name.clone();
        self.catalog.tables.insert(qn.clone(), std::mem::replace(table, Table::new(qn.clone())));
        let r = self.drop_objects(vec![object], cascade);
        *table = self.catalog.tables.remove(&qn).expect("table");
        r
    }

    fn recurse_column_change(&mut self, parent: &QualifiedName, cmd: &pb::AlterTableCmd) -> R {
        let sub = A::try_from(cmd.subtype).unwrap_or(A::Undefined);
        let column = match (sub, cmd.def.as_deref().and_then(|d| d.node.as_ref())) {
            (A::AtAddColumn, Some(N::ColumnDef(cd))) => cd.colname.clone(),
            (
                A::AtDropColumn
                | A::AtAlterColumnType
                | A::AtColumnDefault
                | A::AtSetNotNull
                | A::AtDropNotNull
                | A::AtSetStorage
                | A::AtDropExpression,
                _,
            ) => cmd.name.clone(),
            _ => return Ok(()),
        };
        let source = self.catalog.tables[parent].column(&column).cloned();
        for child in self.children_of(parent) {
            let t = self.catalog.tables.get_mut(&child).expect("child");
            match (sub, &source) {
                (A::AtAddColumn, Some(c)) => match t.column_mut(&column) {
                    Some(existing) => existing.inherited = true,
                    None => t.columns.push(crate::model::Column {
                        inherited: true,
                        local: false,
                        comment: None,
                        acl: None,
                        identity: None,
                        statistics: None,
                        ..c.clone()
                    }),
                },
                (A::AtDropColumn, _) => {
                    if let Some(pos) = t.columns.iter().position(|c| c.name == column) {
                        if t.columns[pos].local {
                            t.columns[pos].inherited = false;
                        } else {
                            t.columns.remove(pos);
                        }
                    }
                }
                (_, Some(c)) => {
                    if let Some(existing) = t.column_mut(&column) {
                        match sub {
                            A::AtAlterColumnType => {
                                existing.ty = c.ty.clone();
                                existing.collation = c.collation.clone();
                            }
                            A::AtColumnDefault => existing.default = c.default.clone(),
                            A::AtSetNotNull | A::AtDropNotNull => existing.not_null = c.not_null,
                            A::AtSetStorage => existing.storage = c.storage,
                            A::AtDropExpression => existing.generated = None,
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
            self.recurse_column_change(&child, cmd)?;
        }
        Ok(())
    }

    /// ATTACH PARTITION child FOR VALUES ... / DETACH PARTITION child.
    fn attach_partition(&mut self, parent: &Table, cmd: &pb::AlterTableCmd, attach: bool, s: &Session) -> R {
        let Some(N::PartitionCmd(pc)) = cmd.def.as_deref().and_then(|d| d.node.as_ref()) else {
            return Err("missing partition".into());
        };
        let rv = pc.name.as_ref().ok_or("missing partition")?;
        let child = self.find_table_rv(s, rv)?;
        let bound = if attach {
            let spec = pc.bound.as_ref().ok_or("missing partition bound")?;
            let key =
                parent.partition_key.as_ref().ok_or_else(|| format!("\"{}\" is not partitioned", parent.name.name))?;
            let types: Vec<Option<crate::model::TypeRef>> = key
                .keys
                .iter()
                .map(|k| match &k.target {
                    crate::model::IndexTarget::Column(c) => parent.column(c).map(|c| c.ty.clone()),
                    _ => None,
                })
                .collect();
            Some(build::partition_bound(spec, &types, &self.scope(s)).map_err(|e| err_at(e, rv.location))?)
        } else {
            None
        };
        let parent_columns: Vec<String> = parent.columns.iter().map(|c| c.name.clone()).collect();
        let t = self.catalog.tables.get_mut(&child).expect("table");
        match bound {
            Some(bound) => {
                t.partition_of = Some(crate::model::PartitionOf { parent: parent.name.clone(), bound });
                for c in t.columns.iter_mut().filter(|c| parent_columns.contains(&c.name)) {
                    c.inherited = true;
                    c.local = false;
                }
            }
            None => {
                t.partition_of = None;
                for c in &mut t.columns {
                    c.inherited = false;
                    c.local = true;
                }
            }
        }
        Ok(())
    }

    /// INHERIT parent / NO INHERIT parent (on the child).
    fn set_inherit(&mut self, table: &mut Table, cmd: &pb::AlterTableCmd, add: bool, s: &Session) -> R {
        let Some(N::RangeVar(rv)) = cmd.def.as_deref().and_then(|d| d.node.as_ref()) else {
            return Err("missing parent".into());
        };
        let parent = self.find_table_rv(s, rv)?;
        let parent_columns: Vec<String> = self.catalog.tables[&parent].columns.iter().map(|c| c.name.clone()).collect();
        if add {
            table.inherits.push(parent);
            for c in table.columns.iter_mut().filter(|c| parent_columns.contains(&c.name)) {
                c.inherited = true;
            }
        } else {
            table.inherits.retain(|p| *p != parent);
            let still: Vec<String> = table
                .inherits
                .iter()
                .flat_map(|p| self.catalog.tables[p].columns.iter().map(|c| c.name.clone()))
                .collect();
            for c in table.columns.iter_mut().filter(|c| parent_columns.contains(&c.name) && !still.contains(&c.name)) {
                c.inherited = false;
                c.local = true;
            }
        }
        Ok(())
    }

    /// ENABLE / DISABLE [ALWAYS | REPLICA] TRIGGER name | ALL | USER.
    fn set_trigger_enabled(&mut self, table: &QualifiedName, sub: A, name: &str) -> R {
        use crate::model::TriggerEnabled as E;
        let (state, all) = match sub {
            A::AtEnableTrig => (E::Origin, false),
            A::AtEnableAlwaysTrig => (E::Always, false),
            A::AtEnableReplicaTrig => (E::Replica, false),
            A::AtDisableTrig => (E::Disabled, false),
            A::AtEnableTrigAll | A::AtEnableTrigUser => (E::Origin, true),
            _ => (E::Disabled, true),
        };
        let mut found = false;
        for t in self.catalog.triggers.values_mut().filter(|t| t.table == *table && (all || t.name == name)) {
            t.enabled = state;
            found = true;
        }
        if !found && !all {
            return Err(format!("trigger \"{name}\" for table \"{}\" does not exist", table.name).into());
        }
        Ok(())
    }

    /// ALTER VIEW / ALTER MATERIALIZED VIEW (and ALTER TABLE naming a view).
    fn alter_view(&mut self, v: &QualifiedName, st: &pb::AlterTableStmt, s: &Session) -> R {
        for cmd in &st.cmds {
            let Some(N::AlterTableCmd(cmd)) = cmd.node.as_ref() else { continue };
            let list = match cmd.def.as_deref().and_then(|d| d.node.as_ref()) {
                Some(N::List(l)) => l.items.clone(),
                _ => Vec::new(),
            };
            let sub = A::try_from(cmd.subtype).unwrap_or(A::Undefined);
            match sub {
                A::AtChangeOwner => {
                    let owner = cmd.newowner.as_ref().and_then(|r| self.role_name(r));
                    self.catalog.views.get_mut(v).expect("view").owner = owner;
                }
                A::AtSetRelOptions => {
                    self.catalog.views.get_mut(v).expect("view").options.extend(build::reloption_map(&list))
                }
                A::AtResetRelOptions => {
                    let view = self.catalog.views.get_mut(v).expect("view");
                    for (k, _) in ast::reloptions(&list) {
                        view.options.remove(&k);
                    }
                }
                A::AtColumnDefault => {
                    let view = self.catalog.views.get(v).expect("view");
                    let col = view
                        .columns
                        .iter()
                        .find(|c| c.name == cmd.name)
                        .ok_or_else(|| format!("column \"{}\" does not exist", cmd.name))?;
                    let ty = col.ty.0.clone();
                    let value = match cmd.def.as_deref() {
                        Some(d) => {
                            let cx = ExprContext { scope: self.scope(s), table: Some(v), target: ty.as_ref() };
                            let e = normalize::expr(d, &cx)?;
                            (!is_null_constant(&e)).then_some(e)
                        }
                        None => None,
                    };
                    let view = self.catalog.views.get_mut(v).expect("view");
                    view.columns.iter_mut().find(|c| c.name == cmd.name).expect("found").default = value;
                }
                A::AtSetTableSpace => {
                    self.report(Severity::Warning, "tablespaces are not modeled; SET TABLESPACE ignored")
                }
                A::AtEnableTrig
                | A::AtEnableAlwaysTrig
                | A::AtEnableReplicaTrig
                | A::AtDisableTrig
                | A::AtEnableTrigAll
                | A::AtDisableTrigAll
                | A::AtEnableTrigUser
                | A::AtDisableTrigUser => self.set_trigger_enabled(v, sub, &cmd.name)?,
                other => return Err(format!("ALTER VIEW subcommand {other:?} is not supported yet").into()),
            }
        }
        Ok(())
    }

    /// Relation names a table (out of the catalog while altered) holds: its constraint indexes
    /// and identity sequences.
    fn own_relation_names(&self, table: &Table) -> Vec<String> {
        let mut names: Vec<String> =
            table.constraints.values().filter(|c| c.kind.has_index()).map(|c| c.name.clone()).collect();
        names.extend(table.columns.iter().filter_map(|c| c.identity.as_ref().map(|i| i.sequence.name.clone())));
        names.push(table.name.name.clone());
        names
    }

    /// `ADD CONSTRAINT name PRIMARY KEY | UNIQUE USING INDEX idx`: the index becomes the
    /// constraint's, renamed to the constraint's name.
    fn add_constraint_using_index(&mut self, table: &mut Table, c: &pb::Constraint, _s: &Session) -> R {
        let iname = QualifiedName::new(table.name.schema.clone(), c.indexname.clone());
        let index =
            self.catalog.indexes.remove(&iname).ok_or_else(|| format!("index \"{}\" does not exist", c.indexname))?;
        let columns: Vec<String> = index
            .keys
            .iter()
            .map(|k| match &k.target {
                crate::model::IndexTarget::Column(col) => Ok(col.clone()),
                _ => Err(format!("index \"{}\" contains expressions", c.indexname)),
            })
            .collect::<Result<_, _>>()?;
        let primary = c.contype == ConstrType::ConstrPrimary as i32;
        let key = KeyConstraint {
            columns: columns.clone(),
            without_overlaps: false,
            include: index.include.clone(),
            nulls_not_distinct: index.nulls_not_distinct,
            index: IndexStorage {
                options: index.options.clone(),
                tablespace: index.tablespace.clone(),
                comment: index.comment.clone(),
            },
        };
        let name = if c.conname.is_empty() { c.indexname.clone() } else { c.conname.clone() };
        if primary {
            for col in &columns {
                if let Some(column) = table.column_mut(col) {
                    column.not_null = true;
                }
            }
        }
        if table.cluster_on.as_deref() == Some(&c.indexname) {
            table.cluster_on = Some(name.clone());
        }
        table.constraints.insert(
            name.clone(),
            crate::model::Constraint {
                name,
                kind: if primary { ConstraintKind::PrimaryKey(key) } else { ConstraintKind::Unique(key) },
                deferrable: c.deferrable,
                initially_deferred: c.initdeferred,
                validated: true,
                enforced: true,
                comment: index.comment.clone(),
            },
        );
        Ok(())
    }

    fn alter_sequence_as_table(&mut self, seq: &QualifiedName, st: &pb::AlterTableStmt) -> R {
        for cmd in &st.cmds {
            let Some(N::AlterTableCmd(cmd)) = cmd.node.as_ref() else {
                continue;
            };
            match A::try_from(cmd.subtype).unwrap_or(A::Undefined) {
                A::AtChangeOwner => {
                    let owner = cmd.newowner.as_ref().and_then(|r| self.role_name(r));
                    if let Some(q) = self.catalog.sequences.get_mut(seq) {
                        q.owner = owner;
                    }
                }
                other => return Err(format!("ALTER SEQUENCE subcommand {other:?} is not supported").into()),
            }
        }
        Ok(())
    }

    fn alter_index(&mut self, idx: &QualifiedName, st: &pb::AlterTableStmt) -> R {
        for cmd in &st.cmds {
            let Some(N::AlterTableCmd(cmd)) = cmd.node.as_ref() else {
                continue;
            };
            let list = match cmd.def.as_deref().and_then(|d| d.node.as_ref()) {
                Some(N::List(l)) => l.items.clone(),
                _ => Vec::new(),
            };
            let options = if let Some(i) = self.catalog.indexes.get_mut(idx) {
                &mut i.options
            } else {
                let (t, _) = self.catalog.constraint_index(idx).ok_or("index not found")?;
                let t = t.name.clone();
                match &mut self
                    .catalog
                    .tables
                    .get_mut(&t)
                    .expect("table")
                    .constraints
                    .get_mut(&idx.name)
                    .expect("constraint")
                    .kind
                {
                    ConstraintKind::PrimaryKey(k) | ConstraintKind::Unique(k) => &mut k.index.options,
                    ConstraintKind::Exclude(x) => &mut x.index.options,
                    _ => return Err("not an index".into()),
                }
            };
            match A::try_from(cmd.subtype).unwrap_or(A::Undefined) {
                A::AtSetRelOptions => options.extend(build::reloption_map(&list)),
                A::AtResetRelOptions => {
                    for (k, _) in ast::reloptions(&list) {
                        options.remove(&k);
                    }
                }
                A::AtSetTableSpace => {
                    self.report(Severity::Warning, "tablespaces are not modeled; SET TABLESPACE ignored")
                }
                other => return Err(format!("ALTER INDEX subcommand {other:?} is not supported").into()),
            }
        }
        Ok(())
    }

    fn alter_composite(&mut self, qn: &QualifiedName, st: &pb::AlterTableStmt, s: &mut Session) -> R {
        for cmd in &st.cmds {
            let Some(N::AlterTableCmd(cmd)) = cmd.node.as_ref() else {
                continue;
            };
            let def = cmd.def.as_deref().and_then(|d| d.node.as_ref());
            match A::try_from(cmd.subtype).unwrap_or(A::Undefined) {
                A::AtAddColumn => {
                    let Some(N::ColumnDef(cd)) = def else {
                        return Err("missing attribute".into());
                    };
                    let a = self.attribute(cd, s)?;
                    self.composite_mut(qn)?.push(a);
                }
                A::AtDropColumn => {
                    let attrs = self.composite_mut(qn)?;
                    let before = attrs.len();
                    attrs.retain(|a| a.name != cmd.name);
                    if attrs.len() == before && !cmd.missing_ok {
                        return Err(format!("attribute \"{}\" does not exist", cmd.name).into());
                    }
                }
                A::AtAlterColumnType => {
                    let Some(N::ColumnDef(cd)) = def else {
                        return Err("missing type".into());
                    };
                    let mut a = self.attribute(cd, s)?;
                    let attrs = self.composite_mut(qn)?;
                    let existing = attrs
                        .iter_mut()
                        .find(|x| x.name == cmd.name)
                        .ok_or_else(|| format!("attribute \"{}\" does not exist", cmd.name))?;
                    a.name = existing.name.clone();
                    a.comment = existing.comment.take();
                    *existing = a;
                }
                A::AtChangeOwner => {
                    let owner = cmd.newowner.as_ref().and_then(|r| self.role_name(r));
                    self.catalog.types.get_mut(qn).expect("type").owner = owner;
                }
                other => return Err(format!("ALTER TYPE subcommand {other:?} is not supported").into()),
            }
        }
        Ok(())
    }
}
