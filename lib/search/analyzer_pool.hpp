// SPDX-License-Identifier: MIT
// Query analyzers for a searcher that many threads share. An analyzer is not thread-safe (ICU
// iterator state, filter caches), so each call leases one, with its token buffer, and hands it back
// when done: the pool grows to the number of threads that analyse at once and keeps what it made,
// so a steady state allocates nothing. The first analyzer is made on first use, which keeps
// constructing a searcher cheap. Compile-only (not installed).
// Thread safety: `acquire` may be called from any number of threads at once; a lease is one thread's.
#pragma once

#include <memory>
#include <mutex>
#include <string_view>
#include <utility>
#include <vector>

#include "rapport/analysis/analyzer.hpp"
#include "rapport/analysis/token.hpp"

namespace rapport::search::detail {

class analyzer_pool {
    struct slot {
        analysis::analyzer analyzer;
        std::vector<analysis::token> tokens;
    };

public:
    /// A pool of copies of `prototype`.
    explicit analyzer_pool(analysis::analyzer prototype) : prototype_(std::move(prototype)) {}

    /// One analyzer and its token buffer, the caller's alone until the lease is destroyed.
    class lease {
    public:
        lease(const analyzer_pool& pool, std::unique_ptr<slot> s) noexcept : pool_(&pool), slot_(std::move(s)) {}
        ~lease() {
            if (slot_) pool_->give_back(std::move(slot_));
        }
        /// Takes over `other`'s analyzer (which then gives back nothing).
        lease(lease&& other) noexcept : pool_(other.pool_), slot_(std::move(other.slot_)) {}
        lease(const lease&) = delete;
        lease& operator=(const lease&) = delete;

        /// The analysed tokens of `text` (`analysis::analyzer::analyze`), valid until the next call
        /// or the end of the lease. Throws: as `analysis::analyzer::analyze`.
        const std::vector<analysis::token>& analyze(std::string_view text) {
            slot_->analyzer.analyze(text, slot_->tokens);
            return slot_->tokens;
        }
        /// The analyzer itself.
        [[nodiscard]] analysis::analyzer& analyzer() noexcept { return slot_->analyzer; }

    private:
        const analyzer_pool* pool_;
        std::unique_ptr<slot> slot_;
    };

    /// An idle analyzer, or a new one when every analyzer is leased.
    /// Throws: what copying the prototype throws (`std::bad_alloc`, ICU failing to load).
    [[nodiscard]] lease acquire() const {
        std::unique_ptr<slot> s;
        const std::lock_guard lock(mutex_);
        if (!free_.empty()) {
            s = std::move(free_.back());
            free_.pop_back();
        } else {
            // Copied under the lock: a custom filter's clone() need not be safe to run concurrently.
            s = std::make_unique<slot>(slot{prototype_, {}});
        }
        return lease(*this, std::move(s));
    }

private:
    void give_back(std::unique_ptr<slot> s) const noexcept {
        const std::lock_guard lock(mutex_);
        try {
            free_.push_back(std::move(s));
        } catch (...) {  // out of memory: the analyzer is dropped, and made again when needed
        }
    }

    analysis::analyzer prototype_;
    mutable std::mutex mutex_;                        // guards `free_` and copies of `prototype_`
    mutable std::vector<std::unique_ptr<slot>> free_;  // idle analyzers
};

}  // namespace rapport::search::detail
