// SPDX-License-Identifier: MIT
// Reading and writing TREC runs, and trec_eval's ranking of a query's entries.
// Thread safety: free functions without shared state.
#include "rapport/eval/run.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "eval/trec_text.hpp"
#include "rapport/core/error.hpp"

namespace rapport::eval {

namespace {

std::string in_quotes(std::string_view text) { return "'" + std::string(text) + "'"; }

// A field written to a run file must read back as exactly one field.
void check_field(std::string_view value, std::string_view what) {
    if (value.empty() || std::any_of(value.begin(), value.end(), detail::is_ascii_space)) {
        throw invalid_argument("cannot write run: " + std::string(what) + " " + in_quotes(value) +
                               " is empty or contains whitespace");
    }
}

// Shortest text that parses back to the same double (std::to_chars round-trip guarantee).
void append_score(std::string& out, double score) {
    std::array<char, 64> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), score);
    out.append(buffer.data(), result.ptr);
}

}  // namespace

void sort_trec_order(std::vector<run_entry>& entries, std::string_view qid) {
    for (const auto& e : entries) {
        if (std::isnan(e.score)) {
            throw invalid_argument("query " + in_quotes(qid) + ": docno " + in_quotes(e.docno) +
                                   " has a NaN score");
        }
    }
    // trec_eval's form_res_rels.c comparator: sim descending, then strcmp(docno2, docno1).
    // std::string::compare orders bytes as unsigned char, exactly as strcmp does.
    std::sort(entries.begin(), entries.end(), [](const run_entry& a, const run_entry& b) {
        if (a.score != b.score) return a.score > b.score;
        return a.docno > b.docno;
    });
    std::unordered_set<std::string_view> seen;
    seen.reserve(entries.size());
    for (const auto& e : entries) {
        if (!seen.insert(e.docno).second) {
            throw invalid_argument("query " + in_quotes(qid) + ": duplicate docno " + in_quotes(e.docno));
        }
    }
}

run parse_run(std::istream& in, std::string_view name) {
    run out;
    bool have_tag = false;
    std::unordered_map<std::string, std::unordered_set<std::string>> seen;
    detail::for_each_line(in, name, [&](std::size_t line, const std::vector<std::string_view>& fields) {
        if (fields.size() != 6) {
            throw detail::line_error(name, line,
                                     "expected 6 fields (qid Q0 docno rank score tag), found " +
                                         std::to_string(fields.size()));
        }
        const auto score = detail::parse_score(fields[4]);
        if (!score) {
            throw detail::line_error(name, line, "score " + in_quotes(fields[4]) + " is not a number");
        }
        std::string qid(fields[0]);
        std::string docno(fields[2]);
        if (!seen[qid].insert(docno).second) {
            throw detail::line_error(name, line,
                                     "duplicate docno " + in_quotes(docno) + " for query " + in_quotes(qid));
        }
        if (!have_tag) {
            out.tag = std::string(fields[5]);
            have_tag = true;
        }
        out.results[std::move(qid)].push_back(run_entry{std::move(docno), *score});
    });
    return out;
}

run read_run(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw io_error(path.string(), "cannot open run file for reading");
    return parse_run(in, path.string());
}

namespace {

// Formats the whole run first so that a bad field throws before anything is written.
std::string format_run(const run& r) {
    check_field(r.tag, "tag");
    std::string text;
    std::vector<run_entry> sorted;
    for (const auto& [qid, entries] : r.results) {
        check_field(qid, "qid");
        sorted.assign(entries.begin(), entries.end());
        sort_trec_order(sorted, qid);
        std::size_t rank = 0;
        for (const auto& e : sorted) {
            check_field(e.docno, "docno");
            text += qid;
            text += " Q0 ";
            text += e.docno;
            text += ' ';
            text += std::to_string(++rank);
            text += ' ';
            append_score(text, e.score);
            text += ' ';
            text += r.tag;
            text += '\n';
        }
    }
    return text;
}

}  // namespace

void write_run(std::ostream& out, const run& r) {
    const std::string text = format_run(r);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

void write_run(const std::filesystem::path& path, const run& r) {
    const std::string text = format_run(r);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw io_error(path.string(), "cannot open run file for writing");
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.close();
    if (!out) throw io_error(path.string(), "write failed");
}

}  // namespace rapport::eval
