// SPDX-License-Identifier: MIT
// Stopping a search early, so that a server can bound its latency: a deadline and a cancel token
// (C++20's std::stop_token, from a std::stop_source the caller keeps). The searcher installs an
// `interrupt` for the current thread while it evaluates (`interrupt_scope`); the postings cursors
// poll it each time they decode a block (every 128 postings of a term) and, once it fires, end as
// if their lists had ended; the searcher then throws `search_interrupted` instead of returning a
// top k that is not the top k. Expansion of fuzzy and prefix terms polls between terms.
// Thread safety: an `interrupt` belongs to one thread's search; the stop token may be requested
// from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stop_token>
#include <string>
#include <utility>

#include "rapport/core/error.hpp"
#include "rapport/core/export.hpp"

namespace rapport {

/// The state of one search's interruption.
class interrupt {
public:
    using clock = std::chrono::steady_clock;

    /// Fires once `deadline` has passed or `cancel` is requested; with neither it never fires.
    interrupt(std::optional<clock::time_point> deadline, std::stop_token cancel) noexcept
        : deadline_(deadline), cancel_(std::move(cancel)) {}

    /// True once the search must stop, and from then on. A relaxed atomic load; the clock is read
    /// on the first call and every 16th after it (every 2,048 postings of one cursor).
    bool poll() noexcept {
        if (reason_ != interrupt_reason::none) return true;
        if (cancel_.stop_requested()) {
            reason_ = interrupt_reason::cancelled;
        } else if (deadline_ && (calls_++ & 15u) == 0 && clock::now() >= *deadline_) {
            reason_ = interrupt_reason::deadline;
        }
        return reason_ != interrupt_reason::none;
    }

    /// Why it fired; `none` while it has not.
    [[nodiscard]] interrupt_reason reason() const noexcept { return reason_; }

    /// Throws `search_interrupted` when it has fired (`what` names the operation); else nothing.
    void throw_if_fired(const char* what) const {
        if (reason_ == interrupt_reason::none) return;
        throw search_interrupted(reason_, std::string(what) + (reason_ == interrupt_reason::cancelled
                                                                   ? ": cancelled"
                                                                   : ": the deadline passed before it finished"));
    }

private:
    std::optional<clock::time_point> deadline_;
    std::stop_token cancel_;
    std::uint32_t calls_ = 0;
    interrupt_reason reason_ = interrupt_reason::none;
};

namespace detail {
/// The interrupt of the search running on this thread, or nullptr (set by `interrupt_scope`).
extern RAPPORT_API constinit thread_local interrupt* current_interrupt;

/// Whether the search running on this thread must stop. No search, or one without a deadline and
/// a cancel token: always false.
[[nodiscard]] inline bool interrupted() noexcept {
    interrupt* i = current_interrupt;
    return i != nullptr && i->poll();
}
}  // namespace detail

/// Installs `i` as this thread's interrupt for the scope's lifetime (nullptr: none), restoring
/// the previous one after (scopes nest: an RM3 search inside a search keeps the outer one's).
class interrupt_scope {
public:
    explicit interrupt_scope(interrupt* i) noexcept : previous_(detail::current_interrupt) {
        if (i != nullptr) detail::current_interrupt = i;
    }
    ~interrupt_scope() { detail::current_interrupt = previous_; }
    interrupt_scope(const interrupt_scope&) = delete;
    interrupt_scope& operator=(const interrupt_scope&) = delete;

private:
    interrupt* previous_;
};

}  // namespace rapport
