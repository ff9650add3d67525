// The simulated internet's HTTP services and WHOIS: each handler as a pure function (every route,
// errors, HEAD, data-file validation), then the servers with real sockets, curl and whois.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <thread>
#include <tuple>

#include <fmt/format.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "infuse/spec/data_file.hpp"
#include "services/http_service.hpp"
#include "spec/yaml_json.hpp"

using namespace infuse::services;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const fs::path kLab = fs::path(INFUSE_TEST_FIXTURES) / "services" / "lab";

json fixture(const std::string& name) {
    auto data = infuse::load_data_file(kLab / name);
    INFO((data ? std::string() : data.error()));
    REQUIRE(data);
    return *data;
}

using HttpMaker = tl::expected<HttpHandler, std::string> (*)(const json&, const fs::path&, const std::string&);

HttpHandler handler(HttpMaker make, const std::string& name) {
    auto made = make(fixture(name), kLab, "data/services/" + name);
    INFO((made ? std::string() : made.error()));
    REQUIRE(made);
    return *made;
}

std::string load_error(HttpMaker make, const std::string& text) {
    auto made = make(json::parse(text), kLab, "data/services/x.yaml");
    REQUIRE_FALSE(made);
    return made.error();
}

HttpResponse call(const HttpHandler& serve, const std::string& target, const std::string& host = "",
                  const std::string& method = "GET") {
    return serve(HttpRequest{method, target, host, {}});
}

std::string header(const HttpResponse& response, const std::string& name) {
    for (const auto& [key, value] : response.headers) {
        if (key == name) return value;
    }
    return "<none>";
}

json body_json(const HttpResponse& response) {
    return json::parse(response.body);
}

}  // namespace

// --- web ---------------------------------------------------------------------------------------------

TEST_CASE("web serves a lab site's routes by Host header and exact path", "[http]") {
    const auto web = handler(make_web_handler, "web.yaml");
    auto login = call(web, "/login?user=jo", "evil.example");
    CHECK(login.status == 200);
    CHECK(login.body.find("Microsoft 365 sign-in") != std::string::npos);
    CHECK(header(login, "Content-Type") == "text/html; charset=utf-8");
    CHECK(header(login, "Server") == "nginx/1.18.0");

    CHECK(call(web, "/login", "EVIL.Example.").status == 200);    // host: any case, trailing dot
    CHECK(call(web, "/a%20b", "evil.example").body == "spaced");  // percent-decoded before matching
    auto redirect = call(web, "/old-login", "evil.example");
    CHECK(redirect.status == 302);
    CHECK(header(redirect, "Location") == "http://evil.example/login");
    CHECK(redirect.body.empty());
    auto forbidden = call(web, "/kit.zip", "evil.example");
    CHECK(forbidden.status == 403);
    CHECK(header(forbidden, "Content-Type") == "application/zip");
    CHECK(header(forbidden, "Server") == "<none>");  // only when the lab gives one
    auto api = call(web, "/api/status.json", "evil.example");
    CHECK(header(api, "Content-Type") == "application/json");
    CHECK(std::count_if(api.headers.begin(), api.headers.end(),
                        [](const auto& h) { return h.first == "Set-Cookie"; }) == 2);

    auto missing = call(web, "/nope", "evil.example");
    CHECK(missing.status == 404);
    CHECK(missing.body == "<h1>Not Found</h1>");
    auto other_site = call(web, "/nope", "cdn.evil.example");
    CHECK(other_site.status == 404);
    CHECK(other_site.body == "404 Not Found\n");
    auto unknown_host = call(web, "/login", "good.example");
    CHECK(unknown_host.status == 404);
    CHECK(unknown_host.body.find("good.example") != std::string::npos);
}

TEST_CASE("web answers HEAD without a body, refuses other methods and broken targets", "[http]") {
    const auto web = handler(make_web_handler, "web.yaml");
    const auto get = call(web, "/login", "evil.example");
    const auto head = call(web, "/login", "evil.example", "HEAD");
    CHECK(head.status == 200);
    CHECK(head.body.empty());
    CHECK(header(head, "Content-Length") == std::to_string(get.body.size()));
    CHECK(header(head, "Server") == "nginx/1.18.0");
    CHECK(call(web, "/nope", "evil.example", "HEAD").status == 404);

    auto post = call(web, "/login", "evil.example", "POST");
    CHECK(post.status == 405);
    CHECK(header(post, "Allow") == "GET, HEAD");
    CHECK(call(web, "/bad%zz", "evil.example").status == 400);
    CHECK(call(web, "http://evil.example/login", "evil.example").status == 400);
}

TEST_CASE("web accepts YAML scalars given as text", "[http]") {
    const json data = {{"sites", {{"evil.example", {{"routes", {{"/", {{"status", "301"}, {"redirect", "/x"}}}}}}}}}};
    auto web = make_web_handler(data, kLab, "web.yaml");
    REQUIRE(web);
    CHECK(call(*web, "/", "evil.example").status == 301);
}

TEST_CASE("web data errors name the file and the field", "[http]") {
    CHECK(load_error(make_web_handler, R"({"site": {}})") ==
          "data/services/x.yaml: site: unknown key (did you mean 'sites'?) (known: sites)");
    CHECK(load_error(make_web_handler,
                     R"({"sites": {"evil.example": {"routes": {"/": {"body": "a", "body_file": "b"}}}}})") ==
          "data/services/x.yaml: sites.evil.example.routes./: give either body or body_file, not both");
    CHECK(load_error(make_web_handler,
                     R"({"sites": {"evil.example": {"routes": {"/": {"body_file": "../../../../etc/passwd"}}}}})")
              .find("sites.evil.example.routes./.body_file: '../../../../etc/passwd' leads outside the lab folder") !=
          std::string::npos);
    CHECK(load_error(make_web_handler,
                     R"({"sites": {"evil.example": {"routes": {"/": {"body_file": "data/nope.html"}}}}})") ==
          "data/services/x.yaml: sites.evil.example.routes./.body_file: 'data/nope.html' is not a file in the lab "
          "folder");
    CHECK(load_error(make_web_handler, R"({"sites": {"evil.example": {"routes": {"/": {"status": "ok"}}}}})") ==
          "data/services/x.yaml: sites.evil.example.routes./.status: expected an integer from 200 to 599, got 'ok'");
    CHECK(load_error(make_web_handler, R"({"sites": {"evil.example": {"routes": {"/": {"status": 99}}}}})") ==
          "data/services/x.yaml: sites.evil.example.routes./.status: expected an integer from 200 to 599, got 99");
    CHECK(load_error(make_web_handler,
                     R"({"sites": {"evil.example": {"routes": {"/": {"headers": {"Content-Length": 5}}}}}})") ==
          "data/services/x.yaml: sites.evil.example.routes./.headers.Content-Length: is set by the server and cannot "
          "be given");
    CHECK(load_error(make_web_handler,
                     R"({"sites": {"evil.example": {"routes": {"/": {"headers": {"X": "a\r\nB: c"}}}}}})")
              .find("line breaks") != std::string::npos);
    CHECK(load_error(make_web_handler, R"({"sites": {"evil.example": {"routes": {"login": {}}}}})") ==
          "data/services/x.yaml: sites.evil.example.routes.login: a route is a path starting with '/'");
    CHECK(load_error(make_web_handler, R"({"sites": {"evil.example": {"route": {}}}})").find("did you mean 'routes'") !=
          std::string::npos);
    CHECK(load_error(make_web_handler, R"({"sites": {"http://evil.example/": {}}})").find("is not a host name") !=
          std::string::npos);
}

// --- RDAP --------------------------------------------------------------------------------------------

TEST_CASE("rdap answers /domain/<name> with the author's object, completed", "[http]") {
    const auto rdap = handler(make_rdap_handler, "rdap.yaml");
    auto domain = call(rdap, "/domain/EVIL.example.");
    CHECK(domain.status == 200);
    CHECK(header(domain, "Content-Type") == "application/rdap+json");
    CHECK(header(domain, "Access-Control-Allow-Origin") == "*");
    const json object = body_json(domain);
    CHECK(object["objectClassName"] == "domain");
    CHECK(object["ldhName"] == "evil.example");
    CHECK(object["rdapConformance"] == json::array({"rdap_level_0"}));
    CHECK(object["events"][0]["eventDate"] == "2024-02-28T09:14:03Z");
    CHECK(object["entities"][0]["objectClassName"] == "entity");
    CHECK(object["entities"][0]["handle"] == "1337");
    CHECK(object["nameservers"][0]["objectClassName"] == "nameserver");
    CHECK(object["secureDNS"]["delegationSigned"] == false);

    auto missing = call(rdap, "/domain/good.example");
    CHECK(missing.status == 404);
    CHECK(header(missing, "Content-Type") == "application/rdap+json");
    const json error = body_json(missing);
    CHECK(error["errorCode"] == 404);
    CHECK(error["title"] == "Not Found");
    CHECK(error["description"].is_array());
    CHECK(call(rdap, "/domain/bad%20name").status == 400);
    CHECK(body_json(call(rdap, "/domain/")).at("errorCode") == 400);
}

TEST_CASE("rdap answers /ip, /autnum, /entity and /help", "[http]") {
    const auto rdap = handler(make_rdap_handler, "rdap.yaml");
    auto network = body_json(call(rdap, "/ip/203.0.113.200"));
    CHECK(network["handle"] == "NET-203-0-113-128-1");  // the most specific network
    CHECK(network["objectClassName"] == "ip network");
    CHECK(network["startAddress"] == "203.0.113.128");
    CHECK(network["endAddress"] == "203.0.113.255");
    CHECK(network["ipVersion"] == "v4");
    CHECK(body_json(call(rdap, "/ip/203.0.113.7"))["handle"] == "NET-203-0-113-0-1");
    CHECK(body_json(call(rdap, "/ip/203.0.113.0/24"))["handle"] == "NET-203-0-113-0-1");
    CHECK(body_json(call(rdap, "/ip/203.0.113.128/26"))["handle"] == "NET-203-0-113-128-1");
    CHECK(body_json(call(rdap, "/ip/2001:db8::1"))["endAddress"] == "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
    CHECK(call(rdap, "/ip/198.51.100.1").status == 404);
    CHECK(call(rdap, "/ip/203.0.113.300").status == 400);
    CHECK(call(rdap, "/ip/203.0.113.7/24").status == 400);

    auto autnum = body_json(call(rdap, "/autnum/64500"));
    CHECK(autnum["handle"] == "AS64500");
    CHECK(autnum["startAutnum"] == 64500);
    CHECK(body_json(call(rdap, "/autnum/64501"))["endAutnum"] == 64511);
    CHECK(call(rdap, "/autnum/1").status == 404);
    CHECK(call(rdap, "/autnum/AS64500").status == 400);
    CHECK(call(rdap, "/autnum/99999999999").status == 400);

    auto entity = body_json(call(rdap, "/entity/abuse-1"));
    CHECK(entity["handle"] == "ABUSE-1");
    CHECK(entity["objectClassName"] == "entity");
    CHECK(call(rdap, "/entity/NOPE").status == 404);

    auto help = body_json(call(rdap, "/help"));
    CHECK(help["notices"][0]["description"][0] == "Frozen RDAP snapshot for the lab.");
    auto other = call(rdap, "/domains?name=evil*");
    CHECK(other.status == 404);
    CHECK(body_json(other)["errorCode"] == 404);
    auto head = call(rdap, "/domain/evil.example", "", "HEAD");
    CHECK(head.body.empty());
    CHECK(std::stoul(header(head, "Content-Length")) > 100);
    CHECK(call(rdap, "/bad%", "").status == 400);
}

TEST_CASE("rdap data errors name the file and the field", "[http]") {
    CHECK(
        load_error(
            make_rdap_handler,
            R"({"domains": {"evil.example": {"events": [{"eventAction": "registration", "eventDate": "yesterday"}]}}})") ==
        "data/services/x.yaml: domains.evil.example.events[0].eventDate: not an RFC 3339 date (like "
        "2024-03-05T10:00:00Z)");
    CHECK(
        load_error(
            make_rdap_handler,
            R"({"domains": {"evil.example": {"events": [{"eventAction": "registration", "date": "2024-01-01T00:00:00Z"}]}}})")
            .find("domains.evil.example.events[0].date: unknown key (known: eventAction, eventActor, eventDate, "
                  "links)") != std::string::npos);
    CHECK(load_error(make_rdap_handler, R"({"domains": {"evil.example": {"objectClassName": "entity"}}})") ==
          "data/services/x.yaml: domains.evil.example.objectClassName: must be \"domain\" here");
    CHECK(load_error(make_rdap_handler, R"({"ips": {"203.0.113.9/24": {}}})") ==
          "data/services/x.yaml: ips.203.0.113.9/24: '203.0.113.9/24' has host bits set: did you mean 203.0.113.0/24?");
    CHECK(load_error(make_rdap_handler, R"({"autnums": {"64511-64496": {}}})").find("autnums.64511-64496") !=
          std::string::npos);
    CHECK(load_error(make_rdap_handler, R"({"domains": {"Evil.example": {}, "evil.example.": {}}})")
              .find("given twice") != std::string::npos);
    CHECK(load_error(make_rdap_handler, R"({"domains": {"evil.example": {"secureDNS": {"zoneSigned": "maybe"}}}})") ==
          "data/services/x.yaml: domains.evil.example.secureDNS.zoneSigned: expected true or false, got 'maybe'");
    CHECK(load_error(make_rdap_handler, R"({"domain": {}})").find("did you mean 'domains'") != std::string::npos);
    // YAML gives numbers and booleans as text: they come out typed.
    auto typed = make_rdap_handler(
        json::parse(R"({"autnums": {"64500": {"startAutnum": "64500", "endAutnum": "64500"}}})"), kLab, "x");
    REQUIRE(typed);
    CHECK(body_json(call(*typed, "/autnum/64500"))["startAutnum"] == 64500);
}

// --- certificate transparency -------------------------------------------------------------------------

TEST_CASE("ct searches certificates like crt.sh", "[http]") {
    const auto ct = handler(make_ct_handler, "ct.yaml");
    auto exact = call(ct, "/?q=evil.example&output=json");
    CHECK(exact.status == 200);
    CHECK(header(exact, "Content-Type") == "application/json");
    const json found = body_json(exact);
    REQUIRE(found.size() == 1);
    CHECK(found[0]["id"] == 9876543210);
    CHECK(found[0]["issuer_ca_id"] == 183267);
    CHECK(found[0]["issuer_name"] == "C=US, O=Let's Encrypt, CN=R3");
    CHECK(found[0]["common_name"] == "evil.example");
    CHECK(found[0]["name_value"] == "evil.example\nwww.evil.example");
    CHECK(found[0]["serial_number"] == "04f3a1b2c3d4e5f60718293a4b5c6d7e8f90");
    CHECK(found[0]["not_before"] == "2024-02-28T10:00:00");
    CHECK(found[0]["not_after"] == "2024-05-28T10:00:00");
    CHECK(found[0]["entry_timestamp"] == "2024-02-28T11:00:01.442");
    CHECK(exact.body.starts_with(R"([{"issuer_ca_id":183267,"issuer_name":)"));  // crt.sh's member order

    const json wildcard = body_json(call(ct, "/?q=%25.evil.example&output=json"));
    REQUIRE(wildcard.size() == 2);
    CHECK(wildcard[0]["id"] == 9876543300);  // newest first
    CHECK(wildcard[0]["name_value"] == "login.evil.example\nmicrosoft-365.login.evil.example");
    CHECK(wildcard[0]["entry_timestamp"] == "2024-03-01T08:00:00.000");  // not_before when not given
    CHECK(body_json(call(ct, "/?q=%25microsoft%25&output=JSON")).size() == 1);
    CHECK(body_json(call(ct, "/?q=LOGIN.EVIL.EXAMPLE&output=json")).size() == 1);
    CHECK(call(ct, "/?q=nothing.example&output=json").body == "[]");

    auto html = call(ct, "/?q=%25.evil.example");
    CHECK(header(html, "Content-Type") == "text/html; charset=utf-8");
    CHECK(html.body.find("<td>9876543300</td>") != std::string::npos);
    CHECK(html.body.find("Let&#39;s Encrypt") != std::string::npos);
    CHECK(call(ct, "/?q=%3Cscript%3E").body.find("<script>") == std::string::npos);
    CHECK(call(ct, "/?output=json").status == 400);
    CHECK(call(ct, "/json?q=evil.example").status == 404);
    CHECK(call(ct, "/?q=evil.example&output=json", "", "HEAD").body.empty());
}

TEST_CASE("ct data errors name the file and the field", "[http]") {
    const std::string good =
        R"("issuer_ca_id": 1, "issuer_name": "CA", "common_name": "a.example", "name_value": "a.example",
                                 "serial_number": "0a", "not_before": "2024-01-01T00:00:00Z", "not_after": "2024-02-01T00:00:00Z")";
    CHECK(load_error(make_ct_handler, "{\"certificates\": [{" + good + "}]}") ==
          "data/services/x.yaml: certificates[0]: needs a id");
    CHECK(load_error(make_ct_handler, "{\"certificates\": [{\"id\": 1, " + good + "}, {\"id\": 1, " + good + "}]}") ==
          "data/services/x.yaml: certificates[1].id: the id 1 is used twice");
    CHECK(load_error(make_ct_handler, "{\"certificates\": [{\"id\": 1, \"subject\": \"x\", " + good + "}]}")
              .find("certificates[0].subject: unknown key") != std::string::npos);
    CHECK(load_error(make_ct_handler,
                     R"({"certificates": [{"id": 1, "issuer_ca_id": 1, "issuer_name": "CA", "common_name": "a",
        "name_value": "a.example", "serial_number": "xyz", "not_before": "2024-01-01", "not_after": "2024-02-01"}]})") ==
          "data/services/x.yaml: certificates[0].serial_number: must be hexadecimal digits (like 04f3a1...)");
    CHECK(load_error(make_ct_handler,
                     R"({"certificates": [{"id": 1, "issuer_ca_id": 1, "issuer_name": "CA", "common_name": "a",
        "name_value": "a.example", "serial_number": "0a", "not_before": "2024-01-01", "not_after": "2024-02-01"}]})") ==
          "data/services/x.yaml: certificates[0].not_before: not an RFC 3339 date (like 2024-03-05T10:00:00Z) or epoch "
          "seconds");
}

// --- passive DNS -------------------------------------------------------------------------------------

TEST_CASE("pdns answers names and addresses in the Common Output Format", "[http]") {
    const auto pdns = handler(make_pdns_handler, "pdns.yaml");
    auto name = call(pdns, "/pdns/name/Evil.Example.");
    CHECK(name.status == 200);
    CHECK(header(name, "Content-Type") == "application/x-ndjson");
    CHECK(
        name.body ==
        R"({"count":42,"time_first":1709114400,"time_last":1709640000,"rrtype":"A","rrname":"evil.example","rdata":"203.0.113.7"})"
        "\n");

    auto below = call(pdns, "/pdns/name/*.evil.example");
    CHECK(std::count(below.body.begin(), below.body.end(), '\n') == 2);  // www and mail, not the apex
    auto by_ip = call(pdns, "/pdns/ip/203.0.113.7?format=json");
    CHECK(header(by_ip, "Content-Type") == "application/json");
    const json records = body_json(by_ip);
    REQUIRE(records.size() == 2);
    CHECK(records[1]["rrname"] == "mail.evil.example");
    CHECK(records[1]["count"] == 1);
    CHECK(body_json(call(pdns, "/pdns/ip/2001:db8:0::7?format=json"))[0]["bailiwick"] == "other.example");
    CHECK(body_json(call(pdns, "/pdns/ip/203.0.113.0/24?format=json")).size() == 2);
    CHECK(body_json(call(pdns, "/pdns/name/www.evil.example?format=json"))[0]["rdata"] == "evil.example.");
    CHECK(body_json(call(pdns, "/pdns/name/*.evil.example?format=json&rrtype=cname")).size() == 1);

    CHECK(call(pdns, "/pdns/name/nothing.example").body.empty());
    CHECK(call(pdns, "/pdns/name/nothing.example?format=json").body == "[]\n");
    CHECK(call(pdns, "/pdns/name/bad name").status == 400);
    CHECK(call(pdns, "/pdns/name/a.*.example").status == 400);
    CHECK(body_json(call(pdns, "/pdns/ip/evil.example")).contains("error"));
    CHECK(call(pdns, "/pdns/ip/evil.example").status == 400);
    CHECK(call(pdns, "/dnsdb/lookup").status == 404);
}

TEST_CASE("pdns data errors name the file and the field", "[http]") {
    CHECK(
        load_error(
            make_pdns_handler,
            R"({"records": [{"rrname": "a.example", "rrtype": "A", "rdata": "2001:db8::1", "time_first": 1, "time_last": 2}]})") ==
        "data/services/x.yaml: records[0].rdata: is not an IPv4 address");
    CHECK(
        load_error(
            make_pdns_handler,
            R"({"records": [{"rrname": "a.example", "rrtype": "A", "rdata": "192.0.2.1", "time_first": 5, "time_last": 2}]})") ==
        "data/services/x.yaml: records[0].time_last: is before time_first");
    CHECK(
        load_error(
            make_pdns_handler,
            R"({"records": [{"rrname": "a.example", "rrtype": "AXFR", "rdata": "x", "time_first": 1, "time_last": 2}]})")
            .starts_with("data/services/x.yaml: records[0].rrtype: is not a record type served here"));
    CHECK(
        load_error(
            make_pdns_handler,
            R"({"records": [{"rrname": "a.example", "rrtype": "A", "rdata": "192.0.2.1", "time_first": "last week", "time_last": 2}]})") ==
        "data/services/x.yaml: records[0].time_first: not an RFC 3339 date (like 2024-03-05T10:00:00Z) or epoch "
        "seconds");
    CHECK(
        load_error(
            make_pdns_handler,
            R"({"records": [{"rrname": "a.example", "rrtype": "A", "rdata": "192.0.2.1", "time_first": 1, "time_last": 2, "count": 0}]})") ==
        "data/services/x.yaml: records[0].count: expected an integer from 1 to 9223372036854775807, got 0");
}

// --- IP to ASN ----------------------------------------------------------------------------------------

TEST_CASE("asn maps addresses to the most specific prefix and ASes to their prefixes", "[http]") {
    const auto asn = handler(make_asn_handler, "asn.yaml");
    const json ip = body_json(call(asn, "/asn/203.0.113.200"));
    CHECK(ip ==
          json::parse(R"({"ip": "203.0.113.200", "prefix": "203.0.113.128/25", "asn": 64501, "as_name": "VPS-RESELLER",
                                "country": "NL", "registry": "ripencc", "allocated": "2021-06-15"})"));
    CHECK(body_json(call(asn, "/asn/203.0.113.1"))["country"] == "SC");
    CHECK(body_json(call(asn, "/asn/2001:db8::53"))["registry"] == "afrinic");
    const json as = body_json(call(asn, "/asn/AS64500"));
    CHECK(as["as_name"] == "BULLETPROOF-AS, SC");
    REQUIRE(as["prefixes"].size() == 2);
    CHECK(as["prefixes"][1]["prefix"] == "2001:db8::/32");
    CHECK(body_json(call(asn, "/asn/as64501"))["asn"] == 64501);
    CHECK(call(asn, "/asn/198.51.100.1").status == 404);
    CHECK(call(asn, "/asn/AS1").status == 404);
    CHECK(call(asn, "/asn/evil.example").status == 400);
    CHECK(call(asn, "/whois/1.2.3.4").status == 404);
}

TEST_CASE("asn data errors name the file and the field", "[http]") {
    const std::string rest = R"("asn": 1, "as_name": "A", "allocated": "2020-01-01")";
    CHECK(load_error(make_asn_handler,
                     R"({"prefixes": [{"prefix": "192.0.2.0/24", "country": "Netherlands", "registry": "ripencc", )" +
                         rest + "}]}") ==
          "data/services/x.yaml: prefixes[0].country: is not an ISO 3166 two-letter country code (like NL)");
    CHECK(
        load_error(make_asn_handler,
                   R"({"prefixes": [{"prefix": "192.0.2.0/24", "country": "NL", "registry": "ripenc", )" + rest + "}]}")
            .find("did you mean 'ripencc'") != std::string::npos);
    CHECK(load_error(make_asn_handler,
                     R"({"prefixes": [{"prefix": "192.0.2.0", "country": "NL", "registry": "ripencc", )" + rest + "}]}")
              .starts_with("data/services/x.yaml: prefixes[0].prefix: '192.0.2.0' is not a network in CIDR notation"));
    CHECK(
        load_error(
            make_asn_handler,
            R"({"prefixes": [{"prefix": "192.0.2.0/24", "country": "NL", "registry": "arin", "asn": 1, "as_name": "A", "allocated": "2020-02-30"}]})") ==
        "data/services/x.yaml: prefixes[0].allocated: not a date (YYYY-MM-DD)");
    CHECK(
        load_error(
            make_asn_handler,
            R"({"prefixes": [{"prefix": "192.0.2.0/24", "country": "NL", "registry": "arin", )" + rest +
                R"(}, {"prefix": "198.51.100.0/24", "country": "NL", "registry": "arin", "asn": 1, "as_name": "B", "allocated": "2020-01-01"}]})") ==
        "data/services/x.yaml: prefixes[1].as_name: AS1 is named 'A' in an earlier prefix");
}

// --- WHOIS -------------------------------------------------------------------------------------------

TEST_CASE("whois finds domains, subdomains, networks and ASes", "[http]") {
    auto made = make_whois_handler(fixture("whois.yaml"), kLab, "whois.yaml");
    REQUIRE(made);
    const WhoisHandler& whois = *made;
    CHECK(whois("evil.example").starts_with("Domain Name: EVIL.EXAMPLE\n"));
    CHECK(whois("  LOGIN.Evil.Example.\r\n").starts_with("Domain Name: EVIL.EXAMPLE"));
    CHECK(whois("domain evil.example").starts_with("Domain Name:"));
    CHECK(whois("=evil.example").starts_with("Domain Name:"));
    CHECK(whois("203.0.113.7").find("EXAMPLE-HOSTING") != std::string::npos);
    CHECK(whois("203.0.113.200").find("BULLETPROOF-VPS") != std::string::npos);
    CHECK(whois("n 203.0.113.200").find("BULLETPROOF-VPS") != std::string::npos);
    CHECK(whois("203.0.113.128/26").find("BULLETPROOF-VPS") != std::string::npos);
    CHECK(whois("2001:db8::1") == "inet6num: 2001:db8::/32\n");
    CHECK(whois("as64500").starts_with("aut-num:        AS64500"));
    CHECK(whois("good.example") == "No match for \"GOOD.EXAMPLE\".\n");
    CHECK(whois("AS1") == "No match for \"AS1\".\n");
    CHECK(whois("198.51.100.1") == "No match for \"198.51.100.1\".\n");
    CHECK(whois("").starts_with("% Empty query"));
    CHECK(whois(std::string(300, 'a')).starts_with("% Query too long"));
}

TEST_CASE("whois data errors name the file and the field", "[http]") {
    auto error = [](const std::string& text) {
        auto made = make_whois_handler(json::parse(text), kLab, "data/whois.yaml");
        REQUIRE_FALSE(made);
        return made.error();
    };
    CHECK(error(R"({"records": {"evil.example": {"file": "data/whois/none.txt"}}})") ==
          "data/whois.yaml: records.evil.example.file: 'data/whois/none.txt' is not a file in the lab folder");
    CHECK(error(R"({"records": {"evil.example": {"path": "x"}}})").find("records.evil.example.path: unknown key") !=
          std::string::npos);
    CHECK(error(R"({"records": {"203.0.113.5/24": "x"}})").find("host bits") != std::string::npos);
    CHECK(error(R"({"records": {"bad name": "x"}})") ==
          "data/whois.yaml: records.bad name: is neither a domain name, an IP network (CIDR) nor AS<number>");
    CHECK(error(R"({"records": {"evil.example": ["x"]}})") ==
          "data/whois.yaml: records.evil.example: expected text, got a list");
    CHECK(error(R"({"record": {}})").find("did you mean 'records'") != std::string::npos);
}

TEST_CASE("data files read with every scalar as text serve the same answers", "[http]") {
    // yaml_to_json keeps every scalar a string ("200", "true", "1709114400"): the handlers accept both.
    const auto as_text = [](const std::string& name) {
        return infuse::spec::yaml_to_json(YAML::LoadFile((kLab / name).string()));
    };
    const std::vector<std::tuple<HttpMaker, std::string, std::string, std::string>> queries = {
        {make_web_handler, "web.yaml", "/kit.zip", "evil.example"},
        {make_rdap_handler, "rdap.yaml", "/domain/evil.example", ""},
        {make_rdap_handler, "rdap.yaml", "/autnum/64500", ""},
        {make_ct_handler, "ct.yaml", "/?q=%25.evil.example&output=json", ""},
        {make_pdns_handler, "pdns.yaml", "/pdns/name/*.evil.example", ""},
        {make_asn_handler, "asn.yaml", "/asn/AS64500", ""},
    };
    for (const auto& [make, name, target, host] : queries) {
        INFO(name << " " << target);
        auto text_only = make(as_text(name), kLab, name);
        INFO((text_only ? std::string() : text_only.error()));
        REQUIRE(text_only);
        const auto expected = call(handler(make, name), target, host);
        const auto served = call(*text_only, target, host);
        CHECK(served.status == expected.status);
        CHECK(served.body == expected.body);
    }
    auto whois = make_whois_handler(as_text("whois.yaml"), kLab, "whois.yaml");
    REQUIRE(whois);
    CHECK((*whois)("as64500").starts_with("aut-num:"));
}

// --- the servers, with real sockets -------------------------------------------------------------------

namespace {

// The io_context on its own thread, as `infuse-lab start` runs it; declared before the servers so
// that they are destroyed while it still runs.
struct IoThread {
    boost::asio::io_context io;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard = boost::asio::make_work_guard(io);
    std::thread thread{[this] { io.run(); }};
    ~IoThread() {
        guard.reset();
        io.stop();
        thread.join();
    }
};

std::string run(const std::string& command) {
    std::string output;
    FILE* pipe = popen(command.c_str(), "r");
    REQUIRE(pipe);
    char buffer[4096];
    std::size_t read = 0;
    while ((read = fread(buffer, 1, sizeof buffer, pipe)) > 0)
        output.append(buffer, read);
    pclose(pipe);
    return output;
}

bool have(const char* tool) {
    if (fs::exists(tool)) return true;
    WARN(fmt::format("{} is not installed: skipped", tool));
    return false;
}

std::string curl(std::uint16_t port, const std::string& arguments) {
    return run(
        fmt::format("/usr/bin/curl -s --noproxy '*' --max-time 5 {} 2>&1",
                    fmt::format(fmt::runtime(arguments), fmt::arg("url", fmt::format("http://127.0.0.1:{}", port)))));
}

int connect_to(std::uint16_t port) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    return fd;
}

void send_text(int fd, const std::string& text) {
    std::size_t sent = 0;
    while (sent < text.size()) {
        const auto n = send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return;  // the server may close while we are still sending
        sent += static_cast<std::size_t>(n);
    }
}

// What the server sends until it closes, or nullopt if it is still open after `wait`.
std::optional<std::string> read_until_closed(int fd, std::chrono::milliseconds wait) {
    std::string received;
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (true) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::nullopt;
        pollfd ready{fd, POLLIN, 0};
        if (poll(&ready, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
        char buffer[4096];
        const auto n = recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) return received;  // closed (0) or reset (-1)
        received.append(buffer, static_cast<std::size_t>(n));
    }
}

HttpHandler lab_web() {
    return handler(make_web_handler, "web.yaml");
}

}  // namespace

TEST_CASE("HttpServer serves curl: Host routing, HEAD, keep-alive, HTTP/1.0", "[http]") {
    if (!have("/usr/bin/curl")) return;
    IoThread loop;
    HttpServer server(loop.io, lab_web(), 0);
    REQUIRE(server.port() != 0);
    CHECK(curl(server.port(), "-H 'Host: evil.example' {url}/login").find("Microsoft 365 sign-in") !=
          std::string::npos);
    CHECK(curl(server.port(), "-o /dev/null -w '%{{http_code}}' -H 'Host: evil.example:8080' {url}/nope") == "404");
    const std::string head = curl(server.port(), "-I -H 'Host: evil.example' {url}/login");
    CHECK(head.starts_with("HTTP/1.1 200 OK\r\n"));
    CHECK(head.find("Server: nginx/1.18.0") != std::string::npos);
    CHECK(head.find("Content-Length: 92") != std::string::npos);
    CHECK(curl(server.port(), "-H 'Host: cdn.evil.example' {url}/ {url}/ -w '%{{num_connects}}'") ==
          "cdn1cdn0");  // reused
    CHECK(curl(server.port(), "-0 -i -H 'Host: cdn.evil.example' {url}/").starts_with("HTTP/1.0 200 OK"));
    CHECK(curl(server.port(), "{url}/login").find("No site is served for the host \"127.0.0.1\"") != std::string::npos);
    CHECK(curl(server.port(), "-o /dev/null -w '%{{http_code}}' -H 'Host: evil.example' -d a=b {url}/login") == "413");
    CHECK(curl(server.port(), "-o /dev/null -w '%{{http_code}}' -H 'Host: evil.example' {url}/a%20b") == "200");
}

TEST_CASE("HttpServer serves the JSON services to curl", "[http]") {
    if (!have("/usr/bin/curl")) return;
    IoThread loop;
    HttpServer rdap(loop.io, handler(make_rdap_handler, "rdap.yaml"), 0);
    HttpServer ct(loop.io, handler(make_ct_handler, "ct.yaml"), 0);
    CHECK(json::parse(curl(rdap.port(), "{url}/domain/evil.example"))["ldhName"] == "evil.example");
    CHECK(curl(rdap.port(), "-I {url}/domain/nope.example").find("Content-Type: application/rdap+json") !=
          std::string::npos);
    CHECK(json::parse(curl(ct.port(), "'{url}/?q=%25.evil.example&output=json'")).size() == 2);
}

TEST_CASE("HttpServer turns a handler's exception into 500", "[http]") {
    if (!have("/usr/bin/curl")) return;
    IoThread loop;
    HttpServer server(
        loop.io, [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("boom"); }, 0);
    CHECK(curl(server.port(), "-o /dev/null -w '%{{http_code}}' {url}/") == "500");
}

TEST_CASE("HttpServer cuts a slow client and keeps serving the others", "[http]") {
    if (!have("/usr/bin/curl")) return;
    IoThread loop;
    ServerLimits limits;
    limits.request_timeout = std::chrono::milliseconds(1000);
    HttpServer server(loop.io, lab_web(), 0, limits);
    const int slow = connect_to(server.port());
    send_text(slow, "GET /lo");
    CHECK(curl(server.port(), "-H 'Host: cdn.evil.example' {url}/") == "cdn");
    auto closed = read_until_closed(slow, std::chrono::milliseconds(5000));
    CHECK(closed.has_value());
    close(slow);

    HttpServer standard(loop.io, lab_web(), 0);  // the real 10 s limit: the others are served meanwhile
    const int stalled = connect_to(standard.port());
    send_text(stalled, "GET /login HT");
    CHECK(curl(standard.port(), "-H 'Host: cdn.evil.example' {url}/") == "cdn");
    close(stalled);
}

TEST_CASE("HttpServer survives 300 connections at once and a 100 KiB request head", "[http]") {
    if (!have("/usr/bin/curl")) return;
    IoThread loop;
    HttpServer server(loop.io, lab_web(), 0);
    std::vector<int> sockets;
    for (int i = 0; i < 300; ++i)
        sockets.push_back(connect_to(server.port()));
    // Past 128 the server closes at once.
    CHECK(read_until_closed(sockets.back(), std::chrono::milliseconds(3000)).has_value());
    for (int fd : sockets)
        close(fd);
    std::string answer;
    for (int attempt = 0; attempt < 50 && answer != "cdn"; ++attempt) {
        answer = curl(server.port(), "-H 'Host: cdn.evil.example' {url}/");
        if (answer != "cdn") std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    CHECK(answer == "cdn");

    const int big = connect_to(server.port());
    send_text(big,
              "GET / HTTP/1.1\r\nHost: cdn.evil.example\r\nX-Padding: " + std::string(100 * 1024, 'a') + "\r\n\r\n");
    auto reply = read_until_closed(big, std::chrono::milliseconds(5000));
    REQUIRE(reply.has_value());  // closed, not left hanging
    CHECK((reply->empty() || reply->starts_with("HTTP/1.1 431")));
    close(big);
    CHECK(curl(server.port(), "-H 'Host: cdn.evil.example' {url}/") == "cdn");

    const int broken = connect_to(server.port());
    send_text(broken, "NOT HTTP AT ALL\r\n\r\n");
    auto bad = read_until_closed(broken, std::chrono::milliseconds(5000));
    REQUIRE(bad.has_value());
    CHECK(bad->starts_with("HTTP/1.1 400"));
    close(broken);
}

TEST_CASE("HttpServer closes its port when destroyed while the io_context runs elsewhere", "[http]") {
    IoThread loop;
    std::uint16_t port = 0;
    int open_connection = -1;
    {
        HttpServer server(loop.io, lab_web(), 0);
        port = server.port();
        open_connection = connect_to(port);
    }
    CHECK(read_until_closed(open_connection, std::chrono::milliseconds(3000)).has_value());
    close(open_connection);
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0);
    close(fd);
}

TEST_CASE("WhoisServer answers the whois client and cuts bad clients", "[http]") {
    IoThread loop;
    auto made = make_whois_handler(fixture("whois.yaml"), kLab, "whois.yaml");
    REQUIRE(made);
    ServerLimits limits;
    limits.request_timeout = std::chrono::milliseconds(1000);
    WhoisServer server(loop.io, *made, 0, limits);
    if (have("/usr/bin/whois")) {
        const auto query = [&](const std::string& what) {
            return run(fmt::format("timeout 10 /usr/bin/whois -h 127.0.0.1 -p {} {} 2>&1", server.port(), what));
        };
        CHECK(query("evil.example").find("Registrant Email: k.ivanov.1987@mail.example") != std::string::npos);
        CHECK(query("www.evil.example").find("Domain Name: EVIL.EXAMPLE") != std::string::npos);
        CHECK(query("203.0.113.200").find("BULLETPROOF-VPS") != std::string::npos);
        CHECK(query("AS64500").find("aut-num:        AS64500") != std::string::npos);
        CHECK(query("good.example").find("No match for \"GOOD.EXAMPLE\".") != std::string::npos);
    }
    const int raw = connect_to(server.port());
    send_text(raw, "domain evil.example\r\n");
    auto record = read_until_closed(raw, std::chrono::milliseconds(3000));
    REQUIRE(record.has_value());
    CHECK(record->starts_with("Domain Name: EVIL.EXAMPLE"));
    close(raw);

    const int slow = connect_to(server.port());
    send_text(slow, "evil.exa");
    auto cut = read_until_closed(slow, std::chrono::milliseconds(5000));
    REQUIRE(cut.has_value());
    CHECK(cut->empty());
    close(slow);

    const int long_line = connect_to(server.port());
    send_text(long_line, std::string(1000, 'a') + "\r\n");
    auto refused = read_until_closed(long_line, std::chrono::milliseconds(3000));
    REQUIRE(refused.has_value());
    CHECK(refused->starts_with("% Query too long"));
    close(long_line);

    std::vector<int> sockets;
    for (int i = 0; i < 300; ++i)
        sockets.push_back(connect_to(server.port()));
    CHECK(read_until_closed(sockets.back(), std::chrono::milliseconds(3000)).has_value());
    for (int fd : sockets)
        close(fd);
    std::optional<std::string> after;
    for (int attempt = 0; attempt < 50 && !(after && after->starts_with("aut-num")); ++attempt) {
        const int fd = connect_to(server.port());
        send_text(fd, "AS64500\n");
        after = read_until_closed(fd, std::chrono::milliseconds(2000));
        close(fd);
        if (!(after && after->starts_with("aut-num"))) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    CHECK((after && after->starts_with("aut-num")));
}
