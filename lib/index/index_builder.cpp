// SPDX-License-Identifier: MIT
#include <unordered_set>
#include <utility>
#include <vector>

#include "rapport/core/error.hpp"
#include "rapport/index/memory_index.hpp"

namespace rapport::index {

struct index_builder::impl {
    explicit impl(index_options o) : options(std::move(o)), analyzer(options.analyzer) {
        if (options.passages.max_bytes == 0 || options.passages.min_bytes > options.passages.max_bytes)
            throw invalid_argument("passage options: need 0 < min_bytes <= max_bytes");
    }

    void check_new_id(const article_id& id) const {
        if (id.value.empty()) throw invalid_argument("article id must not be empty");
        if (ids.contains(id.value)) throw invalid_argument("duplicate article id '" + id.value + "'");
    }

    index_options options;
    analysis::analyzer analyzer;
    segment_writer writer;
    std::unordered_set<std::string> ids;
    std::vector<analysis::token> tokens;
};

index_builder::index_builder(index_options options) : impl_(std::make_unique<impl>(std::move(options))) {}
index_builder::~index_builder() = default;
index_builder::index_builder(index_builder&&) noexcept = default;
index_builder& index_builder::operator=(index_builder&&) noexcept = default;

void index_builder::add(ingest::article article) {
    auto& s = *impl_;
    s.check_new_id(article.id);
    article = ingest::normalize_article(std::move(article), s.options.analyzer.invalid_utf8);
    const auto ranges = ingest::split_passages(article.body, s.options.passages);
    // Analyse everything before touching the writer so that a failure leaves the builder unchanged.
    std::vector<std::vector<analysis::token>> analysed(ranges.size());
    for (std::size_t i = 0; i < ranges.size(); ++i) {
        const auto& r = ranges[i];
        s.analyzer.analyze(std::string_view(article.body).substr(r.begin, r.end - r.begin), analysed[i]);
    }
    const auto number = s.writer.add_article(article.id, std::move(article.title));
    s.ids.insert(article.id.value);
    for (std::size_t i = 0; i < ranges.size(); ++i) {
        const auto& r = ranges[i];
        s.writer.add_passage({number, r.ordinal, r.begin, r.end, article.body.substr(r.begin, r.end - r.begin)},
                             analysed[i]);
    }
}

void index_builder::add_passage(article_id id, std::string title, std::string text) {
    auto& s = *impl_;
    s.check_new_id(id);
    auto a = ingest::normalize_article({std::move(id), std::move(title), std::move(text)}, s.options.analyzer.invalid_utf8);
    s.analyzer.analyze(a.body, s.tokens);
    const auto number = s.writer.add_article(a.id, std::move(a.title));
    s.ids.insert(a.id.value);
    const auto size = static_cast<std::uint32_t>(a.body.size());
    s.writer.add_passage({number, 0, 0, size, std::move(a.body)}, s.tokens);
}

std::size_t index_builder::passage_count() const noexcept { return impl_->writer.size(); }
std::size_t index_builder::article_count() const noexcept { return impl_->ids.size(); }

memory_index index_builder::finish() {
    auto& s = *impl_;
    s.ids.clear();
    return memory_index(s.writer.finish(), s.options);
}

}  // namespace rapport::index
