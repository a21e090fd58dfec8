#!/usr/bin/env bash
# The longer fuzzing run: builds the libFuzzer targets of tests/fuzz (clang 14, AddressSanitizer +
# UndefinedBehaviorSanitizer) in build/clang and runs each for SECONDS seconds (default 600) over its
# seeds, keeping what it finds in build/clang/long/<target>. Prints the executions per target.
# A crash leaves crash-<hash> in build/clang/long: add it to tests/fuzz/corpus/<target> as a
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
# The same configuration as test.sh's build/clang, so that after ./test.sh nothing is rebuilt.
cmake -S . -B build/clang -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DRAPPORT_SANITIZE=address,undefined -DRAPPORT_BUILD_FUZZERS=ON -DRAPPORT_BUILD_TESTS=ON \
    -DRAPPORT_BUILD_EXAMPLES=ON -DRAPPORT_BUILD_BENCH=OFF -DRAPPORT_BUILD_TOOLS=ON >/dev/null
cmake --build build/clang --target fuzzers
status=0
for t in "${targets[@]}"; do
    mkdir -p "build/clang/long/$t"
    dict=()
    [ -f "tests/fuzz/$t.dict" ] && dict=("-dict=$root/tests/fuzz/$t.dict")
    log="build/clang/long/$t.log"
    if (cd build/clang/long && "../tests/fuzz/${t}_fuzz" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
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
