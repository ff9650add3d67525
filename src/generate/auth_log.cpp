// auth-log: a syslog auth.log of one host (docs/evidence.md#auth-log).
#include <map>
#include <memory>

#include <fmt/format.h>

#include "generate/generators.hpp"
#include "generate/support.hpp"

namespace infuse::gen {

namespace {

const std::vector<std::string> kGuessedUsers{"root", "admin", "test", "ubuntu", "oracle", "postgres", "git",
                                             "user", "guest", "pi", "ftpuser", "support"};

struct Admin {
    std::string user, ip;
};

class Writer {
public:
    Writer(const Frame& frame, std::string host) : frame_(frame), host_(std::move(host)) {}
    Line line(std::int64_t micros, std::string_view program, std::int64_t pid, std::string_view message) const {
        return {micros, fmt::format("{} {} {}[{}]: {}", format_syslog(frame_.at(micros)), host_, program, pid, message)};
    }

private:
    Frame frame_;
    std::string host_;
};

// Ordinary activity: one time slot per line; an activity takes a few consecutive slots.
class Background : public LineSource {
public:
    Background(const Frame& frame, Rng rng, std::int64_t lines, std::vector<std::string> noise, std::vector<Admin> admins,
               std::string host)
        : frame_(frame), writer_(frame, std::move(host)), rng_(std::move(rng)), lines_(lines), noise_(std::move(noise)),
          admins_(std::move(admins)) {
        slot_ = lines_ > 0 ? std::max<std::int64_t>(frame_.span_micros / lines_, 1) : 1;
    }
    bool next(Line& line) override {
        if (index_ >= lines_) return false;
        if (pending_.empty()) plan();
        const std::int64_t micros = frame_.start_micros + index_ * slot_ + static_cast<std::int64_t>(rng_.below(slot_));
        auto [program, pid, message] = pending_.front();
        pending_.pop_front();
        line = writer_.line(micros, program, pid, message);
        ++index_;
        return true;
    }

private:
    struct Planned {
        std::string program;
        std::int64_t pid;
        std::string message;
    };
    void add(std::string program, std::int64_t pid, std::string message) {
        if (static_cast<std::int64_t>(pending_.size()) + index_ < lines_) pending_.push_back({std::move(program), pid, std::move(message)});
    }
    void plan() {
        const auto roll = rng_.below(100);
        const std::int64_t pid = rng_.between(1200, 64000);
        if (roll < 50) {
            add("CRON", pid, "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)");
            add("CRON", pid, "pam_unix(cron:session): session closed for user root");
        } else if (roll < 58 && !admins_.empty()) {
            const Admin& admin = admins_[rng_.below(admins_.size())];
            const auto port = rng_.between(40000, 65000);
            add("sshd", pid, fmt::format("Accepted publickey for {} from {} port {} ssh2: ED25519 SHA256:{}", admin.user, admin.ip, port,
                                         fingerprint_for(admin.user)));
            add("sshd", pid, fmt::format("pam_unix(sshd:session): session opened for user {}(uid=1000) by (uid=0)", admin.user));
            if (rng_.chance(600)) {
                static const std::vector<std::string> commands{"/usr/bin/systemctl reload nginx", "/usr/bin/apt-get update",
                                                               "/usr/bin/journalctl -u php8.2-fpm", "/usr/sbin/service mariadb status"};
                add("sudo", pid + 3, fmt::format("  {} : TTY=pts/0 ; PWD=/home/{} ; USER=root ; COMMAND={}", admin.user, admin.user,
                                                 rng_.pick(commands)));
            }
            add("sshd", pid, fmt::format("Disconnected from user {} {} port {}", admin.user, admin.ip, port));
            add("sshd", pid, fmt::format("pam_unix(sshd:session): session closed for user {}", admin.user));
        } else if (!noise_.empty()) {
            // Internet noise: an address tries one to four names and gives up.
            const std::string& ip = noise_[rng_.below(noise_.size())];
            const auto tries = 1 + rng_.below(4);
            for (std::uint64_t i = 0; i < tries; ++i) {
                const std::string& user = rng_.pick(kGuessedUsers);
                const auto port = rng_.between(30000, 65000);
                if (user == "root") {
                    add("sshd", pid + static_cast<std::int64_t>(i), fmt::format("Failed password for root from {} port {} ssh2", ip, port));
                    add("sshd", pid + static_cast<std::int64_t>(i), fmt::format("Connection closed by authenticating user root {} port {} [preauth]", ip, port));
                } else {
                    add("sshd", pid + static_cast<std::int64_t>(i), fmt::format("Invalid user {} from {} port {}", user, ip, port));
                    add("sshd", pid + static_cast<std::int64_t>(i), fmt::format("Connection closed by invalid user {} {} port {} [preauth]", user, ip, port));
                }
            }
        } else {
            add("CRON", pid, "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)");
        }
    }
    std::string fingerprint_for(const std::string& user) {
        auto& known = fingerprints_[user];
        if (known.empty()) {
            static constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            for (int i = 0; i < 43; ++i) known += alphabet[rng_.below(alphabet.size())];
        }
        return known;
    }

    Frame frame_;
    Writer writer_;
    Rng rng_;
    std::int64_t lines_, slot_ = 1, index_ = 0;
    std::vector<std::string> noise_;
    std::vector<Admin> admins_;
    std::deque<Planned> pending_;
    std::map<std::string, std::string> fingerprints_;
};

class SshIncident {
public:
    SshIncident(const Frame& frame, Rng rng, const Options& o, std::string host)
        : writer_(frame, std::move(host)), rng_(std::move(rng)), ip_(o.required_text("ip")), time_(read_at(o, frame)) {}
    virtual ~SshIncident() = default;
    virtual bool step(std::deque<Line>& out) = 0;

protected:
    void say(std::deque<Line>& out, std::int64_t pid, const std::string& message) {
        out.push_back(writer_.line(time_, "sshd", pid, message));
        time_ += rng_.between(50'000, 400'000);
    }
    void attempt(std::deque<Line>& out, const std::string& user, bool valid) {
        const auto pid = rng_.between(1200, 64000);
        const auto port = rng_.between(30000, 65000);
        if (valid) {
            say(out, pid, fmt::format("Failed password for {} from {} port {} ssh2", user, ip_, port));
            say(out, pid, fmt::format("Connection closed by authenticating user {} {} port {} [preauth]", user, ip_, port));
        } else {
            say(out, pid, fmt::format("Invalid user {} from {} port {}", user, ip_, port));
            say(out, pid, fmt::format("Failed password for invalid user {} from {} port {} ssh2", user, ip_, port));
            say(out, pid, fmt::format("Connection closed by invalid user {} {} port {} [preauth]", user, ip_, port));
        }
    }
    // The login; with `session` seconds, the session's end that many seconds later.
    void accepted(std::deque<Line>& out, const std::string& user, const std::string& method, std::int64_t session = 0) {
        const auto pid = rng_.between(1200, 64000);
        const auto port = rng_.between(30000, 65000);
        say(out, pid, method == "publickey"
                          ? fmt::format("Accepted publickey for {} from {} port {} ssh2: ED25519 SHA256:pQ3xv0Lq4mZ1cT8yJwXbR2nF6sKdE9hUaG7oVtY5iBc", user, ip_, port)
                          : fmt::format("Accepted password for {} from {} port {} ssh2", user, ip_, port));
        say(out, pid, fmt::format("pam_unix(sshd:session): session opened for user {}(uid={}) by (uid=0)", user, user == "root" ? 0 : 1001));
        if (session <= 0) return;
        time_ += session * 1'000'000;
        say(out, pid, fmt::format("Received disconnect from {} port {}:11: disconnected by user", ip_, port));
        say(out, pid, fmt::format("Disconnected from user {} {} port {}", user, ip_, port));
        say(out, pid, fmt::format("pam_unix(sshd:session): session closed for user {}", user));
    }

    Writer writer_;
    Rng rng_;
    std::string ip_;
    std::int64_t time_;
};

class Bruteforce : public SshIncident {
public:
    Bruteforce(const Frame& frame, Rng rng, const Options& o, std::string host, std::set<std::string> valid)
        : SshIncident(frame, std::move(rng), o, std::move(host)), attempts_(o.integer("attempts", 200, 1, 1'000'000)),
          users_(o.texts("users", kGuessedUsers)), success_(o.text("success", "")), interval_(o.integer("interval", 2, 1, 86400)),
          session_(o.integer("session", 0, 0, 86400)), valid_(std::move(valid)) {
        valid_.insert("root");
        if (!success_.empty()) valid_.insert(success_);
        if (o.flag("all_users", false)) {
            // Every name once first, in a seeded order, then names drawn at random.
            if (static_cast<std::int64_t>(users_.size()) > attempts_) {
                throw OptionError(fmt::format("{}: {} names cannot all be tried in {} attempts", o.field("all_users"), users_.size(), attempts_));
            }
            first_round_ = users_;
            for (std::size_t i = first_round_.size(); i > 1; --i) std::swap(first_round_[i - 1], first_round_[rng_.below(i)]);
        }
        if (session_ > 0 && success_.empty()) throw OptionError(fmt::format("{}: a session needs a `success` user", o.field("session")));
    }
    bool step(std::deque<Line>& out) override {
        if (done_ < attempts_) {
            const std::size_t index = static_cast<std::size_t>(done_);
            const std::string& user = index < first_round_.size() ? first_round_[index] : users_[rng_.below(users_.size())];
            attempt(out, user, valid_.count(user) > 0);
            ++done_;
            time_ += rng_.jittered(interval_ * 1'000'000);
            return true;
        }
        if (!success_.empty() && !succeeded_) {
            accepted(out, success_, "password", session_);
            succeeded_ = true;
            return true;
        }
        return false;
    }

private:
    std::int64_t attempts_;
    std::vector<std::string> users_;
    std::string success_;
    std::int64_t interval_, session_;
    std::set<std::string> valid_;
    std::vector<std::string> first_round_;
    std::int64_t done_ = 0;
    bool succeeded_ = false;
};

class Login : public SshIncident {
public:
    Login(const Frame& frame, Rng rng, const Options& o, std::string host)
        : SshIncident(frame, std::move(rng), o, std::move(host)), user_(o.required_text("user")),
          method_(o.text("method", "publickey")), failures_(o.integer("failures", 0, 0, 100)),
          session_(o.integer("session", 0, 0, 86400)) {
        if (method_ != "publickey" && method_ != "password") {
            throw OptionError(fmt::format("{}: '{}' is neither publickey nor password", o.field("method"), method_));
        }
    }
    bool step(std::deque<Line>& out) override {
        if (done_ < failures_) {
            attempt(out, user_, true);
            ++done_;
            time_ += rng_.jittered(8'000'000);
            return true;
        }
        if (done_ == failures_) {
            accepted(out, user_, method_, session_);
            ++done_;
            return true;
        }
        return false;
    }

private:
    std::string user_, method_;
    std::int64_t failures_, session_, done_ = 0;
};

// A port scanner that only reads the SSH banner: connections closed before authentication, never a
// user name or a password; now and then a probe that is not even SSH (`banner exchange`).
class Scan : public SshIncident {
public:
    Scan(const Frame& frame, Rng rng, const Options& o, std::string host)
        : SshIncident(frame, std::move(rng), o, std::move(host)), connections_(o.integer("connections", 100, 1, 1'000'000)),
          interval_(o.integer("interval", 10, 1, 86400)) {}
    bool step(std::deque<Line>& out) override {
        if (done_ >= connections_) return false;
        const auto pid = rng_.between(1200, 64000);
        const auto port = rng_.between(30000, 65000);
        if (rng_.chance(80)) say(out, pid, fmt::format("banner exchange: Connection from {} port {}: invalid format", ip_, port));
        else say(out, pid, fmt::format("Connection closed by {} port {} [preauth]", ip_, port));
        ++done_;
        time_ += rng_.jittered(interval_ * 1'000'000);
        return true;
    }

private:
    std::int64_t connections_, interval_, done_ = 0;
};

}  // namespace

GenerateStats generate_auth_log(const nlohmann::json& with, std::string_view seed_text, std::ostream& out) {
    const nlohmann::json empty = nlohmann::json::object();
    Options options(with.is_null() ? empty : with, "", {"start", "hours", "lines", "clients", "host", "admins", "accounts", "incidents"});
    const Frame frame = read_frame(options);
    const std::int64_t lines = options.integer("lines", 10000, 0, 100'000'000);
    const std::string host = options.text("host", "web-1");
    std::vector<Admin> admins;
    if (options.has("admins")) {
        const auto& list = options.raw("admins");
        if (!list.is_array()) throw OptionError("admins: expected a list of {user, ip}");
        for (std::size_t i = 0; i < list.size(); ++i) {
            Options admin(list[i], fmt::format("admins[{}]", i), {"user", "ip"});
            admins.push_back({admin.required_text("user"), admin.required_text("ip")});
        }
    } else {
        admins.push_back({"deploy", "198.51.100.20"});
    }
    std::set<std::string> taken, valid_users;
    for (const auto& account : options.texts("accounts", {})) valid_users.insert(account);
    for (const auto& admin : admins) {
        taken.insert(admin.ip);
        valid_users.insert(admin.user);
    }
    std::vector<std::unique_ptr<LineSource>> sources;
    const auto incidents = incident_list(options);
    for (std::size_t i = 0; i < incidents.size(); ++i) {
        Options incident(incidents[i], fmt::format("incidents[{}]", i),
                         {"kind", "ip", "at", "interval", "attempts", "users", "success", "user", "method", "failures",
                          "all_users", "session", "connections"});
        const std::string kind = incident.required_text("kind");
        Rng rng(fmt::format("{}/incident/{}", seed_text, i));
        std::shared_ptr<SshIncident> script;
        if (kind == "ssh-bruteforce") script = std::make_shared<Bruteforce>(frame, std::move(rng), incident, host, valid_users);
        else if (kind == "ssh-login") script = std::make_shared<Login>(frame, std::move(rng), incident, host);
        else if (kind == "ssh-scan") script = std::make_shared<Scan>(frame, std::move(rng), incident, host);
        else throw OptionError(fmt::format("{}: '{}' is not an auth-log incident (ssh-bruteforce, ssh-login, ssh-scan)", incident.field("kind"), kind));
        taken.insert(incident.required_text("ip"));
        sources.push_back(std::make_unique<BatchSource>([script](std::deque<Line>& queue) { return script->step(queue); }));
    }
    Rng rng(fmt::format("{}/background", seed_text));
    auto noise = background_addresses(rng, static_cast<std::size_t>(options.integer("clients", 250, 1, 700)), taken);
    sources.insert(sources.begin(), std::make_unique<Background>(frame, std::move(rng), lines, std::move(noise), admins, host));
    return merge_sources(sources, out);
}

}  // namespace infuse::gen
