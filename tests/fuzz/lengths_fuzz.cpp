// SPDX-License-Identifier: MIT
// The lengths payload (FORMAT.md §6), decoded where the library decodes it, when
// `disk_segment::open` maps it: the input's bytes become the `LENS` payload of one segment of the
// sample index (sample_index.hpp), at a version from the input, in a sound envelope that the
// manifest's seal vouches for. Opening that segment either succeeds or throws `corruption_error`
// naming the lengths file (every other file is intact); once open, the segment has the
// manifest's passage count, its total lengths are the sums of its lengths, every passage names an
// article below the article count, the article ids tile the payload's id bytes exactly (version 3
// on), a version 1 payload reads as empty titles, and every id is readable in place (AddressSanitizer
// watches). The whole index then goes through `exercise`; when check_index finds it healthy, each
// article's id read in place equals the stored one.
//
//   input := selector:u8 (bit 0: which segment; bits 1-2: version − 1) payload:bytes
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <string>
#include <string_view>

#include "fuzz.hpp"
#include "sample_index.hpp"

namespace fz = rapport::fuzz;
namespace ix = rapport::index;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    fz::file_map files = fz::sample_index();
    const auto entries = fz::segment_entries(files);
    const auto& entry = entries[data[0] & 1u];
    const std::uint32_t version = 1 + ((data[0] >> 1) & 3u);
    const std::string_view payload(reinterpret_cast<const char*>(data) + 1, size - 1);
    const std::string name = ix::segment_file_name(entry.name, ix::segment_files::lengths);
    files[name] = rapport::storage::encode_file(rapport::storage::kinds::lengths, version, payload);
    fz::reseal(files, name);

    const auto dir = fz::make_directory(files);
    const auto resealed = fz::segment_entries(files);
    try {
        const auto seg = ix::disk_segment::open(*dir, resealed[data[0] & 1u]);
        RAPPORT_FUZZ_CHECK(seg->size() == entry.passages);
        RAPPORT_FUZZ_CHECK(seg->lengths(ix::field::title).size() == entry.passages);
        const auto body = seg->lengths(ix::field::body);
        const auto title = seg->lengths(ix::field::title);
        RAPPORT_FUZZ_CHECK(seg->total_length() == std::accumulate(body.begin(), body.end(), std::uint64_t{0}));
        RAPPORT_FUZZ_CHECK(seg->total_length(ix::field::title) ==
                           std::accumulate(title.begin(), title.end(), std::uint64_t{0}));
        if (version == 1) RAPPORT_FUZZ_CHECK(seg->total_length(ix::field::title) == 0);
        for (rapport::docid_t d = 0; d < seg->size(); ++d) RAPPORT_FUZZ_CHECK(seg->article_of(d) < seg->article_count());
        std::string ids;  // copying reads every byte of every id
        for (std::uint32_t a = 0; a < seg->article_count(); ++a) ids += seg->article_id(a);
        if (version >= 3) {
            const std::uint64_t fixed = 12 * std::uint64_t{entry.passages} + 4 * (std::uint64_t{seg->article_count()} + 1);
            RAPPORT_FUZZ_CHECK(ids.size() == payload.size() - fixed);
        }
    } catch (const rapport::corruption_error& e) {
        RAPPORT_FUZZ_CHECK(std::string(e.what()).find(name) != std::string::npos);
    }

    const auto result = fz::exercise(files);
    if (result.healthy) {
        const auto& seg = *result.reader->segments()[data[0] & 1u];
        for (std::uint32_t a = 0; a < seg.article_count(); ++a)
            RAPPORT_FUZZ_CHECK(seg.article_id(a) == seg.article(a).id.value);
    }
    return 0;
}
