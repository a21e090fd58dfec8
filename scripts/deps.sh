#!/usr/bin/env bash
# Installs, with apt-get, whatever Debian 12 packages rapport's build, tests and benchmarks need
# and the machine lacks. Sourced by demo.sh and test.sh; safe to run again (a no-op when all present).
set -euo pipefail

rapport_packages=(
    g++ clang-14 libclang-rt-14-dev cmake ninja-build pkg-config git
    libicu-dev libstemmer-dev
    libboost1.81-dev libboost-json1.81-dev libboost-program-options1.81-dev
    doctest-dev libbenchmark-dev unicode-data
    libzstd-dev libroaring-dev libsqlite3-dev libxapian-dev
    python3-dev python3-pybind11 pybind11-dev python3-numpy python3-pytest python3-skbuild python3-pip
    python3-dask python3-distributed zstd
)

rapport_install_deps() {
    local missing=()
    for p in "${rapport_packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "rapport: installing missing packages: ${missing[*]}" >&2
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "rapport: run as root or install: ${missing[*]}" >&2; return 1; }
        sudo=sudo
    fi
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
