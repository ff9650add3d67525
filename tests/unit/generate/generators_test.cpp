#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "infuse/common/civil_time.hpp"
#include "infuse/evidence/evidence.hpp"
#include "infuse/evidence/mail.hpp"
#include "infuse/common/sha256.hpp"
#include "infuse/generate/generate.hpp"

using namespace infuse;
using nlohmann::json;

namespace {

std::string generate(std::string_view generator, const json& options, std::string_view seed) {
    std::ostringstream out;
    auto stats = generate_evidence(generator, options, seed, out);
    if (!stats) FAIL("generate_evidence failed: " << stats.error());
    const std::string text = out.str();
    CHECK(stats->bytes == text.size());
    return text;
}

std::string generation_error(std::string_view generator, const json& options) {
    std::ostringstream out;
    auto stats = generate_evidence(generator, options, "seed", out);
    if (stats) return "(no error)";
    return stats.error();
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        lines.push_back(text.substr(pos, end - pos));
        pos = end + 1;
    }
    CHECK((text.empty() || text.back() == '\n'));  // every line ends with a newline
    return lines;
}

using Fields = std::map<std::string, std::string>;

// Parses every line in `format`, checking that each one parses and that times never go back.
std::vector<Fields> parse_all(const std::vector<std::string>& lines, std::string_view format_name, int year, int offset) {
    auto format = make_log_format(format_name, year, offset);
    REQUIRE(format);
    std::vector<Fields> parsed;
    std::vector<std::string_view> values;
    std::int64_t previous = INT64_MIN;
    std::size_t unparsed = 0, backwards = 0, untimed = 0;
    for (const auto& line : lines) {
        if (!format->parse(line, values)) {
            if (++unparsed == 1) UNSCOPED_INFO("first line that does not parse: " << line);
            parsed.emplace_back();
            continue;
        }
        auto time = format->time(values);
        if (!time) {
            ++untimed;
        } else {
            if (time->epoch < previous && ++backwards == 1) UNSCOPED_INFO("first line out of order: " << line);
            previous = time->epoch;
        }
        Fields fields;
        for (std::size_t i = 0; i < values.size(); ++i) fields[std::string(format->fields()[i])] = std::string(values[i]);
        parsed.push_back(std::move(fields));
    }
    CHECK(unparsed == 0u);
    CHECK(untimed == 0u);
    CHECK(backwards == 0u);
    return parsed;
}

bool documentation_address(const std::string& ip) {
    return ip.rfind("192.0.2.", 0) == 0 || ip.rfind("198.51.100.", 0) == 0 || ip.rfind("203.0.113.", 0) == 0;
}

const char* const kCrawlerAgent = "Mozilla/5.0 (compatible; Examplebot/2.1; +https://search.example/bot.html)";

json access_options() {
    return {
        {"start", "2024-03-14T00:00:00+01:00"},
        {"hours", 24},
        {"lines", 3000},
        {"clients", 700},
        {"site", "www.civicvoice.example"},
        {"crawler", "203.0.113.10"},
        {"monitor", "198.51.100.7"},
        {"incidents",
         json::array({
             {{"kind", "scanner"}, {"ip", "203.0.113.9"}, {"at", "02:41"}, {"agent", "FileHunter/1.0"},
              {"paths", {"/.git/config", "/.env", "/backup.zip", "/robots.txt", "/.htaccess"}}},
             {{"kind", "login-bruteforce"}, {"ip", "192.0.2.66"}, {"at", "10:00:30"}, {"attempts", "7"}, {"success", false},
              {"agent", "brute/1.0"}},
             {{"kind", "login-bruteforce"}, {"ip", "198.51.100.99"}, {"at", "2024-03-14T20:00:00+01:00"}, {"attempts", 3},
              {"agent", "brute/2.0"}},
         })},
    };
}

}  // namespace

TEST_CASE("the four generators are listed with their formats", "[generate]") {
    REQUIRE(generator_kinds().size() == 4u);
    REQUIRE(find_generator("access-log"));
    CHECK(find_generator("access-log")->format == "combined");
    CHECK(find_generator("error-log")->format == "error");
    CHECK(find_generator("auth-log")->format == "auth");
    CHECK(find_generator("email")->format == "eml");
    CHECK_FALSE(find_generator("pcap"));
    CHECK(generation_error("pcap", json::object()) == "'pcap' is not a generator");
    CHECK(generator_seed("web/bruteforce", "learner-1", "access.log") == "infuse-lab/generate/v1\nweb/bruteforce\nlearner-1\naccess.log");
}

TEST_CASE("access-log: the seed decides the bytes", "[generate]") {
    const auto options = access_options();
    const auto one = generate("access-log", options, "seed-a");
    const auto again = generate("access-log", options, "seed-a");
    const auto other = generate("access-log", options, "seed-b");
    CHECK(one == again);
    CHECK(one != other);
    CHECK(lines_of(one).size() == lines_of(other).size());
}

TEST_CASE("access-log: lines, order, parsing and the incidents' own lines", "[generate]") {
    const auto text = generate("access-log", access_options(), "seed-a");
    const auto lines = lines_of(text);
    // 3000 background lines + 5 scanner paths + (1 GET + 7 POSTs) + (1 + 3 + 6 after success)
    // + the monitor: 24 hours of GET / every 5 minutes from minute 1 = 288.
    CHECK(lines.size() == 3000u + 5u + 8u + 9u + 288u);
    const auto parsed = parse_all(lines, "combined", 2024, 60);

    std::map<std::string, std::vector<const Fields*>> by_ip;
    std::size_t foreign = 0;
    for (const auto& f : parsed) {
        if (f.empty()) continue;
        by_ip[f.at("ip")].push_back(&f);
        if (!documentation_address(f.at("ip"))) ++foreign;
    }
    CHECK(foreign == 0u);

    // The scanner: one GET per path, in order, at 02:41 in the log's zone.
    const auto& scanner = by_ip["203.0.113.9"];
    REQUIRE(scanner.size() == 5u);
    CHECK(scanner[0]->at("time") == "14/Mar/2024:02:41:00 +0100");
    const std::vector<std::pair<std::string, std::string>> expected_scan{
        {"/.git/config", "403"}, {"/.env", "404"}, {"/backup.zip", "404"}, {"/robots.txt", "200"}, {"/.htaccess", "403"}};
    for (std::size_t i = 0; i < 5; ++i) {
        CHECK(scanner[i]->at("path") == expected_scan[i].first);
        CHECK(scanner[i]->at("status") == expected_scan[i].second);
        CHECK(scanner[i]->at("method") == "GET");
        CHECK(scanner[i]->at("agent") == "FileHunter/1.0");
    }

    // The failed brute force: the form, then 7 POSTs answered 200, and nothing more.
    const auto& failed = by_ip["192.0.2.66"];
    REQUIRE(failed.size() == 8u);
    CHECK(failed[0]->at("time") == "14/Mar/2024:10:00:30 +0100");
    CHECK(failed[0]->at("method") == "GET");
    for (std::size_t i = 1; i < 8; ++i) {
        CHECK(failed[i]->at("method") == "POST");
        CHECK(failed[i]->at("path") == "/wp-login.php");
        CHECK(failed[i]->at("status") == "200");
        CHECK(failed[i]->at("referrer") == "https://www.civicvoice.example/wp-login.php");
    }
    for (const auto* f : failed) CHECK(f->at("agent") == "brute/1.0");

    // The successful one: 3 failures, the 302, then the admin, the upload and the web shell.
    const auto& success = by_ip["198.51.100.99"];
    REQUIRE(success.size() == 9u);
    CHECK(success[0]->at("time") == "14/Mar/2024:20:00:00 +0100");
    CHECK(success[4]->at("method") == "POST");
    CHECK(success[4]->at("status") == "302");
    CHECK(success[4]->at("bytes") == "-");
    CHECK(success[5]->at("path") == "/wp-admin/");
    CHECK(success[7]->at("path") == "/wp-admin/update.php?action=upload-plugin");
    CHECK(success[8]->at("path") == "/wp-content/plugins/wp-cachetools/cct.php?c=id");
    for (const auto* f : success) CHECK(f->at("agent") == "brute/2.0");

    // Named roles keep their address to themselves.
    const auto& monitor = by_ip["198.51.100.7"];
    CHECK(monitor.size() == 288u);
    for (const auto* f : monitor) {
        CHECK(f->at("agent") == "curl/7.88.1");
        CHECK(f->at("path") == "/");
    }
    const auto& crawler = by_ip["203.0.113.10"];
    CHECK_FALSE(crawler.empty());
    std::size_t crawler_other_agent = 0;
    for (const auto* f : crawler) crawler_other_agent += f->at("agent") != kCrawlerAgent;
    CHECK(crawler_other_agent == 0u);

    // The background used many addresses, none of them an incident's or a role's.
    CHECK(by_ip.size() > 100u);
}

TEST_CASE("access-log: the other incidents add their own number of lines", "[generate]") {
    const json options{
        {"start", "2024-03-14T00:00:00+00:00"},
        {"hours", 6},
        {"lines", 200},
        {"incidents",
         json::array({
             {{"kind", "login"}, {"ip", "192.0.2.10"}, {"at", "01:00"}, {"failures", 2}},
             {{"kind", "xmlrpc-bruteforce"}, {"ip", "192.0.2.11"}, {"at", "02:00"}, {"requests", 4}},
             {{"kind", "injection"}, {"ip", "192.0.2.12"}, {"at", "03:00"}, {"count", 6}, {"payloads", "hex"}},
             {{"kind", "flood"}, {"ip", "192.0.2.13"}, {"at", "04:00"}, {"requests", 30}, {"seconds", 60}},
         })},
    };
    const auto lines = lines_of(generate("access-log", options, "x"));
    // login: form + 2 failures + 302 + /wp-admin/ + edit.php = 6; xmlrpc: 1 + 4; injection 6; flood 30.
    CHECK(lines.size() == 200u + 6u + 5u + 6u + 30u);
    const auto parsed = parse_all(lines, "combined", 2024, 0);
    std::map<std::string, std::vector<const Fields*>> by_ip;
    for (const auto& f : parsed) {
        if (!f.empty()) by_ip[f.at("ip")].push_back(&f);
    }
    REQUIRE(by_ip["192.0.2.10"].size() == 6u);
    CHECK(by_ip["192.0.2.10"][3]->at("status") == "302");
    REQUIRE(by_ip["192.0.2.11"].size() == 5u);
    CHECK(by_ip["192.0.2.11"][0]->at("status") == "405");
    CHECK(by_ip["192.0.2.11"][0]->at("path") == "/xmlrpc.php");
    REQUIRE(by_ip["192.0.2.12"].size() == 6u);
    for (const auto* f : by_ip["192.0.2.12"]) CHECK(f->at("path").rfind("/index.php?page=\\x", 0) == 0);
    const auto& flood = by_ip["192.0.2.13"];
    REQUIRE(flood.size() == 30u);
    std::size_t unavailable = 0;
    for (const auto* f : flood) unavailable += f->at("status") == "503";
    CHECK(unavailable == 10u);  // the last third
    CHECK(flood[19]->at("status") == "200");
    CHECK(flood[20]->at("status") == "503");
    CHECK(flood[0]->at("time") == "14/Mar/2024:04:00:00 +0000");
    CHECK(flood[29]->at("time") == "14/Mar/2024:04:00:58 +0000");  // 29 * 60 s / 30
}

TEST_CASE("access-log: a scripted visit and a flood by the minute", "[generate]") {
    const json options{
        {"start", "2024-03-14T00:00:00+01:00"},
        {"hours", 2},
        {"lines", 100},
        {"incidents",
         json::array({
             {{"kind", "script"}, {"ip", "192.0.2.20"}, {"at", "00:10:00"}, {"agent", "Firefox/115.0"},
              {"steps", json::array({
                            {{"path", "/"}, {"bytes", 41230}},
                            {{"path", "/search.php?q=\\\"><script>alert(1)</script>"}, {"after", 124}, {"bytes", 21833}},
                            {{"path", "/login"}, {"method", "POST"}, {"status", "302"}, {"after", "5"}, {"referrer", "https://x.example/"}},
                            {{"path", "/admin/"}},
                        })}},
             {{"kind", "flood"}, {"ip", "192.0.2.21"}, {"at", "01:11:00"}, {"per_minute", {30, 120, 0, 45}}, {"path", "/search?q="},
              {"vary", true}},
         })},
    };
    const auto text = generate("access-log", options, "s");
    CHECK(text == generate("access-log", options, "s"));
    const auto lines = lines_of(text);
    CHECK(lines.size() == 100u + 4u + 195u);
    const auto parsed = parse_all(lines, "combined", 2024, 60);
    std::vector<const Fields*> visit, flood;
    for (const auto& f : parsed) {
        if (f.empty()) continue;
        if (f.at("ip") == "192.0.2.20") visit.push_back(&f);
        if (f.at("ip") == "192.0.2.21") flood.push_back(&f);
    }
    REQUIRE(visit.size() == 4u);
    CHECK(visit[0]->at("time") == "14/Mar/2024:00:10:00 +0100");
    CHECK(visit[0]->at("bytes") == "41230");
    CHECK(visit[1]->at("time") == "14/Mar/2024:00:12:04 +0100");  // after: 124 exactly
    CHECK(visit[1]->at("path") == "/search.php?q=\\\"><script>alert(1)</script>");
    CHECK(visit[2]->at("time") == "14/Mar/2024:00:12:09 +0100");
    CHECK(visit[2]->at("method") == "POST");
    CHECK(visit[2]->at("status") == "302");
    CHECK(visit[2]->at("bytes") == "-");
    CHECK(visit[2]->at("referrer") == "https://x.example/");
    CHECK(visit[3]->at("agent") == "Firefox/115.0");
    CHECK(visit[3]->at("status") == "200");
    // The flood: each minute's count, every path a different search, the last third answered 503.
    REQUIRE(flood.size() == 195u);
    std::map<std::string, int> per_minute;
    std::set<std::string> paths;
    std::size_t unavailable = 0;
    for (const auto* f : flood) {
        ++per_minute[f->at("minute")];
        paths.insert(f->at("path"));
        CHECK(f->at("path").rfind("/search?q=", 0) == 0);
        CHECK(f->at("path").size() > 10u);
        unavailable += f->at("status") == "503";
    }
    CHECK(per_minute == std::map<std::string, int>{{"14/Mar/2024:01:11", 30}, {"14/Mar/2024:01:12", 120}, {"14/Mar/2024:01:14", 45}});
    CHECK(paths.size() > 150u);
    CHECK(unavailable == 65u);

    CHECK(generation_error("access-log", {{"incidents", {{{"kind", "script"}, {"ip", "192.0.2.1"}}}}}) == "incidents[0].steps: required");
    CHECK(generation_error("access-log", {{"incidents", {{{"kind", "script"}, {"ip", "192.0.2.1"}, {"steps", json::array()}}}}}) ==
          "incidents[0].steps: expected a non-empty list of requests");
    CHECK(generation_error("access-log", {{"incidents", {{{"kind", "script"}, {"ip", "192.0.2.1"}, {"steps", {{{"path", "/"}, {"stauts", 200}}}}}}}}) ==
          "incidents[0].steps[0].stauts: unknown option (did you mean 'status'?) (known: path, method, status, bytes, after, referrer)");
    CHECK(generation_error("access-log", {{"incidents", {{{"kind", "script"}, {"ip", "192.0.2.1"}, {"steps", {{{"path", "/"}, {"status", 700}}}}}}}}) ==
          "incidents[0].steps[0].status: expected an integer from 100 to 599, got 700");
    CHECK(generation_error("access-log", {{"incidents", {{{"kind", "script"}, {"ip", "192.0.2.1"}, {"steps", {{{"path", "/a b"}}}}}}}}) ==
          "incidents[0].steps[0].path: write a space as %20 and a double quote as \\\" (as Apache logs them)");
    CHECK(generation_error("access-log", {{"incidents", {{{"kind", "script"}, {"ip", "192.0.2.1"}, {"steps", {{{"method", "GET"}}}}}}}}) ==
          "incidents[0].steps[0].path: required");
    CHECK(generation_error("access-log", {{"incidents", {{{"kind", "flood"}, {"ip", "192.0.2.1"}, {"per_minute", {10, -1}}}}}}) ==
          "incidents[0].per_minute[1]: expected an integer from 0 to 1000000, got -1");
    CHECK(generation_error("access-log", {{"incidents", {{{"kind", "flood"}, {"ip", "192.0.2.1"}, {"per_minute", {0, 0}}}}}}) ==
          "incidents[0].per_minute: no request in any minute");
    CHECK(generation_error("access-log", {{"incidents", {{{"kind", "flood"}, {"ip", "192.0.2.1"}, {"per_minute", {5}}, {"seconds", 60}}}}}) ==
          "incidents[0].per_minute: give either per_minute or requests and seconds, not both");
    CHECK(generation_error("access-log", {{"incidents", {{{"kind", "flood"}, {"ip", "192.0.2.1"}, {"vary", "sometimes"}}}}}) ==
          "incidents[0].vary: expected true or false, got 'sometimes'");
}

TEST_CASE("access-log: bad options are errors naming the option", "[generate]") {
    CHECK(generation_error("access-log", {{"colour", "red"}}) ==
          "colour: unknown option (known: start, hours, lines, clients, site, crawler, monitor, incidents)");
    CHECK(generation_error("access-log", {{"start", "yesterday"}}) ==
          "start: 'yesterday' is not an ISO 8601 time with an offset (2024-03-14T00:00:00+01:00)");
    CHECK(generation_error("access-log", {{"start", "2024-03-14T00:00:00"}}) ==
          "start: '2024-03-14T00:00:00' is not an ISO 8601 time with an offset (2024-03-14T00:00:00+01:00)");
    CHECK(generation_error("access-log", {{"lines", -1}}) == "lines: expected an integer from 0 to 100000000, got -1");
    CHECK(generation_error("access-log", {{"incidents", {{{"kind", "login-bruteforce"}, {"ip", "203.0.113.9"}, {"attempts", "many"}}}}}) ==
          "incidents[0].attempts: expected an integer from 1 to 1000000, got 'many'");
    CHECK(generation_error("access-log", {{"incidents", {{{"kind", "scanner"}, {"ip", "203.0.113.9"}}, {{"kind", "ddos"}, {"ip", "203.0.113.8"}}}}}) ==
          "incidents[1].kind: 'ddos' is not an access-log incident (login-bruteforce, login, xmlrpc-bruteforce, scanner, "
          "injection, flood, comment-spam, poller, script)");
    CHECK(generation_error("access-log", {{"incidents", {{{"kind", "scanner"}}}}}) == "incidents[0].ip: required");
    CHECK(generation_error("access-log", {{"incidents", {{{"kind", "scanner"}, {"ip", "192.0.2.1"}, {"at", "25:00"}}}}}) ==
          "incidents[0].at: '25:00' is neither HH:MM[:SS] nor an ISO 8601 time");
    CHECK(generation_error("access-log", {{"incidents", {{{"kind", "scanner"}, {"ip", "192.0.2.1"}, {"speed", 3}}}}}) ==
          "incidents[0].speed: unknown option (known: kind, ip, at, interval, agent, agents, path, attempts, success, failures, "
          "requests, paths, payloads, count, seconds, guesses, comments, method, bytes, per_minute, vary, steps)");
    CHECK(generation_error("access-log", {{"incidents", {{{"kind", "injection"}, {"ip", "192.0.2.1"}, {"payloads", {"sqli", "rce"}}}}}}) ==
          "incidents[0].payloads: 'rce' is not a payload kind (sqli, xss, traversal, hex)");
    CHECK(generation_error("access-log", {{"incidents", {{{"kind", "login-bruteforce"}, {"ip", "192.0.2.1"}, {"success", "maybe"}}}}}) ==
          "incidents[0].success: expected true or false, got 'maybe'");
    CHECK(generation_error("access-log", {{"incidents", "scanner"}}) == "incidents: expected a list of incidents");
}

TEST_CASE("error-log: seed, lines, order and incidents", "[generate]") {
    const json options{
        {"start", "2024-03-14T00:00:00-05:00"},
        {"hours", 12},
        {"lines", 1000},
        {"clients", 700},
        {"incidents",
         json::array({
             {{"kind", "forbidden"}, {"ip", "203.0.113.9"}, {"at", "03:00"}, {"paths", {"/.git/config", "/.env", "/.htpasswd"}}},
             {{"kind", "php-fatal"}, {"ip", "192.0.2.66"}, {"at", "04:00"}, {"count", 2}},
             {{"kind", "segfault"}, {"at", "05:00"}},
         })},
    };
    const auto text = generate("error-log", options, "seed-a");
    CHECK(text == generate("error-log", options, "seed-a"));
    CHECK(text != generate("error-log", options, "seed-b"));

    const auto lines = lines_of(text);
    CHECK(lines.size() == 1000u + 3u + 2u + 1u);
    const auto parsed = parse_all(lines, "error", 2024, -300);

    std::vector<const Fields*> denied, fatal, crashes;
    std::size_t foreign = 0;
    for (const auto& f : parsed) {
        if (f.empty()) continue;
        if (f.at("client") == "203.0.113.9") denied.push_back(&f);
        if (f.at("client") == "192.0.2.66") fatal.push_back(&f);
        if (f.at("code") == "AH00052") crashes.push_back(&f);
        if (!f.at("client").empty() && !documentation_address(f.at("client"))) ++foreign;
    }
    CHECK(foreign == 0u);
    REQUIRE(denied.size() == 3u);
    CHECK(denied[0]->at("path") == "/var/www/html/.git/config");
    CHECK(denied[1]->at("path") == "/var/www/html/.env");
    CHECK(denied[2]->at("path") == "/var/www/html/.htpasswd");
    for (const auto* f : denied) {
        CHECK(f->at("module") == "authz_core");
        CHECK(f->at("level") == "error");
        CHECK(f->at("code") == "AH01630");
    }
    CHECK(denied[0]->at("time").substr(0, 19) == "Thu Mar 14 03:00:00");
    REQUIRE(fatal.size() == 2u);
    for (const auto* f : fatal) {
        CHECK(f->at("module") == "php");
        CHECK(f->at("path") == "/var/www/html/wp-content/plugins/gallery/upload.php");
    }
    REQUIRE(crashes.size() == 1u);
    CHECK(crashes[0]->at("client").empty());
    CHECK(crashes[0]->at("time").substr(0, 19) == "Thu Mar 14 05:00:00");

    CHECK(generation_error("error-log", {{"docroots", "/srv"}}) ==
          "docroots: unknown option (did you mean 'docroot'?) (known: start, hours, lines, clients, docroot, site, style, incidents)");
    CHECK(generation_error("error-log", {{"incidents", {{{"kind", "oops"}}}}}) ==
          "incidents[0].kind: 'oops' is not an error-log incident (forbidden, not-found, php-fatal, segfault)");
    CHECK(generation_error("error-log", {{"incidents", {{{"kind", "php-fatal"}, {"ip", "192.0.2.1"}, {"count", "three"}}}}}) ==
          "incidents[0].count: expected an integer from 1 to 100000, got 'three'");
    CHECK(generation_error("error-log", {{"start", "14/Mar/2024"}}) ==
          "start: '14/Mar/2024' is not an ISO 8601 time with an offset (2024-03-14T00:00:00+01:00)");
}

TEST_CASE("auth-log: seed, lines, order and incidents", "[generate]") {
    const json options{
        {"start", "2024-03-14T00:00:00+00:00"},
        {"lines", 2000},
        {"clients", 700},
        {"host", "web-7"},
        {"admins", {{{"user", "deploy"}, {"ip", "198.51.100.20"}}}},
        {"incidents",
         json::array({
             {{"kind", "ssh-bruteforce"}, {"ip", "203.0.113.9"}, {"at", "03:00"}, {"attempts", 4}, {"users", {"root"}},
              {"success", "root"}},
             {{"kind", "ssh-bruteforce"}, {"ip", "192.0.2.66"}, {"at", "05:00"}, {"attempts", "3"}, {"users", {"admin"}}},
             {{"kind", "ssh-login"}, {"ip", "198.51.100.30"}, {"at", "09:00"}, {"user", "alice"}, {"failures", 2},
              {"method", "password"}},
         })},
    };
    const auto text = generate("auth-log", options, "seed-a");
    CHECK(text == generate("auth-log", options, "seed-a"));
    CHECK(text != generate("auth-log", options, "seed-b"));

    const auto lines = lines_of(text);
    // root is a valid user: 2 lines an attempt, then Accepted and the session: 4 * 2 + 2.
    // admin is not: Invalid user, Failed password, Connection closed: 3 * 3.
    // alice: 2 failures of 2 lines, then Accepted and the session: 6.
    CHECK(lines.size() == 2000u + 10u + 9u + 6u);
    const auto parsed = parse_all(lines, "auth", 2024, 0);

    std::map<std::string, std::map<std::string, int>> events;  // ip -> event -> count
    std::size_t other_host = 0, foreign = 0;
    for (const auto& f : parsed) {
        if (f.empty()) continue;
        other_host += f.at("host") != "web-7";
        if (!f.at("ip").empty()) {
            ++events[f.at("ip")][f.at("event")];
            if (!documentation_address(f.at("ip"))) ++foreign;
        }
    }
    CHECK(other_host == 0u);
    CHECK(foreign == 0u);
    CHECK(events["203.0.113.9"] == std::map<std::string, int>{{"failed-password", 4}, {"closed-preauth", 4}, {"accepted", 1}});
    CHECK(events["192.0.2.66"] == std::map<std::string, int>{{"invalid-user", 3}, {"failed-password", 3}, {"closed-preauth", 3}});
    CHECK(events["198.51.100.30"] == std::map<std::string, int>{{"failed-password", 2}, {"closed-preauth", 2}, {"accepted", 1}});
    // The administrator only logs in with a key and leaves.
    for (const auto& [event, count] : events["198.51.100.20"]) {
        CHECK((event == "accepted" || event == "disconnected"));
        CHECK(count > 0);
    }

    // The successful guess: Accepted password for root from the attacker.
    bool accepted_root = false;
    for (const auto& f : parsed) {
        if (!f.empty() && f.at("ip") == "203.0.113.9" && f.at("event") == "accepted") {
            accepted_root = f.at("user") == "root" && f.at("method") == "password";
            CHECK(f.at("time").substr(0, 12) == "Mar 14 03:00");
        }
    }
    CHECK(accepted_root);

    CHECK(generation_error("auth-log", {{"incidents", {{{"kind", "ssh-bruteforce"}, {"ip", "192.0.2.1"}, {"attempts", "lots"}}}}}) ==
          "incidents[0].attempts: expected an integer from 1 to 1000000, got 'lots'");
    CHECK(generation_error("auth-log", {{"incidents", {{{"kind", "rdp"}, {"ip", "192.0.2.1"}}}}}) ==
          "incidents[0].kind: 'rdp' is not an auth-log incident (ssh-bruteforce, ssh-login, ssh-scan)");
    CHECK(generation_error("auth-log", {{"incidents", {{{"kind", "ssh-login"}, {"ip", "192.0.2.1"}, {"user", "a"}, {"method", "kerberos"}}}}}) ==
          "incidents[0].method: 'kerberos' is neither publickey nor password");
    CHECK(generation_error("auth-log", {{"incidents", {{{"kind", "ssh-login"}, {"ip", "192.0.2.1"}}}}}) == "incidents[0].user: required");
    CHECK(generation_error("auth-log", {{"hours", 0}}) == "hours: expected an integer from 1 to 8784, got 0");
    CHECK(generation_error("auth-log", {{"admins", "deploy"}}) == "admins: expected a list of {user, ip}");
    CHECK(generation_error("auth-log", {{"admins", {{{"user", "deploy"}}}}}) == "admins[0].ip: required");
    CHECK(generation_error("auth-log", {{"start", "2024-03-14T00:00:00+01"}}) ==
          "start: '2024-03-14T00:00:00+01' is not an ISO 8601 time with an offset (2024-03-14T00:00:00+01:00)");
}

TEST_CASE("auth-log: a banner scanner, every name tried, accounts and a session", "[generate]") {
    std::vector<std::string> names{"admin", "oracle", "pi", "amina", "backup", "root"};
    const json options{
        {"start", "2024-11-05T00:00:00+00:00"},
        {"hours", 9},
        {"lines", 300},
        {"host", "newsroom-vps"},
        {"admins", {{{"user", "deploy"}, {"ip", "192.0.2.10"}}}},
        {"accounts", {"amina"}},
        {"incidents",
         json::array({
             {{"kind", "ssh-scan"}, {"ip", "198.51.100.66"}, {"at", "01:04:12"}, {"connections", 40}},
             {{"kind", "ssh-bruteforce"}, {"ip", "203.0.113.51"}, {"at", "03:02:11"}, {"attempts", 8}, {"users", names},
              {"all_users", true}, {"success", "backup"}, {"session", 867}},
             {{"kind", "ssh-login"}, {"ip", "198.51.100.20"}, {"at", "08:12:40"}, {"user", "amina"}, {"session", "60"}},
         })},
    };
    const auto text = generate("auth-log", options, "seed-c");
    CHECK(text == generate("auth-log", options, "seed-c"));
    const auto lines = lines_of(text);
    const auto parsed = parse_all(lines, "auth", 2024, 0);
    std::map<std::string, int> scan_events;
    std::set<std::string> tried, invalid;
    std::string accepted_time, disconnected_time;
    int amina_events = 0;
    for (const auto& f : parsed) {
        if (f.empty()) continue;
        if (f.at("ip") == "198.51.100.66") {
            ++scan_events[f.at("event")];
            CHECK(f.at("user").empty());
        }
        if (f.at("ip") == "203.0.113.51" && f.at("event") == "failed-password") tried.insert(f.at("user"));
        if (f.at("ip") == "203.0.113.51" && f.at("event") == "invalid-user") invalid.insert(f.at("user"));
        if (f.at("ip") == "203.0.113.51" && f.at("event") == "accepted") accepted_time = f.at("time");
        if (f.at("ip") == "203.0.113.51" && f.at("event") == "disconnected") {
            disconnected_time = f.at("time");
            CHECK(f.at("user") == "backup");
        }
        if (f.at("ip") == "198.51.100.20") ++amina_events;
    }
    // The scanner: 40 connections, no user, no password.
    CHECK(scan_events["closed-preauth"] + scan_events["banner-exchange"] == 40);
    CHECK(scan_events["banner-exchange"] > 0);
    CHECK(scan_events.size() == 2u);
    // Every name was tried within 8 attempts; root, amina (an account) and backup (the success) exist.
    CHECK(tried == std::set<std::string>(names.begin(), names.end()));
    CHECK(invalid == std::set<std::string>{"admin", "oracle", "pi"});
    // The session lasted 867 seconds.
    REQUIRE_FALSE(accepted_time.empty());
    REQUIRE_FALSE(disconnected_time.empty());
    auto seconds = [](const std::string& t) { return std::stoi(t.substr(7, 2)) * 3600 + std::stoi(t.substr(10, 2)) * 60 + std::stoi(t.substr(13, 2)); };
    const int length = seconds(disconnected_time) - seconds(accepted_time);
    CHECK(length >= 867);
    CHECK(length <= 868);
    CHECK(amina_events == 2);  // Accepted and Disconnected (the session lines name no address)
    CHECK(text.find("Received disconnect from 198.51.100.20 port ") != std::string::npos);

    CHECK(generation_error("auth-log", {{"incidents", {{{"kind", "ssh-bruteforce"}, {"ip", "192.0.2.1"}, {"attempts", 2}, {"all_users", true},
                                                          {"users", {"a", "b", "c"}}}}}}) ==
          "incidents[0].all_users: 3 names cannot all be tried in 2 attempts");
    CHECK(generation_error("auth-log", {{"incidents", {{{"kind", "ssh-bruteforce"}, {"ip", "192.0.2.1"}, {"session", 60}}}}}) ==
          "incidents[0].session: a session needs a `success` user");
    CHECK(generation_error("auth-log", {{"incidents", {{{"kind", "ssh-scan"}, {"ip", "192.0.2.1"}, {"connections", 0}}}}}) ==
          "incidents[0].connections: expected an integer from 1 to 1000000, got 0");
    CHECK(generation_error("auth-log", {{"incidents", {{{"kind", "ssh-scan"}, {"ip", "192.0.2.1"}, {"conections", 3}}}}}) ==
          "incidents[0].conections: unknown option (did you mean 'connections'?) (known: kind, ip, at, interval, attempts, users, "
          "success, user, method, failures, all_users, session, connections)");
    CHECK(generation_error("auth-log", {{"accounts", json::object()}}) == "accounts: expected a non-empty list");
}

namespace {

json email_options(const std::string& encoding) {
    return {
        {"from", "Billing Team <Billing@Invoices.Example>"},
        {"to", "Ana Lima <ana@civicvoice.example>"},
        {"reply_to", "pay@collect.example"},
        {"subject", "Facture n°42 – échéance"},
        {"encode", {{"subject", encoding}}},
        {"date", "2024-03-14T09:12:40+01:00"},
        {"hops",
         json::array({
             {{"from", "laptop.local"}, {"ip", "192.0.2.44"}, {"by", "smtp.invoices.example"}, {"delay", 2}, {"zone", "+0100"}},
             {{"from", "smtp.invoices.example"}, {"ip", "198.51.100.25"}, {"by", "relay.mailhost.example"}, {"delay", 5}, {"zone", "-0500"}},
             {{"from", "relay.mailhost.example"}, {"ip", "203.0.113.80"}, {"by", "mx.civicvoice.example"}, {"delay", "40"}, {"zone", "+0530"}},
         })},
        {"auth", {{"server", "mx.civicvoice.example"}, {"spf", "fail"}, {"dkim", "pass"}, {"dmarc", "fail"}, {"mailfrom", "collect.example"}}},
        {"body", "Bonjour,\n\nVeuillez régler la facture.\n"},
    };
}

const EmailHeader* header(const std::vector<EmailHeader>& headers, std::string_view name, std::size_t occurrence = 1) {
    for (const auto& h : headers) {
        if (h.name == name && --occurrence == 0) return &h;
    }
    return nullptr;
}

}  // namespace

TEST_CASE("email: seed, headers, encoded subject, Received chain and authentication", "[generate]") {
    const auto message = generate("email", email_options("q"), "seed-a");
    CHECK(message == generate("email", email_options("q"), "seed-a"));
    CHECK(message != generate("email", email_options("q"), "seed-b"));

    const auto headers = parse_email_headers(message);
    std::vector<std::string> names;
    for (const auto& h : headers) names.push_back(h.name);
    CHECK(names == std::vector<std::string>{"Return-Path", "Delivered-To", "Authentication-Results", "Received", "Received",
                                            "Received", "From", "Reply-To", "To", "Subject", "Date", "Message-ID", "X-Mailer",
                                            "MIME-Version", "Content-Type", "Content-Transfer-Encoding"});

    // The subject is split into words of at most 20 bytes on a character boundary, and folded.
    const auto* subject = header(headers, "Subject");
    REQUIRE(subject);
    CHECK(subject->value == "=?UTF-8?Q?Facture_n=C2=B042_=E2=80=93_=C3=A9?= =?UTF-8?Q?ch=C3=A9ance?=");
    CHECK(decode_encoded_words(subject->value) == "Facture n°42 – échéance");
    CHECK(message.find("Subject: =?UTF-8?Q?Facture_n=C2=B042_=E2=80=93_=C3=A9?=\n =?UTF-8?Q?ch=C3=A9ance?=\n") != std::string::npos);

    REQUIRE(header(headers, "From"));
    CHECK(header(headers, "From")->value == "\"Billing Team\" <Billing@Invoices.Example>");
    CHECK(mailbox_address(header(headers, "From")->value) == "billing@invoices.example");
    CHECK(mailbox_display_name(header(headers, "From")->value) == "Billing Team");
    REQUIRE(header(headers, "Reply-To"));
    CHECK(header(headers, "Reply-To")->value == "<pay@collect.example>");
    CHECK(header(headers, "Return-Path")->value == "<Billing@Invoices.Example>");
    CHECK(header(headers, "To")->value == "\"Ana Lima\" <ana@civicvoice.example>");
    CHECK(header(headers, "Date")->value == "Thu, 14 Mar 2024 09:12:40 +0100");
    CHECK(header(headers, "Delivered-To")->value == "ana@civicvoice.example");
    REQUIRE(header(headers, "Message-ID"));
    CHECK(header(headers, "Message-ID")->value.ends_with("@Invoices.Example>"));

    // Topmost Received: the last hop. Each hop's time is the previous one's plus its delay.
    const auto top = parse_received(header(headers, "Received", 1)->value);
    const auto middle = parse_received(header(headers, "Received", 2)->value);
    const auto bottom = parse_received(header(headers, "Received", 3)->value);
    const std::int64_t date = 1710403960;  // 2024-03-14T08:12:40Z
    CHECK(top.from_host == "relay.mailhost.example");
    CHECK(top.ip == "203.0.113.80");
    CHECK(top.by == "mx.civicvoice.example");
    REQUIRE(top.time);
    CHECK(top.time->epoch == date + 2 + 5 + 40);
    CHECK(top.time->offset_minutes == 330);
    CHECK(format_iso8601(*top.time) == "2024-03-14T13:43:27+05:30");
    CHECK(middle.from_host == "smtp.invoices.example");
    CHECK(middle.ip == "198.51.100.25");
    CHECK(middle.by == "relay.mailhost.example");
    REQUIRE(middle.time);
    CHECK(middle.time->epoch == date + 2 + 5);
    CHECK(middle.time->offset_minutes == -300);
    CHECK(format_iso8601(*middle.time) == "2024-03-14T03:12:47-05:00");
    CHECK(bottom.from_host == "laptop.local");
    CHECK(bottom.ip == "192.0.2.44");
    CHECK(bottom.by == "smtp.invoices.example");
    REQUIRE(bottom.time);
    CHECK(bottom.time->epoch == date + 2);
    CHECK(bottom.time->offset_minutes == 60);
    CHECK(header(headers, "Received", 3)->value.find(" with ESMTPSA id ") != std::string::npos);
    CHECK(header(headers, "Received", 1)->value.find(" with ESMTPS id ") != std::string::npos);
    CHECK(header(headers, "Received", 1)->value.ends_with("for <ana@civicvoice.example>; Thu, 14 Mar 2024 13:43:27 +0530"));

    const auto* results = header(headers, "Authentication-Results");
    REQUIRE(results);
    CHECK(auth_server(results->value) == "mx.civicvoice.example");
    CHECK(auth_result(results->value, "spf") == std::optional<std::string>("fail"));
    CHECK(auth_result(results->value, "dkim") == std::optional<std::string>("pass"));
    CHECK(auth_result(results->value, "dmarc") == std::optional<std::string>("fail"));
    CHECK_FALSE(auth_result(results->value, "arc"));
    CHECK(results->value.find("smtp.mailfrom=collect.example") != std::string::npos);
    CHECK(results->value.find("header.d=Invoices.Example") != std::string::npos);

    CHECK(message.ends_with("\n\nBonjour,\n\nVeuillez régler la facture.\n"));
}

TEST_CASE("email: a base64 subject decodes back to the original", "[generate]") {
    const auto message = generate("email", email_options("b"), "seed-a");
    const auto headers = parse_email_headers(message);
    const auto* subject = header(headers, "Subject");
    REQUIRE(subject);
    CHECK(subject->value == "=?UTF-8?B?RmFjdHVyZSBuwrA0MiDigJMgw6ljaMOpYW5jZQ==?=");
    CHECK(decode_encoded_words(subject->value) == "Facture n°42 – échéance");

    // A long subject takes several words, each decoding on its own to whole characters.
    auto options = email_options("b");
    options["subject"] = "Ñandú – ¡Última oportunidad para renovar su suscripción anual!";
    options["encode"] = {{"subject", "b"}, {"from", "q"}};
    options["from"] = "Équipe Sécurité <alerts@bank.example>";
    const auto long_message = generate("email", options, "seed-a");
    const auto long_headers = parse_email_headers(long_message);
    const auto* long_subject = header(long_headers, "Subject");
    REQUIRE(long_subject);
    CHECK(long_subject->value.find("?= =?UTF-8?B?") != std::string::npos);
    CHECK(decode_encoded_words(long_subject->value) == "Ñandú – ¡Última oportunidad para renovar su suscripción anual!");
    const auto* from = header(long_headers, "From");
    REQUIRE(from);
    CHECK(from->value.rfind("=?UTF-8?Q?", 0) == 0);
    CHECK(mailbox_display_name(from->value) == "Équipe Sécurité");
    CHECK(mailbox_address(from->value) == "alerts@bank.example");
}

TEST_CASE("email: bad options are errors naming the option", "[generate]") {
    auto options = email_options("q");
    options.erase("subject");
    CHECK(generation_error("email", options) == "subject: required");
    options = email_options("x");
    CHECK(generation_error("email", options) == "encode.subject: 'x' is neither b nor q");
    options = email_options("q");
    options.erase("hops");
    CHECK(generation_error("email", options) == "hops: required, a list of {from, ip, by, delay, zone}, sender first");
    options = email_options("q");
    options["hops"][0]["zone"] = "CET";
    CHECK(generation_error("email", options) == "hops[0].zone: 'CET' is not an offset like +0100");
    options = email_options("q");
    options["hops"][1]["delay"] = "soon";
    CHECK(generation_error("email", options) == "hops[1].delay: expected an integer from 0 to 604800, got 'soon'");
    options = email_options("q");
    options["from"] = "nobody";
    CHECK(generation_error("email", options) == "from: 'nobody' has no address (write \"Name <user@domain>\")");
    options = email_options("q");
    options["date"] = "today";
    CHECK(generation_error("email", options) == "date: 'today' is not an ISO 8601 time with an offset");
    options = email_options("q");
    options["cc"] = "x@example.org";
    CHECK(generation_error("email", options) ==
          "cc: unknown option (known: from, to, reply_to, return_path, subject, encode, date, hops, auth, body, links, images, pixel, "
          "attachment, html_encoding)");
    options = email_options("q");
    options["html_encoding"] = "7bit";
    options["pixel"] = "https://t.example/p.gif";
    CHECK(generation_error("email", options) == "html_encoding: '7bit' is neither quoted-printable nor base64");
}

TEST_CASE("email: links, images, a pixel and an attachment, read back as a mail client reads them", "[generate]") {
    for (const std::string encoding : {"quoted-printable", "base64"}) {
        json options = email_options("q");
        options["links"] = json::array({{{"text", "https://shown.example/a"}, {"href", "https://real-host.example/login?u=1&v=2"}}});
        options["images"] = json::array({"https://cdn.example/logo.png"});
        options["pixel"] = "https://pixel.example/o.gif?r=42";
        options["attachment"] = {{"name", "Invoice_1.pdf.html"}, {"type", "text/html"}, {"content", "<p>caf\u00e9</p>\n"}};
        options["html_encoding"] = encoding;
        const std::string message = generate("email", options, "rich");
        CHECK(read_header_block(message).defects.empty());
        const auto body = read_mail_body(message);
        CHECK(body.defects.empty());
        REQUIRE(body.links.size() == 1);
        CHECK(body.links[0].href == "https://real-host.example/login?u=1&v=2");
        CHECK(body.links[0].text == "https://shown.example/a");
        REQUIRE(body.images.size() == 2);
        CHECK_FALSE(body.images[0].pixel);
        CHECK(body.images[1].pixel);
        CHECK(body.images[1].src == "https://pixel.example/o.gif?r=42");
        REQUIRE(body.attachments.size() == 1);
        CHECK(body.attachments[0].name == "Invoice_1.pdf.html");
        CHECK(body.attachments[0].type == "text/html");
        CHECK(body.attachments[0].sha256 == sha256_hex("<p>caf\u00e9</p>\n"));
        CHECK(body.text.find("https://shown.example/a <https://real-host.example/login?u=1&v=2>") != std::string::npos);
        for (const auto& line : lines_of(message)) CHECK(line.size() <= 998);
    }
}
