// SPDX-License-Identifier: MIT
#include "lucene_peer.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string_view>

extern char** environ;

namespace rapport::bench::peers {

namespace {

std::string command_line(const std::vector<std::string>& argv) {
    std::string out;
    for (const auto& a : argv) {
        if (!out.empty()) out += ' ';
        out += a.find_first_of(" \t'\"") == std::string::npos ? a : "'" + a + "'";
    }
    return out;
}

double seconds_of(const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6;
}

// Tabs and line breaks would split a record of the line files.
void append_field(std::string& out, std::string_view text) {
    for (const char c : text) out += c == '\t' || c == '\n' || c == '\r' ? ' ' : c;
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.close();
    if (!out) throw std::runtime_error("cannot write " + path);
}

std::vector<std::string_view> split_tabs(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t at = 0;
    for (;;) {
        const auto tab = line.find('\t', at);
        out.push_back(line.substr(at, tab == std::string_view::npos ? std::string_view::npos : tab - at));
        if (tab == std::string_view::npos) return out;
        at = tab + 1;
    }
}

double number(std::string_view s, const std::string& what) {
    const std::string copy(s);
    char* end = nullptr;
    const double v = std::strtod(copy.c_str(), &end);
    if (copy.empty() || end != copy.c_str() + copy.size())
        throw std::runtime_error("LucenePeer output: " + what + " is not a number: '" + copy + "'");
    return v;
}

std::vector<std::string> java_command(const lucene_setup& setup) {
    return {setup.java, "-Xms" + setup.heap, "-Xmx" + setup.heap, "-cp", setup.classpath, "LucenePeer"};
}

// The `key<TAB>value` lines of LucenePeer's output (its `query` lines go to `queries`).
struct peer_output {
    std::unordered_map<std::string, std::string> values;
    std::vector<std::vector<std::string>> queries;

    [[nodiscard]] double get(const std::string& key) const {
        const auto it = values.find(key);
        if (it == values.end()) throw std::runtime_error("LucenePeer output: no " + key + " line");
        return number(it->second, key);
    }
};

peer_output read_output(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    peer_output out;
    for (std::string line; std::getline(in, line);) {
        const auto fields = split_tabs(line);
        if (fields.size() < 2) throw std::runtime_error("LucenePeer output " + path + ": unexpected line '" + line + "'");
        if (fields[0] == "query") {
            out.queries.emplace_back(fields.begin() + 1, fields.end());
        } else {
            out.values.emplace(std::string(fields[0]), std::string(fields[1]));
        }
    }
    return out;
}

}  // namespace

process_figures run_program(const std::vector<std::string>& argv, const std::string& stdout_path) {
    if (argv.empty()) throw std::runtime_error("run_program: no command");
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (!stdout_path.empty())
        posix_spawn_file_actions_addopen(&actions, 1, stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = 0;
    const auto t0 = std::chrono::steady_clock::now();
    const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot run " + command_line(argv) + ": " + std::strerror(rc));
    int status = 0;
    rusage usage{};
    while (wait4(pid, &status, 0, &usage) < 0)
        if (errno != EINTR) throw std::runtime_error("waiting for " + command_line(argv) + ": " + std::strerror(errno));
    process_figures f;
    f.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    f.cpu_seconds = seconds_of(usage.ru_utime) + seconds_of(usage.ru_stime);
    if (WIFSIGNALED(status))
        throw std::runtime_error(command_line(argv) + " was killed by signal " + std::to_string(WTERMSIG(status)));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw std::runtime_error(command_line(argv) + " failed with exit status " +
                                 std::to_string(WEXITSTATUS(status)) + " (its messages are above)");
    return f;
}

passage_numbers number_passages(const corpus& c) {
    passage_numbers out;
    out.reserve(c.docs.size());
    for (std::uint32_t i = 0; i < c.docs.size(); ++i) out.emplace(c.docs[i].id.value, i);
    return out;
}

void write_query_file(const std::string& path, std::span<const query> queries) {
    std::string text;
    for (const auto& [qid, q] : queries) {
        append_field(text, qid);
        text += '\t';
        append_field(text, q);
        text += '\n';
    }
    write_file(path, text);
}

std::string lucene_config(const lucene_setup& setup) {
    return "4.10.4 (Debian jars) in " + setup.java + " -Xmx" + setup.heap +
           "; EnglishAnalyzer (StandardTokenizer, possessives, lowercase, 33 stopwords, Porter), positions, id "
           "stored; BM25Similarity(0.9, 0.4) (1-byte norms); 1 thread (SerialMergeScheduler, "
           "LogByteSizeMergePolicy), 64 MB RAM buffer, forceMerge(1), 1 commit (fsync); MMapDirectory; "
           "BooleanQuery SHOULD / MUST of TermQuerys, PhraseQuery with positions, from the analyzer's "
           "TokenStream; TopDocs, " + std::to_string(setup.warm_passes) + " warm pass(es) (JIT)";
}

lucene_build_run lucene_build(const lucene_setup& setup, const corpus& c, const std::string& work_dir,
                              const std::string& index_dir) {
    const std::string passages = work_dir + "/lucene-passages.tsv";
    {
        std::string text;
        text.reserve(c.text_bytes + c.docs.size() * 16);
        for (const auto& d : c.docs) {
            append_field(text, d.id.value);
            text += '\t';
            append_field(text, d.body);
            text += '\n';
        }
        write_file(passages, text);
    }
    auto argv = java_command(setup);
    argv.insert(argv.end(), {"index", index_dir, passages});
    const std::string output = work_dir + "/lucene-index.out";
    (void)run_program(argv, output);
    const auto out = read_output(output);
    lucene_build_run run;
    auto& f = run.f;
    f.passages = static_cast<std::size_t>(out.get("passages"));
    if (f.passages != c.docs.size())
        throw std::runtime_error("LucenePeer indexed " + std::to_string(f.passages) + " passages of " +
                                 std::to_string(c.docs.size()));
    f.seconds = out.get("build_seconds");
    f.finish_seconds = out.get("finish_seconds");
    f.cpu_seconds = out.get("cpu_seconds");
    f.index_bytes = f.live_bytes = disk_bytes(index_dir);
    run.thread_cpu_seconds = out.get("thread_cpu_seconds");
    run.merge_seconds = out.get("merge_seconds");
    std::remove(passages.c_str());
    return run;
}

lucene_run lucene_query(const lucene_setup& setup, const std::string& index_dir, const std::string& work_dir,
                        std::span<const query> queries, query_type type, std::size_t k,
                        const passage_numbers& numbers) {
    const std::string queries_path = work_dir + "/lucene-queries.tsv";
    const std::string output = work_dir + "/lucene-search.out";
    write_query_file(queries_path, queries);
    auto argv = java_command(setup);
    argv.insert(argv.end(), {"search", index_dir, queries_path, std::to_string(k),
                             type == query_type::any ? "or" : type == query_type::all ? "and" : "phrase",
                             std::to_string(setup.warm_passes)});
    (void)run_program(argv, output);
    const auto out = read_output(output);
    if (out.queries.size() != queries.size())
        throw std::runtime_error("LucenePeer answered " + std::to_string(out.queries.size()) + " queries of " +
                                 std::to_string(queries.size()));
    lucene_run run;
    run.open_ms = out.get("open_ms");
    std::vector<double> wall, cpu;
    auto& f = run.f;
    for (std::size_t q = 0; q < queries.size(); ++q) {
        const auto& fields = out.queries[q];  // qid, wall us, cpu us, total hits, ids
        if (fields.size() != 5) throw std::runtime_error("LucenePeer output: query line with " +
                                                         std::to_string(fields.size()) + " fields");
        std::string expected_qid;
        append_field(expected_qid, queries[q].first);
        if (fields[0] != expected_qid)
            throw std::runtime_error("LucenePeer output: query " + fields[0] + " where " + expected_qid + " was expected");
        wall.push_back(number(fields[1], "wall us"));
        cpu.push_back(number(fields[2], "cpu us"));
        const auto hits = static_cast<std::uint64_t>(number(fields[3], "total hits"));
        if (hits == 0) ++f.empty;
        if (type != query_type::any) f.matches.push_back(hits);
        ranking top;
        std::string_view ids(fields[4]);
        while (!ids.empty()) {
            const auto space = ids.find(' ');
            const std::string id(ids.substr(0, space));
            ids = space == std::string_view::npos ? std::string_view() : ids.substr(space + 1);
            const auto it = numbers.find(id);
            if (it == numbers.end()) throw std::runtime_error("LucenePeer output: unknown passage id '" + id + "'");
            top.push_back(it->second);
        }
        f.top.push_back(std::move(top));
    }
    summarize_latencies(f, std::move(wall), std::move(cpu));
    std::remove(queries_path.c_str());
    std::remove(output.c_str());
    return run;
}

}  // namespace rapport::bench::peers
