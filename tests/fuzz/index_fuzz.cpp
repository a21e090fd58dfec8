// SPDX-License-Identifier: MIT
// A whole index under damage: the input is a script of edits to the files of the sample index
// (sample_index.hpp), after which `exercise` opens, searches, fetches and checks the damaged copy
// with the invariants listed there. An edit overwrites, inserts, erases or replaces bytes of one
// file, either raw (the checksum then tells) or inside its payload with the envelope re-sealed,
// and optionally with the manifest's seal of the file rewritten to match, so that damage reaches
// the decoders behind the checksums; edits to the manifest's payload reach its decoder and, through
// it, every file it names. Besides `exercise`'s invariants: the intact index is healthy, and an
// index is never healthy while a file its commit reads is changed without re-sealing its envelope.
//
//   input := edit*  (at most 8)
//   edit  := file:u8 (index in name order, modulo the file count) op:u8
//            offset:u16 (modulo the size of what is edited, plus one) length:u8 data
//   op    := bits 0-1: 0 overwrite with data, 1 insert data, 2 erase `length` bytes (no data),
//            3 replace the whole payload with data; bit 2: offsets count from the payload and the
//            envelope is re-sealed (op 3 implies it); bit 3: reseal the file in the manifest
//   data  := `length` bytes (fewer when the input ends)
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "fuzz.hpp"
#include "sample_index.hpp"

namespace fz = rapport::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto& sample = fz::sample_index();
    fz::file_map files = sample;
    std::vector<std::string> names;
    for (const auto& [name, bytes] : files) names.push_back(name);
    std::set<std::string> resealed;
    bool raw_change = false;
    std::size_t at = 0;
    for (int edits = 0; edits < 8 && size - at >= 5; ++edits) {
        const std::string& name = names[data[at] % names.size()];
        const unsigned op = data[at + 1];
        const std::size_t offset = data[at + 2] | std::size_t{data[at + 3]} << 8;
        std::size_t length = data[at + 4];
        at += 5;
        const unsigned kind = op & 3;
        std::string bytes;
        if (kind != 2) {
            length = std::min(length, size - at);
            bytes.assign(reinterpret_cast<const char*>(data) + at, length);
            at += length;
        }
        std::string& file = files[name];
        const bool in_payload = ((op & 4) != 0 || kind == 3) && file.size() >= rapport::storage::envelope_size;
        std::string target = in_payload ? std::string(fz::payload_of(file)) : file;
        const std::size_t from = offset % (target.size() + 1);
        switch (kind) {
            case 0: target.replace(from, std::min(bytes.size(), target.size() - from), bytes); break;
            case 1: target.insert(from, bytes); break;
            case 2: target.erase(from, length); break;
            default: target = bytes; break;
        }
        if (in_payload) {
            file = fz::reenvelope(file, target);
            if ((op & 8) != 0) resealed.insert(name);
        } else {
            raw_change = true;
            file = std::move(target);
        }
    }
    for (const auto& name : resealed) fz::reseal(files, name);
    const auto result = fz::exercise(files);
    if (files == sample) RAPPORT_FUZZ_CHECK(result.healthy);
    if (raw_change) {
        // Files the commit reads: the manifest and those it names.
        std::set<std::string> read{fz::manifest_name(files)};
        for (const auto& e : fz::segment_entries(files)) {
            for (const char* ext : rapport::index::segment_files::all)
                read.insert(rapport::index::segment_file_name(e.name, ext));
            if (e.deletion_gen != 0) read.insert(rapport::index::deletions_file_name(e.name, e.deletion_gen));
        }
        for (const auto& [name, bytes] : files) {
            const bool unsound = bytes.size() < rapport::storage::envelope_size ||
                                 bytes != fz::reenvelope(bytes, fz::payload_of(bytes));
            if (read.contains(name) && bytes != sample.at(name) && unsound) RAPPORT_FUZZ_CHECK(!result.healthy);
        }
    }
    return 0;
}
