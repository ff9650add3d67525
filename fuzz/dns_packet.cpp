// Fuzz target: a DNS query packet, as received over UDP or TCP, through answer_query().
//
// answer_query() (src/services/dns.hpp) is the server's whole packet path, bytes in and bytes out:
// ldns's parsing of the query, resolution against the zones (CNAME chains, wildcards, delegations,
// NXDOMAIN/NODATA), EDNS0 and truncation. The zones are the unit tests' fixtures, loaded once.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <span>
#include <vector>

#include "services/dns.hpp"

#ifndef INFUSE_FUZZ_ZONES
#error "INFUSE_FUZZ_ZONES: the folder of the zone files (tests/fixtures/zones)"
#endif

namespace {

const infuse::services::DnsZones& zones() {
    static const std::shared_ptr<const infuse::services::DnsZones> loaded = [] {
        const std::filesystem::path dir(INFUSE_FUZZ_ZONES);
        auto made = infuse::services::load_zones(
            {dir / "evil.example.zone", dir / "shop.evil.example.zone", dir / "2.0.192.in-addr.arpa.zone"});
        if (!made) {
            std::fprintf(stderr, "fuzz harness: cannot load the zones: %s\n", made.error().c_str());
            std::abort();
        }
        return *made;
    }();
    return *loaded;
}

constexpr std::size_t kLargestUdpAnswer = 1232;  // the server's EDNS0 payload size (dns.cpp)

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> query(data, size);
    for (const bool over_tcp : {false, true}) {
        const std::vector<std::uint8_t> response = infuse::services::answer_query(zones(), query, over_tcp);
        if (response.empty()) continue;
        // Whatever the query, an answer is a response to it: the same ID, QR set, and it fits.
        const bool same_id = size >= 2 && response.size() >= 12 && response[0] == data[0] && response[1] == data[1];
        const bool is_response = response.size() >= 12 && (response[2] & 0x80) != 0;
        const bool fits = response.size() <= (over_tcp ? 65535 : kLargestUdpAnswer);
        if (!same_id || !is_response || !fits) {
            std::fprintf(stderr, "bad response (%s, %zu bytes): same id %d, QR %d, fits %d\n", over_tcp ? "tcp" : "udp",
                         response.size(), same_id, is_response, fits);
            std::abort();
        }
    }
    return 0;
}
