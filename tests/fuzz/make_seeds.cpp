// SPDX-License-Identifier: MIT
// Writes the seeds of the postings, stored_fields, lengths, deletions, index and text_folder fuzz
// targets into <corpus>/<target>/ (run by hand after a format change: `fuzz_make_seeds
// tests/fuzz/corpus`): valid inputs from real encoders and from the sample index, each a few KB at
// most, so that the fuzzer starts from the structures it is to damage. Single-threaded.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "codec/postings_writer.hpp"
#include "index/stored_fields.hpp"
#include "rapport/index/schema.hpp"
#include "rapport/index/value_columns.hpp"
#include "postings_input.hpp"
#include "sample_index.hpp"

namespace fs = std::filesystem;
namespace codec = rapport::codec;
namespace fz = rapport::fuzz;
namespace ix = rapport::index;
using rapport::docid_t;

namespace {

void write_seed(const fs::path& corpus, const std::string& target, const std::string& name, std::string_view bytes) {
    fs::create_directories(corpus / target);
    std::ofstream out(corpus / target / name, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + (corpus / target / name).string());
    std::printf("%s/%s: %zu bytes\n", target.c_str(), name.c_str(), bytes.size());
}

// One term of `df` postings (docids about `gap` + 2 apart, frequencies 1 to 3, positions unless not
// `with_positions`) written after `before` other bytes, as a postings input.
std::string postings_seed(std::uint32_t df, std::uint32_t gap, bool with_positions, codec::postings_layout layout,
                          std::size_t before) {
    std::vector<docid_t> docids;
    std::vector<std::uint32_t> freqs, offsets{0}, positions, lengths;
    for (std::uint32_t i = 0; i < df; ++i) {
        docids.push_back(i * (gap + 2) + i % 3);
        freqs.push_back(1 + i % 3);
        for (std::uint32_t k = 0; k < freqs.back() && with_positions; ++k) positions.push_back(2 * k + i % 5);
        offsets.push_back(static_cast<std::uint32_t>(positions.size()));
    }
    lengths.resize(docids.empty() ? 0 : docids.back() + 1);
    for (std::size_t d = 0; d < lengths.size(); ++d) lengths[d] = 5 + static_cast<std::uint32_t>(d % 17);
    std::string postings(before, '\x5a'), positions_out(before / 2, '\x5a');
    if (!with_positions) offsets.clear();
    fz::postings_input in;
    in.layout = layout;
    in.info = codec::write_postings(docids, freqs, offsets, positions, lengths, postings, positions_out, layout);
    in.docid_limit = static_cast<docid_t>(lengths.size());
    in.steps = {2, 1, 64, 129, 300, 7, 4000};
    in.postings = postings;
    in.positions = positions_out;
    return fz::write_postings_input(in);
}

// A stored fields payload of a few articles and passages; `big` adds a passage longer than a
// block, so that the payload has several passage blocks.
std::string stored_seed(bool big) {
    ix::stored_fields_writer w;
    w.add_article({{"first"}, "The first article"});
    w.add_article({{"second"}, ""});
    w.add_article({{"third \xc3\xa9"}, "Caf\xc3\xa9"});
    const std::string text = "river stone bridge harbour lantern";
    w.add_passage({0, 0, 0, static_cast<std::uint32_t>(text.size()), text});
    w.add_passage({0, 1, 40, 52, "meadow copper"});
    w.add_passage({2, 0, 0, 0, ""});
    if (big) {
        std::string long_text;
        while (long_text.size() < ix::stored_block_bytes + 100) long_text += "signal winter garden engine ";
        w.add_passage({1, 0, 0, static_cast<std::uint32_t>(long_text.size()), long_text});
        w.add_passage({1, 1, 0, 6, "silver"});
    }
    std::string out;
    w.finish(out);
    return out;
}

// One text_folder entry (see text_folder_fuzz.cpp).
std::string folder_entry(std::uint8_t type, std::string_view name, std::string_view content) {
    std::string out;
    out.push_back(static_cast<char>(type));
    out.push_back(static_cast<char>(name.size()));
    out += name;
    out.push_back(static_cast<char>(content.size() & 0xFF));
    out.push_back(static_cast<char>(content.size() >> 8));
    out += content;
    return out;
}

// One index edit (see index_fuzz.cpp).
std::string edit(std::uint8_t file, std::uint8_t op, std::uint16_t offset, std::string_view bytes, std::uint8_t erase = 0) {
    std::string out{static_cast<char>(file), static_cast<char>(op), static_cast<char>(offset & 0xFF),
                    static_cast<char>(offset >> 8)};
    out.push_back(static_cast<char>((op & 3) == 2 ? erase : bytes.size()));
    if ((op & 3) != 2) out += bytes;
    return out;
}

// A values payload (FORMAT.md §10) of `articles` articles with a column of every type, behind the
// target's two count bytes; every third article has no values. The text column holds a text field's
// lengths and text, which the indexing pipeline would give it.
std::string values_seed(std::uint32_t articles) {
    const auto schema = ix::parse_schema(
        R"({"fields": [{"name": "tag", "type": "keyword"}, {"name": "n", "type": "integer"},)"
        R"( {"name": "x", "type": "float"}, {"name": "d", "type": "date"}, {"name": "s", "type": "stored"},)"
        R"( {"name": "t", "type": "text"}]})");
    const auto text_at = *schema.index_of("t");
    std::vector<ix::field_values> values;
    for (std::uint32_t a = 0; a < articles; ++a) {
        if (a % 3 == 2) {
            values.emplace_back();
            continue;
        }
        values.push_back(ix::convert_fields(
            schema, {{"tag", a % 2 ? R"(["b", "a"])" : R"("c")"}, {"n", std::to_string(a * 1000 - 7)},
                     {"x", std::to_string(a) + ".25"}, {"d", "\"2024-0" + std::to_string(1 + a % 9) + "-01\""},
                     {"s", R"({"k": [1, 2]})"}, {"t", R"("a short summary")"}}));
        values.back()[text_at].number = 2;  // its exact length: "short summary", the stopword dropped
    }
    const ix::value_columns columns(schema, values);
    return std::string{static_cast<char>(articles), static_cast<char>(articles + 1)} + columns.encode(articles, articles + 1);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR (tests/fuzz/corpus)\n", argv[0]);
        return 2;
    }
    const fs::path corpus = argv[1];
    constexpr auto impacts = codec::postings_layout::impacts;
    constexpr auto bounds = codec::postings_layout::bounds;

    write_seed(corpus, "postings", "single", postings_seed(1, 1, true, impacts, 0));
    write_seed(corpus, "postings", "tail", postings_seed(5, 3, true, impacts, 0));
    write_seed(corpus, "postings", "full_block", postings_seed(128, 2, true, impacts, 0));
    write_seed(corpus, "postings", "blocks", postings_seed(300, 2, true, impacts, 0));
    write_seed(corpus, "postings", "blocks_bounds", postings_seed(129, 5, true, bounds, 0));
    write_seed(corpus, "postings", "no_positions", postings_seed(200, 1, false, impacts, 0));
    write_seed(corpus, "postings", "second_term", postings_seed(7, 9, true, impacts, 13));

    write_seed(corpus, "values", "empty", values_seed(0));
    write_seed(corpus, "values", "one", values_seed(1));
    write_seed(corpus, "values", "many", values_seed(70));
    write_seed(corpus, "stored_fields", "small", stored_seed(false));
    write_seed(corpus, "stored_fields", "two_blocks", stored_seed(true));

    const auto& files = fz::sample_index();
    const auto entries = fz::segment_entries(files);
    for (std::size_t s = 0; s < entries.size(); ++s) {
        const auto& e = entries[s];
        const std::string tag = "seg" + std::to_string(s);
        const auto lens = fz::payload_of(files.at(ix::segment_file_name(e.name, ix::segment_files::lengths)));
        const auto n = std::size_t{e.passages};
        write_seed(corpus, "lengths", tag + "_v4", std::string(1, static_cast<char>(s | 3 << 1)) + std::string(lens));
        write_seed(corpus, "lengths", tag + "_v2", std::string(1, static_cast<char>(s | 1 << 1)) + std::string(lens.substr(0, 12 * n)));
        write_seed(corpus, "lengths", tag + "_v1", std::string(1, static_cast<char>(s)) + std::string(lens.substr(0, 8 * n)));
        const auto dels = fz::payload_of(files.at(ix::deletions_file_name(e.name, e.deletion_gen)));
        write_seed(corpus, "deletions", tag, std::string(1, static_cast<char>(s)) + std::string(dels));
        std::string counted(1, static_cast<char>(s | 2));
        rapport::put_fixed32(counted, e.deleted);
        write_seed(corpus, "deletions", tag + "_counted", counted + std::string(dels));
        write_seed(corpus, "stored_fields", tag,
                   fz::payload_of(files.at(ix::segment_file_name(e.name, ix::segment_files::stored))));
    }

    // Index edits: file numbers in name order.
    std::vector<std::string> names;
    for (const auto& [name, bytes] : files) names.push_back(name);
    const auto number = [&](const std::string& name) {
        return static_cast<std::uint8_t>(std::find(names.begin(), names.end(), name) - names.begin());
    };
    const auto& first = entries.front();
    const auto file_of = [&](const char* ext) { return number(ix::segment_file_name(first.name, ext)); };
    write_seed(corpus, "index", "intact", "");
    write_seed(corpus, "index", "raw_flip", edit(file_of(ix::segment_files::postings), 0, 40, "\xff"));
    write_seed(corpus, "index", "postings_resealed", edit(file_of(ix::segment_files::postings), 4 | 8, 30, "\x07\x00"));
    write_seed(corpus, "index", "positions_resealed", edit(file_of(ix::segment_files::positions), 4 | 8, 3, "\x02"));
    write_seed(corpus, "index", "dictionary_resealed", edit(file_of(ix::segment_files::dictionary), 1 | 4 | 8, 9, "x"));
    write_seed(corpus, "index", "stored_resealed", edit(file_of(ix::segment_files::stored), 2 | 4 | 8, 20, "", 3));
    write_seed(corpus, "index", "words_resealed", edit(file_of(ix::segment_files::words), 4 | 8, 2, "\x01"));
    write_seed(corpus, "index", "manifest_payload", edit(number(fz::manifest_name(files)), 4, 1, "\x05"));
    write_seed(corpus, "index", "two_edits",
               edit(file_of(ix::segment_files::lengths), 4 | 8, 0, "\x00\x00\x00\x00") +
                   edit(number(ix::deletions_file_name(first.name, first.deletion_gen)), 3 | 8, 0, ""));

    write_seed(corpus, "text_folder", "articles",
               std::string(1, '\0') + folder_entry(0, "alpha", "A title\n\nThe body. Of the article.\n") +
                   folder_entry(0, "beta", "\xef\xbb\xbfStarts with a sentence, and goes on.\r\nMore.") +
                   folder_entry(1, "notes.md", "ignored") + folder_entry(2, "folder", "") +
                   folder_entry(0, "empty", "  \n\t\n"));
    write_seed(corpus, "text_folder", "invalid_utf8",
               std::string(1, '\0') + folder_entry(0, "good", "Title\nbody") + folder_entry(0, "bad\xff", "Title\nbody") +
                   folder_entry(0, "content", "caf\xc3 body"));
    write_seed(corpus, "text_folder", "replace",
               std::string(1, '\1') + folder_entry(0, "bad\xff", "Title\xfe\nbody\xc3") +
                   folder_entry(0, "caf\xc3\xa9", "Cafe\xcc\x81 title\nbody"));
    write_seed(corpus, "text_folder", "links",
               std::string(1, '\0') + folder_entry(1, "target", "Linked title\nlinked body") +
                   folder_entry(4, "link", "") + folder_entry(3, "zz_dangling", ""));
    return 0;
}
