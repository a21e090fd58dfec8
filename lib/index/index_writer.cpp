// SPDX-License-Identifier: MIT
#include "rapport/index/index_writer.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "index/passage_pipeline.hpp"
#include "index/manifest_writer.hpp"
#include "index/segment_merger.hpp"
#include "rapport/codec/term_dictionary.hpp"
#include "rapport/core/assert.hpp"
#include "rapport/core/error.hpp"
#include "rapport/core/varint.hpp"
#include "rapport/index/disk_segment.hpp"
#include "rapport/index/manifest.hpp"
#include "rapport/storage/directory.hpp"

namespace rapport::index {

namespace {

// One thread's in-memory segment builder. `seqs[d]` is the operation number that added passage d,
// so that a delete numbered s removes exactly the matching passages added before it.
struct builder_slot {
    explicit builder_slot(const index_options& o) : pipeline(o), writer(o.analyzer.case_fold, o.schema) {}
    detail::passage_pipeline pipeline;
    segment_writer writer;
    std::vector<std::uint64_t> seqs;
};

// The operation numbers of a flushed segment's passages (builder_slot::seqs) as varints of their
// zigzagged differences: a byte or two a passage where the vector took eight (on a bulk load of
// 145,582 passages at a 16 MB budget, the vectors were 2.1 MB of the peak, growing with the run).
class packed_seqs {
public:
    packed_seqs() = default;
    explicit packed_seqs(const std::vector<std::uint64_t>& seqs) : count_(seqs.size()) {
        std::uint64_t previous = 0;
        for (const auto s : seqs) {
            put_varint(bytes_, codec::detail::zigzag_encode(s - previous));
            previous = s;
        }
        bytes_.shrink_to_fit();
    }
    [[nodiscard]] std::vector<std::uint64_t> unpack() const {
        std::vector<std::uint64_t> out;
        out.reserve(count_);
        const char* p = bytes_.data();
        const char* const limit = p + bytes_.size();
        std::uint64_t s = 0;
        while (p != limit) {
            std::uint64_t v = 0;
            p = get_varint(p, limit, v);
            RAPPORT_ASSERT(p != nullptr);
            s += codec::detail::zigzag_decode(v);
            out.push_back(s);
        }
        RAPPORT_ASSERT(out.size() == count_);
        return out;
    }
    [[nodiscard]] std::size_t memory_usage() const noexcept { return sizeof(*this) + bytes_.capacity(); }

private:
    std::size_t count_ = 0;
    std::string bytes_;
};

// A segment flushed since the last commit: on disk, not yet in any manifest. Its article keys
// are looked up in its files when a delete needs them (holding them in memory took as much as a
// fifth of the RAM budget on a bulk load of short articles).
struct pending_segment {
    segment_entry entry;
    packed_seqs seqs;
};

// What a pending segment or a recorded delete holds until the commit, counted against the budget.
std::size_t memory_of(const pending_segment& p) noexcept {
    return sizeof(p) + p.seqs.memory_usage() + p.entry.name.capacity();
}

// The words each analyzer of a builder remembers (analysis::analyzer::set_word_cache_words): the
// default 32,768 (about 4 MiB) from a 64 MB budget up, and below it about a sixteenth of the budget,
// so that a small budget is not spent on caches (at least 1,024 words, which still catch most
// repeats: Zipf's law).
std::size_t word_cache_words(std::size_t budget_mb) noexcept {
    constexpr std::size_t bytes_per_word = 128;
    const std::size_t words = budget_mb * (std::size_t{1} << 20) / 16 / bytes_per_word;
    return std::clamp<std::size_t>(words, 1024, analysis::analyzer::default_word_cache_words);
}

// Hands the heap pages a flush freed back to the system: glibc keeps them otherwise, and the
// builders' many small buffers leave them fragmented, so the process's RSS would stay at its
// highest flush instead of following the RAM budget.
void release_free_memory() noexcept {
#if defined(__GLIBC__)
    ::malloc_trim(0);
#endif
}

// Runs task(i) for every i in [0, count) on this thread and up to `threads` − 1 helpers, each
// taking the next index as it finishes one; rethrows the first failure once all have stopped
// (every task is tried). With no thread to spare, this one runs what is left.
template <class Task>
void run_concurrently(std::size_t count, std::size_t threads, const Task& task) {
    threads = std::clamp<std::size_t>(threads, 1, std::max<std::size_t>(count, 1));
    std::atomic<std::size_t> next{0};
    std::vector<std::exception_ptr> errors(count);
    const auto worker = [&]() noexcept {
        for (std::size_t i; (i = next.fetch_add(1)) < count;) {
            try {
                task(i);
            } catch (...) {
                errors[i] = std::current_exception();
            }
        }
    };
    std::vector<std::thread> helpers;
    try {
        for (std::size_t t = 1; t < threads; ++t) helpers.emplace_back(worker);
    } catch (...) {
    }
    worker();
    for (auto& h : helpers) h.join();
    for (auto& e : errors)
        if (e) std::rethrow_exception(e);
}

struct delete_op {
    std::string key;
    std::uint64_t seq;
};

std::size_t memory_of(const delete_op& d) noexcept { return sizeof(d) + d.key.capacity(); }

std::string hex(std::uint64_t v) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
    return buf;
}

std::uint32_t live_of(const segment_entry& e) { return e.passages - e.deleted; }

}  // namespace

struct index_writer::impl {
    std::shared_ptr<storage::directory> dir;
    storage::directory_lock lock;
    index_writer_options options;
    manifest current;
    std::map<std::string, std::shared_ptr<const disk_segment>> open_segments;  // of `current`

    std::shared_mutex operations;  // add/update/remove: shared; commit/merge: exclusive
    std::mutex mu;                 // guards everything below
    std::vector<std::unique_ptr<builder_slot>> free_slots;
    std::size_t slot_count = 0;
    std::vector<pending_segment> pending;
    std::vector<delete_op> deletes;
    std::uint64_t next_segment = 0;
    std::atomic<std::uint64_t> seq{0};
    index_writer_stats stats;
    // Memory held until the commit beside the builders (pending segments' operation numbers,
    // recorded deletes; guarded by `mu`), and what the caller holds (set_outside_memory): both
    // come out of the builders' budget.
    std::size_t held_bytes = 0;
    std::atomic<std::size_t> outside_bytes{0};

    std::unique_ptr<builder_slot> acquire() {
        std::lock_guard g(mu);
        if (!free_slots.empty()) {
            auto s = std::move(free_slots.back());
            free_slots.pop_back();
            return s;
        }
        ++slot_count;
        auto made = std::make_unique<builder_slot>(current.options);
        made->pipeline.set_word_cache_words(word_cache_words(options.ram_budget_mb));
        return made;
    }

    void release(std::unique_ptr<builder_slot> s) {
        std::lock_guard g(mu);
        free_slots.push_back(std::move(s));
    }

    std::string new_segment_name() {
        std::lock_guard g(mu);
        return "seg_" + hex(next_segment++);
    }

    // Writes the slot's passages as a new segment (not yet committed).
    void flush(builder_slot& s) {
        if (s.writer.size() == 0) return;
        auto seqs = std::move(s.seqs);
        s.seqs.clear();
        pending_segment p;
        {
            std::vector<docid_t> order;  // an index sort moves passages: their operation numbers follow
            const segment seg = s.writer.finish(s.writer.values_schema().sort ? &order : nullptr);
            p.entry.name = new_segment_name();
            p.entry.passages = static_cast<std::uint32_t>(seg.size());
            p.entry.articles = static_cast<std::uint32_t>(seg.article_count());
            if (!order.empty()) {
                std::vector<std::uint64_t> moved(order.size());
                for (std::size_t d = 0; d < order.size(); ++d) moved[d] = seqs[order[d]];
                seqs = std::move(moved);
            }
            p.seqs = packed_seqs(seqs);
            p.entry.files = write_segment(*dir, p.entry.name, seg);
        }
        release_free_memory();
        std::lock_guard g(mu);
        held_bytes += memory_of(p);
        pending.push_back(std::move(p));
        ++stats.flushed_segments;
    }

    // Adds an article; with `replace`, first deletes the passages of earlier articles with its id.
    // The delete is recorded only once the new article has been validated and analysed, so a
    // rejected replacement leaves the old article in place.
    std::size_t add(ingest::article article, bool split, bool replace) {
        const std::uint64_t bytes = article.title.size() + article.body.size();
        if (options.max_article_bytes != 0 && bytes > options.max_article_bytes)
            throw invalid_argument("article '" + article.id.value + "' is " + std::to_string(bytes) +
                                   " bytes, more than max_article_bytes (" + std::to_string(options.max_article_bytes) +
                                   "): an article takes about 18 times its size in memory while it is indexed; raise "
                                   "the limit (rapport index --max-article-bytes) or split the article");
        std::shared_lock ops(operations);
        auto slot = acquire();
        try {
            auto prepared = slot->pipeline.prepare(std::move(article), split);
            if (replace) record_delete(prepared.id);
            const auto number = ++seq;
            const std::size_t added = prepared.passages.size();
            detail::add_prepared(slot->writer, std::move(prepared));
            slot->seqs.resize(slot->writer.size(), number);
            std::size_t slots, held;
            {
                std::lock_guard g(mu);
                slots = std::max<std::size_t>(slot_count, 1);
                held = held_bytes;
            }
            // Each concurrently used builder gets an equal share of what the budget leaves.
            // Each builder flushes before what it holds plus what its flush takes reaches its share.
            const std::size_t held_by_builder = slot->seqs.capacity() * sizeof(std::uint64_t);
            if (slot->writer.memory_usage() + slot->writer.flush_memory() + held_by_builder >= builders_budget(held) / slots)
                flush(*slot);
            release(std::move(slot));
            return added;
        } catch (...) {
            release(std::move(slot));
            throw;
        }
    }

    // The budget less what is held beside the builders, but never below a quarter of it (past
    // that, memory exceeds the budget by what the caller and the pending commit hold, rather than
    // flushing a segment at every article).
    std::size_t builders_budget(std::size_t held) const noexcept {
        const std::size_t budget = options.ram_budget_mb * (std::size_t{1} << 20);
        const std::size_t beside = held + outside_bytes.load(std::memory_order_relaxed);
        return std::max(budget / 4, budget > beside ? budget - beside : 0);
    }

    void record_delete(const article_id& id) {
        const auto number = ++seq;
        delete_op d{detail::article_key(id.value), number};
        std::lock_guard g(mu);
        held_bytes += memory_of(d);
        deletes.push_back(std::move(d));
    }

    std::shared_ptr<const disk_segment> open_entry(const segment_entry& e) {
        return disk_segment::open(*dir, e);
    }

    // Publishes `m` and makes it current; then removes files no longer referenced.
    void publish(manifest m) {
        write_manifest(*dir, m);
        std::map<std::string, std::shared_ptr<const disk_segment>> opened;
        for (const auto& e : m.segments) {
            auto it = open_segments.find(e.name);
            if (it != open_segments.end() && it->second->deleted_count() == e.deleted)
                opened.emplace(e.name, it->second);
            else
                opened.emplace(e.name, open_entry(e));
        }
        current = std::move(m);
        open_segments = std::move(opened);
        ++stats.commits;
        collect_garbage();
    }

    // Removes rapport files that the current commit does not name (nor, with `keep_pending`, the
    // segments flushed for the next commit). On POSIX systems a reader that has a file mapped keeps
    // reading it after the unlink; a reader still opening an older commit retries with the newer
    // one (index_reader::open).
    void collect_garbage(bool keep_pending = false) {
        std::set<std::string> keep{manifest_file_name(current.generation)};
        for (const auto& e : current.segments) {
            for (const char* ext : segment_files::all) keep.insert(segment_file_name(e.name, ext));
            if (e.deletion_gen != 0) keep.insert(deletions_file_name(e.name, e.deletion_gen));
        }
        if (keep_pending)
            for (const auto& p : pending)
                for (const char* ext : segment_files::all) keep.insert(segment_file_name(p.entry.name, ext));
        for (const auto& name : dir->list()) {
            const bool ours = name.starts_with("manifest_") || name.starts_with("seg_");
            if (ours && !keep.contains(name)) dir->remove(name);
        }
    }

    // Merges each group of segments at positions of m.segments (ascending; the groups disjoint)
    // into one new segment, each merged segment taking its first source's place so that passages
    // keep their order. Groups are merged concurrently on up to as many threads as builders were
    // used: a two-thread bulk load flushes twice as many segments, which the policy merged one
    // group after another in the final commit (a quarter of its time).
    void merge_groups(manifest& m, const std::vector<std::vector<std::size_t>>& groups) {
        std::vector<segment_entry> merged(groups.size());
        for (auto& e : merged) e.name = "seg_" + hex(next_segment++);
        run_concurrently(groups.size(), slot_count, [&](std::size_t g) {
            std::vector<std::shared_ptr<const disk_segment>> sources;
            for (auto i : groups[g]) sources.push_back(open_entry(m.segments[i]));
            const auto out = detail::merge_segments(*dir, merged[g].name, sources, current.options.analyzer.case_fold,
                                                    current.options.schema);
            merged[g].passages = out.passages;
            merged[g].articles = out.articles;
            merged[g].files = out.files;
        });
        std::vector<segment_entry> segments;
        std::vector<int> group_of(m.segments.size(), -1);
        for (std::size_t g = 0; g < groups.size(); ++g)
            for (auto i : groups[g]) group_of[i] = static_cast<int>(g);
        for (std::size_t i = 0; i < m.segments.size(); ++i) {
            if (group_of[i] < 0)
                segments.push_back(std::move(m.segments[i]));
            else if (groups[static_cast<std::size_t>(group_of[i])].front() == i)
                segments.push_back(std::move(merged[static_cast<std::size_t>(group_of[i])]));
        }
        m.segments = std::move(segments);
        m.next_segment = next_segment;
        stats.merges += groups.size();
    }

    void apply_merge_policy(manifest& m) {
        const auto& p = options.merges;
        if (p.merge_factor < 2) return;
        const double floor = static_cast<double>(std::max<std::size_t>(p.floor_passages, 1));
        const double factor = static_cast<double>(p.merge_factor);
        while (true) {
            std::map<int, std::vector<std::size_t>> tiers;
            for (std::size_t i = 0; i < m.segments.size(); ++i) {
                const double live = live_of(m.segments[i]);
                const int tier = live < floor ? 0 : 1 + static_cast<int>(std::floor(std::log(live / floor) / std::log(factor)));
                tiers[tier].push_back(i);
            }
            // Every full group of every tier at once (they are disjoint), then again: merged
            // segments may fill a higher tier.
            std::vector<std::vector<std::size_t>> groups;
            for (const auto& [tier, members] : tiers)
                for (std::size_t at = 0; at + p.merge_factor <= members.size(); at += p.merge_factor)
                    groups.emplace_back(members.begin() + static_cast<std::ptrdiff_t>(at),
                                        members.begin() + static_cast<std::ptrdiff_t>(at + p.merge_factor));
            if (groups.empty()) return;
            merge_groups(m, groups);
        }
    }

    // `apply_policy` false: a commit that `merge_all` follows, which would only merge again what the
    // policy merged (on a bulk load of 145,582 passages at 64 MB, the policy's merge of ten flushed
    // segments was a fifth of the instructions).
    void commit(bool apply_policy = true) {
        std::unique_lock ops(operations);
        try {
            commit_locked(apply_policy);
        } catch (...) {
            // A failed commit (say, a full disk) leaves the last one in place; what it wrote for
            // the new one (a half-flushed segment, deletions, a merge) goes now, not at the next
            // writer's commit. Flushed segments stay for a retry.
            discard_uncommitted(true);
            throw;
        }
    }

    // Best effort: removing files must not hide the error that made them garbage.
    void discard_uncommitted(bool keep_pending) noexcept {
        try {
            collect_garbage(keep_pending);
        } catch (...) {
        }
    }

    // Flushes every builder, each on its own thread when several hold passages: a commit after a
    // run of N indexing threads has N builders to write, and writing them one after the other made
    // the end of a two-thread bulk load single-threaded (a quarter of its instructions, 10k
    // Wikipedia passages). `flush` is already run concurrently by the adding threads.
    void flush_all() {
        std::vector<builder_slot*> full;
        for (auto& s : free_slots)
            if (s->writer.size() != 0) full.push_back(s.get());
        run_concurrently(full.size(), full.size(), [&](std::size_t i) { flush(*full[i]); });
    }

    void commit_locked(bool apply_policy) {
        flush_all();

        manifest m = current;
        m.generation = current.generation + 1;
        m.segments.clear();

        auto add_entry = [&](segment_entry e, const disk_segment* committed, const pending_segment* fresh) {
            std::set<docid_t> doomed;
            // A fresh segment's keys are read from its files, opened only when a delete may hit it.
            std::shared_ptr<const disk_segment> opened;
            std::vector<std::uint64_t> fresh_seqs;
            if (fresh != nullptr && !deletes.empty()) {
                opened = open_entry(e);
                fresh_seqs = fresh->seqs.unpack();
            }
            const disk_segment* keys = committed != nullptr ? committed : opened.get();
            for (const auto& d : deletes) {
                const auto info = keys->find(d.key);
                if (!info) continue;
                for (auto c = keys->cursor(*info); c.docid() != end_docid; c.next()) {
                    const docid_t doc = c.docid();
                    if (committed != nullptr ? !committed->is_deleted(doc) : fresh_seqs[doc] < d.seq) doomed.insert(doc);
                }
            }
            if (!doomed.empty()) {
                std::vector<docid_t> all(doomed.begin(), doomed.end());
                if (committed != nullptr)
                    for (docid_t d = 0; d < committed->size(); ++d)
                        if (committed->is_deleted(d)) all.push_back(d);
                std::sort(all.begin(), all.end());
                e.deleted = static_cast<std::uint32_t>(all.size());
                e.deletion_gen = m.generation;
                e.deletions.reset();
                if (e.deleted < e.passages) e.deletions = write_deletions(*dir, deletions_file_name(e.name, e.deletion_gen), all);
            }
            if (e.deleted < e.passages) m.segments.push_back(std::move(e));  // fully deleted: dropped
        };
        for (const auto& e : current.segments) add_entry(e, open_segments.at(e.name).get(), nullptr);
        for (const auto& p : pending) add_entry(p.entry, nullptr, &p);
        m.next_segment = next_segment;

        if (apply_policy) apply_merge_policy(m);
        publish(std::move(m));
        pending.clear();
        deletes.clear();
        deletes.shrink_to_fit();
        std::lock_guard g(mu);
        held_bytes = 0;
    }

    void merge_all() {
        commit(false);
        std::unique_lock ops(operations);
        try {
            merge_all_locked();
        } catch (...) {
            discard_uncommitted(true);
            throw;
        }
    }

    void merge_all_locked() {
        const bool needed = current.segments.size() > 1 ||
                            (current.segments.size() == 1 && current.segments.front().deleted > 0);
        if (!needed) return;
        manifest m = current;
        m.generation = current.generation + 1;
        std::vector<std::size_t> all(m.segments.size());
        for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
        merge_groups(m, {all});
        publish(std::move(m));
    }
};

index_writer::index_writer(std::shared_ptr<storage::directory> dir, index_writer_options options)
    : impl_(std::make_unique<impl>()) {
    auto& s = *impl_;
    if (options.ram_budget_mb == 0) throw invalid_argument("index_writer: ram_budget_mb must be at least 1");
    s.dir = std::move(dir);
    s.lock = s.dir->lock();
    s.options = std::move(options);
    s.options.index.schema = validate_schema(std::move(s.options.index.schema));
    if (auto m = read_latest_manifest(*s.dir)) {
        s.current = std::move(*m);
        // The default schema stands for "the index's own"; any other must equal it or append fields.
        if (const auto& given = s.options.index.schema; given != default_schema() && given != s.current.options.schema) {
            if (const auto problem = schema_change_problem(s.current.options.schema, given))
                throw invalid_argument("index_writer: the index's schema cannot change so: " + *problem +
                                       " (only new fields may be added, after the existing ones)");
            s.current.options.schema = given;
        }
        // Code is not stored: an index built with a custom analyzer takes it again from the caller,
        // under the same name.
        if (const auto& name = s.current.options.custom_analyzer_name; !name.empty()) {
            if (!s.options.index.custom_analyzer || s.options.index.custom_analyzer_name != name)
                throw invalid_argument("index_writer: the index was built with the custom analyzer '" + name +
                                       "'; give that pipeline as index_options::custom_analyzer under that name");
            s.current.options.custom_analyzer = s.options.index.custom_analyzer;
        }
        // A text field's custom analyzer must be registered now, not at the first add.
        for (const auto& f : s.current.options.schema.fields)
            if (schema::is_extra_text(f) && !f.analysis.custom.empty()) (void)field_analyzer(s.current.options, f);
        for (const auto& e : s.current.segments) s.open_segments.emplace(e.name, s.open_entry(e));
    } else {
        detail::passage_pipeline check(s.options.index);  // reject bad options before creating anything
        s.current.generation = 1;
        s.current.options = s.options.index;
        write_manifest(*s.dir, s.current);
    }
    s.next_segment = s.current.next_segment;
    s.collect_garbage();
}

index_writer::~index_writer() {
    // Changes never committed are discarded, and so are the files written for them.
    if (impl_) impl_->discard_uncommitted(false);
}

std::size_t index_writer::add(ingest::article article) { return impl_->add(std::move(article), true, false); }

std::size_t index_writer::add_passage(ingest::article article) { return impl_->add(std::move(article), false, false); }

std::size_t index_writer::add_passage(article_id id, std::string title, std::string text) {
    return impl_->add({std::move(id), std::move(title), std::move(text)}, false, false);
}

std::size_t index_writer::update(ingest::article article) { return impl_->add(std::move(article), true, true); }

void index_writer::remove(const article_id& id) {
    std::shared_lock ops(impl_->operations);
    impl_->record_delete(id);
}

void index_writer::commit() { impl_->commit(); }
void index_writer::set_outside_memory(std::size_t bytes) noexcept {
    impl_->outside_bytes.store(bytes, std::memory_order_relaxed);
}
void index_writer::merge_all() { impl_->merge_all(); }

std::size_t index_writer::segment_count() const {
    std::shared_lock ops(impl_->operations);
    return impl_->current.segments.size();
}
std::uint64_t index_writer::generation() const {
    std::shared_lock ops(impl_->operations);
    return impl_->current.generation;
}
index_writer_stats index_writer::stats() const {
    std::lock_guard g(impl_->mu);
    return impl_->stats;
}

}  // namespace rapport::index
