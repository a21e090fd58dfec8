// SPDX-License-Identifier: MIT
#include "rapport/eval/queries.hpp"

#include <fstream>

#include "rapport/core/error.hpp"

namespace rapport::eval {

std::vector<query> parse_queries(std::istream& in, std::string_view name) {
    std::vector<query> out;
    std::string line;
    std::uint64_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        const auto tab = line.find('\t');
        if (tab == std::string::npos || tab == 0)
            throw invalid_argument(std::string(name) + ":" + std::to_string(number) +
                                   ": expected \"qid<TAB>query text\"");
        out.push_back({line.substr(0, tab), line.substr(tab + 1)});
    }
    return out;
}

std::vector<query> read_queries(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) throw io_error(path.string(), "cannot open queries file");
    return parse_queries(in, path.string());
}

}  // namespace rapport::eval
