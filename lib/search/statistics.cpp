// SPDX-License-Identifier: MIT
#include "rapport/search/statistics.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "rapport/core/error.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/query/query.hpp"

namespace rapport::search {

namespace q = rapport::query;
namespace json = boost::json;

namespace {

std::uint64_t add(std::uint64_t a, std::uint64_t b) {
    std::uint64_t sum = 0;
    if (__builtin_add_overflow(a, b, &sum)) throw invalid_argument("collection statistics: a count overflows 64 bits");
    return sum;
}

// Sums of the counts that only inform (a word's df breaks ties, `examined` reports work): saturated
// rather than refused.
std::uint64_t saturated(std::uint64_t a, std::uint64_t b) noexcept {
    std::uint64_t sum = 0;
    return __builtin_add_overflow(a, b, &sum) ? std::numeric_limits<std::uint64_t>::max() : sum;
}

// The cap that applies to the node `key` names (`expansion_key`: "<f|p><field>:<cap>:..."), the
// number between its first two ':'.
std::size_t cap_of(std::string_view key) {
    const auto a = key.find(':');
    const auto b = a == std::string_view::npos ? a : key.find(':', a + 1);
    if (b == std::string_view::npos || b == a + 1 || (key.front() != 'f' && key.front() != 'p'))
        throw invalid_argument("collection statistics: malformed expansion key");
    std::size_t cap = 0;
    for (const char ch : key.substr(a + 1, b - a - 1)) {
        if (ch < '0' || ch > '9' || cap > (std::size_t{1} << 40)) throw invalid_argument("collection statistics: malformed expansion key");
        cap = cap * 10 + static_cast<std::size_t>(ch - '0');
    }
    return cap;
}

// `into` ∪ `from` for one node: dfs summed, each term at its closest distance and credited to its
// most frequent surface word at that distance, then re-capped as `expand_words` caps one index's.
void merge_expansion(std::string_view key, q::expansion& into, const q::expansion& from) {
    std::vector<q::expanded_term> all;
    all.reserve(into.terms.size() + from.terms.size());
    std::size_t i = 0, j = 0;
    auto& a = into.terms;
    const auto& b = from.terms;
    while (i < a.size() || j < b.size()) {
        if (j == b.size() || (i < a.size() && a[i].term < b[j].term)) {
            all.push_back(std::move(a[i++]));
        } else if (i == a.size() || b[j].term < a[i].term) {
            all.push_back(b[j++]);
        } else {
            auto t = std::move(a[i++]);
            const auto& u = b[j++];
            t.df = add(t.df, u.df);
            if (u.distance < t.distance) {
                t.distance = u.distance;
                t.word = u.word;
                t.word_df = u.word_df;
            } else if (u.distance == t.distance) {
                if (u.word == t.word)
                    t.word_df = saturated(t.word_df, u.word_df);
                else if (u.word_df > t.word_df || (u.word_df == t.word_df && u.word < t.word)) {
                    t.word = u.word;
                    t.word_df = u.word_df;
                }
            }
            all.push_back(std::move(t));
        }
    }
    bool truncated = into.truncated || from.truncated;
    const std::size_t cap = cap_of(key);
    if (all.size() > cap) {
        truncated = true;
        const bool fuzzy = is_fuzzy_expansion_key(key);
        const auto better = [&](const q::expanded_term& x, const q::expanded_term& y) {
            if (fuzzy && x.distance != y.distance) return x.distance < y.distance;
            return x.df != y.df ? x.df > y.df : x.term < y.term;
        };
        std::nth_element(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(cap), all.end(), better);
        all.resize(cap);
        std::sort(all.begin(), all.end(), [](const auto& x, const auto& y) { return x.term < y.term; });
    }
    into.terms = std::move(all);
    into.truncated = truncated;
    into.examined = saturated(into.examined, from.examined);
}

[[noreturn]] void bad(const std::string& what) { throw invalid_argument("collection statistics: " + what); }

std::uint64_t count_of(const json::value& v, const char* what) {
    if (v.is_uint64()) return v.get_uint64();
    if (v.is_int64() && v.get_int64() >= 0) return static_cast<std::uint64_t>(v.get_int64());
    bad(std::string(what) + " is not a non-negative integer");
}

const json::value& member(const json::object& o, const char* name) {
    const auto* v = o.if_contains(name);
    if (v == nullptr) bad(std::string("the member '") + name + "' is missing");
    return *v;
}

const json::array& array_of(const json::value& v, const char* what) {
    if (!v.is_array()) bad(std::string(what) + " is not an array");
    return v.get_array();
}

std::string string_of(const json::value& v, const char* what) {
    if (!v.is_string()) bad(std::string(what) + " is not a string");
    return std::string(v.get_string());
}

}  // namespace

collection_statistics collection_statistics::of(const index::index_reader& reader) {
    collection_statistics s;
    s.passages = reader.passage_count();
    for (std::size_t f = 0; f < index::field_count; ++f) s.total_lengths[f] = reader.total_length(static_cast<index::field>(f));
    return s;
}

void collection_statistics::merge(const collection_statistics& other) {
    // Into a copy, so that an overflow leaves these statistics as they were.
    auto sum = *this;
    sum.passages = add(passages, other.passages);
    for (std::size_t f = 0; f < index::field_count; ++f) sum.total_lengths[f] = add(total_lengths[f], other.total_lengths[f]);
    for (const auto& [key, df] : other.doc_freqs) {
        auto [it, fresh] = sum.doc_freqs.try_emplace(key, df);
        if (!fresh) it->second = add(it->second, df);
    }
    for (const auto& [key, e] : other.expansions) {
        auto [it, fresh] = sum.expansions.try_emplace(key, e);
        if (!fresh) merge_expansion(key, it->second, e);
    }
    *this = std::move(sum);
}

void collection_statistics::validate() const {
    for (const auto& [key, df] : doc_freqs)
        if (df > passages) bad("a df exceeds the passage count");
    for (const auto& [key, e] : expansions) {
        const std::size_t cap = cap_of(key);
        const auto colon = key.find(':');
        unsigned field = 0;
        const auto r = std::from_chars(key.data() + 1, key.data() + colon, field);
        if (r.ec != std::errc() || r.ptr != key.data() + colon || field >= index::field_count)
            bad("an expansion key names no text field");
        if (e.terms.size() > cap) bad("an expansion has more terms than its cap");
        for (std::size_t i = 0; i < e.terms.size(); ++i) {
            const auto& t = e.terms[i];
            if (i > 0 && !(e.terms[i - 1].term < t.term)) bad("expansion terms out of order");
            if (t.df > passages) bad("an expansion term's df exceeds the passage count");
            if (t.distance > 2) bad("an edit distance above 2");
        }
    }
}

const std::uint64_t* collection_statistics::doc_freq(std::string_view key) const noexcept {
    const auto it = doc_freqs.find(key);
    return it == doc_freqs.end() ? nullptr : &it->second;
}

double collection_statistics::average_length(index::field f) const noexcept {
    if (passages == 0) return 0.0;
    return static_cast<double>(total_lengths[static_cast<std::size_t>(f)]) / static_cast<double>(passages);
}

std::string collection_statistics::to_json() const {
    json::object o;
    o["passages"] = passages;
    json::array lengths;
    for (const auto l : total_lengths) lengths.emplace_back(l);
    o["total_lengths"] = std::move(lengths);
    json::array dfs;
    for (const auto& [key, df] : doc_freqs) dfs.emplace_back(json::array{json::string(key), df});
    o["doc_freqs"] = std::move(dfs);
    json::array ex;
    for (const auto& [key, e] : expansions) {
        json::array terms;
        for (const auto& t : e.terms)
            terms.emplace_back(json::array{json::string(t.term), t.distance, t.df, json::string(t.word), t.word_df});
        ex.emplace_back(json::object{{"key", key}, {"truncated", e.truncated}, {"examined", e.examined}, {"terms", std::move(terms)}});
    }
    o["expansions"] = std::move(ex);
    return json::serialize(o);
}

collection_statistics collection_statistics::from_json(std::string_view text) {
    boost::system::error_code ec;
    const json::value v = json::parse(json::string_view(text.data(), text.size()), ec);
    if (ec) bad("malformed JSON (" + ec.message() + ")");
    if (!v.is_object()) bad("not a JSON object");
    const auto& o = v.get_object();
    collection_statistics s;
    s.passages = count_of(member(o, "passages"), "passages");
    const auto& lengths = array_of(member(o, "total_lengths"), "total_lengths");
    if (lengths.size() != index::field_count)
        bad("total_lengths must have " + std::to_string(index::field_count) + " entries");
    for (std::size_t f = 0; f < index::field_count; ++f) s.total_lengths[f] = count_of(lengths[f], "a total length");
    for (const auto& e : array_of(member(o, "doc_freqs"), "doc_freqs")) {
        const auto& pair = array_of(e, "a doc_freqs entry");
        if (pair.size() != 2) bad("a doc_freqs entry must be [key, df]");
        const auto df = count_of(pair[1], "a df");
        if (!s.doc_freqs.try_emplace(string_of(pair[0], "a doc_freqs key"), df).second) bad("a doc_freqs key is repeated");
    }
    for (const auto& e : array_of(member(o, "expansions"), "expansions")) {
        if (!e.is_object()) bad("an expansion is not an object");
        const auto& x = e.get_object();
        auto key = string_of(member(x, "key"), "an expansion key");
        q::expansion ex;
        const auto& truncated = member(x, "truncated");
        if (!truncated.is_bool()) bad("an expansion's 'truncated' is not a boolean");
        ex.truncated = truncated.get_bool();
        ex.examined = count_of(member(x, "examined"), "an expansion's 'examined'");
        for (const auto& t : array_of(member(x, "terms"), "an expansion's terms")) {
            const auto& f = array_of(t, "an expansion term");
            if (f.size() != 5) bad("an expansion term must be [term, distance, df, word, word_df]");
            q::expanded_term term;
            term.term = string_of(f[0], "an expansion term");
            const auto distance = count_of(f[1], "an edit distance");
            term.distance = static_cast<std::uint32_t>(distance);
            term.df = count_of(f[2], "an expansion term's df");  // 0: not in this shard (a second round)
            term.word = string_of(f[3], "an expansion term's word");
            term.word_df = count_of(f[4], "an expansion term's word df");
            ex.terms.push_back(std::move(term));
        }
        if (!s.expansions.try_emplace(std::move(key), std::move(ex)).second) bad("an expansion key is repeated");
    }
    s.validate();
    return s;
}

std::string expansion_key(const q::query& node, index::field f, const q::expansion_options& options) {
    const auto* fuzzy = node.get_if<q::fuzzy_node>();
    if (fuzzy == nullptr && node.get_if<q::prefix_node>() == nullptr)
        throw invalid_argument("expansion_key: only prefix and fuzzy nodes expand, not " + q::to_string(node));
    const std::size_t cap = fuzzy != nullptr ? options.max_fuzzy_terms : options.max_prefix_terms;
    // The node alone: its field and boost do not change what it expands to; a fuzzy node's own
    // prefix length does, and its text form does not show it.
    const auto bare = q::query(node).field("").boost(1.0);
    const std::string own_prefix =
        fuzzy != nullptr && fuzzy->prefix_length ? std::to_string(*fuzzy->prefix_length) : std::string("-");
    return std::string(fuzzy != nullptr ? "f" : "p") + std::to_string(static_cast<unsigned>(f)) + ":" +
           std::to_string(cap) + ":" + std::to_string(options.fuzzy_prefix_length) + (options.transpositions ? "t" : "n") +
           own_prefix + ":" + q::to_string(bare);
}

bool is_fuzzy_expansion_key(std::string_view key) noexcept { return !key.empty() && key.front() == 'f'; }

}  // namespace rapport::search
