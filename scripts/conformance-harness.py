#!/usr/bin/env python3
"""Run the shared conformance harness (../shared/conformance/run.py) in place, on any
PostgreSQL major version from 14 to 18.

The harness's catalog fingerprint reads pg_collation.colliculocale, a column only 15 and 16
have (17 renamed it colllocale; 14 keeps an ICU locale in collcollate). Nothing else in it
depends on the version. This wrapper imports the harness unchanged from its own folder, and
rewrites that one column in the fingerprint's query for the server's version, the same way on
both databases of every case, before running the harness's main(). It never copies or edits
the shared files, and it says on stderr that it adapted the query.

    conformance-harness.py SHARED_CONFORMANCE_DIR MAJOR [run.py arguments...]
"""
import sys
from pathlib import Path

sys.dont_write_bytecode = True


def main() -> int:
    harness = Path(sys.argv[1]).resolve()
    major = int(sys.argv[2])
    sys.path.insert(0, str(harness))
    import catalog_fingerprint  # noqa: E402  (the shared module, read in place)

    column = "co.colliculocale"
    replacement = {14: "NULL::text"}.get(major, "co.colllocale" if major >= 17 else column)
    original = catalog_fingerprint.build_query
    if column not in original():
        print(f"conformance-harness: the shared fingerprint no longer reads {column}: running it unchanged",
              file=sys.stderr)
    elif replacement != column:
        print(f"conformance-harness: PostgreSQL {major}: the fingerprint reads {replacement} "
              f"where the shared harness reads {column}", file=sys.stderr)
        catalog_fingerprint.build_query = lambda: original().replace(column, replacement)
    import run  # noqa: E402
    return run.main(sys.argv[3:])


if __name__ == "__main__":
    sys.exit(main())
