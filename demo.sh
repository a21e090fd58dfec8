#!/usr/bin/env bash
# Quick start 1: installs what is missing, builds rapport and runs the guidance example over the
# bundled articles. No argument: a handful of guidance queries; with arguments: that query.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/deps.sh
rapport_install_deps
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DRAPPORT_BUILD_TESTS=OFF -DRAPPORT_BUILD_BENCH=OFF -DRAPPORT_BUILD_EXAMPLES=ON >/dev/null
cmake --build build/release --target guidance
if [ $# -eq 0 ]; then
    exec build/release/examples/guidance "building trust" "working with co-workers" \
        "positive attitude at work" "customer loyalty"
else
    exec build/release/examples/guidance "$*"
fi
