// SPDX-License-Identifier: MIT
// Evaluation (eval/): qrels, runs, topics and trec_eval's measures, as plain Python values
// (python/rapport/eval.py is the documented surface).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "bindings.hpp"
#include "rapport/eval/metrics.hpp"
#include "rapport/eval/qrels.hpp"
#include "rapport/eval/queries.hpp"
#include "rapport/eval/run.hpp"

namespace py = pybind11;

namespace rapport::python {

namespace {

using run_map = std::map<std::string, std::vector<std::pair<std::string, double>>>;
using qrels_map = std::map<std::string, std::map<std::string, int>>;

eval::run to_run(const run_map& r, const std::string& tag) {
    eval::run out;
    out.tag = tag;
    for (const auto& [qid, entries] : r) {
        auto& v = out.results[qid];
        for (const auto& [docno, score] : entries) v.push_back({docno, score});
    }
    return out;
}

eval::qrels to_qrels(const qrels_map& q) {
    eval::qrels out;
    for (const auto& [qid, judged] : q) {
        auto& j = out.judgments[qid];
        for (const auto& [docno, grade] : judged) j[docno] = grade;
    }
    return out;
}

py::dict metrics_dict(const eval::metrics& m) {
    py::dict d;
    d["map"] = m.map;
    d["ndcg@10"] = m.ndcg_at_10;
    d["P@10"] = m.p_at_10;
    d["MRR@10"] = m.mrr_at_10;
    d["R@100"] = m.recall_at_100;
    d["R@1000"] = m.recall_at_1000;
    d["queries"] = m.queries;
    return d;
}

}  // namespace

void bind_eval(py::module_& m) {
    m.def(
        "read_qrels",
        [](const std::filesystem::path& path) {
            const auto q = eval::read_qrels(path);
            qrels_map out;
            for (const auto& [qid, judged] : q.judgments)
                for (const auto& [docno, grade] : judged) out[qid][docno] = grade;
            return out;
        },
        py::arg("path"));
    m.def(
        "read_run",
        [](const std::filesystem::path& path) {
            const auto r = eval::read_run(path);
            run_map out;
            for (const auto& [qid, entries] : r.results)
                for (const auto& e : entries) out[qid].emplace_back(e.docno, e.score);
            return out;
        },
        py::arg("path"));
    m.def(
        "write_run", [](const std::filesystem::path& path, const run_map& r, const std::string& tag) { eval::write_run(path, to_run(r, tag)); },
        py::arg("path"), py::arg("run"), py::arg("tag") = "rapport");
    m.def(
        "read_queries",
        [](const std::filesystem::path& path) {
            std::vector<std::pair<std::string, std::string>> out;
            for (auto& q : eval::read_queries(path)) out.emplace_back(std::move(q.qid), std::move(q.text));
            return out;
        },
        py::arg("path"));
    m.def(
        "evaluate",
        [](const run_map& r, const qrels_map& q, bool complete, int relevance_level) {
            eval::eval_options o;
            o.complete = complete;
            o.relevance_level = relevance_level;
            const auto e = eval::evaluate(to_run(r, "rapport"), to_qrels(q), o);
            py::dict per_query;
            for (const auto& [qid, metrics] : e.per_query) per_query[py::str(qid)] = metrics_dict(metrics);
            py::dict out;
            out["mean"] = metrics_dict(e.mean);
            out["per_query"] = per_query;
            return out;
        },
        py::arg("run"), py::arg("qrels"), py::arg("complete") = false, py::arg("relevance_level") = 1);
}

}  // namespace rapport::python
