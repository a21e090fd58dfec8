// SPDX-License-Identifier: MIT
// Encoding and validation of the file envelope (header, footer, CRC32C).
// Thread safety: pure functions.
#include "rapport/storage/file_format.hpp"

#include <cstdio>

#include "rapport/core/assert.hpp"
#include "rapport/core/crc32c.hpp"
#include "rapport/core/error.hpp"
#include "rapport/core/varint.hpp"

namespace rapport::storage {

namespace {

std::string hex32(std::uint32_t v) {
    char buf[11];
    std::snprintf(buf, sizeof buf, "0x%08X", v);
    return buf;
}

std::string versions(std::uint32_t version, std::uint32_t min_version, std::uint32_t max_version) {
    return "(version " + std::to_string(version) + ", this build reads " + std::to_string(min_version) + ".." +
           std::to_string(max_version) + ")";
}

}  // namespace

std::string file_kind::to_string() const {
    std::string out;
    for (const char c : bytes_) {
        if (c >= 0x20 && c <= 0x7E && c != '\\') {
            out.push_back(c);
        } else {
            char buf[5];
            std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned>(static_cast<unsigned char>(c)));
            out += buf;
        }
    }
    return out;
}

void append_header(std::string& out, file_kind kind, std::uint32_t version) {
    out.append(header_magic);
    out.append(kind.bytes());
    put_fixed32(out, version);
}

void append_footer(std::string& out, std::uint64_t payload_size, std::uint32_t crc) {
    const auto start = out.size();
    put_fixed64(out, payload_size);
    out.append(footer_magic);
    crc = crc32c(std::string_view(out).substr(start), crc);
    put_fixed32(out, crc);
}

std::string encode_file(file_kind kind, std::uint32_t version, std::string_view payload) {
    std::string out;
    out.reserve(payload.size() + envelope_size);
    append_header(out, kind, version);
    out.append(payload);
    append_footer(out, payload.size(), crc32c(out));
    return out;
}

file_info check_envelope(std::string_view file, const std::string& path, const open_options& options) {
    const std::uint64_t size = file.size();
    if (options.expected_size && *options.expected_size != size) {
        throw corruption_error(path, std::nullopt,
                               (size < *options.expected_size ? "truncated: expected " : "size mismatch: expected ") +
                                   std::to_string(*options.expected_size) + " bytes, found " + std::to_string(size));
    }
    if (size < envelope_size) {
        throw corruption_error(path, size,
                               "truncated: the file has " + std::to_string(size) + " bytes, fewer than the " +
                                   std::to_string(envelope_size) + " of an empty rapport file");
    }
    if (file.substr(0, header_magic.size()) != header_magic)
        throw corruption_error(path, 0, "not a rapport file (no \"RPRT\" magic at the start)");
    const auto footer = file.substr(size - footer_size);
    if (footer.substr(8, footer_magic.size()) != footer_magic) {
        throw corruption_error(path, size - 8,
                               "no \"TRPR\" footer magic at the end: the file is truncated or was never finished (" +
                                   std::to_string(size) + " bytes)");
    }
    const std::uint64_t payload_size = load_fixed64(footer.data());
    const std::uint64_t actual_payload = size - envelope_size;
    if (payload_size != actual_payload) {
        // The subtraction cannot wrap here: a footer claiming more than 2^64 - 29 bytes is
        // reported with its raw value.
        const std::string expected = payload_size <= UINT64_MAX - envelope_size
                                         ? std::to_string(payload_size + envelope_size) + " bytes"
                                         : "an impossible size";
        throw corruption_error(path, size - footer_size,
                               std::string(payload_size > actual_payload ? "truncated" : "size mismatch") +
                                   ": the footer records a payload of " + std::to_string(payload_size) +
                                   " bytes, so the file should have " + expected + ", but it has " +
                                   std::to_string(size));
    }
    if (options.verify_checksum) {
        const std::uint32_t stored = load_fixed32(file.data() + size - 4);
        const std::uint32_t actual = crc32c(file.substr(0, size - 4));
        if (stored != actual) {
            throw corruption_error(path, std::nullopt,
                                   "checksum mismatch: the footer records CRC32C " + hex32(stored) +
                                       " but the file's bytes give " + hex32(actual));
        }
    }
    return {file_kind::from_bytes(file.data() + 4), load_fixed32(file.data() + 8), payload_size, size,
            load_fixed32(file.data() + size - 4)};
}

void check_kind_and_version(const file_info& info, const std::string& path, file_kind expected,
                            std::uint32_t min_version, std::uint32_t max_version) {
    RAPPORT_ASSERT(min_version <= max_version);
    if (info.kind != expected) {
        throw corruption_error(path, 4, "expected kind " + expected.to_string() + ", found " + info.kind.to_string());
    }
    if (info.version < min_version) {
        throw format_version_error(path + ": " + expected.to_string() + " file format too old " +
                                   versions(info.version, min_version, max_version) +
                                   ": re-create the index with this version of rapport (or read it with the "
                                   "older rapport that wrote it)");
    }
    if (info.version > max_version) {
        throw format_version_error(path + ": " + expected.to_string() + " file format too new " +
                                   versions(info.version, min_version, max_version) +
                                   ": upgrade rapport to read this index");
    }
}

}  // namespace rapport::storage
