// SPDX-License-Identifier: MIT
// Compile-only (lib/, never installed): what a container or string really takes from the heap,
// allocator overhead included, for the RAM budget of the index writer (index_writer_options).
// The figures follow glibc's malloc (a chunk is the request plus 8 bytes, rounded up to 16, at
// least 32); other allocators differ by a few bytes per allocation.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace rapport::detail {

/// Bytes the heap gives out for a request of `n` bytes (0: no allocation).
[[nodiscard]] constexpr std::size_t heap_chunk(std::size_t n) noexcept {
    if (n == 0) return 0;
    const std::size_t chunk = (n + 8 + 15) & ~std::size_t{15};
    return chunk < 32 ? 32 : chunk;
}

/// Heap bytes of a vector's buffer (its capacity, not its size).
template <class T, class A>
[[nodiscard]] std::size_t heap_size(const std::vector<T, A>& v) noexcept {
    return heap_chunk(v.capacity() * sizeof(T));
}

/// Heap bytes of a string's buffer: none while it fits in the string itself.
[[nodiscard]] inline std::size_t heap_size(const std::string& s) noexcept {
    const auto* self = reinterpret_cast<const char*>(&s);
    const bool local = s.data() >= self && s.data() < self + sizeof s;  // the small-string buffer
    return local ? 0 : heap_chunk(s.capacity() + 1);
}

/// Heap bytes of a Boost open-addressing table (`unordered_flat_map` and `_set`): a slot per
/// bucket and a 16-byte group header per 15 buckets, in one allocation.
template <class Table>
[[nodiscard]] std::size_t flat_table_heap_size(const Table& t) noexcept {
    return t.bucket_count() == 0 ? 0
                                 : heap_chunk(t.bucket_count() * sizeof(typename Table::value_type) +
                                              (t.bucket_count() / 15 + 1) * 16);
}

/// Appends `value` to `v` and adds to `bytes` what the append took from the heap (nothing unless
/// the buffer grew), so a running total follows the real capacity at the cost of one comparison.
template <class T, class A, class U>
void push_counted(std::vector<T, A>& v, U&& value, std::size_t& bytes) {
    const std::size_t before = v.capacity();
    v.push_back(std::forward<U>(value));
    if (v.capacity() != before) bytes += heap_chunk(v.capacity() * sizeof(T)) - heap_chunk(before * sizeof(T));
}

}  // namespace rapport::detail
