// SPDX-License-Identifier: MIT
// rapport: build, query, evaluate and maintain rapport indexes from the shell.
//
//   rapport index  --index DIR INPUT...          build or extend an index
//   rapport search --index DIR QUERY...          query it (or --queries FILE.tsv)
//   rapport eval   --qrels FILE RUN              score a TREC run
//   rapport stats  --index DIR                   what an index holds
//   rapport check  --index DIR                   verify every byte of an index
//   rapport merge  --index DIR                   merge all segments into one
//   rapport delete --index DIR --id ARTICLE_ID   delete an article
//
// Every failure is one line on stderr naming the file, line or argument at fault, and a non-zero
// exit code (1 failure, 2 bad usage, 130 interrupted).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>

#include "cli.hpp"
#include "rapport/core/error.hpp"
#include "rapport/version.hpp"

namespace {

constexpr std::string_view overview =
    "usage: rapport COMMAND [OPTIONS]\n"
    "\n"
    "Commands:\n"
    "  index   build or extend an index from .txt folders, JSONL files or stdin\n"
    "  update  as index --upsert: an article whose id is in the index replaces it\n"
    "  search  query an index: pretty results, JSON lines or a TREC run\n"
    "  eval    score a TREC run against relevance judgments (MAP, nDCG@10, ...)\n"
    "  stats   segments, passages, terms and size of an index\n"
    "  check   verify every checksum and structure of an index\n"
    "  merge   merge every segment of an index into one\n"
    "  delete  delete an article (all of its passages) by id\n"
    "\n"
    "Run 'rapport COMMAND --help' for the options of a command; 'rapport --version' for the version.\n";

struct command {
    std::string_view name;
    int (*run)(const rapport::cli::command_args&);
};

constexpr command commands[] = {
    {"index", rapport::cli::run_index}, {"search", rapport::cli::run_search}, {"eval", rapport::cli::run_eval},
    {"stats", rapport::cli::run_stats}, {"check", rapport::cli::run_check},   {"merge", rapport::cli::run_merge},
    {"delete", rapport::cli::run_delete}, {"update", rapport::cli::run_index},
};

// Whether everything written to stdout reached it (a full disk, /dev/full, a closed pipe make it
// fail); reports a failure on stderr. A truncated output must never look done.
bool stdout_written(std::string_view name) {
    errno = 0;
    std::cout.flush();
    const bool flushed = std::fflush(stdout) == 0;
    const int code = errno;
    if (flushed && std::ferror(stdout) == 0 && std::cout.good()) return true;
    std::cerr << "rapport" << (name.empty() ? "" : " ") << name
              << ": stdout: write failed: " << (code != 0 ? std::strerror(code) : "I/O error") << "\n";
    return false;
}

int run(int argc, char** argv, std::string_view& name) {
    using namespace rapport::cli;
    if (argc < 2) {
        std::cerr << overview;
        return exit_usage;
    }
    const std::string_view first = argv[1];
    if (first == "--help" || first == "-h" || first == "help") {
        std::cout << overview;
        return exit_ok;
    }
    if (first == "--version" || first == "-V") {
        std::cout << "rapport " << RAPPORT_VERSION_STRING << "\n";
        return exit_ok;
    }
    const command* found = nullptr;
    for (const auto& c : commands)
        if (c.name == first) found = &c;
    if (found == nullptr) {
        std::cerr << "rapport: unknown command '" << first << "'\nTry 'rapport --help'.\n";
        return exit_usage;
    }
    name = found->name;
    command_args args{std::string(first), {argv + 2, argv + argc}};
    try {
        return found->run(args);
    } catch (const usage_error& e) {
        std::cerr << "rapport " << args.name << ": " << e.what() << "\nTry 'rapport " << args.name << " --help'.\n";
        return exit_usage;
    } catch (const rapport::error& e) {
        std::cerr << "rapport " << args.name << ": error: " << e.what() << "\n";
        return exit_failure;
    } catch (const std::bad_alloc&) {
        std::cerr << "rapport " << args.name << ": error: out of memory\n";
        return exit_failure;
    } catch (const std::exception& e) {
        std::cerr << "rapport " << args.name << ": error: " << e.what() << "\n";
        return exit_failure;
    }
}

}  // namespace

int main(int argc, char** argv) {
    std::string_view name;
    const int code = run(argc, argv, name);
    if (!stdout_written(name)) return code == rapport::cli::exit_ok ? rapport::cli::exit_failure : code;
    return code;
}
