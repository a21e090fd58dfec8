// SPDX-License-Identifier: MIT
#include "rapport/index/index_reader.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <functional>
#include <mutex>
#include <string>

#include "rapport/core/error.hpp"
#include "rapport/storage/directory.hpp"

namespace rapport::index {

namespace {
// Bit for bit, so that 0.0 and -0.0 (which validation lets through) are different keys: a table is
// shared only where recomputing it would give the same bits.
bool same_bits(double a, double b) noexcept { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); }

bool same_key(const length_norm_key& a, const length_norm_key& b) noexcept {
    if (a.normaliser != b.normaliser || a.fields.size() != b.fields.size()) return false;
    for (std::size_t i = 0; i < a.parameters.size(); ++i)
        if (!same_bits(a.parameters[i], b.parameters[i])) return false;
    for (std::size_t i = 0; i < a.fields.size(); ++i)
        if (a.fields[i].first != b.fields[i].first || !same_bits(a.fields[i].second, b.fields[i].second)) return false;
    return true;
}

struct same_length_norm_key {
    bool operator()(const length_norm_key& a, const length_norm_key& b) const noexcept { return same_key(a, b); }
};

// A snapshot's derived tables (length normalisers, filter bitsets), most recently used first. The list's mutex is held only to
// find or insert an entry; a table is built under its entry's own mutex, so threads that want the
// same table wait for one build while other tables build in parallel. Entries and tables are
// shared: an evicted entry lives on while a builder holds it, and a table while a search does.
template <class Key, class Table, std::size_t Capacity, class Equal = std::equal_to<Key>>
class snapshot_cache {
public:
    std::shared_ptr<const Table> get(const Key& key, const std::function<Table()>& build) {
        std::shared_ptr<entry> e;
        {
            const std::lock_guard lock(mutex_);
            const auto it = std::find_if(entries_.begin(), entries_.end(), [&](const auto& x) { return Equal{}(x->key, key); });
            if (it != entries_.end()) {
                e = *it;
                std::rotate(entries_.begin(), it, it + 1);  // most recently used first
            } else {
                e = std::make_shared<entry>();
                e->key = key;
                entries_.insert(entries_.begin(), e);
                if (entries_.size() > Capacity) entries_.pop_back();
            }
        }
        const std::lock_guard lock(e->mutex);
        if (e->table) {
            hits_.fetch_add(1, std::memory_order_relaxed);
            return e->table;
        }
        e->table = std::make_shared<const Table>(build());
        builds_.fetch_add(1, std::memory_order_relaxed);
        return e->table;
    }

    length_norm_cache_stats stats() const {
        length_norm_cache_stats s;
        {
            const std::lock_guard lock(mutex_);
            s.tables = entries_.size();
        }
        s.builds = builds_.load(std::memory_order_relaxed);
        s.hits = hits_.load(std::memory_order_relaxed);
        return s;
    }

private:
    struct entry {
        Key key;
        std::mutex mutex;  // guards `table`
        std::shared_ptr<const Table> table;  // null until built
    };
    mutable std::mutex mutex_;  // guards `entries_`
    std::vector<std::shared_ptr<entry>> entries_;
    std::atomic<std::uint64_t> builds_{0};
    std::atomic<std::uint64_t> hits_{0};
};
}  // namespace

struct index_reader::state {
    std::shared_ptr<storage::directory> dir;
    manifest commit;
    std::vector<std::shared_ptr<const disk_segment>> segments;
    std::vector<std::uint64_t> deletion_gens;
    std::vector<docid_t> bases;
    std::uint64_t passages = 0;
    std::uint64_t live = 0;
    std::uint64_t total_length = 0;
    std::uint64_t total_title_length = 0;
    std::array<std::uint64_t, max_text_fields> field_lengths{};  // by text field number (2 and up)
    std::uint64_t articles = 0;
    // Derived tables, filled on demand: the one part of the snapshot that changes, internally
    // synchronised (hence mutable in a state every copy of the reader shares as const).
    mutable snapshot_cache<length_norm_key, length_norm_table, length_norm_cache_capacity, same_length_norm_key> norms;
    mutable snapshot_cache<std::string, filter_bitset, filter_cache_capacity> filters;
};

index_reader index_reader::open(std::shared_ptr<storage::directory> dir) { return open_commit(std::move(dir), nullptr); }

index_reader index_reader::open_commit(std::shared_ptr<storage::directory> dir, const index_reader* previous) {
    // A writer may publish a newer commit and delete this commit's files while we open them
    // (Lucene's FindSegmentsFile retries the same way): if a file is missing and a newer manifest
    // exists, start again from it.
    for (int attempt = 0;; ++attempt) {
        auto m = read_latest_manifest(*dir);
        if (!m) throw io_error(dir->path_of(""), "no index here (no manifest): create one with an index_writer");
        try {
            auto s = std::make_shared<state>();
            s->dir = dir;
            for (const auto& e : m->segments) {
                std::shared_ptr<const disk_segment> seg;
                if (previous != nullptr) {
                    const auto& p = *previous->state_;
                    for (std::size_t i = 0; i < p.segments.size(); ++i)
                        if (p.segments[i]->name() == e.name && p.deletion_gens[i] == e.deletion_gen) seg = p.segments[i];
                }
                if (!seg)
                    seg = disk_segment::open(*dir, e);
                if (seg->deleted_count() != e.deleted)
                    throw corruption_error(manifest_file_name(m->generation), std::nullopt,
                                           "segment " + e.name + ": deletion count disagrees with its deletions file");
                s->bases.push_back(static_cast<docid_t>(s->passages));
                s->passages += seg->size();
                if (s->passages >= end_docid) throw invalid_argument("index holds more than 2^32 - 1 passages");
                s->live += seg->live_size();
                s->total_length += seg->total_length();
                s->total_title_length += seg->total_length(field::title);
                for (std::size_t f = 2; f < max_text_fields; ++f) s->field_lengths[f] += seg->total_length(static_cast<field>(f));
                s->articles += e.articles;
                s->segments.push_back(std::move(seg));
                s->deletion_gens.push_back(e.deletion_gen);
            }
            s->commit = std::move(*m);
            return index_reader(std::move(s));
        } catch (const io_error&) {
            const auto newer = read_latest_manifest(*dir);
            if (attempt >= 16 || !newer || newer->generation == m->generation) throw;
        }
    }
}

std::optional<index_reader> index_reader::reopen() const {
    const auto latest = read_latest_manifest(*state_->dir);
    if (!latest || latest->generation == state_->commit.generation) return std::nullopt;
    return open_commit(state_->dir, this);
}

std::uint64_t index_reader::generation() const noexcept { return state_->commit.generation; }
const index_options& index_reader::options() const noexcept { return state_->commit.options; }
std::span<const std::shared_ptr<const disk_segment>> index_reader::segments() const noexcept { return state_->segments; }
std::span<const docid_t> index_reader::bases() const noexcept { return state_->bases; }
std::uint64_t index_reader::passage_count() const noexcept { return state_->passages; }
std::uint64_t index_reader::live_passage_count() const noexcept { return state_->live; }
std::uint64_t index_reader::total_length() const noexcept { return state_->total_length; }
std::uint64_t index_reader::total_length(field f) const noexcept {
    if (f == field::title) return state_->total_title_length;
    if (f == field::body) return state_->total_length;
    return static_cast<std::size_t>(f) < max_text_fields ? state_->field_lengths[static_cast<std::size_t>(f)] : 0;
}
std::uint64_t index_reader::article_count() const noexcept { return state_->articles; }
std::uint64_t index_reader::doc_freq(std::string_view key) const {
    std::uint64_t df = 0;
    for (const auto& seg : state_->segments)
        if (const auto info = seg->find(key)) df += info->df;
    return df;
}
const std::shared_ptr<storage::directory>& index_reader::directory() const noexcept { return state_->dir; }
const manifest& index_reader::commit() const noexcept { return state_->commit; }

std::pair<const disk_segment*, docid_t> index_reader::locate(docid_t d) const noexcept {
    const auto& b = state_->bases;
    const auto i = static_cast<std::size_t>(std::upper_bound(b.begin(), b.end(), d) - b.begin()) - 1;
    return {state_->segments[i].get(), d - b[i]};
}

std::shared_ptr<const length_norm_table> index_reader::length_norms(const length_norm_key& key,
                                                                   const std::function<length_norm_table()>& build) const {
    return state_->norms.get(key, build);
}

length_norm_cache_stats index_reader::length_norm_cache() const { return state_->norms.stats(); }

std::shared_ptr<const filter_bitset> index_reader::filter_bits(const std::string& key,
                                                              const std::function<filter_bitset()>& build) const {
    return state_->filters.get(key, build);
}

}  // namespace rapport::index
