// SPDX-License-Identifier: MIT
// Schemas and field values: parse_schema and validate_schema (good and bad declarations, the two
// text fields completed), to_json round trips, which schema changes an index accepts, the
// conversion of an article's JSON fields to typed values (every type, every refusal naming the
// field and the value), ISO 8601 dates, the order-preserving float keys, the FVAL columns at word
// edges (0, 1, 63, 64, 65 articles) with truncated and damaged payloads, and field values through
// the writer: committed, reopened, merged, with deletions, under an appended field, and refused
// when an article does not follow the schema.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "rapport/core/error.hpp"
#include "rapport/index/disk_segment.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/index/index_writer.hpp"
#include "rapport/index/schema.hpp"
#include "rapport/index/value_columns.hpp"
#include "support/backends.hpp"
#include "support/seed.hpp"

using namespace rapport;
using namespace rapport::index;

namespace {

constexpr std::int64_t day_ms = 86'400'000;

// The message of the invalid_argument `f` throws ("" and a failed check when it throws none).
template <class F>
std::string refusal(F&& f) {
    try {
        f();
    } catch (const rapport::invalid_argument& e) {
        return e.what();
    }
    FAIL_CHECK("expected an invalid_argument");
    return {};
}

// A schema of one field of every value type, after the two text fields.
schema every_type() {
    return validate_schema({{{"topic", field_type::keyword},
                             {"views", field_type::integer},
                             {"price", field_type::floating},
                             {"updated", field_type::date},
                             {"meta", field_type::stored}}});
}

std::vector<raw_field> one(const std::string& name, const std::string& json) { return {{name, json}}; }

}  // namespace

// ---------------------------------------------------------------- declarations

TEST_CASE("index: schema parse_schema reads every type and completes the two text fields") {
    const auto s = parse_schema(R"({"fields": [{"name": "topic", "type": "keyword"}, {"name": "views", "type": "integer"},
        {"name": "price", "type": "float"}, {"name": "updated", "type": "date"}, {"name": "meta", "type": "stored"}]})");
    REQUIRE(s.fields.size() == 7);
    CHECK(s.fields[0] == field_def{"title", field_type::text});
    CHECK(s.fields[1] == field_def{"body", field_type::text});
    CHECK(s.fields[2] == field_def{"topic", field_type::keyword});
    CHECK(s.fields[3] == field_def{"views", field_type::integer});
    CHECK(s.fields[4] == field_def{"price", field_type::floating});
    CHECK(s.fields[5] == field_def{"updated", field_type::date});
    CHECK(s.fields[6] == field_def{"meta", field_type::stored});
    CHECK(s.has_values());
    CHECK(s.index_of("price") == 4u);
    CHECK_FALSE(s.index_of("nothing").has_value());
    CHECK(s == every_type());

    // The default schema: the two text fields, nothing else; so is an empty declaration.
    const auto d = default_schema();
    REQUIRE(d.fields.size() == 2);
    CHECK(d.fields[0].name == "title");
    CHECK(d.fields[1].name == "body");
    CHECK_FALSE(d.has_values());
    CHECK(parse_schema(R"({"fields": []})") == d);

    // Text fields declared keep their place; only the missing one is added, first.
    const auto b = parse_schema(R"({"fields": [{"name": "topic", "type": "keyword"}, {"name": "body", "type": "text"}]})");
    REQUIRE(b.fields.size() == 3);
    CHECK(b.fields[0] == field_def{"title", field_type::text});
    CHECK(b.fields[1].name == "topic");
    CHECK(b.fields[2] == field_def{"body", field_type::text});
    const auto both = parse_schema(R"({"fields": [{"name": "body", "type": "text"}, {"name": "title", "type": "text"}]})");
    REQUIRE(both.fields.size() == 2);
    CHECK(both.fields[0].name == "body");
    CHECK(both.fields[1].name == "title");

    // Names: letters, digits, '_' and '-', starting with a letter, up to 64 bytes.
    const std::string longest(64, 'n');
    const auto names = parse_schema(R"({"fields": [{"name": "a-b_C9", "type": "keyword"}, {"name": ")" + longest +
                                    R"(", "type": "integer"}]})");
    CHECK(names.find("a-b_C9") != nullptr);
    CHECK(names.find(longest) != nullptr);
    CHECK(field_type_name(field_type::floating) == "float");
    CHECK(field_type_name(field_type::stored) == "stored");
}

TEST_CASE("index: schema parse_schema refuses bad declarations with invalid_argument naming the fault") {
    const auto bad = [](const std::string& json) { return refusal([&] { (void)parse_schema(json); }); };
    CHECK(bad(R"({"fields": [{"name": "topic", "type": "string"}]})").find("unknown type 'string'") != std::string::npos);
    CHECK(bad(R"({"fields": [{"name": "topic", "type": "keyword"}, {"name": "topic", "type": "integer"}]})")
              .find("'topic' is declared twice") != std::string::npos);
    for (const char* name : {"9lives", "_x", "-x", "has space", "caf\u00e9", "a.b", ""}) {
        CAPTURE(name);
        CHECK(bad(std::string(R"({"fields": [{"name": ")") + name + R"(", "type": "keyword"}]})").find("field name") !=
              std::string::npos);
    }
    CHECK(bad(R"({"fields": [{"name": ")" + std::string(65, 'n') + R"(", "type": "keyword"}]})").find("field name") !=
          std::string::npos);
    // Text fields: at most eight (title and body included), analysis options only on the extra ones, a known
    // language, and a custom analyzer alone.
    std::string texts = R"({"fields": [)";
    for (int i = 0; i < 7; ++i) texts += std::string(i ? "," : "") + R"({"name": "t)" + std::to_string(i) + R"(", "type": "text"})";
    CHECK(bad(texts + "]}").find("more than 8 text fields") != std::string::npos);
    CHECK(bad(R"({"fields": [{"name": "title", "type": "text", "analyzer": {"language": "none"}}]})")
              .find("only text fields besides title and body") != std::string::npos);
    CHECK(bad(R"({"fields": [{"name": "topic", "type": "keyword", "analyzer": {"language": "none"}}]})")
              .find("'topic'") != std::string::npos);
    CHECK(bad(R"({"fields": [{"name": "summary", "type": "text", "analyzer": {"language": "klingon"}}]})")
              .find("no language 'klingon'") != std::string::npos);
    CHECK(bad(R"({"fields": [{"name": "summary", "type": "text", "analyzer": {"custom": "x", "case_fold": false}}]})")
              .find("custom analyzer takes no other") != std::string::npos);
    CHECK(bad(R"({"fields": [{"name": "summary", "type": "text", "analyzer": {"stem": true}}]})")
              .find("unknown analyzer key 'stem'") != std::string::npos);
    CHECK(bad(R"({"fields": [{"name": "summary", "type": "text", "analyzer": {"case_fold": 1}}]})")
              .find("true or false") != std::string::npos);
    CHECK(bad(R"({"fields": [{"name": "summary", "type": "text", "analyzer": []}]})").find("must be an object") !=
          std::string::npos);
    CHECK(parse_schema(R"({"fields": [{"name": "summary", "type": "text", "analyzer": {"language": "french", "stopwords": false}}]})")
              .text_field_count() == 3);
    // Reserved names: the article's own keys.
    for (const char* name : {"id", "title", "body", "text", "lang"}) {
        CAPTURE(name);
        CHECK(bad(std::string(R"({"fields": [{"name": ")") + name + R"(", "type": "keyword"}]})").find("reserved") !=
              std::string::npos);
    }
    for (const char* name : {"id", "text", "lang"}) {
        CAPTURE(name);
        CHECK(bad(std::string(R"({"fields": [{"name": ")") + name + R"(", "type": "text"}]})").find("reserved") !=
              std::string::npos);
    }
    // Not the expected JSON.
    CHECK(bad("{").find("not valid JSON") != std::string::npos);
    CHECK(bad("[]").find("expected") != std::string::npos);
    CHECK(bad(R"({"fields": {}})").find("expected") != std::string::npos);
    CHECK(bad(R"({"fields": [], "extra": 1})").find("unknown key 'extra'") != std::string::npos);
    CHECK(bad(R"({"fields": [{"name": "topic"}]})").find("\"type\"") != std::string::npos);
    CHECK(bad(R"({"fields": [{"name": 7, "type": "keyword"}]})").find("\"name\"") != std::string::npos);
    CHECK(bad(R"({"fields": [{"name": "topic", "type": "keyword", "index": true}]})").find("unknown key 'index'") !=
          std::string::npos);
    // More than 250 fields.
    std::string many = R"({"fields": [)";
    for (int i = 0; i < 251; ++i) many += std::string(i ? "," : "") + R"({"name": "f)" + std::to_string(i) + R"(", "type": "integer"})";
    CHECK(bad(many + "]}").find("250") != std::string::npos);
    // validate_schema checks a schema built in code the same way.
    CHECK_THROWS_AS((void)validate_schema({{{"a", field_type::keyword}, {"a", field_type::keyword}}}), rapport::invalid_argument);
    CHECK(validate_schema({{{"notes", field_type::text}}}).text_field("notes") == static_cast<field>(2));
}

TEST_CASE("index: schema to_json parses back to the same schema") {
    const auto s = every_type();
    const auto json = to_json(s);
    CHECK(json.find('\n') == std::string::npos);
    CHECK(parse_schema(json) == s);
    CHECK(to_json(parse_schema(json)) == json);
    CHECK(parse_schema(to_json(default_schema())) == default_schema());
    // Field order is kept.
    const auto moved = validate_schema({{{"b", field_type::date}, {"title", field_type::text}, {"a", field_type::keyword}}});
    CHECK(parse_schema(to_json(moved)) == moved);
    CHECK(parse_schema(to_json(moved)).fields[1].name == "b");
}

TEST_CASE("index: schema_change_problem allows the same schema and appended fields, refuses the rest") {
    const auto s = every_type();
    CHECK_FALSE(schema_change_problem(s, s).has_value());
    CHECK_FALSE(schema_change_problem(default_schema(), s).has_value());  // fields after title and body
    auto appended = s;
    appended.fields.push_back({"rank", field_type::integer});
    appended.fields.push_back({"tags", field_type::keyword});
    CHECK_FALSE(schema_change_problem(s, appended).has_value());

    auto removed = s;
    removed.fields.erase(removed.fields.begin() + 3);  // views
    const auto r = schema_change_problem(s, removed);
    REQUIRE(r.has_value());
    CHECK(r->find("'views'") != std::string::npos);
    CHECK(r->find("removed") != std::string::npos);
    CHECK(schema_change_problem(appended, s).has_value());  // dropping the appended ones too

    auto retyped = s;
    retyped.fields[3].type = field_type::floating;
    const auto t = schema_change_problem(s, retyped);
    REQUIRE(t.has_value());
    CHECK(t->find("'views'") != std::string::npos);

    auto moved = s;
    std::swap(moved.fields[2], moved.fields[3]);
    const auto m = schema_change_problem(s, moved);
    REQUIRE(m.has_value());
    CHECK(m->find("move") != std::string::npos);

    auto inserted = s;  // a new field before existing ones moves them
    inserted.fields.insert(inserted.fields.begin() + 2, field_def{"rank", field_type::integer});
    CHECK(schema_change_problem(s, inserted).has_value());
}

// ---------------------------------------------------------------- values

TEST_CASE("index: schema convert_fields types every field and keeps absent ones empty") {
    const auto s = every_type();
    CHECK(convert_fields(s, {}).empty());  // no fields: no values at all
    const auto v = convert_fields(s, {{"meta", R"({"a": [1, 2], "b": "x y"})"},
                                      {"topic", R"(["refund", "billing", "refund", 42])"},
                                      {"views", "1234"},
                                      {"updated", R"("2024-05-31")"},
                                      {"price", "9.5"}});
    REQUIRE(v.size() == s.fields.size());
    CHECK(v[0] == field_value{});
    CHECK(v[1] == field_value{});
    CHECK(v[2].keywords == std::vector<std::string>{"42", "billing", "refund"});  // sorted, unique
    CHECK_FALSE(v[2].number.has_value());
    CHECK(v[3].number == 1234);
    CHECK(v[4].number == float_key(9.5));
    CHECK(float_of_key(*v[4].number) == 9.5);
    CHECK(v[5].number == std::int64_t{1717113600} * 1000);
    CHECK(v[6].stored == R"({"a":[1,2],"b":"x y"})");  // minified

    // One keyword, a number as a keyword; integers written as integral doubles; floats from integers.
    CHECK(convert_fields(s, one("topic", R"("login")"))[2].keywords == std::vector<std::string>{"login"});
    CHECK(convert_fields(s, one("topic", "7"))[2].keywords == std::vector<std::string>{"7"});
    CHECK(convert_fields(s, one("topic", "[]"))[2].keywords.empty());
    CHECK(convert_fields(s, one("views", "3.0"))[3].number == 3);
    CHECK(convert_fields(s, one("views", "-17"))[3].number == -17);
    CHECK(convert_fields(s, one("views", "9223372036854775807"))[3].number == std::numeric_limits<std::int64_t>::max());
    CHECK(convert_fields(s, one("views", "-9223372036854775808"))[3].number == std::numeric_limits<std::int64_t>::min());
    CHECK(convert_fields(s, one("price", "7"))[4].number == float_key(7.0));
    CHECK(convert_fields(s, one("price", "-0.0"))[4].number == float_key(0.0));
    CHECK(convert_fields(s, one("price", "-2.25e3"))[4].number == float_key(-2250.0));
    CHECK(convert_fields(s, one("updated", R"("2024-05-31T12:00:00+02:00")"))[5].number ==
          (std::int64_t{1717113600} + 10 * 3600) * 1000);
    CHECK(convert_fields(s, one("meta", R"("just text")"))[6].stored == R"("just text")");
    CHECK(convert_fields(s, one("meta", "[ 1 , true ]"))[6].stored == "[1,true]");

    // JSON null is absent, for every type.
    for (const char* name : {"topic", "views", "price", "updated", "meta"}) {
        CAPTURE(name);
        const auto n = convert_fields(s, one(name, "null"));
        REQUIRE(n.size() == s.fields.size());
        CHECK(n[*s.index_of(name)] == field_value{});
    }
    // An unknown field is skipped when asked to.
    const auto skipped = convert_fields(s, {{"colour", R"("red")"}, {"views", "5"}}, true);
    REQUIRE(skipped.size() == s.fields.size());
    CHECK(skipped[3].number == 5);
    // Longest keyword accepted: 1000 bytes.
    CHECK(convert_fields(s, one("topic", "\"" + std::string(1000, 'k') + "\""))[2].keywords[0].size() == 1000);
}

TEST_CASE("index: schema convert_fields refuses what does not fit, naming the field and the value") {
    const auto s = every_type();
    const auto why = [&](const std::vector<raw_field>& f) { return refusal([&] { (void)convert_fields(s, f); }); };
    const auto names = [](const std::string& m, const std::string& field, const std::string& value) {
        CAPTURE(m);
        CHECK(m.find("'" + field + "'") != std::string::npos);
        CHECK(m.find(value) != std::string::npos);
    };
    // Wrong types.
    names(why(one("views", "3.5")), "views", "3.5");
    names(why(one("views", R"("12")")), "views", R"("12")");
    names(why(one("views", "true")), "views", "true");
    names(why(one("views", "1e300")), "views", "1e300");
    names(why(one("views", "18446744073709551615")), "views", "18446744073709551615");
    names(why(one("views", "[1]")), "views", "[1]");
    names(why(one("price", R"("9.5")")), "price", R"("9.5")");
    names(why(one("price", "{}")), "price", "{}");
    names(why(one("updated", "20240531")), "updated", "20240531");
    names(why(one("updated", R"("2023-02-29")")), "updated", "2023-02-29");
    names(why(one("updated", R"("yesterday")")), "updated", "yesterday");
    names(why(one("topic", "1.5")), "topic", "1.5");
    names(why(one("topic", "true")), "topic", "true");
    names(why(one("topic", R"({"a": 1})")), "topic", R"({"a": 1})");
    names(why(one("topic", R"([["nested"]])")), "topic", "nested");
    names(why(one("topic", R"("")")), "topic", R"("")");
    names(why(one("topic", R"(["ok", ""])")), "topic", "ok");
    names(why(one("views", "{")), "views", "{");  // not JSON
    // A keyword over 1000 bytes; a stored value over 1 MiB.
    CHECK(why(one("topic", "\"" + std::string(1001, 'k') + "\"")).find("'topic'") != std::string::npos);
    CHECK(why(one("meta", "\"" + std::string((1u << 20) + 1, 'm') + "\"")).find("'meta'") != std::string::npos);
    // Not valid UTF-8 inside a keyword.
    CHECK(why(one("topic", "\"caf\xc3\"")).find("'topic'") != std::string::npos);
    // Unknown, text and repeated fields.
    names(why(one("colour", R"("red")")), "colour", "schema");
    CHECK(why(one("title", R"("a title")")).find("'title'") != std::string::npos);
    CHECK(why(one("body", R"("text")")).find("'body'") != std::string::npos);
    CHECK(why({{"views", "1"}, {"views", "2"}}).find("'views' is given twice") != std::string::npos);
    CHECK(why({{"views", "null"}, {"views", "2"}}).find("given twice") != std::string::npos);
    // A long value is cut in the message.
    const std::string long_value = "\"" + std::string(300, 'v') + "\"";
    const auto cut = why(one("views", long_value));
    CHECK(cut.find("'views'") != std::string::npos);
    CHECK(cut.find(std::string(60, 'v')) != std::string::npos);
    CHECK(cut.find(std::string(100, 'v')) == std::string::npos);
}

// ---------------------------------------------------------------- dates and numbers

TEST_CASE("index: schema parse_date reads ISO 8601 dates and date-times, refuses days that do not exist") {
    constexpr std::int64_t may31 = std::int64_t{1717113600} * 1000;
    CHECK(parse_date("1970") == 0);
    CHECK(parse_date("1970-01-02") == day_ms);
    CHECK(parse_date("2024") == std::int64_t{1704067200} * 1000);
    CHECK(parse_date("2024-05") == std::int64_t{1714521600} * 1000);
    CHECK(parse_date("2024-05-31") == may31);
    CHECK(parse_date("2000-03-01") == std::int64_t{951868800} * 1000);
    CHECK(parse_date("2024-02-29") == std::int64_t{1709164800} * 1000);
    CHECK(parse_date("2000-02-29").has_value());
    CHECK(parse_date("0000-01-01") == std::int64_t{-62167219200} * 1000);
    CHECK(parse_date("9999-12-31T23:59:59.999Z") == std::int64_t{253402300799} * 1000 + 999);
    CHECK(parse_date("1969-12-31T23:59:59.999Z") == -1);
    // Date-times: Z, offsets, no zone (UTC), minutes only, fractions, lower case and a space.
    CHECK(parse_date("2024-05-31T12:30:00Z") == may31 + (12 * 3600 + 30 * 60) * 1000);
    CHECK(parse_date("2024-05-31T12:30Z") == may31 + (12 * 3600 + 30 * 60) * 1000);
    CHECK(parse_date("2024-05-31T12:30") == may31 + (12 * 3600 + 30 * 60) * 1000);
    CHECK(parse_date("2024-05-31T12:30:15") == may31 + (12 * 3600 + 30 * 60 + 15) * 1000);
    CHECK(parse_date("2024-05-31T12:30:00+02:00") == may31 + (10 * 3600 + 30 * 60) * 1000);
    CHECK(parse_date("2024-05-31T12:30:00-05:30") == may31 + (18 * 3600) * 1000);
    CHECK(parse_date("2024-05-31T00:00:00+01:00") == may31 - 3600 * 1000);
    CHECK(parse_date("2024-05-31T12:30:15.250Z") == may31 + (12 * 3600 + 30 * 60 + 15) * 1000 + 250);
    CHECK(parse_date("2024-05-31T12:30:15.1Z") == may31 + (12 * 3600 + 30 * 60 + 15) * 1000 + 100);
    CHECK(parse_date("2024-05-31T12:30:15.123456Z") == may31 + (12 * 3600 + 30 * 60 + 15) * 1000 + 123);
    CHECK(parse_date("2024-05-31t12:30:00z") == parse_date("2024-05-31T12:30:00Z"));
    CHECK(parse_date("2024-05-31 12:30:00Z") == parse_date("2024-05-31T12:30:00Z"));
    // Refused.
    for (const char* t : {"2023-02-29", "1900-02-29", "2024-02-30", "2024-04-31", "2024-13-01", "2024-00-10", "2024-05-00",
                          "2024-1-05", "24-01-01", "", "abcd", "2024-", "2024-05-", "20240531", "2024/05/31",
                          "2024-05-31T", "2024-05-31T25:00", "2024-05-31T12:60", "2024-05-31T12", "2024-05-31T12:30:61",
                          "2024-05-31T12:30:00.", "2024-05-31T12:30:00+2:00", "2024-05-31T12:30:00+0200",
                          "2024-05-31T12:30:00+24:00", "2024-05-31T12:30:00ZZ", "2024-05-31X", "2024-05T12:00",
                          " 2024", "2024 ", "+2024-01-01", "-001-01-01", "10000-01-01"}) {
        CAPTURE(t);
        CHECK_FALSE(parse_date(t).has_value());
    }
}

TEST_CASE("index: schema format_date writes what parse_date reads back") {
    CHECK(format_date(0) == "1970-01-01");
    CHECK(format_date(day_ms) == "1970-01-02");
    CHECK(format_date(1) == "1970-01-01T00:00:00.001Z");
    CHECK(format_date(-1) == "1969-12-31T23:59:59.999Z");
    CHECK(format_date(-day_ms) == "1969-12-31");
    CHECK(format_date(*parse_date("2024-05-31T12:30:00+02:00")) == "2024-05-31T10:30:00Z");
    CHECK(format_date(*parse_date("0000-01-01")) == "0000-01-01");
    CHECK(format_date(*parse_date("2024-02-29T23:59:59.5Z")) == "2024-02-29T23:59:59.500Z");
    std::mt19937_64 rng(rapport::test::seed(31));
    const std::int64_t lo = *parse_date("0000-01-01");
    const std::int64_t hi = *parse_date("9999-12-31T23:59:59.999Z");
    std::uniform_int_distribution<std::int64_t> any(lo, hi);
    int checked = 0;
    for (int i = 0; i < 20000; ++i) {
        // Any millisecond, a whole second, or a midnight.
        std::int64_t ms = any(rng);
        if (i % 3 == 1) ms -= ((ms % 1000) + 1000) % 1000;
        if (i % 3 == 2) ms -= ((ms % day_ms) + day_ms) % day_ms;
        const auto text = format_date(ms);
        CAPTURE(ms);
        CAPTURE(text);
        REQUIRE(parse_date(text) == ms);
        CHECK((text.size() == 10) == (((ms % day_ms) + day_ms) % day_ms == 0));
        ++checked;
    }
    CHECK(checked == 20000);
    // format_number and parse_number.
    CHECK(format_number(field_type::integer, -42) == "-42");
    CHECK(format_number(field_type::floating, float_key(2.5)) == "2.5");
    CHECK(format_number(field_type::floating, float_key(-0.1)) == "-0.1");
    CHECK(format_number(field_type::date, *parse_date("2021-06")) == "2021-06-01");
    CHECK(parse_number(field_type::integer, "12") == 12);
    CHECK(parse_number(field_type::integer, "-12") == -12);
    for (const char* t : {"1.5", "", " 1", "1 ", "0x10", "12a", "99999999999999999999"}) {
        CAPTURE(t);
        CHECK_FALSE(parse_number(field_type::integer, t).has_value());
    }
    CHECK(parse_number(field_type::floating, "1.5") == float_key(1.5));
    CHECK(parse_number(field_type::floating, "-3") == float_key(-3.0));
    CHECK(parse_number(field_type::floating, "-0") == float_key(0.0));
    for (const char* t : {"inf", "nan", "1e400", "", "1,5", "abc"}) {
        CAPTURE(t);
        CHECK_FALSE(parse_number(field_type::floating, t).has_value());
    }
    CHECK(parse_number(field_type::date, "2024") == parse_date("2024"));
    CHECK_FALSE(parse_number(field_type::date, "2024-02-30").has_value());
    CHECK_FALSE(parse_number(field_type::keyword, "12").has_value());
    CHECK_FALSE(parse_number(field_type::stored, "12").has_value());
}

TEST_CASE("index: schema float_key orders as the doubles do, -0 as +0") {
    CHECK(float_key(-0.0) == float_key(0.0));
    CHECK(float_of_key(float_key(-0.0)) == 0.0);
    CHECK_FALSE(std::signbit(float_of_key(float_key(-0.0))));
    std::mt19937_64 rng(rapport::test::seed(47));
    std::vector<double> values{0.0,
                               -0.0,
                               1.0,
                               -1.0,
                               std::numeric_limits<double>::max(),
                               std::numeric_limits<double>::lowest(),
                               std::numeric_limits<double>::min(),
                               -std::numeric_limits<double>::min(),
                               std::numeric_limits<double>::denorm_min(),
                               -std::numeric_limits<double>::denorm_min(),
                               1e-300,
                               -1e-300,
                               0.1,
                               -0.1};
    std::uniform_real_distribution<double> small(-1000.0, 1000.0);
    for (int i = 0; i < 3000; ++i) {
        switch (i % 3) {
            case 0: values.push_back(small(rng)); break;
            case 1: values.push_back(std::round(small(rng)));  // many equal values
                break;
            default: {
                // Any finite double from its bits.
                double d = 0;
                do {
                    const std::uint64_t bits = rng();
                    std::memcpy(&d, &bits, sizeof d);
                } while (!std::isfinite(d));
                values.push_back(d);
            }
        }
    }
    for (const double v : values) {
        CAPTURE(v);
        REQUIRE(float_of_key(float_key(v)) == v);
    }
    int pairs = 0;
    for (std::size_t i = 0; i + 1 < values.size(); ++i) {
        const double a = values[i], b = values[(i * 7919 + 13) % values.size()];
        const auto ka = float_key(a), kb = float_key(b);
        CAPTURE(a);
        CAPTURE(b);
        CHECK((a < b) == (ka < kb));
        CHECK((a == b) == (ka == kb));
        ++pairs;
    }
    CHECK(pairs > 3000);
    // Sorting by key sorts the values.
    auto by_key = values;
    std::sort(by_key.begin(), by_key.end(), [](double a, double b) { return float_key(a) < float_key(b); });
    CHECK(std::is_sorted(by_key.begin(), by_key.end()));
}

// ---------------------------------------------------------------- value columns

namespace {

// A schema with a column of every kind, some built to hit the encoder's special cases: every
// article present, every value equal, the extremes of int64 (a 64-bit frame).
schema column_schema() {
    return validate_schema({{{"tags", field_type::keyword},
                             {"views", field_type::integer},
                             {"price", field_type::floating},
                             {"title", field_type::text},
                             {"updated", field_type::date},
                             {"meta", field_type::stored},
                             {"always", field_type::integer},
                             {"same", field_type::integer},
                             {"wide", field_type::integer},
                             {"never", field_type::date}}});
}

std::vector<field_values> random_articles(const schema& s, std::size_t n, std::mt19937_64& rng) {
    static const char* tags[] = {"a", "b", "billing", "gift card", "\xc3\xa9t\xc3\xa9", "z"};
    std::vector<field_values> out;
    for (std::size_t a = 0; a < n; ++a) {
        field_values v(s.fields.size());
        if (rng() % 7 == 0) {  // none at all
            out.push_back({});
            continue;
        }
        for (std::size_t f = 0; f < s.fields.size(); ++f) {
            const auto& name = s.fields[f].name;
            if (name == "tags") {
                std::set<std::string> k;
                for (auto i = rng() % 4; i > 0; --i) k.insert(tags[rng() % 6]);
                v[f].keywords.assign(k.begin(), k.end());
            } else if (name == "views") {
                if (rng() % 3) v[f].number = static_cast<std::int64_t>(rng() % 2000) - 500;
            } else if (name == "price") {
                if (rng() % 3) v[f].number = float_key(static_cast<double>(rng() % 10000) / 8.0 - 300.0);
            } else if (name == "updated") {
                if (rng() % 2) v[f].number = *parse_date("2020-01-01") + static_cast<std::int64_t>(rng() % 100000000000ULL);
            } else if (name == "meta") {
                if (rng() % 2) v[f].stored = R"({"n":)" + std::to_string(rng() % 1000) + "}";
            } else if (name == "always") {
                v[f].number = static_cast<std::int64_t>(rng() % 100);
            } else if (name == "same") {
                v[f].number = 7;
            } else if (name == "wide") {
                const auto r = rng() % 3;
                if (r == 0) v[f].number = std::numeric_limits<std::int64_t>::min();
                if (r == 1) v[f].number = std::numeric_limits<std::int64_t>::max();
            }
        }
        out.push_back(std::move(v));
    }
    // The extremes at least once each, so that the frame is 64 bits wide.
    const auto wide = *s.index_of("wide");
    if (n >= 2) {
        for (const std::size_t a : {0u, 1u})
            if (out[a].empty()) {
                out[a].resize(s.fields.size());
                out[a][*s.index_of("always")].number = 1;
                out[a][*s.index_of("same")].number = 7;
            }
        out[0][wide].number = std::numeric_limits<std::int64_t>::min();
        out[1][wide].number = std::numeric_limits<std::int64_t>::max();
    }
    return out;
}

// What `values(s, a)` gives for an article written with `v`: nothing when it has no value at all.
field_values expected_values(const schema& s, const field_values& v) {
    if (v.empty()) return {};
    bool any = false;
    for (std::size_t f = 0; f < s.fields.size(); ++f)
        any = any || !v[f].keywords.empty() || v[f].number.has_value() || !v[f].stored.empty();
    return any ? v : field_values{};
}

void check_columns(const value_columns& c, const schema& s, const std::vector<field_values>& articles) {
    REQUIRE(c.articles() == articles.size());
    for (std::uint32_t a = 0; a < articles.size(); ++a) {
        CAPTURE(a);
        CHECK(c.values(s, a) == expected_values(s, articles[a]));
    }
    // The columns themselves: one per non-text field, in schema order.
    std::size_t columns = 0;
    for (const auto& f : s.fields)
        if (f.type != field_type::text) {
            const auto* col = c.find(f.name);
            REQUIRE(col != nullptr);
            CHECK(col->field == f);
            CHECK(&c.columns()[columns] == col);
            ++columns;
        }
    CHECK(c.columns().size() == columns);
    CHECK(c.find("nothing") == nullptr);
}

}  // namespace

TEST_CASE("index: schema value_columns encode and decode round trip at word edges, with missing values") {
    const auto s = column_schema();
    std::mt19937_64 rng(rapport::test::seed(53));
    for (const std::size_t n : {0u, 1u, 2u, 63u, 64u, 65u, 127u, 128u, 129u}) {
        CAPTURE(n);
        const auto articles = random_articles(s, n, rng);
        const value_columns built(s, articles);
        check_columns(built, s, articles);
        const auto passages = static_cast<std::uint32_t>(3 * n);
        const auto payload = built.encode(static_cast<std::uint32_t>(n), passages);
        const auto back = value_columns::decode(payload, static_cast<std::uint32_t>(n), passages, "seg.fval");
        check_columns(back, s, articles);
        CHECK(back.encode(static_cast<std::uint32_t>(n), passages) == payload);
        for (std::uint32_t a = 0; a < n; ++a) {
            const auto* never = back.find("never");
            CHECK_FALSE(never->has(a));
            CHECK(back.find("always")->has(a) == !articles[a].empty());
            CHECK(back.find("same")->number(a) == (articles[a].empty() ? std::nullopt : std::optional<std::int64_t>(7)));
        }
        // A payload of another segment is refused.
        CHECK_THROWS_AS((void)value_columns::decode(payload, static_cast<std::uint32_t>(n + 1), passages, "seg.fval"),
                        corruption_error);
        CHECK_THROWS_AS((void)value_columns::decode(payload, static_cast<std::uint32_t>(n), passages + 1, "seg.fval"),
                        corruption_error);
    }
    // No columns: a segment of the default schema records only its counts.
    const value_columns none;
    const auto empty = none.encode(5, 9);
    const auto back = value_columns::decode(empty, 5, 9, "seg.fval");
    CHECK(back.articles() == 5);
    CHECK(back.columns().empty());
    CHECK(back.values(s, 3).empty());
    CHECK_THROWS_AS((void)value_columns::decode(empty, 4, 9, "seg.fval"), corruption_error);
    // Values that do not follow the schema are refused.
    const std::vector<field_values> wrong{field_values(3)};
    CHECK_THROWS_AS((void)value_columns(s, wrong), rapport::invalid_argument);
}

TEST_CASE("index: schema value_columns decode of a truncated or damaged payload throws corruption_error, never crashes") {
    const auto s = column_schema();
    std::mt19937_64 rng(rapport::test::seed(59));
    std::size_t truncations = 0, flips = 0, refused = 0;
    for (const std::size_t n : {1u, 65u}) {
        const auto articles = random_articles(s, n, rng);
        const auto articles32 = static_cast<std::uint32_t>(n);
        const auto payload = value_columns(s, articles).encode(articles32, 2 * articles32);
        for (std::size_t cut = 0; cut < payload.size(); ++cut) {
            CAPTURE(cut);
            CHECK_THROWS_WITH_AS((void)value_columns::decode(payload.substr(0, cut), articles32, 2 * articles32, "cut.fval"),
                                 doctest::Contains("cut.fval"), corruption_error);
            ++truncations;
        }
        // Flipped bytes: either refused or decoded into columns that can be read whole.
        for (std::size_t at = 0; at < payload.size(); ++at) {
            for (const unsigned mask : {0x01u, 0x80u, 0xFFu}) {
                auto damaged = payload;
                damaged[at] = static_cast<char>(static_cast<unsigned char>(damaged[at]) ^ mask);
                CAPTURE(at);
                CAPTURE(static_cast<int>(mask));
                try {
                    const auto c = value_columns::decode(damaged, articles32, 2 * articles32, "flip.fval");
                    for (std::uint32_t a = 0; a < articles32; ++a) {
                        for (const auto& col : c.columns()) (void)col.value(a);
                        (void)c.values(s, a);
                    }
                } catch (const corruption_error&) {
                    ++refused;
                }
                ++flips;
            }
        }
    }
    CHECK(truncations > 100);
    CHECK(flips > 300);
    CHECK(refused > 0);
    CHECK(refused < flips);  // some damage only changes a value
}

// ---------------------------------------------------------------- through the writer

namespace {

struct written {
    std::string title;
    std::vector<raw_field> fields;
};

// Field JSON for article i (some articles carry none, others only some).
std::vector<raw_field> fields_of(int i) {
    std::vector<raw_field> f;
    if (i % 5 == 4) return f;
    static const char* topics[] = {"billing", "refund", "login", "gift card"};
    f.push_back({"topic", std::string(R"([")") + topics[i % 4] + R"(", ")" + topics[(i / 4) % 4] + R"("])"});
    if (i % 3 != 0) f.push_back({"views", std::to_string(i * 37 - 400)});
    if (i % 2 == 0) f.push_back({"price", std::to_string(i) + ".25"});
    if (i % 4 != 1) f.push_back({"updated", "\"20" + std::to_string(10 + i % 15) + "-0" + std::to_string(1 + i % 9) + "-1" +
                                               std::to_string(i % 10) + "T0" + std::to_string(i % 10) + ":15:00Z\""});
    if (i % 6 == 0) f.push_back({"meta", R"({"rank": )" + std::to_string(i) + R"(, "tags": ["x"]})"});
    return f;
}

ingest::article article_of(int i, std::vector<raw_field> fields) {
    std::string body = "answer number " + std::to_string(i) + " about customer service\n\nsecond paragraph for " +
                       std::to_string(i);
    return {{"a" + std::to_string(i)}, "title " + std::to_string(i), body, {}, std::move(fields)};
}

index_writer_options writer_options(const schema& s) {
    index_writer_options o;
    o.index.schema = s;
    o.merges.merge_factor = 0;
    o.index.passages.min_bytes = 1;
    return o;
}

// Every live article of the snapshot by id, with its values in the snapshot's schema order.
std::map<std::string, field_values> live_values(const index_reader& r) {
    std::map<std::string, field_values> out;
    const auto& s = r.options().schema;
    for (const auto& seg : r.segments()) {
        std::vector<bool> live(seg->article_count(), false);
        for (docid_t d = 0; d < seg->size(); ++d)
            if (!seg->is_deleted(d)) live[seg->article_of(d)] = true;
        for (std::uint32_t a = 0; a < seg->article_count(); ++a) {
            if (!live[a]) continue;
            const auto v = seg->values().values(s, a);
            // The stored article holds them in the order of the segment's columns.
            field_values by_column;
            for (const auto& c : seg->values().columns()) {
                const auto at = *s.index_of(c.field.name);
                by_column.push_back(v.empty() ? field_value{} : v[at]);
            }
            CHECK(seg->article(a).values == by_column);
            CHECK(out.emplace(std::string(seg->article_id(a)), v).second);
        }
    }
    return out;
}

}  // namespace

TEST_CASE_TEMPLATE("index: schema field values are committed, reopened, merged and deleted with their articles", B,
                   test::fs_backend, test::memory_backend) {
    B backend;
    auto dir = backend.make();
    const auto s = every_type();
    std::map<std::string, field_values> expected;
    {
        index_writer w(dir, writer_options(s));
        for (int round = 0; round < 3; ++round) {
            for (int i = round * 20; i < round * 20 + 20; ++i) {
                CHECK(w.add(article_of(i, fields_of(i))) == 2);
                expected["a" + std::to_string(i)] = convert_fields(s, fields_of(i));
            }
            w.commit();
        }
        CHECK(w.segment_count() == 3);
    }
    auto r = index_reader::open(dir);
    CHECK(r.options().schema == s);
    CHECK(r.segments().size() == 3);
    CHECK(live_values(r) == expected);
    // Spot checks of the typed values read back.
    const auto& a8 = expected.at("a8");
    CHECK(a8[2].keywords == std::vector<std::string>{"billing", "login"});
    CHECK(a8[3].number == 8 * 37 - 400);
    CHECK(a8[4].number == float_key(8.25));
    CHECK(a8[5].number == parse_date("2018-09-18T08:15:00Z"));
    CHECK(expected.at("a4").empty());  // no fields at all

    // Deletions and updates, then a merge into one segment.
    {
        index_writer w(dir);  // the default schema: the index keeps its own
        for (const int i : {3, 8, 21, 40, 59}) {
            w.remove({"a" + std::to_string(i)});
            expected.erase("a" + std::to_string(i));
        }
        auto changed = fields_of(13);  // no meta before
        changed.push_back({"meta", R"("updated")"});
        w.update(article_of(13, changed));
        expected["a13"] = convert_fields(s, changed);
        w.commit();
        r = index_reader::open(dir);
        CHECK(r.options().schema == s);
        CHECK(live_values(r) == expected);
        w.merge_all();
        CHECK(w.segment_count() == 1);
    }
    r = index_reader::open(dir);
    REQUIRE(r.segments().size() == 1);
    CHECK(r.segments()[0]->deleted_count() == 0);
    CHECK(r.segments()[0]->article_count() == expected.size());
    CHECK(live_values(r) == expected);
    CHECK(expected.at("a13")[6].stored == R"("updated")");
}

TEST_CASE_TEMPLATE("index: schema a writer refuses an incompatible schema and accepts appended fields", B,
                   test::fs_backend, test::memory_backend) {
    B backend;
    auto dir = backend.make();
    const auto s = every_type();
    {
        index_writer w(dir, writer_options(s));
        for (int i = 0; i < 10; ++i) w.add(article_of(i, fields_of(i)));
        w.commit();
    }
    const auto generation = index_reader::open(dir).generation();
    auto removed = s;
    removed.fields.pop_back();
    auto retyped = s;
    retyped.fields[3].type = field_type::keyword;
    auto moved = s;
    std::swap(moved.fields[3], moved.fields[4]);
    auto inserted = s;
    inserted.fields.insert(inserted.fields.begin() + 2, field_def{"rank", field_type::integer});
    for (const auto* bad : {&removed, &retyped, &moved, &inserted}) {
        CAPTURE(to_json(*bad));
        const auto m = refusal([&] { index_writer w(dir, writer_options(*bad)); });
        CHECK(m.find("schema") != std::string::npos);
    }
    // The index is untouched (and the lock was released by each refused writer).
    CHECK(index_reader::open(dir).generation() == generation);
    CHECK(index_reader::open(dir).options().schema == s);

    auto appended = s;
    appended.fields.push_back({"rank", field_type::integer});
    appended.fields.push_back({"labels", field_type::keyword});
    {
        index_writer w(dir, writer_options(appended));
        w.add(article_of(100, {{"rank", "5"}, {"labels", R"(["new"])"}, {"views", "1"}}));
        w.add(article_of(101, {}));
        w.commit();
        // Old articles are missing the new fields; so is a merged copy of them.
        for (const bool merged : {false, true}) {
            CAPTURE(merged);
            const auto r = index_reader::open(dir);
            CHECK(r.options().schema == appended);
            const auto live = live_values(r);
            REQUIRE(live.size() == 12);
            for (int i = 0; i < 10; ++i) {
                const auto& v = live.at("a" + std::to_string(i));
                auto want = convert_fields(appended, fields_of(i));
                CHECK(v == want);
                if (!v.empty()) {
                    CHECK(v[7] == field_value{});
                    CHECK(v[8] == field_value{});
                }
            }
            const auto& fresh = live.at("a100");
            REQUIRE(fresh.size() == appended.fields.size());
            CHECK(fresh[7].number == 5);
            CHECK(fresh[8].keywords == std::vector<std::string>{"new"});
            CHECK(fresh[3].number == 1);
            CHECK(live.at("a101").empty());
            if (!merged) w.merge_all();
        }
    }
    // Reopened with the schema it now has, or with the default one.
    { index_writer w(dir, writer_options(appended)); }
    { index_writer w(dir); }
    CHECK(index_reader::open(dir).options().schema == appended);
    // The schema it had before is now a removal.
    CHECK(refusal([&] { index_writer w(dir, writer_options(s)); }).find("'rank' would be removed") != std::string::npos);
}

TEST_CASE("index: schema an article that does not follow the schema is refused by add and update; the index keeps its last commit") {
    auto dir = std::make_shared<storage::memory_directory>();
    const auto s = every_type();
    index_writer w(dir, writer_options(s));
    for (int i = 0; i < 6; ++i) w.add(article_of(i, fields_of(i)));
    w.commit();
    const auto before = index_reader::open(dir);
    const auto values_before = live_values(before);

    const std::vector<std::pair<std::vector<raw_field>, std::string>> bad{
        {{{"colour", R"("red")"}}, "colour"},
        {{{"views", R"("many")"}}, "views"},
        {{{"views", "2.5"}}, "views"},
        {{{"price", "true"}}, "price"},
        {{{"updated", R"("2023-02-29")"}}, "updated"},
        {{{"topic", "[1.5]"}}, "topic"},
        {{{"topic", R"("a")"}, {"topic", R"("b")"}}, "topic"},
        {{{"views", "1"}, {"title", R"("x")"}}, "title"},
    };
    int refused = 0;
    for (const auto& entry : bad) {
        // Named copies: clang 14 cannot capture structured bindings in lambdas.
        const auto& fields = entry.first;
        const auto& field = entry.second;
        CAPTURE(field);
        const auto m = refusal([&] { w.add(article_of(50 + refused, fields)); });
        CHECK(m.find("'" + field + "'") != std::string::npos);
        CHECK(m.find("a" + std::to_string(50 + refused)) != std::string::npos);  // names the article
        // An update with bad fields leaves the old article in place.
        CHECK_THROWS_AS(w.update(article_of(2, fields)), rapport::invalid_argument);
        ++refused;
    }
    CHECK(refused == 8);
    // Nothing changed: the same commit; committing now adds nothing.
    const auto now = index_reader::open(dir);
    CHECK(now.generation() == before.generation());
    CHECK(now.passage_count() == before.passage_count());
    w.commit();
    const auto after = index_reader::open(dir);
    CHECK(after.live_passage_count() == before.live_passage_count());
    CHECK(after.article_count() == before.article_count());
    CHECK(live_values(after) == values_before);
    // The writer still works.
    w.add(article_of(7, fields_of(7)));
    w.commit();
    const auto last = live_values(index_reader::open(dir));
    CHECK(last.size() == values_before.size() + 1);
    CHECK(last.at("a7") == convert_fields(s, fields_of(7)));
}

TEST_CASE("index: the 250-field limit counts title and body, so a completed schema validates again") {
    const auto declared = [](std::size_t n) {
        rapport::index::schema s;
        for (std::size_t i = 0; i < n; ++i) s.fields.push_back({"f" + std::to_string(i), rapport::index::field_type::integer});
        return s;
    };
    const auto ok = rapport::index::validate_schema(declared(248));
    CHECK(ok.fields.size() == 250);
    CHECK(rapport::index::validate_schema(ok) == ok);
    CHECK(rapport::index::parse_schema(rapport::index::to_json(ok)) == ok);
    CHECK_THROWS_AS((void)rapport::index::validate_schema(declared(249)), rapport::invalid_argument);
    CHECK_THROWS_AS((void)rapport::index::validate_schema(declared(250)), rapport::invalid_argument);
}
