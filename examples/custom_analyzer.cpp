// SPDX-License-Identifier: MIT
// custom_analyzer: builds an analysis pipeline by hand (tokenizer -> case folding -> a custom
// filter -> German stemming) and prints the tokens of a sentence with positions and byte offsets.
#include <iostream>
#include <memory>
#include <string>

#include "rapport/analysis/analyzer.hpp"
#include "rapport/analysis/token_filter.hpp"

namespace {
// Drops tokens made only of digits: a custom step is a class with apply() and clone().
class drop_numbers final : public rapport::analysis::token_filter {
public:
    bool apply(std::string& term) override { return term.find_first_not_of("0123456789") != std::string::npos; }
    [[nodiscard]] std::unique_ptr<token_filter> clone() const override { return std::make_unique<drop_numbers>(); }
};
}  // namespace

int main(int argc, char** argv) {
    const std::string text = argc > 1 ? argv[1] : "Die 3 Häuser der Kundendienstabteilungen öffnen um 9 Uhr.";
    rapport::analysis::analyzer analyzer;  // tokenizer only
    analyzer.add_filter(rapport::analysis::make_case_fold_filter())
        .add_filter(std::make_unique<drop_numbers>())
        .add_filter(rapport::analysis::make_stemmer_filter("german"));
    for (const auto& t : analyzer.analyze(text))
        std::cout << t.position << "\t[" << t.begin << ", " << t.end << ")\t" << text.substr(t.begin, t.end - t.begin)
                  << "\t-> " << t.term << "\n";
}
