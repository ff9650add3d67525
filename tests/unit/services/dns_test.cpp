// The DNS service: zone loading, answer_query() on every kind of answer, robustness against
// hostile packets, and DnsServer on real UDP and TCP sockets of 127.0.0.1 (and real dig if present).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

// stdbool.h first: without it, ldns/common.h #defines true and false as 1 and 0 in C++.
#include <stdbool.h>

#include <ldns/ldns.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "../temp_dir.hpp"
#include "infuse/sandbox/process.hpp"
#include "services/dns.hpp"

using namespace infuse::services;
using namespace std::chrono_literals;
using Bytes = std::vector<std::uint8_t>;

namespace {

struct LdnsFree {
    void operator()(ldns_pkt* pkt) const { ldns_pkt_free(pkt); }
};
using Packet = std::unique_ptr<ldns_pkt, LdnsFree>;

std::filesystem::path zone_fixture(const std::string& name) {
    return std::filesystem::path(INFUSE_TEST_FIXTURES) / "zones" / name;
}

std::shared_ptr<const DnsZones> lab_zones() {
    static const auto zones = load_zones({zone_fixture("evil.example.zone"), zone_fixture("shop.evil.example.zone"),
                                          zone_fixture("2.0.192.in-addr.arpa.zone")});
    REQUIRE(zones);
    return *zones;
}

struct QueryOptions {
    std::uint16_t id = 0x4242;
    bool rd = true;
    std::optional<std::uint16_t> edns_payload;  // with an OPT record advertising this size
    std::uint8_t edns_version = 0;
    bool edns_cookie = false;  // an option the server must not echo
    ldns_rr_class qclass = LDNS_RR_CLASS_IN;
};

Bytes make_query(const std::string& name, ldns_rr_type type, const QueryOptions& options = {}) {
    Packet pkt(
        ldns_pkt_query_new(ldns_dname_new_frm_str(name.c_str()), type, options.qclass, options.rd ? LDNS_RD : 0));
    REQUIRE(pkt);
    ldns_pkt_set_id(pkt.get(), options.id);
    if (options.edns_payload) {
        ldns_pkt_set_edns_udp_size(pkt.get(), *options.edns_payload);
        ldns_pkt_set_edns_version(pkt.get(), options.edns_version);
        if (options.edns_cookie) {
            const std::uint8_t cookie[] = {0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8};
            ldns_pkt_set_edns_data(pkt.get(), ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN, sizeof cookie, cookie));
        }
    }
    std::uint8_t* wire = nullptr;
    std::size_t size = 0;
    REQUIRE(ldns_pkt2wire(&wire, pkt.get(), &size) == LDNS_STATUS_OK);
    Bytes bytes(wire, wire + size);
    std::free(wire);
    return bytes;
}

Packet parse(const Bytes& bytes) {
    ldns_pkt* pkt = nullptr;
    if (ldns_wire2pkt(&pkt, bytes.data(), bytes.size()) != LDNS_STATUS_OK) return nullptr;
    return Packet(pkt);
}

std::string rr_text(const ldns_rr* rr) {
    char* text = ldns_rr2str(rr);
    std::string s = text;
    std::free(text);
    while (!s.empty() && s.back() == '\n')
        s.pop_back();
    for (char& c : s) {
        if (c == '\t') c = ' ';
    }
    return s;
}

// Each record of a section as "owner ttl class type rdata", single spaces.
std::vector<std::string> section(const Packet& pkt, ldns_pkt_section which) {
    const ldns_rr_list* list = which == LDNS_SECTION_ANSWER      ? ldns_pkt_answer(pkt.get())
                               : which == LDNS_SECTION_AUTHORITY ? ldns_pkt_authority(pkt.get())
                                                                 : ldns_pkt_additional(pkt.get());
    std::vector<std::string> out;
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(list); ++i)
        out.push_back(rr_text(ldns_rr_list_rr(list, i)));
    return out;
}

Packet ask(const std::string& name, ldns_rr_type type, const QueryOptions& options = {}, bool over_tcp = false) {
    const auto reply = answer_query(*lab_zones(), make_query(name, type, options), over_tcp);
    REQUIRE_FALSE(reply.empty());
    auto pkt = parse(reply);
    REQUIRE(pkt);
    return pkt;
}

std::uint16_t u16(const Bytes& bytes, std::size_t at) {
    return static_cast<std::uint16_t>((bytes[at] << 8) | bytes[at + 1]);
}
int rcode_of(const Bytes& bytes) {
    return bytes[3] & 0x0F;
}

// ---- sockets, as a client sees them --------------------------------------------------------------

struct Fd {
    int fd = -1;
    explicit Fd(int f) : fd(f) {}
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
};

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

bool wait_readable(int fd, std::chrono::milliseconds timeout) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(timeout.count())) == 1;
}

Bytes udp_ask(std::uint16_t port, const Bytes& query, std::chrono::milliseconds timeout = 2000ms) {
    Fd sock(::socket(AF_INET, SOCK_DGRAM, 0));
    const auto to = loopback(port);
    ::sendto(sock.fd, query.data(), query.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
    if (!wait_readable(sock.fd, timeout)) return {};
    Bytes reply(65535);
    const ssize_t n = ::recv(sock.fd, reply.data(), reply.size(), 0);
    reply.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return reply;
}

std::unique_ptr<Fd> tcp_connect(std::uint16_t port) {
    auto sock = std::make_unique<Fd>(::socket(AF_INET, SOCK_STREAM, 0));
    const auto to = loopback(port);
    REQUIRE(::connect(sock->fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0);
    return sock;
}

void send_all(const Fd& sock, const Bytes& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        const ssize_t n = ::send(sock.fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return;
        sent += static_cast<std::size_t>(n);
    }
}

Bytes framed(const Bytes& message) {
    Bytes out{static_cast<std::uint8_t>(message.size() >> 8), static_cast<std::uint8_t>(message.size() & 0xFF)};
    out.insert(out.end(), message.begin(), message.end());
    return out;
}

// Reads exactly `size` bytes; fewer when the peer closes or the time runs out.
Bytes read_exactly(const Fd& sock, std::size_t size, std::chrono::milliseconds timeout = 2000ms) {
    Bytes out;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (out.size() < size) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left <= 0ms || !wait_readable(sock.fd, left)) break;
        std::uint8_t chunk[4096];
        const ssize_t n = ::recv(sock.fd, chunk, std::min(sizeof chunk, size - out.size()), 0);
        if (n <= 0) break;
        out.insert(out.end(), chunk, chunk + n);
    }
    return out;
}

Bytes tcp_read_message(const Fd& sock) {
    const auto length = read_exactly(sock, 2);
    if (length.size() != 2) return {};
    return read_exactly(sock, u16(length, 0));
}

// True when the server has closed the connection (EOF or reset) within `timeout`.
bool closed_by_server(const Fd& sock, std::chrono::milliseconds timeout) {
    if (!wait_readable(sock.fd, timeout)) return false;
    std::uint8_t byte;
    return ::recv(sock.fd, &byte, 1, 0) <= 0;
}

// A DnsServer on a free port, its io_context run by a thread of its own.
struct RunningServer {
    boost::asio::io_context io;
    std::unique_ptr<DnsServer> server;
    std::thread thread;
    explicit RunningServer(std::shared_ptr<const DnsZones> zones)
        : server(std::make_unique<DnsServer>(io, std::move(zones), 0)), thread([this] { io.run(); }) {}
    ~RunningServer() {
        server.reset();
        io.stop();
        thread.join();
    }
    std::uint16_t port() const { return server->port(); }
};

void write_file(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path) << text;
}

std::string load_error(const std::vector<std::filesystem::path>& files) {
    const auto zones = load_zones(files);
    REQUIRE_FALSE(zones);
    return zones.error();
}

}  // namespace

// ---- loading ---------------------------------------------------------------------------------------

TEST_CASE("zone files load, and their errors name the file and the line", "[dns]") {
    infuse::testing::TempDir dir("dns-zones");
    const auto zone = dir.path / "bad.zone";
    const std::string soa = "$ORIGIN bad.example.\n@ IN SOA ns1 hostmaster 1 3600 900 604800 60\n";

    SECTION("the lab's fixtures load") {
        CHECK(lab_zones() != nullptr);
    }
    SECTION("a syntax error") {
        write_file(zone, soa + "\n; a comment\nwww IN A 999.1.2.3\n");
        const auto error = load_error({zone});
        CHECK_THAT(error, Catch::StartsWith(zone.string() + ":5: "));
        CHECK_THAT(error, Catch::Contains("www IN A 999.1.2.3"));
    }
    SECTION("an error inside a multi-line record names the line it starts on") {
        write_file(zone, "$ORIGIN bad.example.\n\n@ IN SOA ns1 hostmaster (\n 1 3600\n 900 x 60 )\n");
        CHECK_THAT(load_error({zone}), Catch::StartsWith(zone.string() + ":3: "));
    }
    SECTION("a record outside the zone") {
        write_file(zone, soa + "www.other.example. IN A 192.0.2.1\n");
        const auto error = load_error({zone});
        CHECK_THAT(error, Catch::StartsWith(zone.string() + ":3: www.other.example. is outside the zone"));
    }
    SECTION("two SOA records") {
        write_file(zone, soa + "www IN A 192.0.2.1\n@ IN SOA ns2 hostmaster 2 3600 900 604800 60\n");
        CHECK(load_error({zone}) == zone.string() + ":4: a second SOA record");
    }
    SECTION("no SOA record") {
        write_file(zone, "$ORIGIN bad.example.\nwww IN A 192.0.2.1\n");
        CHECK_THAT(load_error({zone}), Catch::StartsWith(zone.string() + ":1: no SOA record"));
    }
    SECTION("an SOA below the apex") {
        write_file(zone, soa + "sub IN SOA ns1 hostmaster 1 3600 900 604800 60\n");
        CHECK_THAT(load_error({zone}), Catch::StartsWith(zone.string() + ":3: SOA record for sub.bad.example."));
    }
    SECTION("$INCLUDE is refused") {
        write_file(zone, soa + "$INCLUDE /etc/passwd\n");
        CHECK_THAT(load_error({zone}), Catch::StartsWith(zone.string() + ":3: $INCLUDE is not supported"));
    }
    SECTION("a CNAME with other data") {
        write_file(zone, soa + "www IN A 192.0.2.1\nwww IN CNAME @\n");
        CHECK_THAT(load_error({zone}), Catch::StartsWith(zone.string() + ":4: www.bad.example. has a CNAME"));
    }
    SECTION("a class other than IN") {
        write_file(zone, soa + "www CH TXT \"x\"\n");
        CHECK_THAT(load_error({zone}), Catch::Contains(":3: www.bad.example.: only class IN"));
    }
    SECTION("two files for the same origin") {
        const auto other = dir.path / "again.zone";
        write_file(zone, soa);
        write_file(other, "bad.example. IN SOA ns1.bad.example. h.bad.example. 2 3600 900 604800 60\n");
        CHECK(load_error({zone, other}) ==
              other.string() + ": zone bad.example. is already loaded from " + zone.string() + ": one file per zone");
    }
    SECTION("a missing file") {
        CHECK_THAT(load_error({dir.path / "nope.zone"}), Catch::StartsWith((dir.path / "nope.zone").string() + ": "));
    }
    SECTION("a file ending in a comment with no newline loads") {
        write_file(zone, soa + "www IN A 192.0.2.1 ; last");
        CHECK(load_zones({zone}));
    }
}

// ---- answers ---------------------------------------------------------------------------------------

TEST_CASE("an exact name and type: the RRset, authoritative, ID, RD and question echoed", "[dns]") {
    for (const bool rd : {true, false}) {
        const auto reply = ask("evil.example.", LDNS_RR_TYPE_A, {.id = 0xBEEF, .rd = rd});
        CHECK(ldns_pkt_id(reply.get()) == 0xBEEF);
        CHECK(ldns_pkt_qr(reply.get()));
        CHECK(ldns_pkt_aa(reply.get()));
        CHECK(ldns_pkt_rd(reply.get()) == rd);
        CHECK_FALSE(ldns_pkt_ra(reply.get()));
        CHECK_FALSE(ldns_pkt_tc(reply.get()));
        CHECK(ldns_pkt_get_rcode(reply.get()) == LDNS_RCODE_NOERROR);
        REQUIRE(ldns_pkt_qdcount(reply.get()) == 1);
        CHECK(rr_text(ldns_rr_list_rr(ldns_pkt_question(reply.get()), 0)) == "evil.example. IN A");
        CHECK(section(reply, LDNS_SECTION_ANSWER) == std::vector<std::string>{"evil.example. 300 IN A 203.0.113.66"});
        CHECK(ldns_pkt_edns(reply.get()) == false);  // no OPT asked, none given
    }
    CHECK(section(ask("evil.example.", LDNS_RR_TYPE_NS), LDNS_SECTION_ANSWER) ==
          std::vector<std::string>{"evil.example. 300 IN NS ns1.evil.example.",
                                   "evil.example. 300 IN NS ns2.bulletproof-host.test."});
    CHECK(section(ask("evil.example.", LDNS_RR_TYPE_MX), LDNS_SECTION_ANSWER) ==
          std::vector<std::string>{"evil.example. 300 IN MX 10 mail.evil.example."});
    CHECK(section(ask("evil.example.", LDNS_RR_TYPE_CAA), LDNS_SECTION_ANSWER) ==
          std::vector<std::string>{"evil.example. 300 IN CAA 0 issue \"letsencrypt.org\""});
    CHECK(section(ask("_sip._tcp.evil.example.", LDNS_RR_TYPE_SRV), LDNS_SECTION_ANSWER) ==
          std::vector<std::string>{"_sip._tcp.evil.example. 300 IN SRV 10 60 5060 sip.evil.example."});
    CHECK(section(ask("cdn.evil.example.", LDNS_RR_TYPE_AAAA), LDNS_SECTION_ANSWER) ==
          std::vector<std::string>{"cdn.evil.example. 300 IN AAAA 2001:db8::80"});
    CHECK(section(ask("66.2.0.192.in-addr.arpa.", LDNS_RR_TYPE_PTR), LDNS_SECTION_ANSWER) ==
          std::vector<std::string>{"66.2.0.192.in-addr.arpa. 3600 IN PTR evil.example."});
    const auto soa = ask("evil.example.", LDNS_RR_TYPE_SOA);
    CHECK(section(soa, LDNS_SECTION_ANSWER) ==
          std::vector<std::string>{
              "evil.example. 300 IN SOA ns1.evil.example. hostmaster.evil.example. 2024050101 3600 900 604800 60"});
}

TEST_CASE("TXT records keep their several character-strings", "[dns]") {
    const auto spf = ask("evil.example.", LDNS_RR_TYPE_TXT);
    REQUIRE(ldns_pkt_ancount(spf.get()) == 1);
    const ldns_rr* txt = ldns_rr_list_rr(ldns_pkt_answer(spf.get()), 0);
    REQUIRE(ldns_rr_rd_count(txt) == 3);
    CHECK(section(spf, LDNS_SECTION_ANSWER)[0] ==
          "evil.example. 300 IN TXT \"v=spf1 ip4:203.0.113.0/24 \" \"include:_spf.bulletproof-host.test \" \"~all\"");
    const auto dkim = ask("selector1._domainkey.evil.example.", LDNS_RR_TYPE_TXT, {}, true);
    REQUIRE(ldns_pkt_ancount(dkim.get()) == 1);
    const ldns_rr* key = ldns_rr_list_rr(ldns_pkt_answer(dkim.get()), 0);
    REQUIRE(ldns_rr_rd_count(key) == 3);
    CHECK(ldns_rdf_size(ldns_rr_rdf(key, 1)) == 1 + 250);  // a length byte, then the string
}

TEST_CASE("names are case-insensitive", "[dns]") {
    CHECK(section(ask("EVIL.Example.", LDNS_RR_TYPE_A), LDNS_SECTION_ANSWER).size() == 1);
    // The zone writes "Mail2"; the answer's owner is compressed to the question's spelling.
    CHECK(section(ask("mail2.evil.example.", LDNS_RR_TYPE_AAAA), LDNS_SECTION_ANSWER) ==
          std::vector<std::string>{"mail2.evil.example. 300 IN AAAA 2001:db8::25"});
    CHECK(section(ask("WWW.SHOP.EVIL.EXAMPLE.", LDNS_RR_TYPE_A), LDNS_SECTION_ANSWER).size() == 1);
    CHECK(ldns_pkt_get_rcode(ask("66.2.0.192.IN-ADDR.ARPA.", LDNS_RR_TYPE_PTR).get()) == LDNS_RCODE_NOERROR);
}

TEST_CASE("CNAME chains are followed inside the loaded zones", "[dns]") {
    CHECK(section(ask("login.evil.example.", LDNS_RR_TYPE_A), LDNS_SECTION_ANSWER) ==
          std::vector<std::string>{"login.evil.example. 300 IN CNAME portal.evil.example.",
                                   "portal.evil.example. 300 IN CNAME cdn.evil.example.",
                                   "cdn.evil.example. 300 IN A 203.0.113.80"});
    CHECK(section(ask("www.evil.example.", LDNS_RR_TYPE_MX), LDNS_SECTION_ANSWER).size() == 2);
    SECTION("into another zone") {
        CHECK(section(ask("shop-login.evil.example.", LDNS_RR_TYPE_A), LDNS_SECTION_ANSWER) ==
              std::vector<std::string>{"shop-login.evil.example. 300 IN CNAME www.shop.evil.example.",
                                       "www.shop.evil.example. 600 IN A 198.51.100.7"});
    }
    SECTION("out of every zone: the CNAME alone, NOERROR") {
        const auto reply = ask("ext.evil.example.", LDNS_RR_TYPE_A);
        CHECK(ldns_pkt_get_rcode(reply.get()) == LDNS_RCODE_NOERROR);
        CHECK(section(reply, LDNS_SECTION_ANSWER) ==
              std::vector<std::string>{"ext.evil.example. 300 IN CNAME tracker.other-network.test."});
    }
    SECTION("to a name that does not exist: NXDOMAIN (RFC 6604) with the CNAME and the SOA") {
        const auto reply = ask("dangling.evil.example.", LDNS_RR_TYPE_A);
        CHECK(ldns_pkt_get_rcode(reply.get()) == LDNS_RCODE_NXDOMAIN);
        CHECK(section(reply, LDNS_SECTION_ANSWER).size() == 1);
        CHECK(section(reply, LDNS_SECTION_AUTHORITY).size() == 1);
    }
    SECTION("a loop stops") {
        const auto reply = ask("loop1.evil.example.", LDNS_RR_TYPE_A);
        CHECK(ldns_pkt_get_rcode(reply.get()) == LDNS_RCODE_NOERROR);
        CHECK(section(reply, LDNS_SECTION_ANSWER).size() == 2);
    }
    SECTION("a question for the CNAME itself is not followed") {
        CHECK(section(ask("login.evil.example.", LDNS_RR_TYPE_CNAME), LDNS_SECTION_ANSWER) ==
              std::vector<std::string>{"login.evil.example. 300 IN CNAME portal.evil.example."});
    }
}

TEST_CASE("NODATA, NXDOMAIN and REFUSED", "[dns]") {
    const std::string negative_soa =
        "evil.example. 60 IN SOA ns1.evil.example. hostmaster.evil.example. 2024050101 3600 900 604800 60";
    SECTION("NODATA: the name exists, not the type") {
        const auto reply = ask("mail.evil.example.", LDNS_RR_TYPE_AAAA);
        CHECK(ldns_pkt_get_rcode(reply.get()) == LDNS_RCODE_NOERROR);
        CHECK(ldns_pkt_aa(reply.get()));
        CHECK(section(reply, LDNS_SECTION_ANSWER).empty());
        CHECK(section(reply, LDNS_SECTION_AUTHORITY) == std::vector<std::string>{negative_soa});
    }
    SECTION("NODATA for an empty non-terminal") {
        for (const char* name : {"b.deep.evil.example.", "deep.evil.example."}) {
            const auto reply = ask(name, LDNS_RR_TYPE_A);
            CHECK(ldns_pkt_get_rcode(reply.get()) == LDNS_RCODE_NOERROR);
            CHECK(section(reply, LDNS_SECTION_AUTHORITY) == std::vector<std::string>{negative_soa});
        }
        CHECK(section(ask("a.b.deep.evil.example.", LDNS_RR_TYPE_A), LDNS_SECTION_ANSWER).size() == 1);
    }
    SECTION("NXDOMAIN, with the SOA at TTL min(TTL, MINIMUM)") {
        const auto reply = ask("nothing-here.evil.example.", LDNS_RR_TYPE_A);
        CHECK(ldns_pkt_get_rcode(reply.get()) == LDNS_RCODE_NXDOMAIN);
        CHECK(ldns_pkt_aa(reply.get()));
        CHECK(section(reply, LDNS_SECTION_ANSWER).empty());
        CHECK(section(reply, LDNS_SECTION_AUTHORITY) == std::vector<std::string>{negative_soa});
        const auto reverse = ask("1.2.0.192.in-addr.arpa.", LDNS_RR_TYPE_PTR);
        CHECK(ldns_pkt_get_rcode(reverse.get()) == LDNS_RCODE_NXDOMAIN);
        CHECK_THAT(section(reverse, LDNS_SECTION_AUTHORITY).at(0),
                   Catch::StartsWith("2.0.192.in-addr.arpa. 300 IN SOA"));
    }
    SECTION("the most specific zone answers") {
        const auto reply = ask("nothing.shop.evil.example.", LDNS_RR_TYPE_A);
        CHECK(ldns_pkt_get_rcode(reply.get()) == LDNS_RCODE_NXDOMAIN);
        CHECK_THAT(section(reply, LDNS_SECTION_AUTHORITY).at(0), Catch::StartsWith("shop.evil.example. 120 IN SOA"));
    }
    SECTION("a delegation below the apex is served as data") {
        CHECK(section(ask("sub.evil.example.", LDNS_RR_TYPE_NS), LDNS_SECTION_ANSWER) ==
              std::vector<std::string>{"sub.evil.example. 300 IN NS ns.sub.evil.example."});
        CHECK(section(ask("ns.sub.evil.example.", LDNS_RR_TYPE_A), LDNS_SECTION_ANSWER).size() == 1);
    }
    SECTION("REFUSED outside every zone, for other classes and for zone transfers") {
        for (const auto& reply : {ask("example.com.", LDNS_RR_TYPE_A), ask("example.", LDNS_RR_TYPE_A),
                                  ask("version.bind.", LDNS_RR_TYPE_TXT, {.qclass = LDNS_RR_CLASS_CH}),
                                  ask("evil.example.", LDNS_RR_TYPE_A, {.qclass = LDNS_RR_CLASS_CH}),
                                  ask("evil.example.", LDNS_RR_TYPE_AXFR)}) {
            CHECK(ldns_pkt_get_rcode(reply.get()) == LDNS_RCODE_REFUSED);
            CHECK_FALSE(ldns_pkt_aa(reply.get()));
            CHECK(ldns_pkt_ancount(reply.get()) == 0);
        }
    }
}

TEST_CASE("wildcards and ANY", "[dns]") {
    const auto wild = ask("anything.wild.evil.example.", LDNS_RR_TYPE_A);
    CHECK(section(wild, LDNS_SECTION_ANSWER) ==
          std::vector<std::string>{"anything.wild.evil.example. 300 IN A 203.0.113.99"});
    CHECK(section(ask("a.b.wild.evil.example.", LDNS_RR_TYPE_TXT), LDNS_SECTION_ANSWER) ==
          std::vector<std::string>{"a.b.wild.evil.example. 300 IN TXT \"wildcard\""});
    const auto nodata = ask("x.wild.evil.example.", LDNS_RR_TYPE_MX);
    CHECK(ldns_pkt_get_rcode(nodata.get()) == LDNS_RCODE_NOERROR);
    CHECK(section(nodata, LDNS_SECTION_AUTHORITY).size() == 1);
    CHECK(ldns_pkt_get_rcode(ask("wild.evil.example.", LDNS_RR_TYPE_A).get()) == LDNS_RCODE_NOERROR);  // ENT

    const auto any = ask("evil.example.", LDNS_RR_TYPE_ANY, {}, true);
    CHECK(section(any, LDNS_SECTION_ANSWER).size() == 7);  // SOA, 2 NS, A, MX, TXT, CAA
    CHECK(section(ask("x.wild.evil.example.", LDNS_RR_TYPE_ANY), LDNS_SECTION_ANSWER).size() == 2);
    CHECK(ldns_pkt_get_rcode(ask("nope.evil.example.", LDNS_RR_TYPE_ANY).get()) == LDNS_RCODE_NXDOMAIN);
}

TEST_CASE("malformed queries get FORMERR or NOTIMP, or nothing", "[dns]") {
    const auto& zones = *lab_zones();
    const Bytes good = make_query("evil.example.", LDNS_RR_TYPE_A, {.id = 0x1234});
    SECTION("shorter than a header, or a response: dropped") {
        CHECK(answer_query(zones, Bytes(good.begin(), good.begin() + 11), false).empty());
        CHECK(answer_query(zones, {}, false).empty());
        Bytes response = good;
        response[2] |= 0x80;
        CHECK(answer_query(zones, response, false).empty());
    }
    SECTION("an opcode other than QUERY: NOTIMP") {
        Bytes notify = good;
        notify[2] = static_cast<std::uint8_t>((notify[2] & 0x87) | (4 << 3));  // NOTIFY
        const auto reply = answer_query(zones, notify, false);
        REQUIRE(reply.size() == 12);
        CHECK(u16(reply, 0) == 0x1234);
        CHECK(rcode_of(reply) == LDNS_RCODE_NOTIMPL);
        CHECK(((reply[2] >> 3) & 0x0F) == 4);
    }
    SECTION("QDCOUNT other than 1, or a broken question: FORMERR with the ID") {
        std::vector<Bytes> broken;
        for (const int qdcount : {0, 2, 0xFFFF}) {
            Bytes b = good;
            b[4] = static_cast<std::uint8_t>(qdcount >> 8);
            b[5] = static_cast<std::uint8_t>(qdcount & 0xFF);
            broken.push_back(b);
        }
        broken.emplace_back(good.begin(), good.end() - 3);  // the question cut short
        Bytes loop(good.begin(), good.begin() + 12);        // a name that points to itself
        loop.insert(loop.end(), {0xC0, 0x0C, 0, 1, 0, 1});
        broken.push_back(loop);
        for (const auto& query : broken) {
            const auto reply = answer_query(zones, query, false);
            REQUIRE(reply.size() >= 12);
            CHECK(u16(reply, 0) == 0x1234);
            CHECK((reply[2] & 0x80) != 0);
            CHECK(rcode_of(reply) == LDNS_RCODE_FORMERR);
        }
    }
}

TEST_CASE("EDNS0: an OPT in, an OPT out; sizes and truncation", "[dns]") {
    SECTION("OPT answered with 1232 and no echoed options") {
        const auto reply = ask("evil.example.", LDNS_RR_TYPE_A, {.edns_payload = 4096, .edns_cookie = true});
        CHECK(ldns_pkt_edns(reply.get()));
        CHECK(ldns_pkt_edns_udp_size(reply.get()) == 1232);
        CHECK(ldns_pkt_edns_data(reply.get()) == nullptr);
        CHECK(section(reply, LDNS_SECTION_ANSWER).size() == 1);
    }
    SECTION("an unknown EDNS version: BADVERS") {
        const auto reply = ask("evil.example.", LDNS_RR_TYPE_A, {.edns_payload = 1232, .edns_version = 1});
        CHECK(ldns_pkt_edns_extended_rcode(reply.get()) == 1);  // 16 = (1 << 4) | 0
        CHECK(ldns_pkt_get_rcode(reply.get()) == 0);
        CHECK(ldns_pkt_ancount(reply.get()) == 0);
    }
    SECTION("a 700-byte answer: truncated in 512 bytes, whole with EDNS") {
        const std::string dkim = "selector1._domainkey.evil.example.";
        const auto plain = answer_query(*lab_zones(), make_query(dkim, LDNS_RR_TYPE_TXT), false);
        CHECK(plain.size() <= 512);
        const auto truncated = parse(plain);
        REQUIRE(truncated);
        CHECK(ldns_pkt_tc(truncated.get()));
        CHECK(ldns_pkt_ancount(truncated.get()) == 0);
        CHECK(ldns_pkt_qdcount(truncated.get()) == 1);
        const auto small = ask(dkim, LDNS_RR_TYPE_TXT, {.edns_payload = 400});  // below 512 counts as 512
        CHECK(ldns_pkt_tc(small.get()));
        const auto edns = answer_query(*lab_zones(), make_query(dkim, LDNS_RR_TYPE_TXT, {.edns_payload = 4096}), false);
        CHECK(edns.size() > 512);
        CHECK(edns.size() <= 1232);
        CHECK_FALSE(ldns_pkt_tc(parse(edns).get()));
    }
    SECTION("a 3.5 KB RRset: truncated over UDP even with EDNS, whole over TCP") {
        const auto udp = ask("big.evil.example.", LDNS_RR_TYPE_TXT, {.edns_payload = 4096});
        CHECK(ldns_pkt_tc(udp.get()));
        CHECK(ldns_pkt_ancount(udp.get()) == 0);
        CHECK(ldns_pkt_edns_udp_size(udp.get()) == 1232);
        const auto tcp_bytes = answer_query(*lab_zones(), make_query("big.evil.example.", LDNS_RR_TYPE_TXT), true);
        CHECK(tcp_bytes.size() > 3000);
        const auto tcp = parse(tcp_bytes);
        CHECK_FALSE(ldns_pkt_tc(tcp.get()));
        CHECK(ldns_pkt_ancount(tcp.get()) == 30);
    }
}

// ---- robustness ------------------------------------------------------------------------------------

namespace {

// Hostile packets from a fixed seed (mt19937's output is specified by the standard): random
// bytes, valid queries truncated or bit-flipped, huge counts, compression loops, odd label types.
std::vector<Bytes> hostile_packets(std::size_t count) {
    std::mt19937 random(20240501);
    const std::vector<Bytes> seeds = {
        make_query("evil.example.", LDNS_RR_TYPE_A),
        make_query("login.evil.example.", LDNS_RR_TYPE_A, {.edns_payload = 4096}),
        make_query("big.evil.example.", LDNS_RR_TYPE_TXT, {.edns_payload = 1232, .edns_cookie = true}),
        make_query("x.wild.evil.example.", LDNS_RR_TYPE_ANY),
        make_query("66.2.0.192.in-addr.arpa.", LDNS_RR_TYPE_PTR),
    };
    std::vector<Bytes> packets;
    while (packets.size() < count) {
        const auto kind = random() % 6;
        Bytes p = seeds[random() % seeds.size()];
        if (kind == 0) {  // noise
            p.resize(random() % 600);
            for (auto& b : p)
                b = static_cast<std::uint8_t>(random());
        } else if (kind == 1) {  // truncated
            p.resize(random() % p.size());
        } else if (kind == 2) {  // bit flips
            for (auto flips = 1 + random() % 8; flips > 0; --flips) {
                p[random() % p.size()] ^= static_cast<std::uint8_t>(1u << (random() % 8));
            }
        } else if (kind == 3) {  // huge section counts
            for (std::size_t at = 4; at < 12; at += 2) {
                if (random() % 2 != 0) p[at] = p[at + 1] = 0xFF;
            }
        } else if (kind == 4) {  // compression pointers: loops, forward, out of range
            const std::size_t at = 12 + random() % (p.size() - 12);
            p[at] = static_cast<std::uint8_t>(0xC0 | (random() % 4));
            if (at + 1 < p.size()) p[at + 1] = static_cast<std::uint8_t>(random() % 2 != 0 ? at : random());
        } else {  // odd label types and lengths
            p[12 + random() % (p.size() - 12)] = static_cast<std::uint8_t>(0x40 + random() % 0x80);
        }
        if (p.size() > 2 && random() % 4 == 0) p[2] &= 0x7F;  // mostly queries, so they get parsed
        packets.push_back(std::move(p));
    }
    return packets;
}

}  // namespace

TEST_CASE("answer_query survives hostile packets", "[dns]") {
    const auto& zones = *lab_zones();
    std::size_t answered = 0;
    for (const auto& packet : hostile_packets(5000)) {
        for (const bool over_tcp : {false, true}) {
            const auto reply = answer_query(zones, packet, over_tcp);
            if (reply.empty()) continue;
            ++answered;
            REQUIRE(reply.size() >= 12);
            REQUIRE(reply.size() <= (over_tcp ? 65535u : 1232u));
            REQUIRE(u16(reply, 0) == u16(packet, 0));
            REQUIRE((reply[2] & 0x80) != 0);
            REQUIRE(parse(reply) != nullptr);
        }
    }
    CHECK(answered > 1000);
}

TEST_CASE("DnsServer: hostile clients over UDP and TCP, then a normal query", "[dns]") {
    RunningServer running(lab_zones());
    const std::uint16_t port = running.port();
    REQUIRE(port != 0);

    // Two clients that stall: half a message, and 3 bytes of a declared 65535.
    auto half = tcp_connect(port);
    auto query = framed(make_query("evil.example.", LDNS_RR_TYPE_A));
    send_all(*half, Bytes(query.begin(), query.begin() + 15));
    auto huge = tcp_connect(port);
    send_all(*huge, Bytes{0xFF, 0xFF, 1, 2, 3});
    const auto stalled_since = std::chrono::steady_clock::now();

    const auto packets = hostile_packets(3000);
    {
        Fd udp(::socket(AF_INET, SOCK_DGRAM, 0));
        const auto to = loopback(port);
        for (const auto& packet : packets) {
            ::sendto(udp.fd, packet.data(), packet.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
            std::uint8_t sink[2048];
            while (::recv(udp.fd, sink, sizeof sink, MSG_DONTWAIT) > 0) {
            }
        }
    }
    for (std::size_t i = 0; i < packets.size(); i += 50) {  // 60 connections, 50 messages each
        auto tcp = tcp_connect(port);
        for (std::size_t j = i; j < i + 50 && j < packets.size(); ++j)
            send_all(*tcp, framed(packets[j]));
    }
    {
        auto tiny = tcp_connect(port);  // a message shorter than a header: the server hangs up
        send_all(*tiny, Bytes{0, 5, 1, 2, 3, 4, 5});
        CHECK(closed_by_server(*tiny, 2000ms));
    }

    const auto normal = make_query("evil.example.", LDNS_RR_TYPE_A);
    const auto udp_reply = udp_ask(port, normal);
    REQUIRE(udp_reply.size() > 12);
    CHECK(section(parse(udp_reply), LDNS_SECTION_ANSWER) ==
          std::vector<std::string>{"evil.example. 300 IN A 203.0.113.66"});
    auto tcp = tcp_connect(port);
    send_all(*tcp, framed(normal));
    CHECK(tcp_read_message(*tcp) == udp_reply);

    // The stalled clients are cut after 10 s of idleness; the others were served meanwhile.
    const auto waited = std::chrono::steady_clock::now() - stalled_since;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(12s - waited);
    CHECK(closed_by_server(*half, left));
    CHECK(closed_by_server(*huge, 2000ms));
    CHECK(std::chrono::steady_clock::now() - stalled_since >= 9s);
}

TEST_CASE("DnsServer: pipelined TCP queries, big answers over TCP, at most 128 connections", "[dns]") {
    RunningServer running(lab_zones());
    const std::uint16_t port = running.port();

    SECTION("UDP truncates a big RRset; TCP carries it whole") {
        const auto query = make_query("big.evil.example.", LDNS_RR_TYPE_TXT, {.edns_payload = 4096});
        const auto udp = parse(udp_ask(port, query));
        REQUIRE(udp);
        CHECK(ldns_pkt_tc(udp.get()));
        auto tcp = tcp_connect(port);
        send_all(*tcp, framed(query));
        const auto whole = parse(tcp_read_message(*tcp));
        REQUIRE(whole);
        CHECK(ldns_pkt_ancount(whole.get()) == 30);
    }
    SECTION("several queries in one write are answered in order") {
        auto tcp = tcp_connect(port);
        Bytes batch;
        const std::vector<std::string> names = {"evil.example.", "mail.evil.example.", "ns1.evil.example."};
        for (std::size_t i = 0; i < names.size(); ++i) {
            const auto q = framed(make_query(names[i], LDNS_RR_TYPE_A, {.id = static_cast<std::uint16_t>(100 + i)}));
            batch.insert(batch.end(), q.begin(), q.end());
        }
        send_all(*tcp, batch);
        for (std::size_t i = 0; i < names.size(); ++i) {
            const auto reply = tcp_read_message(*tcp);
            REQUIRE(reply.size() > 12);
            CHECK(u16(reply, 0) == 100 + i);
        }
    }
    SECTION("the 129th connection is closed at once; a freed slot is reused") {
        std::vector<std::unique_ptr<Fd>> clients;
        for (int i = 0; i < 128; ++i)
            clients.push_back(tcp_connect(port));
        const auto ping = framed(make_query("evil.example.", LDNS_RR_TYPE_A));
        send_all(*clients.back(), ping);  // the server has accepted all of them once this is answered
        CHECK(tcp_read_message(*clients.back()).size() > 12);
        auto extra = tcp_connect(port);
        CHECK(closed_by_server(*extra, 2000ms));
        send_all(*clients.front(), ping);
        CHECK(tcp_read_message(*clients.front()).size() > 12);

        clients.pop_back();
        bool served = false;
        for (int attempt = 0; attempt < 20 && !served; ++attempt) {  // the server sees the close soon
            std::this_thread::sleep_for(50ms);
            auto again = tcp_connect(port);
            send_all(*again, ping);
            served = tcp_read_message(*again).size() > 12;
        }
        CHECK(served);
    }
}

TEST_CASE("DnsServer frees its port when destroyed, and a taken port is an error", "[dns]") {
    std::uint16_t port = 0;
    {
        RunningServer running(lab_zones());
        port = running.port();
        CHECK(udp_ask(port, make_query("evil.example.", LDNS_RR_TYPE_A)).size() > 12);
        boost::asio::io_context io;
        CHECK_THROWS(DnsServer(io, lab_zones(), port));
        running.server.reset();
        CHECK(udp_ask(port, make_query("evil.example.", LDNS_RR_TYPE_A), 300ms).empty());
    }
    boost::asio::io_context io;
    DnsServer again(io, lab_zones(), port);  // never run: the destructor closes directly
    CHECK(again.port() == port);
}

TEST_CASE("dig gets answers from DnsServer", "[dns]") {
    const auto dig = infuse::find_program("dig");
    if (!dig) {
        WARN("dig is not installed: skipped");
        return;
    }
    RunningServer running(lab_zones());
    auto run_dig = [&](std::vector<std::string> args) {
        infuse::ProcessSpec spec;
        spec.argv = {dig->string(), "@127.0.0.1", "-p", std::to_string(running.port()), "+time=2", "+tries=1"};
        spec.argv.insert(spec.argv.end(), args.begin(), args.end());
        spec.environment = {{"PATH", "/usr/bin:/bin"}};
        spec.timeout = 10s;
        const auto result = infuse::run_process(spec);
        INFO(result.describe() << "\n" << result.stderr_data);
        CHECK(result.ok());
        return result.stdout_data;
    };
    CHECK(run_dig({"+short", "evil.example", "A"}) == "203.0.113.66\n");
    CHECK(run_dig({"+short", "LOGIN.evil.example", "A"}) == "portal.evil.example.\ncdn.evil.example.\n203.0.113.80\n");
    CHECK(run_dig({"+short", "-x", "192.0.2.66"}) == "evil.example.\n");
    const auto big = run_dig({"+short", "+ignore", "big.evil.example", "TXT"});  // +ignore: keep the TC answer
    CHECK(big.empty());
    const auto retried = run_dig({"+short", "big.evil.example", "TXT"});  // dig retries over TCP
    CHECK(std::count(retried.begin(), retried.end(), '\n') == 30);
    CHECK_THAT(run_dig({"nothing.evil.example", "A"}), Catch::Contains("status: NXDOMAIN"));
}

// A quick figure, not an assertion: `unit_tests "[.dns-bench]"`.
TEST_CASE("answer_query throughput", "[.dns-bench]") {
    const auto& zones = *lab_zones();
    const std::vector<Bytes> queries = {
        make_query("evil.example.", LDNS_RR_TYPE_A),
        make_query("login.evil.example.", LDNS_RR_TYPE_A),
        make_query("nothing.evil.example.", LDNS_RR_TYPE_A, {.edns_payload = 1232}),
        make_query("selector1._domainkey.evil.example.", LDNS_RR_TYPE_TXT, {.edns_payload = 1232}),
        make_query("a.wild.evil.example.", LDNS_RR_TYPE_A),
    };
    constexpr int kRounds = 200'000;
    std::size_t bytes = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kRounds; ++i)
        bytes += answer_query(zones, queries[i % queries.size()], false).size();
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    WARN("answer_query: " << static_cast<long>(kRounds / elapsed.count()) << " queries/s (" << bytes << " bytes)");
}
