// SPDX-License-Identifier: MIT
#include "rapport/index/indexing_queue.hpp"

#include <signal.h>

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "rapport/core/assert.hpp"
#include "rapport/index/index_writer.hpp"

namespace rapport::index {

struct indexing_queue::impl {
    impl(index_writer& w, indexing_queue_options o) : writer(w), options(std::move(o)) {}

    // Adds one article; an error becomes the run's failure, or a skip. Returns false on failure.
    bool add(ingest::article& article, const std::string& origin) noexcept {
        const std::uint64_t bytes = article.body.size() + article.title.size();
        try {
            const std::size_t passages = options.upsert ? writer.update(std::move(article)) : writer.add(std::move(article));
            if (options.on_added) options.on_added(passages, bytes);
            return true;
        } catch (const invalid_argument& e) {
            if (options.skip_invalid) {
                try {
                    std::lock_guard lock(mutex);  // on_skipped calls never overlap
                    if (options.on_skipped) options.on_skipped(origin, e);
                    return true;
                } catch (...) {
                    fail(std::current_exception());
                    return false;
                }
            }
            fail(origin.empty() ? std::current_exception()
                                : std::make_exception_ptr(invalid_argument(origin + ": " + e.what())));
        } catch (...) {
            fail(std::current_exception());
        }
        return false;
    }

    // A blocked producer resumes once the queue has drained to this: waking it at every free slot
    // made each article a round of context switches (107,000 of them on a two-thread load of
    // 145,582 passages, a sixth of the second thread's gain).
    std::size_t low_water() const noexcept { return options.capacity / 2; }

    void work() noexcept {
        for (;;) {
            std::pair<ingest::article, std::string> item;
            bool wake_producers = false;
            {
                std::unique_lock lock(mutex);
                not_empty.wait(lock, [&] { return !queue.empty() || closed || failed; });
                if (failed || queue.empty()) return;
                item = std::move(queue.front());
                queue.pop_front();
                wake_producers = waiting_producers != 0 && queue.size() <= low_water();
            }
            if (wake_producers) not_full.notify_all();
            if (!add(item.first, item.second)) return;
        }
    }

    void fail(std::exception_ptr e) noexcept {
        {
            std::lock_guard lock(mutex);
            if (!error) error = std::move(e);
            failed = true;
        }
        not_full.notify_all();
        not_empty.notify_all();
    }

    void close() noexcept {
        {
            std::lock_guard lock(mutex);
            closed = true;
        }
        not_empty.notify_all();
        not_full.notify_all();
        for (auto& w : workers)
            if (w.joinable()) w.join();
        workers.clear();
    }

    index_writer& writer;
    indexing_queue_options options;
    std::mutex mutex;
    std::condition_variable not_full, not_empty;
    std::deque<std::pair<ingest::article, std::string>> queue;
    std::size_t waiting_producers = 0;
    bool closed = false;
    bool failed = false;
    std::exception_ptr error;
    std::vector<std::thread> workers;
};

indexing_queue::indexing_queue(index_writer& writer, indexing_queue_options options)
    : impl_(std::make_unique<impl>(writer, std::move(options))) {
    RAPPORT_ASSERT(impl_->options.capacity >= 1);
    if (impl_->options.threads == 0) return;
    // Workers inherit the creating thread's signal mask: with SIGINT and SIGTERM blocked there,
    // the kernel delivers those signals to an application thread, where a handler can interrupt
    // a blocked read; a worker taking them would leave the producer waiting.
    sigset_t block, previous;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &previous);
    try {
        for (unsigned i = 0; i < impl_->options.threads; ++i) impl_->workers.emplace_back([this] { impl_->work(); });
    } catch (...) {
        pthread_sigmask(SIG_SETMASK, &previous, nullptr);
        impl_->close();
        throw;
    }
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

indexing_queue::~indexing_queue() { impl_->close(); }

bool indexing_queue::push(ingest::article article, std::string origin) {
    auto& q = *impl_;
    if (q.workers.empty()) {
        {
            std::lock_guard lock(q.mutex);
            if (q.failed || q.closed) return false;
        }
        return q.add(article, origin);
    }
    {
        std::unique_lock lock(q.mutex);
        if (q.queue.size() >= q.options.capacity && !q.failed && !q.closed) {
            ++q.waiting_producers;
            q.not_full.wait(lock, [&] { return q.queue.size() <= q.low_water() || q.failed || q.closed; });
            --q.waiting_producers;
        }
        if (q.failed || q.closed) return false;
        q.queue.emplace_back(std::move(article), std::move(origin));
    }
    q.not_empty.notify_one();
    return true;
}

void indexing_queue::finish() {
    impl_->close();
    std::exception_ptr e;
    {
        std::lock_guard lock(impl_->mutex);
        e = std::exchange(impl_->error, nullptr);
    }
    if (e) std::rethrow_exception(e);
}

void indexing_queue::close() noexcept { impl_->close(); }

bool indexing_queue::failed() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->failed;
}

}  // namespace rapport::index
