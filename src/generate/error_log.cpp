// error-log: an Apache 2.4 error log, or with `style: nginx` an nginx one (docs/evidence.md#error-log).
#include <memory>

#include <fmt/format.h>

#include "generate/generators.hpp"
#include "generate/support.hpp"

namespace infuse::gen {

namespace {

const std::vector<std::string> kMissing{"/favicon.png", "/apple-touch-icon.png", "/apple-touch-icon-precomposed.png",
                                        "/wp-content/uploads/2023/05/flyer.pdf", "/ads.txt", "/humans.txt"};
const std::vector<std::string> kForbiddenDefaults{"/.git/config", "/.git/HEAD", "/.env", "/.htaccess"};
const std::vector<std::string> kNotFoundDefaults{"/backup.zip", "/db.sql", "/wp-config.php.bak", "/phpinfo.php",
                                                 "/.aws/credentials", "/server-status", "/old/", "/config.json"};

// One line in the style of the server. Apache: [time] [module:level] [pid P:tid T] [client IP:PORT]
// message. nginx: time [level] PID#PID: *CONN message, client: IP, server: SITE, request: "...",
// host: "SITE" (no port; the level alone, no module).
struct Event {
    std::string_view module;   // Apache's module:level; nginx keeps the level after ':'
    std::string message;       // Apache's message
    std::string nginx;         // nginx's message, when it differs
    std::string path;          // the request's path (nginx writes the request)
    std::string method = "GET";
    std::string upstream;      // nginx: upstream: "..."
    bool no_request = false;   // nginx: a TLS handshake has no request
};

class Writer {
public:
    Writer(const Frame& frame, bool nginx, std::string site) : frame_(frame), nginx_(nginx), site_(std::move(site)) {}
    bool nginx() const { return nginx_; }
    Line line(std::int64_t micros, std::string_view module, std::int64_t pid, const std::string& client,
              std::string_view message) const {
        Event event{module, std::string(message)};
        return line(micros, event, pid, client, 0);
    }
    // `client` is "IP:PORT" (or empty); nginx writes the IP only.
    Line line(std::int64_t micros, const Event& event, std::int64_t pid, const std::string& client, std::int64_t connection) const {
        const auto time = frame_.at(micros);
        if (nginx_) {
            const auto f = civil_fields(time);
            const std::string_view level = event.module.substr(event.module.find(':') + 1);
            std::string text = fmt::format("{:04}/{:02}/{:02} {:02}:{:02}:{:02} [{}] {}#{}: ", f.year, f.month, f.day, f.hour,
                                           f.minute, f.second, level == "warn" ? "warn" : level, pid, pid);
            if (connection > 0) text += fmt::format("*{} ", connection);
            text += event.nginx.empty() ? event.message : event.nginx;
            if (!client.empty()) {
                text += fmt::format(", client: {}, server: {}", client.substr(0, client.rfind(':')), event.no_request ? "0.0.0.0:443" : site_);
                if (!event.no_request) {
                    text += fmt::format(", request: \"{} {} HTTP/1.1\"", event.method, event.path);
                    if (!event.upstream.empty()) text += fmt::format(", upstream: \"{}\"", event.upstream);
                    text += fmt::format(", host: \"{}\"", site_);
                }
            }
            return {micros, std::move(text)};
        }
        const auto fraction = static_cast<unsigned>(((micros % 1000000) + 1000000) % 1000000);
        std::string text = fmt::format("[{}] [{}] [pid {}:tid {}] ", format_apache_error(time, fraction), event.module, pid,
                                       140000000000000 + pid * 7919);
        if (!client.empty()) text += fmt::format("[client {}] ", client);
        text += event.message;
        return {micros, std::move(text)};
    }

private:
    Frame frame_;
    bool nginx_;
    std::string site_;
};

constexpr const char* kFpm = "fastcgi://unix:/run/php/php8.2-fpm.sock:";

class Background : public LineSource {
public:
    Background(const Frame& frame, Rng rng, std::int64_t lines, std::vector<std::string> clients, std::string docroot,
               std::string site, bool nginx)
        : frame_(frame), writer_(frame, nginx, site), rng_(std::move(rng)), lines_(lines), clients_(std::move(clients)),
          docroot_(std::move(docroot)), site_(std::move(site)) {
        slot_ = lines_ > 0 ? std::max<std::int64_t>(frame_.span_micros / lines_, 1) : 1;
    }
    bool next(Line& line) override {
        if (index_ >= lines_) return false;
        const std::int64_t micros = frame_.start_micros + index_ * slot_ + static_cast<std::int64_t>(rng_.below(slot_));
        const std::int64_t pid = rng_.between(2000, 9000);
        const std::string client = fmt::format("{}:{}", clients_[rng_.below(clients_.size())], rng_.between(30000, 65000));
        const auto roll = rng_.below(100);
        if (writer_.nginx()) {
            line = nginx_line(micros, pid, client, roll);
        } else if (index_ == 0) {
            line = writer_.line(micros, "mpm_event:notice", 812, "", "AH00489: Apache/2.4.58 (Debian) configured -- resuming normal operations");
        } else if (roll < 30) {
            static const std::vector<std::string> warnings{
                "PHP Warning:  Undefined array key \"lang\" in {}/wp-content/themes/civic/header.php on line 42",
                "PHP Warning:  Attempt to read property \"ID\" on null in {}/wp-content/themes/civic/single.php on line 17"};
            static const std::vector<std::string> notices{
                "PHP Deprecated:  Creation of dynamic property Civic_Menu::$depth is deprecated in {}/wp-content/themes/civic/inc/menu.php on line 88",
                "PHP Notice:  Function wp_enqueue_script was called incorrectly. in {}/wp-includes/functions.php on line 6031"};
            line = writer_.line(micros, roll < 20 ? "php:warn" : "php:notice", pid, client,
                                fmt::format(fmt::runtime(rng_.pick(roll < 20 ? warnings : notices)), docroot_) + fmt::format(", referer: https://{}/", site_));
        } else if (roll < 75) {
            line = writer_.line(micros, "core:info", pid, client, fmt::format("AH00128: File does not exist: {}{}", docroot_, rng_.pick(kMissing)));
        } else if (roll < 95) {
            line = writer_.line(micros, "ssl:info", pid, client, "AH01964: Connection to child 3 established (server " + site_ + ":443)");
        } else {
            line = writer_.line(micros, "ssl:info", pid, client, "AH02008: SSL library error 1 in handshake (server " + site_ + ":443)");
        }
        ++index_;
        return true;
    }

private:
    // nginx's own noise: its start, PHP warnings through FastCGI, missing files, TLS handshakes
    // that fail (crit, no request), an upstream that times out.
    Line nginx_line(std::int64_t micros, std::int64_t pid, const std::string& client, std::uint64_t roll) {
        const std::int64_t worker = 1200 + pid % 4;
        const std::int64_t connection = 1000 + index_ * 3 + static_cast<std::int64_t>(rng_.below(3));
        if (index_ == 0) return writer_.line(micros, Event{"core:notice", "", "signal process started"}, 1, "", 0);
        if (roll < 30) {
            static const std::vector<std::string> warnings{
                "PHP Warning:  Undefined array key \"lang\" in {}/wp-content/themes/civic/header.php on line 42",
                "PHP Warning:  Attempt to read property \"ID\" on null in {}/wp-content/themes/civic/single.php on line 17"};
            Event event{"fastcgi:error", "", fmt::format("FastCGI sent in stderr: \"PHP message: {}\" while reading response header from upstream",
                                                         fmt::format(fmt::runtime(rng_.pick(warnings)), docroot_)), "/"};
            event.upstream = kFpm;
            return writer_.line(micros, event, worker, client, connection);
        }
        if (roll < 75) {
            const std::string& path = rng_.pick(kMissing);
            Event event{"core:error", "", fmt::format("open() \"{}{}\" failed (2: No such file or directory)", docroot_, path), path};
            return writer_.line(micros, event, worker, client, connection);
        }
        if (roll < 95) {
            Event event{"core:info", "", "client closed connection while waiting for request"};
            event.no_request = true;
            return writer_.line(micros, event, worker, client, connection);
        }
        Event event{"ssl:crit", "", "SSL_do_handshake() failed (SSL: error:0A00006C:SSL routines::bad key share) while SSL handshaking"};
        event.no_request = true;
        return writer_.line(micros, event, worker, client, connection);
    }

    Frame frame_;
    Writer writer_;
    Rng rng_;
    std::int64_t lines_, slot_ = 1, index_ = 0;
    std::vector<std::string> clients_;
    std::string docroot_, site_;
};

class Incident {
public:
    Incident(const Frame& frame, Rng rng, const Options& o, bool needs_ip, bool nginx, const std::string& site)
        : writer_(frame, nginx, site), rng_(std::move(rng)), ip_(needs_ip ? o.required_text("ip") : o.text("ip", "")),
          time_(read_at(o, frame) + static_cast<std::int64_t>(rng_.below(1'000'000))) {}  // microseconds within its second
    virtual ~Incident() = default;
    virtual bool step(std::deque<Line>& out) = 0;

protected:
    void emit(std::deque<Line>& out, std::string_view module, std::string_view message, bool with_client = true) {
        emit(out, Event{module, std::string(message)}, with_client);
    }
    void emit(std::deque<Line>& out, const Event& event, bool with_client = true) {
        const std::string client = with_client ? fmt::format("{}:{}", ip_, rng_.between(30000, 65000)) : "";
        const std::int64_t pid = rng_.between(2000, 9000);
        const std::int64_t nginx_pid = writer_.nginx() ? (with_client ? 1200 + pid % 4 : 1) : pid;
        out.push_back(writer_.line(time_, event, nginx_pid, client, with_client ? 100000 + pid * 7 % 90000 : 0));
    }
    void wait(std::int64_t seconds) { time_ += rng_.jittered(seconds * 1'000'000); }

    Writer writer_;
    Rng rng_;
    std::string ip_;
    std::int64_t time_;
};

class PathIncident : public Incident {
public:
    PathIncident(const Frame& frame, Rng rng, const Options& o, std::string docroot, bool forbidden, bool nginx, const std::string& site)
        : Incident(frame, std::move(rng), o, true, nginx, site), paths_(o.texts("paths", forbidden ? kForbiddenDefaults : kNotFoundDefaults)),
          interval_(o.integer("interval", 1, 1, 86400)), docroot_(std::move(docroot)), forbidden_(forbidden) {}
    bool step(std::deque<Line>& out) override {
        if (index_ >= paths_.size()) return false;
        const std::string& path = paths_[index_++];
        Event event{forbidden_ ? "authz_core:error" : "core:info",
                    forbidden_ ? fmt::format("AH01630: client denied by server configuration: {}{}", docroot_, path)
                               : fmt::format("AH00128: File does not exist: {}{}", docroot_, path),
                    forbidden_ ? std::string("access forbidden by rule")
                               : fmt::format("open() \"{}{}\" failed (2: No such file or directory)", docroot_, path),
                    path};
        if (writer_.nginx() && !forbidden_) event.module = "core:error";  // nginx logs a missing file at error
        emit(out, event);
        wait(interval_);
        return true;
    }

private:
    std::vector<std::string> paths_;
    std::int64_t interval_;
    std::string docroot_;
    bool forbidden_;
    std::size_t index_ = 0;
};

class PhpFatal : public Incident {
public:
    PhpFatal(const Frame& frame, Rng rng, const Options& o, const std::string& docroot, bool nginx, const std::string& site)
        : Incident(frame, std::move(rng), o, true, nginx, site),
          script_(o.text("script", docroot + "/wp-content/plugins/gallery/upload.php")),
          count_(o.integer("count", 3, 1, 100000)), interval_(o.integer("interval", 30, 1, 86400)) {}
    bool step(std::deque<Line>& out) override {
        if (index_++ >= count_) return false;
        const std::string message = fmt::format("PHP Fatal error:  Uncaught Error: Call to undefined function "
                                                "imagecreatefromstring() in {}:88", script_);
        Event event{"php:error", message,
                    fmt::format("FastCGI sent in stderr: \"PHP message: {}\" while reading response header from upstream", message),
                    request_path(), "POST", kFpm};
        emit(out, event);
        wait(interval_);
        return true;
    }

private:
    // The request that ran the script: its path under the document root.
    std::string request_path() const {
        const auto at = script_.find("/wp-content/");
        return at == std::string::npos ? "/" + script_.substr(script_.rfind('/') + 1) : script_.substr(at);
    }

    std::string script_;
    std::int64_t count_, interval_, index_ = 0;
};

class Segfault : public Incident {
public:
    Segfault(const Frame& frame, Rng rng, const Options& o, bool nginx, const std::string& site)
        : Incident(frame, std::move(rng), o, false, nginx, site), count_(o.integer("count", 1, 1, 100000)),
          interval_(o.integer("interval", 600, 1, 86400)) {}
    bool step(std::deque<Line>& out) override {
        if (index_++ >= count_) return false;
        const auto child = rng_.between(2000, 9000);
        emit(out, Event{writer_.nginx() ? "core:alert" : "core:notice", fmt::format("AH00052: child pid {} exit signal Segmentation fault (11)", child),
                        fmt::format("worker process {} exited on signal 11 (core dumped)", child)},
             false);
        wait(interval_);
        return true;
    }

private:
    std::int64_t count_, interval_, index_ = 0;
};

}  // namespace

GenerateStats generate_error_log(const nlohmann::json& with, std::string_view seed_text, std::ostream& out) {
    const nlohmann::json empty = nlohmann::json::object();
    Options options(with.is_null() ? empty : with, "", {"start", "hours", "lines", "clients", "docroot", "site", "style", "incidents"});
    const std::string style = options.text("style", "apache");
    if (style != "apache" && style != "nginx") throw OptionError(fmt::format("{}: '{}' is not one of apache, nginx", options.field("style"), style));
    const bool nginx = style == "nginx";
    const Frame frame = read_frame(options);
    const std::int64_t lines = options.integer("lines", 10000, 0, 100'000'000);
    const std::string docroot = options.text("docroot", nginx ? "/usr/share/nginx/html" : "/var/www/html");
    const std::string site = options.text("site", "www.example.org");
    std::vector<std::unique_ptr<LineSource>> sources;
    std::set<std::string> taken;
    const auto incidents = incident_list(options);
    for (std::size_t i = 0; i < incidents.size(); ++i) {
        Options incident(incidents[i], fmt::format("incidents[{}]", i), {"kind", "ip", "at", "interval", "paths", "script", "count"});
        const std::string kind = incident.required_text("kind");
        Rng rng(fmt::format("{}/incident/{}", seed_text, i));
        std::shared_ptr<Incident> script;
        if (kind == "forbidden") script = std::make_shared<PathIncident>(frame, std::move(rng), incident, docroot, true, nginx, site);
        else if (kind == "not-found") script = std::make_shared<PathIncident>(frame, std::move(rng), incident, docroot, false, nginx, site);
        else if (kind == "php-fatal") script = std::make_shared<PhpFatal>(frame, std::move(rng), incident, docroot, nginx, site);
        else if (kind == "segfault") script = std::make_shared<Segfault>(frame, std::move(rng), incident, nginx, site);
        else throw OptionError(fmt::format("{}: '{}' is not an error-log incident (forbidden, not-found, php-fatal, segfault)", incident.field("kind"), kind));
        if (incident.has("ip")) taken.insert(incident.text("ip", ""));
        sources.push_back(std::make_unique<BatchSource>([script](std::deque<Line>& queue) { return script->step(queue); }));
    }
    Rng rng(fmt::format("{}/background", seed_text));
    auto clients = background_addresses(rng, static_cast<std::size_t>(options.integer("clients", 250, 1, 700)), taken);
    sources.insert(sources.begin(), std::make_unique<Background>(frame, std::move(rng), lines, std::move(clients), docroot, site, nginx));
    return merge_sources(sources, out);
}

}  // namespace infuse::gen
