// SPDX-License-Identifier: MIT
#include "index/word_counter.hpp"

#include <algorithm>
#include <utility>

#include "analysis/case_folder.hpp"
#include "core/heap_size.hpp"
#include "core/name_order.hpp"

namespace rapport::index::detail {

std::uint32_t word_counter::slot_of(std::string_view folded) {
    if (const auto it = folded_.find(folded); it != folded_.end()) return it->second;
    const auto s = static_cast<std::uint32_t>(slots_.size());
    const auto& key = folded_.emplace(std::string(folded), s).first->first;
    string_bytes_ += 2 * rapport::detail::heap_size(key);  // the key and its copy in names_
    names_.emplace_back(folded);
    slots_.emplace_back();
    return s;
}

void word_counter::count(std::string_view text, std::span<const analysis::token> tokens, docid_t doc) {
    std::uint32_t previous = 0;
    bool first = true;
    for (const auto& tok : tokens) {
        if (!first && tok.position == previous) continue;
        first = false;
        previous = tok.position;
        if (tok.end > text.size() || tok.begin >= tok.end || tok.end - tok.begin > max_word_bytes) continue;
        const std::string_view raw = text.substr(tok.begin, tok.end - tok.begin);
        auto it = spellings_.find(raw);
        if (it == spellings_.end()) {
            if (fold_) {
                static const analysis::detail::case_folder folder;
                folder.fold(raw, scratch_);
            } else {
                scratch_.assign(raw);
            }
            const auto s = slot_of(scratch_);
            it = spellings_.emplace(std::string(raw), s).first;
            string_bytes_ += rapport::detail::heap_size(it->first);
        }
        auto& s = slots_[it->second];
        ++s.count;
        if (s.last != doc) {
            s.last = doc;
            ++s.df;
        }
    }
}

std::size_t word_counter::memory_usage() const noexcept {
    using rapport::detail::flat_table_heap_size;
    return flat_table_heap_size(spellings_) + flat_table_heap_size(folded_) + rapport::detail::heap_size(names_) +
           rapport::detail::heap_size(slots_) + string_bytes_;
}

void word_counter::add(std::string_view word, std::uint32_t df, std::uint64_t occurrences) {
    auto& s = slots_[slot_of(word)];
    s.df += df;
    s.count += occurrences;
}

std::vector<surface_word> word_counter::finish() {
    // Sorted as slot numbers over views of the names: sorting the words themselves moved strings
    // around, 4 % of a bulk load's instructions.
    const auto order = rapport::detail::name_order(std::vector<std::string_view>(names_.begin(), names_.end()));
    std::vector<surface_word> out;
    out.reserve(order.size());
    for (const auto i : order)
        if (!names_[i].empty()) out.push_back({std::move(names_[i]), slots_[i].df, slots_[i].count});
    *this = word_counter(fold_);
    return out;
}

}  // namespace rapport::index::detail
