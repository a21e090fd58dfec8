// SPDX-License-Identifier: MIT
// How an index splits and analyses articles; stored in every commit so that queries are analysed
// exactly as the indexed text was.
// Thread safety: a plain value.
#pragma once

#include "rapport/analysis/analyzer.hpp"
#include "rapport/ingest/passage.hpp"

namespace rapport::index {

/// How articles are split and analysed. Queries are analysed with the same `analyzer` options.
struct index_options {
    analysis::analyzer_options analyzer{};  ///< default: English, stopwords, Snowball stemming
    ingest::passage_options passages{};     ///< default: paragraphs, long ones split on sentences
};

}  // namespace rapport::index
