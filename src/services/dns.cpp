// The DNS service (see dns.hpp): zone files in, authoritative answers out.
//
// Choices a lab author or a learner may notice:
// - One file is one zone. Its apex is its SOA owner; names before any $ORIGIN are relative to the
//   apex (as with BIND's zone statement); $ORIGIN changes that as usual. $INCLUDE is refused: a
//   lab's zone file never makes the runner read another file.
// - Delegations (NS records below the apex) are served as data, not as referrals: the snapshot
//   shows what a resolver would have seen, and there is no child server a referral could lead to.
//   When the child zone is loaded from its own file, it wins for its names (most specific zone).
// - ANY returns every RRset of the name rather than RFC 8482's HINFO: the server is on loopback
//   only, so there is no amplification to fear, and a learner expects to see everything.
// - CNAME chains are followed across every loaded zone, at most 8 CNAMEs; the RCODE is the last
//   name's (RFC 6604). Wildcards follow RFC 4592 (closest encloser, then `*` under it).
// - Positive answers carry no NS in AUTHORITY and no additional-section records: small answers.
// - AXFR and IXFR are REFUSED; classes other than IN (and ANY in a question) are REFUSED.
//
// Speed: every RRset is indexed at load time under the lower-cased wire form of its owner name, so
// a query costs ldns's parsing of the query, a few hash look-ups and ldns's writing of the answer.
// The zones' records are lent to the response packet, never copied (except wildcard answers).
#include "services/dns.hpp"

// stdbool.h first: without it, ldns/common.h #defines true and false as 1 and 0 in C++.
#include <stdbool.h>

#include <ldns/ldns.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <iterator>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <fmt/format.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

namespace infuse::services {

namespace {

constexpr std::uintmax_t kMaxZoneFileBytes = 64u << 20;
constexpr std::size_t kMaxRecords = 1'000'000;  // over every file: bounds memory
constexpr std::size_t kMaxNameSize = 255;       // RFC 1035 2.3.4, in wire form
constexpr int kMaxCnameSteps = 8;
constexpr std::size_t kMaxRecordsPerResponse = 4096;  // ldns counts sections in uint16_t
constexpr std::uint16_t kOurUdpPayload = 1232;        // the DNS flag day 2020 figure
constexpr std::size_t kUdpFloor = 512;
constexpr std::size_t kTcpLimit = 65535;
constexpr std::size_t kHeaderSize = 12;

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

bool make_key(const ldns_rdf* name, NameKey& key) {
    if (name == nullptr || ldns_rdf_get_type(name) != LDNS_RDF_TYPE_DNAME) return false;
    const std::size_t size = ldns_rdf_size(name);
    if (size == 0 || size > kMaxNameSize) return false;
    const std::uint8_t* data = ldns_rdf_data(name);
    for (std::size_t i = 0; i < size; ++i) {
        const auto c = static_cast<char>(data[i]);
        key.bytes[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    key.size = size;
    return true;
}

// The name one label up ("\3www\4evil\7example\0" -> "\4evil\7example\0"); empty above the root.
std::string_view parent_of(std::string_view name) {
    if (name.size() <= 1) return {};
    const std::size_t skip = 1 + static_cast<std::uint8_t>(name[0]);
    return skip < name.size() ? name.substr(skip) : std::string_view{};
}

bool is_at_or_below(std::string_view name, std::string_view apex) {
    for (std::string_view n = name; !n.empty(); n = parent_of(n)) {
        if (n == apex) return true;
    }
    return false;
}

std::string dname_text(const ldns_rdf* name) {
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

}  // namespace

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

namespace {

// ---- reading zone files -------------------------------------------------------------------------

struct ParsedRecord {
    Owned<ldns_rr> rr;
    int line;
};

// Reads a zone file's records with ldns, one entry at a time, and knows the line each entry starts
// on (ldns's own line counter lands on the line after an entry's trailing blank lines).
class ZoneFileReader {
public:
    ZoneFileReader(const std::string& text, const ldns_rdf* origin) : text_(text) {
        if (origin != nullptr) {
            origin_ = ldns_rdf_clone(origin);
            prev_ = ldns_rdf_clone(origin);
        }
        if (!text_.empty()) file_.reset(fmemopen(const_cast<char*>(text_.data()), text_.size(), "r"));
    }
    ~ZoneFileReader() {
        if (origin_ != nullptr) ldns_rdf_deep_free(origin_);
        if (prev_ != nullptr) ldns_rdf_deep_free(prev_);
    }
    ZoneFileReader(const ZoneFileReader&) = delete;
    ZoneFileReader& operator=(const ZoneFileReader&) = delete;

    // The next record; false at the end or on an error (then `error` is "line: message").
    bool next(ParsedRecord& out, std::string& error) {
        while (file_ && !std::feof(file_.get())) {
            const long before = std::ftell(file_.get());
            ldns_rr* rr = nullptr;
            const ldns_status status = ldns_rr_new_frm_fp_l(&rr, file_.get(), &ttl_, &origin_, &prev_, &ldns_line_);
            const long after = std::ftell(file_.get());
            const int line = line_of_entry(before);
            if (status == LDNS_STATUS_OK && rr != nullptr) {
                out = {Owned<ldns_rr>(rr), line};
                return true;
            }
            if (status == LDNS_STATUS_SYNTAX_EMPTY || status == LDNS_STATUS_SYNTAX_TTL ||
                status == LDNS_STATUS_SYNTAX_ORIGIN) {
                if (after <= before && !std::feof(file_.get())) break;  // no progress: never loop
                continue;
            }
            if (status == LDNS_STATUS_SYNTAX_INCLUDE) {
                error = fmt::format("{}: $INCLUDE is not supported: put the records in this file", line);
            } else {
                error = fmt::format("{}: {} in \"{}\"", line, ldns_get_errorstr_by_id(status), line_text(line));
            }
            return false;
        }
        return false;
    }

private:
    // The line of the first character of an entry that starts at byte `from`, skipping blanks
    // and comments. Offsets only grow, so counting is linear over the whole file.
    int line_of_entry(long from) {
        std::size_t pos = from < 0 ? text_.size() : std::min(static_cast<std::size_t>(from), text_.size());
        while (pos < text_.size()) {
            const char c = text_[pos];
            if (c == ';') {
                while (pos < text_.size() && text_[pos] != '\n')
                    ++pos;
            } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                ++pos;
            } else {
                break;
            }
        }
        if (pos < counted_pos_) return counted_line_;
        counted_line_ += static_cast<int>(std::count(text_.begin() + static_cast<std::ptrdiff_t>(counted_pos_),
                                                     text_.begin() + static_cast<std::ptrdiff_t>(pos), '\n'));
        counted_pos_ = pos;
        return counted_line_;
    }

    std::string line_text(int line) const {
        std::size_t start = 0;
        for (int i = 1; i < line && start != std::string::npos; ++i) {
            start = text_.find('\n', start);
            if (start != std::string::npos) ++start;
        }
        if (start == std::string::npos) return {};
        const std::size_t end = text_.find('\n', start);
        std::string result = text_.substr(start, end == std::string::npos ? std::string::npos : end - start);
        if (!result.empty() && result.back() == '\r') result.pop_back();
        if (result.size() > 80) result = result.substr(0, 77) + "...";
        return result;
    }

    const std::string& text_;
    Owned<std::FILE> file_;
    std::uint32_t ttl_ = 3600;
    ldns_rdf* origin_ = nullptr;
    ldns_rdf* prev_ = nullptr;
    int ldns_line_ = 0;
    std::size_t counted_pos_ = 0;
    int counted_line_ = 1;
};

tl::expected<std::string, std::string> read_zone_file(const std::filesystem::path& path) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) return tl::unexpected(fmt::format("{}: cannot read: {}", path.string(), ec.message()));
    if (size > kMaxZoneFileBytes) {
        return tl::unexpected(fmt::format("{}: {} bytes, more than the {} MiB a zone file may have", path.string(),
                                          size, kMaxZoneFileBytes >> 20));
    }
    std::ifstream in(path, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) return tl::unexpected(fmt::format("{}: cannot read", path.string()));
    if (text.size() > kMaxZoneFileBytes) return tl::unexpected(fmt::format("{}: file too large", path.string()));
    return text;
}

// The apex: the owner of the file's first SOA (names before any $ORIGIN read as absolute).
tl::expected<Owned<ldns_rdf>, std::string> find_apex(const std::string& text, const std::string& file) {
    ZoneFileReader reader(text, nullptr);
    ParsedRecord record;
    std::string error;
    while (reader.next(record, error)) {
        if (ldns_rr_get_type(record.rr.get()) == LDNS_RR_TYPE_SOA) {
            return Owned<ldns_rdf>(ldns_rdf_clone(ldns_rr_owner(record.rr.get())));
        }
    }
    if (!error.empty()) return tl::unexpected(fmt::format("{}:{}", file, error));
    return tl::unexpected(
        fmt::format("{}:1: no SOA record: a zone file needs one, at its apex "
                    "(e.g. \"$ORIGIN evil.example.\" then \"@ SOA ns1 hostmaster 1 3600 900 604800 300\")",
                    file));
}

// Adds one record to `zone`; an error names the line.
tl::expected<void, std::string> index_record(Zone& zone, ldns_rr* rr, int line, const std::string& file) {
    auto fail = [&](const std::string& what) { return tl::unexpected(fmt::format("{}:{}: {}", file, line, what)); };
    NameKey key;
    if (!make_key(ldns_rr_owner(rr), key)) return fail("the owner name is not a valid domain name");
    const std::string owner = dname_text(ldns_rr_owner(rr));
    if (!is_at_or_below(key.view(), zone.origin)) {
        return fail(
            fmt::format("{} is outside the zone's origin (the zone is the SOA owner; "
                        "write relative names, or absolute names ending with the origin)",
                        owner));
    }
    if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) return fail(fmt::format("{}: only class IN is served", owner));
    const ldns_rr_type type = ldns_rr_get_type(rr);
    if (type == LDNS_RR_TYPE_SOA && key.view() != zone.origin) {
        return fail(
            fmt::format("SOA record for {}, which is not the zone's apex (write the SOA owner as an "
                        "absolute name ending with a dot, or put $ORIGIN before it)",
                        owner));
    }
    Node& node = zone.nodes[std::string(key.view())];
    const bool node_has_cname = node.find(LDNS_RR_TYPE_CNAME) != nullptr;
    const bool coexists = type == LDNS_RR_TYPE_RRSIG || type == LDNS_RR_TYPE_NSEC;
    if (type == LDNS_RR_TYPE_CNAME && node_has_cname) return fail(fmt::format("a second CNAME for {}", owner));
    const bool other_data = std::any_of(node.rrsets.begin(), node.rrsets.end(), [](const RRset& s) {
        return s.type != LDNS_RR_TYPE_RRSIG && s.type != LDNS_RR_TYPE_NSEC;
    });
    if ((type == LDNS_RR_TYPE_CNAME && other_data) || (node_has_cname && !coexists)) {
        return fail(
            fmt::format("{} has a CNAME and other data: a CNAME must be alone at its name (RFC 1034 3.6.2)", owner));
    }
    auto it = std::find_if(node.rrsets.begin(), node.rrsets.end(), [&](const RRset& s) { return s.type == type; });
    if (it == node.rrsets.end()) it = node.rrsets.insert(node.rrsets.end(), RRset{type, {}});
    it->records.push_back(rr);
    if (key.size >= 2 && key.bytes[0] == 1 && key.bytes[1] == '*') zone.has_wildcards = true;
    // Empty non-terminals: every name between the owner and the apex exists.
    for (std::string_view n = parent_of(key.view()); n.size() > zone.origin.size(); n = parent_of(n)) {
        zone.nodes.try_emplace(std::string(n));
    }
    return {};
}

tl::expected<void, std::string> load_zone_file(const std::filesystem::path& path, DnsZones& zones) {
    const std::string file = path.string();
    const auto text = read_zone_file(path);
    if (!text) return tl::unexpected(text.error());
    auto apex = find_apex(*text, file);
    if (!apex) return tl::unexpected(apex.error());
    Zone zone;
    NameKey apex_key;
    if (!make_key(apex->get(), apex_key) || apex_key.size <= 1) {
        return tl::unexpected(
            fmt::format("{}: the SOA's owner is the root: write the zone's name (\"$ORIGIN "
                        "evil.example.\" at the top, or an absolute SOA owner)",
                        file));
    }
    zone.origin = std::string(apex_key.view());
    zone.file = file;
    if (zones.zone_by_origin_.count(zone.origin) != 0) {
        const Zone& other = zones.zones_[zones.zone_by_origin_.at(zone.origin)];
        return tl::unexpected(fmt::format("{}: zone {} is already loaded from {}: one file per zone", file,
                                          dname_text(apex->get()), other.file));
    }

    ZoneFileReader reader(*text, apex->get());
    ParsedRecord record;
    std::string error;
    ldns_rr* soa = nullptr;
    while (reader.next(record, error)) {
        if (zones.records_.size() >= kMaxRecords) {
            return tl::unexpected(
                fmt::format("{}:{}: more than {} records in the lab's zones", file, record.line, kMaxRecords));
        }
        ldns_rr* rr = record.rr.get();
        if (auto indexed = index_record(zone, rr, record.line, file); !indexed) return indexed;
        if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA) {
            if (soa != nullptr) return tl::unexpected(fmt::format("{}:{}: a second SOA record", file, record.line));
            soa = rr;
        }
        zones.records_.push_back(std::move(record.rr));
    }
    if (!error.empty()) return tl::unexpected(fmt::format("{}:{}", file, error));
    if (soa == nullptr) {
        return tl::unexpected(
            fmt::format("{}: the SOA owner must be written as an absolute name (ending with "
                        "a dot) when the file has no $ORIGIN before it",
                        file));
    }
    Owned<ldns_rr> negative(ldns_rr_clone(soa));
    const ldns_rdf* minimum = ldns_rr_rdf(soa, 6);
    if (minimum != nullptr) {
        ldns_rr_set_ttl(negative.get(), std::min(ldns_rr_ttl(soa), ldns_rdf2native_int32(minimum)));
    }
    zone.negative_soa = negative.get();
    zones.records_.push_back(std::move(negative));
    zones.zone_by_origin_.emplace(zone.origin, zones.zones_.size());
    zones.zones_.push_back(std::move(zone));
    return {};
}

}  // namespace

tl::expected<std::shared_ptr<const DnsZones>, std::string> load_zones(const std::vector<std::filesystem::path>& files) {
    auto zones = std::make_shared<DnsZones>();
    for (const auto& file : files) {
        if (auto loaded = load_zone_file(file, *zones); !loaded) return tl::unexpected(loaded.error());
    }
    return std::shared_ptr<const DnsZones>(std::move(zones));
}

// ---- answering --------------------------------------------------------------------------------

namespace {

// What the zones say about a question: sections of records lent by the zones (or synthesized from
// a wildcard and owned here).
struct Resolution {
    ldns_pkt_rcode rcode = LDNS_RCODE_NOERROR;
    bool authoritative = true;
    std::vector<ldns_rr*> answer;
    std::vector<ldns_rr*> authority;
    std::vector<Owned<ldns_rr>> synthesized;

    void add(const RRset& rrset, const ldns_rdf* wildcard_owner) {
        for (ldns_rr* rr : rrset.records) {
            if (wildcard_owner == nullptr) {
                answer.push_back(rr);
                continue;
            }
            Owned<ldns_rr> copy(ldns_rr_clone(rr));
            if (!copy) continue;
            ldns_rdf_deep_free(ldns_rr_owner(copy.get()));
            ldns_rr_set_owner(copy.get(), ldns_rdf_clone(wildcard_owner));
            answer.push_back(copy.get());
            synthesized.push_back(std::move(copy));
        }
    }
};

void resolve(const DnsZones& zones, const ldns_rdf* qname, ldns_rr_type qtype, Resolution& out) {
    NameKey key;
    const Zone* zone = make_key(qname, key) ? zones.zone_for(key.view()) : nullptr;
    if (zone == nullptr) {
        out.rcode = LDNS_RCODE_REFUSED;
        out.authoritative = false;
        return;
    }
    const ldns_rdf* name = qname;
    std::array<NameKey, kMaxCnameSteps> followed;  // names whose CNAME was followed: loops stop
    for (int step = 0;; ++step) {
        const Node* node = zone->find(key.view());
        const ldns_rdf* wildcard_owner = nullptr;
        if (node == nullptr) {
            node = zone->wildcard_for(key.view());
            wildcard_owner = name;
        }
        if (node == nullptr) {
            out.rcode = LDNS_RCODE_NXDOMAIN;
            out.authority.push_back(zone->negative_soa);
            return;
        }
        if (qtype == LDNS_RR_TYPE_ANY && !node->rrsets.empty()) {
            for (const auto& rrset : node->rrsets)
                out.add(rrset, wildcard_owner);
            return;
        }
        if (const RRset* rrset = node->find(qtype)) {
            out.add(*rrset, wildcard_owner);
            return;
        }
        const RRset* cname = qtype == LDNS_RR_TYPE_CNAME ? nullptr : node->find(LDNS_RR_TYPE_CNAME);
        if (cname == nullptr || cname->records.empty()) {
            out.authority.push_back(zone->negative_soa);  // NODATA
            return;
        }
        out.add(*cname, wildcard_owner);
        name = ldns_rr_rdf(cname->records.front(), 0);
        followed[step] = key;
        if (step + 1 >= kMaxCnameSteps || !make_key(name, key)) return;
        const auto end = followed.begin() + step + 1;
        if (std::any_of(followed.begin(), end, [&](const NameKey& k) { return k.view() == key.view(); })) return;
        zone = zones.zone_for(key.view());
        if (zone == nullptr) return;  // the chain leaves our zones: the resolver follows it
    }
}

std::uint16_t read_u16(std::span<const std::uint8_t> bytes, std::size_t at) {
    return static_cast<std::uint16_t>((bytes[at] << 8) | bytes[at + 1]);
}

// A response of the header alone (FORMERR, NOTIMP): the query's ID, opcode and RD echoed.
std::vector<std::uint8_t> header_only(std::span<const std::uint8_t> query, ldns_pkt_rcode rcode) {
    std::vector<std::uint8_t> out(kHeaderSize, 0);
    out[0] = query[0];
    out[1] = query[1];
    out[2] = static_cast<std::uint8_t>(0x80 | (query[2] & 0x79));  // QR, opcode, RD
    out[3] = static_cast<std::uint8_t>(rcode & 0x0F);
    return out;
}

// The thread's output buffer, reused from query to query; a new one after a failure, since an
// ldns_buffer keeps its error status for good.
ldns_buffer* wire_buffer() {
    thread_local Owned<ldns_buffer> buffer;
    if (!buffer || ldns_buffer_status(buffer.get()) != LDNS_STATUS_OK) buffer.reset(ldns_buffer_new(4096));
    return buffer.get();
}

// A response packet whose answer and authority records are lent: they are taken back out of the
// packet before ldns frees it.
class LentPacket {
public:
    LentPacket() : pkt_(ldns_pkt_new()) {
        if (!pkt_) throw std::bad_alloc();
    }
    ~LentPacket() { clear_sections(); }
    LentPacket(const LentPacket&) = delete;
    LentPacket& operator=(const LentPacket&) = delete;
    ldns_pkt* get() const { return pkt_.get(); }

    void lend(ldns_pkt_section section, const std::vector<ldns_rr*>& records) {
        for (ldns_rr* rr : records)
            ldns_pkt_push_rr(pkt_.get(), section, rr);
    }
    void clear_sections() {
        ldns_rr_list_set_rr_count(ldns_pkt_answer(pkt_.get()), 0);
        ldns_rr_list_set_rr_count(ldns_pkt_authority(pkt_.get()), 0);
        ldns_pkt_set_ancount(pkt_.get(), 0);
        ldns_pkt_set_nscount(pkt_.get(), 0);
    }
    std::vector<std::uint8_t> wire() const {
        ldns_buffer* buffer = wire_buffer();
        if (buffer == nullptr) return {};
        ldns_buffer_clear(buffer);
        if (ldns_pkt2buffer_wire(buffer, pkt_.get()) != LDNS_STATUS_OK ||
            ldns_buffer_status(buffer) != LDNS_STATUS_OK) {
            return {};
        }
        const std::uint8_t* begin = ldns_buffer_begin(buffer);
        return {begin, begin + ldns_buffer_position(buffer)};
    }

private:
    Owned<ldns_pkt> pkt_;
};

std::vector<std::uint8_t> respond(const DnsZones& zones, std::span<const std::uint8_t> bytes, bool over_tcp) {
    if (bytes.size() < kHeaderSize || (bytes[2] & 0x80) != 0) return {};  // too short, or a response
    const int opcode = (bytes[2] >> 3) & 0x0F;
    if (opcode != LDNS_PACKET_QUERY) return header_only(bytes, LDNS_RCODE_NOTIMPL);
    if (read_u16(bytes, 4) != 1) return header_only(bytes, LDNS_RCODE_FORMERR);
    ldns_pkt* parsed = nullptr;
    if (ldns_wire2pkt(&parsed, bytes.data(), bytes.size()) != LDNS_STATUS_OK || parsed == nullptr) {
        if (parsed != nullptr) ldns_pkt_free(parsed);
        return header_only(bytes, LDNS_RCODE_FORMERR);
    }
    const Owned<ldns_pkt> query(parsed);
    const ldns_rr* question = ldns_rr_list_rr(ldns_pkt_question(query.get()), 0);
    if (question == nullptr || ldns_rr_owner(question) == nullptr) return header_only(bytes, LDNS_RCODE_FORMERR);

    LentPacket response;
    ldns_pkt* pkt = response.get();
    ldns_pkt_set_id(pkt, ldns_pkt_id(query.get()));
    ldns_pkt_set_qr(pkt, true);
    ldns_pkt_set_rd(pkt, ldns_pkt_rd(query.get()));
    ldns_pkt_push_rr(pkt, LDNS_SECTION_QUESTION, ldns_rr_clone(question));
    const bool edns = ldns_pkt_edns(query.get());
    std::size_t limit = over_tcp ? kTcpLimit : kUdpFloor;
    if (edns) {
        ldns_pkt_set_edns_udp_size(pkt, kOurUdpPayload);
        if (!over_tcp) {
            limit = std::max(kUdpFloor, std::min<std::size_t>(ldns_pkt_edns_udp_size(query.get()), kOurUdpPayload));
        }
        if (ldns_pkt_edns_version(query.get()) != 0) {  // BADVERS (RFC 6891 6.1.3): rcode 16
            ldns_pkt_set_edns_extended_rcode(pkt, 1);
            return response.wire();
        }
    }

    const ldns_rr_type qtype = ldns_rr_get_type(question);
    const ldns_rr_class qclass = ldns_rr_get_class(question);
    Resolution resolution;
    if ((qclass != LDNS_RR_CLASS_IN && qclass != LDNS_RR_CLASS_ANY) || qtype == LDNS_RR_TYPE_AXFR ||
        qtype == LDNS_RR_TYPE_IXFR) {
        resolution.rcode = LDNS_RCODE_REFUSED;
        resolution.authoritative = false;
    } else {
        resolve(zones, ldns_rr_owner(question), qtype, resolution);
    }
    ldns_pkt_set_rcode(pkt, static_cast<std::uint8_t>(resolution.rcode));
    ldns_pkt_set_aa(pkt, resolution.authoritative);
    if (resolution.answer.size() + resolution.authority.size() <= kMaxRecordsPerResponse) {
        response.lend(LDNS_SECTION_ANSWER, resolution.answer);
        response.lend(LDNS_SECTION_AUTHORITY, resolution.authority);
        auto wire = response.wire();
        if (wire.size() <= limit) return wire;
        response.clear_sections();
    }
    // Too big for this transport: the header and question only, with TC, so the client retries
    // over TCP (RFC 1035 4.2.1, RFC 2181 9).
    ldns_pkt_set_tc(pkt, true);
    return response.wire();
}

}  // namespace

std::vector<std::uint8_t> answer_query(const DnsZones& zones, std::span<const std::uint8_t> query, bool over_tcp) {
    try {
        return respond(zones, query, over_tcp);
    } catch (...) {
        return {};  // out of memory or worse: this packet gets no answer, the server carries on
    }
}

// ---- the server ---------------------------------------------------------------------------------

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;

namespace {

constexpr std::size_t kMaxTcpConnections = 128;
constexpr auto kTcpIdleTimeout = std::chrono::seconds(10);
constexpr int kBindAttempts = 16;
constexpr auto kAcceptErrorPause = std::chrono::milliseconds(100);
constexpr auto kCloseWait = std::chrono::seconds(2);

class TcpConnection;

// Everything the server's handlers share. Every handler runs on `strand`, so none of this needs a
// lock even when several threads run the io_context.
struct ServerState {
    ServerState(asio::io_context& io_context, std::shared_ptr<const DnsZones> z)
        : io(io_context),
          strand(asio::make_strand(io_context)),
          zones(std::move(z)),
          udp_socket(strand),
          acceptor(strand),
          accept_pause(strand) {}

    asio::io_context& io;
    asio::strand<asio::io_context::executor_type> strand;
    std::shared_ptr<const DnsZones> zones;
    udp::socket udp_socket;
    tcp::acceptor acceptor;
    asio::steady_timer accept_pause;
    std::array<std::uint8_t, 65535> udp_buffer{};
    udp::endpoint udp_peer;
    std::unordered_set<TcpConnection*> connections;
    std::uint16_t port = 0;
    bool closed = false;
    std::atomic<bool> io_has_run{false};

    void close_all();
};

using StatePtr = std::shared_ptr<ServerState>;

// One TCP client: length-prefixed messages (RFC 1035 4.2.2), answered in order, one at a time;
// further pipelined queries wait in the socket. Closed after 10 s without a whole message read or
// an answer written, on a message shorter than a header, or on any error.
class TcpConnection : public std::enable_shared_from_this<TcpConnection> {
public:
    TcpConnection(StatePtr state, tcp::socket socket)
        : state_(std::move(state)), socket_(std::move(socket)), timer_(state_->strand) {}
    ~TcpConnection() { state_->connections.erase(this); }
    TcpConnection(const TcpConnection&) = delete;
    TcpConnection& operator=(const TcpConnection&) = delete;

    void start() {
        state_->connections.insert(this);
        read_length();
    }

    void close() {
        if (closed_) return;
        closed_ = true;
        state_->connections.erase(this);
        boost::system::error_code ignored;
        socket_.shutdown(tcp::socket::shutdown_both, ignored);
        socket_.close(ignored);
        timer_.cancel();
    }

private:
    void arm_idle_timer() {
        deadline_ = std::chrono::steady_clock::now() + kTcpIdleTimeout;
        timer_.expires_at(deadline_);
        timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
            if (!ec && std::chrono::steady_clock::now() >= self->deadline_) self->close();
        });
    }

    void read_length() {
        if (closed_) return;
        arm_idle_timer();
        asio::async_read(
            socket_, asio::buffer(length_),
            [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) { self->on_length(ec); });
    }

    void on_length(const boost::system::error_code& ec) {
        if (ec || closed_) return close();
        const std::size_t size = static_cast<std::size_t>((length_[0] << 8) | length_[1]);
        if (size < kHeaderSize) return close();  // over 65535 cannot be declared in two bytes
        message_.resize(size);
        asio::async_read(socket_, asio::buffer(message_),
                         [self = shared_from_this()](const boost::system::error_code& read_ec, std::size_t) {
                             self->on_message(read_ec);
                         });
    }

    void on_message(const boost::system::error_code& ec) {
        if (ec || closed_) return close();
        try {
            const auto answer = answer_query(*state_->zones, message_, true);
            if (answer.empty()) return read_length();
            reply_.resize(2 + answer.size());
            reply_[0] = static_cast<std::uint8_t>(answer.size() >> 8);
            reply_[1] = static_cast<std::uint8_t>(answer.size() & 0xFF);
            std::copy(answer.begin(), answer.end(), reply_.begin() + 2);
        } catch (...) {
            return close();
        }
        arm_idle_timer();
        asio::async_write(socket_, asio::buffer(reply_),
                          [self = shared_from_this()](const boost::system::error_code& write_ec, std::size_t) {
                              if (write_ec) return self->close();
                              self->read_length();
                          });
    }

    StatePtr state_;
    tcp::socket socket_;
    asio::steady_timer timer_;
    std::chrono::steady_clock::time_point deadline_{};
    std::array<std::uint8_t, 2> length_{};
    std::vector<std::uint8_t> message_;
    std::vector<std::uint8_t> reply_;
    bool closed_ = false;
};

void receive_udp(const StatePtr& state);

void on_udp_datagram(const StatePtr& state, const boost::system::error_code& ec, std::size_t size) {
    if (state->closed || ec == asio::error::operation_aborted || !state->udp_socket.is_open()) return;
    if (!ec) {
        try {
            const auto answer =
                answer_query(*state->zones, std::span<const std::uint8_t>(state->udp_buffer.data(), size), false);
            boost::system::error_code send_ec;  // a full send buffer drops the answer: UDP may lose it anyway
            if (!answer.empty()) state->udp_socket.send_to(asio::buffer(answer), state->udp_peer, 0, send_ec);
        } catch (...) {
        }
    }
    receive_udp(state);
}

void receive_udp(const StatePtr& state) {
    state->udp_socket.async_receive_from(
        asio::buffer(state->udp_buffer), state->udp_peer,
        [state](const boost::system::error_code& ec, std::size_t size) { on_udp_datagram(state, ec, size); });
}

void accept_tcp(const StatePtr& state);

void on_tcp_accept(const StatePtr& state, const boost::system::error_code& ec, tcp::socket peer) {
    if (state->closed || ec == asio::error::operation_aborted || !state->acceptor.is_open()) return;
    if (ec) {  // out of descriptors, for instance: pause rather than spin
        state->accept_pause.expires_after(kAcceptErrorPause);
        state->accept_pause.async_wait([state](const boost::system::error_code& wait_ec) {
            if (!wait_ec) accept_tcp(state);
        });
        return;
    }
    try {
        if (state->connections.size() >= kMaxTcpConnections) {
            boost::system::error_code ignored;
            peer.close(ignored);
        } else {
            std::make_shared<TcpConnection>(state, std::move(peer))->start();
        }
    } catch (...) {
    }
    accept_tcp(state);
}

void accept_tcp(const StatePtr& state) {
    state->acceptor.async_accept(state->strand, [state](const boost::system::error_code& ec, tcp::socket peer) {
        on_tcp_accept(state, ec, std::move(peer));
    });
}

// UDP first, then TCP on the port UDP got; with port 0, a new UDP port when TCP's is taken.
void bind_sockets(ServerState& state, std::uint16_t port) {
    const auto loopback = asio::ip::address_v4::loopback();
    for (int attempt = 0;; ++attempt) {
        state.udp_socket.open(udp::v4());
        state.udp_socket.bind(udp::endpoint(loopback, port));
        state.udp_socket.non_blocking(true);
        const std::uint16_t bound = state.udp_socket.local_endpoint().port();
        boost::system::error_code ec;
        state.acceptor.open(tcp::v4());
        state.acceptor.set_option(tcp::acceptor::reuse_address(true));
        state.acceptor.bind(tcp::endpoint(loopback, bound), ec);
        if (!ec) state.acceptor.listen(asio::socket_base::max_listen_connections, ec);
        if (!ec) {
            state.port = bound;
            return;
        }
        boost::system::error_code ignored;
        state.acceptor.close(ignored);
        state.udp_socket.close(ignored);
        if (port != 0 || attempt + 1 >= kBindAttempts) {
            throw std::system_error(ec, fmt::format("DNS service: cannot listen on TCP 127.0.0.1:{}", bound));
        }
    }
}

void ServerState::close_all() {
    closed = true;
    boost::system::error_code ignored;
    udp_socket.close(ignored);
    acceptor.close(ignored);
    accept_pause.cancel();
    const std::vector<TcpConnection*> open(connections.begin(), connections.end());
    for (TcpConnection* connection : open)
        connection->close();
    connections.clear();
}

}  // namespace

struct DnsServer::State : ServerState {
    using ServerState::ServerState;
};

DnsServer::DnsServer(boost::asio::io_context& io, std::shared_ptr<const DnsZones> zones, std::uint16_t port)
    : state_(std::make_shared<State>(io, std::move(zones))) {
    if (!state_->zones) throw std::invalid_argument("DnsServer: no zones");
    bind_sockets(*state_, port);
    asio::post(state_->strand, [state = state_] { state->io_has_run = true; });
    receive_udp(state_);
    accept_tcp(state_);
}

// The sockets belong to the strand. If no thread runs the io_context (it never ran since the
// server was made, or it stopped), or this is the strand's own thread, they are closed here;
// otherwise the close is posted to the strand and awaited (bounded), so the port is free on return.
DnsServer::~DnsServer() {
    const StatePtr state = state_;
    try {
        if (state->strand.running_in_this_thread() || !state->io_has_run || state->io.stopped()) {
            state->close_all();
            return;
        }
        auto done = std::make_shared<std::promise<void>>();
        auto closed = done->get_future();
        asio::post(state->strand, [state, done] {
            state->close_all();
            done->set_value();
        });
        closed.wait_for(kCloseWait);
    } catch (...) {
    }
}

std::uint16_t DnsServer::port() const {
    return state_->port;
}

}  // namespace infuse::services
