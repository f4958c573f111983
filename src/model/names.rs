//! Names and quoting. Identity in the model is a name, never a pointer: a [`QualifiedName`] for
//! schema-scoped objects, a plain `String` for schemas, extensions, columns and constraints.
//! Names are stored exactly as Postgres stores them (already case-folded); quoting happens only
//! when SQL is written, with the same rule as `quote_ident`.

use serde::Serialize;
use std::fmt;

/// Keywords that `quote_ident` quotes (every category but unreserved), from the grammar
/// pg_query parses with (PostgreSQL 18's; `scripts/gen-keywords.sh`). Older servers print some
/// of these words unquoted; introspection asks them to quote every identifier.
const QUOTED_KEYWORDS: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "bigint",
    "binary",
    "bit",
    "boolean",
    "both",
    "case",
    "cast",
    "char",
    "character",
    "check",
    "coalesce",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "dec",
    "decimal",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "extract",
    "false",
    "fetch",
    "float",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "greatest",
    "group",
    "grouping",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "inout",
    "int",
    "integer",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "join",
    "json",
    "json_array",
    "json_arrayagg",
    "json_exists",
    "json_object",
    "json_objectagg",
    "json_query",
    "json_scalar",
    "json_serialize",
    "json_table",
    "json_value",
    "lateral",
    "leading",
    "least",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "merge_action",
    "national",
    "natural",
    "nchar",
    "none",
    "normalize",
    "not",
    "notnull",
    "null",
    "nullif",
    "numeric",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "out",
    "outer",
    "overlaps",
    "overlay",
    "placing",
    "position",
    "precision",
    "primary",
    "real",
    "references",
    "returning",
    "right",
    "row",
    "select",
    "session_user",
    "setof",
    "similar",
    "smallint",
    "some",
    "substring",
    "symmetric",
    "system_user",
    "table",
    "tablesample",
    "then",
    "time",
    "timestamp",
    "to",
    "trailing",
    "treat",
    "trim",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "values",
    "varchar",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
    "xmlattributes",
    "xmlconcat",
    "xmlelement",
    "xmlexists",
    "xmlforest",
    "xmlnamespaces",
    "xmlparse",
    "xmlpi",
    "xmlroot",
    "xmlserialize",
    "xmltable",
];

/// Quote an identifier the way Postgres' `quote_ident` does.
pub fn quote_ident(name: &str) -> String {
    let plain = !name.is_empty()
        && name
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_lowercase() || c == '_' || (i > 0 && (c.is_ascii_digit() || c == '$')))
        && QUOTED_KEYWORDS.binary_search(&name).is_err();
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// Quote a string literal (standard_conforming_strings on; E'' when it holds a backslash, like
/// `quote_literal`).
pub fn quote_literal(value: &str) -> String {
    let body = value.replace('\'', "''");
    if value.contains('\\') {
        format!("E'{}'", body.replace('\\', "\\\\"))
    } else {
        format!("'{body}'")
    }
}

/// Text made safe for a `--` comment line: every character that could end the line (LF, CR)
/// or that an editor or terminal may treat as a break or control (the other C0 and C1
/// controls, DEL, U+2028, U+2029) is written as a visible escape (`\n`, `\r`, `\t`, `\x0b`,
/// `\u2028`), and a backslash as `\\` so the escapes cannot be forged. Whatever a name, label
/// or message holds, the comment stays one line and the SQL after it means what we wrote.
/// Every comment tidemark writes into SQL goes through here.
pub fn comment_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let needs = |c: char| c == '\\' || c.is_control() || c == '\u{2028}' || c == '\u{2029}';
    if !text.chars().any(needs) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x100 && needs(c) => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if needs(c) => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A `-- ` comment line (no trailing newline) holding `text`, made safe by [`comment_safe`].
pub fn sql_comment(text: &str) -> String {
    format!("-- {}", comment_safe(text))
}

/// A schema-qualified name of a relation, type, sequence, index, function...
/// Serialized as its SQL text (`public."Users"`), so it can key a JSON object.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QualifiedName {
    pub schema: String,
    pub name: String,
}

impl QualifiedName {
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        QualifiedName { schema: schema.into(), name: name.into() }
    }
}

impl Serialize for QualifiedName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl fmt::Display for QualifiedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", quote_ident(&self.schema), quote_ident(&self.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_sorted_for_binary_search() {
        assert!(QUOTED_KEYWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    /// Each quoted word is a keyword the grammar does not take as a plain name, and a plain
    /// name we leave unquoted scans as one (the parser, not the model, is the judge here).
    #[test]
    fn the_keyword_list_is_the_grammars() {
        use pg_query::protobuf::KeywordKind;
        let kind = |word: &str| {
            let scanned = pg_query::scan(word).expect("scans");
            let token = scanned.tokens.first().expect("a token");
            KeywordKind::try_from(token.keyword_kind).expect("a kind")
        };
        for word in QUOTED_KEYWORDS {
            assert!(!matches!(kind(word), KeywordKind::NoKeyword | KeywordKind::UnreservedKeyword), "{word}");
        }
        for word in ["users", "merge", "action", "json_table_x", "name", "value"] {
            assert!(matches!(kind(word), KeywordKind::NoKeyword | KeywordKind::UnreservedKeyword), "{word}");
            assert_eq!(quote_ident(word), word);
        }
    }

    #[test]
    fn quotes_like_quote_ident() {
        assert_eq!(quote_ident("users"), "users");
        assert_eq!(quote_ident("Users"), "\"Users\"");
        assert_eq!(quote_ident("user"), "\"user\"");
        assert_eq!(quote_ident("a$1"), "a$1");
        assert_eq!(quote_ident("1a"), "\"1a\"");
        assert_eq!(quote_ident("my \"x\""), "\"my \"\"x\"\"\"");
        assert_eq!(quote_ident("action"), "action"); // unreserved keyword
        assert_eq!(quote_literal("it's"), "'it''s'");
        assert_eq!(quote_literal("a\\b"), "E'a\\\\b'");
    }

    #[test]
    fn comments_stay_one_line_whatever_the_text() {
        assert_eq!(sql_comment("create table public.users"), "-- create table public.users");
        assert_eq!(sql_comment("x\nDROP TABLE canary; --"), "-- x\\nDROP TABLE canary; --");
        assert_eq!(comment_safe("a\rb\tc\\d"), "a\\rb\\tc\\\\d");
        assert_eq!(comment_safe("\u{1}\u{7f}\u{85}\u{2028}\u{2029}"), "\\x01\\x7f\\x85\\u2028\\u2029");
        for c in (0u32..0x250).chain([0x2028, 0x2029]).filter_map(char::from_u32) {
            let line = sql_comment(&format!("a{c}b"));
            assert!(!line.chars().any(|k| k.is_control() || k == '\u{2028}' || k == '\u{2029}'), "{c:?}: {line:?}");
        }
        // Escapes cannot be forged: distinct texts give distinct comments.
        assert_ne!(comment_safe("\\n"), comment_safe("\n"));
    }
}
