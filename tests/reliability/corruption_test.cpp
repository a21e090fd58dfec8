// SPDX-License-Identifier: MIT
// Damaged index files: for every file of a small committed index (three segments with deletions:
// manifest, dict, post, posn, lens, stor and dels files), a byte flipped at several offsets
// (header magic, kind and version, first, middle and last payload byte, footer length, magic and
// CRC) and truncations to 0, 1, half and size - 1 bytes must make index_reader::open, or a search
// and fetch after it, throw `corruption_error` naming the file, and check_index report it; never
// a crash, a hang, a wrong answer or another exception. A header version patched to one too new
// or too old, with the CRC recomputed so that only the version is wrong, must throw
// `format_version_error` saying "too new" / "too old" and naming the file.
// Every case runs on a copy of the index, in an fs_directory and in a memory_directory.
// A sound file of another segment in place of one is named by the manifest's seals. Last, damage
// no checksum can see (an index of old manifests, unsealed, with files of two segments mixed) must
// still not turn into another article's passages.
#include <doctest/doctest.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <typeinfo>
#include <vector>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rapport/core/crc32c.hpp"
#include "rapport/core/error.hpp"
#include "rapport/index/check_index.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/index/index_writer.hpp"
#include "rapport/index/schema.hpp"
#include "rapport/search/request.hpp"
#include "rapport/search/searcher.hpp"
#include "rapport/storage/file_format.hpp"
#include "rapport/storage/fs_directory.hpp"
#include "rapport/storage/memory_directory.hpp"
#include "index/manifest_writer.hpp"
#include "reliability/reliability.hpp"
#include "support/backends.hpp"
#include "support/envelope.hpp"

using namespace rapport;

namespace {

// Copies of an index in folders: `copy_with` gives a fresh folder holding the source's files,
// one of them replaced.
class fs_copies {
public:
    static constexpr const char* name = "fs";
    fs_copies() : source_(storage::fs_directory::create_or_open(scratch_.path() / "source")) {}
    [[nodiscard]] std::shared_ptr<storage::directory> source() const { return source_; }
    [[nodiscard]] std::string read(const std::string& file) const {
        std::ifstream in(source_->path_of(file), std::ios::binary);
        REQUIRE(in.good());
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }
    [[nodiscard]] std::shared_ptr<storage::directory> copy_with(const std::string& file, const std::string& bytes) {
        const auto path = scratch_.path() / ("copy" + std::to_string(copies_++));
        reliability::copy_index_folder(scratch_.path() / "source", path);
        if (!file.empty()) {
            std::ofstream out(path / file, std::ios::binary | std::ios::trunc);
            out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
            REQUIRE(out.good());
        }
        return std::shared_ptr<storage::directory>(storage::fs_directory::open_existing(path));
    }

private:
    test::scratch_dir scratch_;
    std::shared_ptr<storage::fs_directory> source_;
    unsigned copies_ = 0;
};

// Copies of an index in memory.
class memory_copies {
public:
    static constexpr const char* name = "memory";
    [[nodiscard]] std::shared_ptr<storage::directory> source() const { return source_; }
    [[nodiscard]] std::string read(const std::string& file) const { return source_->read_raw(file); }
    [[nodiscard]] std::shared_ptr<storage::directory> copy_with(const std::string& file,
                                                              const std::string& bytes) const {
        auto copy = std::make_shared<storage::memory_directory>("mem");
        for (const auto& f : source_->list()) copy->write_raw(f, f == file ? bytes : source_->read_raw(f));
        return copy;
    }

private:
    std::shared_ptr<storage::memory_directory> source_ = std::make_shared<storage::memory_directory>("mem");
};

// The kind of an index file, from its name.
std::string kind_of(const std::string& file) {
    if (file.starts_with("manifest_")) return "manifest";
    return file.substr(file.rfind('.') + 1);
}

const char* const all_kinds[] = {"manifest", "dict", "post", "posn", "lens", "stor", "word", "fval", "dels"};

// Three segments (merging off), each with deletions, one article of several passages.
// Returns the live articles: id → version.
// Every article carries field values (a keyword, an integer, a stored value), so that the value
// files hold columns and the dictionaries keyword keys.
ingest::article with_values(ingest::article a, std::size_t n) {
    static const char* const colours[] = {"\"red\"", "[\"green\", \"blue\"]", "\"blue\""};
    a.fields = {{"colour", colours[n % 3]}, {"rank", std::to_string(n * 7 % 11)}, {"note", "{\"n\": " + std::to_string(n) + "}"}};
    return a;
}

std::map<std::string, std::uint64_t> build_index(const std::shared_ptr<storage::directory>& dir) {
    index::index_writer_options o;
    o.merges.merge_factor = 0;
    o.index.schema = index::parse_schema(
        R"({"fields": [{"name": "colour", "type": "keyword"}, {"name": "rank", "type": "integer"},)"
        R"( {"name": "note", "type": "stored"}]})");
    index::index_writer w(dir, o);
    std::map<std::string, std::uint64_t> live;
    std::size_t n = 0;
    auto add = [&](const std::string& id, std::uint64_t v) {
        w.add(with_values(reliability::make_article(id, v), n++));
        live[id] = v;
    };
    for (int i = 0; i < 8; ++i) add("a" + std::to_string(i), 1);
    auto multi = reliability::make_article("multi", 1);
    for (int p = 0; p < 3; ++p) multi.body += "\n" + reliability::make_article("multi" + std::to_string(p), 1).body;
    w.add(with_values(multi, n++));
    live["multi"] = 1;
    w.commit();
    for (int i = 8; i < 14; ++i) add("a" + std::to_string(i), 1);
    w.remove({"a2"});
    live.erase("a2");
    w.update(with_values(reliability::make_article("a5", 2), n++));
    live["a5"] = 2;
    w.commit();
    for (int i = 14; i < 18; ++i) add("a" + std::to_string(i), 1);
    w.remove({"a9"});
    w.remove({"a15"});  // not yet flushed: a deletion in the segment this commit writes
    live.erase("a9");
    live.erase("a15");
    w.commit();
    REQUIRE(w.segment_count() == 3);
    return live;
}

std::map<std::string, std::uint64_t> exercise_fetches(const index::index_reader& r, const search::searcher& s);

// Searches and fetches everything; returns the live articles it saw (id → version).
std::map<std::string, std::uint64_t> exercise(const index::index_reader& r) {
    search::searcher s(r);
    for (const char* q : {"river stone", "bridge harbour lantern", "meadow copper signal", "winter garden",
                          "engine silver thunder valley", "uniquemulti", "version2"})
        (void)s.search(q, {.k = 100});
    // The value columns and keyword keys (of an index with them): a filter, facets and a sort read them all.
    if (r.options().schema.find("colour") == nullptr) return exercise_fetches(r, s);
    search::search_request request;
    request.options.k = 100;
    request.filter = "colour:(red OR blue) rank:[0 TO *]";
    request.facets = {{.field = "colour"}, {.field = "rank", .top = 0}};
    request.sort = search::sort_spec{"rank", true};
    (void)search::run(s, s.parse("river stone bridge meadow winter engine"), request);
    return exercise_fetches(r, s);
}

// Fetches every live passage; returns the live articles it saw (id → version).
std::map<std::string, std::uint64_t> exercise_fetches(const index::index_reader& r, const search::searcher& s) {
    std::map<std::string, std::uint64_t> live;
    for (docid_t d = 0; d < r.passage_count(); ++d) {
        const auto [seg, local] = r.locate(d);
        if (seg->is_deleted(local)) continue;
        const auto h = s.fetch({0.0, d});
        std::string id;
        std::uint64_t v = 0;
        REQUIRE(reliability::parse_title(h.title, id, v));
        live[id] = v;
        (void)s.fetch_article(d);
    }
    return live;
}

// Requires that reading `dir` fails with a corruption_error naming `file`, and that check_index
// reports a problem naming it.
void expect_corruption(const std::shared_ptr<storage::directory>& dir, const std::string& file,
                       const std::string& damage) {
    CAPTURE(file);
    CAPTURE(damage);
    try {
        const auto r = index::index_reader::open(dir);
        (void)exercise(r);
        FAIL_CHECK("the damage went unnoticed by open, search and fetch");
    } catch (const corruption_error& e) {
        CHECK_MESSAGE(std::string(e.what()).find(file) != std::string::npos, "the error does not name the file: ",
                      e.what());
    } catch (const std::exception& e) {
        FAIL_CHECK("expected corruption_error, caught " << typeid(e).name() << ": " << e.what());
    }
    try {
        const auto report = index::check_index(dir);
        bool named = false;
        for (const auto& p : report.problems) named = named || p.find(file) != std::string::npos;
        CHECK_MESSAGE(named, "check_index does not report the damaged file");
    } catch (const std::exception& e) {
        FAIL_CHECK("check_index threw " << typeid(e).name() << ": " << e.what());
    }
}

void put_u32(std::string& bytes, std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}

// `bytes` with the header's version replaced and the footer's CRC32C recomputed to match.
std::string with_version(std::string bytes, std::uint32_t version) {
    put_u32(bytes, 8, version);
    put_u32(bytes, bytes.size() - 4, crc32c(std::string_view(bytes).substr(0, bytes.size() - 4)));
    return bytes;
}

}  // namespace

TEST_CASE_TEMPLATE("reliability: every flipped byte and truncation of every index file is a corruption_error",
                   Copies, fs_copies, memory_copies) {
    Copies copies;
    const auto live = build_index(copies.source());
    const auto files = copies.source()->list();
    std::set<std::string> kinds;
    for (const auto& f : files) kinds.insert(kind_of(f));
    for (const char* k : all_kinds) CHECK_MESSAGE(kinds.contains(k), "the index has no ", k, " file");

    // The harness itself: an undamaged copy opens and answers exactly.
    {
        const auto dir = copies.copy_with("", "");
        CHECK(exercise(index::index_reader::open(dir)) == live);
        CHECK(index::check_index(dir).ok());
    }
    std::size_t cases = 0;
    for (const auto& file : files) {
        const auto original = copies.read(file);
        const std::size_t size = original.size();
        REQUIRE(size >= storage::envelope_size);
        const std::size_t payload_end = size - storage::footer_size;
        const std::size_t payload = payload_end - storage::header_size;
        std::map<std::size_t, std::string> offsets{
            {0, "header magic"},
            {5, "header kind"},
            {9, "header version"},
            {payload_end + 3, "footer payload length"},
            {size - 6, "footer magic"},
            {size - 1, "footer CRC"},
        };
        if (payload > 0) {
            offsets.emplace(storage::header_size, "first payload byte");
            offsets.emplace(storage::header_size + payload / 2, "middle of the payload");
            offsets.emplace(payload_end - 1, "last payload byte");
        }
        for (const auto& [at, where] : offsets) {
            auto damaged = original;
            damaged[at] = static_cast<char>(damaged[at] ^ 0xFF);
            expect_corruption(copies.copy_with(file, damaged), file,
                              std::string(Copies::name) + ": byte " + std::to_string(at) + " (" + where + ") flipped");
            ++cases;
        }
        for (const std::size_t length : {std::size_t{0}, std::size_t{1}, size / 2, size - 1}) {
            expect_corruption(copies.copy_with(file, original.substr(0, length)), file,
                              std::string(Copies::name) + ": truncated to " + std::to_string(length) + " bytes");
            ++cases;
        }
    }
    MESSAGE(std::string(Copies::name) << ": " << cases << " damaged copies of " << files.size() << " files");
}

// A sound file (valid envelope, right kind and version) of another segment in place of one of
// the index's files: the manifest's seals (FORMAT.md §3) name it, whatever its size.
TEST_CASE_TEMPLATE("reliability: a sound file of another segment in place of one is a corruption_error naming it",
                   Copies, fs_copies, memory_copies) {
    Copies copies;
    (void)build_index(copies.source());
    const auto files = copies.source()->list();
    std::set<std::string> swapped_kinds;
    std::size_t swaps = 0;
    for (const auto& file : files) {
        if (file.starts_with("manifest_")) continue;
        for (const auto& other : files) {
            if (other == file || kind_of(other) != kind_of(file)) continue;
            expect_corruption(copies.copy_with(file, copies.read(other)), file,
                              std::string(Copies::name) + ": replaced by " + other);
            swapped_kinds.insert(kind_of(file));
            ++swaps;
            break;
        }
    }
    MESSAGE(std::string(Copies::name) << ": " << swaps << " files replaced by another segment's");
    // Every kind of segment file, the deletions included, was swapped at least once.
    CHECK(swapped_kinds.size() == std::size(all_kinds) - 1);
}

namespace {
using test::envelope_like;

// Replaces the payload of segment file `<segment>.<ext>` of the single-segment index in `dir` by
// `payload`, recomputing the envelope (length, CRC32C) and the manifest's seal, so that only the
// payload's structure can tell. Returns the file's name.
std::string reseal_payload(storage::memory_directory& dir, const char* ext, const std::string& payload) {
    auto m = index::read_latest_manifest(dir);
    REQUIRE(m.has_value());
    REQUIRE(m->segments.size() == 1);
    auto& seg = m->segments[0];
    const std::string file = index::segment_file_name(seg.name, ext);
    const auto [bytes, crc] = envelope_like(dir.read_raw(file), payload);
    dir.write_raw(file, bytes);
    const auto slot = static_cast<std::size_t>(
        std::find_if(std::begin(index::segment_files::all), std::end(index::segment_files::all),
                     [&](const char* e) { return std::string_view(e) == ext; }) -
        std::begin(index::segment_files::all));
    REQUIRE(seg.files.size() == std::size(index::segment_files::all));
    seg.files[slot] = {bytes.size(), crc};
    index::write_manifest(dir, *m);
    return file;
}

// The payload of `<segment>.<ext>` of the single-segment index in `dir`.
std::string payload_of(const storage::memory_directory& dir, const char* ext) {
    const auto m = index::read_latest_manifest(const_cast<storage::memory_directory&>(dir));
    REQUIRE(m.has_value());
    const std::string raw = dir.read_raw(index::segment_file_name(m->segments.at(0).name, ext));
    return raw.substr(storage::header_size, raw.size() - storage::envelope_size);
}

std::shared_ptr<storage::memory_directory> two_article_index() {
    auto dir = std::make_shared<storage::memory_directory>("mem");
    index::index_writer w(dir);
    w.add(reliability::make_article("a1", 1));
    w.add(reliability::make_article("a2", 1));
    w.commit();
    return dir;
}
}  // namespace

// Bytes appended to a postings or positions payload, with the file's length, CRC and the
// manifest's seal all recomputed: every checksum agrees, the index opens and answers, and only the
// structure says that no term owns those bytes. check_index must name the file.
TEST_CASE("reliability: payload bytes no term owns, under recomputed checksums and seals, are reported by check") {
    for (const char* ext : {"post", "posn"}) {
        CAPTURE(ext);
        const auto dir = two_article_index();
        REQUIRE(index::check_index(dir).ok());
        const auto before = exercise(index::index_reader::open(dir));
        REQUIRE(before.size() == 2);
        const auto file = reseal_payload(*dir, ext, payload_of(*dir, ext) + std::string(7, '\x5A'));
        // Every checksum agrees: the index opens and answers as before.
        CHECK(exercise(index::index_reader::open(dir)) == before);
        const auto report = index::check_index(dir);
        CHECK_FALSE(report.ok());
        bool named = false;
        for (const auto& p : report.problems) named = named || p.find(file + ": bytes ") != std::string::npos;
        CHECK_MESSAGE(named, "check_index does not report the bytes no term owns");
    }
}

// Found by the fuzz targets (tests/fuzz: lengths, deletions), each under recomputed checksums and
// seals: a passage's article number in the lengths file that disagrees with the stored fields
// (hits would carry another article's id) must be reported by check; a deletion bitmap holding a
// value twice (its cardinality then overcounts the deleted passages) must not open.
TEST_CASE("reliability: lengths and deletions that disagree with themselves or the stored fields are refused") {
    {
        const auto dir = two_article_index();
        REQUIRE(index::check_index(dir).ok());
        const auto r = index::index_reader::open(dir);
        const std::uint32_t n = r.segments()[0]->size();
        REQUIRE(r.segments()[0]->article_count() == 2);
        auto lens = payload_of(*dir, "lens");
        // Passage 0's article number (after the n body lengths) becomes the other, valid, article.
        REQUIRE(lens.size() >= 8u * n);
        const std::size_t at = 4u * n;
        lens[at] = static_cast<char>(lens[at] ^ 1);
        const auto file = reseal_payload(*dir, "lens", lens);
        const auto report = index::check_index(dir);
        CHECK_FALSE(report.ok());
        bool named = false;
        for (const auto& p : report.problems) named = named || p.find(file) != std::string::npos;
        CHECK_MESSAGE(named, "check_index does not report the article number");
    }
    {
        auto dir = std::make_shared<storage::memory_directory>("mem");
        {
            index::index_writer w(dir);
            for (int i = 0; i < 8; ++i) w.add(reliability::make_article("d" + std::to_string(i), 1));
            w.commit();
            w.remove({"d1"});
            w.commit();
        }
        auto m = index::read_latest_manifest(*dir);
        REQUIRE(m.has_value());
        auto& seg = m->segments.at(0);
        REQUIRE(seg.deletion_gen != 0);
        const std::string file = index::deletions_file_name(seg.name, seg.deletion_gen);
        // A portable roaring bitmap of one array container holding 3, 5, 3.
        const std::string twice("\x3a\x30\x00\x00\x01\x00\x00\x00\x00\x00\x02\x00\x10\x00\x00\x00"
                                "\x03\x00\x05\x00\x03\x00", 22);
        const auto [bytes, crc] = envelope_like(dir->read_raw(file), twice);
        dir->write_raw(file, bytes);
        seg.deletions = index::file_seal{bytes.size(), crc};
        seg.deleted = 3;
        index::write_manifest(*dir, *m);
        CHECK_THROWS_WITH_AS((void)index::index_reader::open(dir), doctest::Contains(file.c_str()), corruption_error);
        CHECK_FALSE(index::check_index(dir).ok());
    }
}

// A manifest naming a segment that is not there, or a name no writer makes: check reports it,
// never throws.
TEST_CASE("reliability: a manifest naming a missing or impossible segment is a problem check reports") {
    for (const std::string& name : {std::string("seg_ff"), std::string("seg_0\x01"), std::string("seg\0zero", 8)}) {
        CAPTURE(name);
        const auto dir = two_article_index();
        auto m = index::read_latest_manifest(*dir);
        REQUIRE(m.has_value());
        m->segments.at(0).name = name;
        m->segments.at(0).files.clear();
        index::write_manifest(*dir, *m);
        index::check_report report;
        CHECK_NOTHROW(report = index::check_index(dir));
        CHECK_FALSE(report.ok());
        CHECK_THROWS((void)index::index_reader::open(dir));
    }
}

// Positions that fail to decode, under recomputed checksums and seals: check_index blames the
// positions file, not the postings (positions are decoded on demand by the postings cursor).
TEST_CASE("reliability: check names the positions file for positions that fail to decode") {
    const auto dir = two_article_index();
    const auto payload = payload_of(*dir, "posn");
    const auto file = reseal_payload(*dir, "posn", std::string(payload.size(), '\xFF'));
    const auto report = index::check_index(dir);
    REQUIRE_FALSE(report.ok());
    for (const auto& p : report.problems) {
        CAPTURE(p);
        CHECK(p.find(file) != std::string::npos);
    }
    // A phrase search reads those positions, and its error names the same file.
    const std::string body = reliability::make_article("a1", 1).body;
    const auto second = body.find(' ', body.find(' ') + 1);
    const std::string phrase = "\"" + body.substr(0, second) + "\"";
    CAPTURE(phrase);
    const auto r = index::index_reader::open(dir);
    search::searcher s(r);
    CHECK_THROWS_WITH_AS((void)s.top_k(s.parse(phrase)), doctest::Contains(file.c_str()), corruption_error);
}

TEST_CASE_TEMPLATE("reliability: a file version too new or too old is a format_version_error naming the file",
                   Copies, fs_copies, memory_copies) {
    Copies copies;
    (void)build_index(copies.source());
    std::set<std::string> kinds;
    for (const auto& file : copies.source()->list()) {
        CAPTURE(file);
        kinds.insert(kind_of(file));
        const auto original = copies.read(file);
        // One past the version the file was written with (header bytes 8-11, FORMAT.md §2); for a
        // manifest one past the newest readers know (an index without a sort writes version 5,
        // and 6 is a sorted index's).
        std::uint32_t written = 0;
        std::memcpy(&written, original.data() + 8, 4);
        REQUIRE(written >= 1);
        const std::uint32_t too_new = kind_of(file) == "manifest" ? index::manifest_version + 1 : written + 1;
        for (const auto& [version, words] :
             {std::pair<std::uint32_t, const char*>{too_new, "too new"}, {0, "too old"}}) {
            const std::uint32_t shown = version;  // CAPTURE's lambda cannot capture a binding (clang 14)
            CAPTURE(shown);
            const auto dir = copies.copy_with(file, with_version(original, version));
            try {
                const auto r = index::index_reader::open(dir);
                (void)exercise(r);
                FAIL_CHECK("a file of version " << version << " was read");
            } catch (const format_version_error& e) {
                const std::string what = e.what();
                CHECK_MESSAGE(what.find(words) != std::string::npos, what);
                CHECK_MESSAGE(what.find(file) != std::string::npos, what);
            } catch (const std::exception& e) {
                FAIL_CHECK("expected format_version_error, caught " << typeid(e).name() << ": " << e.what());
            }
            const auto report = index::check_index(dir);
            CHECK_FALSE(report.ok());
        }
    }
    CHECK(kinds.size() == std::size(all_kinds));
}

namespace {

// Runs `body` in a forked child so that a crash is reported, not suffered; returns what the child
// wrote, or "killed by signal N".
template <class Body>
std::string run_isolated(Body body) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(fds[0]);
        std::string out;
        try {
            out = body();
        } catch (const std::exception& e) {
            out = std::string("threw ") + typeid(e).name() + ": " + e.what();
        }
        (void)!::write(fds[1], out.data(), out.size());
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
    return out;
}

}  // namespace

// Damage the checksums cannot see: every file below is a sound file of its kind, but segment
// seg_0's dictionary, postings and positions come from a segment of 10 passages while its
// lengths and stored fields (and the manifest) say 6. Nothing in a file ties it to its segment,
// so open() accepts the mix, and the postings yield docids 6..9. Unless the postings cursor
// bounds docids by the segment size, the scorer indexes the 6-entry length norms out of bounds
// and the reader maps those docids to passages of seg_1: the search returned other articles
// ("y9 y0") without any error. check_index sees it either way.
TEST_CASE("reliability: postings that point past their segment are a corruption_error, not other articles") {
    auto article = [](const std::string& id, bool zebra) {
        const std::string body = "The river runs under the stone bridge" + std::string(zebra ? " zebra" : "") + ".";
        return ingest::article{{id}, id, body};
    };
    index::index_writer_options o;
    o.merges.merge_factor = 0;
    auto big = std::make_shared<storage::memory_directory>("big");
    {
        index::index_writer w(big, o);
        for (int i = 0; i < 10; ++i) w.add(article("x" + std::to_string(i), i == 0 || i == 9));
        w.commit();
    }
    auto mixed = std::make_shared<storage::memory_directory>("mixed");
    {
        index::index_writer w(mixed, o);
        for (int i = 0; i < 6; ++i) w.add(article("y" + std::to_string(i), false));
        w.commit();
        for (int i = 6; i < 10; ++i) w.add(article("y" + std::to_string(i), false));
        w.commit();
        REQUIRE(w.segment_count() == 2);
    }
    for (const char* f : {"seg_0.dict", "seg_0.post", "seg_0.posn"}) mixed->write_raw(f, big->read_raw(f));

    const auto outcome = run_isolated([&]() -> std::string {
        try {
            const auto r = index::index_reader::open(mixed);
            search::searcher s(r);
            std::string found;
            for (const auto& h : s.search("zebra", {.k = 10})) found += " " + h.article.value;
            return "no error; the search for 'zebra' returned:" + found;
        } catch (const corruption_error& e) {
            const std::string what = e.what();
            return what.find("seg_0") != std::string::npos ? "ok" : "the error does not name seg_0: " + what;
        }
    });
    CHECK_MESSAGE(outcome == "ok", outcome);
    CHECK_FALSE(index::check_index(mixed).ok());
}

// A commit that fails for want of space (here: a file size limit, so that a segment's larger
// files fail with EFBIG while its small ones were written) leaves the directory holding exactly
// the last commit's files; so does a writer given up with segments flushed but not committed (a
// later flush failed, say): no orphan segment waits for the next writer to collect it.
TEST_CASE("reliability: a commit that fails on a full disk removes what it wrote") {
    test::scratch_dir scratch;
    const auto path = scratch.path() / "idx";
    auto listing = [&] {
        auto names = storage::fs_directory::open_existing(path)->list();
        std::sort(names.begin(), names.end());
        std::string out;
        for (const auto& n : names) out += n + " ";
        return out;
    };
    {
        auto dir = std::shared_ptr<storage::directory>(storage::fs_directory::create_or_open(path));
        index::index_writer w(dir);
        for (int i = 0; i < 3; ++i) w.add(reliability::make_article("a" + std::to_string(i), 1));
        w.commit();
    }
    const std::string committed = listing();
    const auto outcome = run_isolated([&]() -> std::string {
        (void)::signal(SIGXFSZ, SIG_IGN);
        const rlimit limit{16384, 16384};
        if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) return "setrlimit failed";
        auto dir = std::shared_ptr<storage::directory>(storage::fs_directory::open_existing(path));
        index::index_writer w(dir);
        for (int i = 0; i < 2000; ++i) w.add(reliability::make_article("b" + std::to_string(i), 1));
        try {
            w.commit();
            return "the commit succeeded";
        } catch (const io_error&) {
            return "io_error; files: " + listing();
        }
    });
    CHECK(outcome == "io_error; files: " + committed);
    CHECK(listing() == committed);

    // A writer that flushed segments (its RAM budget filled) and then failed or was given up
    // before it committed: what it wrote goes with it.
    {
        auto dir = std::shared_ptr<storage::directory>(storage::fs_directory::open_existing(path));
        index::index_writer_options o;
        o.ram_budget_mb = 1;
        index::index_writer w(dir, o);
        int added = 0;
        while (listing() == committed && added < 200000) {
            for (int i = 0; i < 100; ++i, ++added) w.add(reliability::make_article("c" + std::to_string(added), 1));
        }
        REQUIRE_MESSAGE(listing() != committed, "no segment was flushed");
    }
    CHECK(listing() == committed);
    const auto r = index::index_reader::open(std::shared_ptr<storage::directory>(storage::fs_directory::open_existing(path)));
    CHECK(r.live_passage_count() == 3);
    CHECK(index::check_index(std::shared_ptr<storage::directory>(storage::fs_directory::open_existing(path))).ok());
}
