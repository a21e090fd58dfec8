// SPDX-License-Identifier: MIT
// split_passages: paragraphs → (sentence windows for long paragraphs) → merge of short
// fragments. Sentences come from ICU's rule-based sentence iterator and, for a sentence too
// long to fit a window, cuts from whitespace or ICU's word iterator, both over UTF-8 UText so
// that ICU's native indices are byte offsets and nothing is copied.
// Thread safety: the break iterators live in thread_local storage, one pair per thread.
#include "rapport/ingest/passage.hpp"

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/utext.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "core/text.hpp"
#include "rapport/core/assert.hpp"
#include "rapport/core/error.hpp"
#include "rapport/core/utf8.hpp"

namespace rapport::ingest {

namespace {

// ICU break iterators report int32 positions, so long paragraphs are handed to the sentence
// iterator in chunks of at most this many bytes; a boundary at a chunk's end is not trusted and
// the next chunk restarts at the last boundary found, so only chunks without any sentence
// boundary (a single sentence over 1 MiB) are cut somewhere ICU did not choose.
constexpr std::size_t sentence_chunk_bytes = std::size_t{1} << 20;

// Context past the cut point that the word iterator sees when a long sentence is cut.
constexpr std::size_t word_lookahead_bytes = 64;

struct byte_range {
    std::size_t begin;
    std::size_t end;
    [[nodiscard]] std::size_t size() const noexcept { return end - begin; }
};

enum class iterator_kind { sentence, word };

// One sentence and one word iterator per thread: creating them costs far more than reusing.
icu::BreakIterator& break_iterator(iterator_kind kind) {
    thread_local std::unique_ptr<icu::BreakIterator> sentence;
    thread_local std::unique_ptr<icu::BreakIterator> word;
    auto& slot = kind == iterator_kind::sentence ? sentence : word;
    if (!slot) {
        UErrorCode status = U_ZERO_ERROR;
        slot.reset(kind == iterator_kind::sentence
                       ? icu::BreakIterator::createSentenceInstance(icu::Locale::getRoot(), status)
                       : icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
        if (U_FAILURE(status) || !slot) {
            slot.reset();
            throw error(std::string("cannot create ICU break iterator: ") + u_errorName(status));
        }
    }
    return *slot;
}

// Points `it` at `text` (at most INT32_MAX bytes). The iterator keeps a shallow clone of the
// UText, so the local one may be closed; the bytes must outlive the iterator's use.
void set_text(icu::BreakIterator& it, std::string_view text) {
    RAPPORT_ASSERT(text.size() <= static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()));
    UErrorCode status = U_ZERO_ERROR;
    UText ut = UTEXT_INITIALIZER;
    utext_openUTF8(&ut, text.data(), static_cast<std::int64_t>(text.size()), &status);
    if (U_SUCCESS(status)) it.setText(&ut, status);
    utext_close(&ut);
    if (U_FAILURE(status)) throw error(std::string("ICU cannot read text: ") + u_errorName(status));
}

// Length of the line break starting at byte i (0 if none), and whether it ends a paragraph
// even under paragraph_break::blank_line (U+2029 PARAGRAPH SEPARATOR).
struct line_break_info {
    std::size_t length;
    bool paragraph_separator;
};

[[nodiscard]] line_break_info line_break_at(std::string_view s, std::size_t i) noexcept {
    const auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
        case '\n':
        case '\v':
        case '\f':
            return {1, false};
        case '\r':
            return {i + 1 < s.size() && s[i + 1] == '\n' ? std::size_t{2} : std::size_t{1}, false};
        case 0xC2:
            if (i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x85) return {2, false};
            return {0, false};
        case 0xE2:
            if (i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80) {
                const auto c2 = static_cast<unsigned char>(s[i + 2]);
                if (c2 == 0xA8) return {3, false};
                if (c2 == 0xA9) return {3, true};
            }
            return {0, false};
        default:
            return {0, false};
    }
}

class splitter {
public:
    splitter(std::string_view body, const passage_options& options) : body_(body), options_(options) {}

    std::vector<passage_range> run() {
        std::size_t para_begin = 0;  // start of the current paragraph (blank_line mode)
        bool para_open = false;
        std::size_t line_begin = 0;
        std::size_t i = 0;
        const bool by_line = options_.paragraphs == paragraph_break::line;
        while (i <= body_.size()) {
            const line_break_info lb = i < body_.size() ? line_break_at(body_, i) : line_break_info{0, true};
            if (i < body_.size() && lb.length == 0) {
                ++i;
                continue;
            }
            // [line_begin, i) is a line.
            const auto [b, e] = rapport::detail::trim_white_space(body_, line_begin, i);
            if (by_line) {
                if (b < e) paragraph(b, e);
            } else {
                if (b < e && !para_open) {
                    para_begin = b;
                    para_open = true;
                }
                if (para_open && (b == e || lb.paragraph_separator)) {
                    const auto [pb, pe] =
                        rapport::detail::trim_white_space(body_, para_begin, b == e ? line_begin : e);
                    if (pb < pe) paragraph(pb, pe);
                    para_open = false;
                }
            }
            if (i == body_.size()) break;
            i += lb.length;
            line_begin = i;
        }
        finish_fragments();
        return std::move(out_);
    }

private:
    // A trimmed, non-empty paragraph.
    void paragraph(std::size_t b, std::size_t e) {
        if (e - b <= options_.max_bytes) {
            fragment({b, e});
            return;
        }
        // A short fragment before a long paragraph (typically its heading) opens the first
        // window instead of standing alone.
        if (pending_ && pending_->size() < options_.min_bytes) {
            window_.push_back(*pending_);
            pending_.reset();
        }
        split_paragraph(b, e);
        end_window();
    }

    // Feeds the sentences of [b, e) to `sentence`, chunk by chunk.
    void split_paragraph(std::size_t b, std::size_t e) {
        icu::BreakIterator& it = break_iterator(iterator_kind::sentence);
        std::size_t pos = b;
        while (pos < e) {
            std::size_t chunk_end = e;
            if (e - pos > sentence_chunk_bytes)
                chunk_end = rapport::detail::utf8_floor(body_, pos, pos + sentence_chunk_bytes);
            if (chunk_end == pos) chunk_end = std::min(e, pos + 4);  // only on malformed input
            const bool last = chunk_end == e;
            set_text(it, sentence_text(pos, chunk_end));
            const auto length = static_cast<std::int32_t>(chunk_end - pos);
            std::int32_t previous = 0;
            for (std::int32_t at = it.next(); at != icu::BreakIterator::DONE; at = it.next()) {
                if (!last && at == length) break;
                sentence(pos + static_cast<std::size_t>(previous), pos + static_cast<std::size_t>(at));
                previous = at;
            }
            if (last) break;
            if (previous == 0) {
                // No boundary in a whole chunk: cut after its last whitespace, else at its end.
                std::size_t cut = chunk_end;
                for (std::size_t k = chunk_end; k > pos + 1; --k)
                    if (rapport::detail::is_ascii_space(body_[k - 1])) {
                        cut = k;
                        break;
                    }
                sentence(pos, cut);
                previous = static_cast<std::int32_t>(cut - pos);
            }
            pos += static_cast<std::size_t>(previous);
        }
    }

    // The bytes the sentence iterator sees for [b, e). ICU ends a sentence at every line break
    // (rule SB4), which would cut hard-wrapped sentences, so line breaks inside a paragraph
    // (only possible under blank_line) become spaces of the same byte length in a copy.
    [[nodiscard]] std::string_view sentence_text(std::size_t b, std::size_t e) {
        const std::string_view text = body_.substr(b, e - b);
        if (options_.paragraphs == paragraph_break::line) return text;
        std::size_t i = 0;
        while (i < text.size() && line_break_at(text, i).length == 0) ++i;
        if (i == text.size()) return text;
        scratch_.assign(text);
        while (i < scratch_.size()) {
            const std::size_t n = line_break_at(scratch_, i).length;
            if (n == 0) {
                ++i;
                continue;
            }
            std::fill_n(scratch_.begin() + static_cast<std::ptrdiff_t>(i), n, ' ');
            i += n;
        }
        return scratch_;
    }

    // A sentence of a long paragraph (untrimmed). Too long a sentence is cut into pieces.
    void sentence(std::size_t b, std::size_t e) {
        std::tie(b, e) = rapport::detail::trim_white_space(body_, b, e);
        const std::size_t max = options_.max_bytes;
        while (b < e) {
            if (e - b <= max) {
                unit({b, e});
                return;
            }
            const std::size_t cut = cut_point(b, e);
            const auto [pb, pe] = rapport::detail::trim_white_space(body_, b, cut);
            if (pb < pe) unit({pb, pe});
            b = rapport::detail::trim_white_space(body_, cut, e).first;
        }
    }

    // Where to cut [b, e) (trimmed, longer than max_bytes): after the last whitespace that keeps
    // the piece within max_bytes, else at the last word boundary, else at a code point boundary.
    [[nodiscard]] std::size_t cut_point(std::size_t b, std::size_t e) {
        const std::size_t limit = b + options_.max_bytes;
        // Whitespace: a space starting at p <= limit ends a piece [b, p) of at most max_bytes.
        for (std::size_t p = rapport::detail::utf8_floor(body_, b, limit); p > b;) {
            const auto d = rapport::detail::decode_utf8(body_, p);
            if (rapport::detail::is_white_space(d.code_point)) return p;
            p = rapport::detail::previous_utf8_start(body_, p);
        }
        // Word boundary (ICU segments scripts without spaces, e.g. CJK, by dictionary).
        icu::BreakIterator& it = break_iterator(iterator_kind::word);
        const std::size_t window_end = std::min(e, limit + word_lookahead_bytes);
        set_text(it, body_.substr(b, window_end - b));
        const std::int32_t at = it.preceding(static_cast<std::int32_t>(options_.max_bytes + 1));
        if (at != icu::BreakIterator::DONE && at > 0) return b + static_cast<std::size_t>(at);
        // Code point boundary; a code point longer than max_bytes is kept whole.
        const std::size_t cut = rapport::detail::utf8_floor(body_, b, limit);
        return cut > b ? cut : b + rapport::detail::decode_utf8(body_, b).length;
    }

    // Greedy packing of the sentences (units) of one long paragraph into windows.
    void unit(byte_range u) {
        if (!window_.empty() && u.end - window_.front().begin > options_.max_bytes) {
            fragment({window_.front().begin, window_.back().end});
            // The next window repeats up to overlap_sentences trailing units, never all of them,
            // and drops repeated units until the new one fits.
            const std::size_t keep = std::min(options_.overlap_sentences, window_.size() - 1);
            while (window_.size() > keep) window_.pop_front();
            while (!window_.empty() && u.end - window_.front().begin > options_.max_bytes) window_.pop_front();
        }
        window_.push_back(u);
    }

    void end_window() {
        if (!window_.empty()) fragment({window_.front().begin, window_.back().end});
        window_.clear();
    }

    // Merging of short fragments, in order: a short fragment absorbs the next one, or else is
    // absorbed by the previous passage, whenever the merged range fits in max_bytes.
    void fragment(byte_range f) {
        if (!pending_) {
            pending_ = f;
            return;
        }
        byte_range& p = *pending_;
        if (p.size() < options_.min_bytes && f.end - p.begin <= options_.max_bytes) {
            p.end = std::max(p.end, f.end);
            return;
        }
        emit_pending();
        pending_ = f;
    }

    void emit_pending() {
        const byte_range p = *pending_;
        pending_.reset();
        if (p.size() < options_.min_bytes && !out_.empty() && p.end - out_.back().begin <= options_.max_bytes) {
            out_.back().end = static_cast<std::uint32_t>(p.end);
            return;
        }
        out_.push_back({static_cast<std::uint32_t>(out_.size()), static_cast<std::uint32_t>(p.begin),
                        static_cast<std::uint32_t>(p.end)});
    }

    void finish_fragments() {
        if (pending_) emit_pending();
    }

    std::string_view body_;
    const passage_options& options_;
    std::deque<byte_range> window_;
    std::optional<byte_range> pending_;
    std::vector<passage_range> out_;
    std::string scratch_;
};

}  // namespace

std::vector<passage_range> split_passages(std::string_view body, const passage_options& options) {
    if (options.max_bytes == 0) throw invalid_argument("passage_options: max_bytes is 0");
    if (options.min_bytes > options.max_bytes)
        throw invalid_argument("passage_options: min_bytes (" + std::to_string(options.min_bytes) +
                               ") exceeds max_bytes (" + std::to_string(options.max_bytes) + ")");
    if (body.size() > std::numeric_limits<std::uint32_t>::max())
        throw invalid_argument("split_passages: body is 4 GiB or longer (" + std::to_string(body.size()) +
                               " bytes)");
    RAPPORT_ASSERT(!find_invalid_utf8(body));
    return splitter(body, options).run();
}

}  // namespace rapport::ingest
