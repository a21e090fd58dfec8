// SPDX-License-Identifier: MIT
#include "index/passage_pipeline.hpp"

#include "rapport/core/error.hpp"

namespace rapport::index::detail {

passage_pipeline::passage_pipeline(index_options options)
    : options_(std::move(options)), analyzer_(options_.analyzer) {
    if (options_.passages.max_bytes == 0 || options_.passages.min_bytes > options_.passages.max_bytes)
        throw invalid_argument("passage options: need 0 < min_bytes <= max_bytes");
}

prepared_article passage_pipeline::prepare(ingest::article article, bool split) {
    if (article.id.value.empty()) throw invalid_argument("article id must not be empty");
    article = ingest::normalize_article(std::move(article), options_.analyzer.invalid_utf8);
    std::vector<ingest::passage_range> ranges;
    if (!split) {
        ranges.push_back({0, 0, static_cast<std::uint32_t>(article.body.size())});
    } else {
        ranges = ingest::split_passages(article.body, options_.passages);
    }
    prepared_article out{std::move(article.id), std::move(article.title), {}, {}, {}};
    analyzer_.analyze(out.title, out.title_tokens);
    // An article with a title but no body text still gets one (empty) passage, so that its title
    // is searched and it can be found; only an article with no text at all gives none.
    if (ranges.empty() && out.title.find_first_not_of(" \t\r\n\f\v") != std::string::npos) ranges.push_back({0, 0, 0});
    out.passages.reserve(ranges.size());
    out.tokens.resize(ranges.size());
    for (std::size_t i = 0; i < ranges.size(); ++i) {
        const auto& r = ranges[i];
        auto text = article.body.substr(r.begin, r.end - r.begin);
        analyzer_.analyze(text, out.tokens[i]);
        out.passages.push_back({0, r.ordinal, r.begin, r.end, std::move(text)});
    }
    return out;
}

docid_t add_prepared(segment_writer& writer, prepared_article&& article) {
    const auto first = static_cast<docid_t>(writer.size());
    const auto key = article_key(article.id.value);
    const auto number = writer.add_article(std::move(article.id), std::move(article.title));
    for (std::size_t i = 0; i < article.passages.size(); ++i) {
        article.passages[i].article = number;
        const auto doc = writer.add_passage(std::move(article.passages[i]), article.tokens[i], article.title_tokens);
        writer.add_key(doc, key);
    }
    return first;
}

}  // namespace rapport::index::detail
