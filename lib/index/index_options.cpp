// SPDX-License-Identifier: MIT
#include "rapport/index/index_options.hpp"

#include "analysis/language.hpp"
#include "rapport/analysis/token_filter.hpp"

namespace rapport::index {

analysis::analyzer_options analyzer_options_for(const index_options& options, std::string_view language) {
    auto o = options.analyzer;
    const auto wanted = analysis::detail::canonical_language(language);
    if (language.empty() || wanted == analysis::detail::canonical_language(o.language)) return o;
    if (wanted != "none") (void)analysis::make_stemmer_filter(wanted);  // an unknown language throws here
    o.language = wanted;
    // Stopwords switched off stay off; a list (the index language's, or the caller's for it) gives
    // way to the article language's own.
    if (!(o.stopwords && o.stopwords->empty())) o.stopwords.reset();
    o.fold_accents.reset();
    o.elision.reset();
    return o;
}

}  // namespace rapport::index
