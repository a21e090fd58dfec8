// SPDX-License-Identifier: MIT
// The `rapport` command-line tool: what the subcommands share (option parsing conventions, error
// reporting, opening indexes, terminal detection). Each subcommand lives in its own file and is a
// function from its arguments to an exit code.
// Thread safety: the tool is a program; these helpers are used from its main thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/program_options.hpp>

#include "rapport/storage/fs_directory.hpp"

namespace rapport::cli {

namespace po = boost::program_options;

/// Exit codes: 0 success, 1 a runtime failure (bad file, corrupt index, ...), 2 bad usage,
/// 130 interrupted by SIGINT (128 + signal number, as shells report it).
inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_usage = 2;
inline constexpr int exit_interrupted = 130;

/// A mistake in the command line (unknown option, missing argument, bad value). Reported as one
/// line followed by a hint to run `--help`, with exit code 2.
class usage_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The value of a whole-number option (`po::value<count>()`): digits only, at most 10^15. Boost's
/// own unsigned conversion reads "-1" as 2^64 − 1, so a negative count would wrap instead of
/// failing; this type makes any sign, fraction or overflow a usage error naming the option.
struct count {
    std::uint64_t value = 0;
};
/// program_options' hook for `count` (found by argument-dependent lookup).
void validate(boost::any& out, const std::vector<std::string>& values, count*, int);
/// Prints the value (for --help's defaults).
std::ostream& operator<<(std::ostream& os, const count& c);

/// The arguments of one subcommand: its name (for messages) and the words after it.
struct command_args {
    std::string name;
    std::vector<std::string> words;
};

/// Parses `args.words` against `visible` options plus `positional` names (hidden options bound to
/// positional arguments). Handles `--help` by printing usage and returning false (the caller then
/// exits 0). Throws: `usage_error` on anything program_options rejects.
bool parse_command(const command_args& args, const po::options_description& visible,
                   const po::options_description& hidden, const po::positional_options_description& positional,
                   std::string_view synopsis, std::string_view description, po::variables_map& vm);

/// Opens the folder of an existing index for reading. Throws: `io_error` naming the path when it
/// does not exist or is not a folder.
[[nodiscard]] std::shared_ptr<storage::directory> open_index_dir(const std::filesystem::path& path);

/// True when file descriptor `fd` is a terminal (colours, progress bars).
[[nodiscard]] bool is_terminal(int fd) noexcept;

/// "12,345,678": an integer with thousands separators, for summaries people read.
[[nodiscard]] std::string with_commas(std::uint64_t n);
/// "49.0 MB", "812 KB", "17 B": a byte count in decimal units.
[[nodiscard]] std::string human_bytes(std::uint64_t n);
/// "1:02:03" or "4:05": a duration in seconds as h:mm:ss or m:ss.
[[nodiscard]] std::string clock_time(double seconds);

int run_index(const command_args& args);
int run_search(const command_args& args);
int run_eval(const command_args& args);
int run_stats(const command_args& args);
int run_check(const command_args& args);
int run_merge(const command_args& args);
int run_delete(const command_args& args);

}  // namespace rapport::cli
