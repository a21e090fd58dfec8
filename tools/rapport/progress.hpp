// SPDX-License-Identifier: MIT
// The indexing progress display: a redrawn bar on a terminal (passages/s, MB/s, elapsed, ETA when
// the input size is known), or a plain line every few seconds when stderr is a file or a pipe.
// Thread safety: counters may be bumped from any thread; `tick`, `finish` from one thread only.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>

namespace rapport::cli {

enum class progress_style { none, bar, lines };

class progress_meter {
public:
    /// `total_bytes`: the size of the input when known (for the percentage and the ETA).
    progress_meter(progress_style style, std::optional<std::uint64_t> total_bytes);

    /// Counts one indexed article of `bytes` bytes that gave `passages` passages.
    void add(std::uint64_t passages, std::uint64_t bytes) noexcept {
        passages_.fetch_add(passages, std::memory_order_relaxed);
        bytes_.fetch_add(bytes, std::memory_order_relaxed);
        articles_.fetch_add(1, std::memory_order_relaxed);
        if (passages == 0) empty_.fetch_add(1, std::memory_order_relaxed);
    }
    /// Redraws when enough time has passed since the last redraw (cheap otherwise).
    void tick();
    /// Clears the bar (or prints a last line); call before printing anything else.
    void finish();

    [[nodiscard]] std::uint64_t passages() const noexcept { return passages_.load(std::memory_order_relaxed); }
    [[nodiscard]] std::uint64_t articles() const noexcept { return articles_.load(std::memory_order_relaxed); }
    [[nodiscard]] std::uint64_t bytes() const noexcept { return bytes_.load(std::memory_order_relaxed); }
    /// Articles that gave no passage: no text in the title or the body (nothing to find them by).
    [[nodiscard]] std::uint64_t empty() const noexcept { return empty_.load(std::memory_order_relaxed); }
    /// Seconds since the meter was created.
    [[nodiscard]] double elapsed() const noexcept;

private:
    void draw(bool final);

    progress_style style_;
    std::optional<std::uint64_t> total_;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_draw_;
    std::atomic<std::uint64_t> passages_{0};
    std::atomic<std::uint64_t> articles_{0};
    std::atomic<std::uint64_t> bytes_{0};
    std::atomic<std::uint64_t> empty_{0};
    bool drawn_ = false;
};

}  // namespace rapport::cli
