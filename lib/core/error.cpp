// SPDX-License-Identifier: MIT
#include "rapport/core/error.hpp"

#include <utility>

namespace rapport {

io_error::io_error(std::string path, const std::string& message)
    : error(path + ": " + message), path_(std::move(path)) {}

namespace {
std::string corruption_message(const std::string& path, std::optional<std::uint64_t> offset,
                               const std::string& message) {
    std::string out = path + ": corrupt";
    if (offset) out += " at byte " + std::to_string(*offset);
    return out + ": " + message;
}
}  // namespace

corruption_error::corruption_error(std::string path, std::optional<std::uint64_t> offset,
                                   const std::string& message)
    : error(corruption_message(path, offset, message)), path_(std::move(path)), offset_(offset) {}

invalid_argument::invalid_argument(const std::string& message, std::uint64_t offset)
    : error(message + " (at byte " + std::to_string(offset) + ")"), offset_(offset) {}

query_syntax_error::query_syntax_error(std::uint64_t position, const std::string& message)
    : error("query syntax error at byte " + std::to_string(position) + ": " + message),
      position_(position) {}

}  // namespace rapport
