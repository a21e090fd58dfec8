// SPDX-License-Identifier: MIT
#include "cli.hpp"

#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <system_error>

#include "rapport/core/error.hpp"

namespace rapport::cli {

bool parse_command(const command_args& args, const po::options_description& visible,
                   const po::options_description& hidden, const po::positional_options_description& positional,
                   std::string_view synopsis, std::string_view description, po::variables_map& vm) {
    po::options_description all;
    all.add(visible).add(hidden);
    all.add_options()("help,h", "show this help");
    try {
        po::store(po::command_line_parser(args.words).options(all).positional(positional).run(), vm);
        if (vm.count("help") != 0) {
            std::cout << "usage: rapport " << args.name << " " << synopsis << "\n\n"
                      << description << "\n\n"
                      << visible << "  -h [ --help ]                         show this help\n";
            return false;
        }
        po::notify(vm);
    } catch (const po::error& e) {
        throw usage_error(e.what());
    }
    return true;
}

void validate(boost::any& out, const std::vector<std::string>& values, count*, int) {
    po::validators::check_first_occurrence(out);
    const std::string& text = po::validators::get_single_string(values);
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || text.front() < '0' || text.front() > '9' || ec != std::errc() ||
        end != text.data() + text.size() || n > 1'000'000'000'000'000ULL)
    {
        po::error_with_option_name e("the argument ('%value%') for option '%canonical_option%' must be a whole "
                                     "number from 0 to 10^15, digits only");
        e.set_substitute("value", text);
        throw e;
    }
    out = count{n};
}

std::ostream& operator<<(std::ostream& os, const count& c) { return os << c.value; }

std::shared_ptr<storage::directory> open_index_dir(const std::filesystem::path& path) {
    return storage::fs_directory::open_existing(path);
}

bool is_terminal(int fd) noexcept { return ::isatty(fd) == 1; }

std::string with_commas(std::uint64_t n) {
    std::string digits = std::to_string(n);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

std::string human_bytes(std::uint64_t n) {
    char buf[32];
    const double v = static_cast<double>(n);
    if (n < 1000)
        std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(n));
    else if (n < 1000 * 1000)
        std::snprintf(buf, sizeof buf, "%.1f KB", v / 1e3);
    else if (n < 1000ull * 1000 * 1000)
        std::snprintf(buf, sizeof buf, "%.1f MB", v / 1e6);
    else
        std::snprintf(buf, sizeof buf, "%.2f GB", v / 1e9);
    return buf;
}

std::string clock_time(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) seconds = 0;
    const auto total = static_cast<unsigned long long>(seconds + 0.5);
    char buf[32];
    if (total >= 3600)
        std::snprintf(buf, sizeof buf, "%llu:%02llu:%02llu", total / 3600, total / 60 % 60, total % 60);
    else
        std::snprintf(buf, sizeof buf, "%llu:%02llu", total / 60, total % 60);
    return buf;
}

}  // namespace rapport::cli
