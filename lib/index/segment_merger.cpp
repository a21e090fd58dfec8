// SPDX-License-Identifier: MIT
#include "index/segment_merger.hpp"

#include <map>

#include "rapport/core/error.hpp"

namespace rapport::index::detail {

segment merge_segments(const std::vector<std::shared_ptr<const disk_segment>>& sources) {
    std::vector<std::vector<docid_t>> renumber(sources.size());
    std::vector<std::uint32_t> lengths;
    std::vector<passage_record> passages;
    std::vector<article_record> articles;
    docid_t next = 0;
    for (std::size_t s = 0; s < sources.size(); ++s) {
        const auto& seg = *sources[s];
        auto& map = renumber[s];
        map.assign(seg.size(), end_docid);
        std::vector<std::uint32_t> article_map(seg.article_count(), 0xFFFFFFFFu);
        for (docid_t d = 0; d < seg.size(); ++d) {
            if (seg.is_deleted(d)) continue;
            map[d] = next++;
            lengths.push_back(seg.lengths()[d]);
            auto p = seg.passage(d);
            if (p.article >= article_map.size())
                throw corruption_error(seg.name() + ".stor", std::nullopt, "passage refers to a missing article");
            // Only articles with a live passage survive the merge.
            if (article_map[p.article] == 0xFFFFFFFFu) {
                article_map[p.article] = static_cast<std::uint32_t>(articles.size());
                articles.push_back(seg.article(p.article));
            }
            p.article = article_map[p.article];
            passages.push_back(std::move(p));
        }
    }

    std::map<std::string, postings_list, std::less<>> lists;
    for (std::size_t s = 0; s < sources.size(); ++s) {
        const auto& seg = *sources[s];
        const auto& map = renumber[s];
        for (auto t = seg.dictionary().begin(); t.valid(); t.next()) {
            auto c = seg.cursor(t.info());
            postings_list* list = nullptr;
            for (; c.docid() != end_docid; c.next()) {
                const docid_t doc = map[c.docid()];
                if (doc == end_docid) continue;
                if (list == nullptr) {
                    list = &lists[std::string(t.term())];
                    if (list->position_offsets.empty()) list->position_offsets.push_back(0);
                }
                list->docids.push_back(doc);
                list->freqs.push_back(c.freq());
                const auto pos = c.positions();
                list->positions.insert(list->positions.end(), pos.begin(), pos.end());
                list->position_offsets.push_back(static_cast<std::uint32_t>(list->positions.size()));
            }
            if (c.corrupt())
                throw corruption_error(seg.postings_path(), std::nullopt,
                                       "postings of a term failed to decode during a merge");
        }
    }
    std::vector<std::string> terms;
    std::vector<postings_list> postings;
    terms.reserve(lists.size());
    postings.reserve(lists.size());
    for (auto& [term, list] : lists) {
        terms.push_back(term);
        postings.push_back(std::move(list));
    }
    return segment(std::move(terms), std::move(postings), std::move(lengths), std::move(passages), std::move(articles));
}

}  // namespace rapport::index::detail
