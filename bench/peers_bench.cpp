// SPDX-License-Identifier: MIT
// rapport against its peers in one run: builds the same passages (the peers index the text only;
// rapport also its title field, which its rows leave out: they search the body) into rapport, SQLite FTS5, and, when they were found at configure time, Xapian 1.4
// (RAPPORT_HAVE_XAPIAN) and Lucene 4.10 (RAPPORT_HAVE_LUCENE), each with positions; then runs the
// same query log against each as three query types, top-k (--k, default 10) ranked by each
// system's BM25:
//   - OR: rapport once per evaluation algorithm (exhaustive, MaxScore, block-max WAND, automatic)
//     and once through searcher on the text as the query language (what the CLI runs), FTS5 `"a" OR "b"` with bm25(), Xapian OP_OR, Lucene a BooleanQuery of SHOULD TermQuerys; FTS5
//     and Xapian also without rapport's stopwords;
//   - AND: rapport's block-max AND (algorithm automatic), FTS5 `"a" AND "b"`, Xapian OP_AND, Lucene
//     MUST clauses; FTS5 and Xapian also without rapport's stopwords (which rapport drops at analysis);
//   - phrase: every query of at least two words as one phrase: rapport's searcher on
//     `"w1 w2 ..."` (stemmed; removed stopwords leave position gaps), FTS5 `"w1 w2 ..."` (porter
//     stems; stopwords are indexed and required), Xapian OP_PHRASE from QueryParser (unstemmed
//     positional terms, stopwords required), Lucene a PhraseQuery of the EnglishAnalyzer's terms at
//     their positions (stemmed; its 33 stopwords leave gaps).
// The rapport CLI rows ("rapport CLI trec", "rapport CLI json"; OR only) run the `rapport` tool on
// rapport's index as a subprocess, `rapport search --index DIR --queries FILE -k K --format trec|json
// --fields body --warmup 1 --timings FILE` (--cli-fields LIST for other fields; the peers index the
// passage text only), with the queries in the CLI's query language (its default), and read
// its own per-query microseconds (see query_rapport_cli for what they cover). The tool is the
// rapport_cli target's binary (a CMake define) unless --rapport-cli PATH names another; --no-cli
// skips them.
// Lucene (bench/peers/lucene_peer.hpp) runs in a JVM: LucenePeer.java, compiled by CMake against
// Debian's jars, builds the index from a passages file written into the temporary directory and
// times the queries inside the JVM (one untimed warm pass for the JIT, then the timed pass, wall
// and thread CPU time around analysis and IndexSearcher.search); --lucene-heap sets -Xms/-Xmx
// (default 4g), --lucene-warmup N its number of warm passes (default 1, as every system gets; the
// JIT is still compiling after one, so N = 5 shows Lucene closer to its steady state). Without Java or the jars the Lucene rows are skipped, and the report says so.
// Reported: build time, index size and open time per system; per system and query type p50/p99/mean
// latency (wall and thread CPU time; none for the CLI) and the peer / rapport ratios (OR against
// rapport's automatic), and the OR peers against each CLI row; as sanity checks, that rapport's
// pruning algorithms return the same top-k ids as exhaustive evaluation, each row's overlap with
// rapport's first 10 ids (at any k), and, for AND and phrase, each system's number of matching
// passages per query (counted in an untimed pass; Lucene's TopDocs.totalHits) next to rapport's.
// The systems analyse text differently (Snowball vs Porter stemmers, stopwords, tokenizers), so
// counts agree only roughly; the stopword-free AND variants are the closest comparison.
// A plain main, not Google benchmark: every figure comes from one long run.
//   peers_bench --corpus DIR [--limit N] [--repeat N] [--queries N] [--k N] [--json FILE] [--tmp DIR]
//               [--systems rapport,fts5,xapian,lucene] [--types or,and,phrase]
//               [--rapport-cli PATH | --no-cli] [--cli-fields LIST] [--lucene-heap SIZE] [--lucene-warmup N]
// --limit N loads the first N passages; --repeat N is a scale set, every passage N times (copy n
// from 2 with the id `<id>#n`, the whole corpus once per copy), built in memory, nothing written
// outside the temporary directory. Indexes are built single-threaded in a fresh temporary directory
// (--tmp DIR, removed at exit). Query latency is wall time per query in-process around parsing and
// retrieval of the top-k ids (no text fetched), after one untimed warm pass of the same queries.
// Single-threaded; run it on an otherwise idle machine (the 1-minute load average at start and end
// is printed).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "corpus.hpp"
#include "peers/fields_peers.hpp"
#include "peers/fts5_peer.hpp"
#include "peers/lucene_peer.hpp"
#include "peers/peer.hpp"
#include "rapport/analysis/token_filter.hpp"
#include "rapport/index/disk_segment.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/index/index_writer.hpp"
#include "rapport/query/query.hpp"
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
    std::string system;   // "rapport", "rapport CLI", "FTS5", "Xapian", "Lucene"
    std::string variant;  // how the system ran it: rapport's algorithm, "-query stopwords", ...
    query_type type = query_type::any;
    query_figures f;

    [[nodiscard]] std::string label() const { return variant.empty() ? system : system + " " + variant; }
};

#ifdef RAPPORT_CLI_PATH
constexpr const char* default_rapport_cli = RAPPORT_CLI_PATH;
#else
constexpr const char* default_rapport_cli = "";
#endif

struct options {
    std::size_t limit = 0;
    std::size_t queries = 0;
    std::size_t k = 10;       // hits per query, every system and type
    std::size_t repeat = 1;   // every passage this many times (scale set)
    std::string json;
    std::string tmp;
    std::string systems;  // comma-separated subset of rapport,fts5,xapian,lucene; empty: all
    std::string types;    // comma-separated subset of or,and,phrase; empty: all
    std::string rapport_cli = default_rapport_cli;  // "" or --no-cli: no CLI rows
    std::string cli_fields = "body";  // --cli-fields: what the CLI rows search (the peers index the text only)
    std::string lucene_heap = "4g";
    std::size_t lucene_warmup = 1;  // untimed passes of the JVM before its timed one
    bool fields = false;            // --fields: the filters, facets and sorting comparison instead
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

// The scale set: every passage `times` times, copy n (from 2) with the id `<id>#n`, the whole
// corpus once per copy (so that copies of a passage are far apart in docid order).
corpus repeated(corpus c, std::size_t times) {
    if (times <= 1) return c;
    const std::size_t n = c.docs.size();
    c.docs.reserve(n * times);
    for (std::size_t copy = 2; copy <= times; ++copy)
        for (std::size_t i = 0; i < n; ++i) {
            auto d = c.docs[i];
            d.id.value += "#" + std::to_string(copy);
            c.docs.push_back(std::move(d));
        }
    c.text_bytes *= times;
    return c;
}

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
           "Snowball english, positions; BM25 0.9/0.4; OR: searcher with each algorithm, and searcher on the "
           "query language (what the CLI runs); AND: searcher, "
           "block-max AND; phrase: searcher (query-language \"...\", stemmed, stopwords leave gaps)";
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
std::vector<query_row> query_rapport(const rapport_index& r, const passage_numbers& number, std::span<const query> log,
                                     std::span<const query> phrases, const options& opt,
                                     std::vector<std::string>& examples) {
    using rapport::search::algorithm;
    using rapport::search::match_mode;
    const auto reader = open_reader(r);
    rapport::search::searcher searcher(reader);
    rapport::search::searcher trees(reader);
    std::vector<query_row> rows;
    if (wanted(opt, query_type::any)) {
        const std::pair<const char*, algorithm> algorithms[] = {{"exhaustive", algorithm::exhaustive},
                                                                {"maxscore", algorithm::maxscore},
                                                                {"block_max_wand", algorithm::block_max_wand},
                                                                {"automatic", algorithm::automatic}};
        for (const auto& [name, algo] : algorithms) {
            progress("rapport: OR queries, " + std::string(name));
            const auto o = rapport::bench::body_only({.k = opt.k, .mode = match_mode::any, .algorithm = algo});
            auto f = time_queries(log, [&](std::string_view text, ranking& out) {
                out.clear();
                for (const auto& d : searcher.top_k(searcher.analyze(text), o)) out.push_back(d.docid);
            });
            rows.push_back({"rapport", name, query_type::any, std::move(f)});
        }
        // What the CLI runs, in-process: the query language (its default parser options) and the
        // query tree searcher, so that the CLI rows separate the tool's cost from the tree path's.
        progress("rapport: OR queries, searcher");
        const auto qo = rapport::bench::body_only({.k = opt.k});
        auto f = time_queries(log, [&](std::string_view text, ranking& out) {
            out.clear();
            for (const auto& d : trees.top_k(trees.parse(text), qo)) out.push_back(d.docid);
        });
        rows.push_back({"rapport", "searcher", query_type::any, std::move(f)});
    }
    if (wanted(opt, query_type::all)) {
        progress("rapport: AND queries");
        const auto o = rapport::bench::body_only({.k = opt.k, .mode = match_mode::all});
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
        const auto o = rapport::bench::body_only({.k = opt.k});
        auto f = time_queries(phrases, [&](std::string_view text, ranking& out) {
            out.clear();
            const auto tree = trees.parse(*rapport::bench::phrase_query_text(text));
            for (const auto& d : trees.top_k(tree, o)) out.push_back(d.docid);
        });
        f.matches = count_matches(phrases, [&](std::string_view text) {
            rapport::search::search_info info;
            (void)trees.top_k(trees.parse(*rapport::bench::phrase_query_text(text)), o, &info);
            return info.matches;
        });
        rows.push_back({"rapport", "", query_type::phrase, std::move(f)});
        const auto& first = phrases.front().second;
        examples.push_back("rapport phrase: " + *rapport::bench::phrase_query_text(first) + " -> " +
                           rapport::query::to_string(trees.parse(*rapport::bench::phrase_query_text(first))));
    }
    // Docids → passage numbers in corpus order.
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
// The rapport CLI: `rapport search` as a subprocess on the index build_rapport made, OR queries in
// the CLI's own query language (its default), `--warmup 1`, per-query microseconds from its
// `--timings` file (measured inside the CLI around parsing, analysis and retrieval: for trec, the
// article-level top-k and the fetch of the k article ids; for json, the passage top-k without the
// stored-text fetch). No thread CPU time. Its first 10 hits per query are read back from its output
// for the overlap with the in-process rows.

// The value of `"key":` in one line of `rapport search --format json` (a string or a bare number).
std::string json_value(std::string_view line, std::string_view key) {
    const std::string pattern = "\"" + std::string(key) + "\":";
    const auto at = line.find(pattern);
    if (at == std::string_view::npos) return {};
    std::size_t i = at + pattern.size();
    std::string out;
    if (i < line.size() && line[i] == '"') {
        for (++i; i < line.size() && line[i] != '"'; ++i) {
            if (line[i] == '\\' && i + 1 < line.size()) ++i;  // ids with escapes keep the escaped character
            out += line[i];
        }
        return out;
    }
    while (i < line.size() && line[i] != ',' && line[i] != '}') out += line[i++];
    return out;
}

std::vector<query_row> query_rapport_cli(const rapport_index& r, std::span<const query> log, const options& opt,
                                         const passage_numbers& numbers, const std::filesystem::path& work) {
    const auto queries_path = (work / "cli-queries.tsv").string();
    const auto timings_path = (work / "cli-timings.tsv").string();
    const auto output_path = (work / "cli-output.txt").string();
    write_query_file(queries_path, log);
    std::unordered_map<std::string, std::size_t> position;
    for (std::size_t q = 0; q < log.size(); ++q) {
        std::string qid;
        for (const char ch : log[q].first) qid += ch == '\t' || ch == '\n' || ch == '\r' ? ' ' : ch;
        position.emplace(std::move(qid), q);
    }
    // The index must be one the tool opens as it is (a plain fs_directory index folder).
    progress("rapport CLI: stats");
    (void)run_program({opt.rapport_cli, "stats", "--index", r.dir.string()}, output_path);

    std::vector<query_row> rows;
    for (const std::string format : {"trec", "json"}) {
        progress("rapport CLI: OR queries, --format " + format);
        (void)run_program({opt.rapport_cli, "search", "--index", r.dir.string(), "--queries", queries_path, "-k",
                           std::to_string(opt.k), "--format", format, "--fields", opt.cli_fields, "--warmup", "1",
                           "--timings", timings_path},
                          output_path);
        query_figures f;
        std::vector<double> wall;
        {
            std::ifstream in(timings_path);
            std::size_t q = 0;
            for (std::string line; std::getline(in, line); ++q) {
                const auto tab = line.find('\t');
                if (tab == std::string::npos || q >= log.size() || position.at(line.substr(0, tab)) != q)
                    throw std::runtime_error("rapport CLI timings " + timings_path + ": unexpected line '" + line + "'");
                wall.push_back(std::stod(line.substr(tab + 1)));
            }
            if (wall.size() != log.size())
                throw std::runtime_error("rapport CLI timed " + std::to_string(wall.size()) + " queries of " +
                                         std::to_string(log.size()));
        }
        f.top.resize(log.size());
        {
            std::ifstream in(output_path);
            for (std::string line; std::getline(in, line);) {
                std::string qid, id, rank;
                if (format == "trec") {
                    std::istringstream fields(line);
                    std::string q0;
                    fields >> qid >> q0 >> id >> rank;
                } else {
                    qid = json_value(line, "qid");
                    id = json_value(line, "article");
                    rank = json_value(line, "rank");
                }
                const auto q = position.find(qid);
                const auto n = numbers.find(id);
                if (q == position.end() || n == numbers.end() || rank.empty())
                    throw std::runtime_error("rapport CLI output " + output_path + ": unexpected line '" +
                                             line.substr(0, 200) + "'");
                if (std::stoul(rank) <= 10) f.top[q->second].push_back(n->second);
            }
        }
        for (const auto& top : f.top) f.empty += top.empty() ? 1 : 0;
        summarize_latencies(f, std::move(wall), {});
        rows.push_back({"rapport CLI", format, query_type::any, std::move(f)});
    }
    std::filesystem::remove(queries_path);
    std::filesystem::remove(timings_path);
    std::filesystem::remove(output_path);
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

// Answers are compared on the first 10 ids at any --k (Lucene and the CLI report only those).
constexpr std::size_t compared_depth = 10;

// Share of the reference's first 10 ids that `other` also has among its first 10, over queries
// where the reference found any.
double overlap(const query_figures& ref, const query_figures& other) {
    double sum = 0;
    std::size_t n = 0;
    for (std::size_t q = 0; q < ref.top.size() && q < other.top.size(); ++q) {
        const auto a = std::span(ref.top[q]).first(std::min(compared_depth, ref.top[q].size()));
        const auto b = std::span(other.top[q]).first(std::min(compared_depth, other.top[q].size()));
        if (a.empty()) continue;
        std::size_t common = 0;
        for (auto id : a) common += std::count(b.begin(), b.end(), id) > 0 ? 1 : 0;
        sum += static_cast<double>(common) / static_cast<double>(a.size());
        ++n;
    }
    return n == 0 ? 0 : sum / static_cast<double>(n);
}

// Queries whose first `depth` ids are identical (same ids, same order); rapport's algorithms are
// compared on the whole top-k.
std::size_t identical(const query_figures& a, const query_figures& b, std::size_t depth = SIZE_MAX) {
    std::size_t n = 0;
    for (std::size_t q = 0; q < a.top.size() && q < b.top.size(); ++q) {
        const auto x = std::span(a.top[q]).first(std::min(depth, a.top[q].size()));
        const auto y = std::span(b.top[q]).first(std::min(depth, b.top[q].size()));
        n += std::equal(x.begin(), x.end(), y.begin(), y.end()) ? 1 : 0;
    }
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

void print_query_table(const std::vector<query_row>& rows, std::size_t k) {
    const std::string title = "queries (top-" + std::to_string(k) + ")";
    std::printf("%-30s %-6s %7s %6s %9s %9s %9s %9s %9s %9s %11s %8s\n", title.c_str(), "type", "queries",
                "empty", "p50 us", "p99 us", "mean us", "CPU p50", "CPU p99", "CPU mean", "matches/q", "overlap");
    for (const auto& r : rows) {
        const auto* ref = reference(rows, r.type, true);
        const std::string ov = ref != nullptr && ref != &r ? fixed(100 * overlap(ref->f, r.f), 0) + "%" : "-";
        // cell(): "-" where a figure was not measured (the CLI's CPU time).
        std::printf("%-30s %-6s %7zu %6zu %9s %9s %9s %9s %9s %9s %11s %8s\n", r.label().c_str(), type_name(r.type),
                    r.f.queries, r.f.empty, fixed(r.f.p50_us, 1).c_str(), fixed(r.f.p99_us, 1).c_str(),
                    fixed(r.f.mean_us, 1).c_str(), cell(r.f.p50_cpu_us).c_str(), cell(r.f.p99_cpu_us).c_str(),
                    cell(r.f.mean_cpu_us).c_str(), r.f.matches.empty() ? "-" : fixed(mean_matches(r.f), 2).c_str(),
                    ov.c_str());
    }
}

// The OR rows of the peers against each rapport CLI row (wall time only: the CLI reports no CPU time).
void print_cli_ratio_table(const std::vector<query_row>& rows) {
    bool header = false;
    for (const auto& cli : rows) {
        if (cli.system != "rapport CLI") continue;
        for (const auto& r : rows) {
            if (r.type != query_type::any || r.system == "rapport" || r.system == "rapport CLI") continue;
            if (!header) {
                std::printf("%-30s %-6s %9s %9s %9s   (peer / rapport CLI)\n", "ratios to the rapport CLI", "type",
                            "p50", "p99", "mean");
                header = true;
            }
            const std::string label = r.label() + " / " + cli.variant;
            std::printf("%-30s %-6s %9s %9s %9s\n", label.c_str(), type_name(r.type),
                        cell(ratio(r.f.p50_us, cli.f.p50_us)).c_str(), cell(ratio(r.f.p99_us, cli.f.p99_us)).c_str(),
                        cell(ratio(r.f.mean_us, cli.f.mean_us)).c_str());
        }
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
        std::printf("rapport OR, same top-k ids as exhaustive:");
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
                const corpus& c, const options& opt, std::size_t queries, std::size_t phrases,
                const std::string& load_before, const std::string& load_after, const std::vector<std::string>& skipped) {
    std::ofstream out(file);
    if (!out) throw std::runtime_error("cannot write " + file);
    out << "{\n  \"corpus\": " << json_string(c.dir) << ",\n  \"passages\": " << c.docs.size()
        << ",\n  \"repeat\": " << opt.repeat << ",\n  \"k\": " << opt.k
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
                << ", \"same_top10_as_rapport\": " << identical(ref->f, f, compared_depth);
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
        if (r.type == query_type::any && r.system != "rapport" && r.system != "rapport CLI") {
            bool first = true;
            for (const auto& cli : rows) {
                if (cli.system != "rapport CLI") continue;
                out << (first ? ",\n     \"ratio_to_rapport_cli\": {" : ", ") << json_string(cli.variant)
                    << ": {\"p50\": " << json_number(ratio(f.p50_us, cli.f.p50_us))
                    << ", \"p99\": " << json_number(ratio(f.p99_us, cli.f.p99_us))
                    << ", \"mean\": " << json_number(ratio(f.mean_us, cli.f.mean_us)) << "}";
                first = false;
            }
            if (!first) out << "}";
        }
        out << "}";
    }
    out << "\n  ]\n}\n";
}

// --fields: the same OR queries top-10 unfiltered, filtered to 1, 10 and 50 % of the passages,
// with category facets over every match and sorted by date, in rapport, FTS5 and Xapian
// (bench/peers/fields_peers.hpp), with the peers' ratios to rapport, rapport's speed-up of a
// filter over the unfiltered query, and checks that every system's filtered and sorted hits obey
// the metadata.
int run_fields(const corpus& c, std::span<const query> log, const temp_dir& tmp, const options& opt,
               const std::string& load_before) {
    std::vector<fields_row> rows;
    const auto add = [&](std::vector<fields_row> more) {
        for (auto& r : more) rows.push_back(std::move(r));
    };
    if (wanted(opt, "rapport")) {
        progress("fields: rapport");
        add(fields_rapport(c, log, (tmp.path / "rapport_fields").string()));
        progress("fields: rapport, index sorted by the filter's field");
        add(fields_rapport(c, log, (tmp.path / "rapport_fields_sorted").string(), true));
    }
    if (wanted(opt, "fts5")) {
        progress("fields: SQLite FTS5");
        add(fields_fts5(c, log, tmp.path.string()));
    }
#if RAPPORT_HAVE_XAPIAN
    if (wanted(opt, "xapian")) {
        progress("fields: Xapian");
        add(fields_xapian(c, log, tmp.path.string()));
    }
#endif
    std::printf("\nfields: %zu passages with synthetic metadata, %zu OR queries, top-10 (wall time per query, us)\n",
                c.docs.size(), log.size());
    std::printf("%-15s %-19s %9s %9s %9s %9s %9s %8s %s\n", "system", "shape", "p50", "p99", "mean", "p50 ratio",
                "mean ratio", "empty", "checks");
    const auto find = [&](const std::string& system, fields_shape shape) -> const fields_row* {
        for (const auto& r : rows)
            if (r.system == system && r.shape == shape) return &r;
        return nullptr;
    };
    for (const auto shape : all_fields_shapes) {
        for (const auto& r : rows) {
            if (r.shape != shape) continue;
            // Every filtered hit must hold the filter's bucket; sorted hits must descend by day.
            std::size_t bad = 0;
            for (const auto& top : r.figures.top) {
                for (std::size_t i = 0; i < top.size(); ++i) {
                    const auto m = meta_of(top[i]);
                    const unsigned t = shape == fields_shape::filter1 ? 1 : shape == fields_shape::filter10 ? 10 : shape == fields_shape::filter50 ? 50 : 100;
                    if (m.bucket >= t) ++bad;
                    if (shape == fields_shape::sort_date && i > 0 && meta_of(top[i - 1]).day < m.day) ++bad;
                }
            }
            const auto* ref = find("rapport", shape);
            const bool peer = ref != nullptr && !r.system.starts_with("rapport");
            std::string check = bad == 0 ? "ok" : std::to_string(bad) + " hits break the filter or order";
            if (!r.top_category_counts.empty()) {
                double mean = 0;
                for (const auto n : r.top_category_counts) mean += static_cast<double>(n);
                char buf[64];
                std::snprintf(buf, sizeof buf, ", top category %.1f per query", mean / static_cast<double>(r.top_category_counts.size()));
                check += buf;
            }
            std::printf("%-15s %-19s %9.1f %9.1f %9.1f %9s %9s %8zu %s\n", r.system.c_str(), shape_name(shape),
                        r.figures.p50_us, r.figures.p99_us, r.figures.mean_us,
                        peer ? cell(ratio(r.figures.p50_us, ref->figures.p50_us), 2).c_str() : "",
                        peer ? cell(ratio(r.figures.mean_us, ref->figures.mean_us), 2).c_str() : "", r.figures.empty,
                        check.c_str());
        }
    }
    // The speed-up of each filter over the unfiltered query on the same index.
    for (const char* system : {"rapport", "rapport sorted"})
        if (const auto* plain = find(system, fields_shape::plain))
            for (const auto shape : {fields_shape::filter1, fields_shape::filter10, fields_shape::filter50})
                if (const auto* f = find(system, shape))
                    std::printf("%-15s %-19s speed-up over unfiltered OR: p50 %.2fx, mean %.2fx\n", system, shape_name(shape),
                                plain->figures.p50_us / f->figures.p50_us, plain->figures.mean_us / f->figures.mean_us);
    std::printf("load average: %s at start, %s at end\n", load_before.c_str(), load_average().c_str());
    return 0;
}

int run(int argc, char** argv) {
    const auto dir = rapport::bench::corpus_dir(argc, argv);
    options opt;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const bool has_value = i + 1 < argc;
        if ((arg == "--limit" || arg == "--queries" || arg == "--k" || arg == "--repeat" || arg == "--lucene-warmup") &&
            has_value) {
            const auto n = parse_count(argv[++i]);
            if (!n || ((arg == "--k" || arg == "--repeat") && *n == 0)) {
                std::cerr << "peers_bench: " << arg << " needs a number" << (arg == "--k" || arg == "--repeat" ? " >= 1" : "")
                          << "\n";
                return 2;
            }
            (arg == "--limit"     ? opt.limit
             : arg == "--queries" ? opt.queries
             : arg == "--k"       ? opt.k
             : arg == "--repeat"  ? opt.repeat
                                  : opt.lucene_warmup) = *n;
        } else if (arg == "--rapport-cli" && has_value) {
            opt.rapport_cli = argv[++i];
        } else if (arg == "--no-cli") {
            opt.rapport_cli.clear();
        } else if (arg == "--fields") {
            opt.fields = true;
        } else if (arg == "--cli-fields" && has_value) {
            opt.cli_fields = argv[++i];
        } else if (arg == "--lucene-heap" && has_value) {
            opt.lucene_heap = argv[++i];
        } else if (arg == "--json" && has_value) {
            opt.json = argv[++i];
        } else if (arg == "--tmp" && has_value) {
            opt.tmp = argv[++i];
        } else if (arg == "--systems" && has_value) {
            opt.systems = argv[++i];
        } else if (arg == "--types" && has_value) {
            opt.types = argv[++i];
        } else {
            std::cerr << "usage: peers_bench --corpus DIR [--limit N] [--repeat N] [--queries N] [--k N] [--json FILE]\n"
                         "                   [--tmp DIR] [--systems rapport,fts5,xapian,lucene] [--types or,and,phrase]\n"
                         "                   [--rapport-cli PATH | --no-cli] [--cli-fields LIST] [--lucene-heap SIZE]\n"
                         "                   [--lucene-warmup N] [--fields]\n";
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
    const corpus c = repeated(rapport::bench::load_corpus(*dir, opt.limit), opt.repeat);
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
    if (opt.fields) return run_fields(c, log, tmp, opt, load_before);
    const auto& stopwords = rapport::analysis::english_stopwords();  // sorted
    const passage_numbers numbers = number_passages(c);

    if (wanted(opt, "rapport")) {
        progress("rapport: build");
        rapport_index r;
        auto s = named("rapport", rapport_config());
        s.build = build_rapport(c, (tmp.path / "rapport").string(), r);
        s.open_ms = open_rapport(r);
        s.bytes_with_text = r.bytes_with_text;
        s.bytes_without_text = r.bytes_without_text;
        systems.push_back(std::move(s));
        for (auto& row : query_rapport(r, numbers, log, phrases, opt, examples)) rows.push_back(std::move(row));
        if (any && !opt.rapport_cli.empty()) {
            for (auto& row : query_rapport_cli(r, log, opt, numbers, tmp.path)) rows.push_back(std::move(row));
        } else if (any) {
            skipped.emplace_back("rapport CLI (no binary known: build target rapport_cli or pass --rapport-cli PATH)");
        }
        std::filesystem::remove_all(r.dir);
    }
    if (wanted(opt, "lucene")) {
#if RAPPORT_HAVE_LUCENE
        const lucene_setup setup{.java = RAPPORT_JAVA,
                                 .classpath = RAPPORT_LUCENE_CLASSPATH,
                                 .heap = opt.lucene_heap,
                                 .warm_passes = opt.lucene_warmup};
        const auto path = (tmp.path / "lucene").string();
        auto s = named("Lucene", lucene_config(setup));
        progress("Lucene: build");
        const auto built = lucene_build(setup, c, tmp.path.string(), path);
        s.build = built.f;
        s.bytes_without_text = s.build->index_bytes;  // the text is not stored, the ids are
        s.config += "; build: indexing thread CPU " + fixed(built.thread_cpu_seconds, 1) + " s of " +
                    fixed(built.f.cpu_seconds, 1) + " s JVM CPU (the rest JIT and GC threads), forceMerge " +
                    fixed(built.merge_seconds, 1) + " s";
        const auto run_lucene = [&](query_type type, std::span<const query> qs) {
            progress("Lucene: " + std::string(type_name(type)) + " queries");
            auto run = lucene_query(setup, path, tmp.path.string(), qs, type, opt.k, numbers);
            if (!s.open_ms) s.open_ms = run.open_ms;
            rows.push_back({"Lucene", "", type, std::move(run.f)});
        };
        if (any) run_lucene(query_type::any, log);
        if (all) run_lucene(query_type::all, log);
        if (phrase) run_lucene(query_type::phrase, phrases);
        systems.push_back(std::move(s));
        std::filesystem::remove_all(path);
#else
        skipped.emplace_back("Lucene (peers_bench was configured without Java or the Lucene 4.10 jars)");
#endif
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
                                       type != query_type::any, opt.k)});
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
                                         type != query_type::any, opt.k)});
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
        skipped.emplace_back("Xapian (not installed)");
#endif
    }
    const auto load_after = load_average();

    const std::string scale = opt.repeat > 1 ? " (each passage " + std::to_string(opt.repeat) + " times)" : "";
    std::printf("corpus: %zu passages%s, %.1f MB of text (the peers index text only; rapport's rows search the body); %zu queries (%zu of >= 2 words for "
                "phrases); top-%zu, 1 thread, warm; load average %s at start, %s at end\n\n",
                c.docs.size(), scale.c_str(), static_cast<double>(c.text_bytes) / 1e6, log.size(), phrases.size(),
                opt.k, load_before.c_str(), load_after.c_str());
    print_build_table(systems, c);
    const auto find = [&](const std::string& name) -> const system_figures* {
        for (const auto& s : systems)
            if (s.name == name) return &s;
        return nullptr;
    };
    if (const auto* rapport = find("rapport")) {
        if (const auto* f = find("FTS5")) print_build_ratios(*rapport, *f, find("FTS5 contentless"));
        if (const auto* x = find("Xapian")) print_build_ratios(*rapport, *x, nullptr);
        if (const auto* l = find("Lucene")) print_build_ratios(*rapport, *l, nullptr);
    }
    for (const auto& name : skipped) std::printf("%s: skipped\n", name.c_str());
    std::printf("\n");
    print_query_table(rows, opt.k);
    std::printf("(latencies in us; overlap: share of rapport's first 10 ids (exhaustive for OR) also among the row's "
                "first 10; CPU: thread CPU time, not measured for the CLI)\n\n");
    print_ratio_table(rows);
    std::printf("\n");
    print_cli_ratio_table(rows);
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
        write_json(opt.json, systems, rows, c, opt, log.size(), phrases.size(), load_before, load_after, skipped);
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
