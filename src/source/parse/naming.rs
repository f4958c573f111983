//! The names Postgres chooses for objects the user did not name: `t_pkey`, `t_a_b_key`,
//! `t_col_check`, `t_col_fkey`, `t_col_idx`, `t_col_seq`, with the same truncation to 63 bytes
//! and the same numbered retries on conflict (`makeObjectName`, `ChooseRelationName`,
//! `ChooseConstraintName`, `ChooseIndexColumnNames` in the server). The parity property depends
//! on choosing exactly what the server chooses.

use crate::model::Catalog;
pub use crate::normalize::colname::figure_colname;

const NAMEDATALEN: usize = 64;

/// Clip a string to at most `max` bytes on a character boundary.
fn clip(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// `makeObjectName`: `name1[_name2][_label]`, shortening the longer of name1/name2 first.
pub fn make_object_name(name1: &str, name2: Option<&str>, label: Option<&str>) -> String {
    let mut overhead = 0;
    let (mut n1, mut n2) = (name1.len(), name2.map_or(0, str::len));
    if name2.is_some() {
        overhead += 1;
    }
    if let Some(l) = label {
        overhead += l.len() + 1;
    }
    let avail = NAMEDATALEN - 1 - overhead;
    while n1 + n2 > avail {
        if n1 > n2 {
            n1 -= 1;
        } else {
            n2 -= 1;
        }
    }
    let mut out = clip(name1, n1).to_string();
    if let Some(n) = name2 {
        out.push('_');
        out.push_str(clip(n, n2));
    }
    if let Some(l) = label {
        out.push('_');
        out.push_str(l);
    }
    out
}

/// `ChooseRelationName`: a name free in the schema's relation namespace (and, for constraint
/// indexes, among its constraints too), trying `label`, `label1`, `label2`...
pub fn choose_relation_name(
    catalog: &Catalog,
    schema: &str,
    name1: &str,
    name2: Option<&str>,
    label: &str,
    is_constraint: bool,
    taken_here: &[String],
) -> String {
    let mut pass = 0;
    loop {
        let modlabel = if pass == 0 { label.to_string() } else { format!("{label}{pass}") };
        let name = make_object_name(name1, name2, Some(&modlabel));
        let taken = catalog.relation_name_taken(schema, &name)
            || taken_here.contains(&name)
            || (is_constraint && catalog.constraint_name_taken(schema, &name));
        if !taken {
            return name;
        }
        pass += 1;
    }
}

/// `ChooseConstraintName`: free among the schema's constraints and the names chosen so far.
pub fn choose_constraint_name(
    catalog: &Catalog,
    schema: &str,
    name1: &str,
    name2: Option<&str>,
    label: &str,
    taken_here: &[String],
) -> String {
    let mut pass = 0;
    loop {
        let modlabel = if pass == 0 { label.to_string() } else { format!("{label}{pass}") };
        let name = make_object_name(name1, name2, Some(&modlabel));
        if !taken_here.contains(&name) && !catalog.constraint_name_taken(schema, &name) {
            return name;
        }
        pass += 1;
    }
}

/// `ChooseIndexColumnNames`: column names, `expr` for expressions, made unique with digits.
pub fn index_column_names(keys: &[Option<&str>]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for key in keys {
        let orig = key.unwrap_or("expr");
        let mut cur = orig.to_string();
        let mut i = 1;
        while out.contains(&cur) {
            let suffix = i.to_string();
            cur = format!("{}{suffix}", clip(orig, NAMEDATALEN - 1 - suffix.len()));
            i += 1;
        }
        out.push(cur);
    }
    out
}

/// `ChooseIndexNameAddition` / `ChooseForeignKeyConstraintNameAddition`: names joined by `_`,
/// stopping once the result reaches NAMEDATALEN.
pub fn name_addition(names: &[String]) -> String {
    let mut buf = String::new();
    for n in names {
        if !buf.is_empty() {
            buf.push('_');
        }
        buf.push_str(clip(n, NAMEDATALEN - 1));
        if buf.len() >= NAMEDATALEN {
            break;
        }
    }
    buf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_names_are_truncated_like_postgres() {
        assert_eq!(make_object_name("orders", Some("customer_id"), Some("fkey")), "orders_customer_id_fkey");
        let long = "a".repeat(60);
        let name = make_object_name(&long, Some("col"), Some("key"));
        assert_eq!(name.len(), 63);
        assert!(name.ends_with("_col_key"));
        assert_eq!(make_object_name("t", None, Some("pkey")), "t_pkey");
    }

    #[test]
    fn index_column_names_are_unique() {
        assert_eq!(index_column_names(&[None, None, Some("a"), Some("a")]), vec!["expr", "expr1", "a", "a1"]);
    }
}
