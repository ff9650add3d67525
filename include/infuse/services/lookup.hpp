// `infuse-lab lookup`: the client side of the simulated services, for learners without dig or
// whois. DNS through ldns over UDP (TCP when truncated), WHOIS over TCP, the others over HTTP
// (libcurl), always to 127.0.0.1.
#pragma once

#include <string>

#include <tl/expected.hpp>

namespace infuse {

struct LookupResult {
    std::string status;  // NOERROR / NXDOMAIN ..., "found" / "no match", the HTTP status
    bool found = false;  // an answer with data
    std::string text;    // what to print
};

// type: A, AAAA, MX, NS, TXT, CNAME, SOA, PTR (an address is reversed for PTR), CAA ...
tl::expected<LookupResult, std::string> lookup_dns(int port, const std::string& name, const std::string& type);
tl::expected<LookupResult, std::string> lookup_whois(int port, const std::string& query);
// kind: rdap (the route from the query's shape: domain, IP or CIDR, AS number, entity handle),
// ct, pdns (a name or an IP), asn.
tl::expected<LookupResult, std::string> lookup_http(const std::string& kind, int port, const std::string& query);

}  // namespace infuse
