// SPDX-License-Identifier: MIT
// rapport index: reads articles from .txt folders, JSONL files (optionally zstd-compressed) or
// JSONL on stdin, and adds them to an index (created when the folder holds none), committing once
// at the end (and every --commit-every articles). Ctrl-C stops cleanly: the uncommitted part of
// this run is discarded and the index stays at its last commit.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <csignal>
#include <fstream>
#include <iterator>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <boost/unordered/unordered_flat_set.hpp>

#include "cli.hpp"
#include "progress.hpp"
#include "rapport/analysis/analyzer.hpp"
#include "rapport/analysis/stopwords.hpp"
#include "rapport/core/error.hpp"
#include "rapport/index/fields.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/index/index_writer.hpp"
#include "rapport/index/indexing_queue.hpp"
#include "rapport/index/manifest.hpp"
#include "rapport/index/schema.hpp"
#include "rapport/ingest/readers.hpp"

namespace rapport::cli {

namespace {
// The ids of this run with where each was read, packed into 1 MiB chunks (length-prefixed id, then
// the origin: a file:line origin as the file's number and the line, anything else as its text) and
// found through a table of their 32-bit positions: about 12 bytes an article beside the id, where a map of
// strings took 110 and one doubling buffer up to three times its contents while it grew, which was
// most of the process's memory under a small --ram-mb.
class id_registry {
public:
    id_registry() : table_(0, hasher{&chunks_}, equal{&chunks_}) {}
    id_registry(const id_registry&) = delete;
    id_registry& operator=(const id_registry&) = delete;

    // Records `id` read at `origin`; when the run already holds it, returns where it was read.
    std::optional<std::string> insert(std::string_view id, std::string_view origin) {
        if (const auto it = table_.find(id); it != table_.end()) return origin_at(*it);
        std::string entry;
        put(entry, id.size());
        entry.append(id);
        const auto colon = origin.rfind(':');
        const auto line = colon == std::string_view::npos ? std::string_view() : origin.substr(colon + 1);
        // Packed only when it prints back the same (no leading zero).
        if (!line.empty() && line.size() < 19 && (line.front() != '0' || line.size() == 1) && std::all_of(line.begin(), line.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            put(entry, 1 + file_number(origin.substr(0, colon)));
            put(entry, std::stoull(std::string(line)));
        } else {
            put(entry, 0);
            put(entry, origin.size());
            entry.append(origin);
        }
        if (chunks_.empty() || chunks_.back().size() + entry.size() > chunk_bytes) {
            // A position is 32 bits: 12 for the chunk, 20 within it (an entry over 1 MiB starts a
            // chunk of its own, at offset 0).
            if (chunks_.size() == max_chunks)
                throw invalid_argument("more than 4 GiB of article ids in one run of rapport index; split the input");
            chunks_.emplace_back();
            chunks_.back().reserve(std::max(chunk_bytes, entry.size()));
            chunk_capacity_ += chunks_.back().capacity();
        }
        const auto at = static_cast<std::uint32_t>(((chunks_.size() - 1) << 20) | chunks_.back().size());
        chunks_.back().append(entry);
        table_.insert(at);
        return std::nullopt;
    }

    // Bytes held: the chunks as reserved and the table's slots with their metadata byte (the few
    // file names aside). Constant time: it is asked after every new id.
    [[nodiscard]] std::size_t memory_usage() const noexcept {
        return chunk_capacity_ + table_.bucket_count() * (sizeof(std::uint32_t) + 1);
    }

private:
    static constexpr std::size_t chunk_bytes = std::size_t{1} << 20;
    static constexpr std::size_t max_chunks = 4096;

    static void put(std::string& out, std::uint64_t n) {
        for (;; n >>= 7) {
            if (n < 0x80) {
                out.push_back(static_cast<char>(n));
                return;
            }
            out.push_back(static_cast<char>((n & 0x7F) | 0x80));
        }
    }
    static std::uint64_t get(const char*& p) noexcept {
        std::uint64_t n = 0;
        for (int shift = 0;; shift += 7) {
            const auto b = static_cast<unsigned char>(*p++);
            n |= std::uint64_t{b & 0x7Fu} << shift;
            if (b < 0x80) return n;
        }
    }
    // The id of the entry at `at`; `p` then points past it.
    static std::string_view id_at(const std::vector<std::string>& chunks, std::uint32_t at, const char*& p) noexcept {
        p = chunks[at >> 20].data() + (at & 0xFFFFFu);
        const auto n = get(p);
        const std::string_view id(p, n);
        p += n;
        return id;
    }
    std::string origin_at(std::uint32_t at) const {
        const char* p = nullptr;
        (void)id_at(chunks_, at, p);
        if (const auto file = get(p); file != 0) return files_[file - 1] + ":" + std::to_string(get(p));
        const auto n = get(p);
        return std::string(p, n);
    }
    // The number of a file name among those seen (articles come file by file: the last is checked first).
    std::uint64_t file_number(std::string_view name) {
        if (!files_.empty() && files_.back() == name) return files_.size() - 1;
        for (std::size_t i = 0; i < files_.size(); ++i)
            if (files_[i] == name) return i;
        files_.emplace_back(name);
        return files_.size() - 1;
    }
    struct hasher {
        using is_transparent = void;
        const std::vector<std::string>* chunks;
        std::size_t operator()(std::string_view id) const noexcept { return boost::hash<std::string_view>{}(id); }
        std::size_t operator()(std::uint32_t at) const noexcept {
            const char* p = nullptr;
            return (*this)(id_at(*chunks, at, p));
        }
    };
    struct equal {
        using is_transparent = void;
        const std::vector<std::string>* chunks;
        bool operator()(std::uint32_t a, std::uint32_t b) const noexcept { return a == b; }
        bool operator()(std::string_view id, std::uint32_t at) const noexcept {
            const char* p = nullptr;
            return id == id_at(*chunks, at, p);
        }
        bool operator()(std::uint32_t at, std::string_view id) const noexcept { return (*this)(id, at); }
    };
    std::vector<std::string> chunks_;
    std::size_t chunk_capacity_ = 0;  // summed capacities of chunks_
    std::vector<std::string> files_;
    boost::unordered_flat_set<std::uint32_t, hasher, equal> table_;
};


std::atomic<bool> interrupted{false};

extern "C" void on_interrupt(int) { interrupted.store(true); }

// Installs the SIGINT/SIGTERM handler for the run; a second signal takes the default action
// (which is safe: commits are atomic). System calls are not restarted, so a read blocked on
// stdin returns and the loop sees the flag.
void install_interrupt_handler() {
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

// Whether `id` has a live passage in `reader` (the writer's hidden key term of the article).
bool holds_article(const index::index_reader& reader, const std::string& id) {
    const auto key = index::article_key(id);
    for (const auto& seg : reader.segments()) {
        const auto info = seg->find(key);
        if (!info) continue;
        for (auto c = seg->cursor(*info); c.docid() != end_docid; c.next())
            if (!seg->is_deleted(c.docid())) return true;
    }
    return false;
}

// One input named on the command line.
struct input {
    enum class kind { text_folder, jsonl_file, jsonl_stdin } type;
    std::filesystem::path path;
    std::optional<std::uint64_t> size;  // bytes of text to read, when known
};

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

input classify(const std::string& arg) {
    if (arg == "-") return {input::kind::jsonl_stdin, "<stdin>", std::nullopt};
    const std::filesystem::path p(arg);
    std::error_code ec;
    const auto status = std::filesystem::status(p, ec);
    if (!std::filesystem::exists(status)) throw io_error(arg, "no such file or folder");
    if (std::filesystem::is_directory(status)) {
        std::uint64_t total = 0;
        for (const auto& e : std::filesystem::directory_iterator(p, ec)) {
            // Per entry: a dangling link is reported when it is read, not as a listing failure.
            std::error_code entry;
            if (e.path().extension() == ".txt" && e.is_regular_file(entry)) {
                const auto size = e.file_size(entry);
                if (!entry) total += size;
            }
        }
        if (ec) throw io_error(arg, "cannot list the folder: " + ec.message());
        return {input::kind::text_folder, p, total};
    }
    if (ends_with(arg, ".jsonl")) return {input::kind::jsonl_file, p, std::filesystem::file_size(p, ec)};
    if (ends_with(arg, ".jsonl.zst")) return {input::kind::jsonl_file, p, std::nullopt};
    throw usage_error("input '" + arg + "' is not a folder of .txt files, a .jsonl or .jsonl.zst file, or -");
}

// --stopwords: the language's default list, none, or a file (analysis::read_stopwords).
std::optional<std::vector<std::string>> stopwords_option(const std::string& spec) {
    if (spec == "default") return std::nullopt;
    if (spec == "none") return std::vector<std::string>{};
    return analysis::read_stopwords(spec);
}

// An option that is `on`, `off` or "default" (nullopt: the language's practice).
std::optional<bool> tri_state(const po::variables_map& vm, const char* name, const char* on, const char* off) {
    const auto& v = vm[name].as<std::string>();
    if (v == on) return true;
    if (v == off) return false;
    if (v == "default") return std::nullopt;
    throw usage_error(std::string("--") + name + " must be " + on + ", " + off + " or default, not '" + v + "'");
}

// The options an existing index was built with must match what the user asked for explicitly:
// mixing analyses in one index would make its statistics and queries meaningless.
void check_compatible(const index::index_options& have, const index::index_options& want, const po::variables_map& vm,
                      const std::string& dir) {
    const auto explicit_option = [&](const char* name) { return vm.count(name) != 0 && !vm[name].defaulted(); };
    const auto fail = [&](const std::string& what) {
        throw usage_error("the index in " + dir + " was built with a different " + what +
                          "; an existing index keeps its own (drop the option, or index into a new folder)");
    };
    if (explicit_option("language") && have.analyzer.language != want.analyzer.language) fail("--language");
    if (explicit_option("stopwords") && have.analyzer.stopwords != want.analyzer.stopwords) fail("--stopwords");
    if (explicit_option("no-case-fold") && have.analyzer.case_fold != want.analyzer.case_fold) fail("case folding");
    if (explicit_option("accents") && analysis::folds_accents(have.analyzer) != analysis::folds_accents(want.analyzer))
        fail("--accents");
    if (explicit_option("elision") && analysis::removes_elisions(have.analyzer) != analysis::removes_elisions(want.analyzer))
        fail("--elision");
    if (explicit_option("max-passage-bytes") && have.passages.max_bytes != want.passages.max_bytes)
        fail("--max-passage-bytes");
    if (explicit_option("min-passage-bytes") && have.passages.min_bytes != want.passages.min_bytes)
        fail("--min-passage-bytes");
    if (explicit_option("overlap-sentences") && have.passages.overlap_sentences != want.passages.overlap_sentences)
        fail("--overlap-sentences");
    if (explicit_option("paragraphs") && have.passages.paragraphs != want.passages.paragraphs) fail("--paragraphs");
}

// The index as a person wants it summarised.
void print_summary(const std::shared_ptr<storage::directory>& dir, const progress_meter& meter, double seconds,
                   std::uint64_t generation) {
    const auto reader = index::index_reader::open(dir);
    std::uint64_t terms = 0;
    for (const auto& s : reader.segments()) terms += s->dictionary().size();
    std::uint64_t bytes = 0;
    for (const auto& name : dir->list()) bytes += dir->file_size(name);
    const double secs = std::max(seconds, 1e-9);
    std::printf("indexed %s passages from %s articles in %.2f s (%.0f passages/s, %.1f MB/s)\n",
                with_commas(meter.passages()).c_str(), with_commas(meter.articles()).c_str(), seconds,
                static_cast<double>(meter.passages()) / secs, static_cast<double>(meter.bytes()) / secs / 1e6);
    std::printf("index: %s passages, %s articles, %zu segment%s, %s terms (summed over segments), %s, generation %llu\n",
                with_commas(reader.live_passage_count()).c_str(), with_commas(reader.article_count()).c_str(),
                reader.segments().size(), reader.segments().size() == 1 ? "" : "s", with_commas(terms).c_str(),
                human_bytes(bytes).c_str(), static_cast<unsigned long long>(generation));
    if (meter.empty() != 0)
        std::fprintf(stderr, "rapport index: skipped %s article%s with no text in the title or the body (nothing could find %s)\n",
                     with_commas(meter.empty()).c_str(), meter.empty() == 1 ? "" : "s", meter.empty() == 1 ? "it" : "them");
}

}  // namespace

int run_index(const command_args& args) {
    po::options_description visible("Options");
    visible.add_options()
        ("index", po::value<std::string>()->required()->value_name("DIR"), "index folder (created if missing)")
        ("create", po::bool_switch(), "require a new index: fail if DIR already holds one")
        ("language", po::value<std::string>()->default_value("english"), "Snowball stemmer language, or none")
        ("stopwords", po::value<std::string>()->default_value("default"),
         "default (the language's list), none, or a file with one word per line")
        ("no-case-fold", po::bool_switch(), "keep case (no NFKC_Casefold)")
        ("accents", po::value<std::string>()->default_value("default"),
         "fold (café = cafe), keep, or default (the language's practice: fold for English)")
        ("elision", po::value<std::string>()->default_value("default"),
         "remove (l'élève = élève), keep, or default (remove for French, Italian, Catalan, Irish)")
        ("max-passage-bytes", po::value<count>()->default_value(count{1000}), "longest passage")
        ("min-passage-bytes", po::value<count>()->default_value(count{150}), "shorter fragments are merged")
        ("overlap-sentences", po::value<count>()->default_value(count{0}), "sentences repeated between windows")
        ("paragraphs", po::value<std::string>()->default_value("line"), "what ends a paragraph: line or blank")
        ("replace-invalid-utf8", po::bool_switch(), "replace invalid UTF-8 with U+FFFD instead of rejecting it")
        ("skip-errors", po::bool_switch(), "report bad articles and go on (default: stop, commit nothing)")
        ("schema", po::value<std::string>()->value_name("FILE"),
         "the fields of the articles, as JSON: {\"fields\": [{\"name\": \"topic\", \"type\": \"keyword\"}, ...]}"
         " (types keyword, integer, float, date, stored; an existing index may only gain fields)")
        ("ignore-unknown-fields", po::bool_switch(), "drop JSONL fields the schema does not declare (default: an error)")
        ("upsert", po::bool_switch(),
         "an article whose id is already in the index, or earlier in this run, replaces it (default: an error)")
        ("ram-mb", po::value<count>()->default_value(count{64}), "RAM budget of the in-memory segments")
        ("max-article-bytes", po::value<count>()->default_value(count{std::uint64_t{64} << 20})->value_name("N"),
         "largest article accepted (an article takes ~18x its size in memory while indexed; 0: no limit)")
        ("threads", po::value<count>()->default_value(count{1}), "indexing threads")
        ("commit-every", po::value<count>()->default_value(count{0}), "commit every N articles (0: at the end)")
        ("merge", po::value<std::string>()->default_value("tiered"),
         "merges at each commit: tiered (the writer's policy), none (a bulk load's fastest: one segment per"
         " flush), or all (no merge until the end, then one segment)")
        ("progress", po::value<std::string>()->default_value("auto"), "auto, bar, lines or none (on stderr)");
    po::options_description hidden;
    hidden.add_options()("input", po::value<std::vector<std::string>>(), "input");
    po::positional_options_description positional;
    positional.add("input", -1);
    po::variables_map vm;
    if (!parse_command(args, visible, hidden, positional, "--index DIR [OPTIONS] INPUT...",
                       "Adds articles to an index. INPUT is a folder of .txt files (one article each; the file\n"
                       "name is the id), a .jsonl or .jsonl.zst file of {\"id\",\"title\",\"text\"} lines, or - for\n"
                       "JSONL on stdin. Everything is committed at once at the end; Ctrl-C discards the\n"
                       "uncommitted part and leaves the index at its last commit.",
                       vm))
        return exit_ok;
    if (vm.count("input") == 0) throw usage_error("no INPUT given (a folder, a .jsonl file, or -)");

    // Settings.
    index::index_writer_options wo;
    auto& ao = wo.index.analyzer;
    ao.language = vm["language"].as<std::string>();
    if (ao.language == "none") ao.language.clear();
    ao.stopwords = stopwords_option(vm["stopwords"].as<std::string>());
    ao.case_fold = !vm["no-case-fold"].as<bool>();
    ao.fold_accents = tri_state(vm, "accents", "fold", "keep");
    ao.elision = tri_state(vm, "elision", "remove", "keep");
    auto& pass = wo.index.passages;
    pass.max_bytes = static_cast<std::size_t>(vm["max-passage-bytes"].as<count>().value);
    pass.min_bytes = static_cast<std::size_t>(vm["min-passage-bytes"].as<count>().value);
    pass.overlap_sentences = static_cast<std::size_t>(vm["overlap-sentences"].as<count>().value);
    const auto paragraphs = vm["paragraphs"].as<std::string>();
    if (paragraphs == "line")
        pass.paragraphs = ingest::paragraph_break::line;
    else if (paragraphs == "blank")
        pass.paragraphs = ingest::paragraph_break::blank_line;
    else
        throw usage_error("--paragraphs must be line or blank, not '" + paragraphs + "'");
    if (pass.max_bytes == 0) throw usage_error("--max-passage-bytes must be at least 1");
    // Before any folder is created: a bad option must not leave an empty index folder behind.
    if (pass.min_bytes > pass.max_bytes)
        throw usage_error("--min-passage-bytes must not exceed --max-passage-bytes");
    wo.ram_budget_mb = static_cast<std::size_t>(vm["ram-mb"].as<count>().value);
    if (wo.ram_budget_mb == 0 || wo.ram_budget_mb > 1'048'576)
        throw usage_error("--ram-mb must lie in 1..1048576 (1 TiB)");
    wo.max_article_bytes = static_cast<std::size_t>(vm["max-article-bytes"].as<count>().value);
    const auto thread_count = vm["threads"].as<count>().value;
    if (thread_count == 0 || thread_count > 256) throw usage_error("--threads must lie in 1..256");
    const auto threads = static_cast<unsigned>(thread_count);
    const auto commit_every = vm["commit-every"].as<count>().value;
    const auto merge = vm["merge"].as<std::string>();
    if (merge != "tiered" && merge != "none" && merge != "all")
        throw usage_error("--merge must be tiered, none or all, not '" + merge + "'");
    // `all` merges nothing before its final merge_all, which would only merge again what a
    // tiered commit merged.
    if (merge != "tiered") wo.merges.merge_factor = 0;
    const bool skip_errors = vm["skip-errors"].as<bool>();
    const bool upsert = vm["upsert"].as<bool>() || args.name == "update";
    const bool ignore_unknown = vm["ignore-unknown-fields"].as<bool>();
    if (vm.count("schema") != 0) {
        const auto path = vm["schema"].as<std::string>();
        std::ifstream in(path, std::ios::binary);
        if (!in) throw io_error(path, "cannot open the schema file");
        const std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        try {
            wo.index.schema = index::parse_schema(json);
        } catch (const rapport::invalid_argument& e) {
            throw rapport::invalid_argument(path + ": " + e.what());
        }
    }
    ingest::read_options ro;
    if (vm["replace-invalid-utf8"].as<bool>()) {
        ro.invalid_utf8 = invalid_utf8_policy::replace;
        ao.invalid_utf8 = invalid_utf8_policy::replace;
    }
    (void)analysis::analyzer(ao);  // throws invalid_argument naming an unknown language now, not later

    progress_style style = progress_style::none;
    const auto progress = vm["progress"].as<std::string>();
    if (progress == "auto")
        style = is_terminal(2) ? progress_style::bar : progress_style::lines;
    else if (progress == "bar")
        style = progress_style::bar;
    else if (progress == "lines")
        style = progress_style::lines;
    else if (progress != "none")
        throw usage_error("--progress must be auto, bar, lines or none, not '" + progress + "'");

    // Inputs are all checked before anything is written.
    std::vector<input> inputs;
    std::optional<std::uint64_t> total = 0;
    int stdin_count = 0;
    for (const auto& arg : vm["input"].as<std::vector<std::string>>()) {
        inputs.push_back(classify(arg));
        if (inputs.back().type == input::kind::jsonl_stdin) ++stdin_count;
        if (total && inputs.back().size)
            *total += *inputs.back().size;
        else
            total.reset();
    }
    if (stdin_count > 1) throw usage_error("stdin (-) can be read only once");

    const auto dir_path = vm["index"].as<std::string>();
    std::error_code exists_ec;
    const bool new_folder = !std::filesystem::exists(dir_path, exists_ec);
    auto dir = std::shared_ptr<storage::directory>(storage::fs_directory::create_or_open(dir_path));
    if (const auto existing = index::read_latest_manifest(*dir)) {
        if (vm["create"].as<bool>())
            throw usage_error(dir_path + " already holds an index (generation " + std::to_string(existing->generation) +
                              "); --create needs a new folder");
        check_compatible(existing->options, wo.index, vm, dir_path);
    }

    // Ids already in the index (checked per article, in the snapshot before this run).
    std::optional<index::index_reader> before;
    if (!upsert && index::read_latest_manifest(*dir)) before = index::index_reader::open(dir);
    std::optional<index::index_writer> opened;
    try {
        opened.emplace(dir, wo);
    } catch (...) {
        // Options the writer refused: a folder made for nothing is removed again (it holds at most
        // the lock file and an empty first commit's files).
        if (new_folder) {
            dir.reset();
            std::error_code ec;
            std::filesystem::remove_all(dir_path, ec);
        }
        throw;
    }
    auto& writer = *opened;
    install_interrupt_handler();
    progress_meter meter(style, total);
    std::uint64_t since_commit = 0;
    std::uint64_t committed_articles = 0;
    const auto maybe_commit = [&] {
        if (commit_every != 0 && ++since_commit >= commit_every) {
            writer.commit();
            committed_articles += since_commit;
            since_commit = 0;
        }
    };

    // One thread reads; with --threads N > 1, N workers analyse and add (a single thread adds inline).
    index::indexing_queue queue(
        writer, {.threads = threads > 1 ? threads : 0,
                 .capacity = 256,
                 .skip_invalid = skip_errors,
                 .upsert = upsert,
                 .on_added = [&meter](std::size_t passages, std::uint64_t bytes) { meter.add(passages, bytes); },
                 .on_skipped =
                     [](const std::string& origin, const invalid_argument& e) {
                         std::cerr << "rapport index: skipped " << origin << ": " << e.what() << "\n";
                     }});
    // Where each id of this run was first read, to report a repeat with both places.
    id_registry seen;
    // The schema articles are checked against: the index's own, with the new fields --schema adds.
    const index::schema schema = index::validate_schema(
        vm.count("schema") != 0 ? wo.index.schema : index::index_reader::open(dir).options().schema);
    const auto add = [&](ingest::article a, std::string origin) {
        if (ignore_unknown)
            std::erase_if(a.fields, [&](const ingest::article_field& f) { return schema.find(f.name) == nullptr; });
        if (!upsert) {
            std::string problem;
            if (const auto earlier = seen.insert(a.id.value, origin))
                problem = "article id '" + a.id.value + "' repeats the one at " + *earlier +
                          " (ids are unique; --upsert replaces instead)";
            else
                writer.set_outside_memory(seen.memory_usage());  // a new id: --ram-mb bounds the ids too
            if (problem.empty() && before && holds_article(*before, a.id.value))
                problem = "article id '" + a.id.value + "' is already in the index (--upsert replaces it)";
            if (!problem.empty()) {
                if (!skip_errors) throw invalid_argument(origin + ": " + problem);
                std::cerr << "rapport index: skipped " << origin << ": " << problem << "\n";
                return true;
            }
        }
        if (!queue.push(std::move(a), std::move(origin))) return false;
        maybe_commit();
        meter.tick();
        return true;
    };

    bool stopped = false;
    try {
        for (const auto& in : inputs) {
            if (stopped || interrupted.load()) break;
            if (in.type == input::kind::text_folder) {
                for (const auto& file : ingest::list_text_files(in.path)) {
                    if (interrupted.load()) break;
                    std::optional<ingest::article> a;
                    try {
                        a = ingest::read_text_file(file, ro);
                    } catch (const rapport::error& e) {  // unreadable or invalid: a bad article
                        if (!skip_errors) throw;
                        std::cerr << "rapport index: skipped " << e.what() << "\n";
                        continue;
                    }
                    std::string origin = file.string();
                    if (!add(std::move(*a), std::move(origin))) {
                        stopped = true;
                        break;
                    }
                }
                continue;
            }
            std::optional<ingest::jsonl_reader> reader;
            if (in.type == input::kind::jsonl_stdin)
                reader.emplace(std::cin, "<stdin>", ro);
            else
                reader.emplace(in.path, ro);
            while (!interrupted.load()) {
                std::optional<ingest::article> a;
                try {
                    a = reader->next();
                } catch (const invalid_argument& e) {
                    if (!skip_errors) throw;
                    std::cerr << "rapport index: skipped " << e.what() << "\n";
                    continue;
                } catch (const io_error&) {
                    if (interrupted.load()) break;  // a read on stdin cut short by Ctrl-C
                    throw;
                }
                if (!a) break;
                std::string origin = reader->name() + ":" + std::to_string(reader->line());
                if (!add(std::move(*a), std::move(origin))) {
                    stopped = true;
                    break;
                }
            }
        }
        queue.finish();
    } catch (...) {
        meter.finish();
        queue.close();
        throw;
    }
    meter.finish();

    if (interrupted.load()) {
        std::cerr << "rapport index: interrupted; the articles added since the last commit were discarded, "
                  << "the index in " << dir_path << " is intact at generation " << writer.generation();
        if (committed_articles > 0) std::cerr << " (" << with_commas(committed_articles) << " articles of this run)";
        std::cerr << "\n";
        return exit_interrupted;
    }
    if (merge == "all")
        writer.merge_all();
    else
        writer.commit();
    print_summary(dir, meter, meter.elapsed(), writer.generation());
    return exit_ok;
}

}  // namespace rapport::cli
