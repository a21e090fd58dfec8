#!/usr/bin/env bash
# Packaging tests: installs rapport (static, then shared) into prefixes under build/pkg-prefix/ and
# builds and runs the consumers of tests/package/ against them: find_package (static, shared and
# the build-tree package), pkg-config (static link) and add_subdirectory. Each consumer indexes
# three passages and fails unless the expected one ranks first; the installed `rapport` tool must run.
# Build directories: build/pkg (static), build/pkg-shared (shared), build/pkg-consumer/*.
# CI=true turns warnings into errors in rapport's own code, as test.sh does.
# RAPPORT_PKG_STATIC_BUILD=<dir>: install the static package from that configured and built
# (static) build directory instead of building build/pkg (test.sh passes build/test).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
jobs=$(nproc)
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
prefix="$root/build/pkg-prefix"
consumers="$root/build/pkg-consumer"
rm -rf "$prefix"
mkdir -p "$consumers"

# Configures, builds and installs the library and the `rapport` tool (no tests, examples or
# benchmarks), then checks that the installed tool runs.
install_rapport() {  # build-dir prefix [cmake options...]
    local build=$1 dest=$2
    shift 2
    cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DRAPPORT_WERROR=$werror \
        -DRAPPORT_BUILD_TESTS=OFF -DRAPPORT_BUILD_EXAMPLES=OFF -DRAPPORT_BUILD_BENCH=OFF \
        -DRAPPORT_BUILD_TOOLS=ON -DRAPPORT_INSTALL=ON "$@" >/dev/null
    cmake --build "$build" -j "$jobs" --target rapport rapport_cli
    cmake --install "$build" --prefix "$dest" >/dev/null
    "$dest/bin/rapport" --version >/dev/null
}

# Configures and builds a consumer from scratch, then runs it in its build directory.
run_consumer() {  # name source-dir [cmake options...]
    local name=$1 source=$2
    shift 2
    echo "-- consumer: $name"
    rm -rf "${consumers:?}/$name"
    cmake -S "$source" -B "$consumers/$name" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
    cmake --build "$consumers/$name" -j "$jobs"
    (cd "$consumers/$name" && ./consumer)
}

static_build=${RAPPORT_PKG_STATIC_BUILD:-}
if [ -n "$static_build" ]; then
    static_build="$(cd "$static_build" && pwd)"
    echo "-- static library: $static_build (already built) -> build/pkg-prefix/static"
    cmake --build "$static_build" -j "$jobs" --target rapport rapport_cli
    cmake --install "$static_build" --prefix "$prefix/static" >/dev/null
    "$prefix/static/bin/rapport" --version >/dev/null
else
    static_build="$root/build/pkg"
    echo "-- static library: build/pkg -> build/pkg-prefix/static"
    install_rapport "$static_build" "$prefix/static" -DBUILD_SHARED_LIBS=OFF
fi
run_consumer find_package tests/package/find_package -DCMAKE_PREFIX_PATH="$prefix/static"
run_consumer build_tree tests/package/find_package -Drapport_DIR="$static_build"

echo "-- consumer: pkg-config (static link)"
mkdir -p "$consumers/pkg-config"
pc_path="$(dirname "$(find "$prefix/static" -name rapport.pc -print -quit)")"
flags=$(PKG_CONFIG_PATH="$pc_path" pkg-config --cflags --libs --static rapport)
# shellcheck disable=SC2086 # the flags are a list of words
c++ -std=c++20 tests/package/find_package/main.cpp -o "$consumers/pkg-config/consumer" $flags
(cd "$consumers/pkg-config" && ./consumer)

echo "-- shared library: build/pkg-shared -> build/pkg-prefix/shared"
install_rapport build/pkg-shared "$prefix/shared" -DBUILD_SHARED_LIBS=ON
run_consumer find_package_shared tests/package/find_package -DCMAKE_PREFIX_PATH="$prefix/shared"

# Builds rapport's library as part of the consumer: the build directory is kept between runs.
echo "-- consumer: add_subdirectory"
cmake -S tests/package/add_subdirectory -B "$consumers/add_subdirectory" "${generator[@]}" \
    -DCMAKE_BUILD_TYPE=Release -DRAPPORT_SOURCE_DIR="$root" -DRAPPORT_WERROR=$werror >/dev/null
cmake --build "$consumers/add_subdirectory" -j "$jobs"
(cd "$consumers/add_subdirectory" && ./consumer)

echo "-- packaging: all consumers passed"
