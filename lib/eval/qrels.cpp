// SPDX-License-Identifier: MIT
// Reading TREC qrels ("qid iter docno rel") with file:line error messages.
// Thread safety: free functions without shared state.
#include "rapport/eval/qrels.hpp"

#include <fstream>
#include <string>

#include "eval/trec_text.hpp"
#include "rapport/core/error.hpp"

namespace rapport::eval {

qrels parse_qrels(std::istream& in, std::string_view name) {
    qrels out;
    detail::for_each_line(in, name, [&](std::size_t line, const std::vector<std::string_view>& fields) {
        if (fields.size() != 4) {
            throw detail::line_error(name, line,
                                     "expected 4 fields (qid iter docno rel), found " +
                                         std::to_string(fields.size()));
        }
        const auto rel = detail::parse_int(fields[3]);
        if (!rel) {
            throw detail::line_error(name, line,
                                     "relevance '" + std::string(fields[3]) + "' is not an integer");
        }
        auto& judged = out.judgments[std::string(fields[0])];
        if (!judged.emplace(std::string(fields[2]), *rel).second) {
            throw detail::line_error(name, line,
                                     "docno '" + std::string(fields[2]) + "' judged twice for query '" +
                                         std::string(fields[0]) + "'");
        }
    });
    return out;
}

qrels read_qrels(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw io_error(path.string(), "cannot open qrels file for reading");
    return parse_qrels(in, path.string());
}

}  // namespace rapport::eval
