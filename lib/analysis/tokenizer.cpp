// SPDX-License-Identifier: MIT
// ICU-backed word segmentation with an exact ASCII fast path.
// Thread safety: the shared prototype iterator is built once and cloned under a mutex; each
// tokenizer then owns its iterator and UText.
#include "rapport/analysis/tokenizer.hpp"

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/rbbi.h>
#include <unicode/uchar.h>
#include <unicode/ubrk.h>
#include <unicode/unistr.h>
#include <unicode/utext.h>

#include <array>
#include <cstring>
#include <limits>
#include <mutex>
#include <new>
#include <string>
#include <utility>

#include "core/text.hpp"
#include "rapport/core/error.hpp"

namespace rapport::analysis {

namespace {

// ICU's break iterator works with int32_t offsets, so text reaches it in pieces of at most this
// many bytes, cut where a boundary is certain (see `is_safe_cut`).
constexpr std::size_t max_icu_span = std::size_t{1} << 30;

[[noreturn]] void throw_icu(const char* what, UErrorCode status) {
    if (status == U_MEMORY_ALLOCATION_ERROR) throw std::bad_alloc();
    throw error(std::string("analysis: ") + what + ": " + u_errorName(status));
}

// Builds the word break rules once: ICU's root-locale word rules, except that COLON (and its
// small and fullwidth forms) are MidLetter again, as UAX #29 says. CLDR's root tailoring removed
// them; with it, ICU fails the 15 COLON lines of WordBreakTest.txt and nothing else.
std::unique_ptr<icu::BreakIterator> build_prototype() {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::BreakIterator> root(
        icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
    if (U_FAILURE(status) || !root) throw_icu("cannot create the word break iterator", status);
    auto* rbbi = dynamic_cast<icu::RuleBasedBreakIterator*>(root.get());
    if (rbbi == nullptr) return root;
    icu::UnicodeString rules = rbbi->getRules();
    const icu::UnicodeString tailored(u"$MidLetter=[\\p{Word_Break=MidLetter}-[\\:\\uFE55\\uFF1A]];");
    if (rules.indexOf(tailored) < 0) return root;  // another ICU: keep its rules as they are
    rules.findAndReplace(tailored, icu::UnicodeString(u"$MidLetter=[\\p{Word_Break=MidLetter}];"));
    UParseError parse_error{};
    status = U_ZERO_ERROR;
    auto custom = std::make_unique<icu::RuleBasedBreakIterator>(rules, parse_error, status);
    if (U_FAILURE(status)) return root;
    return custom;
}

std::unique_ptr<icu::BreakIterator> new_iterator() {
    static std::mutex mutex;
    static const std::unique_ptr<icu::BreakIterator> prototype = build_prototype();
    // Cloning only reads the prototype, but ICU does not promise that concurrent clones of one
    // object are safe, and this runs once per tokenizer, so a mutex costs nothing that matters.
    const std::lock_guard lock(mutex);
    std::unique_ptr<icu::BreakIterator> copy(prototype->clone());
    if (!copy) throw std::bad_alloc();
    return copy;
}

// Word_Break classes of the ASCII characters under the rules above. '@' is ALetter in ICU's
// root rules (so e-mail addresses stay one word); '"' (Double_Quote) only matters next to
// Hebrew letters, so it acts as Other here.
enum class wb : std::uint8_t { other, letter, digit, extend_num_let, mid_letter, mid_num_let, mid_num, space, cr, lf };

constexpr std::array<wb, 128> make_ascii_classes() {
    std::array<wb, 128> c{};
    for (auto& x : c) x = wb::other;
    for (int i = 'a'; i <= 'z'; ++i) c[static_cast<std::size_t>(i)] = wb::letter;
    for (int i = 'A'; i <= 'Z'; ++i) c[static_cast<std::size_t>(i)] = wb::letter;
    for (int i = '0'; i <= '9'; ++i) c[static_cast<std::size_t>(i)] = wb::digit;
    c['@'] = wb::letter;
    c['_'] = wb::extend_num_let;
    c[':'] = wb::mid_letter;
    c['.'] = wb::mid_num_let;
    c['\''] = wb::mid_num_let;  // Single_Quote behaves as MidNumLet outside Hebrew (WB6, WB7, WB11, WB12)
    c[','] = wb::mid_num;
    c[';'] = wb::mid_num;
    c[' '] = wb::space;
    c['\r'] = wb::cr;
    c['\n'] = wb::lf;  // LF, VT and FF all break on both sides (WB3a, WB3b)
    c['\v'] = wb::lf;
    c['\f'] = wb::lf;
    return c;
}
constexpr std::array<wb, 128> ascii_classes = make_ascii_classes();

constexpr bool is_word_class(wb c) noexcept {
    return c == wb::letter || c == wb::digit || c == wb::extend_num_let;
}

// Returns the index of the first byte >= 0x80 at or after `from`, or `size` when there is none.
std::size_t find_non_ascii(const char* s, std::size_t from, std::size_t size) noexcept {
    std::size_t i = from;
    for (; i + 8 <= size; i += 8) {
        std::uint64_t word;
        std::memcpy(&word, s + i, 8);
        if (word & 0x8080808080808080ULL) break;
    }
    for (; i < size; ++i)
        if (static_cast<unsigned char>(s[i]) >= 0x80) return i;
    return size;
}

// A cut at `p` (0 < p < size) splits the text into two pieces whose boundaries together are
// exactly the boundaries of the whole: there is a break at `p`, and no rule looks across it.
// That holds after LF/VT/FF (WB3a) and between a space and an ASCII character that is not a
// space (WB3d groups spaces; WB4 could glue an Extend character to the space, hence ASCII).
// The rules that look two characters ahead or behind (WB6, WB7, WB11, WB12) need a Mid
// character in between, which a space or line break is not.
bool is_safe_cut(const char* s, std::size_t p) noexcept {
    const auto here = static_cast<unsigned char>(s[p]);
    if (here >= 0x80) return false;
    const auto before = static_cast<unsigned char>(s[p - 1]);
    return before == '\n' || before == '\v' || before == '\f' || (before == ' ' && here != ' ');
}

bool is_emoji_segment(const char* s, std::size_t size) noexcept {
    const std::string_view text(s, size);
    for (std::size_t i = 0; i < text.size();) {
        const auto d = rapport::detail::decode_utf8(text, i);
        i += d.length;
        if (!d.valid || d.code_point < 0x80) continue;
        const auto c = static_cast<UChar32>(d.code_point);
        if (c == 0x20E3 || u_hasBinaryProperty(c, UCHAR_EXTENDED_PICTOGRAPHIC) ||
            u_hasBinaryProperty(c, UCHAR_REGIONAL_INDICATOR))
            return true;
    }
    return false;
}

}  // namespace

struct tokenizer::impl {
    std::unique_ptr<icu::BreakIterator> iterator = new_iterator();
    UText text = UTEXT_INITIALIZER;

    impl() = default;
    impl(const impl&) = delete;
    impl& operator=(const impl&) = delete;
    ~impl() { utext_close(&text); }

    // Calls sink(begin, end, is_word) for every segment of s[from, to), in order.
    template <class Sink>
    void segment(const char* s, std::size_t from, std::size_t to, bool fast, Sink& sink) {
        if (!fast) {
            icu_span(s, from, to, sink);
            return;
        }
        std::size_t pos = from;
        while (pos < to) {
            const std::size_t j = find_non_ascii(s, pos, to);
            if (j == to) {
                ascii_span(s, pos, to, sink);
                return;
            }
            // ICU takes the stretch from the last safe cut before the non-ASCII byte to the first
            // safe cut after it; the ASCII before it takes the fast path.
            std::size_t cut = j;
            while (cut > pos && !is_safe_cut(s, cut)) --cut;
            if (cut > pos) ascii_span(s, pos, cut, sink);
            std::size_t stop = j + 1;
            while (stop < to && !is_safe_cut(s, stop)) ++stop;
            icu_span(s, cut, stop, sink);
            pos = stop;
        }
    }

    // The UAX #29 rules restricted to ASCII, as ICU applies them. A word is a run of letters,
    // digits and '_' (WB5, WB8-WB10, WB13a, WB13b), which also continues across one
    // MidLetter/MidNumLet between letters (WB6, WB7) or one MidNum/MidNumLet between digits
    // (WB11, WB12). ICU gives a segment holding only '_' the status "none": it is no word.
    template <class Sink>
    static void ascii_span(const char* s, std::size_t from, std::size_t to, Sink& sink) {
        std::size_t i = from;
        while (i < to) {
            const wb c = ascii_classes[static_cast<unsigned char>(s[i])];
            std::size_t j = i + 1;
            if (is_word_class(c)) {
                wb last = c;
                for (;;) {
                    if (j < to) {
                        const wb next = ascii_classes[static_cast<unsigned char>(s[j])];
                        if (is_word_class(next)) {
                            last = next;
                            ++j;
                            continue;
                        }
                        if (j + 1 < to) {
                            const wb after = ascii_classes[static_cast<unsigned char>(s[j + 1])];
                            const bool letters = last == wb::letter && after == wb::letter &&
                                                 (next == wb::mid_letter || next == wb::mid_num_let);
                            const bool digits = last == wb::digit && after == wb::digit &&
                                                (next == wb::mid_num || next == wb::mid_num_let);
                            if (letters || digits) {
                                j += 2;
                                continue;
                            }
                        }
                    }
                    break;
                }
                sink(i, j, !(j == i + 1 && c == wb::extend_num_let));
            } else {
                if (c == wb::space) {
                    while (j < to && s[j] == ' ') ++j;
                } else if (c == wb::cr) {
                    if (j < to && s[j] == '\n') ++j;
                }
                sink(i, j, false);
            }
            i = j;
        }
    }

    // Runs ICU over s[from, to), in pieces of at most `max_icu_span` bytes cut at safe places.
    template <class Sink>
    void icu_span(const char* s, std::size_t from, std::size_t to, Sink& sink) {
        while (to - from > max_icu_span) {
            std::size_t cut = from + max_icu_span;
            while (cut > from && !is_safe_cut(s, cut)) --cut;
            if (cut == from)
                throw invalid_argument("analysis: text without a line break or space over 1 GiB", from);
            icu_piece(s, from, cut, sink);
            from = cut;
        }
        if (from < to) icu_piece(s, from, to, sink);
    }

    template <class Sink>
    void icu_piece(const char* s, std::size_t from, std::size_t to, Sink& sink) {
        UErrorCode status = U_ZERO_ERROR;
        const char* piece = s + from;
        utext_openUTF8(&text, piece, static_cast<std::int64_t>(to - from), &status);
        if (U_FAILURE(status)) throw_icu("cannot open the text", status);
        iterator->setText(&text, status);
        if (U_FAILURE(status)) throw_icu("cannot set the text", status);
        std::int32_t begin = iterator->first();
        for (std::int32_t end = iterator->next(); end != icu::BreakIterator::DONE;
             begin = end, end = iterator->next()) {
            const auto b = static_cast<std::size_t>(begin);
            const auto e = static_cast<std::size_t>(end);
            const bool word = iterator->getRuleStatus() >= UBRK_WORD_NONE_LIMIT ||
                              (find_non_ascii(piece, b, e) != e && is_emoji_segment(piece + b, e - b));
            sink(from + b, from + e, word);
        }
    }
};

namespace {

void check_size(std::string_view text) {
    if (text.size() > std::numeric_limits<std::uint32_t>::max())
        throw invalid_argument("analysis: text of " + std::to_string(text.size()) +
                               " bytes is too large (offsets are 32-bit)");
}

}  // namespace

tokenizer::tokenizer() : impl_(std::make_unique<impl>()) {}

tokenizer::~tokenizer() = default;

tokenizer::tokenizer(const tokenizer& other)
    : impl_(std::make_unique<impl>()), ascii_fast_path_(other.ascii_fast_path_) {}

tokenizer& tokenizer::operator=(const tokenizer& other) {
    ascii_fast_path_ = other.ascii_fast_path_;
    return *this;
}

tokenizer::tokenizer(tokenizer&& other) noexcept
    : impl_(std::move(other.impl_)), ascii_fast_path_(other.ascii_fast_path_) {}

tokenizer& tokenizer::operator=(tokenizer&& other) noexcept {
    impl_ = std::move(other.impl_);
    ascii_fast_path_ = other.ascii_fast_path_;
    return *this;
}

void tokenizer::set_ascii_fast_path(bool enabled) noexcept { ascii_fast_path_ = enabled; }

bool tokenizer::ascii_fast_path() const noexcept { return ascii_fast_path_; }

void tokenizer::for_each_word(std::string_view text, word_callback fn, void* context) {
    check_size(text);
    if (text.empty()) return;
    if (!impl_) impl_ = std::make_unique<impl>();
    auto sink = [fn, context](std::size_t begin, std::size_t end, bool word) {
        if (word) fn(context, static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end));
    };
    impl_->segment(text.data(), 0, text.size(), ascii_fast_path_, sink);
}

void tokenizer::tokenize(std::string_view text, std::vector<token>& out) {
    struct context {
        std::string_view text;
        std::vector<token>& out;
        std::uint32_t position;
    } ctx{text, out, 0};
    for_each_word(
        text,
        [](void* p, std::uint32_t begin, std::uint32_t end) {
            auto& c = *static_cast<context*>(p);
            c.out.push_back(token{std::string(c.text.substr(begin, end - begin)), c.position++, begin, end});
        },
        &ctx);
}

std::vector<std::uint32_t> tokenizer::boundaries(std::string_view text) {
    check_size(text);
    std::vector<std::uint32_t> out{0};
    if (text.empty()) return out;
    if (!impl_) impl_ = std::make_unique<impl>();
    auto sink = [&out](std::size_t, std::size_t end, bool) { out.push_back(static_cast<std::uint32_t>(end)); };
    impl_->segment(text.data(), 0, text.size(), ascii_fast_path_, sink);
    return out;
}

}  // namespace rapport::analysis
