// SPDX-License-Identifier: MIT
#include "rapport/index/manifest.hpp"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <string>

#include "core/text.hpp"
#include "index/manifest_writer.hpp"
#include "rapport/analysis/analyzer.hpp"
#include "rapport/analysis/token_filter.hpp"
#include "rapport/core/error.hpp"
#include "rapport/core/varint.hpp"
#include "rapport/index/disk_segment.hpp"
#include "rapport/storage/directory.hpp"

namespace rapport::index {

namespace {
constexpr char manifest_prefix[] = "manifest_";

std::string hex16(std::uint64_t v) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

void put_string(std::string& out, std::string_view s) {
    put_varint(out, s.size());
    out.append(s);
}

void put_seal(std::string& out, const file_seal& f) {
    put_varint(out, f.size);
    put_varint(out, f.checksum);
}

// Sequential decoder over a payload that throws corruption_error with the offset of the fault.
class decoder {
public:
    decoder(std::string_view data, const std::string& file) : begin_(data.data()), p_(data.data()), end_(data.data() + data.size()), file_(file) {}
    std::uint64_t number(std::uint64_t max = ~std::uint64_t{0}) {
        std::uint64_t v = 0;
        const char* next = get_varint(p_, end_, v);
        if (next == nullptr) fail("bad or truncated number");
        if (v > max) fail("number out of range");
        p_ = next;
        return v;
    }
    std::string string() {
        const auto n = number();
        if (n > static_cast<std::uint64_t>(end_ - p_)) fail("string runs past the end");
        std::string s(p_, static_cast<std::size_t>(n));
        p_ += n;
        return s;
    }
    file_seal seal() {
        file_seal f;
        f.size = number();
        f.checksum = static_cast<std::uint32_t>(number(0xFFFFFFFFu));
        return f;
    }
    [[nodiscard]] bool done() const noexcept { return p_ == end_; }
    [[noreturn]] void fail(const std::string& what) const {
        throw corruption_error(file_, static_cast<std::uint64_t>(p_ - begin_), "manifest: " + what);
    }

private:
    const char* begin_;
    const char* p_;
    const char* end_;
    const std::string& file_;
};
}  // namespace

std::string manifest_file_name(std::uint64_t gen) { return manifest_prefix + hex16(gen); }

std::string deletions_file_name(const std::string& segment, std::uint64_t gen) {
    return segment + "_" + hex16(gen) + ".dels";
}

std::string encode_manifest(const manifest& m, std::uint32_t version) {
    std::string out;
    put_varint(out, m.generation);
    put_varint(out, m.next_segment);
    const auto& a = m.options.analyzer;
    put_string(out, a.language);
    put_varint(out, a.stopwords ? 1 : 0);
    if (a.stopwords) {
        put_varint(out, a.stopwords->size());
        for (const auto& w : *a.stopwords) put_string(out, w);
    }
    put_varint(out, a.case_fold ? 1 : 0);
    put_varint(out, a.invalid_utf8 == invalid_utf8_policy::replace ? 1 : 0);
    const auto& p = m.options.passages;
    put_varint(out, p.max_bytes);
    put_varint(out, p.min_bytes);
    put_varint(out, p.overlap_sentences);
    put_varint(out, p.paragraphs == ingest::paragraph_break::blank_line ? 1 : 0);
    // Version 2: the resolved settings, so that a later change of a language's default never
    // changes how an existing index analyses.
    put_varint(out, analysis::folds_accents(a) ? 1 : 0);
    put_varint(out, analysis::removes_elisions(a) ? 1 : 0);
    // Version 3: CJK bigrams, and the name of a custom analyzer (empty: the standard pipeline).
    put_varint(out, a.cjk_bigrams ? 1 : 0);
    put_string(out, m.options.custom_analyzer_name);
    if (version >= 5) put_string(out, to_json(validate_schema(m.options.schema)));
    put_varint(out, m.segments.size());
    for (const auto& s : m.segments) {
        put_string(out, s.name);
        put_varint(out, s.passages);
        put_varint(out, s.articles);
        put_varint(out, s.deleted);
        put_varint(out, s.deletion_gen);
        // Version 4: the seals (count 0: unsealed, a segment from an older manifest).
        put_varint(out, s.files.size());
        for (const auto& f : s.files) put_seal(out, f);
        put_varint(out, s.deletions ? 1 : 0);
        if (s.deletions) put_seal(out, *s.deletions);
    }
    return out;
}

manifest decode_manifest(std::string_view payload, const std::string& file, std::uint32_t version) {
    decoder d(payload, file);
    manifest m;
    m.generation = d.number();
    m.next_segment = d.number();
    auto& a = m.options.analyzer;
    a.language = d.string();
    // A language this build cannot stem is no index it wrote: report it here, naming the manifest,
    // rather than as a bad argument when the first searcher builds its analyzer.
    if (const std::string l = rapport::detail::ascii_lower(a.language); !l.empty() && l != "none") {
        try {
            (void)analysis::make_stemmer_filter(l);
        } catch (const invalid_argument&) {
            d.fail("unknown analysis language");
        }
    }
    if (d.number(1) == 1) {
        const auto n = d.number(1u << 24);
        a.stopwords.emplace();
        for (std::uint64_t i = 0; i < n; ++i) a.stopwords->push_back(d.string());
    }
    a.case_fold = d.number(1) == 1;
    a.invalid_utf8 = d.number(1) == 1 ? invalid_utf8_policy::replace : invalid_utf8_policy::reject;
    auto& p = m.options.passages;
    p.max_bytes = d.number();
    p.min_bytes = d.number();
    p.overlap_sentences = d.number();
    p.paragraphs = d.number(1) == 1 ? ingest::paragraph_break::blank_line : ingest::paragraph_break::line;
    // Version 1 indexes were analysed without accent folding and elision removal, and only English
    // had a default stop list.
    if (version < 2 && !a.stopwords) {
        const std::string l = rapport::detail::ascii_lower(a.language);
        if (l != "english" && l != "en" && l != "eng") a.stopwords.emplace();  // none, as then
    }
    a.fold_accents = version >= 2 && d.number(1) == 1;
    a.elision = version >= 2 && d.number(1) == 1;
    // Indexes before version 3 held ICU's dictionary words for CJK text.
    a.cjk_bigrams = version >= 3 && d.number(1) == 1;
    if (version >= 3) m.options.custom_analyzer_name = d.string();
    // Version 5: the schema, as JSON (before it, every index had the default one).
    m.options.schema = default_schema();
    if (version >= 5) {
        const auto json = d.string();
        try {
            m.options.schema = parse_schema(json);
        } catch (const invalid_argument& e) {
            d.fail(std::string("bad schema: ") + e.what());
        }
        // Version 6: an index sort; a writer marks every manifest declaring one with that version.
        if (version < 6 && m.options.schema.sort) d.fail("bad schema: an index sort in a manifest before version 6");
    }
    const auto count = d.number(1u << 24);
    for (std::uint64_t i = 0; i < count; ++i) {
        segment_entry s;
        s.name = d.string();
        s.passages = static_cast<std::uint32_t>(d.number(0xFFFFFFFEu));
        s.articles = static_cast<std::uint32_t>(d.number(0xFFFFFFFEu));
        s.deleted = static_cast<std::uint32_t>(d.number(s.passages));
        s.deletion_gen = d.number();
        // Names the writer makes: "seg_" and hex digits; nothing else can be a file name here.
        if (s.name.empty() || s.name.size() > 64 ||
            !std::all_of(s.name.begin(), s.name.end(), [](char c) {
                return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
            }))
            d.fail("bad segment name");
        if (version >= 4) {
            const auto files = d.number(std::size(segment_files::all));
            // A format 4 segment has no values file; manifest 4 knew of none.
            if (files != 0 && files != segment_files::format4_count &&
                (version < 5 || files != std::size(segment_files::all)))
                d.fail("bad number of file seals");
            for (std::uint64_t f = 0; f < files; ++f) s.files.push_back(d.seal());
            if (d.number(1) == 1) {
                if (s.deletion_gen == 0) d.fail("a deletions seal without a deletions file");
                s.deletions = d.seal();
            }
        }
        m.segments.push_back(std::move(s));
    }
    if (!d.done()) d.fail("trailing bytes");
    return m;
}

std::optional<manifest> read_latest_manifest(storage::directory& dir) {
    // A writer may publish a newer manifest and remove this one between listing and opening:
    // then the listing is simply stale, and a fresh one names the newer commit.
    for (int attempt = 0;; ++attempt) {
        std::optional<std::string> latest;
        for (const auto& name : dir.list()) {
            // Names are fixed width, so the lexicographic maximum is the highest generation.
            if (name.size() == sizeof(manifest_prefix) - 1 + 16 && name.starts_with(manifest_prefix) &&
                (!latest || name > *latest))
                latest = name;
        }
        if (!latest) return std::nullopt;
        try {
            const auto file = dir.open(*latest, storage::kinds::manifest, oldest_manifest_version, manifest_version);
            return decode_manifest(file->payload(), file->path(), file->version());
        } catch (const io_error&) {
            if (attempt >= 16 || dir.exists(*latest)) throw;  // a real I/O failure, not a race
        }
    }
}

void write_manifest(storage::directory& dir, const manifest& m) {
    const auto version = m.options.schema.sort ? manifest_version : unsorted_manifest_version;
    dir.write_atomic(manifest_file_name(m.generation), storage::kinds::manifest, version, encode_manifest(m, version));
}

}  // namespace rapport::index
