// SPDX-License-Identifier: MIT
// `rapport._rapport.Index` and `Writer`: an index folder opened for searching (a snapshot that
// `reload` moves to the latest commit) and a writer on it. Searches take the query language of the
// CLI (clauses on value fields become filters, as `rapport search` does) and return plain Python
// values (dicts, lists, str), which python/rapport wraps in `Hit` objects and which pickle as they
// are, for rapport.distributed. Text offsets are Python str indices (code points), not bytes.
// The GIL is released while C++ searches, so Python threads search in parallel; `search_many`
// runs a batch over C++ threads.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "bindings.hpp"
#include "rapport/core/error.hpp"
#include "rapport/highlight/snippet.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/index/index_writer.hpp"
#include "rapport/index/schema.hpp"
#include "rapport/ingest/readers.hpp"
#include "rapport/search/multi_searcher.hpp"
#include "rapport/search/request.hpp"
#include "rapport/search/searcher.hpp"
#include "rapport/search/statistics.hpp"
#include "rapport/storage/fs_directory.hpp"

namespace py = pybind11;

namespace rapport::python {

namespace {

namespace ix = rapport::index;
namespace rs = rapport::search;

// The Python str index of byte `at` of UTF-8 `text`: the code points before it.
std::size_t str_index(std::string_view text, std::size_t at) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < at && i < text.size(); ++i) n += (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    return n;
}

// A facet as Python gives it: the CLI's "field:option" text, or the fields of `facet_request`.
rs::facet_request facet_of(const py::handle& spec) {
    if (py::isinstance<py::str>(spec)) return rs::parse_facet(spec.cast<std::string>());
    if (!py::isinstance<py::dict>(spec)) throw rapport::invalid_argument("facets: each facet is a str (\"topic\", \"updated:year\") or a dict");
    const auto d = spec.cast<py::dict>();
    rs::facet_request f;
    for (const auto& [key, value] : d) {
        const auto k = key.cast<std::string>();
        if (k == "field") f.field = value.cast<std::string>();
        else if (k == "top") f.top = value.cast<std::size_t>();
        else if (k == "values") f.values = value.cast<std::vector<std::string>>();
        else if (k == "interval") f.interval = value.cast<std::string>();
        else if (k == "ranges") f.ranges = value.cast<std::vector<std::pair<std::string, std::string>>>();
        else throw rapport::invalid_argument("facets: unknown key '" + k + "' (field, top, values, interval, ranges)");
    }
    if (f.field.empty()) throw rapport::invalid_argument("facets: a facet needs a 'field'");
    return f;
}

// What one search asks for, from the keyword arguments of `Index.search`.
struct search_args {
    std::size_t k = 10;
    std::string filter;
    std::vector<rs::facet_request> facets;
    bool facet_articles = false;
    std::optional<rs::sort_spec> sort;
    bool articles = false;
    std::size_t offset = 0;
    std::string search_after;
    bool count_total = false;
    std::vector<std::pair<std::string, double>> fields;  // empty: the index's defaults
    bool bm25f = false;
    bool all = false;  // bare words combine by AND
    std::optional<rs::collection_statistics> statistics;
    docid_t passage_base = 0;
    bool fetch = true;
    std::size_t snippet_bytes = 240;
    bool explain = false;
};

search_args args_of(const py::kwargs& kw) {
    search_args a;
    for (const auto& [key, value] : kw) {
        const auto k = key.cast<std::string>();
        if (value.is_none()) continue;
        if (k == "k") {
            const auto n = value.cast<long long>();
            if (n < 0) throw rapport::invalid_argument("k must be >= 0, not " + std::to_string(n));
            a.k = static_cast<std::size_t>(n);
        } else if (k == "filter") {
            a.filter = value.cast<std::string>();
        } else if (k == "facets") {
            for (const auto& f : value) a.facets.push_back(facet_of(f));
        } else if (k == "facet_articles") {
            a.facet_articles = value.cast<bool>();
        } else if (k == "sort") {
            a.sort = rs::parse_sort(value.cast<std::string>());
        } else if (k == "articles") {
            a.articles = value.cast<bool>();
        } else if (k == "offset") {
            const auto n = value.cast<long long>();
            if (n < 0) throw rapport::invalid_argument("offset must be >= 0, not " + std::to_string(n));
            a.offset = static_cast<std::size_t>(n);
        } else if (k == "search_after") {
            a.search_after = value.cast<std::string>();
        } else if (k == "count_total") {
            a.count_total = value.cast<bool>();
        } else if (k == "fields") {
            if (py::isinstance<py::dict>(value)) {
                for (const auto& [name, weight] : value.cast<py::dict>())
                    a.fields.emplace_back(name.cast<std::string>(), weight.cast<double>());
            } else {
                for (const auto& name : value) a.fields.emplace_back(name.cast<std::string>(), 1.0);
            }
        } else if (k == "bm25f") {
            a.bm25f = value.cast<bool>();
        } else if (k == "mode") {
            const auto mode = value.cast<std::string>();
            if (mode != "any" && mode != "all") throw rapport::invalid_argument("mode must be 'any' or 'all', not '" + mode + "'");
            a.all = mode == "all";
        } else if (k == "statistics") {
            a.statistics = rs::collection_statistics::from_json(value.cast<std::string>());
        } else if (k == "passage_base") {
            const auto n = value.cast<long long>();
            if (n < 0 || n >= static_cast<long long>(end_docid)) throw rapport::invalid_argument("passage_base out of range");
            a.passage_base = static_cast<docid_t>(n);
        } else if (k == "fetch") {
            a.fetch = value.cast<bool>();
        } else if (k == "snippet_bytes") {
            a.snippet_bytes = value.cast<std::size_t>();
        } else if (k == "explain") {
            a.explain = value.cast<bool>();
        } else {
            throw rapport::invalid_argument("search: unknown argument '" + k + "'");
        }
    }
    return a;
}

// The snapshot being searched: the reader and its searcher.
struct snapshot {
    std::shared_ptr<const rs::searcher> searcher;
    [[nodiscard]] const ix::index_reader& reader() const { return searcher->reader(); }
};

// A search prepared from text and arguments: the analysed query and the request.
struct prepared {
    query::query analysed;
    rs::search_request request;
};

class index_handle {
public:
    explicit index_handle(std::filesystem::path path) : path_(std::move(path)) { reload(); }

    static std::unique_ptr<index_handle> create(const std::filesystem::path& path, const std::optional<std::string>& schema_json,
                               const std::string& language, const py::object& stopwords, std::optional<bool> fold_accents,
                               bool case_fold, std::size_t passage_bytes) {
        std::error_code ec;
        if (std::filesystem::exists(path, ec) && !std::filesystem::is_empty(path, ec))
            throw rapport::io_error(path.string(), "the folder exists and is not empty (Index.open opens an index)");
        ix::index_writer_options o;
        if (schema_json) o.index.schema = ix::validate_schema(ix::parse_schema(*schema_json));
        o.index.analyzer.language = language;
        if (py::isinstance<py::bool_>(stopwords)) {
            if (!stopwords.cast<bool>()) o.index.analyzer.stopwords = std::vector<std::string>{};
        } else if (!stopwords.is_none()) {
            o.index.analyzer.stopwords = stopwords.cast<std::vector<std::string>>();
        }
        o.index.analyzer.fold_accents = fold_accents;
        o.index.analyzer.case_fold = case_fold;
        if (passage_bytes != 0) o.index.passages.max_bytes = passage_bytes;
        {
            py::gil_scoped_release unlocked;
            ix::index_writer w(storage::fs_directory::create_or_open(path), o);
            w.commit();
        }
        return std::make_unique<index_handle>(path);
    }

    // Moves to the latest commit (after a writer committed).
    void reload() {
        auto reader = ix::index_reader::open(storage::fs_directory::open_existing(path_));
        auto s = std::make_shared<const rs::searcher>(reader);
        const std::lock_guard lock(mutex_);
        current_.searcher = std::move(s);
    }

    [[nodiscard]] snapshot current() const {
        const std::lock_guard lock(mutex_);
        return current_;
    }
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

    // The query and request `text` and `a` stand for, on snapshot `s`.
    static prepared prepare(const snapshot& s, const std::string& text, const search_args& a) {
        const auto& schema = s.reader().options().schema;
        prepared p;
        auto& r = p.request;
        r.options.k = a.k;
        r.options.bm25f = a.bm25f;
        if (!a.fields.empty()) {
            r.options.fields.clear();
            for (const auto& [name, weight] : a.fields) {
                const auto f = schema.text_field(name);
                if (!f) throw rapport::invalid_argument("fields: unknown text field '" + name + "' (text fields: " + schema.text_field_names() + ")");
                r.options.fields.push_back({*f, weight});
            }
        }
        if (a.statistics) r.options.statistics = &*a.statistics;
        const auto split = rs::split_filter_clauses(text, schema);
        r.filter = split.filter;
        if (!a.filter.empty()) r.filter = (r.filter.empty() ? "" : "(" + r.filter + ") AND ") + "(" + a.filter + ")";
        r.facets = a.facets;
        r.facet_articles = a.facet_articles;
        r.sort = a.sort;
        r.articles = a.articles;
        r.offset = a.offset;
        r.search_after = a.search_after;
        r.count_total = a.count_total;
        r.fetch = a.fetch;
        r.passage_base = a.passage_base;
        query::parser_options po;
        po.op = a.all ? query::default_operator::and_ : query::default_operator::or_;
        p.analysed = s.searcher->parse(split.text, po);
        return p;
    }

    py::dict search(const std::string& text, const py::kwargs& kw) const {
        auto a = args_of(kw);
        const auto s = current();
        rs::search_response response;
        prepared p;
        {
            py::gil_scoped_release unlocked;
            p = prepare(s, text, a);
            response = rs::run(*s.searcher, p.analysed, p.request);
        }
        return to_python(s, p, a, response);
    }

    std::string statistics(const std::string& text, const py::kwargs& kw) const {
        // `statistics` here is the first round's merge, for the second round (`searcher::statistics`).
        const auto a = args_of(kw);
        const auto s = current();
        py::gil_scoped_release unlocked;
        const auto p = prepare(s, text, a);
        return s.searcher->statistics(p.analysed, p.request.options, a.statistics ? &*a.statistics : nullptr).to_json();
    }

    // A batch of queries over `threads` C++ threads, the GIL released: passage ids (−1 past the
    // hits) and scores (NaN past the hits), one row per query.
    py::tuple search_many(const std::vector<std::string>& queries, std::size_t threads, const py::kwargs& kw) const {
        auto a = args_of(kw);
        if (!a.facets.empty() || a.sort || a.offset != 0 || !a.search_after.empty())
            throw rapport::invalid_argument("search_many: facets, sort, offset and search_after take Index.search");
        a.fetch = false;
        const auto s = current();
        const std::size_t k = a.k;
        py::array_t<std::int64_t> ids({queries.size(), k});
        py::array_t<double> scores({queries.size(), k});
        auto id_view = ids.mutable_unchecked<2>();
        auto score_view = scores.mutable_unchecked<2>();
        {
            py::gil_scoped_release unlocked;
            std::atomic<std::size_t> next{0};
            std::exception_ptr failure;
            std::mutex failure_mutex;
            const auto work = [&] {
                for (std::size_t q = next++; q < queries.size(); q = next++) {
                    try {
                        const auto p = prepare(s, queries[q], a);
                        // Without a filter or a shard's base, the pruned top-k itself (what `run`
                        // calls then, the same hits), without the values and cursors `run` adds to
                        // each hit, which ids and scores do not need.
                        std::vector<rs::scored_doc> top;
                        if (p.request.filter.empty() && p.request.passage_base == 0) {
                            top = a.articles ? s.searcher->top_k_articles(p.analysed, p.request.options)
                                             : s.searcher->top_k(p.analysed, p.request.options);
                        } else {
                            const auto response = rs::run(*s.searcher, p.analysed, p.request);
                            for (const auto& h : response.hits) top.push_back({h.hit.score, h.hit.passage});
                        }
                        for (std::size_t i = 0; i < k; ++i) {
                            const bool hit = i < top.size();
                            id_view(q, i) = hit ? static_cast<std::int64_t>(top[i].docid) : -1;
                            score_view(q, i) = hit ? top[i].score : std::numeric_limits<double>::quiet_NaN();
                        }
                    } catch (...) {
                        const std::lock_guard lock(failure_mutex);
                        if (!failure) failure = std::current_exception();
                        next = queries.size();
                    }
                }
            };
            const std::size_t n = std::max<std::size_t>(1, std::min(threads, queries.size()));
            std::vector<std::thread> pool;
            for (std::size_t t = 1; t < n; ++t) pool.emplace_back(work);
            work();
            for (auto& t : pool) t.join();
            if (failure) std::rethrow_exception(failure);
        }
        return py::make_tuple(ids, scores);
    }

    [[nodiscard]] std::string article_of(std::int64_t passage) const {
        const auto s = current();
        if (passage < 0 || static_cast<std::uint64_t>(passage) >= s.reader().passage_count())
            throw rapport::invalid_argument("article_of: passage " + std::to_string(passage) + " is out of range");
        const auto [seg, local] = s.reader().locate(static_cast<docid_t>(passage));
        return std::string(seg->article_id(seg->article_of(local)));
    }

private:
    // Values in schema order as a dict: keywords as lists, numbers, floats, dates as ISO text,
    // stored and text fields as their JSON text (decoded by the Python layer).
    static py::dict values_of(const ix::schema& schema, const ix::field_values& values, py::dict& json_fields) {
        py::dict out;
        for (std::size_t f = 0; f < values.size() && f < schema.fields.size(); ++f) {
            const auto& def = schema.fields[f];
            const auto& v = values[f];
            if (def.type == ix::field_type::keyword && !v.keywords.empty()) {
                out[py::str(def.name)] = py::cast(v.keywords);
            } else if (ix::is_numeric(def.type) && v.number) {
                if (def.type == ix::field_type::integer)
                    out[py::str(def.name)] = *v.number;
                else if (def.type == ix::field_type::floating)
                    out[py::str(def.name)] = ix::float_of_key(*v.number);
                else
                    out[py::str(def.name)] = ix::format_date(*v.number);
            } else if ((def.type == ix::field_type::stored || ix::schema::is_extra_text(def)) && !v.stored.empty()) {
                json_fields[py::str(def.name)] = v.stored;
            }
        }
        return out;
    }

    static py::dict to_python(const snapshot& s, const prepared& p, const search_args& a, const rs::search_response& r) {
        const auto& schema = s.reader().options().schema;
        py::list hits;
        const auto marks = s.searcher->highlight_terms(p.analysed, p.request.options);
        for (const auto& h : r.hits) {
            py::dict d;
            d["score"] = h.hit.score;
            d["passage"] = h.hit.passage;
            d["cursor"] = h.cursor;
            d["index"] = h.index;
            py::dict json_fields;
            d["fields"] = values_of(schema, h.values, json_fields);
            d["json_fields"] = json_fields;
            if (a.fetch) {
                d["article"] = h.hit.article.value;
                d["title"] = h.hit.title;
                d["ordinal"] = h.hit.ordinal;
                d["text"] = h.hit.text;
                const auto snip = s.searcher->snippet(h.hit.text, marks, {.max_bytes = a.snippet_bytes});
                const std::string_view text(h.hit.text);
                const std::size_t start = str_index(text, snip.begin);
                py::list matches;
                for (const auto& m : snip.matches)
                    matches.append(py::make_tuple(str_index(text, m.begin) - start, str_index(text, m.end) - start));
                d["snippet"] = std::string(text.substr(snip.begin, snip.end - snip.begin));
                d["snippet_start"] = start;
                d["matches"] = matches;
                if (a.explain) d["explanation"] = s.searcher->explain(p.analysed, h.hit.passage, p.request.options).to_string();
            }
            hits.append(d);
        }
        py::list facets;
        for (const auto& f : r.facets) {
            py::list counts;
            for (const auto& c : f.counts) counts.append(py::make_tuple(c.value, c.count));
            py::dict d;
            d["field"] = f.field;
            d["counts"] = counts;
            d["other"] = f.other;
            d["missing"] = f.missing;
            facets.append(d);
        }
        py::dict out;
        out["hits"] = hits;
        out["facets"] = facets;
        out["total"] = r.total ? py::object(py::int_(*r.total)) : py::object(py::none());
        return out;
    }

    std::filesystem::path path_;
    mutable std::mutex mutex_;
    snapshot current_;
};

// A writer on an index folder: holds the folder's write lock until closed.
class writer_handle {
public:
    writer_handle(const std::filesystem::path& path, std::size_t ram_mb) {
        std::shared_ptr<storage::directory> dir = storage::fs_directory::open_existing(path);
        const auto reader = ix::index_reader::open(dir);
        ix::index_writer_options o;
        o.index = reader.options();
        if (ram_mb != 0) o.ram_budget_mb = ram_mb;
        py::gil_scoped_release unlocked;
        writer_.emplace(std::move(dir), o);
    }

    // Adds (or replaces, by id) the articles of `lines`, one JSON object each, as `rapport index`
    // reads JSONL lines; errors name the article's place in the batch.
    std::size_t add(const std::vector<std::string>& lines, bool replace) {
        auto& w = live();
        std::size_t passages = 0;
        py::gil_scoped_release unlocked;
        std::string batch;
        for (const auto& l : lines) {
            if (l.find('\n') != std::string::npos) throw rapport::invalid_argument("add: a document's JSON must be one line");
            batch += l;
            batch += '\n';
        }
        std::istringstream in(batch);
        ingest::jsonl_reader reader(in, "document");
        while (auto a = reader.next()) passages += replace ? w.update(std::move(*a)) : w.add(std::move(*a));
        return passages;
    }
    void remove(const std::string& id) { live().remove(article_id{id}); }
    void commit() {
        auto& w = live();
        py::gil_scoped_release unlocked;
        w.commit();
    }
    // Releases the lock; what was not committed is discarded.
    void close() {
        py::gil_scoped_release unlocked;
        writer_.reset();
    }
    [[nodiscard]] bool closed() const noexcept { return !writer_.has_value(); }

private:
    ix::index_writer& live() {
        if (!writer_) throw rapport::invalid_argument("the writer is closed");
        return *writer_;
    }
    std::optional<ix::index_writer> writer_;
};

}  // namespace

void bind_index(py::module_& m) {
    py::class_<index_handle>(m, "Index", "An index folder opened for searching (rapport.Index wraps it).")
        .def(py::init<std::filesystem::path>(), py::arg("path"))
        .def_static("create", &index_handle::create, py::arg("path"), py::arg("schema_json") = py::none(),
                    py::arg("language") = "english", py::arg("stopwords") = py::none(), py::arg("fold_accents") = py::none(),
                    py::arg("case_fold") = true, py::arg("passage_bytes") = 0)
        .def("reload", &index_handle::reload, py::call_guard<py::gil_scoped_release>())
        .def("search", &index_handle::search, py::arg("query"))
        .def("statistics", &index_handle::statistics, py::arg("query"))
        .def("search_many", &index_handle::search_many, py::arg("queries"), py::arg("threads") = 1)
        .def("article_of", &index_handle::article_of, py::arg("passage"))
        .def_property_readonly("path", [](const index_handle& h) { return h.path(); })
        .def_property_readonly("passage_count", [](const index_handle& h) { return h.current().reader().passage_count(); })
        .def_property_readonly("live_passage_count", [](const index_handle& h) { return h.current().reader().live_passage_count(); })
        .def_property_readonly("article_count", [](const index_handle& h) { return h.current().reader().article_count(); })
        .def_property_readonly("schema_json", [](const index_handle& h) { return ix::to_json(h.current().reader().options().schema); });

    py::class_<writer_handle>(m, "Writer", "A writer on an index folder (rapport.Writer wraps it).")
        .def(py::init<std::filesystem::path, std::size_t>(), py::arg("path"), py::arg("ram_mb") = 0)
        .def("add", &writer_handle::add, py::arg("lines"), py::arg("replace") = true)
        .def("remove", &writer_handle::remove, py::arg("id"))
        .def("commit", &writer_handle::commit)
        .def("close", &writer_handle::close)
        .def_property_readonly("closed", &writer_handle::closed);

    m.def(
        "parse_facet",
        [](const std::string& spec) {
            const auto f = rs::parse_facet(spec);
            py::dict d;
            d["field"] = f.field;
            d["top"] = f.top;
            d["values"] = f.values;
            d["interval"] = f.interval;
            d["ranges"] = f.ranges;
            return d;
        },
        py::arg("spec"), "A facet written as `rapport search --facet` takes it, as a dict of its parts.");
    m.def(
        "merge_statistics",
        [](const std::vector<std::string>& parts) {
            if (parts.empty()) throw rapport::invalid_argument("merge_statistics: no statistics given");
            auto merged = rs::collection_statistics::from_json(parts.front());
            for (std::size_t i = 1; i < parts.size(); ++i) merged.merge(rs::collection_statistics::from_json(parts[i]));
            return merged.to_json();
        },
        py::arg("parts"), "The sum of several indexes' statistics for one query (JSON in, JSON out).");
}

}  // namespace rapport::python
