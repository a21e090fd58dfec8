// SPDX-License-Identifier: MIT
// The deletions payload (FORMAT.md §8, a portable roaring bitmap), decoded where the library
// decodes it, when `disk_segment::open` reads it: the input's bytes become the `DELS` payload of
// one segment of the sample index (sample_index.hpp) in a sound envelope that the manifest's seal
// vouches for, optionally with the manifest's deleted count taken from the input. Opening that
// segment either succeeds or throws `corruption_error` naming the deletions file; once open, its
// deleted count is the number of bits set in its deletion bitset, no bit is set at or beyond the
// passage count, and the live count is the rest. The whole index then goes through `exercise`
// (no hit is a deleted passage); when check_index finds it healthy, every segment's deleted count
// is the manifest's.
//
//   input := selector:u8 (bit 0: which segment; bit 1: a deleted count follows) [deleted:u32]
//            payload:bytes
#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz.hpp"
#include "sample_index.hpp"

namespace fz = rapport::fuzz;
namespace ix = rapport::index;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::size_t which = data[0] & 1u;
    std::size_t at = 1;
    std::optional<std::uint32_t> deleted;
    if ((data[0] & 2u) != 0) {
        if (size < 5) return 0;
        deleted = rapport::load_fixed32(reinterpret_cast<const char*>(data) + 1);
        at = 5;
    }
    fz::file_map files = fz::sample_index();
    const auto entry = fz::segment_entries(files)[which];
    const std::string_view payload(reinterpret_cast<const char*>(data) + at, size - at);
    const std::string name = ix::deletions_file_name(entry.name, entry.deletion_gen);
    files[name] = rapport::storage::encode_file(rapport::storage::kinds::deletes, ix::segment_format_version, payload);
    fz::reseal(files, name, deleted);

    const auto dir = fz::make_directory(files);
    const auto entries = fz::segment_entries(files);  // empty when the count broke the manifest
    if (entries.size() > which) {
        try {
            const auto seg = ix::disk_segment::open(*dir, entries[which]);
            std::uint64_t set = 0;
            const auto bits = seg->deletion_bits();
            for (std::size_t w = 0; w < bits.size(); ++w) {
                set += static_cast<std::uint64_t>(std::popcount(bits[w]));
                for (unsigned b = 0; b < 64; ++b)
                    if ((bits[w] >> b & 1u) != 0) RAPPORT_FUZZ_CHECK(w * 64 + b < seg->size());
            }
            RAPPORT_FUZZ_CHECK(set == seg->deleted_count());
            RAPPORT_FUZZ_CHECK(seg->live_size() == seg->size() - seg->deleted_count());
            for (rapport::docid_t d = 0; d < seg->size(); ++d) set -= seg->is_deleted(d) ? 1 : 0;
            RAPPORT_FUZZ_CHECK(set == 0);
        } catch (const rapport::corruption_error& e) {
            RAPPORT_FUZZ_CHECK(std::string(e.what()).find(name) != std::string::npos);
        }
    }

    const auto result = fz::exercise(files);
    if (result.healthy) {
        const auto segments = result.reader->segments();
        RAPPORT_FUZZ_CHECK(segments.size() == entries.size());
        for (std::size_t i = 0; i < segments.size(); ++i)
            RAPPORT_FUZZ_CHECK(segments[i]->deleted_count() == entries[i].deleted);
    }
    return 0;
}
