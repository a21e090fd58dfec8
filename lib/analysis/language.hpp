// SPDX-License-Identifier: MIT
// Compile-only (lib/, never installed): language names as the analysis filters know them.
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace rapport::analysis::detail {

/// The Snowball name ("french") of `language`: itself lowered, or the name of the ISO 639-1 or -2
/// code ("fr", "fra", "fre") of a language that has a stop list or elides.
[[nodiscard]] std::string canonical_language(std::string_view language);

}  // namespace rapport::analysis::detail
