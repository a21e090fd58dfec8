// SPDX-License-Identifier: MIT
// Shared by the index-level fuzz targets (index, lengths, deletions) and make_seeds.cpp: a small
// real index built once in memory (two segments, each with deletions, one holding lists longer
// than a block), ways to damage a copy of it (payloads replaced with their envelope re-sealed, the
// manifest's seals rewritten to match, so that damage reaches the decoders behind the checksums),
// and `exercise`, which opens a damaged copy, searches, fetches and checks it:
//   - index_reader::open, every search, count and fetch either succeed or throw `corruption_error`
//     or `format_version_error`; check_index never throws, and reports a problem whenever open
//     fails (any other exception escapes, and libFuzzer reports it as a crash);
//   - every hit is a live passage of the snapshot, and hits are ranked by non-increasing score;
//   - when check_index finds the index healthy, no search, count or fetch met damage, every
//     algorithm returns the hits of exhaustive evaluation with bit-identical scores, and each hit's
//     article id, title and text are those stored for its passage.
// Thread safety: `sample_index` is built once (a function-local static); the rest are pure
// functions of their arguments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz.hpp"
#include "index/manifest_writer.hpp"
#include "rapport/core/error.hpp"
#include "rapport/core/varint.hpp"
#include "rapport/index/check_index.hpp"
#include "rapport/index/disk_segment.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/index/index_writer.hpp"
#include "rapport/search/searcher.hpp"
#include "rapport/storage/file_format.hpp"
#include "rapport/storage/memory_directory.hpp"

namespace rapport::fuzz {

/// The files of an index: name → whole content, envelope included.
using file_map = std::map<std::string, std::string>;

/// A deterministic article of a few sentences over a small vocabulary, its own word "unique<n>",
/// the word "rapport" in every sentence, and a title.
[[nodiscard]] inline ingest::article sample_article(unsigned n, unsigned sentences) {
    static const char* const words[] = {"river",  "stone",  "bridge",  "harbour", "lantern", "meadow", "copper",
                                        "signal", "winter", "garden",  "engine",  "silver",  "thunder", "valley",
                                        "ancient", "market", "running", "runner"};
    std::uint32_t h = 2166136261u ^ n;
    const auto next = [&] {
        h = h * 1664525u + 1013904223u;
        return h >> 8;
    };
    std::string body;
    for (unsigned s = 0; s < sentences; ++s) {
        const unsigned len = 4 + next() % 6;
        for (unsigned w = 0; w < len; ++w) {
            body += words[next() % std::size(words)];
            body += ' ';
        }
        body += s == 0 ? "unique" + std::to_string(n) : std::string("version");
        body += " rapport";  // in every passage: its list spans two blocks
        body += ". ";
    }
    return {{"a" + std::to_string(n)}, std::string(words[n % std::size(words)]) + " notes " + std::to_string(n), body};
}

/// The sample index, built once: a first commit of 150 one-passage articles and a multi-passage
/// one, then a second commit adding 20 articles, removing two of the first segment's and one of
/// its own (unflushed) and updating one: two segments, both with a deletions file.
[[nodiscard]] inline const file_map& sample_index() {
    static const file_map files = [] {
        auto dir = std::make_shared<storage::memory_directory>("fuzz");
        index::index_writer_options o;
        o.merges.merge_factor = 0;
        o.index.passages.max_bytes = 200;
        o.index.passages.min_bytes = 40;
        {
            index::index_writer w(dir, o);
            for (unsigned n = 0; n < 150; ++n) (void)w.add(sample_article(n, 1));
            (void)w.add(sample_article(150, 6));
            w.commit();
            for (unsigned n = 151; n < 171; ++n) (void)w.add(sample_article(n, 2));
            w.remove({"a3"});
            w.remove({"a77"});
            w.remove({"a160"});
            auto updated = sample_article(5, 2);
            updated.title = "updated five";
            (void)w.update(updated);
            w.commit();
        }
        file_map out;
        for (const auto& f : dir->list()) out[f] = dir->read_raw(f);
        return out;
    }();
    return files;
}

/// The name of the manifest among `files` (the sample has exactly one).
[[nodiscard]] inline std::string manifest_name(const file_map& files) {
    for (const auto& [name, bytes] : files)
        if (name.starts_with("manifest_")) return name;
    return {};
}

/// A memory directory holding `files`.
[[nodiscard]] inline std::shared_ptr<storage::memory_directory> make_directory(const file_map& files) {
    auto dir = std::make_shared<storage::memory_directory>("fuzz");
    for (const auto& [name, bytes] : files) dir->write_raw(name, bytes);
    return dir;
}

/// The payload of a file whose envelope is sound (empty otherwise).
[[nodiscard]] inline std::string_view payload_of(std::string_view file) {
    if (file.size() < storage::envelope_size) return {};
    return file.substr(storage::header_size, file.size() - storage::envelope_size);
}

/// `file` (whose header is read for kind and version) with `payload` in place of its payload and
/// the footer recomputed: a sound envelope around whatever bytes.
/// Requires: `file` holds at least a header.
[[nodiscard]] inline std::string reenvelope(std::string_view file, std::string_view payload) {
    return storage::encode_file(storage::file_kind::from_bytes(file.data() + 4), load_fixed32(file.data() + 8), payload);
}

/// The manifest of `files`, decoded at the version its header gives; nothing when it does not
/// decode or gives a version this build does not read.
[[nodiscard]] inline std::optional<index::manifest> decoded_manifest(const file_map& files) {
    const std::string name = manifest_name(files);
    const auto it = files.find(name);
    if (it == files.end() || it->second.size() < storage::envelope_size) return std::nullopt;
    const std::uint32_t version = load_fixed32(it->second.data() + 8);
    if (version < index::oldest_manifest_version || version > index::manifest_version) return std::nullopt;
    try {
        return index::decode_manifest(payload_of(it->second), name, version);
    } catch (const corruption_error&) {
        return std::nullopt;
    }
}

/// The segment entries of the manifest of `files` (empty when it does not decode).
[[nodiscard]] inline std::vector<index::segment_entry> segment_entries(const file_map& files) {
    auto m = decoded_manifest(files);
    return m ? std::move(m->segments) : std::vector<index::segment_entry>{};
}

/// Rewrites the seal the manifest of `files` records for the file `name` (a segment file or a
/// deletions file) to that file's actual size and footer checksum, so that a re-enveloped file
/// passes as the one the commit wrote. When `deleted` is given, also sets the segment's deleted
/// count. Does nothing when the manifest does not decode or does not name the file.
inline void reseal(file_map& files, const std::string& name, std::optional<std::uint32_t> deleted = std::nullopt) {
    auto m = decoded_manifest(files);
    const auto it = files.find(name);
    if (!m || it == files.end() || it->second.size() < 4) return;
    const auto& file = it->second;
    const index::file_seal seal{file.size(), load_fixed32(file.data() + file.size() - 4)};
    for (auto& e : m->segments) {
        bool named = false;
        if (e.deletion_gen != 0 && name == index::deletions_file_name(e.name, e.deletion_gen)) {
            e.deletions = seal;
            named = true;
        }
        for (std::size_t role = 0; role < std::size(index::segment_files::all) && role < e.files.size(); ++role)
            if (name == index::segment_file_name(e.name, index::segment_files::all[role])) {
                e.files[role] = seal;
                named = true;
            }
        if (named && deleted) e.deleted = *deleted;
    }
    try {
        files[manifest_name(files)] =
            storage::encode_file(storage::kinds::manifest, index::manifest_version, index::encode_manifest(*m));
    } catch (const invalid_argument&) {  // options that encode cannot write back (too long)
    }
}

/// True when the manifest of `files` decodes and names a segment or deletions file that `files`
/// lacks: `disk_segment::open` documents `io_error` for a missing file.
[[nodiscard]] inline bool names_missing_file(const file_map& files) {
    for (const auto& e : segment_entries(files)) {
        if (e.deletion_gen != 0 && !files.contains(index::deletions_file_name(e.name, e.deletion_gen))) return true;
        for (const char* ext : index::segment_files::all)
            if (!files.contains(index::segment_file_name(e.name, ext))) return true;
    }
    return false;
}

/// A query `exercise` runs, and whether its fields are scored as one (BM25F).
struct sample_query {
    const char* text;
    bool bm25f = false;
};

/// The queries `exercise` runs: terms, phrases (one over the list that spans two blocks), required
/// and excluded terms, a prefix, a fuzzy term, a title term, a conjunction, an article's own word,
/// and terms scored by BM25F.
inline constexpr sample_query sample_queries[] = {
    {"river stone rapport"}, {"\"copper signal\""}, {"\"version rapport\""}, {"+meadow -winter"}, {"run*"},
    {"lantrn~1"},            {"title:garden"},        {"engine AND rapport valley"}, {"rapport", true},
    {"unique150"},           {"rapport notes", true},
};

/// What `exercise` saw, for the targets' own invariants.
struct exercise_result {
    std::optional<index::index_reader> reader;  ///< when open succeeded
    bool healthy = false;                        ///< check_index found no problem
};

/// Opens `files`, runs check_index, searches with every algorithm and fetches the hits, checking
/// the invariants of this header's comment.
inline exercise_result exercise(const file_map& files) {
    const auto dir = make_directory(files);
    exercise_result out;
    try {
        out.reader.emplace(index::index_reader::open(dir));
    } catch (const corruption_error&) {
    } catch (const format_version_error&) {
    } catch (const io_error&) {
        RAPPORT_FUZZ_CHECK(names_missing_file(files));
    }
    try {
        out.healthy = index::check_index(dir).ok();
    } catch (const io_error&) {
        // check_index promises to collect problems, but lets open's io_error for a file the
        // manifest names and the folder lacks escape (reported; tolerated here).
        RAPPORT_FUZZ_CHECK(names_missing_file(files));
    }
    if (!out.reader) {
        RAPPORT_FUZZ_CHECK(!out.healthy);
        return out;
    }
    const auto& r = *out.reader;
    // A manifest may name a custom analyzer (its own or a field's) that this process never
    // registered: the searcher refuses it, with an invalid_argument naming it.
    std::optional<search::searcher> made;
    try {
        made.emplace(r);
    } catch (const invalid_argument&) {
        bool custom = !r.options().custom_analyzer_name.empty();
        for (const auto& f : r.options().schema.fields) custom = custom || !f.analysis.custom.empty();
        RAPPORT_FUZZ_CHECK(custom);
        return out;
    }
    const search::searcher& s = *made;
    bool damage_met = false;
    for (std::size_t query = 0; query < std::size(sample_queries); ++query) {
        const auto& [q, bm25f] = sample_queries[query];
        const std::size_t k = query % 2 == 0 ? 3 : 10;  // a small k prunes early: the threshold rises fast
        std::optional<std::vector<search::hit>> reference;  // exhaustive evaluation's
        for (const auto algorithm : {search::algorithm::exhaustive, search::algorithm::maxscore,
                                     search::algorithm::block_max_wand, search::algorithm::automatic}) {
            std::vector<search::hit> hits;
            try {
                hits = s.search(q, {.k = k, .algorithm = algorithm, .bm25f = bm25f});
            } catch (const corruption_error&) {
                damage_met = true;
                continue;
            }
            for (std::size_t i = 0; i < hits.size(); ++i) {
                RAPPORT_FUZZ_CHECK(hits[i].passage < r.passage_count());
                const auto [seg, local] = r.locate(hits[i].passage);
                RAPPORT_FUZZ_CHECK(local < seg->size() && !seg->is_deleted(local));
                RAPPORT_FUZZ_CHECK(i == 0 || !(hits[i].score > hits[i - 1].score));
            }
            if (!reference) {
                reference = std::move(hits);
                continue;
            }
            if (!out.healthy) continue;
            RAPPORT_FUZZ_CHECK(hits.size() == reference->size());
            for (std::size_t i = 0; i < hits.size(); ++i) {
                RAPPORT_FUZZ_CHECK(hits[i].passage == (*reference)[i].passage);
                RAPPORT_FUZZ_CHECK(hits[i].score == (*reference)[i].score);
            }
        }
        try {
            const auto n = s.count(q, {.bm25f = bm25f});
            RAPPORT_FUZZ_CHECK(!out.healthy || !reference || n >= reference->size());
        } catch (const corruption_error&) {
            damage_met = true;
        }
        if (!reference) continue;
        for (const auto& h : *reference) {
            try {
                const auto article = s.fetch_article(h.passage);
                if (!out.healthy) continue;
                const auto [seg, local] = r.locate(h.passage);
                const auto stored = seg->passage(local);
                RAPPORT_FUZZ_CHECK(h.text == stored.text);
                RAPPORT_FUZZ_CHECK(h.article.value == article.id.value);
                RAPPORT_FUZZ_CHECK(h.title == article.title);
                RAPPORT_FUZZ_CHECK(seg->article(stored.article).id.value == article.id.value);
            } catch (const corruption_error&) {
                damage_met = true;
            }
        }
    }
    // check_index is the paranoid pass: damage a search or fetch meets, it finds.
    RAPPORT_FUZZ_CHECK(!out.healthy || !damage_met);
    return out;
}

}  // namespace rapport::fuzz
