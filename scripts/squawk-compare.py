#!/usr/bin/env python3
"""Compares `tidemark review` with squawk (the Postgres migration linter) on the shared corpus.

Inputs, read in place from the shared folder (never copied):
  * every `corpus/**/expected.sql` (expected migrations of other projects' diff tests), each
    reviewed after its case's from.sql (replayed as history, left out of the comparison);
  * every `realworld/*` entry whose meta.txt says `kind: migration-history`, reviewed as one
    history in its load-order.txt order (its prelude.sql, when it has one, is replayed first
    but left out of the comparison).

Each squawk violation is mapped to the statement containing it (tidemark reports each
statement's start line and column) and checked against the hazard kinds tidemark reports for
that statement (EQUIVALENT below). Unmatched violations are classified (style rule, table
created earlier in the same file, ...), and the reverse is counted too: statements tidemark
flags at high or medium severity that squawk does not flag with an equivalent rule.

Usage:
    scripts/squawk-compare.py [--tidemark target/release/tidemark] [--squawk squawk]
                              [--shared ../shared] [--out report.md] [--json findings.json]

Prints the Markdown report on stdout (and to --out when given).
"""
import argparse
import bisect
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# squawk rule -> tidemark hazard kinds that count as "the same finding".
EQUIVALENT = {
    "adding-field-with-default": {"table_rewrite"},
    "adding-foreign-key-constraint": {"validation_scan"},
    "adding-not-nullable-field": {"fails_on_existing_data", "validation_scan"},
    "adding-required-field": {"fails_on_existing_data", "validation_scan"},
    "adding-serial-primary-key-field": {"table_rewrite", "index_build"},
    "ban-alter-domain-with-add-constraint": {"validation_scan"},
    "ban-concurrent-index-creation-in-transaction": {"non_transactional"},
    "ban-drop-column": {"data_loss"},
    "ban-drop-table": {"data_loss"},
    "ban-drop-database": {"data_loss"},
    "ban-truncate-cascade": {"data_loss"},
    "ban-drop-not-null": {"breaks_clients"},
    "changing-column-type": {"table_rewrite"},
    # squawk also fires it on ADD PRIMARY KEY / UNIQUE, where NOT VALID does not exist and the
    # cost is the index build: tidemark's index_build is the equivalent there.
    "constraint-missing-not-valid": {"validation_scan", "index_build"},
    "disallowed-unique-constraint": {"index_build"},
    "renaming-column": {"breaks_clients"},
    "renaming-table": {"breaks_clients"},
    "renaming-object": {"breaks_clients"},
    "require-concurrent-index-creation": {"index_build"},
    "require-concurrent-index-deletion": {"access_exclusive_lock"},
    "require-concurrent-reindex": {"index_build"},
    "require-concurrent-partition-detach": {"access_exclusive_lock"},
    "transaction-nesting": {"transaction_control"},
    "ban-uncommitted-transaction": {"transaction_control"},
    "require-timeout-settings": {"missing_lock_timeout"},
    "require-lock-timeout": {"missing_lock_timeout"},
    # squawk 2.x "may break existing clients" family: dropping an object clients use.
    "ban-drop-view": {"breaks_clients", "data_loss"},
    "ban-drop-function": {"breaks_clients", "data_loss"},
    "ban-drop-type": {"breaks_clients", "data_loss"},
    "ban-drop-sequence": {"breaks_clients", "data_loss"},
    "ban-drop-schema": {"breaks_clients", "data_loss"},
    "ban-drop-extension": {"breaks_clients", "data_loss"},
    "ban-drop-domain": {"breaks_clients", "data_loss"},
    "ban-drop-trigger": {"breaks_clients"},
    "ban-drop-constraint": {"breaks_clients"},
    "ban-drop-default": {"breaks_clients"},
    "ban-drop-generated-expression": {"breaks_clients"},
    "ban-alter-identity": {"breaks_clients"},
}

# Style advice, not runtime hazards: tidemark has no hazard for them by design.
STYLE = {
    "prefer-big-int", "prefer-bigint-over-int", "prefer-bigint-over-smallint", "prefer-identity",
    "prefer-text-field", "prefer-timestamptz", "prefer-timestamp-tz", "prefer-robust-stmts",
    "ban-char-field", "ban-create-domain-with-constraint", "require-enum-value-ordering",
    "identifier-too-long", "require-table-schema", "unused-ignore",
}

# Rules with a purpose tidemark has no hazard kind for (not style, not covered).
NO_EQUIVALENT = {
    "require-statement-timeout": "tidemark has no statement_timeout hazard (missing_lock_timeout covers lock waits only)",
}

SEVERE = {"high", "medium"}

R_MATCH = "matched"
R_SAME_FILE = "table, column or object created earlier in the same file (nobody uses it yet)"
R_RECREATED = "object dropped and re-created (or replaced by an equivalent key, or its default set again) in the same file"
R_GOES_WITH = "goes with a column or table the same file drops or renames (tidemark reports that statement)"
R_STYLE = "style rule"
R_NO_EQ = "no tidemark hazard kind for this rule"
R_SQ_SYNTAX = "squawk syntax error"
R_TM_PARSE = "tidemark reported no statements for the file (parse failure)"
R_OVER = "squawk over-reports (tidemark correct)"
R_GAP = "tidemark misses it (real gap)"
REASONS = [R_SAME_FILE, R_RECREATED, R_GOES_WITH, R_STYLE, R_NO_EQ, R_OVER, R_TM_PARSE, R_GAP]

LOCK_RULES = {"require-lock-timeout", "require-timeout-settings"}


def over_report(rule, stmt):
    """Why squawk's finding is not a hazard for this statement, or None."""
    sql = " ".join(strip_comments(stmt["sql"]).split())
    up = sql.upper()
    if rule in LOCK_RULES and not stmt.get("lock"):
        if re.match(r"CREATE (OR REPLACE )?(FUNCTION|PROCEDURE|TYPE|SCHEMA|SEQUENCE|EXTENSION|DOMAIN)\b", up) \
                or re.match(r"CREATE (OR REPLACE )?(RECURSIVE )?VIEW\b", up) and not up.startswith("CREATE OR REPLACE") \
                or re.match(r"ALTER TYPE\b", up) or re.match(r"DROP (FUNCTION|PROCEDURE)\b", up) \
                or re.match(r"CREATE FOREIGN TABLE\b", up) \
                or (re.match(r"CREATE (UNLOGGED )?TABLE\b", up)
                    and not re.search(r"\b(REFERENCES|PARTITION OF|INHERITS)\b", up)):
            return "creates or changes an object, locks no existing table"
        if re.match(r"DROP (SCHEMA|EXTENSION)\b", up):
            return "drops a schema or extension holding no table the replayed history knows of"
        if re.match(r"CREATE MATERIALIZED VIEW\b", up):
            return "CREATE MATERIALIZED VIEW takes ACCESS SHARE on what it reads: writes go on"
    if rule == "changing-column-type" and re.search(
            r"\bTYPE\s+(VARCHAR|CHARACTER VARYING|TEXT)\b(\s*\(\s*\d+\s*\))?\s*(,|$)", up) \
            and not re.search(r"\bUSING\b", up):
        return "type change to varchar(n)/text: binary-coercible, no rewrite"
    if rule == "adding-field-with-default" and re.search(
            r"\bDEFAULT\s+(-?\d+(\.\d+)?|'[^']*'|TRUE|FALSE|NULL)(\s|,|$)", up) \
            and not re.search(r"\bGENERATED\b", up):
        return "constant default: no rewrite since PostgreSQL 11"
    if rule == "adding-foreign-key-constraint":
        # Each ADD COLUMN of the statement, up to the next top-level ADD/ALTER/DROP.
        columns = re.split(r",\s*(?=(?:ADD|ALTER|DROP)\b)", up)
        referencing = [c for c in columns if re.match(r"(ALTER TABLE .*?)?\bADD (COLUMN )?", c)
                       and re.search(r"\bREFERENCES\b", c) and not re.search(r"\bFOREIGN KEY\b", c)]
        if referencing and not any(re.search(r"\bDEFAULT\b", c) for c in referencing):
            return ("new column without a DEFAULT clause: PostgreSQL does not check its foreign key "
                    "(measured on PG 15, 3 M rows: 1 ms; with DEFAULT NULL, or as ADD CONSTRAINT: 200 ms)")
    if rule == "ban-drop-table" and re.match(r"DROP FOREIGN TABLE\b", up):
        return "a foreign table's rows live on the remote server: nothing is lost (tidemark: breaks_clients)"
    if rule == "ban-drop-schema" and re.match(r"DROP SCHEMA\b", up) and "CASCADE" not in up:
        return "DROP SCHEMA without CASCADE succeeds only on an empty schema: nothing in it to use"
    if rule == "renaming-object" and re.match(
            r"ALTER (INDEX|TRIGGER)\b|ALTER TABLE .* RENAME CONSTRAINT\b", up):
        return "renames an index, trigger or constraint: no client uses the name"
    return None


def die(msg):
    bar = "!" * 78
    print(f"{bar}\nsquawk-compare: {msg}\n{bar}", file=sys.stderr)
    sys.exit(2)


# --- names -----------------------------------------------------------------------------------

IDENT = r'(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)'
QNAME = rf"{IDENT}(?:\s*\.\s*{IDENT})*"


def norm_name(name, default_schema="public"):
    """`public."User"`, `"public"."User"` and `User`... -> `public.User` (unquoted folded)."""
    parts = re.findall(r'"((?:[^"]|"")+)"|([^\s."]+)', name or "")
    out = [q.replace('""', '"') if q else u.lower() for q, u in parts]
    if not out:
        return None
    if len(out) == 1:
        out = [default_schema] + out
    return ".".join(out[-2:])


def strip_comments(sql):
    sql = re.sub(r"/\*.*?\*/", " ", sql, flags=re.S)
    return re.sub(r"--[^\n]*", " ", sql)


CREATE_RE = re.compile(
    rf"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL|LOCAL)\s+)?(?:TEMP(?:ORARY)?\s+|UNLOGGED\s+)?"
    rf"(?:RECURSIVE\s+)?(TABLE|VIEW|MATERIALIZED\s+VIEW|FUNCTION|PROCEDURE|TYPE|SEQUENCE|SCHEMA|"
    rf"EXTENSION|DOMAIN|TRIGGER)\s+(?:IF\s+NOT\s+EXISTS\s+)?({QNAME})", re.I)
DROP_RE = re.compile(
    rf"^\s*DROP\s+(TABLE|VIEW|MATERIALIZED\s+VIEW|FUNCTION|PROCEDURE|TYPE|SEQUENCE|SCHEMA|"
    rf"EXTENSION|DOMAIN|TRIGGER|INDEX)\s+(?:CONCURRENTLY\s+)?(?:IF\s+EXISTS\s+)?({QNAME})", re.I)
RENAME_TABLE_RE = re.compile(
    rf"^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?({QNAME})\s+RENAME\s+TO\s+({IDENT})", re.I)
TARGET_RES = [
    re.compile(rf"^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?({QNAME})", re.I),
    re.compile(rf"^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?"
               rf"(?:{QNAME}\s+)?ON\s+(?:ONLY\s+)?({QNAME})", re.I),
    re.compile(rf"^\s*(?:DROP|TRUNCATE)\s+(?:TABLE\s+)?(?:IF\s+EXISTS\s+)?({QNAME})", re.I),
    re.compile(rf"^\s*REFRESH\s+MATERIALIZED\s+VIEW\s+(?:CONCURRENTLY\s+)?({QNAME})", re.I),
]


def object_kind(word):
    word = " ".join(word.upper().split())
    return {"PROCEDURE": "FUNCTION", "MATERIALIZED VIEW": "VIEW"}.get(word, word)


def created_object(sql, schema="public"):
    m = CREATE_RE.match(strip_comments(sql))
    if m:
        return object_kind(m.group(1)), norm_name(m.group(2), schema)
    m = re.match(rf"^\s*ALTER\s+(?:TYPE|TABLE|VIEW)\s+(?:IF\s+EXISTS\s+)?({QNAME})\s+RENAME\s+TO\s+({IDENT})",
                 strip_comments(sql), re.I)
    if m:
        # Renamed aside: the new name is the file's own.
        old = norm_name(m.group(1), schema)
        return "RENAMED", old.split(".")[0] + "." + norm_name(m.group(2)).split(".")[-1]
    return None


def renamed_from(sql, schema="public"):
    m = re.match(rf"^\s*ALTER\s+(?:TYPE|TABLE|VIEW)\s+(?:IF\s+EXISTS\s+)?({QNAME})\s+RENAME\s+TO\b",
                 strip_comments(sql), re.I)
    return norm_name(m.group(1), schema) if m else None


def search_path_schemas(stmts):
    """The first schema of the search_path each statement runs under."""
    out, schema = [], "public"
    for s in stmts:
        out.append(schema)
        m = re.match(r"\s*SET\s+(?:SESSION\s+|LOCAL\s+)?search_path\s*(?:=|TO)\s*([^,;\s]+)",
                     strip_comments(s["sql"]), re.I)
        if m:
            schema = norm_name(m.group(1)).split(".")[-1]
    return out


def columns_added(stmts):
    """For each statement, the (table, column) pairs statements before it added or gave a
    default: the statement's own ALTER COLUMN of such a column changes what the file made."""
    out, added = [], set()
    for s in stmts:
        out.append(set(added))
        table = target_table(s)
        if table:
            for c in re.findall(rf"\bADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?({IDENT})",
                                strip_comments(s["sql"]), re.I):
                if c.upper() not in ("CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN", "EXCLUDE"):
                    added.add((table, norm_name(c).split(".")[-1]))
            for c in re.findall(rf"\bALTER\s+(?:COLUMN\s+)?({IDENT})\s+SET\s+DEFAULT\b", strip_comments(s["sql"]), re.I):
                added.add((table, norm_name(c).split(".")[-1]))
    return out


def dropped_object(sql):
    m = DROP_RE.match(strip_comments(sql))
    if m:
        return object_kind(m.group(1)), norm_name(m.group(2))
    return None


def recreated_constraint(stmts, i):
    """A constraint dropped by stmts[i] and added again (same name) there or later in the file."""
    names = re.findall(rf"DROP\s+CONSTRAINT\s+(?:IF\s+EXISTS\s+)?({IDENT})", stmts[i]["sql"], re.I)
    later = " ".join(s["sql"] for s in stmts[i:])
    added = {norm_name(n) for n in re.findall(rf"ADD\s+CONSTRAINT\s+({IDENT})", later, re.I)}
    return bool(names) and all(norm_name(n) in added for n in names)


def later_column_changes(stmts, i, table):
    """Columns of `table` that stmts[i:] drop, rename, or give a default, and the unique keys
    (column lists) they add; whether they drop the table."""
    dropped, renamed, defaulted, keys, table_dropped, auto_named = set(), set(), set(), [], False, set()
    for s in stmts[i:]:
        sql = strip_comments(s["sql"])
        d = dropped_object(sql)
        if d and d[0] == "TABLE" and d[1] == table:
            table_dropped = True
        m = re.match(rf"\s*CREATE\s+UNIQUE\s+INDEX\s+.*?\bON\s+(?:ONLY\s+)?({QNAME})[^(]*\(([^)]*)\)", sql, re.I | re.S)
        if m and norm_name(m.group(1)) == table:
            keys.append({norm_name(c.strip()).split(".")[-1] for c in m.group(2).split(",")})
        if target_table(s) != table:
            continue
        dropped |= {norm_name(c).split(".")[-1]
                    for c in re.findall(rf"\bDROP\s+(?:COLUMN\s+)?(?:IF\s+EXISTS\s+)?({IDENT})", sql, re.I)}
        renamed |= {norm_name(c).split(".")[-1]
                    for c in re.findall(rf"\bRENAME\s+(?:COLUMN\s+)?({IDENT})\s+TO\b", sql, re.I)}
        defaulted |= {norm_name(c).split(".")[-1] for c in re.findall(
            rf"\bALTER\s+(?:COLUMN\s+)?({IDENT})\s+(?:SET\s+DEFAULT|ADD\s+GENERATED)\b", sql, re.I)}
        # An unnamed CHECK or PRIMARY KEY gets the name `<table>_check` / `<table>_pkey`.
        short = table.split(".")[-1]
        if re.search(r"\bADD\s+CHECK\b", sql, re.I):
            auto_named.add(f"{short}_check")
        if re.search(r"\bADD\s+PRIMARY\s+KEY\b", sql, re.I):
            auto_named.add(f"{short}_pkey")
        for cols in re.findall(r"\bADD\s+(?:CONSTRAINT\s+\S+\s+)?(?:PRIMARY\s+KEY|UNIQUE)\s*\(([^)]*)\)", sql, re.I):
            keys.append({norm_name(c.strip()).split(".")[-1] for c in cols.split(",")})
    return dropped, renamed, defaulted, keys, table_dropped, auto_named


def drop_explained(rule, stmts, i):
    """Why dropping a constraint or default at stmts[i] takes nothing away in the end: a reason
    or None."""
    sql = strip_comments(stmts[i]["sql"])
    table = target_table(stmts[i])
    if table is None:
        return None
    dropped, renamed, defaulted, keys, table_dropped, auto_named = later_column_changes(stmts, i, table)
    if table_dropped:
        return R_GOES_WITH
    if rule == "ban-drop-default":
        cols = {norm_name(c).split(".")[-1] for c in re.findall(
            rf"\bALTER\s+(?:COLUMN\s+)?({IDENT})\s+DROP\s+DEFAULT\b", sql, re.I)}
        if cols and cols <= dropped | renamed:
            return R_GOES_WITH
        if cols and cols <= defaulted | dropped | renamed:
            return R_RECREATED
    if rule == "ban-drop-constraint":
        names = [norm_name(n).split(".")[-1] for n in re.findall(
            rf"\bDROP\s+CONSTRAINT\s+(?:IF\s+EXISTS\s+)?({IDENT})", sql, re.I)]
        def in_name(col, name):
            return f"_{col}_".lower() in f"_{name}_".lower()
        if names and all(any(in_name(c, n) for c in dropped | renamed) for n in names):
            return R_GOES_WITH
        if names and all(any(k and all(in_name(c, n) for c in k) for k in keys) or n in auto_named
                         for n in names):
            return R_RECREATED
    return None


def target_table(stmt):
    if stmt.get("table"):
        return norm_name(stmt["table"])
    sql = strip_comments(stmt["sql"])
    for rx in TARGET_RES:
        m = rx.match(sql)
        if m:
            return norm_name(m.group(1))
    return None


# --- running the tools -------------------------------------------------------------------------

def run_tidemark(binary, files, migrations_dir, cwd):
    """Returns (statements by file, stderr notes by file, how it was run)."""
    def run(args):
        p = subprocess.run([binary, "review", *args, "--format", "json"], cwd=cwd,
                           capture_output=True, text=True)
        if p.returncode not in (0, 1):
            return None, p.stderr
        try:
            return json.loads(p.stdout), p.stderr
        except json.JSONDecodeError:
            return None, p.stdout + p.stderr

    report, stderr, how = None, "", "files"
    if migrations_dir is not None:
        report, stderr = run(["--migrations", str(migrations_dir)])
        got = [f["file"] for f in report["files"]] if report else []
        if [os.path.realpath(f) for f in got] == [os.path.realpath(f) for f in files]:
            how = "--migrations"
        else:
            report = None
    if report is None:
        report, stderr = run([str(f) for f in files])
        if report is None:
            die(f"tidemark review failed on {files[0]}...: {stderr[:2000]}")
    by_file = {os.path.realpath(f["file"]): f["statements"] for f in report["files"]}
    notes = collections.defaultdict(list)
    for m in re.finditer(r"^note: could not model a statement[^:]*: (.+?):(\d+):(\d+): (.*)$",
                         stderr, re.M):
        notes[os.path.realpath(m.group(1))].append((int(m.group(2)), int(m.group(3)), m.group(4)))
    return by_file, notes, how


def stmt_note(notes, starts, i):
    """The could-not-model note that falls inside statement i (statements start at starts)."""
    for line, col, msg in notes:
        j = bisect.bisect_right(starts, (line, col)) - 1
        if j == i or (j < 0 and i == 0):
            return msg
    return ""


def run_squawk(binary, files, cwd):
    p = subprocess.run([binary, "--reporter", "json", *map(str, files)], cwd=cwd,
                       capture_output=True, text=True)
    if p.returncode not in (0, 1):
        die(f"squawk failed ({p.returncode}) on {files[0]}...: {p.stderr[:2000]}")
    out = p.stdout.strip()
    violations = json.loads(out) if out else []
    by_file = collections.defaultdict(list)
    for v in violations:
        by_file[os.path.realpath(v["file"])].append(v)
    return by_file


def squawk_version(binary):
    p = subprocess.run([binary, "--version"], capture_output=True, text=True)
    return (p.stdout or p.stderr).strip()


# --- inputs ------------------------------------------------------------------------------------

def read_meta(path):
    meta = {}
    for line in path.read_text().splitlines():
        m = re.match(r"^([a-z-]+):\s*(.*)$", line)
        if m and m.group(1) not in meta:
            meta[m.group(1)] = m.group(2).strip()
    return meta


def units(shared):
    """Yields (name, kind, prelude or None, [files in order], migrations dir or None)."""
    for f in sorted((shared / "corpus").rglob("expected.sql")):
        # The migration runs on a database holding from.sql: tidemark replays it first (it is
        # not compared), as a user reviewing the migration after its history would.
        prelude = f.parent / "from.sql"
        yield str(f.parent.relative_to(shared)), "corpus", prelude if prelude.is_file() else None, [f], None
    for entry in sorted((shared / "realworld").iterdir()):
        meta_path = entry / "meta.txt"
        if not meta_path.is_file() or read_meta(meta_path).get("kind") != "migration-history":
            continue
        order = entry / "load-order.txt"
        files = [entry / line.strip() for line in order.read_text().splitlines() if line.strip()]
        prelude = entry / "prelude.sql"
        prelude = prelude if read_meta(meta_path).get("prelude", "none") != "none" and prelude.is_file() else None
        dirs = {f.relative_to(entry).parts[0] for f in files}
        mig_dir = entry / dirs.pop() if len(dirs) == 1 and prelude is None else None
        yield str(entry.relative_to(shared)), "history", prelude, files, mig_dir


# --- comparison --------------------------------------------------------------------------------

def compare(tidemark, squawk, shared):
    rows = []      # one per squawk violation
    tm_only = []   # (unit, stmt, kind, severity, squawk rules on the statement)
    stats = collections.Counter()
    tm_parse = []  # (unit file, note) files with notes
    hows = {}
    with tempfile.TemporaryDirectory(prefix="squawk-compare-") as cwd:
        for name, kind, prelude, files, mig_dir in units(shared):
            stats[f"units_{kind}"] += 1
            stats["files"] += len(files)
            tm_files = ([prelude] if prelude else []) + files
            tm, notes, how = run_tidemark(tidemark, tm_files, mig_dir, cwd)
            hows[name] = how
            sq = run_squawk(squawk, files, cwd)
            for f in files:
                key = os.path.realpath(f)
                rel = str(f.relative_to(shared))
                stmts = sorted(tm.get(key, []), key=lambda s: (s["line"], s["column"]))
                stats["statements"] += len(stmts)
                text = f.read_text(errors="replace")
                if text.strip() and not stmts:
                    stats["files_tm_no_statements"] += 1
                    tm_parse.append((rel, notes.get(key, [(0, 0, "no statements, no note")])[0]))
                starts = [(s["line"], s["column"]) for s in stmts]
                # Objects created / dropped in this file, by statement index.
                schemas = search_path_schemas(stmts)
                created = [created_object(s["sql"], schemas[k]) for k, s in enumerate(stmts)]
                added_columns = columns_added(stmts)
                dropped = [dropped_object(s["sql"]) for s in stmts]
                renamed = [RENAME_TABLE_RE.match(strip_comments(s["sql"])) for s in stmts]
                sq_by_stmt = collections.defaultdict(list)
                for v in sq.get(key, []):
                    pos = (v["line"] + 1, v["column"] + 1)
                    i = bisect.bisect_right(starts, pos) - 1
                    if stmts and i < 0:
                        i = 0
                    if stmts and starts[i] != pos:
                        stats["squawk_position_inside_statement"] += 1
                    rule = v["rule_name"]
                    if rule == "syntax-error":
                        stats["squawk_syntax_errors"] += 1
                        stats["files_squawk_syntax_error"] += 0 if sq_by_stmt.get("syntax") else 1
                        sq_by_stmt["syntax"].append(v)
                        continue
                    stats["violations"] += 1
                    stmt = stmts[i] if stmts else None
                    if stmt is not None:
                        sq_by_stmt[i].append(rule)
                    kinds = {h["kind"] for h in stmt["hazards"]} if stmt else set()
                    eq = EQUIVALENT.get(rule, set())
                    if stmt is None:
                        reason = R_TM_PARSE
                    elif kinds & eq:
                        reason = R_MATCH
                    elif rule in STYLE:
                        reason = R_STYLE
                    elif rule in NO_EQUIVALENT or not eq:
                        reason = R_NO_EQ
                    else:
                        reason = None
                        table = target_table(stmt)
                        made = set()
                        for j in range(i):
                            if created[j]:
                                made.add(created[j][1])
                            if renamed[j] and norm_name(renamed[j].group(1)) in made:
                                made.add(norm_name(renamed[j].group(1)).split(".")[0] + "."
                                         + norm_name(renamed[j].group(2)).split(".")[1])
                        refs = {norm_name(n) for n in re.findall(
                            rf"\bREFERENCES\s+({QNAME})", strip_comments(stmt["sql"]), re.I)}
                        new_table = bool(re.match(r"\s*CREATE\s+(UNLOGGED\s+)?TABLE\b",
                                                  strip_comments(stmt["sql"]), re.I))
                        col_rx = rf"\bALTER\s+(?:COLUMN\s+)?({IDENT})\s+(?:DROP|SET|ADD|TYPE)\b"
                        altered = {norm_name(c).split(".")[-1]
                                   for c in re.findall(col_rx, strip_comments(stmt["sql"]), re.I)}
                        if (table and table in made) or (dropped[i] and dropped[i][1] in made) \
                                or (new_table and refs and refs <= made) \
                                or (altered and all((table, c) in added_columns[i] for c in altered)):
                            reason = R_SAME_FILE
                        elif dropped[i] and dropped[i] in created[i + 1:]:
                            reason = R_RECREATED
                        elif created[i] and created[i][0] == "RENAMED" and any(
                                c and c[0] != "RENAMED" and c[1] == renamed_from(stmt["sql"], schemas[i])
                                for c in created[i + 1:]):
                            reason = R_RECREATED
                        elif rule == "ban-drop-constraint" and recreated_constraint(stmts, i):
                            reason = R_RECREATED
                        elif rule in ("ban-drop-constraint", "ban-drop-default") \
                                and (explained := drop_explained(rule, stmts, i)):
                            reason = explained
                        elif over_report(rule, stmt):
                            reason = R_OVER
                        else:
                            reason = R_GAP
                    rows.append({
                        "unit": name, "file": rel, "line": stmt["line"] if stmt else v["line"] + 1,
                        "rule": rule, "reason": reason,
                        "sql": " ".join((stmt["sql"] if stmt else "").split()),
                        "tidemark": ", ".join(f"{h['kind']}({h['severity']})" for h in stmt["hazards"])
                        if stmt else "-",
                        "note": stmt_note(notes.get(key, []), starts, i) if stmt else "",
                        "why": over_report(rule, stmt) if reason == R_OVER else "",
                        "summary": stmt["summary"] if stmt else "",
                        "form": statement_form(stmt["sql"]) if stmt else "",
                    })
                sq_lock = any(v["rule_name"] in LOCK_RULES for v in sq.get(key, []))
                tm_lock = any(h["kind"] == "missing_lock_timeout" for s in stmts for h in s["hazards"])
                stats["files_lock_both"] += sq_lock and tm_lock
                stats["files_lock_squawk_only"] += sq_lock and not tm_lock
                stats["files_lock_tidemark_only"] += tm_lock and not sq_lock
                for i, s in enumerate(stmts):
                    rules = sq_by_stmt.get(i, [])
                    for h in s["hazards"]:
                        if h["severity"] not in SEVERE:
                            continue
                        if any(h["kind"] in EQUIVALENT.get(r, ()) for r in rules):
                            continue
                        tm_only.append({
                            "unit": name, "file": rel, "line": s["line"], "kind": h["kind"],
                            "severity": h["severity"], "message": h["message"],
                            "sql": " ".join(s["sql"].split()), "squawk": sorted(set(rules)),
                            "squawk_syntax": bool(sq_by_stmt.get("syntax")),
                        })
    return rows, tm_only, stats, tm_parse, hows


# --- report ------------------------------------------------------------------------------------

FORM_WORDS = {
    "ALTER", "TABLE", "ADD", "DROP", "COLUMN", "CONSTRAINT", "CREATE", "INDEX", "UNIQUE", "TYPE",
    "SET", "DEFAULT", "RENAME", "TO", "VIEW", "MATERIALIZED", "FUNCTION", "PROCEDURE", "OR",
    "REPLACE", "SEQUENCE", "SCHEMA", "EXTENSION", "TRIGGER", "POLICY", "OWNER", "FOREIGN", "KEY",
    "REFERENCES", "PRIMARY", "CHECK", "EXPRESSION", "IDENTITY", "GENERATED", "DATA", "CASCADE",
    "VALUE", "ATTACH", "DETACH", "PARTITION", "DOMAIN", "NULL",
}


def statement_form(sql):
    """`ALTER TABLE x ADD COLUMN y int REFERENCES z` -> `ALTER TABLE ADD COLUMN REFERENCES`."""
    words = re.sub(r""""(?:[^"]|"")*"|'(?:[^']|'')*'""", " ", strip_comments(sql)).upper()
    out = []
    for w in re.findall(r"[A-Z_]+", words):
        if w in FORM_WORDS and (not out or out[-1] != w) and w not in out[2:]:
            out.append(w)
    return " ".join(out[:7])


def md_cell(s, n=120):
    s = s if len(s) <= n else s[: n - 1] + "…"
    return s.replace("|", "\\|").replace("`", "'")


def report(rows, tm_only, stats, tm_parse, hows, sq_version, shared):
    out = []
    p = out.append
    p("# squawk vs tidemark review\n")
    p(f"- squawk: `{sq_version}` (default rules, `--reporter json`)")
    p(f"- inputs: {stats['units_corpus']} corpus `expected.sql` files (each after its from.sql), "
      f"{stats['units_history']} migration histories "
      f"({', '.join(f'{k} via {v}' for k, v in hows.items() if not k.startswith('corpus'))})")
    p(f"- files: {stats['files']}; statements (tidemark): {stats['statements']}; "
      f"files with text for which tidemark reported no statement: {stats['files_tm_no_statements']}")
    by_reason = collections.Counter(r["reason"] for r in rows)
    p(f"- squawk violations: {stats['violations']} (plus {stats['squawk_syntax_errors']} "
      f"`syntax-error` reports in {stats['files_squawk_syntax_error']} files, left out); "
      f"matched by an equivalent tidemark hazard: {by_reason[R_MATCH]}; unmatched: "
      f"{stats['violations'] - by_reason[R_MATCH]}")
    for r in REASONS:
        p(f"  - {r}: {by_reason[r]}")
    p(f"- squawk positions that are not a statement start (mapped to the enclosing statement): "
      f"{stats['squawk_position_inside_statement']}")
    p(f"- lock timeout per file (both tools report it once per file): both "
      f"{stats['files_lock_both']}, squawk only {stats['files_lock_squawk_only']}, tidemark only "
      f"{stats['files_lock_tidemark_only']}")
    p("")

    short = {R_SAME_FILE: "created in the file", R_RECREATED: "re-created", R_GOES_WITH: "goes with a drop", R_STYLE: "style",
             R_NO_EQ: "no equivalent",
             R_OVER: "squawk over-reports", R_TM_PARSE: "tm no statements", R_GAP: "**real gap**"}
    p("## Rule by rule\n")
    p("| squawk rule | tidemark equivalent | violations | flagged | not flagged | "
      + " | ".join(short[r] for r in REASONS) + " |")
    p("|---|---|" + "---:|" * (3 + len(REASONS)))
    per_rule = collections.defaultdict(collections.Counter)
    for r in rows:
        per_rule[r["rule"]][r["reason"]] += 1
    for rule in sorted(per_rule, key=lambda k: (-sum(per_rule[k].values()), k)):
        c = per_rule[rule]
        total = sum(c.values())
        eq = " / ".join(sorted(EQUIVALENT.get(rule, ()))) or (
            "(style)" if rule in STYLE else "(none)")
        p(f"| {rule} | {eq} | {total} | {c[R_MATCH]} | {total - c[R_MATCH]} | "
          + " | ".join(str(c[r]) for r in REASONS) + " |")
    p("")

    over = collections.Counter((r["rule"], r["why"]) for r in rows if r["reason"] == R_OVER)
    if over:
        p("## Where squawk over-reports\n")
        p("| squawk rule | why it is no hazard | count |")
        p("|---|---|---:|")
        for (rule, why), n in sorted(over.items(), key=lambda kv: -kv[1]):
            p(f"| {rule} | {why} | {n} |")
        p("")

    gaps = [r for r in rows if r["reason"] == R_GAP]
    unmodeled = sum(1 for g in gaps if g["note"])
    p(f"## Real gaps ({len(gaps)})\n")
    p("Statements squawk flags where tidemark reports none of the equivalent hazards, for none of "
      f"the reasons above. {unmodeled} of them are statements tidemark could not model (it "
      "printed `could not model a statement`, mostly because a corpus file reviewed alone names "
      "objects of its `from.sql`); tidemark says it judges those without the model.\n")
    p("Real gaps by rule and statement form:\n")
    p("| squawk rule | statement form | count | of which unmodeled | example |")
    p("|---|---|---:|---:|---|")
    forms = collections.defaultdict(list)
    for g in gaps:
        forms[(g["rule"], g["form"])].append(g)
    for (rule, form), gs in sorted(forms.items(), key=lambda kv: (kv[0][0], -len(kv[1]))):
        p(f"| {rule} | `{form}` | {len(gs)} | {sum(1 for g in gs if g['note'])} | "
          f"{gs[0]['file']}:{gs[0]['line']} |")
    p("")
    p("Examples (up to 20, spread over rules and forms):\n")
    p("| file:line | squawk rule | statement | tidemark said |")
    p("|---|---|---|---|")
    queues = [gs for _, gs in sorted(forms.items(), key=lambda kv: (-len(kv[1]), kv[0]))]
    picked = []
    while len(picked) < 20 and any(queues):
        for q in queues:
            if q and len(picked) < 20:
                picked.append(q.pop(0))
    for g in picked:
        said = g["tidemark"] or "no hazard"
        if g["note"]:
            said += f"; could not model: {g['note']}"
        p(f"| {g['file']}:{g['line']} | {g['rule']} | `{md_cell(g['sql'])}` | {md_cell(said, 200)} |")
    p("")

    p(f"## tidemark-only findings (high/medium hazards without an equivalent squawk rule)\n")
    p("| hazard kind | severity | statements | squawk silent on the statement | squawk flagged it otherwise |")
    p("|---|---|---:|---:|---:|")
    kinds = collections.defaultdict(list)
    for t in tm_only:
        kinds[(t["kind"], t["severity"])].append(t)
    for (kind, sev), ts in sorted(kinds.items(), key=lambda kv: -len(kv[1])):
        silent = sum(1 for t in ts if not t["squawk"])
        p(f"| {kind} | {sev} | {len(ts)} | {silent} | {len(ts) - silent} |")
    p("")
    p("Examples (3 per kind):\n")
    p("| hazard | file:line | statement | tidemark message | squawk rules there |")
    p("|---|---|---|---|---|")
    for (kind, sev), ts in sorted(kinds.items(), key=lambda kv: -len(kv[1])):
        seen = set()
        shown = 0
        for t in ts:
            form = " ".join(t["sql"].split()[:3]).upper()
            if form in seen:
                continue
            seen.add(form)
            p(f"| {kind} | {t['file']}:{t['line']} | `{md_cell(t['sql'], 100)}` | "
              f"{md_cell(t['message'], 120)} | {', '.join(t['squawk']) or '-'} |")
            shown += 1
            if shown == 3:
                break
    p("")
    if tm_parse:
        p(f"## Files for which tidemark reported no statements ({len(tm_parse)})\n")
        for rel, note in tm_parse:
            p(f"- {rel}: {md_cell(note[2], 160)} (line {note[0]})")
        p("")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tidemark", default=str(REPO / "target/release/tidemark"))
    ap.add_argument("--squawk", default="squawk")
    ap.add_argument("--shared", default=str(REPO.parent / "shared"))
    ap.add_argument("--out", help="also write the Markdown report here")
    ap.add_argument("--json", help="write every paired finding as JSON here")
    args = ap.parse_args()

    shared = Path(args.shared).resolve()
    if not (shared / "corpus").is_dir() or not (shared / "realworld").is_dir():
        die(f"shared folder not found at {shared} (expected corpus/ and realworld/ in it); "
            "pass --shared DIR")
    squawk = shutil.which(args.squawk)
    if not squawk:
        die(f"squawk binary not found: {args.squawk} (pip install squawk-cli)")
    tidemark = shutil.which(args.tidemark) or (args.tidemark if os.access(args.tidemark, os.X_OK) else None)
    if not tidemark:
        die(f"tidemark binary not found: {args.tidemark} (cargo build --release, or pass --tidemark)")
    tidemark = os.path.abspath(tidemark)

    rows, tm_only, stats, tm_parse, hows = compare(tidemark, squawk, shared)
    md = report(rows, tm_only, stats, tm_parse, hows, squawk_version(squawk), shared)
    print(md)
    if args.out:
        Path(args.out).write_text(md + "\n")
    if args.json:
        Path(args.json).write_text(json.dumps({"squawk": rows, "tidemark_only": tm_only}, indent=1))


if __name__ == "__main__":
    main()
