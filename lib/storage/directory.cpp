// SPDX-License-Identifier: MIT
// The semantics shared by every directory: name rules, the envelope written by `file_writer`
// and validated by `open`/`verify`, and the lock handle.
// Thread safety: see directory.hpp.
#include "rapport/storage/directory.hpp"

#include <algorithm>

#include "rapport/core/assert.hpp"
#include "rapport/core/crc32c.hpp"
#include "rapport/core/error.hpp"
#include "rapport/core/varint.hpp"

namespace rapport::storage {

namespace {

// Appends smaller than this are copied into the buffer; larger ones go straight to the sink.
constexpr std::size_t buffer_capacity = 64 * 1024;

bool ends_with_temp_suffix(std::string_view name) noexcept {
    return name.size() >= temp_suffix.size() && name.substr(name.size() - temp_suffix.size()) == temp_suffix;
}

// Names every operation accepts: a plain file name in the directory, not the lock file.
void check_name(const std::string& name) {
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
        name.find('\0') != std::string::npos) {
        throw invalid_argument("invalid file name \"" + name + "\": expected a non-empty name without '/' or NUL");
    }
    if (name == lock_file_name) throw invalid_argument("the file name \"write.lock\" is reserved for the lock");
}

// Names a file may be created under.
void check_new_name(const std::string& name) {
    check_name(name);
    if (ends_with_temp_suffix(name))
        throw invalid_argument("invalid file name \"" + name + "\": names ending in \".tmp\" are reserved");
}

}  // namespace

file_sink::~file_sink() = default;

file_writer::file_writer(std::string name, std::string path, file_kind kind, std::uint32_t version,
                         std::unique_ptr<file_sink> sink)
    : name_(std::move(name)), path_(std::move(path)), sink_(std::move(sink)) {
    buffer_.reserve(buffer_capacity);
    append_header(buffer_, kind, version);
    crc_ = crc32c(buffer_);
}

// The sink discards the partial file when destroyed uncommitted.
file_writer::~file_writer() = default;

void file_writer::flush() {
    if (buffer_.empty()) return;
    try {
        sink_->write(buffer_);
    } catch (...) {
        failed_ = true;
        throw;
    }
    buffer_.clear();
}

void file_writer::append(std::string_view bytes) {
    RAPPORT_ASSERT(!finished_);
    if (failed_) throw io_error(path_, "an earlier write to this file failed");
    crc_ = crc32c(bytes, crc_);
    payload_size_ += bytes.size();
    if (buffer_.size() + bytes.size() <= buffer_capacity) {
        buffer_.append(bytes);
        return;
    }
    flush();
    if (bytes.size() < buffer_capacity) {
        buffer_.append(bytes);
        return;
    }
    try {
        sink_->write(bytes);
    } catch (...) {
        failed_ = true;
        throw;
    }
}

void file_writer::finish() {
    RAPPORT_ASSERT(!finished_);
    if (failed_) throw io_error(path_, "an earlier write to this file failed");
    finished_ = true;
    failed_ = true;  // until the commit below succeeds
    append_footer(buffer_, payload_size_, crc_);
    checksum_ = load_fixed32(buffer_.data() + buffer_.size() - 4);
    flush();
    sink_->commit();
    failed_ = false;
}

file_view::file_view(std::string name, std::string path, file_info info, std::string_view file,
                     std::shared_ptr<const void> owner) noexcept
    : name_(std::move(name)),
      path_(std::move(path)),
      info_(info),
      payload_(file.substr(header_size, static_cast<std::size_t>(info.payload_size))),
      owner_(std::move(owner)) {}

directory_lock& directory_lock::operator=(directory_lock&& other) noexcept {
    if (this != &other) {
        release();
        release_ = std::exchange(other.release_, nullptr);
    }
    return *this;
}

void directory_lock::release() noexcept {
    if (release_) {
        auto release = std::exchange(release_, nullptr);
        release();
    }
}

directory::~directory() = default;

std::unique_ptr<file_writer> directory::create(const std::string& name, file_kind kind, std::uint32_t version) {
    check_new_name(name);
    auto sink = do_create(name);
    return std::make_unique<file_writer>(name, path_of(name), kind, version, std::move(sink));
}

std::shared_ptr<const file_view> directory::open(const std::string& name, file_kind kind, std::uint32_t min_version,
                                                 std::uint32_t max_version, const open_options& options) const {
    check_name(name);
    auto raw = do_read(name);
    const auto path = path_of(name);
    const auto info = check_envelope(raw.bytes, path, options);
    check_kind_and_version(info, path, kind, min_version, max_version);
    return std::make_shared<const file_view>(name, path, info, raw.bytes, std::move(raw.owner));
}

file_info directory::verify(const std::string& name) const {
    check_name(name);
    const auto raw = do_read(name);
    return check_envelope(raw.bytes, path_of(name), open_options{});  // verifies the checksum
}

void directory::write_atomic(const std::string& name, file_kind kind, std::uint32_t version, std::string_view payload) {
    check_new_name(name);
    do_write_atomic(name, encode_file(kind, version, payload));
}

std::vector<std::string> directory::list() const {
    auto names = do_list();
    std::sort(names.begin(), names.end());
    return names;
}

bool directory::exists(const std::string& name) const {
    check_name(name);
    return do_exists(name);
}

void directory::remove(const std::string& name) {
    check_name(name);
    do_remove(name);
}

std::uint64_t directory::file_size(const std::string& name) const {
    check_name(name);
    return do_file_size(name);
}

directory_lock directory::lock() { return do_lock(); }

}  // namespace rapport::storage
