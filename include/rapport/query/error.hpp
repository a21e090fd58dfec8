// SPDX-License-Identifier: MIT
// The error the strict query parser throws. It derives from `rapport::query_syntax_error`
// (core/error.hpp), so callers may catch either; this one also says what the parser expected.
// Thread safety: exception objects are immutable after construction.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "rapport/core/error.hpp"

namespace rapport::query {

/// A query is malformed (strict mode only). `what()` reads
/// "query syntax error at byte <position>: expected <expected>" (or a complete sentence for
/// faults that are not a missing token, such as an unknown field), `position()` gives the byte
/// offset in the query text and `expected()` what would have been valid there.
class RAPPORT_API syntax_error : public query_syntax_error {
public:
    /// Builds the error for a fault at byte `position`. `message` is the text after the position
    /// in `what()`; `expected` names what would have been valid ("')'", "a term, phrase or group").
    syntax_error(std::uint64_t position, const std::string& message, std::string expected)
        : query_syntax_error(position, message), expected_(std::move(expected)) {}

    /// What the parser expected at `position()`.
    [[nodiscard]] const std::string& expected() const noexcept { return expected_; }

private:
    std::string expected_;
};

}  // namespace rapport::query
