// error-log: an Apache 2.4 error log (docs/evidence.md#error-log).
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

class Writer {
public:
    explicit Writer(const Frame& frame) : frame_(frame) {}
    Line line(std::int64_t micros, std::string_view module, std::int64_t pid, const std::string& client,
              std::string_view message) const {
        const auto time = frame_.at(micros);
        const auto fraction = static_cast<unsigned>(((micros % 1000000) + 1000000) % 1000000);
        std::string text = fmt::format("[{}] [{}] [pid {}:tid {}] ", format_apache_error(time, fraction), module, pid,
                                       140000000000000 + pid * 7919);
        if (!client.empty()) text += fmt::format("[client {}] ", client);
        text += message;
        return {micros, std::move(text)};
    }

private:
    Frame frame_;
};

class Background : public LineSource {
public:
    Background(const Frame& frame, Rng rng, std::int64_t lines, std::vector<std::string> clients, std::string docroot,
               std::string site)
        : frame_(frame), writer_(frame), rng_(std::move(rng)), lines_(lines), clients_(std::move(clients)),
          docroot_(std::move(docroot)), site_(std::move(site)) {
        slot_ = lines_ > 0 ? std::max<std::int64_t>(frame_.span_micros / lines_, 1) : 1;
    }
    bool next(Line& line) override {
        if (index_ >= lines_) return false;
        const std::int64_t micros = frame_.start_micros + index_ * slot_ + static_cast<std::int64_t>(rng_.below(slot_));
        const std::int64_t pid = rng_.between(2000, 9000);
        const std::string client = fmt::format("{}:{}", clients_[rng_.below(clients_.size())], rng_.between(30000, 65000));
        const auto roll = rng_.below(100);
        if (index_ == 0) {
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
    Frame frame_;
    Writer writer_;
    Rng rng_;
    std::int64_t lines_, slot_ = 1, index_ = 0;
    std::vector<std::string> clients_;
    std::string docroot_, site_;
};

class Incident {
public:
    Incident(const Frame& frame, Rng rng, const Options& o, bool needs_ip)
        : writer_(frame), rng_(std::move(rng)), ip_(needs_ip ? o.required_text("ip") : o.text("ip", "")),
          time_(read_at(o, frame) + static_cast<std::int64_t>(rng_.below(1'000'000))) {}  // microseconds within its second
    virtual ~Incident() = default;
    virtual bool step(std::deque<Line>& out) = 0;

protected:
    void emit(std::deque<Line>& out, std::string_view module, std::string_view message, bool with_client = true) {
        const std::string client = with_client ? fmt::format("{}:{}", ip_, rng_.between(30000, 65000)) : "";
        out.push_back(writer_.line(time_, module, rng_.between(2000, 9000), client, message));
    }
    void wait(std::int64_t seconds) { time_ += rng_.jittered(seconds * 1'000'000); }

    Writer writer_;
    Rng rng_;
    std::string ip_;
    std::int64_t time_;
};

class PathIncident : public Incident {
public:
    PathIncident(const Frame& frame, Rng rng, const Options& o, std::string docroot, bool forbidden)
        : Incident(frame, std::move(rng), o, true), paths_(o.texts("paths", forbidden ? kForbiddenDefaults : kNotFoundDefaults)),
          interval_(o.integer("interval", 1, 1, 86400)), docroot_(std::move(docroot)), forbidden_(forbidden) {}
    bool step(std::deque<Line>& out) override {
        if (index_ >= paths_.size()) return false;
        const std::string& path = paths_[index_++];
        if (forbidden_) emit(out, "authz_core:error", fmt::format("AH01630: client denied by server configuration: {}{}", docroot_, path));
        else emit(out, "core:info", fmt::format("AH00128: File does not exist: {}{}", docroot_, path));
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
    PhpFatal(const Frame& frame, Rng rng, const Options& o, const std::string& docroot)
        : Incident(frame, std::move(rng), o, true),
          script_(o.text("script", docroot + "/wp-content/plugins/gallery/upload.php")),
          count_(o.integer("count", 3, 1, 100000)), interval_(o.integer("interval", 30, 1, 86400)) {}
    bool step(std::deque<Line>& out) override {
        if (index_++ >= count_) return false;
        emit(out, "php:error", fmt::format("PHP Fatal error:  Uncaught Error: Call to undefined function "
                                           "imagecreatefromstring() in {}:88", script_));
        wait(interval_);
        return true;
    }

private:
    std::string script_;
    std::int64_t count_, interval_, index_ = 0;
};

class Segfault : public Incident {
public:
    Segfault(const Frame& frame, Rng rng, const Options& o)
        : Incident(frame, std::move(rng), o, false), count_(o.integer("count", 1, 1, 100000)),
          interval_(o.integer("interval", 600, 1, 86400)) {}
    bool step(std::deque<Line>& out) override {
        if (index_++ >= count_) return false;
        emit(out, "core:notice", fmt::format("AH00052: child pid {} exit signal Segmentation fault (11)", rng_.between(2000, 9000)), false);
        wait(interval_);
        return true;
    }

private:
    std::int64_t count_, interval_, index_ = 0;
};

}  // namespace

GenerateStats generate_error_log(const nlohmann::json& with, std::string_view seed_text, std::ostream& out) {
    const nlohmann::json empty = nlohmann::json::object();
    Options options(with.is_null() ? empty : with, "", {"start", "hours", "lines", "clients", "docroot", "site", "incidents"});
    const Frame frame = read_frame(options);
    const std::int64_t lines = options.integer("lines", 10000, 0, 100'000'000);
    const std::string docroot = options.text("docroot", "/var/www/html");
    const std::string site = options.text("site", "www.example.org");
    std::vector<std::unique_ptr<LineSource>> sources;
    std::set<std::string> taken;
    const auto incidents = incident_list(options);
    for (std::size_t i = 0; i < incidents.size(); ++i) {
        Options incident(incidents[i], fmt::format("incidents[{}]", i), {"kind", "ip", "at", "interval", "paths", "script", "count"});
        const std::string kind = incident.required_text("kind");
        Rng rng(fmt::format("{}/incident/{}", seed_text, i));
        std::shared_ptr<Incident> script;
        if (kind == "forbidden") script = std::make_shared<PathIncident>(frame, std::move(rng), incident, docroot, true);
        else if (kind == "not-found") script = std::make_shared<PathIncident>(frame, std::move(rng), incident, docroot, false);
        else if (kind == "php-fatal") script = std::make_shared<PhpFatal>(frame, std::move(rng), incident, docroot);
        else if (kind == "segfault") script = std::make_shared<Segfault>(frame, std::move(rng), incident);
        else throw OptionError(fmt::format("{}: '{}' is not an error-log incident (forbidden, not-found, php-fatal, segfault)", incident.field("kind"), kind));
        if (incident.has("ip")) taken.insert(incident.text("ip", ""));
        sources.push_back(std::make_unique<BatchSource>([script](std::deque<Line>& queue) { return script->step(queue); }));
    }
    Rng rng(fmt::format("{}/background", seed_text));
    auto clients = background_addresses(rng, static_cast<std::size_t>(options.integer("clients", 250, 1, 700)), taken);
    sources.insert(sources.begin(), std::make_unique<Background>(frame, std::move(rng), lines, std::move(clients), docroot, site));
    return merge_sources(sources, out);
}

}  // namespace infuse::gen
