// SPDX-License-Identifier: MIT
// CJK text under `cjk_bigrams`: unigrams plus overlapping bigrams at index time, bigrams alone in
// query mode, runs across ICU's dictionary words, mixed scripts, and the old ICU-word behaviour.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "rapport/analysis/analyzer.hpp"
#include "rapport/analysis/tokenizer.hpp"

using namespace rapport::analysis;

namespace {

const std::string japanese = "東京タワーは東京都港区にある電波塔です。";
const std::string chinese = "北京是中华人民共和国的首都。";
const std::string korean = "한국어 형태소 분석";

analyzer index_analyzer() { return analyzer::english(); }

analyzer query_analyzer() {
    auto a = analyzer::english();
    a.set_query_mode(true);
    return a;
}

std::vector<std::string> terms(const std::vector<token>& tokens) {
    std::vector<std::string> out;
    for (const auto& t : tokens) out.push_back(t.term);
    return out;
}

// The code points of `run` as byte offsets of their starts, plus run.size().
std::vector<std::size_t> char_starts(const std::string& run) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < run.size(); ++i)
        if ((static_cast<unsigned char>(run[i]) & 0xC0) != 0x80) out.push_back(i);
    out.push_back(run.size());
    return out;
}

// Whether the query tokens occur in the index tokens at positions shifted by one offset: what a
// phrase query of them (at their positions) matches.
bool found_as_phrase(const std::vector<token>& index, const std::vector<token>& query) {
    if (query.empty()) return false;
    for (const auto& start : index) {
        if (start.term != query.front().term || start.position < query.front().position) continue;
        const std::uint32_t shift = start.position - query.front().position;
        bool all = true;
        for (const auto& q : query) {
            bool here = false;
            for (const auto& t : index) here = here || (t.term == q.term && t.position == q.position + shift);
            all = all && here;
        }
        if (all) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("analysis: Japanese indexes as unigrams and overlapping bigrams across ICU words") {
    auto a = index_analyzer();
    CHECK(a.cjk_bigrams());
    CHECK_FALSE(a.query_mode());
    const auto tokens = a.analyze(japanese);
    const std::vector<token> expected{
        {"東", 0, 0, 3},     {"東京", 0, 0, 6},   {"京", 1, 3, 6},     {"京タ", 1, 3, 9},   {"タ", 2, 6, 9},
        {"タワ", 2, 6, 12},  {"ワ", 3, 9, 12},    {"ワー", 3, 9, 15},  {"ー", 4, 12, 15},   {"ーは", 4, 12, 18},
        {"は", 5, 15, 18},   {"は東", 5, 15, 21}, {"東", 6, 18, 21},   {"東京", 6, 18, 24}, {"京", 7, 21, 24},
        {"京都", 7, 21, 27}, {"都", 8, 24, 27},   {"都港", 8, 24, 30}, {"港", 9, 27, 30},   {"港区", 9, 27, 33},
        {"区", 10, 30, 33},  {"区に", 10, 30, 36}, {"に", 11, 33, 36}, {"にあ", 11, 33, 39}, {"あ", 12, 36, 39},
        {"ある", 12, 36, 42}, {"る", 13, 39, 42}, {"る電", 13, 39, 45}, {"電", 14, 42, 45}, {"電波", 14, 42, 48},
        {"波", 15, 45, 48},  {"波塔", 15, 45, 51}, {"塔", 16, 48, 51}, {"塔で", 16, 48, 54}, {"で", 17, 51, 54},
        {"です", 17, 51, 57}, {"す", 18, 54, 57}};
    CHECK(tokens == expected);
    CHECK(a.position_count() == 19);
    for (const auto& t : tokens) CHECK(japanese.substr(t.begin, t.end - t.begin) == t.term);
    // ICU's dictionary splits 東京|都 (a word boundary at byte 24); the run goes on across it.
    tokenizer icu;
    std::vector<token> words;
    icu.tokenize(japanese, words);
    bool boundary = false;
    for (const auto& w : words) boundary = boundary || w.end == 24;
    CHECK(boundary);
}

TEST_CASE("analysis: Japanese in query mode gives only bigrams") {
    auto q = query_analyzer();
    CHECK(q.query_mode());
    CHECK(q.analyze("東京タワー") ==
          std::vector<token>{{"東京", 0, 0, 6}, {"京タ", 1, 3, 9}, {"タワ", 2, 6, 12}, {"ワー", 3, 9, 15}});
    CHECK(q.position_count() == 5);
    const auto tokens = q.analyze(japanese);
    REQUIRE(tokens.size() == 18);
    for (std::uint32_t i = 0; i < tokens.size(); ++i) {
        CHECK(tokens[i].position == i);
        CHECK(tokens[i].begin == 3 * i);
        CHECK(tokens[i].end == 3 * i + 6);
    }
    CHECK(tokens.back().term == "です");
    // One character: its unigram, which the index holds too.
    CHECK(q.analyze("京") == std::vector<token>{{"京", 0, 0, 3}});
    CHECK(q.analyze("タワー") == std::vector<token>{{"タワ", 0, 0, 6}, {"ワー", 1, 3, 9}});
}

TEST_CASE("analysis: Chinese unigrams and bigrams, index and query mode") {
    const auto tokens = index_analyzer().analyze(chinese);
    CHECK(terms(tokens) == std::vector<std::string>{"北", "北京", "京", "京是", "是", "是中", "中", "中华", "华",
                                                    "华人", "人", "人民", "民", "民共", "共", "共和", "和",
                                                    "和国", "国", "国的", "的", "的首", "首", "首都", "都"});
    REQUIRE(tokens.size() == 25);
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const auto c = static_cast<std::uint32_t>(i / 2);
        CHECK(tokens[i].position == c);
        CHECK(tokens[i].begin == 3 * c);
        CHECK(tokens[i].end == 3 * c + (i % 2 == 0 ? 3 : 6));
    }
    auto q = query_analyzer();
    CHECK(terms(q.analyze(chinese)) == std::vector<std::string>{"北京", "京是", "是中", "中华", "华人", "人民",
                                                                "民共", "共和", "和国", "国的", "的首", "首都"});
    CHECK(q.analyze("中华人民共和国") == std::vector<token>{{"中华", 0, 0, 6},
                                                            {"华人", 1, 3, 9},
                                                            {"人民", 2, 6, 12},
                                                            {"民共", 3, 9, 15},
                                                            {"共和", 4, 12, 18},
                                                            {"和国", 5, 15, 21}});
}

TEST_CASE("analysis: Korean words are runs of their own") {
    CHECK(index_analyzer().analyze(korean) == std::vector<token>{{"한", 0, 0, 3},
                                                                  {"한국", 0, 0, 6},
                                                                  {"국", 1, 3, 6},
                                                                  {"국어", 1, 3, 9},
                                                                  {"어", 2, 6, 9},
                                                                  {"형", 3, 10, 13},
                                                                  {"형태", 3, 10, 16},
                                                                  {"태", 4, 13, 16},
                                                                  {"태소", 4, 13, 19},
                                                                  {"소", 5, 16, 19},
                                                                  {"분", 6, 20, 23},
                                                                  {"분석", 6, 20, 26},
                                                                  {"석", 7, 23, 26}});
    CHECK(query_analyzer().analyze(korean) == std::vector<token>{{"한국", 0, 0, 6},
                                                                  {"국어", 1, 3, 9},
                                                                  {"형태", 3, 10, 16},
                                                                  {"태소", 4, 13, 19},
                                                                  {"분석", 6, 20, 26}});
}

TEST_CASE("analysis: a CJK run of one character, and what ends a run") {
    auto a = index_analyzer();
    auto q = query_analyzer();
    CHECK(a.analyze("京") == std::vector<token>{{"京", 0, 0, 3}});
    CHECK(a.analyze("x 京 y") == std::vector<token>{{"x", 0, 0, 1}, {"京", 1, 2, 5}, {"y", 2, 6, 7}});
    CHECK(q.analyze("x 京 y") == std::vector<token>{{"x", 0, 0, 1}, {"京", 1, 2, 5}, {"y", 2, 6, 7}});
    // A space, a middle dot or an ideographic comma between characters ends the run.
    for (const std::string sep : {" ", "・", "、", "「"}) {
        const std::string text = "東京" + sep + "タワ";
        const auto b = static_cast<std::uint32_t>(6 + sep.size());
        CAPTURE(sep);
        CHECK(a.analyze(text) == std::vector<token>{{"東", 0, 0, 3},
                                                     {"東京", 0, 0, 6},
                                                     {"京", 1, 3, 6},
                                                     {"タ", 2, b, b + 3},
                                                     {"タワ", 2, b, b + 6},
                                                     {"ワ", 3, b + 3, b + 6}});
        CHECK(q.analyze(text) == std::vector<token>{{"東京", 0, 0, 6}, {"タワ", 2, b, b + 6}});
    }
}

TEST_CASE("analysis: Japanese marks, halfwidth kana and variation selectors stay in the run") {
    auto a = index_analyzer();
    // ー (U+30FC) and 々 (U+3005) are Common/Han script marks inside words.
    CHECK(terms(a.analyze("コーヒー")) == std::vector<std::string>{"コ", "コー", "ー", "ーヒ", "ヒ", "ヒー", "ー"});
    CHECK(terms(a.analyze("人々")) == std::vector<std::string>{"人", "人々", "々"});
    // Halfwidth katakana with ｰ (U+FF70) and the halfwidth voiced mark ﾞ (U+FF9E), which stays
    // with its character; case folding (NFKC) makes them fullwidth.
    CHECK(a.analyze("ｶﾞｲﾄﾞｰ") == std::vector<token>{{"ガ", 0, 0, 6},
                                                     {"ガイ", 0, 0, 9},
                                                     {"イ", 1, 6, 9},
                                                     {"イド", 1, 6, 15},
                                                     {"ド", 2, 9, 15},
                                                     {"ドー", 2, 9, 18},
                                                     {"ー", 3, 15, 18}});
    // A variation selector (U+E0100) stays with its ideograph (folding removes it).
    CHECK(a.analyze("葛\xF3\xA0\x84\x80城") ==
          std::vector<token>{{"葛", 0, 0, 7}, {"葛城", 0, 0, 10}, {"城", 1, 7, 10}});
}

TEST_CASE("analysis: Latin words beside CJK stay whole with consecutive positions") {
    auto a = index_analyzer();
    CHECK(a.analyze("rapport 検索 engine") ==
          std::vector<token>{{"rapport", 0, 0, 7}, {"検", 1, 8, 11}, {"検索", 1, 8, 14}, {"索", 2, 11, 14}, {"engin", 3, 15, 21}});
    CHECK(a.analyze("rapport search engine 検索") == std::vector<token>{{"rapport", 0, 0, 7},
                                                                          {"search", 1, 8, 14},
                                                                          {"engin", 2, 15, 21},
                                                                          {"検", 3, 22, 25},
                                                                          {"検索", 3, 22, 28},
                                                                          {"索", 4, 25, 28}});
    auto q = query_analyzer();
    CHECK(q.analyze("rapport 検索 engine") ==
          std::vector<token>{{"rapport", 0, 0, 7}, {"検索", 1, 8, 14}, {"engin", 3, 15, 21}});
    // Latin text is the same in both modes.
    CHECK(q.analyze("The Runners were running") == a.analyze("The Runners were running"));
    // A Hangul word with Latin letters in one ICU word: the Latin rest is a word of its own.
    CHECK(a.analyze("한국abc") == std::vector<token>{{"한", 0, 0, 3}, {"한국", 0, 0, 6}, {"국", 1, 3, 6}, {"abc", 2, 6, 9}});
    // Fullwidth Latin is not CJK: one word, folded.
    CHECK(a.analyze("Ｆｕｌｌ 東") == std::vector<token>{{"full", 0, 0, 12}, {"東", 1, 13, 16}});
}

TEST_CASE("analysis: cjk_bigrams off gives ICU's dictionary words") {
    analyzer_options o;
    o.cjk_bigrams = false;
    analyzer a(o);
    CHECK_FALSE(a.cjk_bigrams());
    tokenizer icu;
    for (const auto& text : {japanese, chinese, korean, std::string("rapport 検索 engine")}) {
        CAPTURE(text);
        std::vector<token> words;
        icu.tokenize(text, words);
        const auto tokens = a.analyze(text);
        // The words are the tokenizer's (English folding, stopwords and stemming leave CJK alone),
        // one position each.
        std::vector<token> expected;
        for (const auto& w : words)
            if (w.term != "rapport" && w.term != "engine") expected.push_back(w);
        std::vector<token> cjk_tokens;
        for (const auto& t : tokens)
            if (t.term != "rapport" && t.term != "engin") cjk_tokens.push_back(t);
        CHECK(cjk_tokens == expected);
    }
    const auto t = terms(a.analyze(japanese));
    CHECK(std::find(t.begin(), t.end(), "東京") != t.end());
    CHECK(std::find(t.begin(), t.end(), "港区") != t.end());
    CHECK(std::find(t.begin(), t.end(), "京") == t.end());
    // Query mode changes nothing without bigrams.
    analyzer q = a;
    q.set_query_mode(true);
    CHECK(q.analyze(japanese) == a.analyze(japanese));
    // set_cjk_bigrams switches an analyzer either way.
    a.set_cjk_bigrams(true);
    CHECK(a.analyze(japanese) == index_analyzer().analyze(japanese));
}

TEST_CASE("analysis: every query bigram sequence of an indexed CJK substring matches as a phrase") {
    auto a = index_analyzer();
    auto q = query_analyzer();
    // Each text with its CJK runs.
    const std::vector<std::pair<std::string, std::vector<std::string>>> cases{
        {japanese, {"東京タワーは東京都港区にある電波塔です"}},
        {chinese, {"北京是中华人民共和国的首都"}},
        {korean, {"한국어", "형태소", "분석"}},
        {"rapport 検索 engine のコーヒー", {"検索", "のコーヒー"}},
    };
    std::size_t checked = 0;
    for (const auto& [text, runs] : cases) {
        const auto index = a.analyze(text);
        for (const auto& run : runs) {
            const auto starts = char_starts(run);
            for (std::size_t i = 0; i + 1 < starts.size(); ++i)
                for (std::size_t j = i + 1; j < starts.size(); ++j) {
                    const std::string sub = run.substr(starts[i], starts[j] - starts[i]);
                    CAPTURE(sub);
                    const auto query = q.analyze(sub);
                    REQUIRE(query.size() == (j - i == 1 ? 1 : j - i - 1));
                    for (std::size_t k = 0; k < query.size(); ++k) CHECK(query[k].position == k);
                    CHECK(found_as_phrase(index, query));
                    ++checked;
                }
        }
    }
    CHECK(checked > 250);
    // A substring that is not in the text is not found.
    CHECK_FALSE(found_as_phrase(a.analyze(japanese), q.analyze("東京区")));
}

TEST_CASE("analysis: copies keep the query mode") {
    auto q = query_analyzer();
    analyzer copy = q;
    CHECK(copy.query_mode());
    CHECK(copy.analyze("東京") == std::vector<token>{{"東京", 0, 0, 6}});
    analyzer assigned;
    assigned = q;
    CHECK(assigned.query_mode());
    analyzer moved = std::move(copy);
    CHECK(moved.query_mode());
    moved.set_query_mode(false);
    CHECK(moved.analyze("東京").size() == 3);
    analyzer_options o;
    o.cjk_bigrams = false;
    analyzer off(o);
    analyzer off_copy = off;
    CHECK_FALSE(off_copy.cjk_bigrams());
}

TEST_CASE("analysis: CJK runs under invalid UTF-8 repair and in long text") {
    analyzer_options o;
    o.invalid_utf8 = rapport::invalid_utf8_policy::replace;
    analyzer a(o);
    // The repaired U+FFFD ends the run.
    const auto tokens = a.analyze("東京\xFF" "都");
    CHECK(tokens == std::vector<token>{{"東", 0, 0, 3}, {"東京", 0, 0, 6}, {"京", 1, 3, 6}, {"都", 2, 9, 12}});
    std::string text;
    while (text.size() < 1'000'000) text += "東京タワー tower ";
    auto en = index_analyzer();
    std::vector<token> out;
    en.analyze(text, out);
    // Per repetition: 5 unigrams, 4 bigrams and "tower".
    CHECK(out.size() == (text.size() / std::string("東京タワー tower ").size()) * 10);
    bool ordered = true;
    for (std::size_t i = 1; i < out.size(); ++i) ordered = ordered && out[i - 1].position <= out[i].position;
    CHECK(ordered);
}
