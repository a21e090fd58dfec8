// SPDX-License-Identifier: MIT
#include "progress.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

#include "cli.hpp"

namespace rapport::cli {

namespace {
using clock_type = std::chrono::steady_clock;
constexpr auto bar_interval = std::chrono::milliseconds(100);
constexpr auto line_interval = std::chrono::seconds(5);
constexpr int bar_width = 24;
}  // namespace

progress_meter::progress_meter(progress_style style, std::optional<std::uint64_t> total_bytes)
    : style_(style), total_(total_bytes), start_(clock_type::now()), last_draw_(start_) {
    if (total_ && *total_ == 0) total_.reset();
}

double progress_meter::elapsed() const noexcept {
    return std::chrono::duration<double>(clock_type::now() - start_).count();
}

void progress_meter::tick() {
    if (style_ == progress_style::none) return;
    const auto now = clock_type::now();
    if (now - last_draw_ < (style_ == progress_style::bar ? bar_interval : line_interval)) return;
    last_draw_ = now;
    draw(false);
}

void progress_meter::finish() {
    if (style_ == progress_style::bar && drawn_) {
        std::fputs("\r\033[K", stderr);
        std::fflush(stderr);
    }
    drawn_ = false;
}

void progress_meter::draw(bool /*final*/) {
    const double secs = std::max(elapsed(), 1e-9);
    const auto p = passages();
    const auto b = bytes();
    char rate[96];
    std::snprintf(rate, sizeof rate, "%s passages  %.0f passages/s  %.1f MB/s  %s elapsed", with_commas(p).c_str(),
                  static_cast<double>(p) / secs, static_cast<double>(b) / secs / 1e6, clock_time(secs).c_str());
    std::string line;
    if (total_) {
        const double fraction = std::min(1.0, static_cast<double>(b) / static_cast<double>(*total_));
        if (style_ == progress_style::bar) {
            const int filled = static_cast<int>(fraction * bar_width);
            line += '[';
            line.append(static_cast<std::size_t>(filled), '#');
            line.append(static_cast<std::size_t>(bar_width - filled), '.');
            line += "] ";
        }
        char pct[64];
        const double eta = fraction > 0 ? secs * (1 - fraction) / fraction : 0;
        std::snprintf(pct, sizeof pct, "%3.0f%%  ", fraction * 100);
        line += pct;
        line += rate;
        if (fraction > 0) line += "  ETA " + clock_time(eta);
    } else {
        line += rate;
    }
    if (style_ == progress_style::bar) {
        std::fprintf(stderr, "\r\033[K%s", line.c_str());
        drawn_ = true;
    } else {
        std::fprintf(stderr, "progress: %s\n", line.c_str());
    }
    std::fflush(stderr);
}

}  // namespace rapport::cli
