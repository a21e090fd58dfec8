// SPDX-License-Identifier: MIT
#include <unordered_set>
#include <utility>

#include "index/passage_pipeline.hpp"
#include "rapport/core/error.hpp"
#include "rapport/index/memory_index.hpp"

namespace rapport::index {

struct index_builder::impl {
    explicit impl(index_options o) : pipeline(std::move(o)) {}

    void add(ingest::article article, bool split) {
        if (ids.contains(article.id.value)) throw invalid_argument("duplicate article id '" + article.id.value + "'");
        auto prepared = pipeline.prepare(std::move(article), split);
        ids.insert(prepared.id.value);
        detail::add_prepared(writer, std::move(prepared));
    }

    detail::passage_pipeline pipeline;
    segment_writer writer;
    std::unordered_set<std::string> ids;
};

index_builder::index_builder(index_options options) : impl_(std::make_unique<impl>(std::move(options))) {}
index_builder::~index_builder() = default;
index_builder::index_builder(index_builder&&) noexcept = default;
index_builder& index_builder::operator=(index_builder&&) noexcept = default;

void index_builder::add(ingest::article article) { impl_->add(std::move(article), true); }

void index_builder::add_passage(article_id id, std::string title, std::string text) {
    impl_->add({std::move(id), std::move(title), std::move(text)}, false);
}

std::size_t index_builder::passage_count() const noexcept { return impl_->writer.size(); }
std::size_t index_builder::article_count() const noexcept { return impl_->ids.size(); }

memory_index index_builder::finish() {
    impl_->ids.clear();
    return memory_index(impl_->writer.finish(), impl_->pipeline.options());
}

}  // namespace rapport::index
