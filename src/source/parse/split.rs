//! Splitting a file into statements the way psql does: semicolons end statements except inside
//! quotes, dollar quotes, comments, parentheses and `BEGIN ATOMIC ... END` bodies; a backslash
//! outside quotes is a meta-command that runs to the end of its line (ending the statement
//! before it, as `\g` and `\gexec` do in psql); the data of
//! `COPY ... FROM stdin` runs to a line holding `\.`. Offsets are bytes into the file.

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    /// An SQL statement, without its terminating semicolon.
    Sql { start: usize, end: usize },
    /// A psql meta-command line such as `\i file.sql` or `\set x 1`.
    Meta { start: usize, end: usize },
    /// The data lines of a `COPY ... FROM stdin`.
    CopyData { start: usize, end: usize },
}

pub struct Splitter<'a> {
    text: &'a str,
    pos: usize,
    after_copy_from_stdin: bool,
    /// A semicolon ends a statement even inside parentheses (recovery after a syntax error).
    ignore_parentheses: bool,
}

impl<'a> Splitter<'a> {
    /// A leading byte-order mark is skipped, as psql does.
    pub fn new(text: &'a str) -> Self {
        let pos = if text.starts_with(BOM) { BOM.len_utf8() } else { 0 };
        Splitter { text, pos, after_copy_from_stdin: false, ignore_parentheses: false }
    }

    /// A splitter for text that did not parse: an unclosed parenthesis does not swallow the
    /// statements after it.
    pub fn ignoring_parentheses(text: &'a str) -> Self {
        Splitter { ignore_parentheses: true, ..Splitter::new(text) }
    }

    /// The next piece. `standard_conforming_strings` decides whether backslashes escape in
    /// plain string literals; the caller passes the session's current setting.
    pub fn next_piece(&mut self, standard_conforming_strings: bool) -> Option<Piece> {
        let bytes = self.text.as_bytes();
        if self.after_copy_from_stdin {
            self.after_copy_from_stdin = false;
            let start = self.skip_to_line_start();
            let mut line_start = start;
            while line_start < bytes.len() {
                let line_end = self.text[line_start..].find('\n').map_or(bytes.len(), |i| line_start + i);
                if self.text[line_start..line_end].trim_end_matches('\r') == "\\." {
                    self.pos = (line_end + 1).min(bytes.len());
                    return Some(Piece::CopyData { start, end: line_start });
                }
                line_start = line_end + 1;
            }
            self.pos = bytes.len();
            return Some(Piece::CopyData { start, end: bytes.len() });
        }
        self.skip_space_and_comments();
        if self.pos >= bytes.len() {
            return None;
        }
        let start = self.pos;
        if bytes[start] == b'\\' {
            let end = self.text[start..].find('\n').map_or(bytes.len(), |i| start + i);
            self.pos = end;
            return Some(Piece::Meta { start, end });
        }
        let end = self.scan_statement(standard_conforming_strings);
        let text = &self.text[start..end];
        if is_copy_from_stdin(text) {
            self.after_copy_from_stdin = true;
        }
        Some(Piece::Sql { start, end })
    }

    fn skip_to_line_start(&mut self) -> usize {
        match self.text[self.pos..].find('\n') {
            Some(i) if self.text[self.pos..self.pos + i].trim().is_empty() => self.pos + i + 1,
            _ => self.pos,
        }
    }

    fn skip_space_and_comments(&mut self) {
        let b = self.text.as_bytes();
        loop {
            // The server's lexer (and psql's) also counts a vertical tab as a blank.
            while self.pos < b.len()
                && (b[self.pos].is_ascii_whitespace() || b[self.pos] == 0x0b || b[self.pos] == b';')
            {
                self.pos += 1;
            }
            if b[self.pos..].starts_with(b"--") {
                self.pos = self.text[self.pos..].find('\n').map_or(b.len(), |i| self.pos + i);
            } else if b[self.pos..].starts_with(b"/*") {
                self.pos = skip_block_comment(b, self.pos);
            } else {
                return;
            }
        }
    }

    /// Scan from `self.pos` to the end of the statement; leaves `pos` after the semicolon.
    fn scan_statement(&mut self, scs: bool) -> usize {
        let b = self.text.as_bytes();
        let start = self.pos;
        let mut i = self.pos;
        let mut parens = 0i32;
        let mut begin_depth = 0i32;
        let is_routine = starts_routine(&self.text[start..]);
        while i < b.len() {
            let c = b[i];
            match c {
                b'-' if b[i..].starts_with(b"--") => {
                    i = self.text[i..].find('\n').map_or(b.len(), |k| i + k);
                }
                b'/' if b[i..].starts_with(b"/*") => i = skip_block_comment(b, i),
                b'\'' => {
                    let escapes = !scs || (i > 0 && matches!(b[i - 1], b'E' | b'e') && !is_ident_byte(b, i, 2));
                    i = skip_quoted(b, i, b'\'', escapes);
                }
                b'"' => i = skip_quoted(b, i, b'"', false),
                b'$' => match dollar_tag(self.text, i) {
                    Some(tag) => {
                        let body = i + tag.len();
                        i = self.text[body..].find(tag).map_or(b.len(), |k| body + k + tag.len());
                    }
                    None => i += 1,
                },
                b'(' => {
                    parens += 1;
                    i += 1;
                }
                b')' => {
                    parens -= 1;
                    i += 1;
                }
                b';' if (parens <= 0 || self.ignore_parentheses) && begin_depth <= 0 => {
                    self.pos = i + 1;
                    return i;
                }
                // A backslash outside quotes starts a meta-command, in psql even in the middle
                // of a statement (`SELECT ... \gexec`, `... \; ...`): the statement ends here
                // and the meta-command is the next piece.
                b'\\' => {
                    self.pos = i;
                    return i;
                }
                c if c.is_ascii_alphabetic() || c == b'_' => {
                    let word_end = i + b[i..]
                        .iter()
                        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_' || **c == b'$')
                        .count();
                    if is_routine && !(i > 0 && is_ident_continuation(b[i - 1])) {
                        let word = &self.text[i..word_end];
                        if word.eq_ignore_ascii_case("begin") {
                            let rest = self.text[word_end..].trim_start();
                            if begin_depth > 0 || rest.len() >= 6 && rest[..6].eq_ignore_ascii_case("atomic") {
                                begin_depth += 1;
                            }
                        } else if word.eq_ignore_ascii_case("case") && begin_depth > 0 {
                            begin_depth += 1;
                        } else if word.eq_ignore_ascii_case("end") && begin_depth > 0 {
                            begin_depth -= 1;
                        }
                    }
                    i = word_end;
                }
                _ => i += 1,
            }
        }
        self.pos = b.len();
        b.len()
    }
}

fn is_ident_continuation(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$'
}

/// Whether the byte before `b[i - back + 1]` continues an identifier (so `xE'..'` is not E'').
fn is_ident_byte(b: &[u8], i: usize, back: usize) -> bool {
    i >= back && is_ident_continuation(b[i - back])
}

fn skip_block_comment(b: &[u8], mut i: usize) -> usize {
    let mut depth = 0;
    while i < b.len() {
        if b[i..].starts_with(b"/*") {
            depth += 1;
            i += 2;
        } else if b[i..].starts_with(b"*/") {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    b.len()
}

fn skip_quoted(b: &[u8], mut i: usize, quote: u8, backslash_escapes: bool) -> usize {
    i += 1;
    while i < b.len() {
        if backslash_escapes && b[i] == b'\\' {
            i += 2;
        } else if b[i] == quote {
            if b.get(i + 1) == Some(&quote) {
                i += 2;
            } else {
                return i + 1;
            }
        } else {
            i += 1;
        }
    }
    b.len()
}

/// `$tag$` or `$$` starting at `i`, unless the `$` continues an identifier or is a `$1` param.
fn dollar_tag(text: &str, i: usize) -> Option<&str> {
    let b = text.as_bytes();
    if i > 0 && is_ident_continuation(b[i - 1]) {
        return None;
    }
    let mut j = i + 1;
    while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] >= 0x80) {
        if j == i + 1 && b[j].is_ascii_digit() {
            return None;
        }
        j += 1;
    }
    (j < b.len() && b[j] == b'$').then(|| &text[i..=j])
}

/// `CREATE [OR REPLACE] FUNCTION|PROCEDURE`: the statements whose `BEGIN ATOMIC` body holds
/// semicolons.
fn starts_routine(text: &str) -> bool {
    let words: Vec<String> = text.split_whitespace().take(4).map(|w| w.to_ascii_lowercase()).collect();
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    matches!(
        w.as_slice(),
        ["create", "function" | "procedure", ..] | ["create", "or", "replace", "function" | "procedure", ..]
    )
}

fn is_copy_from_stdin(stmt: &str) -> bool {
    let lower = stmt.to_ascii_lowercase();
    lower.trim_start().starts_with("copy ")
        && lower.split_whitespace().collect::<Vec<_>>().windows(2).any(|w| w == ["from", "stdin"])
}

/// The UTF-8 byte-order mark some editors put at the start of a file.
const BOM: char = '\u{feff}';

/// Line and column (1-based, column in characters; a leading byte-order mark is not one) of a
/// byte offset.
/// Every piece of a file split as psql runs it top to bottom on one session: a statement
/// `SET standard_conforming_strings = off` makes backslashes escape in the strings after it.
/// (The interpreter follows the setting through its session instead.)
pub fn pieces(text: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut splitter = Splitter::new(text);
    let mut standard_strings = true;
    while let Some(piece) = splitter.next_piece(standard_strings) {
        if let Piece::Sql { start, end } = piece {
            let compact = text[start..end].to_ascii_lowercase().replace(' ', "");
            if compact.starts_with("setstandard_conforming_strings=off")
                || compact.starts_with("setstandard_conforming_strings='off'")
            {
                standard_strings = false;
            }
        }
        out.push(piece);
    }
    out
}

pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = match before.rfind('\n') {
        Some(i) => i + 1,
        None if before.starts_with(BOM) => BOM.len_utf8(),
        None => 0,
    };
    (line, text[line_start..offset].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vertical_tab_between_statements_is_no_statement() {
        assert_eq!(split("SELECT 1;\u{b}\nSELECT 2;\u{b}"), ["sql:SELECT 1", "sql:SELECT 2"]);
    }

    fn split(text: &str) -> Vec<String> {
        let mut s = Splitter::new(text);
        let mut out = Vec::new();
        while let Some(p) = s.next_piece(true) {
            out.push(match p {
                Piece::Sql { start, end } => format!("sql:{}", &text[start..end]),
                Piece::Meta { start, end } => format!("meta:{}", &text[start..end]),
                Piece::CopyData { start, end } => format!("copy:{}", &text[start..end]),
            });
        }
        out
    }

    #[test]
    fn splits_like_psql() {
        let text = "create table a (x text default ';');\n-- c;\n/* a /* nested; */ */ select $$;$$, $f$ ; $f$;\n\\set x 1\nselect 'it''s;' ; select E'\\';' ;";
        assert_eq!(
            split(text),
            vec![
                "sql:create table a (x text default ';')",
                "sql:select $$;$$, $f$ ; $f$",
                "meta:\\set x 1",
                "sql:select 'it''s;' ",
                "sql:select E'\\';' ",
            ]
        );
    }

    #[test]
    fn begin_atomic_bodies_hold_semicolons() {
        let text = "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END; select 2;";
        assert_eq!(split(text).len(), 2);
    }

    #[test]
    fn meta_commands_inside_statements_end_them() {
        assert_eq!(
            split("select format('create table %I ()', 'x') \\gexec\nselect 1 \\g\nselect 2 \\; select 3;\nselect '\\g', $$\\g$$, \"\\g\";"),
            vec![
                "sql:select format('create table %I ()', 'x') ",
                "meta:\\gexec",
                "sql:select 1 ",
                "meta:\\g",
                "sql:select 2 ",
                "meta:\\; select 3;",
                "sql:select '\\g', $$\\g$$, \"\\g\"",
            ]
        );
    }

    #[test]
    fn copy_data_is_skipped() {
        let text = "COPY t (a) FROM stdin;\n1\n2;\n\\.\nselect 1;";
        assert_eq!(split(text), vec!["sql:COPY t (a) FROM stdin", "copy:1\n2;\n", "sql:select 1"]);
    }

    #[test]
    fn dollar_param_and_identifier_dollars_are_not_quotes() {
        assert_eq!(split("select $1; select a$b$ from t;").len(), 2);
    }

    #[test]
    fn line_and_column() {
        assert_eq!(line_col("ab\ncdé f", 8), (2, 5));
        assert_eq!(line_col("\u{feff}ab", 4), (1, 2));
    }

    #[test]
    fn a_leading_byte_order_mark_is_skipped() {
        assert_eq!(split("\u{feff}select 1;\n\u{feff}select 2"), vec!["sql:select 1", "sql:\u{feff}select 2"]);
        assert_eq!(split("\u{feff}\\set x 1\nselect 1"), vec!["meta:\\set x 1", "sql:select 1"]);
    }
}

/// psql's variable interpolation in a statement, outside quotes, dollar quotes and comments:
/// `:name` becomes the value as it is, `:'name'` a string literal of it, `:"name"` a quoted
/// identifier of it (`::` is a cast). psql leaves a variable it does not know as written; here
/// a name that starts with a letter or underscore and is not set is an error naming it (a
/// schema file that needs a value must be given it: `--var NAME=VALUE` or `[vars]`), while
/// `:1` (an array slice `a[1:2]`) is left alone.
pub fn substitute_variables<'a>(
    text: &'a str,
    vars: &std::collections::BTreeMap<String, String>,
    scs: bool,
) -> Result<std::borrow::Cow<'a, str>, String> {
    if !text.contains(':') {
        return Ok(std::borrow::Cow::Borrowed(text));
    }
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut i, mut copied) = (0, 0);
    let var_char = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80;
    while i < b.len() {
        match b[i] {
            b'-' if b[i..].starts_with(b"--") => i = text[i..].find('\n').map_or(b.len(), |k| i + k),
            b'/' if b[i..].starts_with(b"/*") => i = skip_block_comment(b, i),
            b'\'' => {
                let escapes = !scs || (i > 0 && matches!(b[i - 1], b'E' | b'e') && !is_ident_byte(b, i, 2));
                i = skip_quoted(b, i, b'\'', escapes);
            }
            b'"' => i = skip_quoted(b, i, b'"', false),
            b'$' => match dollar_tag(text, i) {
                Some(tag) => {
                    let body = i + tag.len();
                    i = text[body..].find(tag).map_or(b.len(), |k| body + k + tag.len());
                }
                None => i += 1,
            },
            b':' if b.get(i + 1) == Some(&b':') => i += 2,
            b':' => {
                let (quote, name_start) = match b.get(i + 1) {
                    Some(q @ (b'\'' | b'"')) => (Some(*q), i + 2),
                    _ => (None, i + 1),
                };
                let name_end = name_start + b[name_start..].iter().take_while(|c| var_char(**c)).count();
                let closed = quote.is_none_or(|q| b.get(name_end) == Some(&q));
                let name = &text[name_start..name_end];
                if name.is_empty() || !closed || (quote.is_none() && name.as_bytes()[0].is_ascii_digit()) {
                    i += 1;
                    continue;
                }
                let value = vars.get(name).ok_or_else(|| {
                    format!("psql variable {name} is not set: pass --var {name}=VALUE or set it under [vars] in tidemark.toml")
                })?;
                out.push_str(&text[copied..i]);
                match quote {
                    Some(b'\'') => out.push_str(&crate::model::quote_literal(value)),
                    Some(_) => out.push_str(&format!("\"{}\"", value.replace('"', "\"\""))),
                    None => out.push_str(value),
                }
                i = name_end + usize::from(quote.is_some());
                copied = i;
            }
            _ => i += 1,
        }
    }
    if copied == 0 {
        return Ok(std::borrow::Cow::Borrowed(text));
    }
    out.push_str(&text[copied..]);
    Ok(std::borrow::Cow::Owned(out))
}

#[cfg(test)]
mod variable_tests {
    use super::substitute_variables;

    #[test]
    fn psql_variables_are_substituted_outside_quotes() {
        let vars = [("owner", "app"), ("tbl", "my \"t\""), ("note", "it's")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let s = |t: &str| substitute_variables(t, &vars, true).map(|c| c.into_owned());
        assert_eq!(s("ALTER TABLE t OWNER TO :owner").unwrap(), "ALTER TABLE t OWNER TO app");
        assert_eq!(s("CREATE TABLE :\"tbl\" ()").unwrap(), "CREATE TABLE \"my \"\"t\"\"\" ()");
        assert_eq!(s("COMMENT ON TABLE t IS :'note'").unwrap(), "COMMENT ON TABLE t IS 'it''s'");
        // Not variables: casts, quoted text, comments, dollar quotes, array slices, :=.
        for same in [
            "SELECT 1::int",
            "SELECT ':owner'",
            "SELECT 1 -- :owner",
            "SELECT $$ :owner $$",
            "SELECT a[1:2] FROM t",
            "SELECT f(x := 1)",
            "SELECT \":owner\"",
        ] {
            assert_eq!(s(same).unwrap(), same);
        }
        let e = s("GRANT SELECT ON t TO :reader").unwrap_err();
        assert!(e.contains("psql variable reader is not set") && e.contains("--var reader=VALUE"), "{e}");
    }
}
