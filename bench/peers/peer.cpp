// SPDX-License-Identifier: MIT
#include "peer.hpp"

#include <filesystem>

#include <time.h>

namespace rapport::bench::peers {

const char* type_name(query_type type) noexcept {
    switch (type) {
        case query_type::any: return "OR";
        case query_type::all: return "AND";
        case query_type::phrase: return "phrase";
    }
    return "?";
}

double cpu_seconds(bool process) {
    timespec ts{};
    clock_gettime(process ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::uint64_t disk_bytes(const std::string& path) {
    namespace fs = std::filesystem;
    if (fs::is_regular_file(path)) return fs::file_size(path);
    std::uint64_t total = 0;
    for (const auto& e : fs::recursive_directory_iterator(path))
        if (e.is_regular_file()) total += e.file_size();
    return total;
}

void summarize_latencies(query_figures& f, std::vector<double> wall_us, std::vector<double> cpu_us) {
    const auto mean = [](const std::vector<double>& v) {
        double sum = 0;
        for (double x : v) sum += x;
        return v.empty() ? 0 : sum / static_cast<double>(v.size());
    };
    f.queries = wall_us.size();
    f.mean_us = mean(wall_us);
    f.p50_us = percentile(wall_us, 50);
    f.p99_us = percentile(wall_us, 99);
    if (cpu_us.empty()) return;
    f.mean_cpu_us = mean(cpu_us);
    f.p50_cpu_us = percentile(cpu_us, 50);
    f.p99_cpu_us = percentile(cpu_us, 99);
}

}  // namespace rapport::bench::peers
