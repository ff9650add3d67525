#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "infuse/evidence/evidence.hpp"

using namespace infuse;

namespace {

constexpr std::int64_t kThursday = 1710381873;  // 2024-03-14T03:04:33+01:00

// Parses `line` and returns its fields by name; an empty map when the line does not parse.
std::map<std::string, std::string> fields_of(const LogFormat& format, std::string_view line) {
    std::vector<std::string_view> values;
    std::map<std::string, std::string> named;
    if (!format.parse(line, values)) return named;
    const auto names = format.fields();
    REQUIRE(values.size() == names.size());
    for (std::size_t i = 0; i < names.size(); ++i) named[std::string(names[i])] = std::string(values[i]);
    return named;
}

bool parses(const LogFormat& format, std::string_view line) {
    std::vector<std::string_view> values;
    return format.parse(line, values);
}

}  // namespace

TEST_CASE("log formats are made by name and list their fields", "[evidence]") {
    auto combined = make_log_format("combined");
    auto error = make_log_format("error");
    auto auth = make_log_format("auth");
    REQUIRE(combined);
    REQUIRE(error);
    REQUIRE(auth);
    CHECK_FALSE(make_log_format("nginx"));
    CHECK(combined->name() == "combined");
    CHECK(error->name() == "error");
    CHECK(auth->name() == "auth");
    CHECK(combined->fields().size() == 20u);
    CHECK(error->fields().size() == 17u);
    CHECK(auth->fields().size() == 16u);
    CHECK(combined->field_index("ip") == 0u);
    CHECK(combined->field_index("hour") == 13u);
    CHECK(error->field_index("path") == 7u);
    CHECK(auth->field_index("method") == 9u);
    CHECK_FALSE(combined->field_index("client"));
}

TEST_CASE("combined lines split into their fields", "[evidence]") {
    auto format = make_log_format("combined");
    const std::string line =
        "203.0.113.9 - - [14/Mar/2024:03:04:33 +0100] \"POST /wp-login.php HTTP/1.1\" 200 4321 "
        "\"https://www.civicvoice.example/wp-login.php\" \"python-requests/2.31.0\"";
    auto f = fields_of(*format, line);
    REQUIRE_FALSE(f.empty());
    CHECK(f["ip"] == "203.0.113.9");
    CHECK(f["ident"] == "-");
    CHECK(f["user"] == "-");
    CHECK(f["time"] == "14/Mar/2024:03:04:33 +0100");
    CHECK(f["method"] == "POST");
    CHECK(f["path"] == "/wp-login.php");
    CHECK(f["protocol"] == "HTTP/1.1");
    CHECK(f["status"] == "200");
    CHECK(f["bytes"] == "4321");
    CHECK(f["referrer"] == "https://www.civicvoice.example/wp-login.php");
    CHECK(f["agent"] == "python-requests/2.31.0");
    CHECK(f["request"] == "POST /wp-login.php HTTP/1.1");
    CHECK(f["date"] == "14/Mar/2024");
    CHECK(f["hour"] == "14/Mar/2024:03");
    CHECK(f["minute"] == "14/Mar/2024:03:04");

    std::vector<std::string_view> values;
    REQUIRE(format->parse(line, values));
    auto time = format->time(values);
    REQUIRE(time);
    CHECK(time->epoch == kThursday);
    CHECK(time->offset_minutes == 60);
}

TEST_CASE("combined lines with escaped quotes, raw requests and no referrer", "[evidence]") {
    auto format = make_log_format("combined");

    auto quoted = fields_of(*format, R"L(192.0.2.7 - alice [14/Mar/2024:03:05:00 +0100] "GET /search/?q=\"x\" HTTP/1.1" 404 196 "-" "Mozilla/5.0 (\"quoted\")")L");
    REQUIRE_FALSE(quoted.empty());
    CHECK(quoted["user"] == "alice");
    CHECK(quoted["method"] == "GET");
    CHECK(quoted["path"] == R"(/search/?q=\"x\")");
    CHECK(quoted["protocol"] == "HTTP/1.1");
    CHECK(quoted["status"] == "404");
    CHECK(quoted["referrer"] == "-");
    CHECK(quoted["agent"] == R"L(Mozilla/5.0 (\"quoted\"))L");

    // A TLS handshake sent to the plain-text port: Apache logs the raw bytes, \x-escaped.
    auto raw = fields_of(*format, R"(198.51.100.3 - - [14/Mar/2024:03:06:00 +0100] "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" 400 226 "-" "-")");
    REQUIRE_FALSE(raw.empty());
    CHECK(raw["method"].empty());
    CHECK(raw["protocol"].empty());
    CHECK(raw["path"] == R"(\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03)");
    CHECK(raw["request"] == R"(\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03)");
    CHECK(raw["status"] == "400");
    CHECK(raw["bytes"] == "226");
    CHECK(raw["agent"] == "-");

    // Common log format: no referrer and no agent.
    auto common = fields_of(*format, R"(192.0.2.8 - - [01/Jan/2024:00:00:00 -0500] "GET /feed/ HTTP/1.0" 304 -)");
    REQUIRE_FALSE(common.empty());
    CHECK(common["path"] == "/feed/");
    CHECK(common["protocol"] == "HTTP/1.0");
    CHECK(common["status"] == "304");
    CHECK(common["bytes"] == "-");
    CHECK(common["referrer"].empty());
    CHECK(common["agent"].empty());
    CHECK(common["date"] == "01/Jan/2024");
    CHECK(common["hour"] == "01/Jan/2024:00");
    std::vector<std::string_view> values;
    REQUIRE(format->parse(R"(192.0.2.8 - - [01/Jan/2024:00:00:00 -0500] "GET /feed/ HTTP/1.0" 304 -)", values));
    auto time = format->time(values);
    REQUIRE(time);
    CHECK(time->epoch == 19723LL * 86400 + 5 * 3600);
    CHECK(time->offset_minutes == -300);
}

TEST_CASE("combined rejects lines that are not combined", "[evidence]") {
    auto format = make_log_format("combined");
    CHECK(parses(*format, R"(192.0.2.8 - - [14/Mar/2024:03:07:00 +0100] "GET / HTTP/1.1" 200 1 "-" "-")"));
    CHECK_FALSE(parses(*format, ""));
    CHECK_FALSE(parses(*format, R"(192.0.2.8 - - 14/Mar/2024:03:07:00 +0100 "GET / HTTP/1.1" 200 1 "-" "-")"));
    CHECK_FALSE(parses(*format, R"(192.0.2.8 - - [14/Mar/2024:03:07:00] "GET / HTTP/1.1" 200 1 "-" "-")"));
    CHECK_FALSE(parses(*format, R"(192.0.2.8 - - [14/Mar/2024:03:07:00 +0100] "GET / HTTP/1.1 200 1)"));
    CHECK_FALSE(parses(*format, R"(192.0.2.8 - - [14/Mar/2024:03:07:00 +0100] GET / HTTP/1.1 200 1)"));
    CHECK_FALSE(parses(*format, R"(192.0.2.8 - - [14/Mar/2024:03:07:00 +0100] "GET / HTTP/1.1" 2000 1 "-" "-")"));
    CHECK_FALSE(parses(*format, R"(192.0.2.8 - - [14/Mar/2024:03:07:00 +0100] "GET / HTTP/1.1" 200)"));
    CHECK_FALSE(parses(*format, R"(192.0.2.8 - - [14/Mar/2024:03:07:00 +0100] "GET / HTTP/1.1" 200 1 "-")"));
    CHECK_FALSE(parses(*format, R"(192.0.2.8 - - [14/Mar/2024:03:07:00 +0100] "GET / HTTP/1.1" 200 1 "-" "unterminated)"));
    CHECK_FALSE(parses(*format, "[Thu Mar 14 03:04:33.512204 2024] [core:error] [pid 1:tid 2] AH00052: x"));
    CHECK_FALSE(parses(*format, "Mar 14 03:04:33 web-1 sshd[2211]: Invalid user admin from 203.0.113.9 port 1"));
}

TEST_CASE("error lines with a client give its address, the AH code and the path", "[evidence]") {
    auto format = make_log_format("error", 2024, 60);
    const std::string denied =
        "[Thu Mar 14 03:04:33.512204 2024] [authz_core:error] [pid 2211:tid 140147] [client 203.0.113.9:51234] "
        "AH01630: client denied by server configuration: /var/www/html/.git/config";
    auto f = fields_of(*format, denied);
    REQUIRE_FALSE(f.empty());
    CHECK(f["time"] == "Thu Mar 14 03:04:33.512204 2024");
    CHECK(f["module"] == "authz_core");
    CHECK(f["level"] == "error");
    CHECK(f["pid"] == "2211");
    CHECK(f["client"] == "203.0.113.9");
    CHECK(f["code"] == "AH01630");
    CHECK(f["message"] == "AH01630: client denied by server configuration: /var/www/html/.git/config");
    CHECK(f["path"] == "/var/www/html/.git/config");
    std::vector<std::string_view> values;
    REQUIRE(format->parse(denied, values));
    auto time = format->time(values);
    REQUIRE(time);
    CHECK(time->epoch == kThursday);
    CHECK(time->offset_minutes == 60);

    auto missing = fields_of(*format, "[Thu Mar 14 03:04:40.000100 2024] [core:info] [pid 3001:tid 9] [client 192.0.2.7:40000] "
                                      "AH00128: File does not exist: /var/www/html/backup.zip");
    REQUIRE_FALSE(missing.empty());
    CHECK(missing["code"] == "AH00128");
    CHECK(missing["path"] == "/var/www/html/backup.zip");
    CHECK(missing["client"] == "192.0.2.7");

    auto php = fields_of(*format, "[Thu Mar 14 03:06:00.250000 2024] [php:error] [pid 3001:tid 1] [client 192.0.2.7:40000] "
                                  "PHP Fatal error:  Uncaught Error: Call to undefined function imagecreatefromstring() in "
                                  "/var/www/html/wp-content/plugins/gallery/upload.php:88");
    REQUIRE_FALSE(php.empty());
    CHECK(php["module"] == "php");
    CHECK(php["level"] == "error");
    CHECK(php["code"].empty());
    CHECK(php["path"] == "/var/www/html/wp-content/plugins/gallery/upload.php");

    auto warning = fields_of(*format, "[Thu Mar 14 03:07:00.000000 2024] [php:warn] [pid 4000:tid 1] [client 198.51.100.4:30001] "
                                      "PHP Warning:  Undefined array key \"lang\" in /var/www/html/wp-content/themes/civic/header.php "
                                      "on line 42, referer: https://www.example.org/");
    REQUIRE_FALSE(warning.empty());
    CHECK(warning["path"] == "/var/www/html/wp-content/themes/civic/header.php");
    CHECK(warning["client"] == "198.51.100.4");

    auto v6 = fields_of(*format, "[Thu Mar 14 03:08:00.000000 2024] [ssl:info] [pid 5:tid 6] [client 2001:db8::1:51234] "
                                 "AH01964: Connection to child 3 established (server www.example.org:443)");
    REQUIRE_FALSE(v6.empty());
    CHECK(v6["client"] == "2001:db8::1");
    CHECK(v6["code"] == "AH01964");
    CHECK(v6["path"].empty());
}

TEST_CASE("error lines without a client or a pid", "[evidence]") {
    auto format = make_log_format("error", 2024, 0);
    auto crash = fields_of(*format, "[Thu Mar 14 03:05:00.000001 2024] [core:notice] [pid 812:tid 140000000000000] "
                                    "AH00052: child pid 4242 exit signal Segmentation fault (11)");
    REQUIRE_FALSE(crash.empty());
    CHECK(crash["client"].empty());
    CHECK(crash["pid"] == "812");
    CHECK(crash["code"] == "AH00052");
    CHECK(crash["message"] == "AH00052: child pid 4242 exit signal Segmentation fault (11)");
    CHECK(crash["path"].empty());

    auto start = fields_of(*format, "[Wed Mar 13 23:59:59.999999 2024] [mpm_event:notice] AH00489: Apache/2.4.58 (Debian) "
                                    "configured -- resuming normal operations");
    REQUIRE_FALSE(start.empty());
    CHECK(start["module"] == "mpm_event");
    CHECK(start["level"] == "notice");
    CHECK(start["pid"].empty());
    CHECK(start["client"].empty());
    CHECK(start["code"] == "AH00489");

    CHECK_FALSE(parses(*format, ""));
    CHECK_FALSE(parses(*format, "Thu Mar 14 03:04:33.512204 2024 [core:error] AH00052: x"));
    // Without microseconds (Apache 2.2, or 2.4's ErrorLogFormat with %t): read, its time too.
    CHECK(parses(*format, "[Thu Mar 14 03:04:33 2024] [core:error] [pid 1:tid 2] AH00052: x"));
    CHECK_FALSE(parses(*format, "[Thu Mar 14 03:04:33 2024 ] [core:error] AH00052: x"));
    CHECK_FALSE(parses(*format, "[Thu Mar 14 03:04:33.512204 2024] AH00052: no module"));
    CHECK_FALSE(parses(*format, "[Thu Mar 14 03:04:33.512204 2024] [core:error] [pid 1:tid 2"));
    CHECK_FALSE(parses(*format, "[Thu Mar 14 03:04:33.512204 2024] [core:error] [client 203.0.113.9:1"));
    CHECK_FALSE(parses(*format, R"(203.0.113.9 - - [14/Mar/2024:03:04:33 +0100] "GET / HTTP/1.1" 200 1 "-" "-")"));
}

TEST_CASE("auth lines: each sshd event is read with its user, address, port and method", "[evidence]") {
    auto format = make_log_format("auth", 2024, 60);

    auto failed = fields_of(*format, "Mar 14 03:04:33 web-1 sshd[2211]: Failed password for root from 203.0.113.9 port 51234 ssh2");
    REQUIRE_FALSE(failed.empty());
    CHECK(failed["time"] == "Mar 14 03:04:33");
    CHECK(failed["host"] == "web-1");
    CHECK(failed["program"] == "sshd");
    CHECK(failed["pid"] == "2211");
    CHECK(failed["message"] == "Failed password for root from 203.0.113.9 port 51234 ssh2");
    CHECK(failed["event"] == "failed-password");
    CHECK(failed["user"] == "root");
    CHECK(failed["ip"] == "203.0.113.9");
    CHECK(failed["port"] == "51234");
    CHECK(failed["method"] == "password");

    auto invalid_failed = fields_of(*format, "Mar 14 03:04:34 web-1 sshd[2212]: Failed password for invalid user admin from 203.0.113.9 port 51235 ssh2");
    CHECK(invalid_failed["event"] == "failed-password");
    CHECK(invalid_failed["user"] == "admin");
    CHECK(invalid_failed["ip"] == "203.0.113.9");
    CHECK(invalid_failed["port"] == "51235");
    CHECK(invalid_failed["method"] == "password");

    auto accepted = fields_of(*format, "Mar  4 03:04:35 web-1 sshd[2213]: Accepted password for deploy from 198.51.100.20 port 40000 ssh2");
    CHECK(accepted["event"] == "accepted");
    CHECK(accepted["user"] == "deploy");
    CHECK(accepted["ip"] == "198.51.100.20");
    CHECK(accepted["port"] == "40000");
    CHECK(accepted["method"] == "password");

    auto key = fields_of(*format, "Mar 14 03:04:36 web-1 sshd[2214]: Accepted publickey for deploy from 198.51.100.20 port 40001 ssh2: "
                                  "ED25519 SHA256:pQ3xv0Lq4mZ1cT8yJwXbR2nF6sKdE9hUaG7oVtY5iBc");
    CHECK(key["event"] == "accepted");
    CHECK(key["user"] == "deploy");
    CHECK(key["port"] == "40001");
    CHECK(key["method"] == "publickey");

    auto invalid = fields_of(*format, "Mar 14 03:04:37 web-1 sshd[2215]: Invalid user oracle from 203.0.113.9 port 51236");
    CHECK(invalid["event"] == "invalid-user");
    CHECK(invalid["user"] == "oracle");
    CHECK(invalid["ip"] == "203.0.113.9");
    CHECK(invalid["port"] == "51236");
    CHECK(invalid["method"].empty());

    auto closed_invalid = fields_of(*format, "Mar 14 03:04:38 web-1 sshd[2215]: Connection closed by invalid user oracle 203.0.113.9 port 51236 [preauth]");
    CHECK(closed_invalid["event"] == "closed-preauth");
    CHECK(closed_invalid["user"] == "oracle");
    CHECK(closed_invalid["ip"] == "203.0.113.9");
    CHECK(closed_invalid["port"] == "51236");

    auto closed_valid = fields_of(*format, "Mar 14 03:04:39 web-1 sshd[2216]: Connection closed by authenticating user root 203.0.113.9 port 51237 [preauth]");
    CHECK(closed_valid["event"] == "closed-preauth");
    CHECK(closed_valid["user"] == "root");
    CHECK(closed_valid["ip"] == "203.0.113.9");
    CHECK(closed_valid["port"] == "51237");

    // A client that leaves before naming a user (a port scanner reading the banner).
    auto closed_anonymous = fields_of(*format, "Mar 14 03:04:39 web-1 sshd[2217]: Connection closed by 198.51.100.66 port 51238 [preauth]");
    CHECK(closed_anonymous["event"] == "closed-preauth");
    CHECK(closed_anonymous["user"].empty());
    CHECK(closed_anonymous["ip"] == "198.51.100.66");
    CHECK(closed_anonymous["port"] == "51238");
    auto banner = fields_of(*format, "Mar 14 03:04:39 web-1 sshd[2218]: banner exchange: Connection from 198.51.100.66 port 51239: invalid format");
    CHECK(banner["event"] == "banner-exchange");
    CHECK(banner["user"].empty());
    CHECK(banner["ip"] == "198.51.100.66");
    CHECK(banner["port"] == "51239");

    auto disconnected = fields_of(*format, "Mar 14 03:04:40 web-1 sshd[2214]: Disconnected from user deploy 198.51.100.20 port 40001");
    CHECK(disconnected["event"] == "disconnected");
    CHECK(disconnected["user"] == "deploy");
    CHECK(disconnected["ip"] == "198.51.100.20");
    CHECK(disconnected["port"] == "40001");

    auto opened = fields_of(*format, "Mar 14 03:04:41 web-1 sshd[2214]: pam_unix(sshd:session): session opened for user deploy(uid=1000) by (uid=0)");
    CHECK(opened["event"] == "session-opened");
    CHECK(opened["ip"].empty());
    auto closed = fields_of(*format, "Mar 14 03:04:42 web-1 sshd[2214]: pam_unix(sshd:session): session closed for user deploy");
    CHECK(closed["event"] == "session-closed");

    // Other programs: no sshd fields; sudo writes no pid.
    auto cron = fields_of(*format, "Mar 14 03:05:01 web-1 CRON[999]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)");
    REQUIRE_FALSE(cron.empty());
    CHECK(cron["program"] == "CRON");
    CHECK(cron["pid"] == "999");
    CHECK(cron["event"].empty());
    CHECK(cron["user"].empty());
    auto sudo = fields_of(*format, "Mar 14 03:06:00 web-1 sudo:   deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/usr/bin/apt-get update");
    REQUIRE_FALSE(sudo.empty());
    CHECK(sudo["program"] == "sudo");
    CHECK(sudo["pid"].empty());
    CHECK(sudo["message"] == "  deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/usr/bin/apt-get update");

    std::vector<std::string_view> values;
    REQUIRE(format->parse("Mar 14 03:04:33 web-1 sshd[2211]: Failed password for root from 203.0.113.9 port 51234 ssh2", values));
    auto time = format->time(values);
    REQUIRE(time);
    CHECK(time->epoch == kThursday);
    CHECK(time->offset_minutes == 60);
}

TEST_CASE("auth session lines give the whole user name", "[evidence]") {
    // "pam_unix(sshd:session): session opened for user " is 48 characters long.
    auto format = make_log_format("auth");
    auto opened = fields_of(*format, "Mar 14 03:04:41 web-1 sshd[2214]: pam_unix(sshd:session): session opened for user deploy(uid=1000) by (uid=0)");
    CHECK(opened["event"] == "session-opened");
    CHECK(opened["user"] == "deploy");
    auto closed = fields_of(*format, "Mar 14 03:04:42 web-1 sshd[2214]: pam_unix(sshd:session): session closed for user deploy");
    CHECK(closed["event"] == "session-closed");
    CHECK(closed["user"] == "deploy");
}

TEST_CASE("auth rejects lines that are not syslog lines", "[evidence]") {
    auto format = make_log_format("auth");
    CHECK_FALSE(parses(*format, ""));
    CHECK_FALSE(parses(*format, "Mar 14 03:04:33"));
    CHECK_FALSE(parses(*format, "Mar 14 03:04:33web-1 sshd[1]: x"));
    CHECK_FALSE(parses(*format, "Mar 14 03:04:33 web-1 sshd[1] no colon and space"));
    CHECK_FALSE(parses(*format, "Mar 14 03:04:33  sshd[1]: empty host"));
}

TEST_CASE("auth rejects a line whose first fifteen characters are not a syslog time", "[evidence]") {
    // A combined line whose agent holds ": " is not an auth.log line; the parser checks only that
    // character 15 is a space, so the line is read with time "203.0.113.9 - -".
    auto format = make_log_format("auth");
    CHECK_FALSE(parses(*format, R"(203.0.113.9 - - [14/Mar/2024:03:04:33 +0100] "GET / HTTP/1.1" 200 1 "-" "Bot: 1.0")"));
    CHECK_FALSE(parses(*format, "not a time at a host prog: message"));
}
