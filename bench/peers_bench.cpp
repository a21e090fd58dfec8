// SPDX-License-Identifier: MIT
// rapport against its peers in one run: builds the same passages (text only; titles are not
// indexed) into rapport, SQLite FTS5 and, when it was found at configure time, Xapian 1.4; runs
// the same query log against each as ranked OR top-10; prints a table and rapport's ratios to
// each peer. A plain main, not Google benchmark: every figure comes from one long run.
//   peers_bench --corpus DIR [--limit N] [--queries N] [--json FILE] [--tmp DIR] [--systems rapport,fts5,xapian]
// Indexes are built single-threaded in a fresh temporary directory (removed at exit). Query
// latency is wall time per query in-process around parsing and retrieval of the top-10 ids (no
// text fetched), after one untimed warm pass. Single-threaded; run it on an otherwise idle machine.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "corpus.hpp"
#include "peers/fts5_peer.hpp"
#include "peers/peer.hpp"
#include "rapport/analysis/token_filter.hpp"
#include "rapport/index/disk_segment.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/index/index_writer.hpp"
#include "rapport/search/searcher.hpp"
#include "rapport/storage/fs_directory.hpp"
#if RAPPORT_HAVE_XAPIAN
#include "peers/xapian_peer.hpp"
#endif

namespace {

using rapport::bench::corpus;
using namespace rapport::bench::peers;

// ---------------------------------------------------------------------------------------------
// rapport. Everything that knows how rapport stores and opens its index is in this section, behind
// build_rapport / open_rapport / query_rapport: the on-disk index (index::index_writer over a
// storage::fs_directory, merged to one segment, then index::index_reader). To measure another
// configuration (RAM budget, threads, the in-memory index_builder), change only these functions.

struct rapport_index {
    std::filesystem::path dir;
    std::uint64_t bytes_with_text = 0;
    std::uint64_t bytes_without_text = 0;
};

std::string rapport_config() {
    return "index_writer + fs_directory, 64 MB RAM budget, merge_all; ICU words, casefold, 174 stopwords, "
           "Snowball english, positions; BM25 0.9/0.4, exhaustive OR";
}

build_figures build_rapport(const corpus& c, const std::string& dir, rapport_index& out) {
    build_figures f;
    f.passages = c.docs.size();
    const double cpu0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point t1;
    {
        rapport::index::index_writer writer(rapport::storage::fs_directory::create_or_open(dir));
        for (const auto& d : c.docs) writer.add_passage(d.id, d.title, d.body);
        t1 = std::chrono::steady_clock::now();
        writer.merge_all();  // commit, then one segment: what FTS5's 'optimize' does
    }
    const auto t2 = std::chrono::steady_clock::now();
    f.cpu_seconds = cpu_seconds() - cpu0;
    f.seconds = std::chrono::duration<double>(t2 - t0).count();
    f.finish_seconds = std::chrono::duration<double>(t2 - t1).count();

    out.dir = dir;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        out.bytes_with_text += e.file_size();
        if (e.path().extension() != std::string(".") + rapport::index::segment_files::stored)
            out.bytes_without_text += e.file_size();
    }
    f.index_bytes = f.live_bytes = out.bytes_with_text;
    return f;
}

rapport::index::index_reader open_reader(const rapport_index& r) {
    return rapport::index::index_reader::open(rapport::storage::fs_directory::open_existing(r.dir));
}

std::optional<double> open_rapport(const rapport_index& r) {
    return median_ms(11, [&] {
        const auto reader = open_reader(r);
        volatile auto n = reader.passage_count();
        (void)n;
    });
}

query_figures query_rapport(const rapport_index& r, const corpus& c, std::span<const query> queries) {
    const auto reader = open_reader(r);
    rapport::search::searcher searcher(reader);
    auto f = time_queries(queries, [&](std::string_view text, ranking& out) {
        out.clear();
        for (const auto& hit : searcher.top_k(searcher.analyze(text), {.k = 10})) out.push_back(hit.docid);
    });
    // Docids → passage numbers in corpus order (for the overlap with the peers), after timing.
    std::unordered_map<std::string, std::uint32_t> number;
    for (std::uint32_t i = 0; i < c.docs.size(); ++i) number.emplace(c.docs[i].id.value, i);
    std::unordered_map<std::uint32_t, std::uint32_t> passage_of;
    for (auto& top : f.top)
        for (auto& id : top) {
            auto [it, fresh] = passage_of.try_emplace(id, 0);
            if (fresh) {
                const auto [seg, local] = reader.locate(id);
                it->second = number.at(seg->article(seg->passage(local).article).id.value);
            }
            id = it->second;
        }
    return f;
}

// ---------------------------------------------------------------------------------------------
// Reporting.

struct options {
    std::size_t limit = 0;
    std::size_t queries = 0;
    std::string json;
    std::string tmp;
    std::string systems;  // comma-separated subset of rapport,fts5,xapian; empty: all
};

system_figures named(std::string name, std::string config) {
    system_figures s;
    s.name = std::move(name);
    s.config = std::move(config);
    return s;
}

// A temporary directory removed with its contents when the program leaves main.
struct temp_dir {
    std::filesystem::path path;
    explicit temp_dir(const std::string& base) {
        std::string tmpl = ((base.empty() ? std::filesystem::temp_directory_path() : std::filesystem::path(base)) /
                            "rapport-peers-XXXXXX").string();
        if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed in " + tmpl);
        path = tmpl;
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
};

// Share of rapport's top-10 ids that `other` also returned, over queries where rapport found any.
double overlap(const query_figures& rapport, const query_figures& other) {
    double sum = 0;
    std::size_t n = 0;
    for (std::size_t q = 0; q < rapport.top.size() && q < other.top.size(); ++q) {
        const auto& a = rapport.top[q];
        if (a.empty()) continue;
        std::size_t common = 0;
        for (auto id : a) common += std::count(other.top[q].begin(), other.top[q].end(), id) > 0 ? 1 : 0;
        sum += static_cast<double>(common) / static_cast<double>(a.size());
        ++n;
    }
    return n == 0 ? 0 : sum / static_cast<double>(n);
}

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string grouped(double v) {
    const auto digits = std::to_string(static_cast<long long>(v + 0.5));
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

std::string size_cell(std::optional<std::uint64_t> bytes, std::size_t text_bytes) {
    if (!bytes) return "-";
    return fixed(static_cast<double>(*bytes) / 1e6, 1) + " (" +
           fixed(static_cast<double>(*bytes) / static_cast<double>(text_bytes), 2) + ")";
}

std::string latency_cell(const query_figures& q, double us) { return q.queries == 0 ? "-" : fixed(us, 1); }

void print_table(const std::vector<system_figures>& systems, const corpus& c) {
    std::printf("%-23s %8s %11s %5s %16s %16s %7s %7s %8s %8s\n", "wall time", "build s", "passages/s", "MB/s",
                "index MB (xtext)", "no-text MB (x)", "open ms", "p50 us", "p99 us", "mean us");
    for (const auto& s : systems) {
        std::string build = "-", rate = "-", mbs = "-";
        if (s.build) {
            build = fixed(s.build->seconds, 2);
            rate = grouped(static_cast<double>(c.docs.size()) / s.build->seconds);
            mbs = fixed(static_cast<double>(c.text_bytes) / 1e6 / s.build->seconds, 1);
        }
        std::printf("%-23s %8s %11s %5s %16s %16s %7s %7s %8s %8s\n", s.name.c_str(), build.c_str(), rate.c_str(),
                    mbs.c_str(), size_cell(s.bytes_with_text, c.text_bytes).c_str(),
                    size_cell(s.bytes_without_text, c.text_bytes).c_str(),
                    s.open_ms ? fixed(*s.open_ms, 2).c_str() : "-", latency_cell(s.query, s.query.p50_us).c_str(),
                    latency_cell(s.query, s.query.p99_us).c_str(), latency_cell(s.query, s.query.mean_us).c_str());
    }
}

// The same runs in CPU time, which leaves out waiting for a core on a busy machine.
void print_cpu_table(const std::vector<system_figures>& systems, const std::string& load_before,
                     const std::string& load_after) {
    std::printf("%-23s %8s %11s %8s %8s %8s   (1-min load average %s at start, %s at end)\n", "CPU time", "build s",
                "passages/s", "p50 us", "p99 us", "mean us", load_before.c_str(), load_after.c_str());
    for (const auto& s : systems) {
        std::string build = "-", rate = "-";
        if (s.build) {
            build = fixed(s.build->cpu_seconds, 2);
            rate = grouped(static_cast<double>(s.build->passages) / s.build->cpu_seconds);
        }
        std::printf("%-23s %8s %11s %8s %8s %8s\n", s.name.c_str(), build.c_str(), rate.c_str(),
                    latency_cell(s.query, s.query.p50_cpu_us).c_str(), latency_cell(s.query, s.query.p99_cpu_us).c_str(),
                    latency_cell(s.query, s.query.mean_cpu_us).c_str());
    }
}

// "1.8x faster" when rapport takes less time than the peer, "2.0x slower" otherwise.
std::string speed(double rapport_value, double peer_value) {
    if (rapport_value <= 0 || peer_value <= 0) return "n/a";
    return rapport_value <= peer_value ? fixed(peer_value / rapport_value, 1) + "x faster"
                                       : fixed(rapport_value / peer_value, 1) + "x slower";
}

std::string size_ratio(std::optional<std::uint64_t> a, std::optional<std::uint64_t> b) {
    return a && b && *b != 0 ? fixed(static_cast<double>(*a) / static_cast<double>(*b), 2) + "x" : std::string("n/a");
}

// `peer_no_text`: the peer's index without stored text when it is a separate build (FTS5 contentless).
void print_ratios(const system_figures& r, const system_figures& peer, const system_figures* peer_no_text) {
    const auto* sized = peer_no_text != nullptr ? peer_no_text : &peer;
    std::string line = "rapport vs " + peer.name + ": indexing " + speed(r.build->seconds, peer.build->seconds) +
                       ", size " + size_ratio(r.bytes_without_text, sized->bytes_without_text);
    if (peer.compacted_bytes) line += " (" + size_ratio(r.bytes_without_text, peer.compacted_bytes) + " of compacted)";
    if (peer.bytes_with_text) line += ", with text " + size_ratio(r.bytes_with_text, peer.bytes_with_text);
    line += ", open " + (r.open_ms && peer.open_ms ? speed(*r.open_ms, *peer.open_ms) : std::string("n/a"));
    line += ", p50 " + speed(r.query.p50_us, peer.query.p50_us) + ", p99 " + speed(r.query.p99_us, peer.query.p99_us) +
            ", mean " + speed(r.query.mean_us, peer.query.mean_us);
    line += "; CPU: indexing " + speed(r.build->cpu_seconds, peer.build->cpu_seconds) + ", p50 " +
            speed(r.query.p50_cpu_us, peer.query.p50_cpu_us) + ", p99 " + speed(r.query.p99_cpu_us, peer.query.p99_cpu_us) +
            ", mean " + speed(r.query.mean_cpu_us, peer.query.mean_cpu_us);
    std::printf("%s\n", line.c_str());
}

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += ch;
        } else if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += ch;
        }
    }
    return out + "\"";
}

std::string json_number(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

void write_json(const std::string& file, const std::vector<system_figures>& systems, const corpus& c,
                std::size_t queries, const std::vector<std::string>& skipped) {
    std::ofstream out(file);
    if (!out) throw std::runtime_error("cannot write " + file);
    out << "{\n  \"corpus\": " << json_string(c.dir) << ",\n  \"passages\": " << c.docs.size()
        << ",\n  \"text_bytes\": " << c.text_bytes << ",\n  \"queries\": " << queries << ",\n  \"skipped\": [";
    for (std::size_t i = 0; i < skipped.size(); ++i) out << (i ? ", " : "") << json_string(skipped[i]);
    out << "],\n  \"systems\": [";
    const query_figures* rapport = systems.empty() || systems[0].name != "rapport" ? nullptr : &systems[0].query;
    for (std::size_t i = 0; i < systems.size(); ++i) {
        const auto& s = systems[i];
        out << (i ? "," : "") << "\n    {\"name\": " << json_string(s.name) << ", \"config\": " << json_string(s.config);
        if (s.build) {
            out << ",\n     \"build\": {\"seconds\": " << json_number(s.build->seconds)
                << ", \"cpu_seconds\": " << json_number(s.build->cpu_seconds)
                << ", \"finish_seconds\": " << json_number(s.build->finish_seconds)
                << ", \"passages\": " << s.build->passages
                << ", \"passages_per_s\": " << json_number(static_cast<double>(s.build->passages) / s.build->seconds)
                << ", \"mb_per_s\": " << json_number(static_cast<double>(c.text_bytes) / 1e6 / s.build->seconds)
                << ", \"index_bytes\": " << s.build->index_bytes << ", \"live_bytes\": " << s.build->live_bytes << "}";
        }
        if (s.bytes_with_text) out << ",\n     \"bytes_with_text\": " << *s.bytes_with_text;
        if (s.bytes_without_text) out << ",\n     \"bytes_without_text\": " << *s.bytes_without_text;
        if (s.compacted_bytes) out << ",\n     \"compacted_bytes\": " << *s.compacted_bytes;
        if (s.open_ms) out << ",\n     \"open_ms\": " << json_number(*s.open_ms);
        if (s.query.queries == 0) {
            out << "}";
            continue;
        }
        out << ",\n     \"query\": {\"queries\": " << s.query.queries << ", \"empty\": " << s.query.empty
            << ", \"p50_us\": " << json_number(s.query.p50_us) << ", \"p99_us\": " << json_number(s.query.p99_us)
            << ", \"mean_us\": " << json_number(s.query.mean_us)
            << ", \"p50_cpu_us\": " << json_number(s.query.p50_cpu_us)
            << ", \"p99_cpu_us\": " << json_number(s.query.p99_cpu_us)
            << ", \"mean_cpu_us\": " << json_number(s.query.mean_cpu_us)
            << ", \"top10_overlap_with_rapport\": " << json_number(rapport != nullptr ? overlap(*rapport, s.query) : 0)
            << "}}";
    }
    out << "\n  ]\n}\n";
}

std::optional<std::size_t> parse_count(const char* s) {
    char* end = nullptr;
    const auto v = std::strtoull(s, &end, 10);
    if (end == s || *end != '\0') return std::nullopt;
    return static_cast<std::size_t>(v);
}

// The 1-minute load average: figures taken while other work runs on the machine are inflated.
std::string load_average() {
    std::ifstream in("/proc/loadavg");
    std::string one;
    in >> one;
    return one.empty() ? "?" : one;
}

void progress(const std::string& what) { std::cerr << "peers_bench: " << what << std::endl; }

bool wanted(const options& opt, const std::string& system) {
    if (opt.systems.empty()) return true;
    const std::string list = "," + opt.systems + ",";
    return list.find("," + system + ",") != std::string::npos;
}

int run(int argc, char** argv) {
    const auto dir = rapport::bench::corpus_dir(argc, argv);
    options opt;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const bool has_value = i + 1 < argc;
        if ((arg == "--limit" || arg == "--queries") && has_value) {
            const auto n = parse_count(argv[++i]);
            if (!n) {
                std::cerr << "peers_bench: " << arg << " needs a number\n";
                return 2;
            }
            (arg == "--limit" ? opt.limit : opt.queries) = *n;
        } else if (arg == "--json" && has_value) {
            opt.json = argv[++i];
        } else if (arg == "--tmp" && has_value) {
            opt.tmp = argv[++i];
        } else if (arg == "--systems" && has_value) {
            opt.systems = argv[++i];
        } else {
            std::cerr << "usage: peers_bench --corpus DIR [--limit N] [--queries N] [--json FILE] [--tmp DIR]\n"
                         "                   [--systems rapport,fts5,xapian]\n";
            return arg == "--help" || arg == "-h" ? 0 : 2;
        }
    }
    if (!dir || !std::filesystem::is_directory(*dir)) {
        std::cout << "corpus not found: pass --corpus DIR or set RAPPORT_CORPUS to the wikipedia-2021-passages "
                     "directory; peers benchmark skipped\n";
        return 0;
    }

    const auto load_before = load_average();
    progress("loading " + *dir);
    const corpus c = rapport::bench::load_corpus(*dir, opt.limit);
    std::span<const query> queries(c.queries);
    if (opt.queries != 0 && opt.queries < queries.size()) queries = queries.first(opt.queries);
    const temp_dir tmp(opt.tmp);
    std::vector<system_figures> systems;
    std::vector<std::string> skipped;
    const auto& stopwords = rapport::analysis::english_stopwords();  // sorted

    if (wanted(opt, "rapport")) {
        progress("rapport: build");
        rapport_index r;
        auto s = named("rapport", rapport_config());
        s.build = build_rapport(c, (tmp.path / "rapport").string(), r);
        s.open_ms = open_rapport(r);
        s.bytes_with_text = r.bytes_with_text;
        s.bytes_without_text = r.bytes_without_text;
        progress("rapport: queries");
        s.query = query_rapport(r, c, queries);
        systems.push_back(std::move(s));
        std::filesystem::remove_all(r.dir);
    }
    if (wanted(opt, "fts5")) {
        const fts5_options fo{.contentless = false};
        const auto path = (tmp.path / "fts5.db").string();
        auto s = named("FTS5", fts5_config(fo));
        progress("FTS5: build");
        s.build = fts5_build(c, path, fo);
        s.open_ms = fts5_open_ms(path);
        s.bytes_with_text = s.build->index_bytes;
        progress("FTS5: queries");
        s.query = fts5_query(path, queries);
        systems.push_back(std::move(s));
        // The same index, queried without the stopwords rapport drops: separates the cost of
        // stopword postings from the rest.
        auto stop = named("FTS5 -query stopwords", "FTS5 index; rapport's 174 stopwords removed from the queries");
        progress(stop.name);
        stop.query = fts5_query(path, queries, stopwords);
        systems.push_back(std::move(stop));
        std::filesystem::remove(path);

        // Built for its size (comparable with rapport without stored text) and open time. Its
        // queries are not timed: bm25 reads the same index and docsize records as with content,
        // and another two passes over the log would add half an hour.
        const fts5_options contentless{.contentless = true};
        const auto cpath = (tmp.path / "fts5-contentless.db").string();
        auto cs = named("FTS5 contentless", fts5_config(contentless));
        progress("FTS5 contentless: build");
        cs.build = fts5_build(c, cpath, contentless);
        cs.open_ms = fts5_open_ms(cpath);
        cs.bytes_without_text = cs.build->index_bytes;
        for (auto& fts5 : systems)
            if (fts5.name == "FTS5") fts5.bytes_without_text = cs.build->index_bytes;
        systems.push_back(std::move(cs));
        std::filesystem::remove(cpath);
    }
    if (wanted(opt, "xapian")) {
#if RAPPORT_HAVE_XAPIAN
        const auto path = (tmp.path / "xapian").string();
        auto s = named("Xapian", xapian_config());
        progress("Xapian: build");
        s.build = xapian_build(c, path);
        s.open_ms = xapian_open_ms(path);
        s.bytes_without_text = s.build->index_bytes;
        progress("Xapian: compact");
        const auto compacted = xapian_compact(path, (tmp.path / "xapian-compact").string());
        s.compacted_bytes = compacted.bytes;
        s.config += "; compact (not in build s) " + fixed(compacted.seconds, 1) + " s to " +
                    fixed(static_cast<double>(compacted.bytes) / 1e6, 1) + " MB";
        std::filesystem::remove_all(tmp.path / "xapian-compact");
        progress("Xapian: queries");
        s.query = xapian_query(path, queries);
        systems.push_back(std::move(s));
        auto stop = named("Xapian -query stopwords", "Xapian; QueryParser SimpleStopper with rapport's 174 stopwords");
        progress(stop.name);
        stop.query = xapian_query(path, queries, stopwords);
        systems.push_back(std::move(stop));
#else
        skipped.emplace_back("Xapian");
#endif
    }
    const auto load_after = load_average();

    std::printf("corpus: %zu passages, %.1f MB of text (titles not indexed), %zu queries, top-10 ranked OR, "
                "1 thread, warm\n\n",
                c.docs.size(), static_cast<double>(c.text_bytes) / 1e6, queries.size());
    print_table(systems, c);
    std::printf("\n");
    print_cpu_table(systems, load_before, load_after);
    std::printf("\n");
    const auto find = [&](const std::string& name) -> const system_figures* {
        for (const auto& s : systems)
            if (s.name == name) return &s;
        return nullptr;
    };
    const auto* rapport = find("rapport");
    if (rapport != nullptr) {
        if (const auto* f = find("FTS5")) print_ratios(*rapport, *f, find("FTS5 contentless"));
        if (const auto* x = find("Xapian")) print_ratios(*rapport, *x, nullptr);
    }
    for (const auto& name : skipped) std::printf("%s: not installed, skipped\n", name.c_str());
    if (rapport != nullptr) {
        std::printf("queries without hits / top-10 overlap with rapport:");
        for (const auto& s : systems)
            if (s.query.queries != 0)
                std::printf("%s %s %zu/%.0f%%", &s == &systems[0] ? "" : ",", s.name.c_str(), s.query.empty,
                            100 * overlap(rapport->query, s.query));
        std::printf("\n");
    }
    std::printf("\nsettings:\n");
    for (const auto& s : systems) {
        if (!s.build || s.name == "FTS5 contentless") continue;
        std::printf("  %s: %s", s.name.c_str(), s.config.c_str());
        if (s.build->live_bytes != s.build->index_bytes)
            std::printf(" (file %.1f MB, %.1f MB without free pages)", static_cast<double>(s.build->index_bytes) / 1e6,
                        static_cast<double>(s.build->live_bytes) / 1e6);
        std::printf("\n");
    }
    if (!opt.json.empty()) {
        write_json(opt.json, systems, c, queries.size(), skipped);
        std::printf("JSON written to %s\n", opt.json.c_str());
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "peers_bench: " << e.what() << '\n';
        return 1;
    }
}
