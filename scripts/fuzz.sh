#!/usr/bin/env bash
# The longer fuzzing run: builds the libFuzzer targets of tests/fuzz (clang 14, AddressSanitizer +
# UndefinedBehaviorSanitizer) in build/fuzz and runs each for SECONDS seconds (default 600) over its
# seeds, keeping what it finds in build/fuzz/long/<target>. Prints the executions per target.
# A crash leaves crash-<hash> in build/fuzz/long: add it to tests/fuzz/corpus/<target> as a
# regression input once fixed.
#   scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(query_parser jsonl_reader analyzer dictionary manifest postings stored_fields lengths deletions index
    text_folder values filter)
cmake -S . -B build/fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DRAPPORT_SANITIZE=address,undefined -DRAPPORT_BUILD_FUZZERS=ON -DRAPPORT_BUILD_TESTS=ON \
    -DRAPPORT_BUILD_EXAMPLES=OFF -DRAPPORT_BUILD_BENCH=OFF -DRAPPORT_BUILD_TOOLS=OFF >/dev/null
cmake --build build/fuzz --target fuzzers
status=0
for t in "${targets[@]}"; do
    mkdir -p "build/fuzz/long/$t"
    dict=()
    [ -f "tests/fuzz/$t.dict" ] && dict=("-dict=$root/tests/fuzz/$t.dict")
    log="build/fuzz/long/$t.log"
    if (cd build/fuzz/long && "../tests/fuzz/${t}_fuzz" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
            "${dict[@]}" "$t" "$root/tests/fuzz/corpus/$t") >"$log" 2>&1; then
        result=ok
    else
        result=CRASH
        status=1
    fi
    runs=$( (grep -oE '^#[0-9]+' "$log" || true) | tail -1 | tr -d '#')
    echo "$t: ${runs:-0} executions in ${seconds} s: $result (log: $log)"
done
exit $status
