//! The position of a syntax error. pg_query's Rust API drops the cursor position that
//! libpg_query reports; this module asks the C library directly (linked by the pg_query crate)
//! and only on the error path.

use std::ffi::CString;
use std::os::raw::{c_char, c_int};

#[repr(C)]
struct PgQueryError {
    message: *mut c_char,
    funcname: *mut c_char,
    filename: *mut c_char,
    lineno: c_int,
    cursorpos: c_int,
    context: *mut c_char,
}

#[repr(C)]
struct PgQueryParseResult {
    parse_tree: *mut c_char,
    stderr_buffer: *mut c_char,
    error: *mut PgQueryError,
}

extern "C" {
    fn pg_query_parse(input: *const c_char) -> PgQueryParseResult;
    fn pg_query_free_parse_result(result: PgQueryParseResult);
}

/// The byte offset in `statement` at which the parser reports its error, if it does.
pub fn error_offset(statement: &str) -> Option<usize> {
    let input = CString::new(statement).ok()?;
    // SAFETY: libpg_query's documented C API; the result is freed by its own function, and the
    // error struct is only read before that.
    let cursor = unsafe {
        let result = pg_query_parse(input.as_ptr());
        let pos = if result.error.is_null() { 0 } else { (*result.error).cursorpos };
        pg_query_free_parse_result(result);
        pos
    };
    // cursorpos counts characters from 1.
    (cursor > 0).then(|| statement.char_indices().nth(cursor as usize - 1).map_or(statement.len(), |(i, _)| i))
}

/// Whether pg_query failed on nesting rather than on syntax: the tree comes from the C parser
/// as protobuf, whose decoder stops at a depth of 100 messages (an expression nested some 50
/// levels deep parses but cannot be read), and the parser's own stack ends at 10,000 levels.
pub fn too_deep(e: &pg_query::Error) -> bool {
    let text = e.to_string();
    text.contains("failed to decode Protobuf message") || text.contains("memory exhausted")
}

/// pg_query's error as tidemark reports it: nesting named as such, the text quoted shortened.
pub fn describe(e: &pg_query::Error) -> String {
    if too_deep(e) {
        return "statement nested too deeply: tidemark reads expressions nested up to about 45 levels".into();
    }
    clean_message(&e.to_string())
}

/// Most characters of the text an error quotes (`at or near "..."`): an unterminated quote
/// makes the parser quote the rest of the statement.
const QUOTED_CHARS: usize = 60;

/// The error message without pg_query's position-less decoration, the text it quotes
/// shortened.
pub fn clean_message(message: &str) -> String {
    let message = message.strip_prefix("Invalid statement: ").unwrap_or(message);
    match message.split_once(" at or near \"") {
        Some((head, quoted)) => {
            let quoted = quoted.strip_suffix('"').unwrap_or(quoted);
            match quoted.char_indices().nth(QUOTED_CHARS) {
                Some((cut, _)) => format!("{head} at or near \"{} ...\"", &quoted[..cut]),
                None => format!("{head} at or near \"{quoted}\""),
            }
        }
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_the_error_token() {
        let sql = "create table t (a int,, b int)";
        assert_eq!(super::error_offset(sql), Some(22));
        assert_eq!(super::error_offset("select 1"), None);
    }

    #[test]
    fn quoted_text_is_shortened() {
        let long = format!("select 'x{}", "y".repeat(5000));
        let e = crate::source::parse::parse_statement(&long, true).unwrap_err().0;
        assert!(e.starts_with("unterminated quoted string at or near \"'xyyy"), "{e}");
        assert!(e.len() < 120, "{e}");
        assert_eq!(super::clean_message("syntax error at or near \",\""), "syntax error at or near \",\"");
    }
}
