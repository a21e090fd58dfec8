#!/usr/bin/env bash
# Quick start 2: installs what is missing, builds everything (library, tests, examples, the
# `rapport` tool, benchmarks) and runs every test through ctest, with GCC and again with clang 14; then installs rapport (static and shared) and
# builds the consumers of tests/package/ against it; then runs the storage, index, codec and search
# (and query, pruning) tests again under AddressSanitizer + UndefinedBehaviorSanitizer, and the concurrency tests under
# ThreadSanitizer (each in a build directory of its own); then runs the libFuzzer targets of tests/fuzz briefly.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/deps.sh
rapport_install_deps
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
jobs=$(nproc)

echo "== build and run every test (build/test)"
cmake -S . -B build/test -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRAPPORT_WERROR=$werror \
    -DRAPPORT_BUILD_TESTS=ON -DRAPPORT_BUILD_EXAMPLES=ON -DRAPPORT_BUILD_TOOLS=ON -DRAPPORT_BUILD_BENCH=ON
cmake --build build/test -j "$jobs"
ctest --test-dir build/test --output-on-failure -j "$jobs"

echo "== clang: build the library, examples, the tool and tests with Debian 12's clang 14 and run them (build/clang)"
cmake -S . -B build/clang -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DRAPPORT_WERROR=$werror -DRAPPORT_BUILD_TESTS=ON -DRAPPORT_BUILD_EXAMPLES=ON -DRAPPORT_BUILD_TOOLS=ON \
    -DRAPPORT_BUILD_BENCH=OFF
cmake --build build/clang -j "$jobs"
ctest --test-dir build/clang --output-on-failure -j "$jobs"

echo "== packaging (tests/package)"
tests/package/run.sh

sanitized="storage|index|codec|search|query|pruning|e2e|reliability"
echo "== AddressSanitizer + UndefinedBehaviorSanitizer (build/asan): $sanitized"
cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRAPPORT_WERROR=$werror \
    -DRAPPORT_SANITIZE=address,undefined -DRAPPORT_BUILD_TESTS=ON -DRAPPORT_BUILD_EXAMPLES=OFF -DRAPPORT_BUILD_BENCH=OFF
targets=()
for t in ${sanitized//|/ }; do [ -d "tests/$t" ] && targets+=("${t}_test"); done
cmake --build build/asan -j "$jobs" --target "${targets[@]}"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build/asan --output-on-failure -j "$jobs" -L "^($sanitized)\$"

echo "== ThreadSanitizer (build/tsan): concurrent indexing and searching"
cmake -S . -B build/tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRAPPORT_WERROR=$werror \
    -DRAPPORT_SANITIZE=thread -DRAPPORT_BUILD_TESTS=ON -DRAPPORT_BUILD_EXAMPLES=OFF -DRAPPORT_BUILD_BENCH=OFF
cmake --build build/tsan -j "$jobs" --target index_test search_test
TSAN_OPTIONS=halt_on_error=1 ctest --test-dir build/tsan --output-on-failure -L '^concurrency$'

echo "== libFuzzer (build/fuzz): each target of tests/fuzz for a short fixed run (label fuzz)"
cmake -S . -B build/fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DRAPPORT_WERROR=$werror -DRAPPORT_SANITIZE=address,undefined -DRAPPORT_BUILD_FUZZERS=ON \
    -DRAPPORT_BUILD_TESTS=ON -DRAPPORT_BUILD_EXAMPLES=OFF -DRAPPORT_BUILD_BENCH=OFF -DRAPPORT_BUILD_TOOLS=OFF
cmake --build build/fuzz -j "$jobs" --target fuzzers
ctest --test-dir build/fuzz --output-on-failure -j "$jobs" -L '^fuzz$'
