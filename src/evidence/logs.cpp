// Log formats (docs/evidence.md#log-formats): web access (combined, common, vhost, with a request
// time), error (Apache and nginx), syslog (RFC 3164 and its quirks, RFC 5424; sshd read further)
// and JSON lines.
#include <array>
#include <charconv>
#include <deque>

#include <fmt/format.h>

#include "infuse/common/limits.hpp"
#include "infuse/common/untrusted_json.hpp"

#include "infuse/evidence/evidence.hpp"

namespace infuse {

namespace {

using Values = std::vector<std::string_view>;

// The text up to the next space, or to the end.
std::string_view token(std::string_view& rest) {
    const auto space = rest.find(' ');
    std::string_view word = rest.substr(0, space);
    rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
    return word;
}

// A double-quoted field with backslash escapes; `rest` starts at the opening quote.
std::optional<std::string_view> quoted(std::string_view& rest) {
    if (rest.empty() || rest.front() != '"') return std::nullopt;
    for (std::size_t i = 1; i < rest.size(); ++i) {
        if (rest[i] == '\\') {
            ++i;
        } else if (rest[i] == '"') {
            std::string_view inside = rest.substr(1, i - 1);
            rest = rest.substr(std::min(rest.size(), i + 1));
            if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
            return inside;
        }
    }
    return std::nullopt;
}

bool is_number(std::string_view text) {
    if (text.empty()) return false;
    bool dot = false, digit = false;
    for (char c : text) {
        if (c == '.' && !dot) dot = true;
        else if (c >= '0' && c <= '9') digit = true;
        else return false;
    }
    return digit;
}

// Milliseconds from a request time: "0.123" ($request_time, seconds) or "123456" (%D, microseconds).
std::string duration_ms(std::string_view text) {
    const auto dot = text.find('.');
    std::uint64_t whole = 0;
    std::from_chars(text.data(), text.data() + (dot == std::string_view::npos ? text.size() : dot), whole);
    if (dot == std::string_view::npos) return std::to_string(whole / 1000);
    std::string fraction(text.substr(dot + 1, 3));
    fraction.resize(3, '0');
    return std::to_string(whole * 1000 + static_cast<std::uint64_t>(std::stoul(fraction)));
}

// "METHOD PATH PROTOCOL" into its parts ("METHOD /PATH" without a protocol too). Anything else (a TLS handshake sent to port 80,
// "\x16\x03\x01...", which holds spaces too; a bare "-") is all path, with no method or protocol:
// split at its spaces, it would count binary junk as methods.
void split_request(std::string_view request, std::string_view& method, std::string_view& path, std::string_view& protocol) {
    const auto first = request.find(' ');
    const auto last = request.rfind(' ');
    const bool shaped = first != std::string_view::npos && last != first && first > 0 &&
                        request.substr(0, first).find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ_-") == std::string_view::npos &&
                        request.substr(last + 1).starts_with("HTTP/");
    if (!shaped) {
        // "GET /x" with no protocol (HTTP/0.9's form, which exploit scanners still send): method and path.
        const std::string_view verb = request.substr(0, first);
        if (first != std::string_view::npos && first == last && first > 0 && request.size() > first + 1 && request[first + 1] == '/' &&
            verb.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ_-") == std::string_view::npos) {
            method = verb;
            path = request.substr(first + 1);
            return;
        }
        path = request;
        return;
    }
    method = request.substr(0, first);
    path = request.substr(first + 1, last - first - 1);
    protocol = request.substr(last + 1);
}

// Access logs: "%h %l %u %t \"%r\" %>s %b" (common), then "\"%{Referer}i\" \"%{User-agent}i\""
// (combined), optionally after "%v:%p " (vhost_combined) and before more fields: a quoted
// X-Forwarded-For, and a request time as the last word ($request_time or %D).
class Combined : public LogFormat {
public:
    std::string_view name() const override { return "combined"; }
    std::span<const std::string_view> fields() const override { return kFields; }
    bool parse(std::string_view line, Values& v) const override {
        v.assign(kFields.size(), {});
        std::string_view rest = line;
        std::array<std::string_view, 4> words{};
        std::size_t count = 0;
        while (!rest.empty() && rest.front() != '[' && count < words.size()) words[count++] = token(rest);
        if (count == 4) {  // %v:%p first
            const auto colon = words[0].rfind(':');
            v[15] = words[0].substr(0, colon);
            if (colon != std::string_view::npos) v[16] = words[0].substr(colon + 1);
            words = {words[1], words[2], words[3], {}};
        } else if (count != 3) {
            return false;
        }
        v[0] = words[0];
        v[1] = words[1];
        v[2] = words[2];
        if (v[0].empty() || rest.size() < 28 || rest.front() != '[' || rest[27] != ']') return false;
        v[3] = rest.substr(1, 26);
        rest.remove_prefix(rest.size() > 28 && rest[28] == ' ' ? 29 : 28);
        auto request = quoted(rest);
        if (!request) return false;
        v[11] = *request;
        split_request(*request, v[4], v[5], v[6]);
        v[7] = token(rest);
        v[8] = token(rest);
        if (v[7].size() != 3 || v[8].empty()) return false;
        if (!rest.empty() && rest.front() == '"') {  // common log format stops before
            auto referrer = quoted(rest);
            auto agent = quoted(rest);
            if (!referrer || !agent) return false;
            v[9] = *referrer;
            v[10] = *agent;
            if (!rest.empty() && rest.front() == '"') {
                if (auto forwarded = quoted(rest)) v[17] = *forwarded;
            }
        }
        while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) rest.remove_suffix(1);
        if (!rest.empty()) {  // the request time, the last word: seconds with a dot, or microseconds
            const auto space = rest.find_last_of(' ');
            const std::string_view last_word = space == std::string_view::npos ? rest : rest.substr(space + 1);
            if (is_number(last_word) && last_word.size() < 16) {
                v[18] = last_word;
                scratch_ = duration_ms(last_word);
                v[19] = scratch_;
            }
        }
        v[12] = v[3].substr(0, 11);
        v[13] = v[3].substr(0, 14);
        v[14] = v[3].substr(0, 17);
        return true;
    }
    std::optional<LocalTime> time(const Values& v) const override { return parse_clf(v[3]); }

private:
    mutable std::string scratch_;  // duration_ms of the last line parsed
    static constexpr std::array<std::string_view, 20> kFields{
        "ip",     "ident", "user", "time",  "method", "path",   "protocol", "status",    "bytes",        "referrer",
        "agent",  "request", "date", "hour", "minute", "vhost", "port",     "forwarded", "request_time", "duration_ms"};
};

// The nginx error log's "key: value" pairs after the message, quoted or not.
void read_nginx_pairs(std::string_view rest, Values& v) {
    while (!rest.empty()) {
        const auto colon = rest.find(": ");
        if (colon == std::string_view::npos) return;
        const std::string_view key = rest.substr(0, colon);
        rest.remove_prefix(colon + 2);
        std::string_view value;
        if (!rest.empty() && rest.front() == '"') {
            auto inside = quoted(rest);
            if (!inside) return;
            value = *inside;
            if (rest.starts_with(", ")) rest.remove_prefix(2);
            else if (rest.starts_with(",")) rest.remove_prefix(1);
        } else {
            const auto comma = rest.find(", ");
            value = rest.substr(0, comma);
            rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 2);
        }
        if (key == "client") v[4] = value;
        else if (key == "server") v[10] = value;
        else if (key == "request") v[11] = value;
        else if (key == "upstream") v[14] = value;
        else if (key == "host") v[13] = value;
        else if (key == "referrer") v[16] = value;
    }
}

// Apache: [Thu Mar 14 03:04:33.512204 2024] [module:level] [pid P:tid T] [client IP:PORT] message
// (2.2: [Thu Mar 14 03:04:33 2024] [level] [client IP] message).
// nginx: 2024/03/14 03:04:33 [level] PID#TID: *CONN message, client: IP, server: S, request: "R", ...
class ErrorLog : public LogFormat {
public:
    enum class Accept { both, nginx };
    ErrorLog(int offset_minutes, Accept accept) : offset_(offset_minutes), accept_(accept) {}
    std::string_view name() const override { return accept_ == Accept::nginx ? "nginx-error" : "error"; }
    std::span<const std::string_view> fields() const override { return kFields; }
    bool parse(std::string_view line, Values& v) const override {
        v.assign(kFields.size(), {});
        if (line.size() > 21 && line[4] == '/' && line[7] == '/' && line[10] == ' ' && line[19] == ' ' && line[20] == '[') {
            return parse_nginx(line, v);
        }
        return accept_ == Accept::both && parse_apache(line, v);
    }
    std::optional<LocalTime> time(const Values& v) const override {
        const std::string_view t = v[0];
        if (t.size() == 19 && t[4] == '/') {  // nginx: 2024/03/14 03:04:33, the server's local time
            std::string iso(t);
            iso[4] = iso[7] = '-';
            iso[10] = 'T';
            return parse_iso8601(iso + format_offset(offset_, true));
        }
        if (t.size() == 24) return parse_apache_error(fmt::format("{}.000000{}", t.substr(0, 19), t.substr(19)), offset_);
        return parse_apache_error(t, offset_);
    }

private:
    bool parse_nginx(std::string_view line, Values& v) const {
        v[0] = line.substr(0, 19);
        std::string_view rest = line.substr(21);
        const auto close = rest.find("] ");
        if (close == std::string_view::npos || close > 8) return false;
        v[2] = rest.substr(0, close);
        rest.remove_prefix(close + 2);
        const auto hash = rest.find('#');
        const auto colon = rest.find(": ");
        // "PID#TID: " always ("2024/03/14 03:04:33 [emerg] 1#1: ..."); a line cut short lacks it.
        if (hash == std::string_view::npos || colon == std::string_view::npos || hash > colon || hash == 0) return false;
        v[3] = rest.substr(0, hash);
        v[8] = rest.substr(hash + 1, colon - hash - 1);
        rest = rest.substr(colon + 2);
        if (!rest.empty() && rest.front() == '*') {
            v[9] = token(rest).substr(1);
        }
        const auto pairs = rest.find(", client: ");
        v[6] = rest.substr(0, pairs);
        if (pairs != std::string_view::npos) read_nginx_pairs(rest.substr(pairs + 2), v);
        if (!v[11].empty()) {
            std::string_view protocol;
            split_request(v[11], v[12], v[7], protocol);
        }
        // The file on disk the message names: open() "/usr/share/nginx/html/x" failed, "/x/index.html" is not found ...
        if (const auto at = v[6].find("\"/"); at != std::string_view::npos) {
            const std::string_view file = v[6].substr(at + 1);
            v[15] = file.substr(0, file.find('"'));
        }
        return true;
    }

    bool parse_apache(std::string_view line, Values& v) const {
        std::string_view rest = line;
        auto bracket = [&rest]() -> std::optional<std::string_view> {
            if (rest.empty() || rest.front() != '[') return std::nullopt;
            const auto close = rest.find(']');
            if (close == std::string_view::npos) return std::nullopt;
            std::string_view inside = rest.substr(1, close - 1);
            rest.remove_prefix(close + 1);
            if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
            return inside;
        };
        auto time = bracket();
        auto module = bracket();
        if (!time || !module || (time->size() != 31 && time->size() != 24) || !parse_apache_error_time(*time)) return false;
        v[0] = *time;
        const auto colon = module->find(':');
        if (colon == std::string_view::npos) {  // 2.2: [level]
            v[2] = *module;
        } else {
            v[1] = module->substr(0, colon);
            v[2] = module->substr(colon + 1);
        }
        if (rest.starts_with("[pid ")) {
            auto pid = bracket();
            if (!pid) return false;
            std::string_view ids = pid->substr(4);
            const auto tid = ids.find(":tid ");
            v[3] = ids.substr(0, tid);
            if (tid != std::string_view::npos) v[8] = ids.substr(tid + 5);
        }
        if (rest.starts_with("[client ") || rest.starts_with("[remote ")) {
            auto client = bracket();
            if (!client) return false;
            std::string_view address = client->substr(7);
            // Apache writes ADDRESS:PORT, an IPv6 address too ("2001:db8::1:51234").
            const auto port = address.rfind(':');
            v[4] = port == std::string_view::npos ? address : address.substr(0, port);
            if (v[4].size() > 2 && v[4].front() == '[' && v[4].back() == ']') v[4] = v[4].substr(1, v[4].size() - 2);
        }
        v[6] = rest;
        if (rest.size() > 8 && rest.starts_with("AH") && rest[7] == ':') v[5] = rest.substr(0, 7);
        // The file a message names: after ": /" (AH01630, AH00128), or " in /" (PHP).
        std::string_view path;
        if (auto at = rest.rfind(": /"); at != std::string_view::npos) path = rest.substr(at + 2);
        else if (auto in = rest.find(" in /"); in != std::string_view::npos) path = rest.substr(in + 4);
        if (!path.empty()) {
            const auto end = path.find_first_of(" :,");
            v[7] = path.substr(0, end);
            v[15] = v[7];
        }
        if (auto referer = rest.rfind(", referer: "); referer != std::string_view::npos) v[16] = rest.substr(referer + 11);
        return true;
    }

    static bool parse_apache_error_time(std::string_view t) {
        if (t.size() == 24) return parse_apache_error(fmt::format("{}.000000{}", t.substr(0, 19), t.substr(19)), 0).has_value();
        return parse_apache_error(t, 0).has_value();
    }

    int offset_;
    Accept accept_;
    static constexpr std::array<std::string_view, 17> kFields{"time",       "module", "level",   "pid",  "client",   "code",
                                                              "message",    "path",   "tid",     "connection", "server",
                                                              "request",    "method", "host",    "upstream", "file", "referrer"};
};

bool all_digits(std::string_view text) {
    return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

constexpr std::array<std::string_view, 8> kSeverities{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"};
constexpr std::array<std::string_view, 24> kFacilities{"kern",   "user",   "mail",   "daemon", "auth",   "syslog",
                                                       "lpr",    "news",   "uucp",   "cron",   "authpriv", "ftp",
                                                       "ntp",    "security", "console", "solaris-cron", "local0", "local1",
                                                       "local2", "local3", "local4", "local5", "local6", "local7"};

// Syslog, as files under /var/log hold it and as it travels:
//   RFC 3164: [<PRI>]Mar 14 03:04:33 host program[pid]: message, and its quirks: no host
//     ("Mar 14 03:04:33 sshd[5]: ..."), a year ("Mar 14 2024 03:04:33" or "Mar 14 03:04:33 2024"),
//     rsyslog's ISO time ("2024-03-14T03:04:33.123456+01:00 host ..."), no "program:" at all;
//   RFC 5424: <PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD...] message, "-" for a nil value.
// sshd messages are read further (event, user, ip, port, method). As `auth`, a line needs its
// "program[pid]: " (auth.log always writes one); as `syslog`, a line without is all message.
class Syslog : public LogFormat {
public:
    Syslog(std::string_view name, int year, int offset_minutes) : name_(name), year_(year), offset_(offset_minutes) {}
    std::string_view name() const override { return name_; }
    std::span<const std::string_view> fields() const override { return kFields; }
    bool parse(std::string_view line, Values& v) const override {
        v.assign(kFields.size(), {});
        std::string_view rest = line;
        if (rest.starts_with('<')) {
            const auto close = rest.find('>');
            if (close == std::string_view::npos || close < 2 || close > 4 || !all_digits(rest.substr(1, close - 1))) return false;
            v[10] = rest.substr(1, close - 1);
            unsigned priority = 0;
            std::from_chars(v[10].data(), v[10].data() + v[10].size(), priority);
            if (priority > 191) return false;
            v[11] = kFacilities[priority / 8];
            v[12] = kSeverities[priority % 8];
            rest.remove_prefix(close + 1);
            if (rest.size() > 2 && rest[0] >= '1' && rest[0] <= '9' && rest[1] == ' ') return parse_5424(rest, v);
        }
        // The time: classic (15), with a year (20), or ISO 8601.
        if (rest.size() >= 16 && rest[15] == ' ' && parse_syslog(rest.substr(0, 15), 2000, 0)) {  // 2000: a leap year
            std::size_t length = 15;
            if (rest.size() > 21 && all_digits(rest.substr(16, 4)) && rest[20] == ' ') length = 20;  // Mar 14 03:04:33 2024
            v[0] = rest.substr(0, length);
            rest.remove_prefix(length + 1);
        } else if (rest.size() >= 21 && rest[20] == ' ' && rest[6] == ' ' && all_digits(rest.substr(7, 4)) &&
                   parse_syslog(fmt::format("{} {}", rest.substr(0, 6), rest.substr(12, 8)), 2000, 0)) {  // Mar 14 2024 03:04:33
            v[0] = rest.substr(0, 20);
            rest.remove_prefix(21);
        } else {
            std::string_view stamp = token(rest);
            if (!parse_iso8601(stamp)) return false;
            v[0] = stamp;
        }
        // Then the host, unless the next word is already the program ("sshd[5]:", "kernel:").
        std::string_view first = rest.substr(0, rest.find(' '));
        if (first.empty()) return false;
        if (!first.ends_with(':') && !(first.find('[') != std::string_view::npos && first.ends_with("]:"))) v[1] = token(rest);
        const auto colon = rest.find(": ");
        std::string_view program = colon == std::string_view::npos ? std::string_view{} : rest.substr(0, colon);
        if (program.find(' ') != std::string_view::npos) program = {};  // "last message repeated 2 times": no program
        if (program.empty() && rest.ends_with(':') && rest.find(' ') == std::string_view::npos) program = rest.substr(0, rest.size() - 1);
        if (program.empty() && name_ == "auth") return false;  // auth.log: every line is "program[pid]: message"
        v[4] = program.empty() ? rest : rest.substr(std::min(rest.size(), colon + 2));
        set_program(program, v);
        return true;
    }
    std::optional<LocalTime> time(const Values& v) const override {
        const std::string_view t = v[0];
        if (t.size() == 15) return parse_syslog(t, year_, offset_);
        if (t.size() == 20 && t[15] == ' ') return parse_syslog(t.substr(0, 15), std::atoi(std::string(t.substr(16)).c_str()), offset_);
        if (t.size() == 20 && t[6] == ' ') {
            return parse_syslog(fmt::format("{} {}", t.substr(0, 6), t.substr(12)), std::atoi(std::string(t.substr(7, 4)).c_str()), offset_);
        }
        return parse_iso8601(t);
    }

private:
    static void set_program(std::string_view program, Values& v) {
        if (auto open = program.find('['); open != std::string_view::npos && program.back() == ']') {
            v[3] = program.substr(open + 1, program.size() - open - 2);
            program = program.substr(0, open);
        }
        v[2] = program;
        if (program == "sshd" || program == "sshd-session") read_sshd(v[4], v);
    }

    bool parse_5424(std::string_view rest, Values& v) const {
        v[15] = token(rest);  // version
        const std::string_view stamp = token(rest);
        if (stamp != "-" && !parse_iso8601(stamp)) return false;
        v[0] = stamp == "-" ? std::string_view{} : stamp;
        auto nil = [](std::string_view word) { return word == "-" ? std::string_view{} : word; };
        const std::string_view host = token(rest), app = token(rest), procid = token(rest), msgid = token(rest);
        if (host.empty() || app.empty() || procid.empty() || msgid.empty()) return false;
        v[1] = nil(host);
        v[2] = nil(app);
        v[3] = nil(procid);
        v[13] = nil(msgid);
        if (rest.starts_with('-')) {
            rest.remove_prefix(1);
        } else {
            // One or more [id key="value" ...]; inside a value, \" \\ and \] are escapes.
            const std::string_view all = rest;
            std::size_t i = 0;
            bool inside_value = false;
            while (i < rest.size() && rest[i] == '[') {
                for (++i; i < rest.size(); ++i) {
                    if (inside_value && rest[i] == '\\') ++i;
                    else if (rest[i] == '"') inside_value = !inside_value;
                    else if (!inside_value && rest[i] == ']') break;
                }
                if (i >= rest.size()) return false;
                ++i;
            }
            if (i == 0) return false;
            v[14] = all.substr(0, i);
            rest.remove_prefix(i);
        }
        if (!rest.empty() && rest.front() != ' ') return false;
        if (!rest.empty()) rest.remove_prefix(1);
        if (rest.starts_with("\xEF\xBB\xBF")) rest.remove_prefix(3);  // the BOM of a UTF-8 message
        v[4] = rest;
        if (v[2] == "sshd" || v[2] == "sshd-session") read_sshd(v[4], v);
        return true;
    }

    // event user ip port method, from the sshd messages the generators write (and OpenSSH does).
    static void read_sshd(std::string_view m, Values& v) {
        auto after = [](std::string_view text, std::string_view marker) -> std::string_view {
            const auto at = text.find(marker);
            if (at == std::string_view::npos) return {};
            std::string_view rest = text.substr(at + marker.size());
            return rest.substr(0, rest.find(' '));
        };
        auto set = [&](std::string_view event, std::string_view user_marker) {
            v[5] = event;
            v[6] = after(m, user_marker);
            v[7] = after(m, " from ");
            v[8] = after(m, " port ");
        };
        if (m.starts_with("Failed password for invalid user ")) set("failed-password", "invalid user "), v[9] = "password";
        else if (m.starts_with("Failed password for ")) set("failed-password", "Failed password for "), v[9] = "password";
        else if (m.starts_with("Accepted password for ")) set("accepted", "Accepted password for "), v[9] = "password";
        else if (m.starts_with("Accepted publickey for ")) set("accepted", "Accepted publickey for "), v[9] = "publickey";
        else if (m.starts_with("Invalid user ")) set("invalid-user", "Invalid user ");
        else if (m.starts_with("Connection closed by ") && m.ends_with("[preauth]")) {
            v[5] = "closed-preauth";
            std::string_view rest = m.substr(21);
            if (rest.starts_with("invalid user ")) rest.remove_prefix(13);
            else if (rest.starts_with("authenticating user ")) rest.remove_prefix(20);
            // "Connection closed by ADDRESS port N [preauth]": no user, the client left before one.
            const auto second = rest.find(' ');
            if (second == std::string_view::npos || !rest.substr(second + 1).starts_with("port ")) v[6] = token(rest);
            v[7] = token(rest);
            v[8] = after(m, " port ");
        } else if (m.starts_with("banner exchange: Connection from ")) {
            v[5] = "banner-exchange";
            v[7] = after(m, " from ");
            v[8] = after(m, " port ");
            if (!v[8].empty() && v[8].back() == ':') v[8].remove_suffix(1);
        } else if (m.starts_with("Disconnected from user ")) {
            v[5] = "disconnected";
            std::string_view rest = m.substr(23);
            v[6] = token(rest);
            v[7] = token(rest);
            v[8] = after(m, " port ");
        } else if (m.starts_with("pam_unix(sshd:session): session opened for user ")) {
            v[5] = "session-opened";
            std::string_view user = m.substr(48);
            v[6] = user.substr(0, user.find_first_of("( "));
        } else if (m.starts_with("pam_unix(sshd:session): session closed for user ")) {
            v[5] = "session-closed";
            v[6] = m.substr(48);
        }
    }

    std::string_view name_;
    int year_, offset_;
    static constexpr std::array<std::string_view, 16> kFields{"time", "host",     "program",  "pid",      "message", "event",
                                                              "user", "ip",       "port",     "method",   "priority", "facility",
                                                              "severity", "msgid", "sd", "version"};
};

// PHP's own error_log: [05-Oct-2020 12:57:17 UTC] PHP Fatal error:  Uncaught Error: ... in /x.php:88
// A fatal error's stack trace follows on lines of its own ("Stack trace:", "#0 /x.php(12): f()",
// "  thrown in /x.php on line 88"): those continue the entry above and are not entries.
class PhpError : public LogFormat {
public:
    explicit PhpError(int offset_minutes) : offset_(offset_minutes) {}
    std::string_view name() const override { return "php-error"; }
    std::span<const std::string_view> fields() const override { return kFields; }
    bool continues(std::string_view line) const override { return !line.starts_with('['); }
    bool parse(std::string_view line, Values& v) const override {
        v.assign(kFields.size(), {});
        // [DD-Mon-YYYY HH:MM:SS ZONE]; a time damaged in the file ("18:52:5%22", seen in real logs)
        // still makes an entry, as `grep -c '^\['` counts it: only its time is unreadable.
        if (line.size() < 24 || line[0] != '[' || line[3] != '-' || line[7] != '-' || line[12] != ' ') return false;
        const auto close = line.find("] ");
        if (close == std::string_view::npos || close < 22 || close > 64) return false;
        const std::string_view stamp = line.substr(1, close - 1);
        const auto zone = stamp.rfind(' ');
        if (zone == std::string_view::npos || zone < 11) return false;
        v[0] = stamp.substr(0, zone);
        v[1] = stamp.substr(zone + 1);
        std::string_view message = line.substr(close + 2);
        v[3] = message;
        if (message.starts_with("PHP ")) {
            const auto colon = message.find(':');
            if (colon != std::string_view::npos) v[2] = message.substr(4, colon - 4);
        }
        if (const auto in = message.rfind(" in /"); in != std::string_view::npos) {
            std::string_view file = message.substr(in + 4);
            if (const auto on = file.find(" on line "); on != std::string_view::npos) {
                v[5] = file.substr(on + 9);
                v[5] = v[5].substr(0, v[5].find_first_not_of("0123456789"));
                file = file.substr(0, on);
            } else if (const auto colon = file.rfind(':'); colon != std::string_view::npos) {
                v[5] = file.substr(colon + 1);
                v[5] = v[5].substr(0, v[5].find_first_not_of("0123456789"));
                file = file.substr(0, colon);
            }
            v[4] = file.substr(0, file.find(' '));
        }
        return true;
    }
    std::optional<LocalTime> time(const Values& v) const override {
        int offset = offset_;
        if (v[1] == "UTC" || v[1] == "GMT" || v[1] == "Z") offset = 0;
        return clf(v[0], offset);
    }

private:
    static std::optional<LocalTime> clf(std::string_view t, int offset) {
        // 05-Oct-2020 12:57:17 -> 05/Oct/2020:12:57:17 +0000
        if (t.size() != 20) return std::nullopt;
        std::string text(t);
        text[2] = text[6] = '/';
        text[11] = ':';
        return parse_clf(text + " " + format_offset(offset, false));
    }

    int offset_;
    static constexpr std::array<std::string_view, 6> kFields{"time", "zone", "level", "message", "file", "line"};
};

// One JSON object per line (nginx's escape=json, Caddy, Traefik, Docker, Bunyan...). Its fields
// are whatever the lab names: a JSON pointer ("/request/client_ip") or a top-level key ("status");
// "time" is the first of time, timestamp, @timestamp, ts, date, datetime, time_local, msec present
// (ISO 8601, the access log's "14/Mar/2024:03:04:33 +0100", or seconds since 1970).
class JsonLines : public LogFormat {
public:
    JsonLines() { field_index("time"); }
    std::string_view name() const override { return "json-lines"; }
    std::span<const std::string_view> fields() const override { return views_; }
    std::optional<std::size_t> field_index(std::string_view field) const override {
        for (std::size_t i = 0; i < names_.size(); ++i) {
            if (names_[i] == field) return i;
        }
        if (field.empty() || field.size() > 1000) return std::nullopt;
        if (field.front() == '/') {
            try {
                (void)nlohmann::json::json_pointer(std::string(field));
            } catch (const nlohmann::json::exception&) {
                return std::nullopt;
            }
        }
        names_.emplace_back(field);
        views_.push_back(names_.back());
        return names_.size() - 1;
    }
    bool parse(std::string_view line, Values& v) const override {
        v.assign(names_.size(), {});
        auto parsed = parse_untrusted_json(line, static_cast<std::size_t>(limit_value(Limit::yaml_depth)));
        if (!parsed || !parsed->is_object()) return false;
        storage_.assign(names_.size(), {});
        for (std::size_t i = 0; i < names_.size(); ++i) {
            const nlohmann::json* value = find(*parsed, names_[i]);
            if (i == 0 && !value) {
                for (const char* key : {"timestamp", "@timestamp", "ts", "date", "datetime", "time_local", "msec"}) {
                    if ((value = find(*parsed, key))) break;
                }
            }
            if (!value || value->is_null()) continue;
            storage_[i] = value->is_string() ? value->get<std::string>() : value->dump();
        }
        for (std::size_t i = 0; i < names_.size(); ++i) v[i] = storage_[i];
        return true;
    }
    std::optional<LocalTime> time(const Values& v) const override {
        const std::string_view t = v[0];
        if (auto iso = parse_iso8601(t)) return iso;
        if (auto clf = parse_clf(t)) return clf;
        if (is_number(t)) {
            std::int64_t seconds = 0;
            const std::string_view whole = t.substr(0, t.find('.'));
            std::from_chars(whole.data(), whole.data() + whole.size(), seconds);
            if (seconds > 100'000'000'000) seconds /= 1000;  // milliseconds
            return LocalTime{seconds, 0};
        }
        return std::nullopt;
    }

private:
    static const nlohmann::json* find(const nlohmann::json& object, const std::string& name) {
        if (name.front() != '/') {
            auto it = object.find(name);
            return it == object.end() ? nullptr : &*it;
        }
        try {
            const nlohmann::json::json_pointer pointer(name);
            return object.contains(pointer) ? &object.at(pointer) : nullptr;
        } catch (const nlohmann::json::exception&) {
            return nullptr;
        }
    }

    mutable std::deque<std::string> names_;
    mutable std::vector<std::string_view> views_;
    mutable std::vector<std::string> storage_;
};

}  // namespace

std::optional<std::size_t> LogFormat::field_index(std::string_view field) const {
    const auto names = fields();
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == field) return i;
    }
    return std::nullopt;
}

std::span<const std::string_view> log_format_names() {
    static constexpr std::array<std::string_view, 7> kNames{"combined", "error", "nginx-error", "php-error", "auth", "syslog", "json-lines"};
    return kNames;
}

std::unique_ptr<LogFormat> make_log_format(std::string_view name, int year, int offset_minutes) {
    if (name == "combined") return std::make_unique<Combined>();
    if (name == "error") return std::make_unique<ErrorLog>(offset_minutes, ErrorLog::Accept::both);
    if (name == "nginx-error") return std::make_unique<ErrorLog>(offset_minutes, ErrorLog::Accept::nginx);
    if (name == "auth") return std::make_unique<Syslog>("auth", year, offset_minutes);
    if (name == "syslog") return std::make_unique<Syslog>("syslog", year, offset_minutes);
    if (name == "json-lines") return std::make_unique<JsonLines>();
    if (name == "php-error") return std::make_unique<PhpError>(offset_minutes);
    return nullptr;
}

}  // namespace infuse
