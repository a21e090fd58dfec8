// SPDX-License-Identifier: MIT
// CRC32C: an SSE4.2 implementation chosen at run time, and Boost.CRC as the portable fallback.
//
// The hardware path follows the technique of Intel's "Fast CRC Computation for iSCSI Polynomial
// Using CRC32 Instruction" (Gopal et al., 2011) as popularised by Mark Adler's crc32c.c: the
// `crc32` instruction has a latency of 3 cycles but a throughput of 1 per cycle, so a block is
// split into three equal streams whose CRC registers are computed independently and interleaved;
// the three registers are then joined by "shifting" the earlier ones over the length of the later
// streams. The raw (uninverted) CRC register update is linear over GF(2), so
//     reg(r, A ‖ B) = zeros(reg(r, A), |B|) ^ reg(0, B),
// where zeros(x, n) is the register after n zero bytes from x. zeros(·, n) is itself linear in x,
// so for a fixed n it is four 256-entry tables indexed by the bytes of x, built once from the 32
// basis vectors zeros(1 << i, n).
// Thread safety: the shift tables are built once in a function-local static (thread-safe).
#include "rapport/core/crc32c.hpp"

#include <array>
#include <cstddef>
#include <cstring>

#include <boost/crc.hpp>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#  define RAPPORT_CRC32C_X86 1
#  include <nmmintrin.h>
#else
#  define RAPPORT_CRC32C_X86 0
#endif

namespace rapport {

namespace detail {

std::uint32_t crc32c_portable(std::string_view data, std::uint32_t crc) noexcept {
    // Continuing from `crc` means starting from its register: undo the final inversion (~crc)
    // and, because Boost takes the initial remainder in unreflected bit order while a reflected
    // CRC's register holds it reflected, reverse the bits. For crc == 0 this is the standard
    // initial value 0xFFFFFFFF.
    std::uint32_t reg = ~crc;
    std::uint32_t init = 0;
    for (int i = 0; i < 32; ++i, reg >>= 1) init = (init << 1) | (reg & 1u);
    boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true> engine(init);
    engine.process_bytes(data.data(), data.size());
    return engine.checksum();
}

#if RAPPORT_CRC32C_X86

namespace {

// Bytes per stream: long blocks carry the bulk of large inputs; short blocks keep inputs from
// 768 bytes to 24 KiB on the interleaved path. Both are multiples of 8 (one crc32q step).
constexpr std::size_t long_stride = 8192;
constexpr std::size_t short_stride = 256;

using shift_table = std::array<std::array<std::uint32_t, 256>, 4>;

struct shift_tables {
    shift_table long_shift;
    shift_table short_shift;
};

__attribute__((target("sse4.2"))) std::uint32_t zeros_register(std::uint32_t reg, std::size_t bytes) noexcept {
    std::uint64_t r = reg;
    for (std::size_t i = 0; i < bytes / 8; ++i) r = _mm_crc32_u64(r, 0);
    return static_cast<std::uint32_t>(r);
}

shift_table make_shift_table(std::size_t bytes) noexcept {
    std::array<std::uint32_t, 32> basis{};
    for (unsigned i = 0; i < 32; ++i) basis[i] = zeros_register(std::uint32_t{1} << i, bytes);
    shift_table table{};
    for (unsigned k = 0; k < 4; ++k) {
        for (unsigned b = 0; b < 256; ++b) {
            std::uint32_t v = 0;
            for (unsigned bit = 0; bit < 8; ++bit)
                if ((b >> bit) & 1u) v ^= basis[8 * k + bit];
            table[k][b] = v;
        }
    }
    return table;
}

const shift_tables& tables() noexcept {
    static const shift_tables t{make_shift_table(long_stride), make_shift_table(short_stride)};
    return t;
}

inline std::uint32_t shift(const shift_table& t, std::uint64_t reg) noexcept {
    const auto r = static_cast<std::uint32_t>(reg);
    return t[0][r & 0xFF] ^ t[1][(r >> 8) & 0xFF] ^ t[2][(r >> 16) & 0xFF] ^ t[3][r >> 24];
}

inline std::uint64_t load64(const char* p) noexcept {
    std::uint64_t v;
    std::memcpy(&v, p, 8);  // little-endian on x86, which is the order crc32q consumes
    return v;
}

// Consumes whole blocks of three `Stride`-byte streams from [p, p + n).
template <std::size_t Stride>
__attribute__((target("sse4.2"))) std::uint64_t three_streams(const char*& p, std::size_t& n, std::uint64_t reg,
                                                              const shift_table& t) noexcept {
    while (n >= 3 * Stride) {
        std::uint64_t a = reg;
        std::uint64_t b = 0;
        std::uint64_t c = 0;
        const char* const end = p + Stride;
        do {
            a = _mm_crc32_u64(a, load64(p));
            b = _mm_crc32_u64(b, load64(p + Stride));
            c = _mm_crc32_u64(c, load64(p + 2 * Stride));
            p += 8;
        } while (p != end);
        a = shift(t, a) ^ b;
        reg = shift(t, a) ^ c;
        p += 2 * Stride;
        n -= 3 * Stride;
    }
    return reg;
}

}  // namespace

__attribute__((target("sse4.2"))) std::uint32_t crc32c_hardware(std::string_view data, std::uint32_t crc) noexcept {
    const char* p = data.data();
    std::size_t n = data.size();
    std::uint64_t reg = ~crc;
    // Align to 8 bytes so that the 8-byte loads never straddle a cache line.
    while (n > 0 && (reinterpret_cast<std::uintptr_t>(p) & 7u) != 0) {
        reg = _mm_crc32_u8(static_cast<std::uint32_t>(reg), static_cast<std::uint8_t>(*p++));
        --n;
    }
    if (n >= 3 * short_stride) {
        const auto& t = tables();
        reg = three_streams<long_stride>(p, n, reg, t.long_shift);
        reg = three_streams<short_stride>(p, n, reg, t.short_shift);
    }
    for (; n >= 8; n -= 8, p += 8) reg = _mm_crc32_u64(reg, load64(p));
    for (; n > 0; --n) reg = _mm_crc32_u8(static_cast<std::uint32_t>(reg), static_cast<std::uint8_t>(*p++));
    return ~static_cast<std::uint32_t>(reg);
}

bool crc32c_hardware_available() noexcept {
    static const bool available = [] {
        __builtin_cpu_init();  // needed when called before the runtime's own constructor has run
        return __builtin_cpu_supports("sse4.2") != 0;
    }();
    return available;
}

#else

std::uint32_t crc32c_hardware(std::string_view data, std::uint32_t crc) noexcept { return crc32c_portable(data, crc); }

bool crc32c_hardware_available() noexcept { return false; }

#endif

}  // namespace detail

std::uint32_t crc32c(std::string_view data, std::uint32_t crc) noexcept {
    static const auto impl = detail::crc32c_hardware_available() ? &detail::crc32c_hardware : &detail::crc32c_portable;
    return impl(data, crc);
}

}  // namespace rapport
