//! Tables, their columns and constraints. Constraints live inside their table, keyed by name;
//! the index that backs a PRIMARY KEY, UNIQUE or EXCLUDE constraint is part of the constraint,
//! not a separate [`super::Index`].

use super::{Expr, QualifiedName, TypeRef};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Table {
    pub name: QualifiedName,
    pub unlogged: bool,
    /// In declaration order; column order is kept when a table is created but never diffed
    /// (Postgres cannot reorder columns).
    pub columns: Vec<Column>,
    pub constraints: BTreeMap<String, Constraint>,
    /// Storage parameters (`WITH (fillfactor = 70)`), values as the catalog prints them.
    pub options: BTreeMap<String, String>,
    pub replica_identity: ReplicaIdentity,
    /// The index the table is clustered on (an index or a constraint's index name).
    pub cluster_on: Option<String>,
    /// `INHERITS (parents)`, in order (not partitioning).
    pub inherits: Vec<QualifiedName>,
    /// `PARTITION BY ...`: a partitioned table.
    pub partition_key: Option<PartitionKey>,
    /// `PARTITION OF parent FOR VALUES ...`: a partition.
    pub partition_of: Option<PartitionOf>,
    /// `ENABLE ROW LEVEL SECURITY` / `FORCE ROW LEVEL SECURITY`.
    pub rls_enabled: bool,
    pub rls_forced: bool,
    pub owner: Option<String>,
    pub comment: Option<String>,
    pub acl: super::Acl,
}

impl Table {
    pub fn new(name: QualifiedName) -> Table {
        Table {
            name,
            unlogged: false,
            columns: Vec::new(),
            constraints: BTreeMap::new(),
            options: BTreeMap::new(),
            replica_identity: ReplicaIdentity::Default,
            cluster_on: None,
            inherits: Vec::new(),
            partition_key: None,
            partition_of: None,
            rls_enabled: false,
            rls_forced: false,
            owner: None,
            comment: None,
            acl: None,
        }
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| c.name == name)
    }

    pub fn primary_key(&self) -> Option<&Constraint> {
        self.constraints.values().find(|c| matches!(c.kind, ConstraintKind::PrimaryKey(_)))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum ReplicaIdentity {
    Default,
    Full,
    Nothing,
    Index(String),
}

fn is_true(b: &bool) -> bool {
    *b
}

/// A generated column's expression and whether its values are stored (computed on write,
/// kept in the table) or virtual (PostgreSQL 18: computed on read, nothing stored).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generated {
    pub expr: Expr,
    pub kind: GeneratedKind,
}

/// A stored generated column serializes as its expression alone, as it did before virtual
/// ones existed (fingerprints stay what migration files recorded).
impl Serialize for Generated {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        match self.kind {
            GeneratedKind::Stored => self.expr.serialize(s),
            GeneratedKind::Virtual => {
                let mut st = s.serialize_struct("Generated", 2)?;
                st.serialize_field("expr", &self.expr)?;
                st.serialize_field("kind", &self.kind)?;
                st.end()
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum GeneratedKind {
    Stored,
    Virtual,
}

impl GeneratedKind {
    /// From `pg_attribute.attgenerated` or the parse tree's `generated_kind` (`s`, `v`).
    pub fn from_char(c: &str) -> GeneratedKind {
        if c == "v" {
            GeneratedKind::Virtual
        } else {
            GeneratedKind::Stored
        }
    }

    pub fn keyword(self) -> &'static str {
        match self {
            GeneratedKind::Stored => "STORED",
            GeneratedKind::Virtual => "VIRTUAL",
        }
    }
}

impl Generated {
    pub fn is_virtual(&self) -> bool {
        self.kind == GeneratedKind::Virtual
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Column {
    pub name: String,
    pub ty: TypeRef,
    /// A collation other than the type's default.
    pub collation: Option<QualifiedName>,
    pub default: Option<Expr>,
    pub not_null: bool,
    pub identity: Option<Identity>,
    /// `GENERATED ALWAYS AS (expr) STORED | VIRTUAL`.
    pub generated: Option<Generated>,
    /// `SET STATISTICS n`; `None` is the default (-1).
    pub statistics: Option<i32>,
    /// Attribute options, `ALTER COLUMN ... SET (n_distinct = ...)`. (Not serialized when
    /// empty, nor are the other fields added since fingerprints were first recorded: a
    /// schema that does not use them keeps its fingerprint, which migration files record.)
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub options: std::collections::BTreeMap<String, String>,
    /// `SET STORAGE`, when it differs from the type's default.
    pub storage: Option<Storage>,
    /// `SET COMPRESSION`, when set (`pglz`, `lz4`).
    pub compression: Option<String>,
    pub comment: Option<String>,
    /// Column privileges (`GRANT SELECT (col) ON t`); `None` when there are none.
    pub acl: super::Acl,
    /// Inherited from a parent (INHERITS or partitioning): the parent's changes reach it.
    pub inherited: bool,
    /// Defined by the table itself too (always, unless it only comes from a parent).
    pub local: bool,
}

impl Column {
    pub fn new(name: impl Into<String>, ty: TypeRef) -> Column {
        Column {
            name: name.into(),
            ty,
            collation: None,
            default: None,
            not_null: false,
            identity: None,
            generated: None,
            statistics: None,
            options: Default::default(),
            storage: None,
            compression: None,
            comment: None,
            acl: None,
            inherited: false,
            local: true,
        }
    }

    /// Only a parent's: its definition is the parent's business.
    pub fn from_parent_only(&self) -> bool {
        self.inherited && !self.local
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum PartitionStrategy {
    Range,
    List,
    Hash,
}

impl PartitionStrategy {
    pub fn keyword(self) -> &'static str {
        match self {
            PartitionStrategy::Range => "RANGE",
            PartitionStrategy::List => "LIST",
            PartitionStrategy::Hash => "HASH",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PartitionKey {
    pub strategy: PartitionStrategy,
    pub keys: Vec<super::IndexKey>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PartitionOf {
    pub parent: QualifiedName,
    /// `FOR VALUES ...` or `DEFAULT`, as SQL (`sql`) and canonical (`key`).
    pub bound: Expr,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Storage {
    Plain,
    External,
    Extended,
    Main,
}

impl Storage {
    pub fn keyword(self) -> &'static str {
        match self {
            Storage::Plain => "PLAIN",
            Storage::External => "EXTERNAL",
            Storage::Extended => "EXTENDED",
            Storage::Main => "MAIN",
        }
    }
}

/// `GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY (sequence options)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Identity {
    pub always: bool,
    /// The implicit sequence's name (Postgres picks `table_column_seq`).
    pub sequence: QualifiedName,
    pub options: SequenceOptions,
}

/// The numeric options every sequence has, defaults resolved as Postgres resolves them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SequenceOptions {
    /// `smallint`, `integer` or `bigint`.
    pub data_type: TypeRef,
    pub start: i64,
    pub increment: i64,
    pub min: i64,
    pub max: i64,
    pub cache: i64,
    pub cycle: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Constraint {
    pub name: String,
    pub kind: ConstraintKind,
    pub deferrable: bool,
    pub initially_deferred: bool,
    /// False for a constraint added `NOT VALID` and not validated since, and for one that is
    /// not enforced (the server stores both as `convalidated = false`).
    pub validated: bool,
    /// False for `NOT ENFORCED` (PostgreSQL 18; CHECK and FOREIGN KEY only): the server keeps
    /// the definition and checks nothing.
    #[serde(skip_serializing_if = "is_true")]
    pub enforced: bool,
    pub comment: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum ConstraintKind {
    PrimaryKey(KeyConstraint),
    Unique(KeyConstraint),
    Check { expr: Expr, no_inherit: bool },
    ForeignKey(ForeignKey),
    Exclude(ExcludeConstraint),
}

impl ConstraintKind {
    /// Whether Postgres builds an index for the constraint (named like the constraint).
    pub fn has_index(&self) -> bool {
        matches!(self, ConstraintKind::PrimaryKey(_) | ConstraintKind::Unique(_) | ConstraintKind::Exclude(_))
    }

    pub fn label(&self) -> &'static str {
        match self {
            ConstraintKind::PrimaryKey(_) => "primary key",
            ConstraintKind::Unique(_) => "unique",
            ConstraintKind::Check { .. } => "check",
            ConstraintKind::ForeignKey(_) => "foreign key",
            ConstraintKind::Exclude(_) => "exclusion",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeyConstraint {
    /// With `without_overlaps`, the last is the period (`(id, valid_at WITHOUT OVERLAPS)`).
    pub columns: Vec<String>,
    /// A temporal key (PostgreSQL 18): the last column's ranges may not overlap for equal
    /// values of the others.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub without_overlaps: bool,
    pub include: Vec<String>,
    pub nulls_not_distinct: bool,
    pub index: IndexStorage,
}

/// Where and how a constraint's index is stored (`WITH (...)`, `USING INDEX TABLESPACE`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct IndexStorage {
    pub options: BTreeMap<String, String>,
    pub tablespace: Option<String>,
    /// `COMMENT ON INDEX` of the constraint's index.
    pub comment: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ForeignKey {
    pub columns: Vec<String>,
    pub ref_table: QualifiedName,
    /// Always explicit: an omitted list is resolved to the referenced primary key.
    pub ref_columns: Vec<String>,
    pub match_full: bool,
    pub on_update: FkAction,
    pub on_delete: FkAction,
    /// `ON DELETE SET NULL (cols)` / `SET DEFAULT (cols)`.
    pub on_delete_columns: Vec<String>,
    /// A temporal foreign key (PostgreSQL 18): the last column of each list is a `PERIOD`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub period: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum FkAction {
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl FkAction {
    pub fn sql(self) -> &'static str {
        match self {
            FkAction::NoAction => "NO ACTION",
            FkAction::Restrict => "RESTRICT",
            FkAction::Cascade => "CASCADE",
            FkAction::SetNull => "SET NULL",
            FkAction::SetDefault => "SET DEFAULT",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExcludeConstraint {
    pub method: String,
    pub elements: Vec<(super::IndexKey, String)>,
    pub include: Vec<String>,
    pub predicate: Option<Expr>,
    pub index: IndexStorage,
}

impl SequenceOptions {
    /// The bounds of a sequence type (`smallint`, `integer`, `bigint`).
    pub fn type_bounds(ty: &TypeRef) -> (i64, i64) {
        if ty.is_builtin("smallint") {
            (i16::MIN as i64, i16::MAX as i64)
        } else if ty.is_builtin("integer") {
            (i32::MIN as i64, i32::MAX as i64)
        } else {
            (i64::MIN, i64::MAX)
        }
    }

    /// A fresh ascending sequence of that type with every default resolved.
    pub fn defaults(data_type: TypeRef) -> SequenceOptions {
        let (_, max) = Self::type_bounds(&data_type);
        SequenceOptions { data_type, start: 1, increment: 1, min: 1, max, cache: 1, cycle: false }
    }

    /// The options a CREATE with only `AS type` and `INCREMENT BY increment` would give.
    pub fn implied(data_type: TypeRef, increment: i64) -> SequenceOptions {
        let (tmin, tmax) = Self::type_bounds(&data_type);
        let (min, max) = if increment > 0 { (1, tmax) } else { (tmin, -1) };
        let start = if increment > 0 { min } else { max };
        SequenceOptions { data_type, start, increment, min, max, cache: 1, cycle: false }
    }
}
