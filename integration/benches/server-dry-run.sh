#!/usr/bin/env bash
# The dry run on a server against the server simply executing the same scripts: N generated
# migrations (tables with foreign keys and indexes, `ALTER TABLE`s, `INSERT`s, each with its down
# script), on the PostgreSQL and MariaDB servers the tests use. Prints seconds:
#   plain   — the server's own client runs every up script, each in its own transaction
#             (PostgreSQL: one `psql` session; MariaDB: one `mariadb` session), into a new database;
#   cold    — `strata check --db` with no cache: a scratch database, every up script, each down
#             script checked against the catalog, each up script again;
#   grown   — the same after adding one migration (the kept database resumes: only it runs);
#   hit     — the same again (a cache hit: no server touched).
# Usage: integration/benches/server-dry-run.sh [N...]   (default: 100 1000)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
pg=${STRATA_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
my=${STRATA_TEST_MYSQL_URL:-mysql://root@127.0.0.1:3306/test}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --quiet --manifest-path "$repo/Cargo.toml" -p strata-migrate-cli
strata="$repo/target/debug/strata"

generate() { # dir n dialect
  python3 - "$@" <<'PY'
import os, sys
folder, n, dialect = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.makedirs(folder, exist_ok=True)
text = "TEXT" if dialect == "postgres" else "VARCHAR(200)"
for i in range(1, n + 1):
    name = f"{i:05d}_step"
    if i % 10 == 0:
        up = f"ALTER TABLE t{i-1:05d} ADD COLUMN extra_{i} {text};\nCREATE INDEX t{i-1:05d}_extra ON t{i-1:05d} (extra_{i});\n"
        down = (f"DROP INDEX t{i-1:05d}_extra;\n" if dialect == "postgres" else f"DROP INDEX t{i-1:05d}_extra ON t{i-1:05d};\n") + f"ALTER TABLE t{i-1:05d} DROP COLUMN extra_{i};\n"
    elif i % 10 == 5:
        up = "".join(f"INSERT INTO t{i-1:05d} (id, name) VALUES ({k}, 'row {k}');\n" for k in range(1, 6))
        down = f"DELETE FROM t{i-1:05d};\n"
    else:
        parent = f",\n  parent BIGINT,\n  FOREIGN KEY (parent) REFERENCES t{i-1:05d} (id)" if i > 1 and (i - 1) % 10 not in (0, 5) else ""
        up = (f"CREATE TABLE t{i:05d} (\n  id BIGINT PRIMARY KEY,\n  name {text} NOT NULL DEFAULT '',\n"
              f"  created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP{parent}\n);\n"
              f"CREATE INDEX t{i:05d}_name ON t{i:05d} (name);\n")
        down = f"DROP TABLE t{i:05d};\n"
    open(os.path.join(folder, f"{name}.sql"), "w").write(up)
    open(os.path.join(folder, f"{name}.down.sql"), "w").write(down)
PY
}

seconds() { local start=$EPOCHREALTIME; "$@" >/dev/null; python3 -c "print(f'{$EPOCHREALTIME - $start:.2f}')"; }

plain_postgres() { # dir
  psql "$pg" -qAtc "DROP DATABASE IF EXISTS strata_bench_plain" -c "CREATE DATABASE strata_bench_plain" >/dev/null
  local url=${pg%/*}/strata_bench_plain
  (for f in "$1"/*[0-9]_step.sql; do echo "BEGIN;"; echo "\\i $f"; echo "COMMIT;"; done) >"$work/all.psql"
  psql "$url" -q -v ON_ERROR_STOP=1 -f "$work/all.psql"
  psql "$pg" -qAtc "DROP DATABASE strata_bench_plain" >/dev/null
}

plain_mysql() { # dir
  mariadb -h 127.0.0.1 -u root -e "DROP DATABASE IF EXISTS strata_bench_plain; CREATE DATABASE strata_bench_plain"
  (for f in "$1"/*[0-9]_step.sql; do echo "START TRANSACTION;"; cat "$f"; echo "COMMIT;"; done) >"$work/all.sql"
  mariadb -h 127.0.0.1 -u root strata_bench_plain <"$work/all.sql"
  mariadb -h 127.0.0.1 -u root -e "DROP DATABASE strata_bench_plain"
}

echo "dialect n plain cold grown hit"
for n in "${@:-100 1000}"; do
  for dialect in postgres mysql; do
    dir="$work/$dialect-$n"
    generate "$dir" "$n" "$dialect"
    url=$pg; [[ $dialect == mysql ]] && url=$my
    export XDG_CACHE_HOME="$work/cache-$dialect-$n"
    plain=$(seconds "plain_$dialect" "$dir")
    cold=$(seconds "$strata" check --dir "$dir" --db "$url")
    generate "$work/next" $((n + 1)) "$dialect"
    cp "$work/next/$(printf %05d $((n + 1)))_step.sql" "$work/next/$(printf %05d $((n + 1)))_step.down.sql" "$dir/"
    grown=$(seconds "$strata" check --dir "$dir" --db "$url")
    hit=$(seconds "$strata" check --dir "$dir" --db "$url")
    echo "$dialect $n $plain $cold $grown $hit"
    rm -rf "$work/next"
  done
done
