#!/usr/bin/env bash
# Quick start 2: installs what is missing, builds everything (library, tests, examples,
# benchmarks) and runs every test through ctest.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/deps.sh
rapport_install_deps
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
cmake -S . -B build/test -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRAPPORT_WERROR=$werror \
    -DRAPPORT_BUILD_TESTS=ON -DRAPPORT_BUILD_EXAMPLES=ON -DRAPPORT_BUILD_BENCH=ON
cmake --build build/test
ctest --test-dir build/test --output-on-failure -j "$(nproc)"
