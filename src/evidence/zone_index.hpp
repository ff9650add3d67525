// The in-memory index of a lab's zones, shared by the zone reader (zone.cpp), the answering of
// queries (dns_answer.cpp) and the derivation of values from zone data: private to src/services
// because it holds ldns types.
//
// Every RRset is indexed at load time under the lower-cased wire form of its owner name, so a
// look-up costs a few hash look-ups; the records are owned by DnsZones and lent to response
// packets, never copied (except wildcard answers).
#pragma once

// stdbool.h first: without it, ldns/common.h #defines true and false as 1 and 0 in C++.
#include <stdbool.h>

#include <ldns/ldns.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "infuse/common/ascii.hpp"
#include "infuse/evidence/zone.hpp"

namespace infuse::services {

constexpr std::size_t kMaxNameSize = 255;  // RFC 1035 2.3.4, in wire form

struct LdnsFree {
    void operator()(ldns_rr* rr) const { ldns_rr_free(rr); }
    void operator()(ldns_rdf* rdf) const { ldns_rdf_deep_free(rdf); }
    void operator()(ldns_pkt* pkt) const { ldns_pkt_free(pkt); }
    void operator()(ldns_buffer* buffer) const { ldns_buffer_free(buffer); }
    void operator()(std::FILE* file) const { std::fclose(file); }
};
template <class T>
using Owned = std::unique_ptr<T, LdnsFree>;

// ---- names -----------------------------------------------------------------------------------

// A name's index key: its uncompressed wire form, lower-cased. Label lengths are at most 63, below
// 'A', so lower-casing every byte never changes one.
struct NameKey {
    std::array<char, kMaxNameSize> bytes{};
    std::size_t size = 0;
    std::string_view view() const { return {bytes.data(), size}; }
};

inline bool make_key(const ldns_rdf* name, NameKey& key) {
    if (name == nullptr || ldns_rdf_get_type(name) != LDNS_RDF_TYPE_DNAME) return false;
    const std::size_t size = ldns_rdf_size(name);
    if (size == 0 || size > kMaxNameSize) return false;
    const std::uint8_t* data = ldns_rdf_data(name);
    for (std::size_t i = 0; i < size; ++i) {
        key.bytes[i] = ascii_lower(static_cast<char>(data[i]));
    }
    key.size = size;
    return true;
}

// The name one label up ("\3www\4evil\7example\0" -> "\4evil\7example\0"); empty above the root.
inline std::string_view parent_of(std::string_view name) {
    if (name.size() <= 1) return {};
    const std::size_t skip = 1 + static_cast<std::uint8_t>(name[0]);
    return skip < name.size() ? name.substr(skip) : std::string_view{};
}

inline bool is_at_or_below(std::string_view name, std::string_view apex) {
    for (std::string_view n = name; !n.empty(); n = parent_of(n)) {
        if (n == apex) return true;
    }
    return false;
}

inline std::string dname_text(const ldns_rdf* name) {
    char* text = ldns_rdf2str(name);
    std::string result = text != nullptr ? text : "?";
    std::free(text);
    return result;
}

struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
};
template <class V>
using KeyMap = std::unordered_map<std::string, V, KeyHash, std::equal_to<>>;

// ---- the index ---------------------------------------------------------------------------------

struct RRset {
    ldns_rr_type type;
    std::vector<ldns_rr*> records;  // owned by DnsZones::records_
};

// A name of a zone: its RRsets in file order. No RRsets: an empty non-terminal.
struct Node {
    std::vector<RRset> rrsets;
    const RRset* find(ldns_rr_type type) const {
        for (const auto& rrset : rrsets) {
            if (rrset.type == type) return &rrset;
        }
        return nullptr;
    }
};

struct Zone {
    std::string origin;     // key of the apex
    std::string file;       // for messages
    ldns_rr* negative_soa;  // the SOA with TTL min(TTL, MINIMUM), for NXDOMAIN and NODATA
    bool has_wildcards = false;
    KeyMap<Node> nodes;

    const Node* find(std::string_view key) const {
        const auto it = nodes.find(key);
        return it == nodes.end() ? nullptr : &it->second;
    }
    // RFC 4592: the `*` child of the closest encloser of a name that does not exist, if any.
    const Node* wildcard_for(std::string_view key) const {
        if (!has_wildcards) return nullptr;
        for (std::string_view n = parent_of(key); n.size() >= origin.size(); n = parent_of(n)) {
            if (find(n) == nullptr) continue;
            if (n.size() + 2 > kMaxNameSize) return nullptr;
            std::array<char, kMaxNameSize> star{};
            star[0] = 1;
            star[1] = '*';
            std::copy(n.begin(), n.end(), star.begin() + 2);
            return find(std::string_view(star.data(), n.size() + 2));
        }
        return nullptr;
    }
};


class DnsZones {
public:
    std::vector<Owned<ldns_rr>> records_;  // every record of every zone
    std::vector<Zone> zones_;
    KeyMap<std::size_t> zone_by_origin_;

    // The most specific zone holding `key`, or null.
    const Zone* zone_for(std::string_view key) const {
        for (std::string_view n = key; !n.empty(); n = parent_of(n)) {
            const auto it = zone_by_origin_.find(n);
            if (it != zone_by_origin_.end()) return &zones_[it->second];
        }
        return nullptr;
    }
};

}  // namespace infuse::services
