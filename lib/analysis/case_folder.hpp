// SPDX-License-Identifier: MIT
// Internal: NFKC_Casefold of UTF-8 strings, shared by the case-fold and stopword filters.
// Compile-only (never installed), so it may include ICU.
// Thread safety: the ICU normalizer is a shared immutable singleton; a case_folder holds no
// other state, so it may be used from any thread.
#pragma once

#include <unicode/normalizer2.h>

#include <string>
#include <string_view>


namespace rapport::analysis::detail {

/// Applies ICU's NFKC_Casefold ("nfkc_cf") to UTF-8 text.
class case_folder {
public:
    /// Binds to ICU's NFKC_Casefold normalizer.
    /// Throws: `rapport::error` if ICU's normalisation data cannot be loaded.
    case_folder();

    /// Whether `text` is already folded (folding would not change it).
    /// Complexity: linear; one pass over ASCII text.
    [[nodiscard]] bool is_folded(std::string_view text) const;

    /// Writes the folded form of `text` to `out` (replacing its contents).
    /// Requires: `text` is valid UTF-8 and does not alias `out`.
    void fold(std::string_view text, std::string& out) const;

    /// Folds `text` in place, using `scratch` as working storage when ICU is needed.
    void fold_in_place(std::string& text, std::string& scratch) const;

private:
    const icu::Normalizer2* normalizer_;
};

}  // namespace rapport::analysis::detail
