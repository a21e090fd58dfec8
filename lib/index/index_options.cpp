// SPDX-License-Identifier: MIT
#include "rapport/index/index_options.hpp"

#include "analysis/language.hpp"
#include "rapport/analysis/token_filter.hpp"
#include "rapport/core/error.hpp"

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

std::optional<analysis::analyzer> field_analyzer(const index_options& options, const field_def& field) {
    const auto& a = field.analysis;
    if (a.empty()) return std::nullopt;
    if (!a.custom.empty()) {
        auto found = analysis::registered_analyzer(a.custom);
        if (!found)
            throw invalid_argument("field '" + field.name + "' is analysed by the custom analyzer '" + a.custom +
                                   "', which is not registered (analysis::register_analyzer)");
        found->set_invalid_utf8_policy(options.analyzer.invalid_utf8);
        return found;
    }
    analysis::analyzer_options o;
    try {
        o = analyzer_options_for(options, a.language.value_or(""));
    } catch (const invalid_argument& e) {
        throw invalid_argument("field '" + field.name + "': " + e.what());
    }
    if (a.stopwords) o.stopwords = a.stopwords;
    if (a.case_fold) o.case_fold = *a.case_fold;
    if (a.fold_accents) o.fold_accents = a.fold_accents;
    return analysis::analyzer(o);
}

}  // namespace rapport::index
