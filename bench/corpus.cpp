// SPDX-License-Identifier: MIT
#include "corpus.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "rapport/core/detail/text.hpp"
#include "rapport/core/error.hpp"
#include "rapport/ingest/readers.hpp"

namespace rapport::bench {

namespace {
std::optional<std::string> g_dir;
}  // namespace

std::optional<std::string> corpus_dir(int& argc, char** argv) {
    for (int i = 1; i + 1 < argc; ++i) {
        if (std::strcmp(argv[i], "--corpus") == 0) {
            std::string dir = argv[i + 1];
            for (int j = i; j + 2 <= argc; ++j) argv[j] = argv[j + 2];
            argc -= 2;
            return dir;
        }
    }
    if (const char* env = std::getenv("RAPPORT_CORPUS"); env != nullptr && *env != '\0') return std::string(env);
    return std::nullopt;
}

corpus load_corpus(const std::string& dir, std::size_t limit) {
    corpus c;
    c.dir = dir;
    const std::filesystem::path base(dir);
    const auto docs = std::filesystem::exists(base / "docs.jsonl") ? base / "docs.jsonl" : base / "docs.jsonl.zst";
    ingest::jsonl_reader reader(docs);
    while (auto a = reader.next()) {
        c.text_bytes += a->body.size();
        c.docs.push_back(std::move(*a));
        if (limit != 0 && c.docs.size() >= limit) break;
    }
    std::ifstream q(base / "queries.tsv");
    if (!q) throw io_error((base / "queries.tsv").string(), "cannot open");
    std::string line;
    while (std::getline(q, line)) {
        const auto tab = line.find('\t');
        if (tab == std::string::npos) continue;
        c.queries.emplace_back(line.substr(0, tab), line.substr(tab + 1));
    }
    return c;
}

void set_corpus_dir(std::optional<std::string> dir) { g_dir = std::move(dir); }

const corpus* shared_corpus() {
    static const std::optional<corpus> loaded = []() -> std::optional<corpus> {
        if (!g_dir || !std::filesystem::is_directory(*g_dir)) {
            std::cerr << "corpus not found: pass --corpus DIR or set RAPPORT_CORPUS to the "
                         "wikipedia-2021-passages directory; corpus benchmarks are skipped\n";
            return std::nullopt;
        }
        return load_corpus(*g_dir);
    }();
    return loaded ? &*loaded : nullptr;
}

double percentile(std::vector<double>& values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
    return values[std::min(values.size() - 1, rank == 0 ? 0 : rank - 1)];
}

namespace {
using rapport::detail::is_ascii_space;

template <class F>
void for_each_word(std::string_view text, F&& f) {
    for (std::size_t i = 0; i < text.size();) {
        if (is_ascii_space(text[i])) {
            ++i;
            continue;
        }
        const std::size_t start = i;
        while (i < text.size() && !is_ascii_space(text[i])) ++i;
        f(text.substr(start, i - start));
    }
}
}  // namespace

std::size_t word_count(std::string_view text) {
    std::size_t n = 0;
    for_each_word(text, [&](std::string_view) { ++n; });
    return n;
}

std::optional<std::string> phrase_query_text(std::string_view text) {
    if (word_count(text) < 2) return std::nullopt;
    std::string out = "\"";
    for_each_word(text, [&](std::string_view w) {
        if (out.size() > 1) out += ' ';
        if (w == "?") {
            out += "\\?";
            return;
        }
        for (const char c : w) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
    });
    out += '"';
    return out;
}

}  // namespace rapport::bench

#include <benchmark/benchmark.h>

namespace rapport::bench {
int run_benchmarks(int argc, char** argv) {
    set_corpus_dir(corpus_dir(argc, argv));
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
}  // namespace rapport::bench
