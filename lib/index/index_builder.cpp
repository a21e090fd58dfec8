// SPDX-License-Identifier: MIT
#include "rapport/index/index_builder.hpp"

#include <unordered_set>
#include <utility>

#include "rapport/core/error.hpp"
#include "rapport/index/index_writer.hpp"
#include "rapport/storage/memory_directory.hpp"

namespace rapport::index {

struct index_builder::impl {
    explicit impl(index_options o) : options(std::move(o)) { start(); }

    void start() {
        dir = std::make_shared<storage::memory_directory>();
        // One segment: the whole index stays in one in-memory builder until finish().
        writer = std::make_unique<index_writer>(
            dir, index_writer_options{.index = options, .ram_budget_mb = std::size_t{1} << 24, .merges = {.merge_factor = 0}});
        ids.clear();
        passages = 0;
    }

    void add(ingest::article article, bool split) {
        if (ids.contains(article.id.value)) throw invalid_argument("duplicate article id '" + article.id.value + "'");
        std::string id = article.id.value;
        // The writer validates before it changes anything, so a throw leaves the builder as it was.
        passages += split ? writer->add(std::move(article))
                          : writer->add_passage(std::move(article.id), std::move(article.title), std::move(article.body));
        ids.insert(std::move(id));
    }

    index_options options;
    std::shared_ptr<storage::memory_directory> dir;
    std::unique_ptr<index_writer> writer;
    std::unordered_set<std::string> ids;
    std::size_t passages = 0;
};

index_builder::index_builder(index_options options) : impl_(std::make_unique<impl>(std::move(options))) {}
index_builder::~index_builder() = default;
index_builder::index_builder(index_builder&&) noexcept = default;
index_builder& index_builder::operator=(index_builder&&) noexcept = default;

void index_builder::add(ingest::article article) { impl_->add(std::move(article), true); }

void index_builder::add_passage(article_id id, std::string title, std::string text) {
    impl_->add({std::move(id), std::move(title), std::move(text)}, false);
}

std::size_t index_builder::passage_count() const noexcept { return impl_->passages; }
std::size_t index_builder::article_count() const noexcept { return impl_->ids.size(); }

index_reader index_builder::finish() {
    impl_->writer->commit();
    auto reader = index_reader::open(impl_->dir);
    impl_->start();
    return reader;
}

}  // namespace rapport::index
