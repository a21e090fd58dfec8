# SPDX-License-Identifier: MIT
# Builds the Python package `rapport` with scikit-build: CMake configures the whole project (the
# folder above this one) with only the library and the extension module, and installs the module
# next to the pure-Python files of rapport/. Offline, from Debian's packages:
#     pip install --no-build-isolation ./python
# (python3-skbuild, pybind11-dev, python3-numpy and the C++ build dependencies of scripts/deps.sh).
# Extra CMake options come from the environment variable CMAKE_ARGS (e.g. -DCMAKE_CXX_COMPILER_LAUNCHER=ccache),
# the build's parallelism from CMAKE_BUILD_PARALLEL_LEVEL.
import os
import sys

from skbuild import setup

here = os.path.dirname(os.path.abspath(__file__))

setup(
    name="rapport",
    version="0.1.0",
    description="Full-text passage search: ICU analysis, Snowball stemming, BM25 with safe pruning (C++20 core)",
    license="MIT",
    packages=["rapport"],
    package_dir={"rapport": "rapport"},
    package_data={"rapport": ["py.typed", "*.pyi"]},
    include_package_data=False,
    python_requires=">=3.9",
    install_requires=["numpy"],
    cmake_source_dir=os.path.relpath(os.path.dirname(here), here),
    cmake_args=[
        "-DCMAKE_BUILD_TYPE=Release",
        "-DRAPPORT_BUILD_PYTHON=ON",
        "-DRAPPORT_BUILD_TESTS=OFF",
        "-DRAPPORT_BUILD_EXAMPLES=OFF",
        "-DRAPPORT_BUILD_BENCH=OFF",
        "-DRAPPORT_BUILD_TOOLS=OFF",
        "-DRAPPORT_INSTALL=OFF",
        f"-DPython3_EXECUTABLE={sys.executable}",
    ],
)
