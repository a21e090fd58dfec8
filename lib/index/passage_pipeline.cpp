// SPDX-License-Identifier: MIT
#include "index/passage_pipeline.hpp"

#include <boost/json.hpp>

#include "rapport/core/error.hpp"

namespace rapport::index::detail {

namespace {
analysis::analyzer make_analyzer(const index_options& o) {
    if (o.custom_analyzer_name.size() > 255)
        throw invalid_argument("index options: custom_analyzer_name is longer than 255 bytes");
    if (o.custom_analyzer) {
        if (o.custom_analyzer_name.empty())
            throw invalid_argument("index options: a custom analyzer needs a custom_analyzer_name");
        return *o.custom_analyzer;
    }
    if (!o.custom_analyzer_name.empty())
        throw invalid_argument("index: built with the custom analyzer '" + o.custom_analyzer_name +
                               "'; give the same pipeline as index_options::custom_analyzer to add to it");
    return analysis::analyzer(o.analyzer);
}
}  // namespace

passage_pipeline::passage_pipeline(index_options options)
    : options_(std::move(options)), analyzer_(make_analyzer(options_)) {
    options_.schema = validate_schema(std::move(options_.schema));
    for (const auto& f : options_.schema.fields)
        if (schema::is_extra_text(f)) field_analyzers_.push_back(field_analyzer(options_, f));
    if (options_.passages.max_bytes == 0 || options_.passages.min_bytes > options_.passages.max_bytes)
        throw invalid_argument("passage options: need 0 < min_bytes <= max_bytes");
}

analysis::analyzer& passage_pipeline::analyzer_for(const ingest::article& article) {
    if (article.language.empty()) return analyzer_;
    if (options_.custom_analyzer)
        throw invalid_argument("article '" + article.id.value + "' has the language '" + article.language +
                               "', but the index analyses with the custom analyzer '" +
                               options_.custom_analyzer_name + "'");
    if (const auto it = by_language_.find(article.language); it != by_language_.end()) return it->second;
    analysis::analyzer_options o;
    try {
        o = analyzer_options_for(options_, article.language);
    } catch (const invalid_argument& e) {
        throw invalid_argument("article '" + article.id.value + "': " + e.what());
    }
    auto& made = by_language_.emplace(article.language, analysis::analyzer(o)).first->second;
    made.set_word_cache_words(cache_words_);
    return made;
}

prepared_article passage_pipeline::prepare(ingest::article article, bool split) {
    if (article.id.value.empty()) throw invalid_argument("article id must not be empty");
    auto& analyzer = analyzer_for(article);
    article = ingest::normalize_article(std::move(article), options_.analyzer.invalid_utf8);
    std::vector<ingest::passage_range> ranges;
    if (!split) {
        ranges.push_back({0, 0, static_cast<std::uint32_t>(article.body.size())});
    } else {
        ranges = ingest::split_passages(article.body, options_.passages);
    }
    prepared_article out{std::move(article.id), std::move(article.title), {}, {}, {}, {}, {}, {}};
    try {
        out.values = convert_fields(options_.schema, article.fields);
    } catch (const invalid_argument& e) {
        throw invalid_argument("article '" + out.id.value + "': " + e.what());
    }
    for (std::size_t f = 0; f < out.values.size(); ++f)
        for (const auto& v : out.values[f].keywords) out.keyword_keys.push_back(keyword_key(options_.schema.fields[f].name, v));
    for (std::size_t f = 0; f < out.values.size(); ++f) {
        const auto& def = options_.schema.fields[f];
        auto& v = out.values[f];
        if (!schema::is_extra_text(def) || v.stored.empty()) continue;
        const auto number = *options_.schema.text_field(def.name);
        std::string text(boost::json::parse(v.stored).as_string());
        text = ingest::normalize_text(std::move(text), options_.analyzer.invalid_utf8,
                                      "article '" + out.id.value + "' field '" + def.name + "'");
        v.stored = boost::json::serialize(boost::json::value(text));
        auto& own = field_analyzers_[static_cast<std::size_t>(number) - 2];
        auto& tokens = out.field_tokens.emplace_back(number, std::vector<analysis::token>{}).second;
        (own ? *own : analyzer).analyze(text, tokens);
        std::uint32_t positions = 0;
        for (std::size_t i = 0; i < tokens.size(); ++i) positions += i == 0 || tokens[i].position != tokens[i - 1].position;
        v.number = positions;
    }
    analyzer.analyze(out.title, out.title_tokens);
    // An article with a title but no body text still gets one (empty) passage, so that its title
    // is searched and it can be found; only an article with no text at all gives none.
    if (ranges.empty() && out.title.find_first_not_of(" \t\r\n\f\v") != std::string::npos) ranges.push_back({0, 0, 0});
    out.passages.reserve(ranges.size());
    out.tokens.resize(ranges.size());
    for (std::size_t i = 0; i < ranges.size(); ++i) {
        const auto& r = ranges[i];
        auto text = article.body.substr(r.begin, r.end - r.begin);
        analyzer.analyze(text, out.tokens[i]);
        out.passages.push_back({0, r.ordinal, r.begin, r.end, std::move(text)});
    }
    return out;
}

docid_t add_prepared(segment_writer& writer, prepared_article&& article) {
    const auto first = static_cast<docid_t>(writer.size());
    const auto key = article_key(article.id.value);
    const auto number = writer.add_article(std::move(article.id), std::move(article.title), std::move(article.values));
    for (std::size_t i = 0; i < article.passages.size(); ++i) {
        article.passages[i].article = number;
        const auto doc =
            writer.add_passage(std::move(article.passages[i]), article.tokens[i], article.title_tokens, article.field_tokens);
        writer.add_key(doc, key);
        for (const auto& k : article.keyword_keys) writer.add_key(doc, k);
    }
    return first;
}

void passage_pipeline::set_word_cache_words(std::size_t words) noexcept {
    cache_words_ = words;
    analyzer_.set_word_cache_words(words);
    for (auto& f : field_analyzers_)
        if (f) f->set_word_cache_words(words);
    for (auto& [language, a] : by_language_) a.set_word_cache_words(words);
}

}  // namespace rapport::index::detail
