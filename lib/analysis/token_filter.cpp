// SPDX-License-Identifier: MIT
// The standard token filters: NFKC_Casefold, stopwords, Snowball stemming, elision removal and
// accent folding.
// Thread safety: each filter owns its scratch buffers, stemmer and cache; not thread-safe,
// `clone()` for another thread.
#include "rapport/analysis/token_filter.hpp"

#include <libstemmer.h>
#include <unicode/translit.h>
#include <unicode/unistr.h>
#include <unicode/utypes.h>

#include <algorithm>
#include <climits>
#include <new>
#include <string>
#include <string_view>
#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>
#include <utility>

#include "analysis/case_folder.hpp"
#include "analysis/language.hpp"
#include "core/text.hpp"
#include "rapport/core/error.hpp"

namespace rapport::analysis {

token_filter::~token_filter() = default;

void token_filter::stack(std::string_view, std::vector<std::string>&) {}

namespace {

// Apostrophes written as U+2019 (right single quotation mark, what word processors type), U+02BC
// (modifier letter apostrophe) or U+FF07 (fullwidth) become U+0027, the one Snowball's stemmers and
// the stopword lists know: `vendor’s` stems as `vendor's` does. NFKC_Casefold keeps all three.
// Complexity: O(|term|); ASCII terms return after one scan.
void normalize_apostrophes(std::string& term) {
    if (std::none_of(term.begin(), term.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) return;
    std::size_t out = 0;
    for (std::size_t i = 0; i < term.size();) {
        const std::string_view rest = std::string_view(term).substr(i);
        std::size_t skip = 0;
        if (rest.starts_with("\xE2\x80\x99") || rest.starts_with("\xEF\xBC\x87"))
            skip = 3;
        else if (rest.starts_with("\xCA\xBC"))
            skip = 2;
        if (skip != 0) {
            term[out++] = '\'';
            i += skip;
        } else {
            term[out++] = term[i++];
        }
    }
    term.resize(out);
}

class case_fold_filter final : public token_filter {
public:
    bool apply(std::string& term) override {
        folder_.fold_in_place(term, scratch_);
        normalize_apostrophes(term);
        return !term.empty();
    }
    [[nodiscard]] bool pure() const noexcept override { return true; }
    [[nodiscard]] std::unique_ptr<token_filter> clone() const override {
        return std::make_unique<case_fold_filter>();
    }

private:
    detail::case_folder folder_;
    std::string scratch_;
};

class stopword_filter final : public token_filter {
public:
    explicit stopword_filter(std::vector<std::string> words) {
        std::string folded;
        for (auto& word : words) {
            folder_.fold(word, folded);
            if (!folded.empty()) words_.insert(folded);
        }
    }
    stopword_filter(const stopword_filter& other) : token_filter(other), words_(other.words_) {}

    bool apply(std::string& term) override {
        if (words_.empty()) return true;
        if (folder_.is_folded(term)) return words_.find(term) == words_.end();
        folder_.fold(term, scratch_);
        return words_.find(scratch_) == words_.end();
    }
    [[nodiscard]] bool pure() const noexcept override { return true; }
    [[nodiscard]] std::unique_ptr<token_filter> clone() const override {
        return std::make_unique<stopword_filter>(*this);
    }

private:
    detail::case_folder folder_;
    // Open addressing (Boost 1.81's flat containers): one probe sequence per token, no node chasing.
    boost::unordered_flat_set<std::string> words_;
    std::string scratch_;
};

struct stemmer_deleter {
    void operator()(sb_stemmer* s) const noexcept { sb_stemmer_delete(s); }
};
using stemmer_ptr = std::unique_ptr<sb_stemmer, stemmer_deleter>;

class stemmer_filter final : public token_filter {
public:
    // Bounded so that a long indexing run cannot grow the cache without limit; clearing when
    // full lets it follow a vocabulary that drifts. Zipf's law keeps the hit rate high: the few
    // thousand most frequent words make up most running text. Small, since behind an analyzer's
    // word cache (analyzer.cpp) it sees mostly the words that cache missed: at 16,384 words it
    // took 2 MB of each indexing thread for few hits.
    static constexpr std::size_t cache_capacity = 4096;
    // Longer terms are rare, and caching them would let a few blobs crowd out real words.
    static constexpr std::size_t max_cached_bytes = 48;
    static constexpr std::size_t max_stemmed_bytes = 4096;

    explicit stemmer_filter(std::string language) : language_(std::move(language)) {
        stemmer_.reset(sb_stemmer_new(language_.c_str(), "UTF_8"));
        if (!stemmer_) {
            std::string message = "analysis: unknown stemmer language '" + language_ + "'; available:";
            const char** names = sb_stemmer_list();
            for (std::size_t i = 0; names[i] != nullptr; ++i) message += (i == 0 ? " " : ", ") + std::string(names[i]);
            throw invalid_argument(message);
        }
    }

    bool apply(std::string& term) override {
        if (term.size() > max_stemmed_bytes) return true;
        normalize_apostrophes(term);  // a no-op after case folding; the no-fold path needs it
        const bool cacheable = term.size() <= max_cached_bytes;
        if (cacheable) {
            const auto it = cache_.find(term);
            if (it != cache_.end()) {
                term.assign(it->second);
                return !term.empty();
            }
        }
        const sb_symbol* stem = sb_stemmer_stem(stemmer_.get(), reinterpret_cast<const sb_symbol*>(term.data()),
                                                static_cast<int>(term.size()));
        if (stem == nullptr) throw std::bad_alloc();
        const auto length = static_cast<std::size_t>(sb_stemmer_length(stemmer_.get()));
        const std::string_view result(reinterpret_cast<const char*>(stem), length);
        if (cacheable) {
            if (cache_.size() >= cache_capacity) cache_.clear();
            cache_.emplace(term, result);
        }
        term.assign(result);
        return !term.empty();
    }
    [[nodiscard]] bool pure() const noexcept override { return true; }
    [[nodiscard]] std::unique_ptr<token_filter> clone() const override {
        return std::make_unique<stemmer_filter>(language_);
    }

private:
    std::string language_;
    stemmer_ptr stemmer_;
    boost::unordered_flat_map<std::string, std::string> cache_;
};

}  // namespace

namespace {

// Removes a leading elided article or pronoun up to its apostrophe ("l'élève" -> "élève",
// "qu'il" -> "il"), as Lucene's ElisionFilter. The apostrophe may be U+0027 or U+2019.
class elision_filter final : public token_filter {
public:
    explicit elision_filter(std::vector<std::string_view> articles) : articles_(std::move(articles)) {}
    bool apply(std::string& term) override {
        for (const std::string_view apostrophe : {std::string_view("'"), std::string_view("\xE2\x80\x99")}) {
            const auto at = term.find(apostrophe);
            if (at == std::string::npos || at == 0 || at + apostrophe.size() >= term.size()) continue;
            const std::string_view head = std::string_view(term).substr(0, at);
            const std::string lowered = rapport::detail::ascii_lower(head);
            for (const auto a : articles_)
                if (lowered == a) {
                    term.erase(0, at + apostrophe.size());
                    return true;
                }
        }
        return true;
    }
    [[nodiscard]] bool pure() const noexcept override { return true; }
    [[nodiscard]] std::unique_ptr<token_filter> clone() const override {
        return std::make_unique<elision_filter>(articles_);
    }

private:
    std::vector<std::string_view> articles_;
};

// Whether every code point of UTF-8 `term` is kana, a CJK ideograph or a Hangul syllable, which
// Latin-ASCII leaves as they are: the CJK tokens (unigrams, bigrams) skip the transliterator.
bool is_cjk_only(std::string_view term) noexcept {
    for (std::size_t i = 0; i < term.size();) {
        const auto d = rapport::detail::decode_utf8(term, i);
        const char32_t c = d.code_point;
        const bool cjk = (c >= 0x3040 && c <= 0x30FF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
                         (c >= 0xAC00 && c <= 0xD7AF) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3FFFF);
        if (!d.valid || !cjk) return false;
        i += d.length;
    }
    return true;
}

// ICU's Latin-ASCII transliteration (diacritics removed, ligatures and special letters spelled in
// ASCII: "é" -> "e", "ø" -> "o", "æ" -> "ae", "ł" -> "l"), the mapping of Lucene's ASCIIFoldingFilter
// for Latin script. ASCII terms pass without calling ICU; other scripts are left as they are.
class accent_fold_filter final : public token_filter {
public:
    accent_fold_filter() {
        UErrorCode status = U_ZERO_ERROR;
        latin_.reset(icu::Transliterator::createInstance("Latin-ASCII", UTRANS_FORWARD, status));
        if (U_FAILURE(status) || !latin_)
            throw error(std::string("analysis: ICU's Latin-ASCII transliterator is unavailable: ") + u_errorName(status));
    }
    accent_fold_filter(const accent_fold_filter& other) : token_filter(other), latin_(other.latin_->clone()) {}
    bool apply(std::string& term) override {
        if (std::none_of(term.begin(), term.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; }))
            return true;
        if (static_cast<unsigned char>(term[0]) >= 0xE3 && is_cjk_only(term)) return true;
        auto text = icu::UnicodeString::fromUTF8(term);
        latin_->transliterate(text);
        term.clear();
        text.toUTF8String(term);
        return !term.empty();
    }
    [[nodiscard]] bool pure() const noexcept override { return true; }
    [[nodiscard]] std::unique_ptr<token_filter> clone() const override {
        return std::make_unique<accent_fold_filter>(*this);
    }

private:
    std::unique_ptr<icu::Transliterator> latin_;
};

}  // namespace

std::unique_ptr<token_filter> make_accent_fold_filter() { return std::make_unique<accent_fold_filter>(); }

std::unique_ptr<token_filter> make_elision_filter(std::string_view language) {
    const std::string lang = detail::canonical_language(language);
    // The elided words of each language (articles, pronouns, conjunctions before a vowel).
    if (lang == "french")
        return std::make_unique<elision_filter>(std::vector<std::string_view>{
            "l", "m", "t", "qu", "n", "s", "j", "d", "c", "jusqu", "quoiqu", "lorsqu", "puisqu"});
    if (lang == "italian")
        return std::make_unique<elision_filter>(std::vector<std::string_view>{
            "c", "l", "all", "dall", "dell", "nell", "sull", "coll", "pell", "gl", "agl", "dagl", "degl", "negl",
            "sugl", "un", "m", "t", "s", "v", "d", "quell", "quest", "bell", "sant"});
    if (lang == "catalan")
        return std::make_unique<elision_filter>(std::vector<std::string_view>{"d", "l", "m", "n", "s", "t"});
    if (lang == "irish")
        return std::make_unique<elision_filter>(std::vector<std::string_view>{"d", "m", "b"});
    return nullptr;
}

std::unique_ptr<token_filter> make_case_fold_filter() { return std::make_unique<case_fold_filter>(); }

std::unique_ptr<token_filter> make_stopword_filter(std::vector<std::string> words) {
    return std::make_unique<stopword_filter>(std::move(words));
}

std::unique_ptr<token_filter> make_stemmer_filter(std::string_view language) {
    return std::make_unique<stemmer_filter>(rapport::detail::ascii_lower(language));
}

std::vector<std::string> stemmer_languages() {
    std::vector<std::string> out;
    for (const char** names = sb_stemmer_list(); *names != nullptr; ++names) out.emplace_back(*names);
    return out;
}

}  // namespace rapport::analysis
