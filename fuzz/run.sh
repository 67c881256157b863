#!/usr/bin/env bash
# Builds the libFuzzer targets with AddressSanitizer and runs each for a
# while. Inputs that crash a target land in fuzz/findings/<target>/; turn
# each into a test, fix the reader, and delete the file.
#
# Usage: fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
#   SECONDS_PER_TARGET  default 180
#   TARGET              FuzzSafetensors, FuzzManifest, FuzzArguments,
#                       FuzzRunConfiguration (default all)
# Prints one line per target and ends with "N passed, N failed"; exits 1
# when any target found a crash.
set -uo pipefail

cd "$(dirname "$0")"
seconds=${1:-180}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(FuzzSafetensors FuzzManifest FuzzArguments FuzzRunConfiguration)
fi

# GNU gold fails on AddressSanitizer's debug info, so link with lld.
swift build -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld || exit 1
binaries=$(swift build -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld --show-bin-path)

passed=0
failed=0
for target in "${targets[@]}"; do
    # The growing corpus stays out of git, under .build; the seeds are committed.
    corpus=.build/corpus/$target
    findings=findings/$target
    mkdir -p "$corpus" "$findings"
    log=.build/$target.log
    # Foundation 6.3 leaks a 4 KB buffer when Data(contentsOf:) reads an
    # empty file, so leak checks stay off where a target reads files. Both
    # libFuzzer's check and AddressSanitizer's check at exit are turned off.
    detect_leaks=1
    [ "$target" = FuzzRunConfiguration ] && detect_leaks=0
    ASAN_OPTIONS=detect_leaks=$detect_leaks "$binaries/$target" "$corpus" "seeds/$target" \
        -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=10 -detect_leaks="$detect_leaks" \
        -artifact_prefix="$findings/" -print_final_stats=1 >"$log" 2>&1
    status=$?
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    if [ $status -eq 0 ]; then
        echo "$target: ${runs:-?} inputs in ${seconds} s, no crash"
        passed=$((passed + 1))
    else
        echo "$target: failed (exit $status) after ${runs:-?} inputs; see fuzz/$log and fuzz/$findings/"
        failed=$((failed + 1))
    fi
    rmdir "$findings" 2>/dev/null
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
