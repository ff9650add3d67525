// A deterministic stream of 64-bit numbers (SplitMix64), seeded from text by SHA-256: the one
// source of randomness for params and generated evidence, so a seed always gives the same lab.
#pragma once

#include <cstdint>
#include <string_view>

namespace infuse {

class SeededStream {
public:
    explicit SeededStream(std::string_view seed_text);
    std::uint64_t next();
    std::uint64_t below(std::uint64_t bound);  // uniform in [0, bound), bound > 0

private:
    std::uint64_t state_;
};

}  // namespace infuse
