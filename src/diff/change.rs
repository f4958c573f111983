//! [`Change`]: the closed set of semantic differences between two catalogs. A change says what
//! differs, never how to apply it; `plan` turns changes into ordered SQL steps.

use crate::model::{
    AclKind, Aggregate, Column, Constraint, EventTrigger, Extension, Function, Grantee, Index, ObjectRef, Policy,
    Privilege, QualifiedName, Schema, Sequence, SequenceOptions, Table, Trigger, TriggerEnabled, TypeDef, TypeRef,
    View,
};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Change {
    CreateSchema(Schema),
    DropSchema(Schema),
    CreateExtension(Extension),
    DropExtension(Extension),
    AlterExtensionVersion {
        name: String,
        version: String,
    },
    /// An extension moved to another schema (`ALTER EXTENSION ... SET SCHEMA`).
    AlterExtensionSchema {
        name: String,
        schema: String,
    },

    CreateCollation(crate::model::Collation),
    DropCollation(crate::model::Collation),
    CreateType(TypeDef),
    DropType(TypeDef),
    /// New enum labels, each with the existing label it goes before or after.
    AddEnumValue {
        name: QualifiedName,
        value: String,
        position: EnumPosition,
    },
    /// An enum that lost or reordered labels, or a domain whose base type changed: the type is
    /// built anew and the columns that use it are converted.
    RecreateType {
        from: TypeDef,
        to: TypeDef,
    },
    AlterDomain {
        name: QualifiedName,
        change: DomainChange,
    },
    AddAttribute {
        name: QualifiedName,
        attribute: crate::model::Attribute,
    },
    DropAttribute {
        name: QualifiedName,
        attribute: String,
    },
    AlterAttributeType {
        name: QualifiedName,
        attribute: crate::model::Attribute,
    },

    CreateSequence(Sequence),
    DropSequence(Sequence),
    AlterSequence {
        name: QualifiedName,
        from: SequenceOptions,
        to: SequenceOptions,
    },
    SetSequenceOwnedBy {
        name: QualifiedName,
        from: Option<(QualifiedName, String)>,
        to: Option<(QualifiedName, String)>,
    },

    CreateTable(Table),
    DropTable(Table),
    AddColumn {
        table: QualifiedName,
        column: Column,
    },
    /// `only`: the table's children keep the column (as their own), so its drop must not reach
    /// them (`ALTER TABLE ONLY`).
    DropColumn {
        table: QualifiedName,
        column: Column,
        only: bool,
    },
    AlterColumnType {
        table: QualifiedName,
        column: String,
        from: Column,
        to: Column,
        using: Option<String>,
    },
    SetDefault {
        table: QualifiedName,
        column: String,
        from: Option<crate::model::Expr>,
        to: crate::model::Expr,
    },
    DropDefault {
        table: QualifiedName,
        column: String,
        from: crate::model::Expr,
    },
    SetNotNull {
        table: QualifiedName,
        column: String,
    },
    DropNotNull {
        table: QualifiedName,
        column: String,
    },
    /// `set_not_null`: the column is nullable now, and must not be before it becomes an identity.
    AddIdentity {
        table: QualifiedName,
        column: String,
        identity: crate::model::Identity,
        set_not_null: bool,
    },
    DropIdentity {
        table: QualifiedName,
        column: String,
    },
    AlterIdentity {
        table: QualifiedName,
        column: String,
        from: crate::model::Identity,
        to: crate::model::Identity,
    },
    /// A stored generated column becomes a plain one (`DROP EXPRESSION`, values kept).
    DropGenerated {
        table: QualifiedName,
        column: String,
    },
    /// A generated column's expression changed, a plain column became generated, a column
    /// changed between STORED and VIRTUAL, or a virtual one became plain: the server cannot
    /// alter that in place (`SET EXPRESSION` is 17 and keeps the kind), so the column is
    /// dropped and added again.
    RegenerateColumn {
        table: QualifiedName,
        from: Column,
        to: Column,
    },
    SetColumnStatistics {
        table: QualifiedName,
        column: String,
        value: Option<i32>,
    },
    /// `ALTER COLUMN ... SET (...)` / `RESET (...)`: attribute options.
    SetColumnOptions {
        table: QualifiedName,
        column: String,
        set: std::collections::BTreeMap<String, String>,
        reset: Vec<String>,
    },
    SetColumnStorage {
        table: QualifiedName,
        column: String,
        storage: crate::model::Storage,
    },
    SetColumnCompression {
        table: QualifiedName,
        column: String,
        compression: Option<String>,
    },

    AddConstraint {
        table: QualifiedName,
        constraint: Constraint,
    },
    DropConstraint {
        table: QualifiedName,
        constraint: Constraint,
    },
    ValidateConstraint {
        table: QualifiedName,
        name: String,
    },
    AlterConstraintDeferrable {
        table: QualifiedName,
        name: String,
        deferrable: bool,
        initially_deferred: bool,
    },
    /// `ALTER CONSTRAINT ... ENFORCED | NOT ENFORCED` of a foreign key (PostgreSQL 18).
    AlterConstraintEnforced {
        table: QualifiedName,
        name: String,
        enforced: bool,
    },

    CreateIndex(Index),
    DropIndex(Index),
    SetIndexOptions {
        name: QualifiedName,
        set: Vec<(String, String)>,
        reset: Vec<String>,
    },

    /// `ALTER TABLE parent ATTACH PARTITION child FOR VALUES ...`.
    AttachPartition {
        table: QualifiedName,
        partition: crate::model::PartitionOf,
    },
    /// `ALTER TABLE parent DETACH PARTITION child`.
    DetachPartition {
        table: QualifiedName,
        parent: QualifiedName,
    },
    /// `ALTER TABLE child INHERIT parent` / `NO INHERIT parent`.
    SetInherit {
        table: QualifiedName,
        parent: QualifiedName,
        inherit: bool,
    },
    SetLogged {
        table: QualifiedName,
        unlogged: bool,
    },
    SetTableOptions {
        table: QualifiedName,
        set: Vec<(String, String)>,
        reset: Vec<String>,
    },
    SetReplicaIdentity {
        table: QualifiedName,
        identity: crate::model::ReplicaIdentity,
    },
    SetClusterOn {
        table: QualifiedName,
        index: Option<String>,
    },

    CreateView(View),
    DropView(View),
    /// `CREATE OR REPLACE VIEW`: the same columns first, maybe more after them.
    ReplaceView {
        from: View,
        to: View,
    },
    /// A materialized view becomes populated (REFRESH) or not (REFRESH ... WITH NO DATA).
    RefreshView {
        name: QualifiedName,
        populated: bool,
    },

    CreateFunction(Function),
    DropFunction(Function),
    /// `CREATE OR REPLACE FUNCTION`: same signature and result, new body or attributes.
    ReplaceFunction {
        from: Function,
        to: Function,
    },
    CreateAggregate(Aggregate),
    DropAggregate(Aggregate),

    CreateTrigger(Trigger),
    DropTrigger(Trigger),
    /// `CREATE OR REPLACE TRIGGER` (not for constraint triggers).
    ReplaceTrigger {
        from: Trigger,
        to: Trigger,
    },
    SetTriggerEnabled {
        table: QualifiedName,
        name: String,
        enabled: TriggerEnabled,
    },
    CreateEventTrigger(EventTrigger),
    DropEventTrigger(EventTrigger),
    SetEventTriggerEnabled {
        name: String,
        enabled: TriggerEnabled,
    },

    CreatePolicy(Policy),
    DropPolicy(Policy),
    AlterPolicy {
        from: Policy,
        to: Policy,
    },
    SetRowSecurity {
        table: QualifiedName,
        enabled: bool,
    },
    SetForceRowSecurity {
        table: QualifiedName,
        forced: bool,
    },

    CreateCast(crate::model::Cast),
    DropCast(crate::model::Cast),

    CreateRule(crate::model::Rule),
    DropRule(crate::model::Rule),
    /// `CREATE OR REPLACE RULE`: same table and name, new event, condition or commands.
    ReplaceRule {
        from: crate::model::Rule,
        to: crate::model::Rule,
    },

    CreateStatistics(crate::model::Statistics),
    DropStatistics(crate::model::Statistics),
    /// `ALTER STATISTICS ... SET STATISTICS` (`None`: back to the default).
    SetStatisticsTarget {
        name: QualifiedName,
        target: Option<i32>,
    },

    CreateTextSearchDictionary(crate::model::TextSearchDictionary),
    DropTextSearchDictionary(crate::model::TextSearchDictionary),
    /// `ALTER TEXT SEARCH DICTIONARY ... (options)`: set what `to` holds, remove what it lacks.
    AlterTextSearchDictionary {
        name: QualifiedName,
        from: std::collections::BTreeMap<String, String>,
        to: std::collections::BTreeMap<String, String>,
    },
    CreateTextSearchConfig(crate::model::TextSearchConfig),
    DropTextSearchConfig(crate::model::TextSearchConfig),
    /// A configuration's token types mapped to other dictionaries.
    AlterTextSearchMappings {
        name: QualifiedName,
        from: std::collections::BTreeMap<String, Vec<QualifiedName>>,
        to: std::collections::BTreeMap<String, Vec<QualifiedName>>,
    },

    Comment {
        object: ObjectRef,
        comment: Option<String>,
    },
    AlterOwner {
        object: ObjectRef,
        owner: String,
    },
    /// GRANT privileges on an object (a column: column privileges). `owner` names the role
    /// that will own the object, for grants to [`Grantee::Owner`]; `None` is the role running
    /// the migration.
    Grant {
        object: ObjectRef,
        kind: AclKind,
        grantee: Grantee,
        owner: Option<String>,
        privileges: Vec<Privilege>,
        grantable: bool,
    },
    /// REVOKE privileges (or only their grant option).
    Revoke {
        object: ObjectRef,
        kind: AclKind,
        grantee: Grantee,
        owner: Option<String>,
        privileges: Vec<Privilege>,
        grant_option_only: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum EnumPosition {
    Before(String),
    After(String),
    End,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum DomainChange {
    SetDefault(crate::model::Expr),
    DropDefault,
    SetNotNull,
    DropNotNull,
    AddCheck {
        name: String,
        check: crate::model::DomainCheck,
    },
    DropCheck {
        name: String,
        check: crate::model::DomainCheck,
    },
    ValidateCheck {
        name: String,
    },
    /// `COMMENT ON CONSTRAINT name ON DOMAIN ...` (`None`: removed).
    CommentCheck {
        name: String,
        comment: Option<String>,
    },
}

impl Change {
    /// The object the change is about: what reports list it under, and what `inspect` files
    /// it with.
    pub fn object(&self) -> ObjectRef {
        use ObjectRef as O;
        let col = |t: &QualifiedName, c: &str| O::Column(t.clone(), c.to_string());
        match self {
            Change::CreateSchema(s) | Change::DropSchema(s) => O::Schema(s.name.clone()),
            Change::CreateExtension(e) | Change::DropExtension(e) => O::Extension(e.name.clone()),
            Change::AlterExtensionVersion { name, .. } | Change::AlterExtensionSchema { name, .. } => {
                O::Extension(name.clone())
            }
            Change::CreateCollation(c) | Change::DropCollation(c) => O::Collation(c.name.clone()),
            Change::CreateType(t) | Change::DropType(t) => O::Type(t.name.clone()),
            Change::RecreateType { to, .. } => O::Type(to.name.clone()),
            Change::AddEnumValue { name, .. }
            | Change::AlterDomain { name, .. }
            | Change::AddAttribute { name, .. }
            | Change::DropAttribute { name, .. }
            | Change::AlterAttributeType { name, .. } => O::Type(name.clone()),
            Change::CreateSequence(s) | Change::DropSequence(s) => O::Sequence(s.name.clone()),
            Change::AlterSequence { name, .. } | Change::SetSequenceOwnedBy { name, .. } => O::Sequence(name.clone()),
            Change::CreateTable(t) | Change::DropTable(t) => O::Table(t.name.clone()),
            Change::AddColumn { table, column } | Change::DropColumn { table, column, .. } => col(table, &column.name),
            Change::RegenerateColumn { table, to, .. } => col(table, &to.name),
            Change::AlterColumnType { table, column, .. }
            | Change::SetNotNull { table, column }
            | Change::DropNotNull { table, column }
            | Change::AddIdentity { table, column, .. }
            | Change::DropIdentity { table, column }
            | Change::AlterIdentity { table, column, .. }
            | Change::DropGenerated { table, column }
            | Change::SetColumnStatistics { table, column, .. }
            | Change::SetColumnOptions { table, column, .. }
            | Change::SetColumnStorage { table, column, .. }
            | Change::SetColumnCompression { table, column, .. } => col(table, column),
            Change::SetDefault { table, column, .. } | Change::DropDefault { table, column, .. } => {
                O::ColumnDefault(table.clone(), column.clone())
            }
            Change::AddConstraint { table, constraint } | Change::DropConstraint { table, constraint } => {
                O::Constraint(table.clone(), constraint.name.clone())
            }
            Change::ValidateConstraint { table, name }
            | Change::AlterConstraintDeferrable { table, name, .. }
            | Change::AlterConstraintEnforced { table, name, .. } => O::Constraint(table.clone(), name.clone()),
            Change::CreateIndex(i) | Change::DropIndex(i) => O::Index(i.name.clone()),
            Change::SetIndexOptions { name, .. } => O::Index(name.clone()),
            Change::AttachPartition { table, .. }
            | Change::DetachPartition { table, .. }
            | Change::SetInherit { table, .. }
            | Change::SetLogged { table, .. }
            | Change::SetTableOptions { table, .. }
            | Change::SetReplicaIdentity { table, .. }
            | Change::SetClusterOn { table, .. }
            | Change::SetRowSecurity { table, .. }
            | Change::SetForceRowSecurity { table, .. } => O::Table(table.clone()),
            Change::CreateView(v) | Change::DropView(v) => O::View(v.name.clone()),
            Change::ReplaceView { to, .. } => O::View(to.name.clone()),
            Change::RefreshView { name, .. } => O::View(name.clone()),
            Change::CreateFunction(f) | Change::DropFunction(f) => O::Function(f.id.clone()),
            Change::ReplaceFunction { to, .. } => O::Function(to.id.clone()),
            Change::CreateAggregate(a) | Change::DropAggregate(a) => O::Aggregate(a.id.clone()),
            Change::CreateTrigger(t) | Change::DropTrigger(t) => O::Trigger(t.table.clone(), t.name.clone()),
            Change::ReplaceTrigger { to, .. } => O::Trigger(to.table.clone(), to.name.clone()),
            Change::SetTriggerEnabled { table, name, .. } => O::Trigger(table.clone(), name.clone()),
            Change::CreateEventTrigger(t) | Change::DropEventTrigger(t) => O::EventTrigger(t.name.clone()),
            Change::SetEventTriggerEnabled { name, .. } => O::EventTrigger(name.clone()),
            Change::CreatePolicy(p) | Change::DropPolicy(p) => O::Policy(p.table.clone(), p.name.clone()),
            Change::AlterPolicy { to, .. } => O::Policy(to.table.clone(), to.name.clone()),
            Change::CreateCast(c) | Change::DropCast(c) => O::Cast(c.key()),
            Change::CreateRule(r) | Change::DropRule(r) | Change::ReplaceRule { to: r, .. } => {
                O::Rule(r.table.clone(), r.name.clone())
            }
            Change::CreateStatistics(s) | Change::DropStatistics(s) => O::Statistics(s.name.clone()),
            Change::SetStatisticsTarget { name, .. } => O::Statistics(name.clone()),
            Change::CreateTextSearchDictionary(d) | Change::DropTextSearchDictionary(d) => {
                O::TextSearchDictionary(d.name.clone())
            }
            Change::AlterTextSearchDictionary { name, .. } => O::TextSearchDictionary(name.clone()),
            Change::CreateTextSearchConfig(c) | Change::DropTextSearchConfig(c) => O::TextSearchConfig(c.name.clone()),
            Change::AlterTextSearchMappings { name, .. } => O::TextSearchConfig(name.clone()),
            Change::Comment { object, .. }
            | Change::AlterOwner { object, .. }
            | Change::Grant { object, .. }
            | Change::Revoke { object, .. } => object.clone(),
        }
    }

    /// A short description for plan comments and reports: `add column public.users.email`.
    pub fn describe(&self) -> String {
        use crate::model::quote_ident as q;
        match self {
            Change::CreateSchema(s) => format!("create schema {}", q(&s.name)),
            Change::DropSchema(s) => format!("drop schema {}", q(&s.name)),
            Change::CreateExtension(e) => format!("create extension {}", q(&e.name)),
            Change::DropExtension(e) => format!("drop extension {}", q(&e.name)),
            Change::AlterExtensionVersion { name, version } => {
                format!("update extension {} to {version}", q(name))
            }
            Change::AlterExtensionSchema { name, schema } => {
                format!("move extension {} to schema {}", q(name), q(schema))
            }
            Change::CreateCollation(c) => format!("create collation {}", c.name),
            Change::DropCollation(c) => format!("drop collation {}", c.name),
            Change::CreateType(t) => format!("create {} {}", type_word(t), t.name),
            Change::DropType(t) => format!("drop {} {}", type_word(t), t.name),
            Change::AddEnumValue { name, value, .. } => {
                format!("add value '{value}' to enum {name}")
            }
            Change::RecreateType { to, .. } => format!("recreate {} {}", type_word(to), to.name),
            Change::AlterDomain { name, change: DomainChange::CommentCheck { name: c, comment } } => format!(
                "{} comment on constraint {} of domain {name}",
                if comment.is_some() { "set" } else { "remove" },
                q(c)
            ),
            Change::AlterDomain { name, .. } => format!("alter domain {name}"),
            Change::AddAttribute { name, attribute } => {
                format!("add attribute {} to type {name}", q(&attribute.name))
            }
            Change::DropAttribute { name, attribute } => {
                format!("drop attribute {} of type {name}", q(attribute))
            }
            Change::AlterAttributeType { name, attribute } => {
                format!("change type of attribute {} of type {name}", q(&attribute.name))
            }
            Change::CreateSequence(s) => format!("create sequence {}", s.name),
            Change::DropSequence(s) => format!("drop sequence {}", s.name),
            Change::AlterSequence { name, .. } => format!("alter sequence {name}"),
            Change::SetSequenceOwnedBy { name, .. } => {
                format!("set owner column of sequence {name}")
            }
            Change::CreateTable(t) => format!("create table {}", t.name),
            Change::DropTable(t) => format!("drop table {}", t.name),
            Change::AddColumn { table, column } => {
                format!("add column {table}.{}", q(&column.name))
            }
            Change::DropColumn { table, column, .. } => {
                format!("drop column {table}.{}", q(&column.name))
            }
            Change::AlterColumnType { table, column, from, to, .. } => {
                format!("change type of column {table}.{} from {} to {}", q(column), from.ty, to.ty)
            }
            Change::SetDefault { table, column, .. } => {
                format!("set default of column {table}.{}", q(column))
            }
            Change::DropDefault { table, column, .. } => {
                format!("drop default of column {table}.{}", q(column))
            }
            Change::SetNotNull { table, column } => {
                format!("set not null on column {table}.{}", q(column))
            }
            Change::DropNotNull { table, column } => {
                format!("drop not null on column {table}.{}", q(column))
            }
            Change::AddIdentity { table, column, .. } => {
                format!("make column {table}.{} an identity", q(column))
            }
            Change::DropIdentity { table, column } => {
                format!("drop identity of column {table}.{}", q(column))
            }
            Change::AlterIdentity { table, column, .. } => {
                format!("alter identity of column {table}.{}", q(column))
            }
            Change::DropGenerated { table, column } => {
                format!("drop generation expression of column {table}.{}", q(column))
            }
            Change::RegenerateColumn { table, to, .. } => {
                format!("regenerate column {table}.{}", q(&to.name))
            }
            Change::SetColumnStatistics { table, column, .. } => {
                format!("set statistics of column {table}.{}", q(column))
            }
            Change::SetColumnOptions { table, column, .. } => {
                format!("set options of column {table}.{}", q(column))
            }
            Change::SetColumnStorage { table, column, .. } => {
                format!("set storage of column {table}.{}", q(column))
            }
            Change::SetColumnCompression { table, column, .. } => {
                format!("set compression of column {table}.{}", q(column))
            }
            Change::AddConstraint { table, constraint } => {
                format!("add {} constraint {} on {table}", constraint.kind.label(), q(&constraint.name))
            }
            Change::DropConstraint { table, constraint } => {
                format!("drop {} constraint {} on {table}", constraint.kind.label(), q(&constraint.name))
            }
            Change::ValidateConstraint { table, name } => {
                format!("validate constraint {} on {table}", q(name))
            }
            Change::AlterConstraintDeferrable { table, name, .. } => {
                format!("alter constraint {} on {table}", q(name))
            }
            Change::AlterConstraintEnforced { table, name, enforced } => {
                format!(
                    "make constraint {} on {table} {}",
                    q(name),
                    if *enforced { "enforced" } else { "not enforced" }
                )
            }
            Change::CreateIndex(i) => format!("create index {}", i.name),
            Change::DropIndex(i) => format!("drop index {}", i.name),
            Change::SetIndexOptions { name, .. } => {
                format!("set storage parameters of index {name}")
            }
            Change::AttachPartition { table, partition } => {
                format!("attach {table} as a partition of {}", partition.parent)
            }
            Change::DetachPartition { table, parent } => format!("detach partition {table} from {parent}"),
            Change::SetInherit { table, parent, inherit } => {
                format!("make {table} {} {parent}", if *inherit { "inherit from" } else { "no longer inherit from" })
            }
            Change::SetLogged { table, unlogged } => {
                format!("make table {table} {}", if *unlogged { "unlogged" } else { "logged" })
            }
            Change::SetTableOptions { table, .. } => {
                format!("set storage parameters of table {table}")
            }
            Change::SetReplicaIdentity { table, .. } => {
                format!("set replica identity of table {table}")
            }
            Change::SetClusterOn { table, .. } => format!("set cluster index of table {table}"),
            Change::CreateView(v) => format!("create {} {}", view_word(v), v.name),
            Change::DropView(v) => format!("drop {} {}", view_word(v), v.name),
            Change::ReplaceView { to, .. } => format!("replace view {}", to.name),
            Change::RefreshView { name, populated } => {
                format!("refresh materialized view {name}{}", if *populated { "" } else { " with no data" })
            }
            Change::CreateFunction(f) => format!("create {} {}", routine_word(f), f.id),
            Change::DropFunction(f) => format!("drop {} {}", routine_word(f), f.id),
            Change::ReplaceFunction { to, .. } => format!("replace {} {}", routine_word(to), to.id),
            Change::CreateAggregate(a) => format!("create aggregate {}", a.id),
            Change::DropAggregate(a) => format!("drop aggregate {}", a.id),
            Change::CreateTrigger(t) => format!("create trigger {} on {}", q(&t.name), t.table),
            Change::DropTrigger(t) => format!("drop trigger {} on {}", q(&t.name), t.table),
            Change::ReplaceTrigger { to, .. } => format!("replace trigger {} on {}", q(&to.name), to.table),
            Change::SetTriggerEnabled { table, name, .. } => format!("set when trigger {} on {table} fires", q(name)),
            Change::CreateEventTrigger(t) => format!("create event trigger {}", q(&t.name)),
            Change::DropEventTrigger(t) => format!("drop event trigger {}", q(&t.name)),
            Change::SetEventTriggerEnabled { name, .. } => format!("set when event trigger {} fires", q(name)),
            Change::CreatePolicy(p) => format!("create policy {} on {}", q(&p.name), p.table),
            Change::DropPolicy(p) => format!("drop policy {} on {}", q(&p.name), p.table),
            Change::AlterPolicy { to, .. } => format!("alter policy {} on {}", q(&to.name), to.table),
            Change::CreateCast(c) => format!("create cast {}", c.key()),
            Change::DropCast(c) => format!("drop cast {}", c.key()),
            Change::CreateRule(r) => format!("create rule {} on {}", q(&r.name), r.table),
            Change::DropRule(r) => format!("drop rule {} on {}", q(&r.name), r.table),
            Change::ReplaceRule { to, .. } => format!("replace rule {} on {}", q(&to.name), to.table),
            Change::SetRowSecurity { table, enabled } => {
                format!("{} row level security on {table}", if *enabled { "enable" } else { "disable" })
            }
            Change::SetForceRowSecurity { table, forced } => {
                format!("{} row level security on {table}", if *forced { "force" } else { "stop forcing" })
            }
            Change::CreateStatistics(s) => format!("create statistics {} on {}", s.name, s.table),
            Change::DropStatistics(s) => format!("drop statistics {}", s.name),
            Change::SetStatisticsTarget { name, target } => match target {
                Some(t) => format!("set the statistics target of {name} to {t}"),
                None => format!("reset the statistics target of {name}"),
            },
            Change::CreateTextSearchDictionary(d) => format!("create text search dictionary {}", d.name),
            Change::DropTextSearchDictionary(d) => format!("drop text search dictionary {}", d.name),
            Change::AlterTextSearchDictionary { name, .. } => format!("set options of text search dictionary {name}"),
            Change::CreateTextSearchConfig(c) => format!("create text search configuration {}", c.name),
            Change::DropTextSearchConfig(c) => format!("drop text search configuration {}", c.name),
            Change::AlterTextSearchMappings { name, .. } => {
                format!("alter the mappings of text search configuration {name}")
            }
            Change::Comment { object, comment } => {
                format!("{} comment on {object}", if comment.is_some() { "set" } else { "remove" })
            }
            Change::AlterOwner { object, owner } => {
                format!("change owner of {object} to {}", q(owner))
            }
            Change::Grant { object: ObjectRef::DefaultPrivileges(k), grantee, privileges, .. } => format!(
                "grant {} on new {}{} to {} by default",
                privileges.iter().map(|p| p.keyword().to_lowercase()).collect::<Vec<_>>().join(", "),
                k.object.keyword().to_lowercase(),
                default_acl_scope(k),
                grantee_text(grantee)
            ),
            Change::Revoke {
                object: ObjectRef::DefaultPrivileges(k), grantee, privileges, grant_option_only, ..
            } => {
                format!(
                    "revoke {}{} on new {}{} from {} by default",
                    if *grant_option_only { "grant option for " } else { "" },
                    privileges.iter().map(|p| p.keyword().to_lowercase()).collect::<Vec<_>>().join(", "),
                    k.object.keyword().to_lowercase(),
                    default_acl_scope(k),
                    grantee_text(grantee)
                )
            }
            Change::Grant { object, grantee, privileges, .. } => format!(
                "grant {} on {object} to {}",
                privileges.iter().map(|p| p.keyword().to_lowercase()).collect::<Vec<_>>().join(", "),
                grantee_text(grantee)
            ),
            Change::Revoke { object, grantee, privileges, grant_option_only, .. } => format!(
                "revoke {}{} on {object} from {}",
                if *grant_option_only { "grant option for " } else { "" },
                privileges.iter().map(|p| p.keyword().to_lowercase()).collect::<Vec<_>>().join(", "),
                grantee_text(grantee)
            ),
        }
    }
}

fn view_word(v: &View) -> &'static str {
    if v.materialized {
        "materialized view"
    } else {
        "view"
    }
}

fn routine_word(f: &Function) -> &'static str {
    if f.procedure {
        "procedure"
    } else {
        "function"
    }
}

/// ` in schema s created by r` for a default privileges entry.
fn default_acl_scope(k: &crate::model::DefaultAclKey) -> String {
    let mut s = String::new();
    if let Some(schema) = &k.schema {
        s.push_str(&format!(" in schema {}", crate::model::quote_ident(schema)));
    }
    if let Some(r) = &k.role {
        s.push_str(&format!(" created by {}", crate::model::quote_ident(r)));
    }
    s
}

fn grantee_text(g: &Grantee) -> String {
    match g {
        Grantee::Owner => "the owner".into(),
        other => other.to_string(),
    }
}

fn type_word(t: &TypeDef) -> &'static str {
    match t.kind {
        crate::model::TypeKind::Domain(_) => "domain",
        crate::model::TypeKind::Enum { .. } => "enum",
        crate::model::TypeKind::Composite { .. } => "type",
        crate::model::TypeKind::Range(_) => "range type",
    }
}

/// Whether a type change needs a USING clause (no assignment cast), by canonical names.
pub fn needs_using(from: &TypeRef, to: &TypeRef) -> bool {
    use crate::model::TypeBase::Builtin;
    if from.base == to.base && from.array == to.array {
        return false;
    }
    if from.array != to.array {
        return true;
    }
    let (Builtin(a), Builtin(b)) = (&from.base, &to.base) else {
        return true;
    };
    if a == b {
        return false;
    }
    const NUMERIC: &[&str] = &["smallint", "integer", "bigint", "numeric", "real", "double precision"];
    const TEXT: &[&str] = &["text", "character varying", "character"];
    // Pairs with an assignment cast: ALTER TYPE converts without being told how.
    let assignable = (NUMERIC.contains(&a.as_str()) && NUMERIC.contains(&b.as_str()))
        || TEXT.contains(&b.as_str())
        || (a.starts_with("timestamp") && b.starts_with("timestamp"))
        || (a == "date" && b.starts_with("timestamp"))
        || (a == "cidr" && b == "inet");
    !assignable
}
