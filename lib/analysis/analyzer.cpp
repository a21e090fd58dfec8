// SPDX-License-Identifier: MIT
// The analysis pipeline: UTF-8 check, tokenizer, CJK bigrams, filters (with stacking), term
// length cap.
// Thread safety: an analyzer owns its tokenizer, filters and buffers; not thread-safe.
#include "rapport/analysis/analyzer.hpp"
#include <boost/container_hash/hash.hpp>
#include <boost/unordered/unordered_flat_map.hpp>

#include <unicode/uchar.h>
#include <unicode/uscript.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
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

// The first CJK code point, U+1100 (Hangul jamo), is E1 84 80 in UTF-8: text without a byte
// >= 0xE1 holds no CJK, and is the only text the CJK path has to look at.
constexpr unsigned char min_cjk_lead = 0xE1;

bool may_hold_cjk(const char* s, std::size_t size) noexcept {
    constexpr std::uint64_t high = 0x8080808080808080ULL;
    std::size_t i = 0;
    // 32 bytes per step while they are ASCII, so that ASCII text costs a fraction of an
    // instruction per byte.
    for (; i + 32 <= size; i += 32) {
        std::uint64_t w[4];
        std::memcpy(w, s + i, 32);
        if (((w[0] | w[1] | w[2] | w[3]) & high) == 0) continue;
        for (const std::uint64_t x : w)  // bits 7, 6 and 5 all set: a byte >= 0xE0
            if ((x & (x << 1) & (x << 2) & high) != 0) {
                for (std::size_t k = i; k < i + 32; ++k)
                    if (static_cast<unsigned char>(s[k]) >= min_cjk_lead) return true;
                break;
            }
    }
    for (; i < size; ++i)
        if (static_cast<unsigned char>(s[i]) >= min_cjk_lead) return true;
    return false;
}

// A character that starts a CJK unit: Han, Hiragana, Katakana or Hangul script, or one of the
// Common-script marks that Japanese writes inside words (the prolonged sound marks, the
// iteration and closing marks, the spacing voiced sound marks).
bool is_cjk_base(char32_t c) noexcept {
    // Below the CJK Radicals Supplement only the Hangul jamo are CJK; this spares the script
    // lookup for the punctuation (’ – “) of Latin text.
    if (c < 0x2E80) return c >= 0x1100 && c <= 0x11FF;
    if (c == 0x30FC || c == 0xFF70 || c == 0x3005 || c == 0x3006 || (c >= 0x3031 && c <= 0x3035) || c == 0x309B ||
        c == 0x309C)
        return true;
    UErrorCode status = U_ZERO_ERROR;
    const UScriptCode script = uscript_getScript(static_cast<UChar32>(c), &status);
    return script == USCRIPT_HAN || script == USCRIPT_HIRAGANA || script == USCRIPT_KATAKANA ||
           script == USCRIPT_HANGUL;
}

// A character that belongs to the CJK character before it: a combining mark or variation
// selector (Grapheme_Extend: U+3099, U+FF9E, U+FE00, U+E0100, ...), or a Hangul vowel or final
// jamo completing a syllable written in jamo.
bool is_cjk_extender(char32_t c) noexcept {
    if (c < 0x300) return false;
    const auto u = static_cast<UChar32>(c);
    if (u_hasBinaryProperty(u, UCHAR_GRAPHEME_EXTEND)) return true;
    const auto type = u_getIntPropertyValue(u, UCHAR_HANGUL_SYLLABLE_TYPE);
    return type == U_HST_VOWEL_JAMO || type == U_HST_TRAILING_JAMO;
}

// Whether a piece of a word that holds CJK has a letter, a number or an emoji: the word's non-CJK
// rest is a word of its own only then (not a lone '_' or '.', which ICU keeps in "카_" or "한.국").
bool is_word_character(char32_t c) noexcept {
    const auto u = static_cast<UChar32>(c);
    return (U_GET_GC_MASK(u) & (U_GC_L_MASK | U_GC_N_MASK)) != 0 ||
           (c >= 0x80 && (u_hasBinaryProperty(u, UCHAR_EXTENDED_PICTOGRAPHIC) ||
                          u_hasBinaryProperty(u, UCHAR_REGIONAL_INDICATOR)));
}

}  // namespace

// The general path of `analyze`: CJK runs and stacking filters. Tokens are written into `out`
// in place (reusing the strings already there) and committed by advancing `count`.
// The terms that words analysed to, for a chain of pure filters (`token_filter::pure`): a word
// met again skips the filters. Indexing the Wikipedia passages, case folding, stopwords, accent
// folding and Snowball took 1,300 instructions per token, a third of a bulk load; Zipf's law makes
// most tokens repeats. Bounded, and emptied when full, so that a long run follows its vocabulary
// without growing: by default 32,768 words of at most 32 bytes, a few MiB (`set_word_cache_words`).
struct analyzer::word_cache {
    std::size_t capacity = default_word_cache_words;
    static constexpr std::size_t max_word_bytes = 32;
    struct hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return boost::hash<std::string_view>{}(s); }
    };
    // word → its term; "" when the filters drop it
    boost::unordered_flat_map<std::string, std::string, hash, std::equal_to<>> terms;
};

struct analyzer::run {
    analyzer& a;
    std::string_view text;
    std::vector<token>& out;
    bool stacking;  // some filter stacks
    bool cjk;       // CJK runs are split (cjk_bigrams on and the text may hold CJK)
    word_cache* cache = nullptr;  // each word's term, when the filters are pure and none stacks
    std::size_t count = 0;
    std::uint32_t position = 0;
    // The tokens at position `group_position` start at out[group]; duplicates are looked for there.
    std::size_t group = 0;
    std::uint32_t group_position = std::numeric_limits<std::uint32_t>::max();
    // The open CJK run: it ends at byte `run_end` with the character [last_begin, last_end) at
    // `last_position`, whose tokens are not emitted yet (its bigram needs the next character).
    bool run_open = false;
    std::uint32_t run_chars = 0;
    std::uint32_t run_end = 0;
    std::uint32_t last_begin = 0, last_end = 0, last_position = 0;

    // Tokenizer callback: one word, [begin, end).
    void word(std::uint32_t begin, std::uint32_t end) {
        if (cjk && may_hold_cjk(text.data() + begin, end - begin)) {
            split(begin, end);
            return;
        }
        close_run();
        emit(position++, begin, end);
    }

    // Whether text[begin, end) holds a letter, a number or an emoji.
    [[nodiscard]] bool holds_word(std::uint32_t begin, std::uint32_t end) const noexcept {
        for (std::uint32_t i = begin; i < end;) {
            const auto d = rapport::detail::decode_utf8(text, i);
            if (is_word_character(d.code_point)) return true;
            i += static_cast<std::uint32_t>(d.length);
        }
        return false;
    }

    // A word that may hold CJK: its CJK characters join the run, its other pieces are words.
    void split(std::uint32_t begin, std::uint32_t end) {
        std::uint32_t piece = begin;  // the non-CJK piece [piece, i)
        for (std::uint32_t i = begin; i < end;) {
            const auto d = rapport::detail::decode_utf8(text, i);
            if (!is_cjk_base(d.code_point)) {
                i += static_cast<std::uint32_t>(d.length);
                continue;
            }
            if (piece < i && holds_word(piece, i)) {
                close_run();
                emit(position++, piece, i);
            }
            std::uint32_t e = i + static_cast<std::uint32_t>(d.length);
            while (e < end) {
                const auto x = rapport::detail::decode_utf8(text, e);
                if (!is_cjk_extender(x.code_point)) break;
                e += static_cast<std::uint32_t>(x.length);
            }
            character(i, e);
            i = piece = e;
        }
        if (piece == begin || (piece < end && holds_word(piece, end))) {  // no CJK in it: the word as it is
            close_run();
            emit(position++, piece, end);
        }
    }

    // One CJK character [begin, end): continues the open run when it starts where the run ends.
    void character(std::uint32_t begin, std::uint32_t end) {
        if (!run_open || run_end != begin) {
            close_run();
            run_open = true;
            run_chars = 0;
        }
        const std::uint32_t p = position++;
        if (run_chars > 0) {
            if (!a.query_mode_) emit(last_position, last_begin, last_end);
            emit(last_position, last_begin, end);
        }
        last_begin = begin;
        last_end = end;
        last_position = p;
        run_end = end;
        ++run_chars;
    }

    // Emits what the run's last character still owes: its unigram, in index mode or alone.
    void close_run() {
        if (!run_open) return;
        run_open = false;
        if (!a.query_mode_ || run_chars == 1) emit(last_position, last_begin, last_end);
    }

    token& slot() { return count < out.size() ? out[count] : out.emplace_back(); }

    // Whether a token with `term` is already at the position being filled.
    [[nodiscard]] bool duplicate(const std::string& term) const {
        for (std::size_t i = group; i < count; ++i)
            if (out[i].term == term) return true;
        return false;
    }

    // Runs `term` through the filters from `from` on, collecting what stacking filters add.
    bool filter(std::string& term, std::size_t from) {
        auto& filters = a.filters_;
        for (std::size_t k = from; k < filters.size(); ++k) {
            if (!filters[k]->apply(term) || term.empty()) return false;
            if (stacking && filters[k]->stacks()) {
                filters[k]->stack(term, a.stacked_);
                a.stacked_from_.resize(a.stacked_.size(), k + 1);
            }
        }
        return term.size() <= max_term_bytes;
    }

    void commit(token& t, std::uint32_t p, std::uint32_t begin, std::uint32_t end) {
        t.position = p;
        t.begin = begin;
        t.end = end;
        ++count;
    }

    // Emits the term text[begin, end) at position `p`, then whatever stacking filters add to it.
    void emit(std::uint32_t p, std::uint32_t begin, std::uint32_t end) {
        if (p != group_position) {
            group = count;
            group_position = p;
        }
        {
            token& t = slot();
            const std::string_view word(text.data() + begin, end - begin);
            bool kept;
            if (cache != nullptr && word.size() <= word_cache::max_word_bytes) {
                if (const auto it = cache->terms.find(word); it != cache->terms.end()) {
                    kept = !it->second.empty();
                    if (kept) t.term.assign(it->second);
                } else {
                    t.term.assign(word);
                    kept = filter(t.term, 0);
                    if (cache->terms.size() >= cache->capacity) cache->terms.clear();
                    cache->terms.emplace(word, kept ? std::string_view(t.term) : std::string_view());
                }
            } else {
                t.term.assign(word);
                kept = filter(t.term, 0);
            }
            if (kept && !duplicate(t.term)) commit(t, p, begin, end);
        }
        if (!stacking) return;
        // `filter` may append to `stacked_` while it is walked: stacked terms of stacked terms.
        for (std::size_t h = 0; h < a.stacked_.size(); ++h) {
            token& t = slot();
            t.term.swap(a.stacked_[h]);
            if (!t.term.empty() && filter(t.term, a.stacked_from_[h]) && !duplicate(t.term)) commit(t, p, begin, end);
        }
        a.stacked_.clear();
        a.stacked_from_.clear();
    }
};

analyzer::analyzer() = default;

bool folds_accents(const analyzer_options& options) {
    return options.fold_accents.value_or(is_english(rapport::detail::ascii_lower(options.language)));
}

bool removes_elisions(const analyzer_options& options) {
    return options.elision.value_or(true) && make_elision_filter(options.language) != nullptr;
}

analyzer::analyzer(const analyzer_options& options)
    : invalid_utf8_(options.invalid_utf8), cjk_bigrams_(options.cjk_bigrams) {
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

analyzer::analyzer(const analyzer& other)
    : cache_words_(other.cache_words_),
      tokenizer_(other.tokenizer_),
      invalid_utf8_(other.invalid_utf8_),
      cjk_bigrams_(other.cjk_bigrams_),
      query_mode_(other.query_mode_),
      position_count_(other.position_count_) {
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

analyzer& analyzer::set_word_cache_words(std::size_t words) noexcept {
    cache_words_ = words;
    if (cache_ && (words == 0 || cache_->terms.size() > words))
        cache_.reset();  // hands the table back; the next analyze starts a cache of the new size
    else if (cache_)
        cache_->capacity = words;
    return *this;
}

analyzer::analyzer(analyzer&&) noexcept = default;
analyzer& analyzer::operator=(analyzer&&) noexcept = default;
analyzer::~analyzer() = default;

analyzer& analyzer::add_filter(std::unique_ptr<token_filter> f) {
    if (!f) throw invalid_argument("analysis: add_filter given a null filter");
    filters_.push_back(std::move(f));
    cache_.reset();  // the chain changed
    return *this;
}

analyzer& analyzer::set_invalid_utf8_policy(invalid_utf8_policy policy) noexcept {
    invalid_utf8_ = policy;
    return *this;
}

analyzer& analyzer::set_cjk_bigrams(bool enabled) noexcept {
    cjk_bigrams_ = enabled;
    return *this;
}

analyzer& analyzer::set_query_mode(bool enabled) noexcept {
    query_mode_ = enabled;
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

    position_count_ = 0;
    const bool stacking =
        std::any_of(filters_.begin(), filters_.end(), [](const std::unique_ptr<token_filter>& f) { return f->stacks(); });
    const bool pure = !stacking && std::all_of(filters_.begin(), filters_.end(),
                                               [](const std::unique_ptr<token_filter>& f) { return f->pure(); });
    if (pure && !filters_.empty() && !cache_ && cache_words_ > 0) {
        cache_ = std::make_unique<word_cache>();
        cache_->capacity = cache_words_;
    }
    const bool cjk = cjk_bigrams_ && may_hold_cjk(input.data(), input.size());
    if (stacking || cjk) {
        stacked_.clear();
        stacked_from_.clear();
        run r{*this, input, out, stacking, cjk};
        if (pure) r.cache = cache_.get();
        tokenizer_.for_each_word(
            input, [](void* p, std::uint32_t begin, std::uint32_t end) { static_cast<run*>(p)->word(begin, end); }, &r);
        r.close_run();
        out.resize(r.count);
        position_count_ = r.position;
        return;
    }

    // The one-term-per-word path, for most text: no stacking, no CJK.
    // Tokens already in `out` are overwritten rather than destroyed, so their strings' buffers
    // are reused from call to call.
    struct context {
        std::string_view text;
        std::vector<token>& out;
        std::vector<std::unique_ptr<token_filter>>& filters;
        word_cache* cache;  // null: the filters run on every word
        std::size_t count;
        std::uint32_t position;
    } ctx{input, out, filters_, pure ? cache_.get() : nullptr, 0, 0};

    tokenizer_.for_each_word(
        input,
        [](void* p, std::uint32_t begin, std::uint32_t end) {
            auto& c = *static_cast<context*>(p);
            const std::uint32_t position = c.position++;
            token& t = c.count < c.out.size() ? c.out[c.count] : c.out.emplace_back();
            const std::string_view word(c.text.data() + begin, end - begin);
            const auto keep = [&] {
                t.position = position;
                t.begin = begin;
                t.end = end;
                ++c.count;
            };
            const bool cached = c.cache != nullptr && word.size() <= word_cache::max_word_bytes;
            if (cached) {
                if (const auto it = c.cache->terms.find(word); it != c.cache->terms.end()) {
                    if (it->second.empty()) return;
                    t.term.assign(it->second);
                    return keep();
                }
            }
            t.term.assign(word);
            bool kept = true;
            for (auto& f : c.filters)
                if (!f->apply(t.term) || t.term.empty()) {
                    kept = false;
                    break;
                }
            kept = kept && !t.term.empty() && t.term.size() <= max_term_bytes;
            if (cached) {
                if (c.cache->terms.size() >= c.cache->capacity) c.cache->terms.clear();
                c.cache->terms.emplace(word, kept ? std::string_view(t.term) : std::string_view());
            }
            if (kept) keep();
        },
        &ctx);
    out.resize(ctx.count);
    position_count_ = ctx.position;
}

std::vector<token> analyzer::analyze(std::string_view text) {
    std::vector<token> out;
    analyze(text, out);
    return out;
}

namespace {
struct registry {
    std::mutex lock;
    std::map<std::string, analyzer, std::less<>> analyzers;
};
registry& the_registry() {
    static registry r;
    return r;
}
}  // namespace

void register_analyzer(std::string name, const analyzer& prototype) {
    if (name.empty() || name.size() > 255) throw invalid_argument("register_analyzer: the name must be 1-255 bytes");
    auto& r = the_registry();
    const std::lock_guard<std::mutex> hold(r.lock);
    r.analyzers.insert_or_assign(std::move(name), prototype);
}

std::optional<analyzer> registered_analyzer(std::string_view name) {
    auto& r = the_registry();
    const std::lock_guard<std::mutex> hold(r.lock);
    const auto it = r.analyzers.find(name);
    if (it == r.analyzers.end()) return std::nullopt;
    return it->second;
}

}  // namespace rapport::analysis
