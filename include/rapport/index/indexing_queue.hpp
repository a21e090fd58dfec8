// SPDX-License-Identifier: MIT
// A bounded queue that feeds articles to an `index_writer` from worker threads: one thread reads
// input (files, a network stream) and pushes articles; N workers pop them and call
// `index_writer::add`, which analyses each article in the calling thread's own segment builder,
// so analysis runs in parallel. The first failure stops the run; articles the writer rejects as
// invalid may be skipped instead.
//
// Thread safety: `push`, `finish` and `close` are called from one producer thread. The callbacks
// run on the worker threads (or on the producer with no workers): `on_added` concurrently with
// itself, `on_skipped` never concurrently with itself. Worker threads block SIGINT and SIGTERM, so
// those signals reach the application's own threads (e.g. to interrupt a read blocked on stdin).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "rapport/core/error.hpp"
#include "rapport/core/export.hpp"
#include "rapport/ingest/article.hpp"

namespace rapport::index {

class index_writer;

/// Settings of an `indexing_queue`.
struct indexing_queue_options {
    /// Worker threads; 0 adds each article on the producer thread, inside `push`.
    unsigned threads = 0;
    /// Articles waiting at most; `push` blocks while the queue is full. At least 1.
    std::size_t capacity = 256;
    /// Skip an article that `index_writer::add` rejects with `invalid_argument` (empty id, invalid
    /// UTF-8) and report it to `on_skipped`, instead of failing the run.
    bool skip_invalid = false;
    /// Add each article with `index_writer::update` (replacing every passage of its id, committed
    /// or not) instead of `add`.
    bool upsert = false;
    /// Called after each added article with its passage count and its title and body bytes
    /// (e.g. for a progress meter). May be empty.
    std::function<void(std::size_t passages, std::uint64_t bytes)> on_added;
    /// Called for each skipped article with its origin (as given to `push`) and the error.
    /// May be empty.
    std::function<void(const std::string& origin, const invalid_argument& error)> on_skipped;
};

/// Feeds articles to an `index_writer` on worker threads through a bounded queue.
class RAPPORT_API indexing_queue {
public:
    /// Starts `options.threads` workers that add to `writer`.
    /// Requires: `writer` outlives the queue; `options.capacity` ≥ 1.
    /// Throws: `std::system_error` if a thread cannot be started.
    explicit indexing_queue(index_writer& writer, indexing_queue_options options = {});
    /// Waits for the queued articles and joins the workers (as `close`); a failure not yet
    /// rethrown by `finish` is dropped.
    ~indexing_queue();
    indexing_queue(const indexing_queue&) = delete;
    indexing_queue& operator=(const indexing_queue&) = delete;

    /// Queues `article`; `origin` names it in error messages ("docs.jsonl:17", a file name; may be
    /// empty). Blocks while the queue is full. With no workers the article is added now.
    /// Returns false, without queuing, once the run has failed (`finish` rethrows the failure) or
    /// the queue is closed; the producer should stop reading then.
    bool push(ingest::article article, std::string origin = {});
    /// Waits until every queued article is added and joins the workers, then rethrows the first
    /// failure, if any: `invalid_argument` whose message starts with the article's origin, or what
    /// the writer threw (`io_error`, ...). Articles added before a failure stay in the writer,
    /// uncommitted.
    /// Throws: the first failure of the run.
    void finish();
    /// Waits until every queued article is added and joins the workers, without rethrowing.
    /// Further pushes return false. Safe to call more than once.
    void close() noexcept;
    /// Whether an article failed (and was not skipped).
    [[nodiscard]] bool failed() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace rapport::index
