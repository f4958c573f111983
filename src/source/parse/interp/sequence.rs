//! CREATE / ALTER SEQUENCE, and the sequence options shared with identity columns. Defaults are
//! resolved as the server resolves them (`init_params`), so an omitted MAXVALUE and an explicit
//! one that equals the default are the same sequence.

use super::{err_at, Interpreter, Session, R};
use crate::model::{QualifiedName, Sequence, SequenceOptions, TypeRef};
use crate::normalize::{self, Scope};
use crate::source::parse::ast;
use pg_query::protobuf::node::Node as N;
use pg_query::protobuf::{self as pb, Node};

/// The bounds of a sequence's type.
pub fn type_bounds(ty: &TypeRef) -> (i64, i64) {
    SequenceOptions::type_bounds(ty)
}

/// A fresh sequence's options with every default resolved.
pub fn default_options(data_type: TypeRef) -> SequenceOptions {
    SequenceOptions::defaults(data_type)
}

/// What an option list says besides the numeric options.
#[derive(Default)]
pub struct SequenceExtras {
    /// `OWNED BY t.c` (`Some(None)` for `OWNED BY NONE`).
    pub owned_by: Option<Option<Vec<String>>>,
    /// `SEQUENCE NAME x` (identity columns).
    pub sequence_name: Option<Vec<String>>,
}

/// Apply an option list to `opts`; `init` is true for CREATE (defaults derive from increment).
pub fn apply_options(opts: &mut SequenceOptions, list: &[Node], init: bool, scope: &Scope) -> R<SequenceExtras> {
    let mut extras = SequenceExtras::default();
    let (mut min_set, mut max_set, mut start_set) = (None::<Option<i64>>, None::<Option<i64>>, None);
    let old_type_bounds = type_bounds(&opts.data_type);
    let mut type_changed = false;
    for d in ast::def_elems(list) {
        let arg = d.arg.as_deref();
        let number =
            || arg.and_then(ast::int).ok_or_else(|| err_at(format!("invalid value for {}", d.defname), d.location));
        match d.defname.as_str() {
            "as" => {
                let Some(N::TypeName(tn)) = arg.and_then(|a| a.node.as_ref()) else {
                    return Err(err_at("invalid AS type", d.location));
                };
                let ty = normalize::type_ref(tn, scope).map_err(|e| err_at(e, d.location))?;
                if !(ty.is_builtin("smallint") || ty.is_builtin("integer") || ty.is_builtin("bigint")) {
                    return Err(err_at("sequence type must be smallint, integer, or bigint", d.location));
                }
                type_changed = ty != opts.data_type;
                opts.data_type = ty;
            }
            "increment" => opts.increment = number()?,
            "start" => start_set = Some(number()?),
            "restart" => {} // the current value is data, not schema
            "minvalue" => min_set = Some(arg.and_then(ast::int)),
            "maxvalue" => max_set = Some(arg.and_then(ast::int)),
            "cache" => opts.cache = number()?,
            "cycle" => opts.cycle = arg.and_then(ast::text).is_none_or(|t| t == "true" || t == "1"),
            "owned_by" => {
                let names = arg.map(ast::list_names).unwrap_or_default();
                extras.owned_by = Some(if names == ["none"] { None } else { Some(names) });
            }
            "sequence_name" => extras.sequence_name = Some(arg.map(ast::list_names).unwrap_or_default()),
            "logged" | "unlogged" => {}
            other => return Err(err_at(format!("option \"{other}\" not recognized"), d.location)),
        }
    }
    if opts.increment == 0 {
        return Err("INCREMENT must not be zero".into());
    }
    let (tmin, tmax) = type_bounds(&opts.data_type);
    let ascending = opts.increment > 0;
    match max_set {
        Some(Some(v)) => opts.max = v,
        Some(None) => opts.max = if ascending { tmax } else { -1 },
        None if init => opts.max = if ascending { tmax } else { -1 },
        // A type change carries a default bound over to the new type's.
        None if type_changed && opts.max == old_type_bounds.1 => opts.max = tmax,
        None => {}
    }
    match min_set {
        Some(Some(v)) => opts.min = v,
        Some(None) => opts.min = if ascending { 1 } else { tmin },
        None if init => opts.min = if ascending { 1 } else { tmin },
        None if type_changed && opts.min == old_type_bounds.0 => opts.min = tmin,
        None => {}
    }
    match start_set {
        Some(v) => opts.start = v,
        None if init => opts.start = if ascending { opts.min } else { opts.max },
        None => {}
    }
    if opts.min > opts.max {
        return Err(format!("MINVALUE ({}) must be less than MAXVALUE ({})", opts.min, opts.max).into());
    }
    if opts.start < opts.min || opts.start > opts.max {
        return Err(format!("START value ({}) cannot be outside [{}, {}]", opts.start, opts.min, opts.max).into());
    }
    Ok(extras)
}

impl Interpreter {
    pub(super) fn create_sequence(&mut self, st: &pb::CreateSeqStmt, s: &mut Session) -> R {
        let rv = st.sequence.as_ref().ok_or("missing sequence name")?;
        if self.temporary(s, rv, "sequence") {
            return Ok(());
        }
        let name = self.create_name_from_rv(s, rv)?;
        if self.catalog.relation_name_taken(&name.schema, &name.name) {
            if st.if_not_exists {
                return Ok(());
            }
            return Err(err_at(format!("relation \"{}\" already exists", name.name), rv.location));
        }
        let mut options = default_options(TypeRef::builtin("bigint"));
        let extras = apply_options(&mut options, &st.options, true, &self.scope(s))?;
        let owned_by = match extras.owned_by.flatten() {
            Some(names) => Some(self.owned_by_column(&names, &name, s)?),
            None => None,
        };
        self.catalog
            .sequences
            .insert(name.clone(), Sequence { name, options, owned_by, owner: None, comment: None, acl: None });
        Ok(())
    }

    pub(super) fn alter_sequence(&mut self, st: &pb::AlterSeqStmt, s: &mut Session) -> R {
        let rv = st.sequence.as_ref().ok_or("missing sequence name")?;
        let (schema, relname) = ast::range_var_parts(rv);
        let Some(name) = self.scope(s).find_sequence(schema.as_deref(), &relname) else {
            if st.missing_ok {
                return Ok(());
            }
            return Err(err_at(format!("relation \"{relname}\" does not exist"), rv.location));
        };
        // An identity column's sequence may be altered directly.
        if let Some((table, column)) = self.catalog.identity_owner(&name).map(|(t, c)| (t.name.clone(), c.name.clone()))
        {
            let mut opts =
                self.catalog.tables[&table].column(&column).and_then(|c| c.identity.clone()).expect("identity").options;
            apply_options(&mut opts, &st.options, false, &self.scope(s))?;
            let col = self.catalog.tables.get_mut(&table).and_then(|t| t.column_mut(&column)).expect("column");
            col.identity.as_mut().expect("identity").options = opts;
            return Ok(());
        }
        let mut opts = self.catalog.sequences[&name].options.clone();
        let extras = apply_options(&mut opts, &st.options, false, &self.scope(s))?;
        let owned_by = match extras.owned_by {
            Some(Some(names)) => Some(Some(self.owned_by_column(&names, &name, s)?)),
            Some(None) => Some(None),
            None => None,
        };
        let seq = self.catalog.sequences.get_mut(&name).expect("found above");
        seq.options = opts;
        if let Some(o) = owned_by {
            seq.owned_by = o;
        }
        Ok(())
    }

    /// Resolve `OWNED BY [schema.]table.column` for a sequence.
    fn owned_by_column(&self, names: &[String], seq: &QualifiedName, s: &Session) -> R<(QualifiedName, String)> {
        let (table_parts, column) = names.split_at(names.len().saturating_sub(1));
        let column = column.first().ok_or("invalid OWNED BY")?.clone();
        let (schema, table) = ast::qualified_parts(table_parts).ok_or("invalid OWNED BY")?;
        let table = self
            .scope(s)
            .find_table(schema.as_deref(), &table)
            .ok_or_else(|| format!("relation \"{table}\" does not exist"))?;
        if table.schema != seq.schema {
            return Err("sequence must be in same schema as table it is linked to".into());
        }
        if self.catalog.tables[&table].column(&column).is_none() {
            return Err(format!("column \"{column}\" of relation \"{}\" does not exist", table.name).into());
        }
        Ok((table, column))
    }
}
