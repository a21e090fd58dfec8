// SPDX-License-Identifier: MIT
// Crash safety of the on-disk index: a forked child indexes, updates, removes and commits in a
// loop over an fs_directory (small RAM budget and merge factor 3, so flushes and merges are
// frequent); the parent SIGKILLs it at random moments, most of them inside a commit, then checks
// that the index opens, passes check_index, and holds exactly the articles of the last commit
// that returned, or of the commit in flight if its manifest was already published. A new child
// then continues on the same folder, which exercises recovery: the lock the kernel released,
// leftover files, garbage collection.
//
// Side channel: a pipe. Before each commit the child writes "P <generation> <id>:<version> ..."
// (the state generation g+1 will hold); after commit() returns it writes "C <generation> <merges>
// <flushes>" (the session's merges and RAM-budget flushes so far). A kill
// can land between the manifest rename and the "C" line, so any generation announced after the
// last "C" is accepted too, with exactly its announced state. "B" marks the start of a burst of
// adds long enough for the RAM budget to flush segments. A child that fails writes "E <message>"
// and exits.
//
// RAPPORT_CRASH_KILLS sets the number of kills (default 200); RAPPORT_CRASH_SEED the seed of the
// operations and kill times (default: random, printed); RAPPORT_CRASH_DIR the folder the index
// lives under (default /dev/shm when it exists, else the system temporary folder). A kill loses
// no written data on any file system (the page cache survives the process), so tmpfs tests the
// same orderings as a disk while its free fsync lets many more commits run between kills; set
// RAPPORT_CRASH_DIR=/tmp to aim the kills at a real disk's fsync waits instead.
#include <doctest/doctest.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <poll.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rapport/core/error.hpp"
#include "rapport/index/check_index.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/index/index_writer.hpp"
#include "rapport/search/searcher.hpp"
#include "rapport/storage/fs_directory.hpp"
#include "reliability/reliability.hpp"

using namespace rapport;
using reliability::make_article;

namespace {

using state_map = std::map<std::string, std::uint64_t>;  // live article id → version

// A commit the index is known (or announced) to hold.
struct commit_state {
    std::uint64_t generation = 0;
    state_map live;
};

index::index_writer_options writer_options() {
    index::index_writer_options o;
    o.ram_budget_mb = 1;
    o.merges.merge_factor = 3;
    o.merges.floor_passages = 4;  // several tiers, so merged segments merge again
    return o;
}

// ---- child side: no doctest macros, leaves through _exit ----------------------------------------

void emit(int fd, const std::string& line) {
    std::string_view rest = line;
    while (!rest.empty()) {
        const auto n = ::write(fd, rest.data(), rest.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) ::_exit(4);
        rest.remove_prefix(static_cast<std::size_t>(n));
    }
}

std::string announce_line(std::uint64_t generation, const state_map& live) {
    std::string s = "P " + std::to_string(generation);
    for (const auto& [id, version] : live) s += " " + id + ":" + std::to_string(version);
    return s + "\n";
}

template <class Map>
typename Map::const_iterator pick(const Map& m, std::mt19937_64& rng) {
    auto it = m.begin();
    std::advance(it, static_cast<std::ptrdiff_t>(rng() % m.size()));
    return it;
}

// Indexes and commits forever from `start` (the state the parent verified); ids and versions
// made in round `round` are new to the index.
[[noreturn]] void run_child(const std::filesystem::path& path, int fd, std::uint64_t round, commit_state start,
                            std::uint64_t seed) noexcept {
    try {
        std::mt19937_64 rng(seed);
        auto dir = std::shared_ptr<storage::directory>(storage::fs_directory::create_or_open(path));
        index::index_writer w(dir, writer_options());
        if (w.generation() != start.generation)
            throw std::runtime_error("the writer opened generation " + std::to_string(w.generation()) +
                                     ", the reader saw " + std::to_string(start.generation));
        state_map live = std::move(start.live);
        std::vector<std::string> removed;
        std::uint64_t next_id = 0;
        std::uint64_t next_version = round * 1000000;  // unique per write, so a resurrected version shows
        const std::string prefix = "r" + std::to_string(round) + "n";
        std::uint64_t ram_flushes = 0;
        for (;;) {
            const auto flushed_before = w.stats().flushed_segments;
            std::vector<std::string> batch;
            std::size_t adds = 1 + rng() % 4;
            if (rng() % 100 < 6) {  // a burst: the 1 MiB budget flushes inside add()
                adds += 900;  // about 740 of these articles fill 1 MiB
                emit(fd, "B\n");
            }
            for (std::size_t i = 0; i < adds; ++i) {
                const auto id = prefix + std::to_string(next_id++);
                const auto version = next_version++;
                w.add(make_article(id, version));
                live[id] = version;
                batch.push_back(id);
            }
            if (rng() % 100 < 35 && !live.empty()) {  // update a committed (or pending) article
                const auto id = pick(live, rng)->first;
                const auto version = next_version++;
                w.update(make_article(id, version));
                live[id] = version;
            }
            if (rng() % 100 < 10) {  // update an article of this batch, still in memory
                const auto& id = batch[rng() % batch.size()];
                const auto version = next_version++;
                w.update(make_article(id, version));
                live[id] = version;
            }
            if (rng() % 100 < 30 && !live.empty()) {
                const auto id = pick(live, rng)->first;
                w.remove({id});
                live.erase(id);
                removed.push_back(id);
            }
            if (rng() % 100 < 8) {  // remove an article of this batch (deletes before the flush)
                const auto& id = batch[rng() % batch.size()];
                if (live.erase(id) != 0) {
                    w.remove({id});
                    removed.push_back(id);
                }
            }
            if (rng() % 100 < 10 && !removed.empty()) {  // add a removed id again: it must stay
                const auto id = removed[rng() % removed.size()];
                if (!live.contains(id)) {
                    const auto version = next_version++;
                    w.add(make_article(id, version));
                    live[id] = version;
                }
            }
            while (live.size() > 120) {  // keep the index small after bursts
                const auto id = pick(live, rng)->first;
                w.remove({id});
                live.erase(id);
                removed.push_back(id);
            }
            ram_flushes += w.stats().flushed_segments - flushed_before;
            const auto g = w.generation();
            if (rng() % 100 < 5) {
                // merge_all commits (g+1) and then, if it merges, commits again (g+2).
                emit(fd, announce_line(g + 1, live) + announce_line(g + 2, live));
                w.merge_all();
                if (w.generation() != g + 1 && w.generation() != g + 2)
                    throw std::runtime_error("merge_all published generation " + std::to_string(w.generation()));
            } else {
                emit(fd, announce_line(g + 1, live));
                w.commit();
                if (w.generation() != g + 1)
                    throw std::runtime_error("commit published generation " + std::to_string(w.generation()));
            }
            emit(fd, "C " + std::to_string(w.generation()) + " " + std::to_string(w.stats().merges) + " " +
                         std::to_string(ram_flushes) + "\n");
        }
    } catch (const std::exception& e) {
        std::string what = e.what();
        for (auto& c : what)
            if (c == '\n') c = ' ';
        emit(fd, "E " + what + "\n");
    } catch (...) {
        emit(fd, "E unknown exception\n");
    }
    ::_exit(3);
}

// ---- parent side --------------------------------------------------------------------------------

// What the child reported in one round.
struct round_log {
    std::string text;                                   // everything read so far
    std::vector<commit_state> announced;                // "P" lines, in order
    std::vector<std::chrono::steady_clock::time_point> announced_at;  // when each "P" line arrived
    std::vector<std::chrono::nanoseconds> commit_spans;  // from the last "P" line to each "C" line
    std::vector<std::chrono::steady_clock::time_point> bursts_at;  // when each "B" line arrived
    std::vector<std::chrono::nanoseconds> burst_spans;  // from a "B" line to the next "P" line
    std::vector<std::size_t> committed;                 // per "C" line: announced.size() at that point
    std::vector<std::uint64_t> committed_generations;   // the generation of each "C" line
    std::uint64_t merges = 0;                           // from the last "C" line
    std::uint64_t ram_flushes = 0;                    // from the last "C" line
    std::string error;                                  // the "E" line
    std::size_t parsed = 0;                             // bytes of `text` parsed (whole lines)
};

void parse_lines(round_log& log) {
    for (;;) {
        const auto nl = log.text.find('\n', log.parsed);
        if (nl == std::string::npos) return;  // an incomplete last line (the kill cut it) is ignored
        std::istringstream line(log.text.substr(log.parsed, nl - log.parsed));
        log.parsed = nl + 1;
        std::string tag;
        line >> tag;
        if (tag == "P") {
            commit_state s;
            line >> s.generation;
            std::string item;
            while (line >> item) {
                const auto colon = item.rfind(':');
                s.live[item.substr(0, colon)] = std::stoull(item.substr(colon + 1));
            }
            log.announced.push_back(std::move(s));
            log.announced_at.push_back(std::chrono::steady_clock::now());
            if (log.bursts_at.size() > log.burst_spans.size())
                log.burst_spans.push_back(log.announced_at.back() - log.bursts_at.back());
        } else if (tag == "C") {
            std::uint64_t g = 0;
            line >> g >> log.merges >> log.ram_flushes;
            log.committed.push_back(log.announced.size());
            log.committed_generations.push_back(g);
            if (!log.announced_at.empty())
                log.commit_spans.push_back(std::chrono::steady_clock::now() - log.announced_at.back());
        } else if (tag == "B") {
            log.bursts_at.push_back(std::chrono::steady_clock::now());
        } else if (tag == "E") {
            std::getline(line, log.error);
        }
    }
}

// Reads from `fd` until `deadline`, or until the log holds `announcements` "P" lines or `bursts`
// "B" lines; false at EOF.
bool read_until(int fd, round_log& log, std::chrono::steady_clock::time_point deadline,
                std::size_t announcements = SIZE_MAX, std::size_t bursts = SIZE_MAX) {
    char buf[65536];
    for (;;) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline || log.announced.size() >= announcements || log.bursts_at.size() >= bursts) return true;
        const auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - now).count();
        timespec ts{static_cast<time_t>(left / 1000000000), static_cast<long>(left % 1000000000)};
        pollfd p{fd, POLLIN, 0};
        const int rc = ::ppoll(&p, 1, &ts, nullptr);
        if (rc < 0 && errno == EINTR) continue;
        if (rc <= 0) continue;  // timeout: the loop sees the deadline
        const auto n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        log.text.append(buf, static_cast<std::size_t>(n));
        parse_lines(log);
    }
}

struct crash_stats {
    std::uint64_t kills = 0;
    std::uint64_t kills_in_commit = 0;    // between a "P" line and its "C" line
    std::uint64_t kills_in_burst = 0;     // between a "B" line and the next "P" line
    std::uint64_t newer_than_reported = 0;  // the index held a commit whose "C" line never came
    std::uint64_t commits_reported = 0;
    std::uint64_t merges = 0;
    std::uint64_t ram_flushes = 0;
    std::uint64_t rounds_with_leftovers = 0;  // files no commit refers to were on disk after the kill
    std::uint64_t max_segments = 0;
};

// Checks the folder after a kill against the states the round allows; returns the one it holds.
commit_state verify_after_kill(const std::filesystem::path& path, const commit_state& baseline, const round_log& log,
                               crash_stats& stats) {
    // Allowed: the last commit that returned (or the baseline), or any announced after it.
    std::vector<const commit_state*> allowed;
    std::size_t first_unreported = 0;
    if (log.committed.empty()) {
        allowed.push_back(&baseline);
    } else {
        const auto g = log.committed_generations.back();
        for (std::size_t i = 0; i < log.committed.back(); ++i)
            if (log.announced[i].generation == g) allowed.push_back(&log.announced[i]);
        REQUIRE_MESSAGE(allowed.size() >= 1, "the child reported generation " << g << " it never announced");
        allowed.erase(allowed.begin(), allowed.end() - 1);  // the latest announcement of g
        first_unreported = log.committed.back();
    }
    for (std::size_t i = first_unreported; i < log.announced.size(); ++i) allowed.push_back(&log.announced[i]);

    auto dir = std::shared_ptr<storage::directory>(storage::fs_directory::open_existing(path));
    std::optional<index::index_reader> reader;
    try {
        reader.emplace(index::index_reader::open(dir));
    } catch (const std::exception& e) {
        FAIL("index_reader::open failed after the kill: " << e.what());
    }
    const auto report = index::check_index(dir);
    if (!report.ok()) {
        std::string problems;
        for (const auto& p : report.problems) problems += "\n  " + p;
        FAIL("check_index found problems after the kill:" << problems);
    }
    const commit_state* expected = nullptr;
    for (const auto* s : allowed)
        if (s->generation == reader->generation()) expected = s;
    if (expected == nullptr) {
        std::string gens;
        for (const auto* s : allowed) gens += " " + std::to_string(s->generation);
        FAIL("the index holds generation " << reader->generation() << "; allowed:" << gens);
    }
    if (expected->generation > (log.committed.empty() ? baseline.generation : log.committed_generations.back()))
        ++stats.newer_than_reported;

    const auto content = reliability::enumerate(*reader);
    if (!content.problems.empty()) FAIL("stored fields: " << content.problems.front());
    for (const auto& [id, versions] : content.versions) {
        const auto it = expected->live.find(id);
        if (it == expected->live.end())
            FAIL("generation " << expected->generation << " holds article " << id << ", which it should not");
        if (versions.size() != 1 || *versions.begin() != it->second)
            FAIL("generation " << expected->generation << ": article " << id << " has " << versions.size()
                               << " live version(s), first v" << *versions.begin() << "; expected v" << it->second);
    }
    for (const auto& [id, version] : expected->live)
        if (!content.versions.contains(id))
            FAIL("generation " << expected->generation << " lost article " << id << " v" << version);
    // The postings agree with the stored fields: each article's unique term finds its passages.
    search::searcher s(*reader);
    for (const auto& [id, version] : expected->live) {
        const auto hits = s.search(reliability::unique_term(id), {.k = 8});
        bool sound = hits.size() == content.passages.at(id);
        for (const auto& h : hits) sound = sound && h.article.value == id && h.title == make_article(id, version).title;
        if (!sound) FAIL("generation " << expected->generation << ": the search for article " << id << " finds "
                                       << hits.size() << " passage(s)");
    }

    std::size_t leftovers = 0;
    const auto keep = reliability::referenced_files(reader->commit());
    for (const auto& name : dir->list())
        if (!keep.contains(name)) ++leftovers;
    if (leftovers > 0) ++stats.rounds_with_leftovers;
    stats.max_segments = std::max<std::uint64_t>(stats.max_segments, reader->segments().size());
    return *expected;
}

}  // namespace

TEST_CASE("reliability: an index killed at random moments reopens at its last published commit") {
    const auto kills = reliability::env_number("RAPPORT_CRASH_KILLS", 200);
    const auto seed = reliability::env_number("RAPPORT_CRASH_SEED", 20261203);
    MESSAGE("crash test: " << kills << " kills, RAPPORT_CRASH_SEED=" << seed);
    std::mt19937_64 rng(seed);

    std::filesystem::path base = std::filesystem::temp_directory_path();
    if (const char* d = std::getenv("RAPPORT_CRASH_DIR"); d != nullptr && *d != '\0')
        base = d;
    else if (::access("/dev/shm", W_OK) == 0)
        base = "/dev/shm";
    MESSAGE("crash test: index under " << base.string());
    reliability::scratch_folder scratch(base);
    const auto path = scratch.path() / "index";
    commit_state state;
    {
        auto dir = std::shared_ptr<storage::directory>(storage::fs_directory::create_or_open(path));
        index::index_writer w(dir, writer_options());
        state.generation = w.generation();
    }

    crash_stats stats;
    double mean_commit_ns = 5e6;  // running mean of P → C time, to aim kills into commits
    double mean_burst_ns = 50e6;  // running mean of B → P time, to aim kills into RAM-budget flushes
    const auto started = std::chrono::steady_clock::now();
    for (std::uint64_t round = 0; round < kills; ++round) {
        CAPTURE(round);
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        const auto child_seed = rng();
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::close(fds[0]);
            run_child(path, fds[1], round + 1, state, child_seed);
        }
        ::close(fds[1]);

        // Where to kill: soon after the start (opening, recovery, garbage collection); a random
        // time into the first burst of adds (flushes); or a random time after the k-th announced
        // commit began, scaled to how long commits take.
        round_log log;
        const auto forked = std::chrono::steady_clock::now();
        const auto guard = forked + std::chrono::seconds(20);
        bool alive = true;
        std::chrono::steady_clock::time_point kill_at;
        const auto mode = rng() % 100;
        if (mode < 12) {
            kill_at = forked + std::chrono::microseconds(rng() % 15000);
        } else if (mode < 24) {
            alive = read_until(fds[0], log, guard, SIZE_MAX, 1);
            kill_at = std::chrono::steady_clock::now() +
                      std::chrono::nanoseconds(static_cast<std::int64_t>(
                          mean_burst_ns * std::uniform_real_distribution<>(0, 1)(rng)));
        } else {
            const std::size_t k = 1 + rng() % 3;
            alive = read_until(fds[0], log, guard, k);
            const double span = mean_commit_ns * (rng() % 100 < 80 ? 1.2 : 3.0);
            kill_at = std::chrono::steady_clock::now() + std::chrono::nanoseconds(static_cast<std::int64_t>(
                                                             span * std::uniform_real_distribution<>(0, 1)(rng)));
        }
        if (alive) alive = read_until(fds[0], log, std::min(kill_at, guard));
        ::kill(pid, SIGKILL);
        const bool in_commit = log.announced.size() > (log.committed.empty() ? 0 : log.committed.back());
        const bool in_burst = log.bursts_at.size() > log.burst_spans.size();
        while (read_until(fds[0], log, std::chrono::steady_clock::now() + std::chrono::seconds(10))) {
            if (std::chrono::steady_clock::now() > guard + std::chrono::seconds(10)) break;
        }
        ::close(fds[0]);
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        REQUIRE_MESSAGE(log.error.empty(), "the child failed: " << log.error);
        REQUIRE_MESSAGE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL),
                        "the child ended by itself, status " << status);
        REQUIRE_MESSAGE(std::chrono::steady_clock::now() < guard, "the child made no progress for 20 s");

        ++stats.kills;
        if (in_commit) ++stats.kills_in_commit;
        if (in_burst) ++stats.kills_in_burst;
        stats.commits_reported += log.committed.size();
        stats.merges += log.merges;
        stats.ram_flushes += log.ram_flushes;
        state = verify_after_kill(path, state, log, stats);
        // P → C spans of this round refine the aim.
        for (const auto span : log.commit_spans)
            mean_commit_ns = 0.8 * mean_commit_ns + 0.2 * static_cast<double>(span.count());
        for (const auto span : log.burst_spans)
            mean_burst_ns = 0.7 * mean_burst_ns + 0.3 * static_cast<double>(span.count());
    }
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    // A last writer recovers the folder: garbage collection leaves only the commit's files, and it
    // can still commit on top of the crashed history.
    {
        auto dir = std::shared_ptr<storage::directory>(storage::fs_directory::create_or_open(path));
        index::index_writer w(dir, writer_options());
        CHECK(w.generation() == state.generation);
        const auto keep = reliability::referenced_files(index::index_reader::open(dir).commit());
        for (const auto& name : dir->list()) CHECK_MESSAGE(keep.contains(name), "leftover " << name);
        w.add(make_article("final", 1));
        w.commit();
        const auto r = index::index_reader::open(dir);
        CHECK(r.generation() == state.generation + 1);
        CHECK(reliability::enumerate(r).versions.size() == state.live.size() + 1);
        CHECK(index::check_index(dir).ok());
    }
    MESSAGE("crash test: " << stats.kills << " kills (" << stats.kills_in_commit << " inside a commit, "
                           << stats.kills_in_burst << " inside a burst of adds, " << stats.newer_than_reported
                           << " found the unreported commit published), "
                           << stats.commits_reported << " commits returned (mean " << mean_commit_ns / 1e6
                           << " ms), " << stats.merges << " merges, " << stats.ram_flushes
                           << " RAM-budget flushes; " << stats.rounds_with_leftovers
                           << " kills left unreferenced files, up to " << stats.max_segments << " segments, "
                           << seconds << " s");
    CHECK(stats.kills == kills);
}
