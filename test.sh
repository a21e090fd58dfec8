#!/usr/bin/env bash
# Quick start 2: installs what is missing, then
#  1. builds everything with GCC 12 (library, tests, examples, the `rapport` tool, benchmarks) and
#     runs every test through ctest (build/test), the Python package's pytest suite included, then
#     checks that `pip install --no-build-isolation ./python` builds and imports;
#  2. installs rapport (static from build/test, then shared) and builds the consumers of
#     tests/package/ against it;
#  3. builds the library, tool, examples, tests and libFuzzer targets with clang 14 under
#     AddressSanitizer + UndefinedBehaviorSanitizer and runs every test, then each fuzz target
#     briefly (build/clang: one build serves the clang, sanitizer and fuzz checks);
#  4. runs the concurrency tests under ThreadSanitizer (build/tsan, only their files compiled).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/deps.sh
rapport_install_deps
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
jobs=$(nproc)

echo "== build and run every test (build/test)"
cmake -S . -B build/test -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRAPPORT_WERROR=$werror \
    -DRAPPORT_BUILD_TESTS=ON -DRAPPORT_BUILD_EXAMPLES=ON -DRAPPORT_BUILD_TOOLS=ON -DRAPPORT_BUILD_BENCH=ON \
    -DRAPPORT_BUILD_PYTHON=ON -DPython3_EXECUTABLE=/usr/bin/python3
cmake --build build/test -j "$jobs"
ctest --test-dir build/test --output-on-failure -j "$jobs"

echo "== Python package: pip install --no-build-isolation ./python (offline, Debian's packages), then an import"
# scikit-build builds in python/_skbuild, which later runs reuse; --target keeps the install out of
# the system, --no-deps --no-index keep pip offline (numpy is Debian's).
pip_target=$(mktemp -d)
trap 'rm -rf "$pip_target"' EXIT
pip_cmake_args=""
command -v ccache >/dev/null && pip_cmake_args="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
CMAKE_ARGS="$pip_cmake_args" CMAKE_BUILD_PARALLEL_LEVEL="$jobs" \
    /usr/bin/python3 -m pip install --quiet --root-user-action=ignore --no-build-isolation --no-deps --no-index --target "$pip_target" ./python
(cd "$pip_target" && PYTHONPATH="$pip_target" /usr/bin/python3 - <<'PY'
import tempfile, rapport
with tempfile.TemporaryDirectory() as tmp:
    index = rapport.Index.create(tmp + "/kb")
    with index.writer() as w:
        w.add({"id": "a", "title": "Trust", "text": "Business is the consistent building of trust."})
    hit = index.search("building trust", k=1)[0]
    assert hit.article == "a" and hit.snippet_marked().count("[") == 2, hit
    ids, scores = index.search_many(["trust", "nothing"], k=2, threads=2)
    assert ids[0][0] == hit.passage and ids[1][0] == -1, ids
print("pip-installed rapport", rapport.__version__, "from", rapport.__file__)
PY
)

echo "== packaging (tests/package): the static package installed from build/test"
RAPPORT_PKG_STATIC_BUILD=build/test tests/package/run.sh

echo "== clang 14 + AddressSanitizer + UndefinedBehaviorSanitizer + libFuzzer (build/clang): every test, then the fuzz targets"
cmake -S . -B build/clang -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DRAPPORT_WERROR=$werror -DRAPPORT_SANITIZE=address,undefined -DRAPPORT_BUILD_FUZZERS=ON \
    -DRAPPORT_BUILD_TESTS=ON -DRAPPORT_BUILD_EXAMPLES=ON -DRAPPORT_BUILD_TOOLS=ON -DRAPPORT_BUILD_BENCH=OFF
cmake --build build/clang -j "$jobs" --target all fuzzers
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build/clang --output-on-failure -j "$jobs"

echo "== ThreadSanitizer (build/tsan): concurrent indexing and searching"
cmake -S . -B build/tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRAPPORT_WERROR=$werror \
    -DRAPPORT_SANITIZE=thread -DRAPPORT_BUILD_TESTS=ON -DRAPPORT_BUILD_EXAMPLES=OFF -DRAPPORT_BUILD_BENCH=OFF
cmake --build build/tsan -j "$jobs" --target index_test search_test
TSAN_OPTIONS=halt_on_error=1 ctest --test-dir build/tsan --output-on-failure -L '^concurrency$'
