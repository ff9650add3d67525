// Answering DNS queries from the zones (see dns.hpp): bytes in, bytes out, no sockets.
//
// Choices a learner may notice:
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
// Speed: a query costs ldns's parsing of the query, a few hash look-ups and ldns's writing of the
// answer; the zones' records are lent to the response packet, never copied.
#include "services/dns.hpp"

#include <algorithm>
#include <array>
#include <new>

#include "evidence/zone_index.hpp"

namespace infuse::services {

namespace {

constexpr int kMaxCnameSteps = 8;
constexpr std::size_t kMaxRecordsPerResponse = 4096;  // ldns counts sections in uint16_t
constexpr std::uint16_t kOurUdpPayload = 1232;        // the DNS flag day 2020 figure
constexpr std::size_t kUdpFloor = 512;
constexpr std::size_t kTcpLimit = 65535;

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
    std::vector<std::uint8_t> out(kDnsHeaderSize, 0);
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
    if (bytes.size() < kDnsHeaderSize || (bytes[2] & 0x80) != 0) return {};  // too short, or a response
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

}  // namespace infuse::services
