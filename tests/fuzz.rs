//! Fuzzing on stable Rust with proptest: the SQL splitter, the interpreter (whole files into a
//! catalog), the normalizer (expressions, defaults, index predicates, view queries and policies,
//! through the interpreter) and `review` get the project's own fixtures mutated (quotes, dollar
//! quotes, semicolons, parentheses, backslashes, comments, unicode and control characters,
//! truncation, splices of two files, duplicated statements, deep nesting). Properties: no panic,
//! no hang (each case runs on its own thread under a time bound), the same input gives the same
//! output, the splitter's pieces are ordered, in bounds and on character boundaries, a parsed
//! catalog plans to itself with no steps, and the files `inspect` writes for a parsed catalog
//! parse back to it.
//!
//! Every input that ever failed is kept in `tests/fuzz/regressions/` (written there by a
//! failing run; commit it) and runs first, through every target. A run that crashed the process
//! (a stack overflow cannot be caught) leaves its in-flight input behind, and the next run moves
//! it into the regressions. Budget: `TIDEMARK_FUZZ_CASES` cases per target (default 512),
//! `TIDEMARK_FUZZ_SEED` varies the otherwise fixed random stream, and `TIDEMARK_FUZZ_SHARED=1`
//! also seeds from `../shared/corpus` (said loudly when absent; the default run reads only this
//! repository).

#[path = "common/mod.rs"]
mod common;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, OnceLock};
use std::time::Duration;
use tidemark::diff::DiffOptions;
use tidemark::model::Catalog;
use tidemark::plan::PlanOptions;
use tidemark::source::parse::split::{Piece, Splitter};
use tidemark::source::parse::{parse_files, ParseOptions, SqlFile};

/// A case that runs longer than this hangs. Generous: debug build, two shared cores, and each
/// case runs its target twice.
const TIME_LIMIT: Duration = Duration::from_secs(20);
/// The main thread's stack, which the CLI runs on.
const STACK: usize = 8 << 20;
/// Between the history and the migration of a `review` regression file.
const MIGRATION_MARKER: &str = "\n-- fuzz:migration\n";

/// Text the mutations insert: what changes how SQL and psql scripts split and lex.
const TOKENS: &[&str] = &[
    "'",
    "\"",
    "$$",
    "$a$",
    "$1",
    ";",
    "(",
    ")",
    "[",
    "]",
    "\\",
    "\\\\",
    "--",
    "/*",
    "*/",
    "\n",
    "\r\n",
    "E'",
    "U&'",
    "U&\"",
    "B'",
    "X'",
    "\\.\n",
    "\n\\i other.sql\n",
    "\n\\set x 1\n",
    "\\gset",
    "::",
    ":x",
    ":'x'",
    "BEGIN ATOMIC ",
    " END",
    " END;",
    "COPY t FROM stdin;\n",
    "SET standard_conforming_strings = off;\n",
    "SET search_path = x, public;\n",
    "RESET ALL;\n",
    " CASCADE",
    " IF EXISTS",
    "DROP TABLE t;",
    "DO $$ BEGIN EXECUTE 'CREATE TABLE z (a int)'; END $$;",
    "é",
    "😀",
    "\u{0}",
    "\u{1}",
    "\u{7f}",
    "\t",
    "\u{feff}",
    "\u{200b}",
    "\u{2028}",
    "\u{fffd}",
    "ß",
    "İ",
    "\u{301}",
    " NULL",
    " DEFAULT ",
    " CHECK (",
    " COLLATE \"C\"",
    " ARRAY[",
    " ROW(",
    " CASE WHEN ",
    " THEN ",
    " ELSE ",
    "'\\'",
    "'''",
    "$x$ $$ $x$",
    "--\n",
    "/* /* */",
    "\0;",
];

/// Openers and closers for deep nesting.
const NESTS: &[(&str, &str)] = &[
    ("(", ")"),
    ("ARRAY[", "]"),
    ("CASE WHEN true THEN ", " END"),
    ("- ", ""),
    ("NOT ", ""),
    ("(SELECT ", ")"),
    ("/*", "*/"),
    ("coalesce(", ", 1)"),
    ("$$", "$$"),
];

#[derive(Clone, Debug)]
enum Mutation {
    /// Insert text at a position (positions are taken modulo the length, floored to a
    /// character boundary).
    Insert(u32, String),
    /// Delete up to n bytes.
    Delete(u32, u16),
    /// Cut the text here.
    Truncate(u32),
    /// This text up to a point, then another seed from a point.
    Splice(usize, u32, u32),
    /// Repeat the statement around a position (from the previous `;` to the next).
    Duplicate(u32),
    /// Open `depth` times, a literal, close `depth` times (or not: `balanced`).
    Nest(u32, usize, u16, bool),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let token = prop_oneof![
        4 => proptest::sample::select(TOKENS).prop_map(str::to_string),
        1 => any::<char>().prop_map(|c| c.to_string()),
        1 => (0u32..32).prop_map(|c| char::from_u32(c).unwrap().to_string()),
    ];
    prop_oneof![
        6 => (any::<u32>(), token).prop_map(|(at, t)| Mutation::Insert(at, t)),
        2 => (any::<u32>(), 1u16..64).prop_map(|(at, n)| Mutation::Delete(at, n)),
        1 => any::<u32>().prop_map(Mutation::Truncate),
        1 => (any::<usize>(), any::<u32>(), any::<u32>()).prop_map(|(o, a, b)| Mutation::Splice(o, a, b)),
        1 => any::<u32>().prop_map(Mutation::Duplicate),
        1 => (any::<u32>(), 0..NESTS.len(), prop_oneof![1u16..40, 40u16..5000], any::<bool>())
            .prop_map(|(at, n, d, b)| Mutation::Nest(at, n, d, b)),
    ]
}

fn floor_boundary(s: &str, at: u32) -> usize {
    if s.is_empty() {
        return 0;
    }
    let mut i = at as usize % (s.len() + 1);
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(seed: &str, mutations: &[Mutation], seeds: &[Seed]) -> String {
    let mut s = seed.to_string();
    for m in mutations {
        match m {
            Mutation::Insert(at, t) => {
                let i = floor_boundary(&s, *at);
                s.insert_str(i, t);
            }
            Mutation::Delete(at, n) => {
                let i = floor_boundary(&s, *at);
                let mut j = (i + *n as usize).min(s.len());
                while !s.is_char_boundary(j) {
                    j += 1;
                }
                s.replace_range(i..j, "");
            }
            Mutation::Truncate(at) => {
                let i = floor_boundary(&s, *at);
                s.truncate(i);
            }
            Mutation::Splice(other, a, b) => {
                let other = &seeds[other % seeds.len()].text;
                let i = floor_boundary(&s, *a);
                let j = floor_boundary(other, *b);
                s.truncate(i);
                s.push_str(&other[j..]);
            }
            Mutation::Duplicate(at) => {
                let i = floor_boundary(&s, *at);
                let start = s[..i].rfind(';').map_or(0, |k| k + 1);
                let end = s[i..].find(';').map_or(s.len(), |k| i + k + 1);
                let statement = s[start..end].to_string();
                s.insert_str(end, &statement);
            }
            Mutation::Nest(at, n, depth, balanced) => {
                let (open, close) = NESTS[n % NESTS.len()];
                let i = floor_boundary(&s, *at);
                let mut nest = open.repeat(*depth as usize);
                nest.push('1');
                if *balanced {
                    nest.push_str(&close.repeat(*depth as usize));
                }
                s.insert_str(i, &nest);
            }
        }
    }
    s
}

#[derive(Clone, Debug)]
struct Seed {
    name: String,
    text: String,
}

fn collect(dir: &Path, keep: &dyn Fn(&Path) -> bool, out: &mut Vec<Seed>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            collect(&p, keep, out);
        } else if keep(&p) {
            if let Ok(text) = std::fs::read_to_string(&p) {
                out.push(Seed { name: p.display().to_string(), text });
            }
        }
    }
}

fn is_sql(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "sql")
}

/// The project's fixtures (and `../shared/corpus` when asked for).
fn seeds() -> &'static [Seed] {
    static SEEDS: OnceLock<Vec<Seed>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let root = common::root();
        let mut out = Vec::new();
        collect(&root.join("fixtures/diff"), &is_sql, &mut out);
        collect(&root.join("fixtures/review"), &|p| p.extension().is_some_and(|e| e == "sql" || e == "snap"), &mut out);
        assert!(out.len() > 100, "too few fixture seeds: {}", out.len());
        if std::env::var("TIDEMARK_FUZZ_SHARED").is_ok_and(|v| v == "1") {
            let shared = root.join("../shared/corpus");
            let before = out.len();
            collect(&shared, &is_sql, &mut out);
            if out.len() == before {
                eprintln!(
                    "\n*** TIDEMARK_FUZZ_SHARED=1 but {} has no .sql files: fuzzing the fixtures only ***\n",
                    shared.display()
                );
            } else {
                eprintln!("fuzz: {} extra seeds from {}", out.len() - before, shared.display());
            }
        }
        out
    })
}

/// Histories `review` runs before a mutated migration: the review fixtures' histories and the
/// diff fixtures' `from.sql`.
fn histories() -> Vec<Seed> {
    let root = common::root();
    let mut out = vec![Seed { name: "(empty)".into(), text: String::new() }];
    collect(&root.join("fixtures/review"), &|p| p.file_name().is_some_and(|n| n == "history.sql"), &mut out);
    collect(&root.join("fixtures/diff"), &|p| p.file_name().is_some_and(|n| n == "from.sql"), &mut out);
    out
}

/// Expressions for the normalizer: hand-written ones over the template's table and every
/// parenthesized CHECK of the fixtures.
fn expressions() -> Vec<Seed> {
    let mut out: Vec<Seed> = [
        "a > 0",
        "a BETWEEN 1 AND 10",
        "b IN ('x', 'y')",
        "b NOT IN ('x')",
        "c = 1.50",
        "c::int + a",
        "d > '2024-01-01 00:00:00+00'",
        "d::date = current_date",
        "e ? 'k'",
        "e @> '{\"a\": [1, 2]}'",
        "e->>'k' IS NOT NULL",
        "f[1] = a",
        "a = ANY (f)",
        "g IS TRUE",
        "NOT g",
        "h = 'a'",
        "h::text = b",
        "i IS DISTINCT FROM '00000000-0000-0000-0000-000000000000'",
        "j > '2020-01-01'::date - interval '1 day'",
        "lower(b) LIKE 'a%' ESCAPE '\\'",
        "b ~* '^[a-z]+$'",
        "CASE WHEN a > 0 THEN b ELSE 'z' END <> ''",
        "coalesce(a, 0) + fz_f(a) > 2",
        "length(b COLLATE \"C\") < 5",
        "(a, b) > (1, 'x')",
        "ROW(a, b) IS NOT NULL",
        "EXISTS (SELECT 1 FROM fz f2 WHERE f2.a = fz.a)",
        "a < ALL (ARRAY[1, 2, 3])",
        "'\\x00'::bytea IS NOT NULL",
        "E'\\n' <> b",
        "U&'d\\0061t\\+000061' = b",
        "$$dollar$$ = b",
        "$q$ ' $q$ = b",
        "1e10 > c",
        "-2147483648 < a",
        "b || 'x' || a::text = 'y'",
        "format('%s-%s', a, b) <> ''",
        "NULLIF(a, 0) IS NULL",
        "a % 2 = 0 AND a IS NOT NULL OR b IS NULL",
        "(SELECT count(*) FROM fz) > 0",
    ]
    .iter()
    .enumerate()
    .map(|(i, e)| Seed { name: format!("expression {i}"), text: e.to_string() })
    .collect();
    for s in seeds().iter().filter(|s| s.name.ends_with(".sql")) {
        let mut rest = s.text.as_str();
        while let Some(k) = rest.find("CHECK (") {
            let body = &rest[k + 6..];
            let mut depth = 0;
            let mut end = None;
            for (i, c) in body.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(i);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let Some(end) = end else { break };
            out.push(Seed { name: format!("CHECK of {}", s.name), text: body[1..end].to_string() });
            rest = &body[end..];
        }
    }
    out
}

/// The schema an expression is put into: a column default, a CHECK, an index expression and
/// predicate, a view's select list, WHERE and ORDER BY, and a policy. Each statement stands on
/// its own, so one the interpreter rejects does not hide the others.
fn in_schema(e: &str) -> String {
    format!(
        "CREATE TYPE fz_mood AS ENUM ('a', 'b');\n\
         CREATE DOMAIN fz_pos AS int CHECK (VALUE > 0);\n\
         CREATE FUNCTION fz_f(x int) RETURNS int LANGUAGE sql IMMUTABLE RETURN x + 1;\n\
         CREATE TABLE fz (a int, b text, c numeric(10,2), d timestamptz, e jsonb, f int[], g bool, h fz_mood, \
         i uuid, j date, p fz_pos);\n\
         ALTER TABLE fz ADD COLUMN k text DEFAULT ({e});\n\
         ALTER TABLE fz ADD CONSTRAINT fz_check CHECK ({e});\n\
         CREATE INDEX fz_idx ON fz (({e})) WHERE {e};\n\
         CREATE VIEW fz_v AS SELECT {e} AS v, a FROM fz;\n\
         CREATE VIEW fz_w AS SELECT a, b FROM fz WHERE {e} ORDER BY {e};\n\
         ALTER TABLE fz ENABLE ROW LEVEL SECURITY;\n\
         CREATE POLICY fz_p ON fz USING ({e});\n"
    )
}

// ---------------------------------------------------------------------------------------------
// Targets. Each returns a description of everything it computed (compared between two runs
// for determinism) or the property it found broken.

fn split(text: &str) -> Result<String, String> {
    let mut out = String::new();
    for scs in [true, false] {
        let mut splitter = Splitter::new(text);
        let mut last_end = 0;
        let mut n = 0;
        while let Some(piece) = splitter.next_piece(scs) {
            n += 1;
            if n > text.len() + 2 {
                return Err(format!("more pieces ({n}) than bytes ({})", text.len()));
            }
            let (start, end) = match piece {
                Piece::Sql { start, end } | Piece::Meta { start, end } | Piece::CopyData { start, end } => (start, end),
            };
            if start > end || end > text.len() || start < last_end {
                return Err(format!(
                    "{piece:?} out of order or bounds (previous end {last_end}, length {})",
                    text.len()
                ));
            }
            if !text.is_char_boundary(start) || !text.is_char_boundary(end) {
                return Err(format!("{piece:?} is not on character boundaries"));
            }
            // Whitespace as the server's lexer knows it: ASCII only (U+2028 is a token).
            if matches!(piece, Piece::Sql { .. })
                && text[start..end].trim_matches(|c: char| c.is_ascii_whitespace() || c == '\x0b').is_empty()
                && end > start
            {
                return Err(format!("{piece:?} is an empty statement"));
            }
            last_end = end;
            out.push_str(&format!("{scs} {piece:?}\n"));
        }
    }
    Ok(out)
}

fn plan_text(from: &Catalog, to: &Catalog) -> Result<String, String> {
    tidemark::rename::plan(from, to, &[], &DiffOptions { ignore_owners: false }, &PlanOptions::default())
        .map(|p| common::statements(&p.plan))
        .map_err(|e| e.to_string())
}

fn file(name: &str, text: &str) -> SqlFile {
    SqlFile { name: name.into(), text: text.into() }
}

/// Parse, then: the catalog plans to itself with no steps, and planning it from a fresh
/// database does not panic (it may fail, e.g. on a cycle: that is an error, not a panic).
fn interpret(text: &str) -> Result<String, String> {
    match parse_files(&[file("fuzz.sql", text)], &ParseOptions::default()) {
        Err(diagnostics) => Ok(format!("{diagnostics:?}")),
        Ok(parsed) => {
            PARSED.fetch_add(1, Ordering::Relaxed);
            let same = plan_text(&parsed.catalog, &parsed.catalog)?;
            if !same.is_empty() {
                return Err(format!("the parsed catalog does not plan to itself with no steps:\n{same}"));
            }
            let from_empty = plan_text(&Catalog::template(), &parsed.catalog);
            Ok(format!("{:?}\n{:?}\n{from_empty:?}", parsed.catalog, parsed.diagnostics))
        }
    }
}

/// An expression in every place the normalizer reads one; what parses must also survive the
/// round trip through the files `inspect` writes for it.
fn normalize(expression: &str) -> Result<String, String> {
    let text = in_schema(expression);
    let out = interpret(&text)?;
    if let Ok(parsed) = parse_files(&[file("fuzz.sql", &text)], &ParseOptions::default()) {
        let files = tidemark::inspect::files(&parsed.catalog, &Default::default()).map_err(|e| e.to_string())?;
        let files: Vec<SqlFile> = files.iter().map(|(p, t)| file(&p.display().to_string(), t)).collect();
        let written: String = files.iter().map(|f| f.text.as_str()).collect();
        let back = parse_files(&files, &ParseOptions::default())
            .map_err(|d| format!("the files inspect writes do not parse: {d:?}\n{written}"))?;
        let residue = plan_text(&back.catalog, &parsed.catalog)?;
        if !residue.is_empty() {
            return Err(format!("the files inspect writes differ from the catalog:\n{residue}\n\nfiles:\n{written}"));
        }
    }
    Ok(out)
}

fn review(text: &str) -> Result<String, String> {
    let (history, migration) = text.split_once(MIGRATION_MARKER).unwrap_or(("", text));
    let (review, diagnostics) = tidemark::review::review(
        &[file("history.sql", history)],
        &[file("migration.sql", migration)],
        &ParseOptions::default(),
    );
    // The reports are part of what review makes; rendering must not panic either.
    let json = serde_json::to_string(&review).map_err(|e| e.to_string())?;
    Ok(format!("{review:?}\n{diagnostics:?}\n{json}"))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Split,
    Interpret,
    Normalize,
    Review,
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::Split => "split",
            Target::Interpret => "interpret",
            Target::Normalize => "normalize",
            Target::Review => "review",
        }
    }
    fn run(self, text: &str) -> Result<String, String> {
        match self {
            Target::Split => split(text),
            Target::Interpret => interpret(text),
            Target::Normalize => normalize(text),
            Target::Review => review(text),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Running a case: its own thread, a time bound, twice for determinism.

/// After a hang, the thread that hangs cannot be stopped: every later case passes at once, so
/// proptest gives up shrinking and reports the input that hung.
static HUNG: AtomicBool = AtomicBool::new(false);

/// Runs of the interpreter that parsed without errors (reported, so that a run which only ever
/// exercised the error paths shows).
static PARSED: AtomicUsize = AtomicUsize::new(0);

fn inflight(target: Target) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("fuzz-inflight-{}.sql", target.name()))
}

fn regressions_dir() -> PathBuf {
    common::root().join("tests/fuzz/regressions")
}

fn check(target: Target, text: &str) -> Result<(), String> {
    if HUNG.load(Ordering::SeqCst) {
        return Ok(());
    }
    let _ = std::fs::write(inflight(target), text);
    let (tx, rx) = mpsc::channel();
    let owned = text.to_string();
    let worker = std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || {
            let first = target.run(&owned);
            let second = target.run(&owned);
            let _ = tx.send((first, second));
        })
        .map_err(|e| e.to_string())?;
    let outcome = match rx.recv_timeout(TIME_LIMIT) {
        Ok((Err(e), _)) => Err(e),
        Ok((Ok(a), Ok(b))) if a == b => Ok(()),
        Ok((Ok(a), b)) => Err(format!("not deterministic: first run\n{a}\nsecond run\n{b:?}")),
        Err(mpsc::RecvTimeoutError::Timeout) => {
            HUNG.store(true, Ordering::SeqCst);
            Err(format!("hangs: no result after {TIME_LIMIT:?}"))
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let payload = worker.join().err();
            let message = payload
                .as_ref()
                .and_then(|p| {
                    p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                })
                .unwrap_or_else(|| "(no message)".into());
            Err(format!("panics: {message}"))
        }
    };
    // The process survived the case: whatever the outcome, the input is not a crash's.
    let _ = std::fs::remove_file(inflight(target));
    outcome
}

fn name_of(text: &str) -> String {
    // FNV-1a: stable across runs and platforms, unlike the std hasher.
    let mut h: u64 = 0xcbf29ce484222325;
    for b in text.as_bytes() {
        h = (h ^ *b as u64).wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}

fn keep_regression(target: Target, text: &str) -> PathBuf {
    let dir = regressions_dir();
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("{}-{}.sql", target.name(), name_of(text)));
    let _ = std::fs::write(&path, text);
    path
}

/// The kept inputs, each through this target; first an input a crashed run left behind.
fn run_regressions(target: Target) {
    if let Ok(text) = std::fs::read_to_string(inflight(target)) {
        let kept = keep_regression(target, &text);
        eprintln!(
            "\n*** a previous {} fuzz run died on an input (a crash such as a stack overflow): kept as {} ***\n",
            target.name(),
            kept.display()
        );
        let _ = std::fs::remove_file(inflight(target));
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(regressions_dir())
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| is_sql(p)).collect())
        .unwrap_or_default();
    files.sort();
    let mut failures = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let text = match target {
            Target::Normalize if !f.file_name().is_some_and(|n| n.to_string_lossy().starts_with("normalize-")) => {
                // A whole file is no expression: it still goes through the interpreter target.
                continue;
            }
            _ => text,
        };
        if let Err(e) = check(target, &text) {
            failures.push(format!("{}: {}", f.display(), abridge(&e)));
        }
    }
    assert!(failures.is_empty(), "{} regression inputs fail:\n{}", target.name(), failures.join("\n\n"));
}

fn abridge(s: &str) -> String {
    if s.len() <= 4000 {
        return s.to_string();
    }
    let mut i = 4000;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    format!("{}... ({} bytes)", &s[..i], s.len())
}

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v.parse().unwrap_or_else(|_| panic!("{name}={v} is not a number")),
        Err(_) => default,
    }
}

/// Regressions, then `TIDEMARK_FUZZ_CASES` mutated seeds through `target`.
fn fuzz(target: Target, inputs: Vec<Seed>) {
    run_regressions(target);
    let cases = env_number("TIDEMARK_FUZZ_CASES", 512) as u32;
    let seed = env_number("TIDEMARK_FUZZ_SEED", 0);
    let rng = if seed == 0 {
        TestRng::deterministic_rng(RngAlgorithm::ChaCha)
    } else {
        let mut bytes = [0u8; 32];
        bytes[..8].copy_from_slice(&seed.to_le_bytes());
        TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
    };
    let config = Config { cases, failure_persistence: None, max_shrink_iters: 4096, ..Config::default() };
    let mut runner = TestRunner::new_with_rng(config, rng);
    let histories = histories();
    let all = seeds();
    let strategy = (0..inputs.len(), 0..histories.len(), proptest::collection::vec(mutation(), 0..6));
    let started = std::time::Instant::now();
    // Cases run, and the first that failed (proptest then shrinks it).
    let ran = std::cell::Cell::new(0usize);
    let first_failure = std::cell::Cell::new(None);
    let result = runner.run(&strategy, |(i, h, mutations)| {
        ran.set(ran.get() + 1);
        let mut text = apply(&inputs[i].text, &mutations, all);
        if target == Target::Review {
            text = format!("{}{MIGRATION_MARKER}{text}", histories[h].text);
        }
        check(target, &text).map_err(|e| {
            if first_failure.get().is_none() {
                first_failure.set(Some(ran.get()));
            }
            TestCaseError::fail(abridge(&e))
        })
    });
    let failed = match first_failure.get() {
        Some(n) => format!(", case {n} failed and {} more ran shrinking it", ran.get() - n),
        None => String::new(),
    };
    eprintln!(
        "fuzz {}: {} of {cases} cases in {:.1?}{failed} (interpreter runs without errors so far, all targets: {})",
        target.name(),
        first_failure.get().unwrap_or(ran.get()),
        started.elapsed(),
        PARSED.load(Ordering::Relaxed)
    );
    match result {
        Ok(()) => {}
        Err(TestError::Fail(why, (i, h, mutations))) => {
            let mut text = apply(&inputs[i].text, &mutations, all);
            if target == Target::Review {
                text = format!("{}{MIGRATION_MARKER}{text}", histories[h].text);
            }
            let kept = keep_regression(target, &text);
            panic!(
                "fuzz {}: {why}\nseed {} with {mutations:?}\nthe input is kept as {} (commit it)",
                target.name(),
                inputs[i].name,
                kept.display()
            );
        }
        Err(e) => panic!("fuzz {}: {e}", target.name()),
    }
}

#[test]
fn fuzz_splitter() {
    fuzz(Target::Split, seeds().to_vec());
}

#[test]
fn fuzz_interpreter() {
    fuzz(Target::Interpret, seeds().iter().filter(|s| s.name.ends_with(".sql")).cloned().collect());
}

#[test]
fn fuzz_normalizer() {
    fuzz(Target::Normalize, expressions());
}

#[test]
fn fuzz_review() {
    fuzz(Target::Review, seeds().iter().filter(|s| s.name.ends_with(".sql")).cloned().collect());
}

/// The mutations do what they say: otherwise the fuzzing above proves little.
#[test]
fn mutations_mutate() {
    let seeds = [Seed { name: "s".into(), text: "SELECT 1; SELECT 2;".into() }];
    assert_eq!(apply("ab", &[Mutation::Insert(1, "'".into())], &seeds), "a'b");
    assert_eq!(apply("abc", &[Mutation::Truncate(2)], &seeds), "ab");
    assert_eq!(apply("aé", &[Mutation::Truncate(2)], &seeds), "a");
    assert_eq!(apply("x;y;", &[Mutation::Duplicate(2)], &seeds), "x;y;y;");
    assert_eq!(apply("ab", &[Mutation::Splice(0, 1, 10)], &seeds), "aSELECT 2;");
    assert_eq!(apply("", &[Mutation::Nest(0, 0, 3, true)], &seeds), "(((1)))");
    assert_eq!(apply("abcdef", &[Mutation::Delete(1, 2)], &seeds), "adef");
}
