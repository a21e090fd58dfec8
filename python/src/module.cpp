// SPDX-License-Identifier: MIT
// The extension module `rapport._rapport`: the exception classes mapped from rapport's C++ error
// hierarchy (core/error.hpp), then the index, search and evaluation bindings (index.cpp, eval.cpp).
// The Pythonic surface (Index, Writer, Hit, rapport.eval, rapport.distributed) is python/rapport.
#include <pybind11/pybind11.h>

#include "bindings.hpp"
#include "rapport/core/error.hpp"

namespace py = pybind11;

namespace rapport::python {

namespace {
// The exception classes, set once when the module loads (the translator cannot capture).
PyObject* base_error = nullptr;
PyObject* io_class = nullptr;
PyObject* corruption_class = nullptr;
PyObject* version_class = nullptr;
PyObject* invalid_class = nullptr;
PyObject* syntax_class = nullptr;
PyObject* interrupted_class = nullptr;

void translate(std::exception_ptr p) {
    try {
        if (p) std::rethrow_exception(p);
    } catch (const rapport::io_error& e) {
        PyErr_SetString(io_class, e.what());
    } catch (const rapport::corruption_error& e) {
        PyErr_SetString(corruption_class, e.what());
    } catch (const rapport::format_version_error& e) {
        PyErr_SetString(version_class, e.what());
    } catch (const rapport::invalid_argument& e) {
        PyErr_SetString(invalid_class, e.what());
    } catch (const rapport::query_syntax_error& e) {
        PyErr_SetString(syntax_class, e.what());
    } catch (const rapport::search_interrupted& e) {
        PyErr_SetString(interrupted_class, e.what());
    } catch (const rapport::error& e) {
        PyErr_SetString(base_error, e.what());
    }
}

// A Python exception class named `name` in module `m`, deriving from `bases` (a tuple).
PyObject* make_exception(py::module_& m, const char* name, py::tuple bases, const char* doc) {
    const std::string qualified = std::string("rapport.") + name;
    PyObject* cls = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases.ptr(), nullptr);
    if (cls == nullptr) throw py::error_already_set();
    m.add_object(name, py::handle(cls));
    return cls;
}
}  // namespace

}  // namespace rapport::python

PYBIND11_MODULE(_rapport, m) {
    using namespace rapport::python;
    m.doc() = "rapport's C++ core (the rapport package wraps it)";
    base_error = make_exception(m, "Error", py::make_tuple(py::handle(PyExc_Exception)),
                                "Every error rapport raises (C++ rapport::error).");
    const auto b = py::handle(base_error);
    io_class = make_exception(m, "IOError", py::make_tuple(b, py::handle(PyExc_OSError)),
                              "A file could not be read or written, or a folder is not an index (rapport::io_error).");
    corruption_class = make_exception(m, "CorruptionError", py::make_tuple(b),
                                      "An index file is damaged: checksum, seal or structure (rapport::corruption_error).");
    version_class = make_exception(m, "FormatVersionError", py::make_tuple(b),
                                   "An index was written by a newer rapport (rapport::format_version_error).");
    invalid_class = make_exception(m, "InvalidArgumentError", py::make_tuple(b, py::handle(PyExc_ValueError)),
                                   "An argument or input is invalid: options, documents, schemas (rapport::invalid_argument).");
    syntax_class = make_exception(m, "QuerySyntaxError", py::make_tuple(b, py::handle(PyExc_ValueError)),
                                  "A query or filter does not parse (rapport::query_syntax_error).");
    interrupted_class = make_exception(m, "SearchInterrupted", py::make_tuple(b),
                                       "A search passed its deadline or was cancelled (rapport::search_interrupted).");
    py::register_exception_translator(&translate);
    bind_index(m);
    bind_eval(m);
}
