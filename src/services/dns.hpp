// The DNS service: authoritative answers from a lab's zone files (RFC 1035 master files, read by
// zone.hpp), over UDP and TCP on 127.0.0.1. ldns does the wire format.
//
// answer_query() is the pure part (bytes in, bytes out), so that it can be unit-tested and fuzzed
// without sockets; DnsServer puts it on a port.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <tl/expected.hpp>

#include "infuse/evidence/zone.hpp"

namespace infuse::services {

inline constexpr std::size_t kDnsHeaderSize = 12;  // RFC 1035 4.1.1

// The response to one query in wire format, for a transport whose answers may be at most
// `max_size` bytes (512 over UDP unless the query's EDNS0 says more, 65535 over TCP). An empty
// result means: send nothing (the packet was too broken to answer even with FORMERR).
std::vector<std::uint8_t> answer_query(const DnsZones& zones, std::span<const std::uint8_t> query, bool over_tcp);

// Serves `zones` on 127.0.0.1:port over UDP and TCP (the same port; 0 picks a free one).
// Robust by construction: a malformed packet gets FORMERR or nothing, an oversize TCP message
// closes that connection, a slow TCP client is cut after 10 s, at most 128 TCP connections at once.
class DnsServer {
public:
    DnsServer(boost::asio::io_context& io, std::shared_ptr<const DnsZones> zones, std::uint16_t port);
    ~DnsServer();
    DnsServer(const DnsServer&) = delete;
    DnsServer& operator=(const DnsServer&) = delete;
    std::uint16_t port() const;

private:
    struct State;
    std::shared_ptr<State> state_;
};

}  // namespace infuse::services
