// SPDX-License-Identifier: MIT
#include "rapport/index/value_columns.hpp"

#include <algorithm>
#include <bit>
#include <map>

#include "rapport/core/assert.hpp"
#include "rapport/core/error.hpp"
#include "rapport/core/varint.hpp"

namespace rapport::index {

namespace {

void put_string(std::string& out, std::string_view s) {
    put_varint(out, s.size());
    out.append(s);
}

std::uint64_t zigzag(std::int64_t v) noexcept {
    return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
std::int64_t unzigzag(std::uint64_t v) noexcept {
    return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

// Strict reader of an FVAL payload: every failure is a corruption_error at its offset.
class reader {
public:
    reader(std::string_view data, const std::string& file) : data_(data), file_(file) {}
    std::uint64_t number(std::uint64_t max = ~std::uint64_t{0}) {
        std::uint64_t v = 0;
        const char* next = get_varint(data_.data() + at_, data_.data() + data_.size(), v);
        if (next == nullptr) fail("bad or truncated number");
        if (v > max) fail("number out of range");
        at_ = static_cast<std::size_t>(next - data_.data());
        return v;
    }
    std::string_view bytes(std::uint64_t n) {
        if (n > data_.size() - at_) fail("runs past the end of the payload");
        const auto s = data_.substr(at_, static_cast<std::size_t>(n));
        at_ += static_cast<std::size_t>(n);
        return s;
    }
    std::uint64_t word() {
        const auto b = bytes(8);
        return load_fixed64(b.data());
    }
    [[nodiscard]] bool done() const noexcept { return at_ == data_.size(); }
    [[nodiscard]] std::size_t left() const noexcept { return data_.size() - at_; }
    [[noreturn]] void fail(const std::string& what) const {
        throw corruption_error(file_, at_, "field values: " + what);
    }

private:
    std::string_view data_;
    std::size_t at_ = 0;
    const std::string& file_;
};

// The numbers of a numeric or text column (FORMAT.md §10).
void encode_numbers(const value_column& c, std::uint32_t articles_, std::string& out) {
    {
        {
            std::uint64_t present = 0;
            std::int64_t lo = 0, hi = 0;
            for (std::uint32_t a = 0; a < articles_; ++a)
                if (test_bit(c.present, a)) {
                    const auto v = c.numbers[a];
                    lo = present == 0 ? v : std::min(lo, v);
                    hi = present == 0 ? v : std::max(hi, v);
                    ++present;
                }
            put_varint(out, present);
            if (present == 0) return;
            if (present != articles_)
                for (const auto w : c.present) put_fixed64(out, w);
            put_varint(out, zigzag(lo));
            const std::uint64_t range = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
            const auto width = static_cast<unsigned>(std::bit_width(range));
            out.push_back(static_cast<char>(width));
            if (width == 0) return;
            // Frame of reference: value − lo in `width` bits, little-endian words.
            std::vector<std::uint64_t> words((std::uint64_t{articles_} * width + 63) / 64, 0);
            for (std::uint32_t a = 0; a < articles_; ++a) {
                const std::uint64_t v =
                    test_bit(c.present, a) ? static_cast<std::uint64_t>(c.numbers[a]) - static_cast<std::uint64_t>(lo) : 0;
                const std::uint64_t bit = std::uint64_t{a} * width;
                words[bit / 64] |= v << (bit % 64);
                if (bit % 64 + width > 64) words[bit / 64 + 1] |= v >> (64 - bit % 64);
            }
            for (const auto w : words) put_fixed64(out, w);
        }
    }
}

}  // namespace

field_value value_column::value(std::uint32_t a) const {
    field_value v;
    if (field.type == field_type::keyword) {
        for (const auto o : ordinals_of(a)) v.keywords.push_back(dictionary[o]);
    } else if (is_numeric(field.type)) {
        v.number = number(a);
    } else {
        if (field.type == field_type::text) v.number = number(a);
        v.stored = std::string(stored(a));
    }
    return v;
}

value_columns::value_columns(const schema& s, std::span<const field_values> articles)
    : articles_(static_cast<std::uint32_t>(articles.size())) {
    for (const auto& a : articles)
        if (!a.empty() && a.size() != s.fields.size())
            throw invalid_argument("field values: an article's values do not follow the schema");
    for (std::size_t f = 0; f < s.fields.size(); ++f) {
        const auto& def = s.fields[f];
        if (def.type == field_type::text && !schema::is_extra_text(def)) continue;
        value_column c;
        c.field = def;
        if (def.type == field_type::text) c.text_field = static_cast<std::uint8_t>(*s.text_field(def.name));
        const bool numbers = is_numeric(def.type) || def.type == field_type::text;
        const bool texts = def.type == field_type::stored || def.type == field_type::text;
        if (def.type == field_type::keyword) {
            std::map<std::string_view, std::uint32_t> ords;
            for (const auto& a : articles)
                if (!a.empty())
                    for (const auto& k : a[f].keywords) ords.emplace(k, 0);
            std::uint32_t n = 0;
            for (auto& [value, ord] : ords) {
                ord = n++;
                c.dictionary.emplace_back(value);
            }
            c.offsets.push_back(0);
            for (const auto& a : articles) {
                if (!a.empty())
                    for (const auto& k : a[f].keywords) c.ordinals.push_back(ords.at(k));
                c.offsets.push_back(static_cast<std::uint32_t>(c.ordinals.size()));
            }
        }
        if (numbers) {
            c.numbers.assign(articles.size(), 0);
            c.present.assign(bitset_words(articles.size()), 0);
            for (std::size_t a = 0; a < articles.size(); ++a)
                if (!articles[a].empty() && articles[a][f].number) {
                    c.numbers[a] = *articles[a][f].number;
                    set_bit(c.present, a);
                }
        }
        if (texts) {
            c.offsets.push_back(0);
            for (const auto& a : articles) {
                if (!a.empty()) c.text += a[f].stored;
                if (c.text.size() > 0xFFFFFFFFu) throw invalid_argument("field values: stored values exceed 4 GiB in a segment");
                c.offsets.push_back(static_cast<std::uint32_t>(c.text.size()));
            }
        }
        columns_.push_back(std::move(c));
    }
}

std::string value_columns::encode(std::uint32_t articles, std::uint32_t passages) const {
    RAPPORT_ASSERT(columns_.empty() || articles == articles_);
    std::string out;
    put_varint(out, articles);
    put_varint(out, passages);
    put_varint(out, columns_.size());
    for (const auto& c : columns_) {
        put_string(out, c.field.name);
        put_varint(out, static_cast<std::uint64_t>(c.field.type));
        if (c.field.type == field_type::keyword) {
            put_varint(out, c.dictionary.size());
            for (const auto& v : c.dictionary) put_string(out, v);
            put_varint(out, c.ordinals.size());
            for (std::uint32_t a = 0; a < articles_; ++a) {
                const auto ords = c.ordinals_of(a);
                put_varint(out, ords.size());
                // Ascending within an article: each as the gap from the previous one (the first from 0).
                std::uint32_t previous = 0;
                for (std::size_t i = 0; i < ords.size(); ++i) {
                    put_varint(out, ords[i] - (i == 0 ? 0 : previous + 1));
                    previous = ords[i];
                }
            }
        }
        if (c.field.type == field_type::text) put_varint(out, c.text_field);
        if (is_numeric(c.field.type) || c.field.type == field_type::text) encode_numbers(c, articles_, out);
        if (c.field.type == field_type::stored || c.field.type == field_type::text) {
            for (std::uint32_t a = 0; a < articles_; ++a) put_varint(out, c.offsets[a + 1] - c.offsets[a]);
            out += c.text;
        }
    }
    return out;
}

value_columns value_columns::decode(std::string_view payload, std::uint32_t articles, std::uint32_t passages,
                                    const std::string& file) {
    value_columns out;
    out.articles_ = articles;
    reader r(payload, file);
    if (r.number() != articles) r.fail("its article count is not the segment's");
    if (r.number() != passages) r.fail("its passage count is not the segment's");
    const auto count = r.number(250);
    for (std::uint64_t i = 0; i < count; ++i) {
        value_column c;
        const auto name_size = r.number(64);
        c.field.name = std::string(r.bytes(name_size));
        const auto type = r.number(5);
        c.field.type = static_cast<field_type>(type);
        for (const auto& other : out.columns_)
            if (other.field.name == c.field.name) r.fail("field '" + c.field.name + "' has two columns");
        if (c.field.type == field_type::text) {
            if (c.field.name == "title" || c.field.name == "body") r.fail("the article's own text has no column");
            const auto n = r.number(max_text_fields - 1);
            if (n < 2) r.fail("a text field numbered below 2");
            for (const auto& other : out.columns_)
                if (other.field.type == field_type::text && other.text_field == n) r.fail("two text columns share a number");
            c.text_field = static_cast<std::uint8_t>(n);
        }
        if (c.field.type == field_type::keyword) {
            const auto values = r.number(r.left());
            c.dictionary.reserve(static_cast<std::size_t>(values));
            for (std::uint64_t v = 0; v < values; ++v) {
                c.dictionary.emplace_back(r.bytes(r.number(1000)));
                if (v > 0 && !(c.dictionary[v - 1] < c.dictionary[v])) r.fail("keyword values out of order");
            }
            const auto total = r.number(r.left());
            c.ordinals.reserve(static_cast<std::size_t>(total));
            c.offsets.reserve(std::size_t{articles} + 1);
            c.offsets.push_back(0);
            for (std::uint32_t a = 0; a < articles; ++a) {
                const auto n = r.number(values);
                std::uint64_t next = 0;
                for (std::uint64_t k = 0; k < n; ++k) {
                    const auto ord = next + r.number(values);
                    if (ord >= values) r.fail("a keyword ordinal past the values");
                    c.ordinals.push_back(static_cast<std::uint32_t>(ord));
                    next = ord + 1;
                }
                if (c.ordinals.size() > total) r.fail("more ordinals than recorded");
                c.offsets.push_back(static_cast<std::uint32_t>(c.ordinals.size()));
            }
            if (c.ordinals.size() != total) r.fail("fewer ordinals than recorded");
        }
        if (is_numeric(c.field.type) || c.field.type == field_type::text) {
            const auto present = r.number(articles);
            c.numbers.assign(articles, 0);
            c.present.assign(bitset_words(articles), 0);
            if (present != 0) {
                if (present == articles) {
                    for (std::uint32_t a = 0; a < articles; ++a) set_bit(c.present, a);
                } else {
                    if (c.present.size() * 8 > r.left()) r.fail("runs past the end of the payload");
                    for (auto& w : c.present) w = r.word();
                    std::uint64_t n = 0;
                    for (const auto w : c.present) n += static_cast<std::uint64_t>(std::popcount(w));
                    if (articles % 64 != 0 && !c.present.empty() && (c.present.back() >> (articles % 64)) != 0)
                        r.fail("presence bits past the last article");
                    if (n != present) r.fail("presence bits disagree with the count");
                }
                const auto lo = unzigzag(r.number());
                const auto width = static_cast<unsigned>(static_cast<unsigned char>(r.bytes(1)[0]));
                if (width > 64) r.fail("bit width above 64");
                if (width > 0) {
                    const std::uint64_t words = (std::uint64_t{articles} * width + 63) / 64;
                    if (words * 8 > r.left()) r.fail("runs past the end of the payload");
                    std::vector<std::uint64_t> packed(static_cast<std::size_t>(words));
                    for (auto& w : packed) w = r.word();
                    const std::uint64_t mask = width == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << width) - 1;
                    for (std::uint32_t a = 0; a < articles; ++a) {
                        const std::uint64_t bit = std::uint64_t{a} * width;
                        std::uint64_t v = packed[bit / 64] >> (bit % 64);
                        if (bit % 64 + width > 64) v |= packed[bit / 64 + 1] << (64 - bit % 64);
                        v &= mask;
                        if (!test_bit(c.present, a)) {
                            if (v != 0) r.fail("a value for an article without one");
                            continue;
                        }
                        c.numbers[a] = static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + v);
                    }
                } else {
                    for (std::uint32_t a = 0; a < articles; ++a)
                        if (test_bit(c.present, a)) c.numbers[a] = lo;
                }
            }
            if (c.field.type == field_type::text)
                for (const auto n : c.numbers)
                    if (n < 0 || n > 0xFFFFFFFF) r.fail("a text field length out of range");
        }
        if (c.field.type == field_type::stored || c.field.type == field_type::text) {
            c.offsets.reserve(std::size_t{articles} + 1);
            c.offsets.push_back(0);
            std::uint64_t total = 0;
            for (std::uint32_t a = 0; a < articles; ++a) {
                total += r.number(std::uint64_t{1} << 20);
                if (total > r.left()) r.fail("stored values run past the end of the payload");
                c.offsets.push_back(static_cast<std::uint32_t>(total));
            }
            c.text = std::string(r.bytes(total));
        }
        out.columns_.push_back(std::move(c));
    }
    if (!r.done()) r.fail("bytes after the last column");
    return out;
}

field_values value_columns::values(const schema& s, std::uint32_t a) const {
    field_values out(s.fields.size());
    bool any = false;
    for (std::size_t f = 0; f < s.fields.size(); ++f) {
        if (s.fields[f].type == field_type::text && !schema::is_extra_text(s.fields[f])) continue;
        if (const auto* c = find(s.fields[f].name); c != nullptr && c->field.type == s.fields[f].type) {
            out[f] = c->value(a);
            any = any || c->has(a);
        }
    }
    if (!any) out.clear();
    return out;
}

std::size_t value_columns::memory_usage() const noexcept {
    std::size_t n = 0;
    for (const auto& c : columns_) {
        for (const auto& v : c.dictionary) n += v.size() + sizeof v;
        n += c.offsets.size() * 4 + c.ordinals.size() * 4 + c.numbers.size() * 8 + c.present.size() * 8 + c.text.size();
    }
    return n;
}

}  // namespace rapport::index
