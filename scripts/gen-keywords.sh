#!/usr/bin/env bash
# Prints the keywords quote_ident quotes (every category but unreserved) of the grammar pg_query
# parses with (its vendored kwlist.h), as the Rust list in src/model/names.rs. The newest
# grammar's list quotes a superset of what older servers need, which is harmless.
set -euo pipefail
kwlist=$(ls ~/.cargo/registry/src/*/pg_query-18.*/libpg_query/src/postgres/include/parser/kwlist.h | sort -V | tail -n 1)
grep '^PG_KEYWORD' "$kwlist" | grep -v UNRESERVED_KEYWORD | sed 's/PG_KEYWORD("\([a-z_]*\)".*/    "\1",/' | LC_ALL=C sort
