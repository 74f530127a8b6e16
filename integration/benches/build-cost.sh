#!/usr/bin/env bash
# What embedding a migrations folder costs a build: `cargo build --release` of a small binary
# after touching the file that holds the macro call (median of three), and after adding one
# migration, for strata with and without its dry run and for the `include_str!` floor; with
# `--peers`, for rusqlite_migration, diesel_migrations and refinery on the same folder too.
#
#   integration/benches/build-cost.sh [migrations (default 1000)] [--peers] [--only-peers] [--profiles]
#
# `--profiles` measures instead the first dry run (no cache yet) in the dev profile at 100 and
# 1,000 migrations, with and without `[profile.dev.build-override] opt-level = 3`.
#
# Every crate is built in a scratch directory outside the workspace, with its own target
# directory, exactly as an application would build it. The first (cold) build is timed too. The
# machine is shared: compare ratios from one run, not seconds across runs.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)  # the facade, two levels up
count=1000
peers=false
ours=true
profiles=false
for argument in "$@"; do
  case $argument in
    --peers) peers=true ;;
    --only-peers) peers=true ours=false ;;
    --profiles) profiles=true ;;
    *) count=$argument ;;
  esac
done
scratch=${BUILD_COST_DIR:-$(mktemp -d)}
echo "building in $scratch with $count migrations" >&2

# The folder: tables with a foreign key, an index and rows, every tenth migration an ALTER TABLE,
# each with a down script (the shape of `benches/dry_run.rs`). $1 is the layout.
generate() {
  python3 - "$1" "$2" "${count}" <<'PY'
import os, sys
layout, folder, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(folder, exist_ok=True)
def migration(i):
    if i % 10 == 9:
        return (f"ALTER TABLE t_{i-1} ADD COLUMN extra_{i} TEXT;", f"ALTER TABLE t_{i-1} DROP COLUMN extra_{i};")
    parent = "" if i == 0 else f" REFERENCES t_{i-2 if i % 10 == 0 else i-1}(id)"
    up = (f"CREATE TABLE t_{i}(\n  id INTEGER PRIMARY KEY,\n  name TEXT NOT NULL,\n  parent INTEGER{parent},\n"
          f"  created_at TEXT DEFAULT CURRENT_TIMESTAMP\n);\nCREATE INDEX t_{i}_name ON t_{i}(name);\n"
          f"INSERT INTO t_{i}(name) VALUES ('a'), ('b');\n")
    return (up, f"DROP INDEX t_{i}_name;\nDROP TABLE t_{i};\n")
def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
for i in range(count):
    up, down = migration(i)
    v = i + 1
    if layout == "flat":
        write(f"{folder}/{v:06}_m{i}.sql", up); write(f"{folder}/{v:06}_m{i}.down.sql", down)
    elif layout == "diesel":
        write(f"{folder}/{v:014}_m{i}/up.sql", up); write(f"{folder}/{v:014}_m{i}/down.sql", down)
    elif layout == "numbered":
        write(f"{folder}/{v:06}-m{i}/up.sql", up); write(f"{folder}/{v:06}-m{i}/down.sql", down)
    elif layout == "refinery":
        write(f"{folder}/V{v}__m{i}.sql", up)
PY
}

# A crate named $1 whose main.rs is $2 (it must mention every migration), with the dependency
# lines $3 and the build script $4 (empty for none).
crate() {
  local name=$1 main=$2 dependencies=$3 build=$4
  mkdir -p "$scratch/$name/src"
  cat >"$scratch/$name/Cargo.toml" <<EOF
[package]
name = "$name"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[dependencies]
$dependencies
EOF
  printf '%s\n' "$main" >"$scratch/$name/src/main.rs"
  if [[ -n $build ]]; then
    printf '%s\n' "$build" >"$scratch/$name/build.rs"
  fi
}

seconds() { # runs "$@", prints its wall time in seconds
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.2f}')"
}

median() { printf '%s\n' "$@" | sort -g | sed -n "$(( ($# + 1) / 2 ))p"; }

results=()
measure() { # $1 crate, $2 folder layout for the extra migration
  local name=$1 layout=$2 dir="$scratch/$1" cold touches=() added
  cold=$(seconds cargo build --release --manifest-path "$dir/Cargo.toml")
  for _ in 1 2 3; do
    touch "$dir/src/main.rs"
    touches+=("$(seconds cargo build --release --manifest-path "$dir/Cargo.toml")")
  done
  # One more migration (the floor and peers that list files need the list grown by hand: they
  # are measured on touches only).
  added="-"
  if [[ $layout == flat ]]; then
    local next=$((count + 1))
    printf 'CREATE TABLE added(x);\n' >"$dir/migrations/$(printf '%06d' "$next")_added.sql"
    printf 'DROP TABLE added;\n' >"$dir/migrations/$(printf '%06d' "$next")_added.down.sql"
    added=$(seconds cargo build --release --manifest-path "$dir/Cargo.toml")
    rm "$dir/migrations/$(printf '%06d' "$next")"_added*.sql
  fi
  results+=("| $name | $cold | $(median "${touches[@]}") | $added |")
  echo "${results[-1]}" >&2
}

strata_dependency="strata = { package = \"strata-migrate\", path = \"$repo\" }
rusqlite = { version = \"0.43\", features = [\"bundled\"] }"
strata_build='fn main() { println!("cargo:rerun-if-changed=migrations"); }'

if $profiles; then
  # The first dry run of a folder, in the dev profile: the cache is cleared, the crate touched.
  echo "| build-override opt-level | migrations | cold build | first dry run (rebuild) |"
  echo "| --- | ---: | ---: | ---: |"
  for optimized in no yes; do
    for size in 100 1000; do
      name="profile-$optimized-$size"
      count=$size generate flat "$scratch/$name/migrations"
      crate "$name" 'static MIGRATIONS: strata::Migrations = strata::embed_migrations!("migrations");
fn main() { println!("{}", MIGRATIONS.len()); }' "$strata_dependency" "$strata_build"
      if [[ $optimized == yes ]]; then
        printf '\n[profile.dev.build-override]\nopt-level = 3\n' >>"$scratch/$name/Cargo.toml"
      fi
      target="$scratch/target-$optimized"
      cold=$(seconds env CARGO_TARGET_DIR="$target" cargo build --manifest-path "$scratch/$name/Cargo.toml")
      runs=()
      for _ in 1 2 3; do
        rm -rf "$target"/debug/build/strata-migrate-core-*/out/dry-run-passes
        touch "$scratch/$name/src/main.rs"
        runs+=("$(seconds env CARGO_TARGET_DIR="$target" cargo build --manifest-path "$scratch/$name/Cargo.toml")")
      done
      echo "| $optimized | $size | $cold | $(median "${runs[@]}") |"
    done
  done
  exit 0
fi

if $ours; then
# The floor: every script as a string, nothing else.
generate flat "$scratch/floor/migrations"
floor_main="static SCRIPTS: &[&str] = &["
for file in $(cd "$scratch/floor/migrations" && ls); do
  floor_main+="include_str!(\"../migrations/$file\"),"
done
floor_main+="];
fn main() { println!(\"{}\", SCRIPTS.iter().map(|s| s.len()).sum::<usize>()); }"
crate floor "$floor_main" "" ""
measure floor floor

for variant in "strata-no-dry-run:, dry_run = false" "strata:"; do
  name=${variant%%:*}
  options=${variant#*:}
  generate flat "$scratch/$name/migrations"
  crate "$name" "static MIGRATIONS: strata::Migrations = strata::embed_migrations!(\"migrations\"$options);
fn main() { println!(\"{}\", MIGRATIONS.len()); }" "$strata_dependency" "$strata_build"
  measure "$name" flat
done
fi

if $peers; then
  generate numbered "$scratch/rusqlite_migration/migrations"
  crate rusqlite_migration 'use include_dir::{include_dir, Dir};
static DIR: Dir = include_dir!("$CARGO_MANIFEST_DIR/migrations");
fn main() { let m = rusqlite_migration::Migrations::from_directory(&DIR).unwrap(); println!("{m:?}".len()); }' \
    'rusqlite_migration = { version = "2", features = ["from-directory"] }
include_dir = "0.7"
rusqlite = { version = "0.37", features = ["bundled"] }' ""
  measure rusqlite_migration numbered

  generate diesel "$scratch/diesel_migrations/migrations"
  crate diesel_migrations 'use diesel_migrations::{embed_migrations, EmbeddedMigrations};
const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");
fn main() { println!("{}", std::mem::size_of_val(&MIGRATIONS)); }' \
    'diesel_migrations = { version = "2", features = ["sqlite"] }
diesel = { version = "2", features = ["sqlite"] }
libsqlite3-sys = { version = "*", features = ["bundled"] }' ""
  measure diesel_migrations diesel

  generate refinery "$scratch/refinery/migrations"
  crate refinery 'refinery::embed_migrations!("migrations");
fn main() { println!("{}", migrations::runner().get_migrations().len()); }' \
    'refinery = { version = "0.8", features = ["rusqlite"] }
rusqlite = { version = "*", features = ["bundled"] }' ""
  measure refinery refinery
fi

echo
echo "$count migrations; seconds, cargo build --release; touch = median of three rebuilds after touching main.rs"
echo
echo "| crate | cold build | rebuild after a touch | rebuild after adding a migration |"
echo "| --- | ---: | ---: | ---: |"
printf '%s\n' "${results[@]}"
