// SPDX-License-Identifier: MIT
// A read-only std::streambuf that decompresses a zstd file on the fly (libzstd's streaming API),
// so that `.jsonl.zst` collections are read line by line without a decompressed copy on disk or
// in memory. Compile-only header (not installed). Thread safety: one reader per buffer.
#pragma once

#include <exception>
#include <filesystem>
#include <fstream>
#include <streambuf>
#include <string>
#include <vector>

namespace rapport::ingest::detail {

class zstd_streambuf final : public std::streambuf {
public:
    /// Throws: `io_error` when the file cannot be opened.
    explicit zstd_streambuf(const std::filesystem::path& path);
    ~zstd_streambuf() override;
    zstd_streambuf(const zstd_streambuf&) = delete;
    zstd_streambuf& operator=(const zstd_streambuf&) = delete;

    /// The error that stopped decompression (a `corruption_error` naming the file and the
    /// compressed byte offset), if any. iostreams swallow exceptions thrown by a streambuf and
    /// only set badbit, so the reader rethrows this one.
    [[nodiscard]] std::exception_ptr error() const noexcept { return error_; }

protected:
    int_type underflow() override;

private:
    std::string path_;
    std::ifstream file_;
    void* stream_;  // ZSTD_DStream*, kept out of this header
    std::vector<char> in_;
    std::vector<char> out_;
    std::size_t in_pos_ = 0;
    std::size_t in_size_ = 0;
    std::uint64_t consumed_ = 0;  // compressed bytes consumed before in_
    bool frame_done_ = true;      // the last call finished a frame (a clean place to end)
    std::exception_ptr error_;
};

}  // namespace rapport::ingest::detail
