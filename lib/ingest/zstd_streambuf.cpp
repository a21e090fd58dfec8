// SPDX-License-Identifier: MIT
#include "ingest/zstd_streambuf.hpp"

#include <zstd.h>

#include "rapport/core/error.hpp"

namespace rapport::ingest::detail {

zstd_streambuf::zstd_streambuf(const std::filesystem::path& path)
    : path_(path.string()), file_(path, std::ios::binary), stream_(ZSTD_createDStream()) {
    if (!file_) {
        ZSTD_freeDStream(static_cast<ZSTD_DStream*>(stream_));
        throw io_error(path_, "cannot open");
    }
    ZSTD_initDStream(static_cast<ZSTD_DStream*>(stream_));
    in_.resize(ZSTD_DStreamInSize());
    out_.resize(ZSTD_DStreamOutSize());
    setg(out_.data(), out_.data(), out_.data());
}

zstd_streambuf::~zstd_streambuf() { ZSTD_freeDStream(static_cast<ZSTD_DStream*>(stream_)); }

zstd_streambuf::int_type zstd_streambuf::underflow() {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    if (error_) return traits_type::eof();
    auto* ds = static_cast<ZSTD_DStream*>(stream_);
    try {
        while (true) {
            if (in_pos_ == in_size_) {
                consumed_ += in_size_;
                file_.read(in_.data(), static_cast<std::streamsize>(in_.size()));
                in_size_ = static_cast<std::size_t>(file_.gcount());
                in_pos_ = 0;
                if (in_size_ == 0) {
                    if (file_.bad()) throw io_error(path_, "read error");
                    if (!frame_done_) throw corruption_error(path_, consumed_, "zstd stream is truncated");
                    return traits_type::eof();
                }
            }
            ZSTD_inBuffer in{in_.data(), in_size_, in_pos_};
            ZSTD_outBuffer out{out_.data(), out_.size(), 0};
            const std::size_t rc = ZSTD_decompressStream(ds, &out, &in);
            in_pos_ = in.pos;
            if (ZSTD_isError(rc) != 0)
                throw corruption_error(path_, consumed_ + in_pos_, std::string("zstd: ") + ZSTD_getErrorName(rc));
            frame_done_ = rc == 0;
            if (out.pos > 0) {
                setg(out_.data(), out_.data(), out_.data() + out.pos);
                return traits_type::to_int_type(*gptr());
            }
        }
    } catch (...) {
        error_ = std::current_exception();
        throw;  // iostreams turn this into badbit; the reader rethrows error()
    }
}

}  // namespace rapport::ingest::detail
