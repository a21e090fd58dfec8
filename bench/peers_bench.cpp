// SPDX-License-Identifier: MIT
// rapport against its peers in one run: builds the same passages (text only; titles are not
// indexed) into rapport, SQLite FTS5 and, when it was found at configure time, Xapian 1.4 (each
// with positions); then runs the same query log against each as three query types, top-10 ranked
// by each system's BM25:
//   - OR: rapport once per evaluation algorithm (exhaustive, MaxScore, block-max WAND, automatic),
//     FTS5 `"a" OR "b"` with bm25(), Xapian OP_OR; the peers also without rapport's stopwords;
//   - AND: rapport's block-max AND (algorithm automatic), FTS5 `"a" AND "b"`, Xapian OP_AND; the
//     peers also without rapport's stopwords (which rapport drops at analysis);
//   - phrase: every query of at least two words as one phrase: rapport's query_searcher on
//     `"w1 w2 ..."` (stemmed; removed stopwords leave position gaps), FTS5 `"w1 w2 ..."` (porter
//     stems; stopwords are indexed and required), Xapian OP_PHRASE from QueryParser (unstemmed
//     positional terms, stopwords required).
// Reported: build time, index size and open time per system; per system and query type p50/p99/mean
// latency (wall and thread CPU time) and the peer / rapport ratios (OR against rapport's automatic);
// as sanity checks, that rapport's pruning algorithms return the same top-10 ids as exhaustive
// evaluation, each peer's top-10 overlap with rapport's, and, for AND and phrase, each system's
// number of matching passages per query (counted in an untimed pass) next to rapport's. The
// systems analyse text differently (Snowball vs Porter stemmers, stopwords, tokenizers), so counts
// agree only roughly; the stopword-free AND variants are the closest comparison.
// A plain main, not Google benchmark: every figure comes from one long run.
//   peers_bench --corpus DIR [--limit N] [--queries N] [--json FILE] [--tmp DIR]
//               [--systems rapport,fts5,xapian] [--types or,and,phrase]
// Indexes are built single-threaded in a fresh temporary directory (removed at exit). Query
// latency is wall time per query in-process around parsing and retrieval of the top-10 ids (no
// text fetched), after one untimed warm pass of the same queries. Single-threaded; run it on an
// otherwise idle machine (the 1-minute load average at start and end is printed).
#include <algorithm>
#include <chrono>
#include <cmath>
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
#include "rapport/query/query.hpp"
#include "rapport/search/query_searcher.hpp"
#include "rapport/search/searcher.hpp"
#include "rapport/storage/fs_directory.hpp"
#if RAPPORT_HAVE_XAPIAN
#include "peers/xapian_peer.hpp"
#endif

namespace {

using rapport::bench::corpus;
using namespace rapport::bench::peers;

// One timed run of one query type by one system (or one configuration of it).
struct query_row {
    std::string system;   // "rapport", "FTS5", "Xapian"
    std::string variant;  // how the system ran it: rapport's algorithm, "-query stopwords", ...
    query_type type = query_type::any;
    query_figures f;

    [[nodiscard]] std::string label() const { return variant.empty() ? system : system + " " + variant; }
};

struct options {
    std::size_t limit = 0;
    std::size_t queries = 0;
    std::string json;
    std::string tmp;
    std::string systems;  // comma-separated subset of rapport,fts5,xapian; empty: all
    std::string types;    // comma-separated subset of or,and,phrase; empty: all
};

bool listed(const std::string& list, const std::string& item) {
    return list.empty() || ("," + list + ",").find("," + item + ",") != std::string::npos;
}
bool wanted(const options& opt, const std::string& system) { return listed(opt.systems, system); }
bool wanted(const options& opt, query_type type) {
    return listed(opt.types, type == query_type::any ? "or" : type == query_type::all ? "and" : "phrase");
}

std::optional<std::size_t> parse_count(const char* s) {
    char* end = nullptr;
    const auto v = std::strtoull(s, &end, 10);
    if (end == s || *end != '\0') return std::nullopt;
    return static_cast<std::size_t>(v);
}

// The 1-, 5- and 15-minute load averages: figures taken while other work runs on the machine are inflated.
std::string load_average() {
    std::ifstream in("/proc/loadavg");
    std::string one, five, fifteen;
    in >> one >> five >> fifteen;
    return one.empty() ? "?" : one + " " + five + " " + fifteen;
}

void progress(const std::string& what) { std::cerr << "peers_bench: " << what << std::endl; }

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
           "Snowball english, positions; BM25 0.9/0.4; OR: searcher with each algorithm; AND: searcher, "
           "block-max AND; phrase: query_searcher (query-language \"...\", stemmed, stopwords leave gaps)";
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

// The rapport rows: OR with each algorithm, AND, phrase (as `wanted`). Docids are mapped to passage
// numbers in corpus order afterwards (for the comparisons with the peers), untimed.
std::vector<query_row> query_rapport(const rapport_index& r, const corpus& c, std::span<const query> log,
                                     std::span<const query> phrases, const options& opt,
                                     std::vector<std::string>& examples) {
    using rapport::search::algorithm;
    using rapport::search::match_mode;
    const auto reader = open_reader(r);
    rapport::search::searcher searcher(reader);
    rapport::search::query_searcher trees(reader);
    std::vector<query_row> rows;
    if (wanted(opt, query_type::any)) {
        const std::pair<const char*, algorithm> algorithms[] = {{"exhaustive", algorithm::exhaustive},
                                                                {"maxscore", algorithm::maxscore},
                                                                {"block_max_wand", algorithm::block_max_wand},
                                                                {"automatic", algorithm::automatic}};
        for (const auto& [name, algo] : algorithms) {
            progress("rapport: OR queries, " + std::string(name));
            const rapport::search::search_options o{.k = 10, .mode = match_mode::any, .algorithm = algo};
            auto f = time_queries(log, [&](std::string_view text, ranking& out) {
                out.clear();
                for (const auto& d : searcher.top_k(searcher.analyze(text), o)) out.push_back(d.docid);
            });
            rows.push_back({"rapport", name, query_type::any, std::move(f)});
        }
    }
    if (wanted(opt, query_type::all)) {
        progress("rapport: AND queries");
        const rapport::search::search_options o{.k = 10, .mode = match_mode::all};
        auto f = time_queries(log, [&](std::string_view text, ranking& out) {
            out.clear();
            for (const auto& d : searcher.top_k(searcher.analyze(text), o)) out.push_back(d.docid);
        });
        f.matches = count_matches(log, [&](std::string_view text) {
            return searcher.count(searcher.analyze(text), o);
        });
        rows.push_back({"rapport", "", query_type::all, std::move(f)});
    }
    if (wanted(opt, query_type::phrase) && !phrases.empty()) {
        progress("rapport: phrase queries");
        const rapport::search::query_search_options o{.k = 10};
        auto f = time_queries(phrases, [&](std::string_view text, ranking& out) {
            out.clear();
            const auto tree = trees.parse(*rapport::bench::phrase_query_text(text));
            for (const auto& d : trees.top_k(tree, o)) out.push_back(d.docid);
        });
        f.matches = count_matches(phrases, [&](std::string_view text) {
            rapport::search::query_search_info info;
            (void)trees.top_k(trees.parse(*rapport::bench::phrase_query_text(text)), o, &info);
            return info.matches;
        });
        rows.push_back({"rapport", "", query_type::phrase, std::move(f)});
        const auto& first = phrases.front().second;
        examples.push_back("rapport phrase: " + *rapport::bench::phrase_query_text(first) + " -> " +
                           rapport::query::to_string(trees.parse(*rapport::bench::phrase_query_text(first))));
    }
    // Docids → passage numbers in corpus order.
    std::unordered_map<std::string, std::uint32_t> number;
    for (std::uint32_t i = 0; i < c.docs.size(); ++i) number.emplace(c.docs[i].id.value, i);
    std::unordered_map<std::uint32_t, std::uint32_t> passage_of;
    for (auto& row : rows)
        for (auto& top : row.f.top)
            for (auto& id : top) {
                auto [it, fresh] = passage_of.try_emplace(id, 0);
                if (fresh) {
                    const auto [seg, local] = reader.locate(id);
                    it->second = number.at(seg->article(seg->passage(local).article).id.value);
                }
                id = it->second;
            }
    return rows;
}

// ---------------------------------------------------------------------------------------------
// Reporting.

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

// "1.8x faster" when rapport takes less time than the peer, "2.0x slower" otherwise.
std::string speed(double rapport_value, double peer_value) {
    if (rapport_value <= 0 || peer_value <= 0) return "n/a";
    return rapport_value <= peer_value ? fixed(peer_value / rapport_value, 1) + "x faster"
                                       : fixed(rapport_value / peer_value, 1) + "x slower";
}

std::string size_ratio(std::optional<std::uint64_t> a, std::optional<std::uint64_t> b) {
    return a && b && *b != 0 ? fixed(static_cast<double>(*a) / static_cast<double>(*b), 2) + "x" : std::string("n/a");
}

// The rapport row a peer's row of `type` is compared with: OR against `automatic` (what users get)
// for latency, against `exhaustive` (the oracle) for answers; AND and phrase against the one row.
const query_row* reference(const std::vector<query_row>& rows, query_type type, bool answers) {
    for (const auto& r : rows)
        if (r.system == "rapport" && r.type == type &&
            (type != query_type::any || r.variant == (answers ? "exhaustive" : "automatic")))
            return &r;
    return nullptr;
}

// Share of the reference's top-10 ids that `other` also returned, over queries where it found any.
double overlap(const query_figures& ref, const query_figures& other) {
    double sum = 0;
    std::size_t n = 0;
    for (std::size_t q = 0; q < ref.top.size() && q < other.top.size(); ++q) {
        const auto& a = ref.top[q];
        if (a.empty()) continue;
        std::size_t common = 0;
        for (auto id : a) common += std::count(other.top[q].begin(), other.top[q].end(), id) > 0 ? 1 : 0;
        sum += static_cast<double>(common) / static_cast<double>(a.size());
        ++n;
    }
    return n == 0 ? 0 : sum / static_cast<double>(n);
}

// Queries whose top-10 id lists are identical (same ids, same order).
std::size_t identical(const query_figures& a, const query_figures& b) {
    std::size_t n = 0;
    for (std::size_t q = 0; q < a.top.size() && q < b.top.size(); ++q) n += a.top[q] == b.top[q] ? 1 : 0;
    return n;
}

double mean_matches(const query_figures& f) {
    double sum = 0;
    for (auto m : f.matches) sum += static_cast<double>(m);
    return f.matches.empty() ? 0 : sum / static_cast<double>(f.matches.size());
}

// How often a system's match counts agree with the reference's, over the queries where either
// system found a match (queries where neither does would swamp the figure: most AND and phrase
// queries match nothing in passages this short).
struct agreement {
    std::size_t compared = 0;  // queries where either count is non-zero
    std::size_t equal = 0;     // ... with equal counts
    std::size_t close = 0;     // ... with counts within 10% of the larger
};

agreement matches_agree(const query_figures& ref, const query_figures& other) {
    agreement a;
    const std::size_t n = std::min(ref.matches.size(), other.matches.size());
    for (std::size_t q = 0; q < n; ++q) {
        const double x = static_cast<double>(ref.matches[q]);
        const double y = static_cast<double>(other.matches[q]);
        if (x == 0 && y == 0) continue;
        ++a.compared;
        a.equal += x == y ? 1 : 0;
        a.close += std::abs(x - y) <= 0.1 * std::max(x, y) ? 1 : 0;
    }
    return a;
}

std::size_t queries_matching(const query_figures& f) {
    std::size_t n = 0;
    for (auto m : f.matches) n += m != 0 ? 1 : 0;
    return n;
}

double ratio(double peer, double rapport) { return rapport > 0 ? peer / rapport : 0; }

void print_build_table(const std::vector<system_figures>& systems, const corpus& c) {
    std::printf("%-23s %8s %11s %5s %16s %16s %7s %11s %11s\n", "build (wall time)", "build s", "passages/s", "MB/s",
                "index MB (xtext)", "no-text MB (x)", "open ms", "CPU build s", "CPU pass./s");
    for (const auto& s : systems) {
        std::string build = "-", rate = "-", mbs = "-", cpu = "-", cpu_rate = "-";
        if (s.build) {
            build = fixed(s.build->seconds, 2);
            rate = grouped(static_cast<double>(c.docs.size()) / s.build->seconds);
            mbs = fixed(static_cast<double>(c.text_bytes) / 1e6 / s.build->seconds, 1);
            cpu = fixed(s.build->cpu_seconds, 2);
            cpu_rate = grouped(static_cast<double>(s.build->passages) / s.build->cpu_seconds);
        }
        std::printf("%-23s %8s %11s %5s %16s %16s %7s %11s %11s\n", s.name.c_str(), build.c_str(), rate.c_str(),
                    mbs.c_str(), size_cell(s.bytes_with_text, c.text_bytes).c_str(),
                    size_cell(s.bytes_without_text, c.text_bytes).c_str(),
                    s.open_ms ? fixed(*s.open_ms, 2).c_str() : "-", cpu.c_str(), cpu_rate.c_str());
    }
}

// `peer_no_text`: the peer's index without stored text when it is a separate build (FTS5 contentless).
void print_build_ratios(const system_figures& r, const system_figures& peer, const system_figures* peer_no_text) {
    const auto* sized = peer_no_text != nullptr ? peer_no_text : &peer;
    std::string line = "rapport vs " + peer.name + ": indexing " + speed(r.build->seconds, peer.build->seconds) +
                       " (CPU " + speed(r.build->cpu_seconds, peer.build->cpu_seconds) + "), size " +
                       size_ratio(r.bytes_without_text, sized->bytes_without_text);
    if (peer.compacted_bytes) line += " (" + size_ratio(r.bytes_without_text, peer.compacted_bytes) + " of compacted)";
    if (peer.bytes_with_text) line += ", with text " + size_ratio(r.bytes_with_text, peer.bytes_with_text);
    line += ", open " + (r.open_ms && peer.open_ms ? speed(*r.open_ms, *peer.open_ms) : std::string("n/a"));
    std::printf("%s\n", line.c_str());
}

std::string cell(double v, int decimals = 1) { return v > 0 ? fixed(v, decimals) : std::string("-"); }

void print_query_table(const std::vector<query_row>& rows) {
    std::printf("%-30s %-6s %7s %6s %9s %9s %9s %9s %9s %9s %11s %8s\n", "queries (top-10)", "type", "queries",
                "empty", "p50 us", "p99 us", "mean us", "CPU p50", "CPU p99", "CPU mean", "matches/q", "overlap");
    for (const auto& r : rows) {
        const auto* ref = reference(rows, r.type, true);
        const std::string ov = ref != nullptr && ref != &r ? fixed(100 * overlap(ref->f, r.f), 0) + "%" : "-";
        std::printf("%-30s %-6s %7zu %6zu %9s %9s %9s %9s %9s %9s %11s %8s\n", r.label().c_str(), type_name(r.type),
                    r.f.queries, r.f.empty, fixed(r.f.p50_us, 1).c_str(), fixed(r.f.p99_us, 1).c_str(),
                    fixed(r.f.mean_us, 1).c_str(), fixed(r.f.p50_cpu_us, 1).c_str(), fixed(r.f.p99_cpu_us, 1).c_str(),
                    fixed(r.f.mean_cpu_us, 1).c_str(), r.f.matches.empty() ? "-" : fixed(mean_matches(r.f), 2).c_str(),
                    ov.c_str());
    }
}

void print_ratio_table(const std::vector<query_row>& rows) {
    std::printf("%-30s %-6s %9s %9s %9s %9s %9s %9s   (peer / rapport; OR vs rapport automatic)\n", "ratios",
                "type", "p50", "p99", "mean", "CPU p50", "CPU p99", "CPU mean");
    for (const auto& r : rows) {
        if (r.system == "rapport") continue;
        const auto* ref = reference(rows, r.type, false);
        if (ref == nullptr) continue;
        std::printf("%-30s %-6s %9s %9s %9s %9s %9s %9s\n", r.label().c_str(), type_name(r.type),
                    cell(ratio(r.f.p50_us, ref->f.p50_us)).c_str(), cell(ratio(r.f.p99_us, ref->f.p99_us)).c_str(),
                    cell(ratio(r.f.mean_us, ref->f.mean_us)).c_str(),
                    cell(ratio(r.f.p50_cpu_us, ref->f.p50_cpu_us)).c_str(),
                    cell(ratio(r.f.p99_cpu_us, ref->f.p99_cpu_us)).c_str(),
                    cell(ratio(r.f.mean_cpu_us, ref->f.mean_cpu_us)).c_str());
    }
}

// What is compared: rapport's algorithms must return the same ids as exhaustive evaluation (pruning
// is safe; ties are broken by docid in every algorithm); match counts of AND and phrase per system.
void print_sanity(const std::vector<query_row>& rows) {
    if (const auto* ex = reference(rows, query_type::any, true)) {
        std::printf("rapport OR, same top-10 ids as exhaustive:");
        for (const auto& r : rows)
            if (r.system == "rapport" && r.type == query_type::any && &r != ex)
                std::printf(" %s %zu/%zu", r.variant.c_str(), identical(ex->f, r.f), r.f.queries);
        std::printf("\n");
    }
    for (const auto type : {query_type::all, query_type::phrase}) {
        const auto* ref = reference(rows, type, true);
        if (ref == nullptr || ref->f.matches.empty()) continue;
        std::printf("%s matches per query: rapport %.2f (%zu queries match)", type_name(type), mean_matches(ref->f),
                    queries_matching(ref->f));
        for (const auto& r : rows) {
            if (&r == ref || r.type != type || r.f.matches.empty()) continue;
            const auto a = matches_agree(ref->f, r.f);
            std::printf("; %s %.2f (%zu match; count equal to rapport's in %zu/%zu queries where either matches, "
                        "within 10%% in %zu)",
                        r.label().c_str(), mean_matches(r.f), queries_matching(r.f), a.equal, a.compared, a.close);
        }
        std::printf("\n");
    }
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

void write_json(const std::string& file, const std::vector<system_figures>& systems, const std::vector<query_row>& rows,
                const corpus& c, std::size_t queries, std::size_t phrases, const std::string& load_before,
                const std::string& load_after, const std::vector<std::string>& skipped) {
    std::ofstream out(file);
    if (!out) throw std::runtime_error("cannot write " + file);
    out << "{\n  \"corpus\": " << json_string(c.dir) << ",\n  \"passages\": " << c.docs.size()
        << ",\n  \"text_bytes\": " << c.text_bytes << ",\n  \"queries\": " << queries
        << ",\n  \"phrase_queries\": " << phrases << ",\n  \"load_average_start\": " << json_string(load_before)
        << ",\n  \"load_average_end\": " << json_string(load_after) << ",\n  \"skipped\": [";
    for (std::size_t i = 0; i < skipped.size(); ++i) out << (i ? ", " : "") << json_string(skipped[i]);
    out << "],\n  \"systems\": [";
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
        out << "}";
    }
    out << "\n  ],\n  \"query_runs\": [";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        const auto& f = r.f;
        out << (i ? "," : "") << "\n    {\"system\": " << json_string(r.system)
            << ", \"variant\": " << json_string(r.variant) << ", \"type\": " << json_string(type_name(r.type))
            << ", \"queries\": " << f.queries << ", \"empty\": " << f.empty
            << ",\n     \"p50_us\": " << json_number(f.p50_us)
            << ", \"p99_us\": " << json_number(f.p99_us) << ", \"mean_us\": " << json_number(f.mean_us)
            << ", \"p50_cpu_us\": " << json_number(f.p50_cpu_us) << ", \"p99_cpu_us\": " << json_number(f.p99_cpu_us)
            << ", \"mean_cpu_us\": " << json_number(f.mean_cpu_us);
        if (const auto* ref = reference(rows, r.type, true); ref != nullptr && ref != &r) {
            out << ",\n     \"top10_overlap_with_rapport\": " << json_number(overlap(ref->f, f))
                << ", \"same_top10_as_rapport\": " << identical(ref->f, f);
            if (!f.matches.empty() && !ref->f.matches.empty()) {
                const auto a = matches_agree(ref->f, f);
                out << ",\n     \"matches_compared\": {\"queries_where_either_matches\": " << a.compared
                    << ", \"equal_to_rapport\": " << a.equal << ", \"within_10pct\": " << a.close << "}";
            }
        }
        if (!f.matches.empty())
            out << ", \"matches_mean\": " << json_number(mean_matches(f))
                << ", \"queries_matching\": " << queries_matching(f);
        if (const auto* ref = reference(rows, r.type, false); ref != nullptr && ref != &r)
            out << ",\n     \"ratio_to_rapport\": {\"against\": " << json_string(ref->label())
                << ", \"p50\": " << json_number(ratio(f.p50_us, ref->f.p50_us))
                << ", \"p99\": " << json_number(ratio(f.p99_us, ref->f.p99_us))
                << ", \"mean\": " << json_number(ratio(f.mean_us, ref->f.mean_us))
                << ", \"p50_cpu\": " << json_number(ratio(f.p50_cpu_us, ref->f.p50_cpu_us))
                << ", \"p99_cpu\": " << json_number(ratio(f.p99_cpu_us, ref->f.p99_cpu_us))
                << ", \"mean_cpu\": " << json_number(ratio(f.mean_cpu_us, ref->f.mean_cpu_us)) << "}";
        out << "}";
    }
    out << "\n  ]\n}\n";
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
        } else if (arg == "--types" && has_value) {
            opt.types = argv[++i];
        } else {
            std::cerr << "usage: peers_bench --corpus DIR [--limit N] [--queries N] [--json FILE] [--tmp DIR]\n"
                         "                   [--systems rapport,fts5,xapian] [--types or,and,phrase]\n";
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
    std::span<const query> log(c.queries);
    if (opt.queries != 0 && opt.queries < log.size()) log = log.first(opt.queries);
    // The phrase queries: those of the log with at least two words, the same set for every system.
    std::vector<query> phrase_log;
    for (const auto& q : log)
        if (rapport::bench::word_count(q.second) >= 2) phrase_log.push_back(q);
    const std::span<const query> phrases(phrase_log);
    const bool any = wanted(opt, query_type::any), all = wanted(opt, query_type::all);
    const bool phrase = wanted(opt, query_type::phrase) && !phrases.empty();

    const temp_dir tmp(opt.tmp);
    std::vector<system_figures> systems;
    std::vector<query_row> rows;
    std::vector<std::string> skipped;
    std::vector<std::string> examples;
    const auto& stopwords = rapport::analysis::english_stopwords();  // sorted

    if (wanted(opt, "rapport")) {
        progress("rapport: build");
        rapport_index r;
        auto s = named("rapport", rapport_config());
        s.build = build_rapport(c, (tmp.path / "rapport").string(), r);
        s.open_ms = open_rapport(r);
        s.bytes_with_text = r.bytes_with_text;
        s.bytes_without_text = r.bytes_without_text;
        systems.push_back(std::move(s));
        for (auto& row : query_rapport(r, c, log, phrases, opt, examples)) rows.push_back(std::move(row));
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
        // Each type as written, and OR / AND without the stopwords rapport drops: that separates the
        // cost of stopword postings from the rest, and AND's match counts become comparable.
        const auto run_fts5 = [&](query_type type, std::span<const query> qs, bool drop_stopwords) {
            const std::string variant = drop_stopwords ? "-query stopwords" : "";
            progress("FTS5: " + std::string(type_name(type)) + " queries " + variant);
            rows.push_back({"FTS5", variant, type,
                            fts5_query(path, qs, type, drop_stopwords ? std::span<const std::string>(stopwords)
                                                                      : std::span<const std::string>{},
                                       type != query_type::any)});
        };
        if (any) run_fts5(query_type::any, log, false);
        if (any) run_fts5(query_type::any, log, true);
        if (all) run_fts5(query_type::all, log, false);
        if (all) run_fts5(query_type::all, log, true);
        if (phrase) {
            run_fts5(query_type::phrase, phrases, false);
            examples.push_back("FTS5 phrase: MATCH '" + fts5_expression(phrases.front().second, query_type::phrase) +
                               "'");
        }
        if (!log.empty() && all)
            examples.push_back("FTS5 AND: MATCH '" + fts5_expression(log.front().second, query_type::all) + "'");
        systems.push_back(std::move(s));
        std::filesystem::remove(path);

        // Built for its size (comparable with rapport without stored text) and open time. Its
        // queries are not timed: bm25 reads the same index and docsize records as with content.
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
        const auto run_xapian = [&](query_type type, std::span<const query> qs, bool drop_stopwords) {
            const std::string variant = drop_stopwords ? "-query stopwords" : "";
            progress("Xapian: " + std::string(type_name(type)) + " queries " + variant);
            rows.push_back({"Xapian", variant, type,
                            xapian_query(path, qs, type, drop_stopwords ? std::span<const std::string>(stopwords)
                                                                        : std::span<const std::string>{},
                                         type != query_type::any)});
        };
        if (any) run_xapian(query_type::any, log, false);
        if (any) run_xapian(query_type::any, log, true);
        if (all) run_xapian(query_type::all, log, false);
        if (all) run_xapian(query_type::all, log, true);
        if (phrase) {
            run_xapian(query_type::phrase, phrases, false);
            examples.push_back("Xapian phrase: " + xapian_describe(path, phrases.front().second, query_type::phrase));
        }
        if (!log.empty() && all)
            examples.push_back("Xapian AND: " + xapian_describe(path, log.front().second, query_type::all));
        systems.push_back(std::move(s));
#else
        skipped.emplace_back("Xapian");
#endif
    }
    const auto load_after = load_average();

    std::printf("corpus: %zu passages, %.1f MB of text (titles not indexed); %zu queries (%zu of >= 2 words for "
                "phrases); top-10, 1 thread, warm; load average %s at start, %s at end\n\n",
                c.docs.size(), static_cast<double>(c.text_bytes) / 1e6, log.size(), phrases.size(),
                load_before.c_str(), load_after.c_str());
    print_build_table(systems, c);
    const auto find = [&](const std::string& name) -> const system_figures* {
        for (const auto& s : systems)
            if (s.name == name) return &s;
        return nullptr;
    };
    if (const auto* rapport = find("rapport")) {
        if (const auto* f = find("FTS5")) print_build_ratios(*rapport, *f, find("FTS5 contentless"));
        if (const auto* x = find("Xapian")) print_build_ratios(*rapport, *x, nullptr);
    }
    for (const auto& name : skipped) std::printf("%s: not installed, skipped\n", name.c_str());
    std::printf("\n");
    print_query_table(rows);
    std::printf("(latencies in us; overlap: share of rapport's top-10 ids (exhaustive for OR) also returned)\n\n");
    print_ratio_table(rows);
    std::printf("\n");
    print_sanity(rows);
    std::printf("\nsettings:\n");
    for (const auto& s : systems) {
        if (!s.build || s.name == "FTS5 contentless") continue;
        std::printf("  %s: %s", s.name.c_str(), s.config.c_str());
        if (s.build->live_bytes != s.build->index_bytes)
            std::printf(" (file %.1f MB, %.1f MB without free pages)", static_cast<double>(s.build->index_bytes) / 1e6,
                        static_cast<double>(s.build->live_bytes) / 1e6);
        std::printf("\n");
    }
    if (!examples.empty()) {
        std::printf("what is run, first queries of the log:\n");
        for (const auto& e : examples) std::printf("  %s\n", e.c_str());
    }
    if (!opt.json.empty()) {
        write_json(opt.json, systems, rows, c, log.size(), phrases.size(), load_before, load_after, skipped);
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
