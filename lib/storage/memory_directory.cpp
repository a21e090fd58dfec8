// SPDX-License-Identifier: MIT
// `memory_directory`: a map from names to immutable shared buffers behind one mutex. Replacing or
// removing a file swaps the map's pointer, so open views keep the old buffer, as an unlinked but
// mapped file stays readable on POSIX.
// Thread safety: see memory_directory.hpp.
#include "rapport/storage/memory_directory.hpp"

#include <map>
#include <mutex>
#include <utility>

#include "rapport/core/error.hpp"

namespace rapport::storage {

struct memory_directory::state {
    std::mutex mutex;
    std::map<std::string, std::shared_ptr<const std::string>, std::less<>> files;
    bool locked = false;
};

namespace {

using file_ptr = std::shared_ptr<const std::string>;

// A file being written: its name holds an empty placeholder (so the name is taken, and a reader
// sees a truncated file, as on a file system) until commit stores the content. A template so
// that the private `memory_directory::state` need not be named outside the class.
template <class State>
class memory_sink final : public file_sink {
public:
    memory_sink(std::shared_ptr<State> state, std::string name, file_ptr placeholder) noexcept
        : state_(std::move(state)), name_(std::move(name)), placeholder_(std::move(placeholder)) {}
    ~memory_sink() override {
        if (committed_) return;
        const std::lock_guard guard(state_->mutex);
        const auto it = state_->files.find(name_);
        if (it != state_->files.end() && it->second == placeholder_) state_->files.erase(it);
    }
    void write(std::string_view bytes) override { content_.append(bytes); }
    void commit() override {
        auto file = std::make_shared<const std::string>(std::move(content_));
        const std::lock_guard guard(state_->mutex);
        // A file removed while being written stays removed (an unlinked file on POSIX).
        const auto it = state_->files.find(name_);
        if (it != state_->files.end() && it->second == placeholder_) it->second = std::move(file);
        committed_ = true;
    }

private:
    std::shared_ptr<State> state_;
    std::string name_;
    file_ptr placeholder_;
    std::string content_;
    bool committed_ = false;
};

}  // namespace

memory_directory::memory_directory(std::string label) : label_(std::move(label)), state_(std::make_shared<state>()) {}

memory_directory::~memory_directory() = default;

std::string memory_directory::path_of(const std::string& name) const { return label_ + "/" + name; }

std::string memory_directory::read_raw(const std::string& name) const {
    const std::lock_guard guard(state_->mutex);
    const auto it = state_->files.find(name);
    if (it == state_->files.end()) throw io_error(path_of(name), "no such file");
    return *it->second;
}

void memory_directory::write_raw(const std::string& name, std::string bytes) {
    auto file = std::make_shared<const std::string>(std::move(bytes));
    const std::lock_guard guard(state_->mutex);
    state_->files[name] = std::move(file);
}

std::unique_ptr<file_sink> memory_directory::do_create(const std::string& name) {
    auto placeholder = std::make_shared<const std::string>();
    {
        const std::lock_guard guard(state_->mutex);
        if (!state_->files.try_emplace(name, placeholder).second) {
            throw io_error(path_of(name),
                           "already exists: index files are immutable (write_atomic replaces small files)");
        }
    }
    return std::make_unique<memory_sink<state>>(state_, name, std::move(placeholder));
}

directory::raw_file memory_directory::do_read(const std::string& name) const {
    file_ptr file;
    {
        const std::lock_guard guard(state_->mutex);
        const auto it = state_->files.find(name);
        if (it == state_->files.end()) throw io_error(path_of(name), "no such file");
        file = it->second;
    }
    const std::string_view bytes = *file;
    return {bytes, std::move(file)};
}

void memory_directory::do_write_atomic(const std::string& name, std::string_view file) {
    auto content = std::make_shared<const std::string>(file);
    const std::lock_guard guard(state_->mutex);
    state_->files[name] = std::move(content);
}

std::vector<std::string> memory_directory::do_list() const {
    const std::lock_guard guard(state_->mutex);
    std::vector<std::string> names;
    names.reserve(state_->files.size());
    for (const auto& entry : state_->files) names.push_back(entry.first);
    return names;
}

bool memory_directory::do_exists(const std::string& name) const {
    const std::lock_guard guard(state_->mutex);
    return state_->files.find(name) != state_->files.end();
}

void memory_directory::do_remove(const std::string& name) {
    const std::lock_guard guard(state_->mutex);
    state_->files.erase(name);
}

std::uint64_t memory_directory::do_file_size(const std::string& name) const {
    const std::lock_guard guard(state_->mutex);
    const auto it = state_->files.find(name);
    if (it == state_->files.end()) throw io_error(path_of(name), "no such file");
    return it->second->size();
}

directory_lock memory_directory::do_lock() {
    const std::lock_guard guard(state_->mutex);
    if (state_->locked)
        throw io_error(label_, "index is locked by another writer: " + path_of(std::string(lock_file_name)));
    state_->locked = true;
    return directory_lock([s = state_]() noexcept {
        const std::lock_guard release_guard(s->mutex);
        s->locked = false;
    });
}

}  // namespace rapport::storage
