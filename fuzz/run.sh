#!/usr/bin/env bash
# Builds every fuzz target and runs each in turn for SECONDS (default 600), one at a time with
# one job, then prints per target the executions, speed, coverage and any crash.
#
#   fuzz/run.sh [seconds] [target...]      e.g.  fuzz/run.sh 60 lexer_mysql folder
#
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). The seeds in
# corpus/<target>/ are read, never written: what libFuzzer finds goes to work/corpus/<target>/,
# and so is reused by the next run. Crashes land in artifacts/<target>/; logs in work/logs/.
# Exits 1 if any target crashed (or failed to build or run).
#
# One fuzzer process at a time. No `-jobs=1 -workers=1`: that is libFuzzer's default already,
# and asking for it makes libFuzzer fork a child whose output goes to ./fuzz-0.log.
# Also replays regressions/<target>/ first: a known failure fails the run at once.
set -u -o pipefail

seconds=${1:-600}
shift $(( $# > 0 ? 1 : 0 ))
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

all=(lexer_sqlite lexer_postgres lexer_mysql file_name directives folder)
if [ $# -gt 0 ]; then targets=("$@"); else targets=("${all[@]}"); fi

# The folder target writes a small folder per execution: keep it in memory when possible.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi

options_for() {
    case "$1" in
        lexer_*) echo "-max_len=4096 -dict=dict/sql.dict" ;;
        directives) echo "-max_len=4096 -dict=dict/sql.dict" ;;
        file_name) echo "-max_len=256 -dict=dict/names.dict" ;;
        folder) echo "-max_len=8192 -dict=dict/folder.dict" ;;
    esac
}

mkdir -p work/logs
echo "building…"
if ! cargo +nightly fuzz build >work/logs/build.log 2>&1; then
    cat work/logs/build.log >&2
    exit 1
fi

failed=0
summary=()
for target in "${targets[@]}"; do
    mkdir -p "work/corpus/$target" "corpus/$target" "artifacts/$target"
    log="work/logs/$target.log"
    before=$(ls "artifacts/$target" | sort)
    echo "== $target: ${seconds}s"
    regressions=(regressions/"$target"/*)
    if [ -e "${regressions[0]}" ]; then
        if ! cargo +nightly fuzz run "$target" "${regressions[@]}" >"work/logs/$target.regressions.log" 2>&1; then
            failed=1
            echo "   REGRESSION: an input in regressions/$target fails again; see fuzz/work/logs/$target.regressions.log"
            grep -m1 -E "panicked at|ERROR: " -A2 "work/logs/$target.regressions.log" | sed 's/^/     /'
            summary+=("$target: REGRESSION")
            continue
        fi
        echo "   ${#regressions[@]} regression input(s) pass"
    fi
    # shellcheck disable=SC2046
    cargo +nightly fuzz run "$target" "work/corpus/$target" "corpus/$target" -- \
        -max_total_time="$seconds" -print_final_stats=1 $(options_for "$target") \
        >"$log" 2>&1
    status=$?
    # libFuzzer's last status line: `#123456 DONE cov: 812 ft: 2093 corp: 301/40Kb lim: 4096 exec/s: 2057 …`
    last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
    runs=$(grep -oE '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -n 1)
    [ -n "$runs" ] || runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | tail -n 1)
    new=$(comm -13 <(echo "$before") <(ls "artifacts/$target" | sort) | sed "s|^|artifacts/$target/|")
    crash=$(grep -oE 'Test unit written to [^ ]+' "$log" | sed 's/Test unit written to //' | tail -n 1)
    echo "   ${last:-no status line}"
    echo "   ${runs:-runs unknown} (exit $status)"
    if [ $status -ne 0 ] || [ -n "$crash" ]; then
        failed=1
        echo "   CRASH: ${crash:-$new}"
        grep -m1 -E "panicked at|ERROR: libFuzzer|ERROR: AddressSanitizer" -A2 "$log" | sed 's/^/     /'
        echo "   log: fuzz/$log; reproduce: cargo +nightly fuzz run $target ${crash:-<input>}"
        summary+=("$target: CRASH ${crash:-}")
    else
        stats=$(echo "$last" | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [^ ]+|exec/s: [0-9]+' | paste -sd ' ')
        summary+=("$target: ok, ${runs:-?}; $stats")
    fi
done

echo
echo "summary (${seconds}s per target):"
printf '  %s\n' "${summary[@]}"
exit $failed
