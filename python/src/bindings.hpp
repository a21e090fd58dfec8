// SPDX-License-Identifier: MIT
// The parts of the extension module `rapport._rapport`, one function per area.
#pragma once

#include <pybind11/pybind11.h>

namespace rapport::python {

/// Index, writer, search, statistics (index.cpp).
void bind_index(pybind11::module_& m);
/// Qrels, runs and metrics (eval.cpp).
void bind_eval(pybind11::module_& m);

}  // namespace rapport::python
