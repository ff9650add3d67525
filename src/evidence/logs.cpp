// Log formats: combined (web access), Apache error, syslog auth (docs/evidence.md#derived-values).
#include <array>

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

class Combined : public LogFormat {
public:
    std::string_view name() const override { return "combined"; }
    std::span<const std::string_view> fields() const override { return kFields; }
    bool parse(std::string_view line, Values& v) const override {
        v.assign(kFields.size(), {});
        std::string_view rest = line;
        v[0] = token(rest);
        v[1] = token(rest);
        v[2] = token(rest);
        if (v[0].empty() || rest.size() < 28 || rest.front() != '[' || rest[27] != ']') return false;
        v[3] = rest.substr(1, 26);
        rest.remove_prefix(rest.size() > 28 && rest[28] == ' ' ? 29 : 28);
        auto request = quoted(rest);
        if (!request) return false;
        v[11] = *request;
        const auto first = request->find(' ');
        const auto last = request->rfind(' ');
        if (first != std::string_view::npos && last != first) {
            v[4] = request->substr(0, first);
            v[5] = request->substr(first + 1, last - first - 1);
            v[6] = request->substr(last + 1);
        } else {
            v[5] = *request;  // not METHOD PATH PROTOCOL: a raw line such as a TLS handshake
        }
        v[7] = token(rest);
        v[8] = token(rest);
        if (v[7].size() != 3 || v[8].empty()) return false;
        if (!rest.empty()) {  // common log format stops here
            auto referrer = quoted(rest);
            auto agent = quoted(rest);
            if (!referrer || !agent) return false;
            v[9] = *referrer;
            v[10] = *agent;
        }
        v[12] = v[3].substr(0, 11);
        v[13] = v[3].substr(0, 14);
        v[14] = v[3].substr(0, 17);
        return true;
    }
    std::optional<LocalTime> time(const Values& v) const override { return parse_clf(v[3]); }

private:
    static constexpr std::array<std::string_view, 15> kFields{"ip", "ident", "user", "time", "method", "path", "protocol",
                                                              "status", "bytes", "referrer", "agent", "request", "date", "hour",
                                                              "minute"};
};

// [Thu Mar 14 03:04:33.512204 2024] [module:level] [pid P:tid T] [client IP:PORT] message
class ApacheError : public LogFormat {
public:
    explicit ApacheError(int offset_minutes) : offset_(offset_minutes) {}
    std::string_view name() const override { return "error"; }
    std::span<const std::string_view> fields() const override { return kFields; }
    bool parse(std::string_view line, Values& v) const override {
        v.assign(kFields.size(), {});
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
        if (!time || !module || time->size() != 31) return false;
        v[0] = *time;
        const auto colon = module->find(':');
        v[1] = module->substr(0, colon);
        v[2] = colon == std::string_view::npos ? std::string_view{} : module->substr(colon + 1);
        if (rest.starts_with("[pid ")) {
            auto pid = bracket();
            if (!pid) return false;
            v[3] = pid->substr(4, pid->find(':') == std::string_view::npos ? std::string_view::npos : pid->find(':') - 4);
        }
        if (rest.starts_with("[client ")) {
            auto client = bracket();
            if (!client) return false;
            std::string_view address = client->substr(7);
            const auto port = address.rfind(':');
            v[4] = port == std::string_view::npos ? address : address.substr(0, port);
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
        }
        return true;
    }
    std::optional<LocalTime> time(const Values& v) const override { return parse_apache_error(v[0], offset_); }

private:
    int offset_;
    static constexpr std::array<std::string_view, 8> kFields{"time", "module", "level", "pid", "client", "code", "message", "path"};
};

// Mar 14 03:04:33 host program[pid]: message, with sshd messages read further.
class SyslogAuth : public LogFormat {
public:
    SyslogAuth(int year, int offset_minutes) : year_(year), offset_(offset_minutes) {}
    std::string_view name() const override { return "auth"; }
    std::span<const std::string_view> fields() const override { return kFields; }
    bool parse(std::string_view line, Values& v) const override {
        v.assign(kFields.size(), {});
        if (line.size() < 17 || line[15] != ' ' || !parse_syslog(line.substr(0, 15), 2000, 0)) return false;  // 2000: a leap year
        v[0] = line.substr(0, 15);
        std::string_view rest = line.substr(16);
        v[1] = token(rest);
        const auto colon = rest.find(": ");
        if (v[1].empty() || colon == std::string_view::npos) return false;
        std::string_view program = rest.substr(0, colon);
        v[4] = rest.substr(colon + 2);
        if (auto open = program.find('['); open != std::string_view::npos && program.back() == ']') {
            v[3] = program.substr(open + 1, program.size() - open - 2);
            program = program.substr(0, open);
        }
        v[2] = program;
        if (program == "sshd") read_sshd(v[4], v);
        return true;
    }
    std::optional<LocalTime> time(const Values& v) const override { return parse_syslog(v[0], year_, offset_); }

private:
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

    int year_, offset_;
    static constexpr std::array<std::string_view, 10> kFields{"time", "host", "program", "pid", "message", "event", "user",
                                                              "ip", "port", "method"};
};

}  // namespace

std::optional<std::size_t> LogFormat::field_index(std::string_view field) const {
    const auto names = fields();
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == field) return i;
    }
    return std::nullopt;
}

std::unique_ptr<LogFormat> make_log_format(std::string_view name, int year, int offset_minutes) {
    if (name == "combined") return std::make_unique<Combined>();
    if (name == "error") return std::make_unique<ApacheError>(offset_minutes);
    if (name == "auth") return std::make_unique<SyslogAuth>(year, offset_minutes);
    return nullptr;
}

}  // namespace infuse
