// SPDX-License-Identifier: MIT
// The analysis pipeline: UTF-8 check, tokenizer, filters, term length cap.
// Thread safety: an analyzer owns its tokenizer, filters and buffers; not thread-safe.
#include "rapport/analysis/analyzer.hpp"

#include <cstdint>
#include <limits>
#include <optional>
#include <utility>

#include "core/text.hpp"
#include "rapport/core/detail/text.hpp"
#include "rapport/core/error.hpp"

namespace rapport::analysis {

namespace {

// rapport's UTF-8 checks index with int32_t (as ICU's U8_NEXT does), so longer text is checked
// in pieces. A cut before a byte that is not a continuation byte, or after three continuation
// bytes, never splits a valid sequence or a maximal invalid subpart.
constexpr std::size_t utf8_piece = std::size_t{1} << 30;

using rapport::detail::is_utf8_continuation;

std::size_t utf8_cut(std::string_view text, std::size_t from) noexcept {
    std::size_t p = from + utf8_piece;
    if (p >= text.size()) return text.size();
    while (is_utf8_continuation(text[p]) && !(is_utf8_continuation(text[p - 1]) && is_utf8_continuation(text[p - 2]) &&
                                              is_utf8_continuation(text[p - 3])))
        --p;
    return p;
}

std::optional<std::size_t> first_invalid(std::string_view text) noexcept {
    for (std::size_t from = 0; from < text.size();) {
        const std::size_t to = utf8_cut(text, from);
        if (const auto bad = find_invalid_utf8(text.substr(from, to - from))) return from + *bad;
        from = to;
    }
    return std::nullopt;
}

void repair(std::string_view text, std::string& out) {
    out.clear();
    for (std::size_t from = 0; from < text.size();) {
        const std::size_t to = utf8_cut(text, from);
        out += replace_invalid_utf8(text.substr(from, to - from));
        from = to;
    }
}

bool is_english(std::string_view language) noexcept {
    return language == "english" || language == "en" || language == "eng";
}

}  // namespace

analyzer::analyzer() = default;

bool folds_accents(const analyzer_options& options) {
    return options.fold_accents.value_or(is_english(rapport::detail::ascii_lower(options.language)));
}

bool removes_elisions(const analyzer_options& options) {
    return options.elision.value_or(true) && make_elision_filter(options.language) != nullptr;
}

analyzer::analyzer(const analyzer_options& options) : invalid_utf8_(options.invalid_utf8) {
    const std::string language = rapport::detail::ascii_lower(options.language);
    const bool stem = !language.empty() && language != "none";
    // Build the stemmer first so that an unknown language fails before any other work.
    std::unique_ptr<token_filter> stemmer = stem ? make_stemmer_filter(language) : nullptr;
    if (options.case_fold) filters_.push_back(make_case_fold_filter());
    if (removes_elisions(options)) filters_.push_back(make_elision_filter(language));
    // English's stemmer (and no stemmer) reads ASCII: fold first ("brûlée" stems as "brulee");
    // the stemmers of languages with accents read them, so folding follows them.
    const bool fold = folds_accents(options);
    const bool fold_first = !stem || is_english(language) || language == "porter";
    if (fold && fold_first) filters_.push_back(make_accent_fold_filter());
    if (options.stopwords) {
        if (!options.stopwords->empty()) filters_.push_back(make_stopword_filter(*options.stopwords));
    } else if (auto list = stopwords_for(language)) {
        filters_.push_back(make_stopword_filter(std::move(*list)));
    }
    if (stemmer) filters_.push_back(std::move(stemmer));
    if (fold && !fold_first) filters_.push_back(make_accent_fold_filter());
}

analyzer analyzer::english() { return analyzer(analyzer_options{}); }

analyzer::analyzer(const analyzer& other) : tokenizer_(other.tokenizer_), invalid_utf8_(other.invalid_utf8_) {
    filters_.reserve(other.filters_.size());
    for (const auto& f : other.filters_) filters_.push_back(f->clone());
}

analyzer& analyzer::operator=(const analyzer& other) {
    if (this != &other) {
        analyzer copy(other);
        *this = std::move(copy);
    }
    return *this;
}

analyzer::analyzer(analyzer&&) noexcept = default;
analyzer& analyzer::operator=(analyzer&&) noexcept = default;
analyzer::~analyzer() = default;

analyzer& analyzer::add_filter(std::unique_ptr<token_filter> f) {
    if (!f) throw invalid_argument("analysis: add_filter given a null filter");
    filters_.push_back(std::move(f));
    return *this;
}

analyzer& analyzer::set_invalid_utf8_policy(invalid_utf8_policy policy) noexcept {
    invalid_utf8_ = policy;
    return *this;
}

void analyzer::analyze(std::string_view text, std::vector<token>& out) {
    if (text.size() > std::numeric_limits<std::uint32_t>::max())
        throw invalid_argument("analysis: text of " + std::to_string(text.size()) +
                               " bytes is too large (offsets are 32-bit)");
    std::string_view input = text;
    if (const auto bad = first_invalid(text)) {
        if (invalid_utf8_ == invalid_utf8_policy::reject) throw invalid_argument("analysis: invalid UTF-8", *bad);
        repair(text, repaired_);
        input = repaired_;
    }

    // Tokens already in `out` are overwritten rather than destroyed, so their strings' buffers
    // are reused from call to call.
    struct context {
        std::string_view text;
        std::vector<token>& out;
        std::vector<std::unique_ptr<token_filter>>& filters;
        std::size_t count;
        std::uint32_t position;
    } ctx{input, out, filters_, 0, 0};

    tokenizer_.for_each_word(
        input,
        [](void* p, std::uint32_t begin, std::uint32_t end) {
            auto& c = *static_cast<context*>(p);
            const std::uint32_t position = c.position++;
            token& t = c.count < c.out.size() ? c.out[c.count] : c.out.emplace_back();
            t.term.assign(c.text.data() + begin, end - begin);
            for (auto& f : c.filters)
                if (!f->apply(t.term) || t.term.empty()) return;
            if (t.term.empty() || t.term.size() > max_term_bytes) return;
            t.position = position;
            t.begin = begin;
            t.end = end;
            ++c.count;
        },
        &ctx);
    out.resize(ctx.count);
}

std::vector<token> analyzer::analyze(std::string_view text) {
    std::vector<token> out;
    analyze(text, out);
    return out;
}

}  // namespace rapport::analysis
