// SPDX-License-Identifier: MIT
#include "rapport/index/check_index.hpp"

#include <algorithm>
#include <map>
#include <exception>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "codec/postings_writer.hpp"
#include "rapport/core/error.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/storage/directory.hpp"

namespace rapport::index {

namespace {
// The value columns against the index's schema, and each keyword column against the keyword keys
// of the dictionary: every posting of a key `field\0value` must be a passage whose article holds
// the value, and the keys' postings must number exactly the values of the passages' articles.
template <class Problem>
void check_values(const disk_segment& seg, const schema& values_schema, Problem& problem) {
    const auto& columns = seg.values();
    for (const auto& c : columns.columns()) {
        const auto* def = values_schema.find(c.field.name);
        if (def == nullptr || def->type != c.field.type)
            problem("fval", "column '" + c.field.name + "' is not a " + std::string(field_type_name(c.field.type)) +
                                " field of the index's schema");
    }
    std::map<std::string, std::uint64_t> postings;  // keyword field -> postings of its keys
    for (auto t = seg.dictionary().begin(); t.valid(); t.next()) {
        const auto key = t.term();
        if (key.empty() || key.front() != keyword_key_prefix) continue;
        const auto zero = key.find('\0');
        const std::string field(key.substr(1, zero == std::string_view::npos ? 0 : zero - 1));
        const auto* c = columns.find(field);
        if (zero == std::string_view::npos || c == nullptr || c->field.type != field_type::keyword) {
            problem("dict", "a keyword key of '" + field + "', which has no keyword column");
            continue;
        }
        const std::string value(key.substr(zero + 1));
        const auto it = std::lower_bound(c->dictionary.begin(), c->dictionary.end(), value);
        if (it == c->dictionary.end() || *it != value) {
            problem("fval", "the keyword '" + field + ":" + value + "' of the dictionary is in no article of its column");
            continue;
        }
        const auto ord = static_cast<std::uint32_t>(it - c->dictionary.begin());
        auto cursor = seg.cursor(t.info());
        for (; cursor.docid() != end_docid && cursor.docid() < seg.size(); cursor.next()) {
            const auto ords = c->ordinals_of(seg.article_of(cursor.docid()));
            if (!std::binary_search(ords.begin(), ords.end(), ord)) {
                problem("fval", "passage " + std::to_string(cursor.docid()) + " is filed under '" + field + ":" + value +
                                    "', which its article does not hold");
                break;
            }
            ++postings[field];
        }
    }
    for (const auto& c : columns.columns()) {
        if (c.field.type != field_type::keyword) continue;
        std::uint64_t expected = 0;
        for (docid_t d = 0; d < seg.size(); ++d) expected += c.ordinals_of(seg.article_of(d)).size();
        if (postings[c.field.name] != expected)
            problem("fval", "the keyword values of '" + c.field.name + "' disagree with the dictionary's keys");
    }
}

void check_segment(const disk_segment& seg, const schema& values_schema, check_report& r) {
    auto problem = [&](const char* ext, const std::string& what) { r.problems.push_back(seg.name() + "." + ext + ": " + what); };
    std::string previous;
    bool first = true;
    std::uint64_t terms = 0;
    // The byte ranges the terms own in the postings and positions payloads: they must tile each
    // payload exactly, or the payload holds bytes no term reads (FORMAT.md §5).
    std::vector<std::pair<std::uint64_t, std::uint64_t>> post_ranges, posn_ranges;
    for (auto t = seg.dictionary().begin(); t.valid(); t.next()) {
        const std::string term(t.term());
        if (!first && !(previous < term)) problem("dict", "terms out of order at '" + term + "'");
        first = false;
        previous = term;
        ++terms;
        const auto info = t.info();
        if (info.df == 0) problem("dict", "the term '" + term + "' has df 0 (a term is in at least one passage)");
        post_ranges.emplace_back(info.postings_offset, info.postings_length);
        posn_ranges.emplace_back(info.positions_offset, info.positions_length);
        if (!seg.has_field(field_of_key(term)))
            problem("dict", "the term '" + term + "' belongs to a text field the segment has no lengths of");
        const auto field_lengths = seg.lengths(field_of_key(term));
        auto c = seg.cursor(info);
        std::uint64_t df = 0, total_tf = 0;
        std::uint32_t max_tf = 0, min_length = 0xFFFFFFFFu;
        bool positions_failed = false;
        docid_t last = 0;
        // The frontiers (FORMAT.md §5) are checked against the pairs they stand for: each block's
        // when it ends, the list's after the scan.
        std::vector<codec::impact> all, block, stored;
        auto stored_frontier = [&](bool whole) {
            std::vector<codec::impact> v;
            auto add = [&](std::uint32_t tf, std::uint32_t length) noexcept { v.push_back({tf, length}); };
            whole ? c.for_each_term_impact(add) : c.for_each_block_impact(add);
            return v;
        };
        // The block's (max tf, min length) in its skip entry bound BM25F's and phrases' block scores.
        std::uint32_t stored_max_tf = 0, stored_min_length = 0;
        auto check_block = [&] {
            std::uint32_t block_max_tf = 0, block_min_length = 0xFFFFFFFFu;
            for (const auto& i : block) {
                block_max_tf = std::max(block_max_tf, i.tf);
                block_min_length = std::min(block_min_length, i.length);
            }
            if (block_max_tf != stored_max_tf || block_min_length != stored_min_length)
                problem("post", "a block's max tf or min length of '" + term + "' disagrees with its postings");
            block.resize(codec::pareto_frontier(block));
            if (block != stored) problem("post", "a block frontier of '" + term + "' disagrees with its postings");
            block.clear();
        };
        for (; c.docid() != end_docid; c.next()) {
            const docid_t d = c.docid();
            if (df % codec::block_size == 0) {
                if (df > 0) check_block();
                stored = stored_frontier(false);
                stored_max_tf = c.block_max_tf();
                stored_min_length = c.block_min_length();
            }
            if (d >= seg.size()) {
                problem("post", "docid " + std::to_string(d) + " beyond the segment in '" + term + "'");
                break;
            }
            if (df > 0 && d <= last) problem("post", "docids do not ascend in '" + term + "'");
            last = d;
            ++df;
            const auto tf = c.freq();
            if (tf == 0) problem("post", "zero frequency in '" + term + "'");
            total_tf += tf;
            max_tf = std::max(max_tf, tf);
            min_length = std::min(min_length, field_lengths[d]);
            all.push_back({tf, field_lengths[d]});
            block.push_back(all.back());
            // Positions are decoded on demand: a failure here is the positions file's, not the postings'.
            const bool corrupt_before = c.corrupt();
            const auto pos = c.positions();
            if (!corrupt_before && c.corrupt()) {
                problem("posn", "positions of '" + term + "' fail to decode");
                positions_failed = true;
                break;
            }
            if (!pos.empty()) {
                if (pos.size() != tf) problem("posn", "positions do not number tf in '" + term + "'");
                for (std::size_t i = 1; i < pos.size(); ++i)
                    if (pos[i] <= pos[i - 1]) problem("posn", "positions do not ascend in '" + term + "'");
            }
            r.positions += pos.size();
        }
        if (c.corrupt() && !positions_failed) problem("post", "postings of '" + term + "' fail to decode");
        if (!c.corrupt() && df > 0) {
            check_block();
            all.resize(codec::pareto_frontier(all));
            if (all != stored_frontier(true)) problem("post", "the frontier of '" + term + "' disagrees with its postings");
        }
        if (positions_failed) continue;  // the walk stopped early: its counts say nothing of the dictionary
        if (df != info.df) problem("dict", "df of '" + term + "' disagrees with its postings");
        if (total_tf != info.total_tf) problem("dict", "total tf of '" + term + "' disagrees with its postings");
        if (df > 0 && (max_tf != info.max_tf || min_length != info.min_length))
            problem("dict", "bounds of '" + term + "' disagree with its postings");
        r.postings += df;
    }
    if (terms != seg.dictionary().size()) problem("dict", "term count disagrees with its trailer");
    const auto tiles = [&](std::vector<std::pair<std::uint64_t, std::uint64_t>>& ranges, std::uint64_t bytes,
                           const char* ext) {
        std::sort(ranges.begin(), ranges.end());
        std::uint64_t at = 0;
        for (const auto& [offset, length] : ranges) {
            if (offset != at) {
                problem(ext, (offset > at ? "bytes " + std::to_string(at) + " to " + std::to_string(offset) +
                                                " belong to no term"
                                          : "terms overlap at byte " + std::to_string(offset)));
                return;
            }
            at = offset + length;
        }
        if (at != bytes)
            problem(ext, "bytes " + std::to_string(at) + " to " + std::to_string(bytes) + " belong to no term");
    };
    tiles(post_ranges, seg.postings_bytes(), "post");
    tiles(posn_ranges, seg.positions_bytes(), "posn");
    r.terms += terms;
    for (docid_t d = 0; d < seg.size(); ++d) {
        const auto p = seg.passage(d);
        if (p.article >= seg.article_count()) problem("stor", "passage " + std::to_string(d) + " names a missing article");
        else if (p.article != seg.article_of(d))
            problem("lens", "the article of passage " + std::to_string(d) + " disagrees with the stored one");
        if (p.end < p.begin || p.end - p.begin != p.text.size())
            problem("stor", "passage " + std::to_string(d) + " byte range disagrees with its text");
    }
    previous.clear();
    first = true;
    std::uint64_t words = 0;
    for (auto w = seg.words().begin(); w.valid(); w.next()) {
        const std::string word(w.term());
        if (!first && !(previous < word)) problem("word", "words out of order at '" + word + "'");
        if (w.info().df == 0 || w.info().total_tf < w.info().df)
            problem("word", "the counts of '" + word + "' are inconsistent (df " + std::to_string(w.info().df) +
                                ", occurrences " + std::to_string(w.info().total_tf) + ")");
        first = false;
        previous = word;
        ++words;
    }
    if (words != seg.words().size()) problem("word", "word count disagrees with its trailer");
    for (std::uint32_t a = 0; a < seg.article_count(); ++a)
        if (seg.article(a).id.value != seg.article_id(a))
            problem("lens", "the id of article " + std::to_string(a) + " disagrees with the stored one");
    check_values(seg, values_schema, problem);
}
}  // namespace

check_report check_index(std::shared_ptr<storage::directory> dir) {
    check_report r;
    std::optional<index_reader> opened;
    try {
        opened.emplace(index_reader::open(dir));  // verifies every checksum while opening
    } catch (const corruption_error& e) {
        r.problems.push_back(e.what());
        return r;
    } catch (const format_version_error& e) {
        r.problems.push_back(e.what());
        return r;
    } catch (const io_error& e) {  // a file the commit names is missing or unreadable
        r.problems.push_back(e.what());
        return r;
    }
    return check_index(*opened);
}

check_report check_index(const index_reader& reader) {
    check_report r;
    r.generation = reader.generation();
    r.segments = reader.segments().size();
    r.passages = reader.passage_count();
    r.deleted = reader.passage_count() - reader.live_passage_count();
    for (const auto& seg : reader.segments()) {
        // The reader verified every file's checksum when it opened it, and holds the files it
        // mapped: checking those views, not the names again, checks one snapshot even while a
        // writer commits, merges and removes the files it replaced.
        for (const auto& f : seg->files()) r.bytes += f->size() + storage::envelope_size;
        try {
            check_segment(*seg, reader.options().schema, r);
        } catch (const std::exception& e) {
            r.problems.push_back(e.what());
        }
    }
    return r;
}

}  // namespace rapport::index
