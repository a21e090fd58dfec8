// SPDX-License-Identifier: MIT
// Helpers shared by the reliability tests (crash, corruption, golden fixture): deterministic
// articles whose title carries a version, an enumeration of what an index snapshot holds, the
// files a commit refers to, and directory copies.
// Thread safety: plain functions; not shared between threads.
#pragma once

#include "support/scratch_dir.hpp"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include <unistd.h>

#include "rapport/index/disk_segment.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/index/manifest.hpp"
#include "rapport/ingest/article.hpp"
#include "rapport/search/searcher.hpp"

namespace rapport::reliability {

/// The term only article `id` holds ("unique" + id): a search for it finds exactly that article.
[[nodiscard]] inline std::string unique_term(const std::string& id) { return "unique" + id; }

/// A deterministic article: a few sentences from a small vocabulary (so BM25 statistics are
/// shared), its unique term, and the title "<id> v<version>" that tells versions apart.
/// The body stays well below one passage's 1000 bytes, so each article is one passage.
[[nodiscard]] inline ingest::article make_article(const std::string& id, std::uint64_t version) {
    static const char* const words[] = {"river", "stone", "bridge", "harbour", "lantern", "meadow", "copper",
                                        "signal", "winter", "garden", "engine", "silver", "thunder", "valley"};
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a of id and version: a stable mix
    for (const char c : id + "#" + std::to_string(version)) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    std::string body;
    const int sentences = 2 + static_cast<int>(h % 3);
    for (int s = 0; s < sentences; ++s) {
        const int n = 5 + static_cast<int>((h >> (8 + s * 4)) % 7);
        for (int w = 0; w < n; ++w) {
            body += words[(h >> ((s * 7 + w * 3) % 50)) % 14];
            body += ' ';
        }
        body += s == 0 ? unique_term(id) : "version" + std::to_string(version);
        body += ". ";
    }
    return {{id}, id + " v" + std::to_string(version), body};
}

/// Parses a title made by `make_article` into (id, version); false when it is not one.
[[nodiscard]] inline bool parse_title(const std::string& title, std::string& id, std::uint64_t& version) {
    const auto space = title.rfind(" v");
    if (space == std::string::npos || space + 2 >= title.size()) return false;
    id = title.substr(0, space);
    char* end = nullptr;
    version = std::strtoull(title.c_str() + space + 2, &end, 10);
    return end != nullptr && *end == '\0';
}

/// What a snapshot holds: article id → the versions of its live passages (one each when sound),
/// and article id → number of live passages.
struct snapshot_content {
    std::map<std::string, std::set<std::uint64_t>> versions;
    std::map<std::string, std::size_t> passages;
    std::vector<std::string> problems;  ///< titles that `make_article` did not write, id mismatches
};

/// Enumerates every live passage of `reader` through `fetch_article` (global docids).
[[nodiscard]] inline snapshot_content enumerate(const index::index_reader& reader) {
    snapshot_content out;
    const search::searcher s(reader);
    const auto segments = reader.segments();
    const auto bases = reader.bases();
    for (std::size_t i = 0; i < segments.size(); ++i) {
        for (docid_t d = 0; d < segments[i]->size(); ++d) {
            if (segments[i]->is_deleted(d)) continue;
            const auto a = s.fetch_article(bases[i] + d);
            std::string id;
            std::uint64_t version = 0;
            if (!parse_title(a.title, id, version) || id != a.id.value) {
                out.problems.push_back("passage " + std::to_string(bases[i] + d) + ": article " + a.id.value +
                                       " has title '" + a.title + "'");
                continue;
            }
            out.versions[id].insert(version);
            ++out.passages[id];
        }
    }
    return out;
}

/// The files commit `m` refers to (what the writer's garbage collection keeps).
[[nodiscard]] inline std::set<std::string> referenced_files(const index::manifest& m) {
    std::set<std::string> keep{index::manifest_file_name(m.generation)};
    for (const auto& e : m.segments) {
        for (const char* ext : index::segment_files::all) keep.insert(index::segment_file_name(e.name, ext));
        if (e.deletion_gen != 0) keep.insert(index::deletions_file_name(e.name, e.deletion_gen));
    }
    return keep;
}

/// Copies the regular files of folder `from` into the new folder `to`, except the lock file.
inline void copy_index_folder(const std::filesystem::path& from, const std::filesystem::path& to) {
    std::filesystem::create_directories(to);
    for (const auto& entry : std::filesystem::directory_iterator(from)) {
        if (!entry.is_regular_file() || entry.path().filename() == "write.lock") continue;
        std::filesystem::copy_file(entry.path(), to / entry.path().filename());
    }
}

/// A fresh folder under a given base, removed with everything in it on destruction.
using scratch_folder = rapport::test::scratch_dir;

/// The value of environment variable `name` as a number, or `fallback` when unset or empty.
[[nodiscard]] inline std::uint64_t env_number(const char* name, std::uint64_t fallback) {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') return fallback;
    return std::strtoull(v, nullptr, 10);
}

}  // namespace rapport::reliability
