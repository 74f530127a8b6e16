#!/usr/bin/env bash
# The peers workspace: the real sqlx, diesel, refinery, rusqlite_migration and dbmate migrate a
# database, strata takes it over. `.ci/run` calls it; it runs alone too. Exits non-zero on a
# failure.
set -euo pipefail
cd "$(dirname "$0")"

export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
step() { printf '\n== peers: %s\n' "$*"; }

step "libpq and libmysqlclient, which diesel's backends link"
if [[ ! -e /usr/include/postgresql/libpq-fe.h || ! -e /usr/include/mysql/mysql.h ]] || ! command -v pkg-config >/dev/null; then
  apt-get update -qq && apt-get install -y -qq libpq-dev default-libmysqlclient-dev pkg-config
fi

step "the database servers (as .ci/run: the project's machines run them)"
export STRATA_TEST_POSTGRES_URL=${STRATA_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
export STRATA_TEST_MYSQL_URL=${STRATA_TEST_MYSQL_URL:-mysql://root@127.0.0.1:3306/test}
echo "PostgreSQL: $STRATA_TEST_POSTGRES_URL; MariaDB: $STRATA_TEST_MYSQL_URL"

step "dbmate, from npm (its package ships the binary)"
# Outside the repository: a third party's files stay out of it. When npm cannot install it,
# the dbmate tests say they were skipped.
if [[ -z ${STRATA_DBMATE:-} ]]; then
  dbmate_dir=${TMPDIR:-/tmp}/strata-peers-dbmate
  if [[ -x $dbmate_dir/node_modules/.bin/dbmate ]] ||
    (command -v npm >/dev/null && npm install --prefix "$dbmate_dir" --no-audit --no-fund --silent dbmate@2 >/dev/null); then
    export STRATA_DBMATE=$dbmate_dir/node_modules/.bin/dbmate
    "$STRATA_DBMATE" --version
  else
    echo "npm could not install dbmate: its tests will be skipped" >&2
  fi
fi

step "format"
cargo fmt -- --check

step "tests"
# nextest runs each test in its own process; cargo's runs them as threads of one, which works
# too: each test has its own scratch schema or database.
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --locked --no-fail-fast
else
  cargo test --locked --no-fail-fast
fi
