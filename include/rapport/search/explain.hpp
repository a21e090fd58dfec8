// SPDX-License-Identifier: MIT
// Why a passage got its score: the one explanation type of `searcher::explain`, for query trees and
// plain term queries alike. Every node is one scoring part (a term, a phrase, a BM25F term, a
// boolean's sum) with its inputs; the root's value equals the score a search gives the passage, bit
// for bit (the same arithmetic in the same order as the evaluation algorithms).
// Thread safety: a plain value.
#pragma once

#include <string>
#include <vector>

#include "rapport/core/export.hpp"
#include "rapport/core/types.hpp"

namespace rapport::search {

/// One node of an explanation: `value` is this part's contribution, the sum of its `details` for a
/// compound part (in the order the score sums them).
struct explanation {
    score_t value = 0;                  ///< this part's contribution
    std::string description;            ///< what was computed, with its inputs
    std::vector<explanation> details;   ///< the parts summed into `value`
    /// At the root: whether the passage is a hit of the query (it matches, is not deleted and is
    /// allowed by the filter); `value` is 0 otherwise and `description` says why. Below the root:
    /// true for the parts that matched.
    bool matches = false;

    /// Indented, one line per node.
    [[nodiscard]] RAPPORT_API std::string to_string() const;
};

}  // namespace rapport::search
