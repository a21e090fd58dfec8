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

}  // namespace rapport::bench::peers
