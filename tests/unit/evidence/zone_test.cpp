// The zone reader (services/zone.hpp) shared by the DNS service and derive: record values, and the
// DNS service answering from the same file with the same data.
// stdbool.h first: without it, ldns/common.h #defines true and false as 1 and 0 in C++.
#include <stdbool.h>

#include <ldns/ldns.h>

#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "../temp_dir.hpp"
#include "services/dns.hpp"
#include "infuse/evidence/zone.hpp"

using namespace infuse::services;

namespace {

const char* const kZone =
    "$ORIGIN example.test.\n"
    "@ 3600 IN SOA ns1 hostmaster 1 7200 900 1209600 300\n"
    "_dmarc TXT \"v=DMARC1; p=reject\"\n"
    "www 1h IN A 192.0.2.1\n"
    "mail in a 192.0.2.2\n";

std::filesystem::path write_zone(const std::filesystem::path& folder) {
    const auto file = folder / "example.test.zone";
    std::ofstream(file, std::ios::binary) << kZone;
    return file;
}

// The TXT strings the DNS service answers for `name`, joined.
std::string served_txt(const DnsZones& zones, const char* name) {
    ldns_pkt* query = nullptr;
    REQUIRE(ldns_pkt_query_new_frm_str(&query, name, LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_IN, LDNS_RD) == LDNS_STATUS_OK);
    std::uint8_t* wire = nullptr;
    std::size_t size = 0;
    REQUIRE(ldns_pkt2wire(&wire, query, &size) == LDNS_STATUS_OK);
    ldns_pkt_free(query);
    const auto answer = answer_query(zones, std::span<const std::uint8_t>(wire, size), true);
    std::free(wire);
    ldns_pkt* response = nullptr;
    REQUIRE(ldns_wire2pkt(&response, answer.data(), answer.size()) == LDNS_STATUS_OK);
    std::string joined;
    const ldns_rr_list* records = ldns_pkt_answer(response);
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(records); ++i) {
        const ldns_rdf* text = ldns_rr_rdf(ldns_rr_list_rr(records, i), 0);
        const auto* data = reinterpret_cast<const char*>(ldns_rdf_data(text));
        joined.append(data + 1, static_cast<std::uint8_t>(data[0]));
    }
    ldns_pkt_free(response);
    return joined;
}

}  // namespace

TEST_CASE("zone record values: the data as a learner reads it", "[zone]") {
    infuse::testing::TempDir dir;
    auto zones = load_zone(write_zone(dir.path), "example.test.zone");
    REQUIRE(zones);
    CHECK(zone_record_values(**zones, "_dmarc.example.test.", "TXT") == std::vector<std::string>{"v=DMARC1; p=reject"});
    CHECK(zone_record_values(**zones, "WWW.Example.Test", "a") == std::vector<std::string>{"192.0.2.1"});
    CHECK(zone_record_values(**zones, "mail.example.test", "A") == std::vector<std::string>{"192.0.2.2"});
    CHECK(zone_record_values(**zones, "ftp.example.test", "A")->empty());
    CHECK(zone_record_values(**zones, "outside.example", "A")->empty());
    CHECK(zone_record_values(**zones, "www.example.test", "BOGUS").error() ==
          "type: 'BOGUS' is not a DNS record type (A, AAAA, MX, TXT ...)");
}

TEST_CASE("zone record values agree with what the DNS service serves from the same file", "[zone]") {
    infuse::testing::TempDir dir;
    auto zones = load_zones({write_zone(dir.path)});
    REQUIRE(zones);
    const auto derived = zone_record_values(**zones, "_dmarc.example.test", "TXT");
    REQUIRE(derived);
    REQUIRE(derived->size() == 1);
    CHECK(served_txt(**zones, "_dmarc.example.test.") == derived->front());
}

TEST_CASE("a zone file over its cap is refused before it is read, naming the file", "[zone]") {
    infuse::testing::TempDir dir;
    const auto file = dir.path / "huge.zone";
    { std::ofstream out(file, std::ios::binary); }
    std::filesystem::resize_file(file, (64u << 20) + 1);
    const auto zones = load_zone(file, "huge.zone");
    REQUIRE_FALSE(zones);
    CHECK(zones.error() == "huge.zone: 64.0 MiB, more than the 64 MiB it may have");
}
