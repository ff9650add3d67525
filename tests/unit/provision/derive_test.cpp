#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "infuse/evidence/compressed.hpp"
#include "infuse/provision/derive.hpp"

#include "../temp_dir.hpp"

using namespace infuse;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

fs::path write_file(const fs::path& folder, const std::string& name, const std::string& content) {
    const fs::path file = folder / name;
    std::ofstream out(file, std::ios::binary);
    out << content;
    return file;
}

// The typed entry for the JSON shorthand these tests write: {"compute": "top:ip", "filter": {...}}.
DeriveSpec typed(const json& spec) {
    DeriveSpec typed;
    for (const auto& [key, value] : spec.items()) {
        const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
        if (key == "filter" || key == "exclude") {
            for (const auto& [field, pattern] : value.items()) {
                const std::string pattern_text = pattern.is_string() ? pattern.get<std::string>() : pattern.dump();
                (key == "filter" ? typed.filter : typed.exclude).push_back({field, {pattern_text, {}}});
            }
        } else if (key == "from") {
            typed.from = {text, {}};
        } else {
            auto* slot = typed.field(key);
            REQUIRE(slot);
            *slot = TemplatedText{text, {}};
        }
    }
    return typed;
}

// The derived value, or "error: <message>".
std::string derive(const json& spec, const fs::path& file, std::string_view format) {
    auto value = derive_one(typed(spec), file, format);
    return value ? *value : "error: " + value.error();
}

const char* const kAccessLog =
    "203.0.113.9 - - [14/Mar/2024:03:04:33 +0100] \"POST /wp-login.php HTTP/1.1\" 200 4321 \"https://www.example.org/wp-login.php\" \"python-requests/2.31.0\"\n"
    "198.51.100.7 - - [14/Mar/2024:03:05:00 +0100] \"GET / HTTP/1.1\" 200 48211 \"-\" \"Mozilla/5.0\"\n"
    "203.0.113.9 - - [14/Mar/2024:03:05:10 +0100] \"POST /wp-login.php HTTP/1.1\" 200 4300 \"-\" \"python-requests/2.31.0\"\n"
    "192.0.2.50 - - [14/Mar/2024:03:06:00 +0100] \"GET /about/ HTTP/1.1\" 304 - \"-\" \"Mozilla/5.0\"\n"
    "198.51.100.7 - - [14/Mar/2024:03:07:00 +0100] \"GET /feed/ HTTP/1.1\" 200 12877 \"-\" \"Mozilla/5.0\"\n"
    "203.0.113.9 - - [14/Mar/2024:03:08:20 +0100] \"POST /wp-login.php HTTP/1.1\" 302 - \"-\" \"python-requests/2.31.0\"\n"
    "192.0.2.50 - - [14/Mar/2024:02:59:00 +0100] \"GET /wp-login.php.bak HTTP/1.1\" 404 196 \"-\" \"curl/8.5.0\"\n";

const char* const kCombinedFields = "ip ident user time method path protocol status bytes referrer agent request date hour minute "
                                    "vhost port forwarded request_time duration_ms";

}  // namespace

TEST_CASE("derive count: filters and excludes match whole fields", "[derive]") {
    testing::TempDir dir;
    const auto log = write_file(dir.path, "access.log", kAccessLog);
    CHECK(derive({{"compute", "count"}}, log, "combined") == "7");
    CHECK(derive({{"compute", "count"}, {"filter", {{"ip", "203\\.0\\.113\\.9"}, {"method", "POST"}, {"status", "200"}}}}, log, "combined") == "2");
    // /wp-login\.php does not match /wp-login.php.bak: the whole field must match.
    CHECK(derive({{"compute", "count"}, {"filter", {{"path", "/wp-login\\.php"}}}}, log, "combined") == "3");
    CHECK(derive({{"compute", "count"}, {"filter", {{"ip", "203.0.113"}}}}, log, "combined") == "0");
    CHECK(derive({{"compute", "count"}, {"exclude", {{"status", "2.."}}}}, log, "combined") == "3");
    CHECK(derive({{"compute", "count"}, {"filter", {{"ip", "203.*"}}}, {"exclude", {{"status", "302"}}}}, log, "combined") == "2");
    // A number in the filter is read as its text.
    CHECK(derive({{"compute", "count"}, {"filter", {{"status", 304}}}}, log, "combined") == "1");
    CHECK(derive({{"compute", "count"}, {"filter", {{"hour", "14/Mar/2024:02"}}}}, log, "combined") == "1");
}

TEST_CASE("derive top and top-count: rank, ties broken by first appearance", "[derive]") {
    testing::TempDir dir;
    const auto log = write_file(dir.path, "access.log", kAccessLog);
    CHECK(derive({{"compute", "top:ip"}}, log, "combined") == "203.0.113.9");
    // 198.51.100.7 and 192.0.2.50 both appear twice; 198.51.100.7 appears first (line 2).
    CHECK(derive({{"compute", "top:ip"}, {"rank", 2}}, log, "combined") == "198.51.100.7");
    CHECK(derive({{"compute", "top:ip"}, {"rank", "3"}}, log, "combined") == "192.0.2.50");
    CHECK(derive({{"compute", "top-count:ip"}}, log, "combined") == "3");
    CHECK(derive({{"compute", "top-count:ip"}, {"rank", 3}}, log, "combined") == "2");
    // python-requests and Mozilla/5.0 both appear three times; python-requests comes first.
    CHECK(derive({{"compute", "top:agent"}}, log, "combined") == "python-requests/2.31.0");
    CHECK(derive({{"compute", "top:agent"}, {"rank", 2}}, log, "combined") == "Mozilla/5.0");
    CHECK(derive({{"compute", "top:path"}, {"filter", {{"ip", "192\\.0\\.2\\.50"}}}}, log, "combined") == "/about/");
    CHECK(derive({{"compute", "top:ip"}, {"rank", 4}}, log, "combined") == "error: rank 4: only 3 different values match");
    CHECK(derive({{"compute", "top:ip"}, {"rank", 0}}, log, "combined") == "error: rank: expected a whole number from 1");
    CHECK(derive({{"compute", "top:ip"}, {"rank", "first"}}, log, "combined") == "error: rank: expected a whole number from 1");
    CHECK(derive({{"compute", "top:ip"}, {"filter", {{"ip", "10\\.0\\.0\\.1"}}}}, log, "combined") == "error: no line matches the filter");
    CHECK(derive({{"compute", "top-count:ip"}, {"filter", {{"ip", "10\\.0\\.0\\.1"}}}}, log, "combined") == "error: no line matches the filter");
}

TEST_CASE("derive distinct and distinct-count", "[derive]") {
    testing::TempDir dir;
    const auto log = write_file(dir.path, "access.log", kAccessLog);
    CHECK(derive({{"compute", "distinct:ip"}}, log, "combined") == "203.0.113.9\n198.51.100.7\n192.0.2.50");
    CHECK(derive({{"compute", "distinct:status"}, {"filter", {{"ip", "192\\.0\\.2\\.50"}}}}, log, "combined") == "304\n404");
    CHECK(derive({{"compute", "distinct:hour"}}, log, "combined") == "14/Mar/2024:03\n14/Mar/2024:02");
    CHECK(derive({{"compute", "distinct-count:path"}}, log, "combined") == "5");
    CHECK(derive({{"compute", "distinct-count:ip"}, {"exclude", {{"ip", "203\\.0\\.113\\.9"}}}}, log, "combined") == "2");
    CHECK(derive({{"compute", "distinct-count:ip"}, {"filter", {{"ip", "10\\..*"}}}}, log, "combined") == "0");
    CHECK(derive({{"compute", "distinct:ip"}, {"filter", {{"ip", "10\\..*"}}}}, log, "combined") == "error: no line matches the filter");
}

TEST_CASE("derive first and last: by time, written in ISO 8601 with the log's offset", "[derive]") {
    testing::TempDir dir;
    const auto log = write_file(dir.path, "access.log", kAccessLog);
    // The last line is the earliest.
    CHECK(derive({{"compute", "first:time"}}, log, "combined") == "2024-03-14T02:59:00+01:00");
    CHECK(derive({{"compute", "first:ip"}}, log, "combined") == "192.0.2.50");
    CHECK(derive({{"compute", "last:time"}}, log, "combined") == "2024-03-14T03:08:20+01:00");
    CHECK(derive({{"compute", "last:status"}}, log, "combined") == "302");
    CHECK(derive({{"compute", "first:time"}, {"filter", {{"ip", "203\\.0\\.113\\.9"}, {"status", "302"}}}}, log, "combined") ==
          "2024-03-14T03:08:20+01:00");
    CHECK(derive({{"compute", "last:path"}, {"filter", {{"ip", "198\\.51\\.100\\.7"}}}}, log, "combined") == "/feed/");
    CHECK(derive({{"compute", "first:time"}, {"filter", {{"ip", "10\\.0\\.0\\.1"}}}}, log, "combined") == "error: no line matches the filter");

    const auto error_log = write_file(dir.path, "error.log",
        "[Thu Mar 14 03:04:33.512204 2024] [authz_core:error] [pid 2211:tid 140147] [client 203.0.113.9:51234] AH01630: client denied by server configuration: /var/www/html/.git/config\n"
        "[Thu Mar 14 03:04:34.000000 2024] [authz_core:error] [pid 2212:tid 140147] [client 203.0.113.9:51235] AH01630: client denied by server configuration: /var/www/html/.env\n"
        "[Thu Mar 14 03:05:00.000000 2024] [core:info] [pid 2213:tid 140147] [client 192.0.2.7:40000] AH00128: File does not exist: /var/www/html/favicon.png\n"
        "[Thu Mar 14 03:06:00.000000 2024] [core:notice] [pid 812:tid 1] AH00052: child pid 4242 exit signal Segmentation fault (11)\n");
    CHECK(derive({{"compute", "first:time"}, {"zone", "+01:00"}}, error_log, "error") == "2024-03-14T03:04:33+01:00");
    CHECK(derive({{"compute", "last:time"}, {"zone", "-05:00"}}, error_log, "error") == "2024-03-14T03:06:00-05:00");
    CHECK(derive({{"compute", "last:time"}}, error_log, "error") == "2024-03-14T03:06:00+00:00");
    CHECK(derive({{"compute", "distinct:path"}, {"filter", {{"code", "AH01630"}}}}, error_log, "error") ==
          "/var/www/html/.git/config\n/var/www/html/.env");
    CHECK(derive({{"compute", "count"}, {"filter", {{"client", ""}}}}, error_log, "error") == "1");
    CHECK(derive({{"compute", "top:client"}}, error_log, "error") == "203.0.113.9");

    const auto auth_log = write_file(dir.path, "auth.log",
        "Dec 31 23:59:58 web-1 sshd[100]: Invalid user admin from 203.0.113.9 port 50000\n"
        "Dec 31 23:59:59 web-1 sshd[100]: Failed password for invalid user admin from 203.0.113.9 port 50000 ssh2\n"
        "Dec 31 23:59:59 web-1 sshd[101]: Failed password for root from 203.0.113.9 port 50001 ssh2\n"
        "Dec 31 23:59:59 web-1 sshd[102]: Accepted publickey for deploy from 198.51.100.20 port 40000 ssh2: ED25519 SHA256:abc\n"
        "Dec 31 23:59:59 web-1 CRON[7]: pam_unix(cron:session): session closed for user root\n");
    CHECK(derive({{"compute", "first:time"}, {"year", "2023"}, {"zone", "-05:00"}}, auth_log, "auth") == "2023-12-31T23:59:58-05:00");
    CHECK(derive({{"compute", "last:time"}, {"year", 2023}, {"zone", "+05:30"}}, auth_log, "auth") == "2023-12-31T23:59:59+05:30");
    CHECK(derive({{"compute", "first:time"}}, auth_log, "auth") == "2024-12-31T23:59:58+00:00");
    // Equal times: first keeps the earliest line, last the latest.
    CHECK(derive({{"compute", "first:user"}, {"filter", {{"event", "failed-password"}}}}, auth_log, "auth") == "admin");
    CHECK(derive({{"compute", "last:user"}, {"filter", {{"ip", "203\\.0\\.113\\.9"}}}}, auth_log, "auth") == "root");
    CHECK(derive({{"compute", "count"}, {"filter", {{"event", "failed-password"}}}}, auth_log, "auth") == "2");
    CHECK(derive({{"compute", "top:user"}, {"filter", {{"event", "failed-password"}}}}, auth_log, "auth") == "admin");
    CHECK(derive({{"compute", "distinct:program"}}, auth_log, "auth") == "sshd\nCRON");
    CHECK(derive({{"compute", "first:method"}, {"filter", {{"event", "accepted"}}}}, auth_log, "auth") == "publickey");
}

TEST_CASE("derive sum counts '-' as zero", "[derive]") {
    testing::TempDir dir;
    const auto log = write_file(dir.path, "access.log", kAccessLog);
    // 4321 + 48211 + 4300 + 0 + 12877 + 0 + 196
    CHECK(derive({{"compute", "sum:bytes"}}, log, "combined") == "69905");
    CHECK(derive({{"compute", "sum:bytes"}, {"filter", {{"ip", "203\\.0\\.113\\.9"}}}}, log, "combined") == "8621");
    CHECK(derive({{"compute", "sum:bytes"}, {"filter", {{"status", "30."}}}}, log, "combined") == "0");
    CHECK(derive({{"compute", "sum:path"}}, log, "combined") == "error: access.log line 1: path '/wp-login.php' is not a number");
}

TEST_CASE("derive divide (a rate with one decimal), the minute field and first:clock", "[derive]") {
    testing::TempDir dir;
    const auto log = write_file(dir.path, "access.log", kAccessLog);
    CHECK(derive({{"compute", "count"}, {"divide", 60}}, log, "combined") == "0.1");          // 7 / 60 = 0.117
    CHECK(derive({{"compute", "count"}, {"divide", "4"}}, log, "combined") == "1.8");         // 1.75 rounds up
    CHECK(derive({{"compute", "count"}, {"divide", 7}}, log, "combined") == "1.0");
    CHECK(derive({{"compute", "top-count:ip"}, {"divide", 2}}, log, "combined") == "1.5");    // 203.0.113.9: 3
    CHECK(derive({{"compute", "distinct-count:ip"}, {"divide", 3}}, log, "combined") == "1.0");
    CHECK(derive({{"compute", "sum:bytes"}, {"divide", 1000}}, log, "combined") == "69.9");  // 69905
    CHECK(derive({{"compute", "top-count:minute"}}, log, "combined") == "2");
    // The clock time as written, without the offset.
    CHECK(derive({{"compute", "first:clock"}, {"filter", {{"status", "302"}}}}, log, "combined") == "2024-03-14T03:08:20");
    CHECK(derive({{"compute", "last:clock"}}, log, "combined") == "2024-03-14T03:08:20");
    CHECK(derive({{"compute", "first:clock"}}, log, "combined") == "2024-03-14T02:59:00");              // 03:05:00 and 03:05:10
    CHECK(derive({{"compute", "top:ip"}, {"divide", 2}}, log, "combined") ==
          "error: divide: only for a number (count, top-count, distinct-count, sum), not top");
    CHECK(derive({{"compute", "count"}, {"divide", 0}}, log, "combined") ==
          "error: divide: expected a whole number from 1 to 1000000000, got '0'");
    CHECK(derive({{"compute", "count"}, {"divide", "sixty"}}, log, "combined") ==
          "error: divide: expected a whole number from 1 to 1000000000, got 'sixty'");
}

TEST_CASE("derive errors name the field, the line and the problem", "[derive]") {
    testing::TempDir dir;
    const auto log = write_file(dir.path, "access.log", kAccessLog);
    CHECK(derive({{"compute", "top:address"}}, log, "combined") ==
          std::string("error: compute: 'address' is not a field of the combined format (fields: ") + kCombinedFields + ")");
    CHECK(derive({{"compute", "count"}, {"filter", {{"client", "x"}}}}, log, "combined") ==
          std::string("error: filter.client: 'client' is not a field of the combined format (fields: ") + kCombinedFields + ")");
    CHECK(derive({{"compute", "count"}, {"exclude", {{"host", "x"}}}}, log, "combined") ==
          std::string("error: exclude.host: 'host' is not a field of the combined format (fields: ") + kCombinedFields + ")");
    CHECK(derive({{"compute", "count"}, {"filter", {{"user", "x"}}}}, log, "error") ==
          "error: filter.user: 'user' is not a field of the error format (fields: time module level pid client code message path "
          "tid connection server request method host upstream file referrer)");
    CHECK(derive({{"compute", "top"}}, log, "combined") == "error: compute: 'top' needs a field (top:FIELD)");
    CHECK(derive({{"filter", {{"ip", "x"}}}}, log, "combined") ==
          "error: compute: required for a log (count, top:FIELD, first:FIELD ...)");
    CHECK_THAT(derive({{"compute", "median:bytes"}}, log, "combined"),
               Catch::StartsWith("error: compute: 'median:bytes' is not one of count, distinct-count:FIELD"));
    CHECK_THAT(derive({{"compute", "count"}, {"filter", {{"ip", "("}}}}, log, "combined"),
               Catch::StartsWith("error: filter.ip: bad regular expression: "));
    CHECK(derive({{"compute", "count"}}, log, "csv") ==
          "error: format: 'csv' is not one of combined, error, nginx-error, php-error, auth, syslog, json-lines, eml, json, xml, zone");
    CHECK(derive({{"compute", "count"}}, dir.path / "missing.log", "combined") ==
          "error: missing.log: cannot read (No such file or directory)");

    // Blank lines are skipped but counted: the bad line is line 3.
    const auto bad = write_file(dir.path, "bad.log",
        "203.0.113.9 - - [14/Mar/2024:03:04:33 +0100] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"\n"
        "\n"
        "this is not a log line\n"
        "203.0.113.9 - - [14/Mar/2024:03:04:34 +0100] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"\n");
    CHECK(derive({{"compute", "count"}}, bad, "combined") ==
          "error: bad.log line 3: not a line of the combined format: this is not a log line");
    CHECK(derive({{"compute", "count"}}, bad, "auth") ==
          "error: bad.log line 1: not a line of the auth format: 203.0.113.9 - - [14/Mar/2024:03:04:33 +0100] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"");
}

namespace {

const char* const kMessage =
    "Return-Path: <Bounce@Mailer.Example>\n"
    "Delivered-To: ana@civicvoice.example\n"
    "Authentication-Results: mx.civicvoice.example;\n"
    "\tspf=softfail smtp.mailfrom=mailer.example;\n"
    "\tdkim=none;\n"
    "\tdmarc=fail (p=REJECT) header.from=bank-secure.example\n"
    "Authentication-Results: other.example; spf=pass smtp.mailfrom=mailer.example\n"
    "Received: from relay.mailer.example (relay.mailer.example [198.51.100.25])\n"
    "\tby mx.civicvoice.example with ESMTPS id 4TwQ1k2Zx9z\n"
    "\tfor <ana@civicvoice.example>; Thu, 14 Mar 2024 09:13:25 +0000\n"
    "Received: from pc-17.mailer.example (unknown [203.0.113.77])\n"
    "\tby relay.mailer.example with ESMTPSA id 88AF1;\n"
    "\tThu, 14 Mar 2024 04:13:02 -0500\n"
    "From: =?UTF-8?Q?S=C3=A9curit=C3=A9_Banque?= <Alerts@Bank-Secure.Example>\n"
    "Reply-To: \"Support\" <Support@Collect.Example>\n"
    "To: \"Ana Lima\" <ana@civicvoice.example>\n"
    "Subject: =?UTF-8?B?Q29tcHRlIGJsb3F1w6k=?= - action\n"
    " requise\n"
    "Date: Thu, 14 Mar 2024 10:12:58 +0100\n"
    "X-Test: first\n"
    "X-Test: second\n"
    "\n"
    "Body text.\n"
    "Received: from body.example ([192.0.2.1]) by nobody; Thu, 14 Mar 2024 10:00:00 +0000\n";

}  // namespace

TEST_CASE("derive from an email: headers, addresses and display names", "[derive]") {
    testing::TempDir dir;
    const auto eml = write_file(dir.path, "message.eml", kMessage);
    CHECK(derive({{"header", "Subject"}}, eml, "eml") == "Compte bloqué - action requise");
    CHECK(derive({{"header", "subject"}}, eml, "eml") == "Compte bloqué - action requise");
    CHECK(derive({{"header", "Date"}}, eml, "eml") == "Thu, 14 Mar 2024 10:12:58 +0100");
    CHECK(derive({{"header", "X-Test"}}, eml, "eml") == "first");
    CHECK(derive({{"header", "X-Test"}, {"occurrence", 2}}, eml, "eml") == "second");
    CHECK(derive({{"header", "X-Test"}, {"occurrence", "3"}}, eml, "eml") == "error: no X-Test header");
    CHECK(derive({{"header", "X-Missing"}}, eml, "eml") == "error: no X-Missing header");
    CHECK(derive({{"address", "From"}}, eml, "eml") == "alerts@bank-secure.example");
    CHECK(derive({{"address", "Reply-To"}}, eml, "eml") == "support@collect.example");
    CHECK(derive({{"address", "Return-Path"}}, eml, "eml") == "bounce@mailer.example");
    CHECK(derive({{"address", "Sender"}}, eml, "eml") == "error: no Sender header");
    CHECK(derive({{"display-name", "From"}}, eml, "eml") == "Sécurité Banque");
    CHECK(derive({{"display-name", "Reply-To"}}, eml, "eml") == "Support");
    CHECK(derive({{"display-name", "To"}}, eml, "eml") == "Ana Lima");
    CHECK(derive(json::object(), eml, "eml") ==
          "error: an eml derivation needs one of header, address, display-name, received, auth, spf-field, dkim-tag, arc, body, link, "
          "image, pixel, attachment, count, list");
}

TEST_CASE("derive from an email: the Received chain and authentication results", "[derive]") {
    testing::TempDir dir;
    const auto eml = write_file(dir.path, "message.eml", kMessage);
    // 1 is the topmost header (the last hop); -1 the bottom one (the first hop). The body's
    // "Received:" line is not a header.
    CHECK(derive({{"received", 1}}, eml, "eml") == "198.51.100.25");
    CHECK(derive({{"received", 1}, {"part", "ip"}}, eml, "eml") == "198.51.100.25");
    CHECK(derive({{"received", 1}, {"part", "by"}}, eml, "eml") == "mx.civicvoice.example");
    CHECK(derive({{"received", 1}, {"part", "from-host"}}, eml, "eml") == "relay.mailer.example");
    CHECK(derive({{"received", 1}, {"part", "time"}}, eml, "eml") == "2024-03-14T09:13:25+00:00");
    CHECK(derive({{"received", -1}, {"part", "ip"}}, eml, "eml") == "203.0.113.77");
    CHECK(derive({{"received", "-1"}, {"part", "time"}}, eml, "eml") == "2024-03-14T04:13:02-05:00");
    CHECK(derive({{"received", -1}, {"part", "by"}}, eml, "eml") == "relay.mailer.example");
    CHECK(derive({{"received", -1}, {"part", "from-host"}}, eml, "eml") == "pc-17.mailer.example");
    CHECK(derive({{"received", 2}, {"part", "ip"}}, eml, "eml") == "203.0.113.77");
    CHECK(derive({{"received", 3}}, eml, "eml") == "error: received: 3: the message has 2 Received headers");
    CHECK(derive({{"received", -3}}, eml, "eml") == "error: received: -3: the message has 2 Received headers");
    CHECK(derive({{"received", 0}}, eml, "eml") == "error: received: 0: the message has 2 Received headers");
    CHECK(derive({{"received", 1}, {"part", "helo"}}, eml, "eml") == "relay.mailer.example");
    CHECK(derive({{"received", 1}, {"part", "port"}}, eml, "eml") ==
          "error: part: 'port' is not one of ip, from-host, helo, by, with, id, for, time");

    CHECK(derive({{"auth", "spf"}}, eml, "eml") == "softfail");
    CHECK(derive({{"auth", "SPF"}}, eml, "eml") == "softfail");
    CHECK(derive({{"auth", "dkim"}}, eml, "eml") == "none");
    CHECK(derive({{"auth", "dmarc"}}, eml, "eml") == "fail");
    CHECK(derive({{"auth", "spf"}, {"authserv", "other.example"}}, eml, "eml") == "pass");
    CHECK(derive({{"auth", "arc"}}, eml, "eml") == "error: no arc result in the Authentication-Results header");
    CHECK(derive({{"auth", "spf"}, {"authserv", "nowhere.example"}}, eml, "eml") ==
          "error: no Authentication-Results header by nowhere.example");
}

TEST_CASE("derive the IP of a hop that greets with an address literal", "[derive]") {
    // Postfix writes the HELO name first and the connecting address in the parentheses: when the
    // client greets with an address literal, the address the server saw is still the second one.
    testing::TempDir dir;
    const auto eml = write_file(dir.path, "helo.eml",
        "Received: from [192.168.1.20] (unknown [203.0.113.77])\n"
        "\tby relay.mailer.example with ESMTPSA id 88AF1;\n"
        "\tThu, 14 Mar 2024 04:13:02 -0500\n"
        "Subject: x\n"
        "\n");
    CHECK(derive({{"received", -1}, {"part", "ip"}}, eml, "eml") == "203.0.113.77");
}

TEST_CASE("derive from JSON with a pointer and from XML with XPath", "[derive]") {
    testing::TempDir dir;
    const auto config = write_file(dir.path, "config.json",
        R"({"api": {"key": "sk-123", "ports": [80, 443], "debug": false}, "a/b": {"m~n": "slash and tilde"}})");
    CHECK(derive({{"pointer", "/api/key"}}, config, "json") == "sk-123");
    CHECK(derive({{"pointer", "/api/ports/1"}}, config, "json") == "443");
    CHECK(derive({{"pointer", "/api/ports"}}, config, "json") == "[80,443]");
    CHECK(derive({{"pointer", "/api/debug"}}, config, "json") == "false");
    CHECK(derive({{"pointer", "/a~1b/m~0n"}}, config, "json") == "slash and tilde");
    CHECK(derive({{"pointer", "/api"}}, config, "json") == R"({"debug":false,"key":"sk-123","ports":[80,443]})");
    CHECK_THAT(derive({{"pointer", "/api/nope"}}, config, "json"), Catch::StartsWith("error: pointer /api/nope: "));
    CHECK_THAT(derive({{"pointer", "api"}}, config, "json"), Catch::StartsWith("error: pointer api: "));

    const auto page = write_file(dir.path, "index.html",
        "<?xml version=\"1.0\"?>\n"
        "<html><head><meta name=\"generator\" content=\"WordPress 6.4.3\"/><meta name=\"robots\" content=\"noindex\"/>"
        "<title>Civic Voice</title></head><body><p class=\"x\">one</p><p>two</p></body></html>\n");
    CHECK(derive({{"xpath", "//meta[@name='generator']/@content"}}, page, "xml") == "WordPress 6.4.3");
    CHECK(derive({{"xpath", "//meta[@name='robots']/@content"}}, page, "xml") == "noindex");
    CHECK(derive({{"xpath", "count(//p)"}}, page, "xml") == "2");
    CHECK(derive({{"xpath", "//title"}}, page, "xml") == "Civic Voice");
    CHECK(derive({{"xpath", "//p[@class='x']"}}, page, "xml") == "one");
    CHECK(derive({{"xpath", "//p[2]"}}, page, "xml") == "two");
    CHECK(derive({{"xpath", "//missing"}}, page, "xml").empty());
    CHECK_THAT(derive({{"xpath", "//["}}, page, "xml"), Catch::StartsWith("error: xpath: "));
    const auto broken = write_file(dir.path, "broken.xml", "<html><p>unclosed</html>");
    CHECK_THAT(derive({{"xpath", "//p"}}, broken, "xml"), Catch::StartsWith("error: broken.xml: not XML: "));
}

TEST_CASE("derive capture: a group of the field before aggregation (logs), of the value (documents)", "[derive]") {
    testing::TempDir dir;
    const auto log = write_file(dir.path, "access.log", kAccessLog);
    // Logs: the part of each line's field; a line the pattern does not match is left out.
    CHECK(derive({{"compute", "top:path"}, {"capture", "^/(?P<dir>[^/]+)/"}}, log, "combined") == "about");
    CHECK(derive({{"compute", "distinct:path"}, {"capture", R"(\.(php|bak)$)"}}, log, "combined") == "php\nbak");
    CHECK(derive({{"compute", "top-count:agent"}, {"capture", "^([a-z-]+)/"}}, log, "combined") == "3");
    CHECK(derive({{"compute", "sum:bytes"}, {"capture", "^(..)"}}, log, "combined") == "165");  // 43+48+43+12+19: "-" has no two characters
    CHECK(derive({{"compute", "first:ip"}, {"capture", "^(203)\\."}}, log, "combined") == "203");
    CHECK(derive({{"compute", "count"}, {"capture", "(x)"}}, log, "combined") ==
          "error: capture: needs a compute with a field (top:FIELD, distinct:FIELD ...), not count");
    CHECK(derive({{"compute", "top:path"}, {"capture", "^/(nothing)/"}}, log, "combined") == "error: no line matches the filter");
    CHECK_THAT(derive({{"compute", "top:path"}, {"capture", "("}}, log, "combined"), Catch::StartsWith("error: capture: bad regular expression"));
    // Documents: the final value; no match is an error naming the pattern and the value.
    const auto config = write_file(dir.path, "config.json", R"({"url": "https://cdn.example.org:8443/assets/app.js"})");
    CHECK(derive({{"pointer", "/url"}, {"capture", "^https?://(?P<host>[^/:]+)"}}, config, "json") == "cdn.example.org");
    CHECK(derive({{"pointer", "/url"}, {"capture", ":([0-9]+)/"}}, config, "json") == "8443");
    CHECK(derive({{"pointer", "/url"}, {"capture", "^ftp://(.*)"}}, config, "json") ==
          "error: capture: '^ftp://(.*)' does not match the value 'https://cdn.example.org:8443/assets/app.js'");
    const auto page = write_file(dir.path, "index.html", "<html><head><meta name=\"generator\" content=\"WordPress 6.4.3\"/></head></html>");
    CHECK(derive({{"xpath", "//meta[@name='generator']/@content"}, {"capture", "([0-9.]+)$"}}, page, "xml") == "6.4.3");
}

TEST_CASE("derive reads compressed evidence by its bytes, logs and documents alike", "[derive]") {
    testing::TempDir dir;
    const auto plain = write_file(dir.path, "plain.log", kAccessLog);
    for (auto compression : {Compression::gzip, Compression::zstd, Compression::bzip2}) {
        INFO(compression_name(compression));
        std::ostringstream bytes;
        {
            CompressingBuffer buffer(bytes, compression);
            std::ostream out(&buffer);
            out << kAccessLog;
            REQUIRE(buffer.finish());
        }
        const auto log = write_file(dir.path, "access.log.1", bytes.str());  // a rotated name: no .gz
        CHECK(derive({{"compute", "count"}}, log, "combined") == derive({{"compute", "count"}}, plain, "combined"));
        CHECK(derive({{"compute", "top:ip"}}, log, "combined") == "203.0.113.9");
        CHECK(detect_format(log) == "combined");
        std::ostringstream document;
        {
            CompressingBuffer buffer(document, compression);
            std::ostream out(&buffer);
            out << R"({"api": {"key": "sk-123"}})";
            REQUIRE(buffer.finish());
        }
        const auto config = write_file(dir.path, "config.json.gz", document.str());
        CHECK(detect_format(config) == "json");
        CHECK(derive({{"pointer", "/api/key"}}, config, "json") == "sk-123");
    }
    const auto cut = write_file(dir.path, "cut.log", std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\x4b\x4c", 12));
    CHECK(derive({{"compute", "count"}}, cut, "combined") == "error: cut.log: truncated gzip data: the file ends inside the compressed stream");
}

TEST_CASE("derive zone records: $ORIGIN, @, relative names, parentheses", "[derive]") {
    testing::TempDir dir;
    const auto zone = write_file(dir.path, "example.test.zone",
        "$TTL 3600\n"
        "$ORIGIN example.test.\n"
        "@   IN SOA ns1.example.test. hostmaster.example.test. (\n"
        "        2024031401 ; serial (the date)\n"
        "        7200       ; refresh\n"
        "        900 1209600 300 )\n"
        "@       IN NS  ns1.example.test.\n"
        "@       IN MX  10 mail.example.test.\n"
        "www     IN A   192.0.2.10\n"
        "        IN A   192.0.2.11\n"
        "www 300 IN A   192.0.2.12\n"
        "mail    IN A   198.51.100.5 ; the mail server\n"
        "ftp.example.test. IN CNAME www.example.test.\n"
        "WWW\tIN\tAAAA\t2001:db8::10\n"
        "$ORIGIN sub.example.test.\n"
        "api     IN A   203.0.113.40\n"
        "@       IN TXT \"v=spf1 -all\"\n");
    CHECK(derive({{"record", "www.example.test"}, {"type", "A"}}, zone, "zone") == "192.0.2.10\n192.0.2.11\n192.0.2.12");
    CHECK(derive({{"record", "www.example.test."}}, zone, "zone") == "192.0.2.10\n192.0.2.11\n192.0.2.12");
    CHECK(derive({{"record", "www.example.test."}, {"type", "AAAA"}}, zone, "zone") == "2001:db8::10");
    CHECK(derive({{"record", "example.test."}, {"type", "SOA"}}, zone, "zone") ==
          "ns1.example.test. hostmaster.example.test. 2024031401 7200 900 1209600 300");
    CHECK(derive({{"record", "example.test"}, {"type", "MX"}}, zone, "zone") == "10 mail.example.test.");
    CHECK(derive({{"record", "example.test"}, {"type", "NS"}}, zone, "zone") == "ns1.example.test.");
    CHECK(derive({{"record", "Mail.Example.Test"}}, zone, "zone") == "198.51.100.5");
    CHECK(derive({{"record", "ftp.example.test"}, {"type", "CNAME"}}, zone, "zone") == "www.example.test.");
    CHECK(derive({{"record", "api.sub.example.test."}}, zone, "zone") == "203.0.113.40");
    CHECK(derive({{"record", "sub.example.test"}, {"type", "TXT"}}, zone, "zone") == "v=spf1 -all");
    CHECK(derive({{"record", "api.example.test"}}, zone, "zone") == "error: no A record for api.example.test. in example.test.zone");
    CHECK(derive({{"record", "www.example.test"}, {"type", "MX"}}, zone, "zone") ==
          "error: no MX record for www.example.test. in example.test.zone");
}

TEST_CASE("derive zone records: a line break inside parentheses separates words", "[derive]") {
    // RFC 1035 5.1: within parentheses a line end is not recognised, it separates like a space;
    // the continuation line need not be indented.
    testing::TempDir dir;
    const auto zone = write_file(dir.path, "flat.zone",
        "$ORIGIN example.test.\n"
        "@ IN SOA ns1.example.test. hostmaster.example.test. ( 2024031401 7200\n"
        "900 1209600 300 )\n");
    CHECK(derive({{"record", "example.test."}, {"type", "SOA"}}, zone, "zone") ==
          "ns1.example.test. hostmaster.example.test. 2024031401 7200 900 1209600 300");
}

// Regression: the zone data behind derive: was read by a hand-written parser that cut a quoted TXT
// value at its ';' (a comment outside quotes) and missed records written with a TTL unit or a
// lower-case class and type, while the DNS service served the same file right. Both read it with
// ldns now (services/zone.hpp).
TEST_CASE("derive zone records: quoted TXT with ';', TTL units, lower-case class and type", "[derive][zone]") {
    testing::TempDir dir;
    const auto zone = write_file(dir.path, "example.test.zone",
        "$ORIGIN example.test.\n"
        "@ 3600 IN SOA ns1 hostmaster 1 7200 900 1209600 300\n"
        "_dmarc TXT \"v=DMARC1; p=reject\" ; the policy\n"
        "www 1h IN A 192.0.2.1\n"
        "mail in a 192.0.2.2\n"
        "@ 1d in mx 10 mail\n"
        "long IN TXT \"v=spf1 ip4:192.0.2.0/24 \" \"-all\"\n"
        "quote IN TXT \"say \\\"hi\\\"\"\n");
    CHECK(derive({{"record", "_dmarc.example.test"}, {"type", "TXT"}}, zone, "zone") == "v=DMARC1; p=reject");
    CHECK(derive({{"record", "www.example.test"}}, zone, "zone") == "192.0.2.1");
    CHECK(derive({{"record", "mail.example.test"}, {"type", "a"}}, zone, "zone") == "192.0.2.2");
    CHECK(derive({{"record", "example.test"}, {"type", "MX"}}, zone, "zone") == "10 mail.example.test.");
    // A value split in several strings is one value (RFC 7208 3.3).
    CHECK(derive({{"record", "long.example.test"}, {"type", "TXT"}}, zone, "zone") == "v=spf1 ip4:192.0.2.0/24 -all");
    CHECK(derive({{"record", "quote.example.test"}, {"type", "TXT"}}, zone, "zone") == "say \"hi\"");
    CHECK(derive({{"record", "www.example.test"}, {"type", "NOPE"}}, zone, "zone") ==
          "error: type: 'NOPE' is not a DNS record type (A, AAAA, MX, TXT ...)");
}

TEST_CASE("derive zone records: the errors of the DNS service's reader, naming the file and line", "[derive][zone]") {
    testing::TempDir dir;
    const auto no_soa = write_file(dir.path, "bare.zone", "$ORIGIN example.test.\nwww IN A 192.0.2.1\n");
    CHECK_THAT(derive({{"record", "www.example.test"}}, no_soa, "zone"), Catch::StartsWith("error: bare.zone:1: no SOA record"));
    const auto broken = write_file(dir.path, "broken.zone",
        "$ORIGIN example.test.\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 300\nwww IN A 300.1.2.3\n");
    CHECK_THAT(derive({{"record", "www.example.test"}}, broken, "zone"), Catch::StartsWith("error: broken.zone:3: "));
    const auto include = write_file(dir.path, "include.zone",
        "$ORIGIN example.test.\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 300\n$INCLUDE /etc/passwd\n");
    CHECK(derive({{"record", "www.example.test"}}, include, "zone") ==
          "error: include.zone:3: $INCLUDE is not supported: put the records in this file");
}

TEST_CASE("render_json_templates fills every string and names the path of an error", "[derive]") {
    const ParamValues values{{"attacker", "203.0.113.9"}, {"n", "3"}};
    const json document{{"filter", {{"ip", "{{attacker}}"}, {"status", "200"}}},
                        {"list", {"{{n}}x", 3, true, nullptr}},
                        {"compute", "count"}};
    auto rendered = render_json_templates(document, values);
    REQUIRE(rendered);
    CHECK(*rendered == json{{"filter", {{"ip", "203.0.113.9"}, {"status", "200"}}},
                            {"list", {"3x", 3, true, nullptr}},
                            {"compute", "count"}});
    CHECK((*rendered)["list"][0] == "3x");
    CHECK((*rendered)["list"][1] == 3);

    auto text = render_json_templates(json("from {{ attacker }} ({{n}})"), values);
    REQUIRE(text);
    CHECK(*text == json("from 203.0.113.9 (3)"));
    auto number = render_json_templates(json(5), values);
    REQUIRE(number);
    CHECK(*number == json(5));

    auto unknown = render_json_templates(json{{"outer", {{"inner", "{{atacker}}"}}}}, values);
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error() == "outer: inner: unknown param 'atacker' (did you mean 'attacker'?)");
    auto in_list = render_json_templates(json{{"list", {"ok", "{{atacker}}"}}}, values);
    REQUIRE_FALSE(in_list);
    CHECK(in_list.error() == "list: []: unknown param 'atacker' (did you mean 'attacker'?)");
}
