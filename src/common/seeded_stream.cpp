// SplitMix64 seeded from the first 8 bytes of SHA-256(seed text) (docs/lab-format.md#params).
#include "infuse/common/seeded_stream.hpp"

#include <charconv>
#include <string>

#include "infuse/common/sha256.hpp"

namespace infuse {

SeededStream::SeededStream(std::string_view seed_text) : state_(0) {
    const std::string digest = sha256_hex(seed_text);
    // First 8 bytes of the digest, big-endian: the first 16 hex digits.
    std::from_chars(digest.data(), digest.data() + 16, state_, 16);
}

std::uint64_t SeededStream::next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

std::uint64_t SeededStream::below(std::uint64_t bound) {
    // Rejection keeps the draw uniform: accept x < 2^64 - (2^64 mod bound).
    const std::uint64_t remainder = (0 - bound) % bound;  // == 2^64 mod bound
    for (;;) {
        std::uint64_t x = next();
        if (remainder == 0 || x < 0 - remainder) return x % bound;
    }
}

}  // namespace infuse
