#!/usr/bin/env python3
"""Writes the two access logs of the lab logs/awk-top-talkers.

One day (9 October 2024, +0200) of the Apache access log, in combined format, of the WordPress site
of a small tenants' union, www.northgate-tenants.example: ordinary readers, a search-engine crawler,
an uptime monitor, a feed reader, WordPress's own wp-cron calls, an editor at work, a comment
spammer, a small password-guessing run on wp-login.php, a few drive-by probes for forgotten files,
a link checker, and a directory scanner that makes most of the day's requests.

Two variants of the same day are written, with the same shape but other addresses, counts and
top talkers:

    data/access.log          provisioned to the learner's workspace as access.log
    data/hidden/access.log   never provisioned: the graders run the learner's commands on it, so a
                             command that prints the answer it found in the workspace fails there

Traps for sloppy filters are placed on purpose, in both files: robots.txt is exactly 404 bytes
(`grep ' 404 '` counts it), a blog post weighs 40,4xx bytes (`grep ' 404'`), a photo is called
IMG_4040.jpg (`grep 404`), and the busiest client's count has one digit more than the next ones
(a count printed by awk and sorted without -n comes out in the wrong order).

Everything is invented: addresses come from the documentation ranges (192.0.2.0/24,
198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) and names from reserved domains (.example).

Python 3 standard library only, fixed seeds: the output is byte-for-byte the same on every run.
    python3 tools/make_access_log.py            # writes data/access.log and data/hidden/access.log
    python3 tools/make_access_log.py --stdout   # prints the workspace log
The script checks the properties the lab relies on (distinct counts around every cut) and stops
with an error when a change breaks one. The sha256 of data/access.log in lab.yaml, and the plain
answers of its tests, must be updated whenever this script's output changes: run
`infuse-lab hash --file data/access.log` and `infuse-lab test`.
"""
import collections
import datetime as dt
import pathlib
import random
import sys

ZONE = dt.timezone(dt.timedelta(hours=2))
DAY = dt.datetime(2024, 10, 9, 0, 0, 0, tzinfo=ZONE)
HOST = "www.northgate-tenants.example"
SITE = "https://" + HOST
SERVER = "198.51.100.5"                  # the web server itself (wp-cron), the same in both files

# The cast of each variant: who plays each part, and how much.
VARIANTS = {
    "workspace": {
        "seed": 20241009,
        "out": "data/access.log",
        "scanner": "203.0.113.77", "scanner_requests": 1843, "scanner_start": (4, 12, 31),
        "crawler": "198.51.100.14", "crawler_requests": 712,
        "monitor": "192.0.2.200", "monitor_every": 5,          # minutes: 288 checks
        "spammer": "203.0.113.219", "spam_comments": 118,
        "feed": "192.0.2.61", "feed_every": 15,               # minutes: 96 polls
        "brute": "203.0.113.45", "brute_posts": 47, "brute_start": (1, 47, 9),
        "linkcheck": "198.51.100.90",
        "editor": "192.0.2.131", "editor_start": (10, 3, 44),
        "probers": ["192.0.2.9", "198.51.100.163", "203.0.113.31", "2001:db8:77::14", "192.0.2.250"],
        "readers": 120,
    },
    "hidden": {
        "seed": 51907,
        "out": "data/hidden/access.log",
        "scanner": "198.51.100.203", "scanner_requests": 2417, "scanner_start": (3, 26, 8),
        "crawler": "192.0.2.17", "crawler_requests": 566,
        "monitor": "203.0.113.36", "monitor_every": 4,          # 360 checks
        "spammer": "192.0.2.158", "spam_comments": 142,
        "feed": "198.51.100.47", "feed_every": 10,              # 144 polls
        "brute": "198.51.100.129", "brute_posts": 63, "brute_start": (23, 2, 40),
        "linkcheck": "203.0.113.240",
        "editor": "198.51.100.72", "editor_start": (14, 18, 2),
        "probers": ["203.0.113.8", "192.0.2.77", "198.51.100.31", "2001:db8:5c::9", "203.0.113.190",
                    "192.0.2.104"],
        "readers": 135,
    },
}
ROLES = ("scanner", "crawler", "monitor", "spammer", "feed", "brute", "linkcheck", "editor")

BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:131.0) Gecko/20100101 Firefox/131.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.6668.81 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0",
    "Mozilla/5.0 (Linux; Android 13; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.6613.146 Mobile Safari/537.36",
]
SCANNER_AGENT = "gobuster/3.6"
CRAWLER_AGENT = "Mozilla/5.0 (compatible; Examplebot/2.1; +https://search.example/bot.html)"
MONITOR_AGENT = "UptimeWatch/1.4 (+https://uptime.example.net/bot)"
FEED_AGENT = "FeedFetcher-Example/3.2 (+https://reader.example.com; 41 subscribers)"
CRON_AGENT = "WordPress/6.6.2; " + SITE
SPAM_AGENT = "Mozilla/5.0 (Windows NT 6.1; Win64; x64; rv:47.0) Gecko/20100101 Firefox/47.0"
BRUTE_AGENT = "python-requests/2.32.3"
LINKCHECK_AGENT = "LinkChecker-Example/10.2 (+https://links.example.org)"
PROBE_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.129 Safari/537.36"

NOT_FOUND_SIZE = 15873                   # the theme's "page not found" page
ROBOTS_SIZE = 404                        # trap: `grep ' 404 '` counts every robots.txt fetch
PHOTO = "/wp-content/uploads/2024/09/IMG_4040.jpg"   # trap: `grep 404` counts every view of it
PAGES = [
    ("/", 38211, 900),
    ("/2024/10/rent-increase-meeting/", 45118, 900),
    ("/2024/09/heating-survey-results/", 40431, 40),  # trap: 404xx bytes, `grep ' 404'` counts it
    ("/2024/09/photos-from-the-street-party/", 36290, 900),
    ("/2024/08/know-your-rights-repairs/", 51877, 900),
    ("/join/", 29403, 600),
    ("/about/", 27712, 600),
    ("/contact/", 25116, 600),
    ("/events/", 33079, 900),
    ("/category/news/", 41960, 900),
    ("/fr/", 37405, 900),
    ("/resources/model-letters/", 30887, 600),
]
PAGE_WEIGHTS = [28, 20, 10, 8, 7, 6, 5, 4, 6, 5, 3, 4]
ASSETS = [
    ("/wp-content/themes/northgate/style.css?ver=2.1.0", 41207),
    ("/wp-includes/js/jquery/jquery.min.js?ver=3.7.1", 87533),
    ("/wp-content/themes/northgate/js/menu.js?ver=2.1.0", 3904),
    ("/wp-content/themes/northgate/images/logo.svg", 7381),
    ("/favicon.ico", 1150),
]
REFERERS = ["-", "-", "-", "https://search.example/", "https://search.example/?q=northgate+tenants",
            "https://social.example/", "https://news.example.org/local", "https://mail.example.net/"]
OLD_LINK = "/2023/03/old-meeting-notes/"          # a deleted post some readers still follow: 404

SCAN_WORDS = [
    "admin", "administrator", "backup", "backups", "bak", "old", "new", "test", "tests", "temp", "tmp",
    "dev", "stage", "staging", "beta", "demo", "site", "www", "web", "html", "public", "private", "secret",
    "config", "configuration", "conf", "settings", "setup", "install", "installer", "db", "database",
    "dump", "sql", "mysql", "data", "files", "file", "upload", "uploads", "download", "downloads", "export",
    "import", "logs", "log", "error", "errors", "debug", "info", "phpinfo", "status", "server-status",
    "server-info", "api", "v1", "v2", "rest", "graphql", "console", "panel", "cpanel", "webmail", "mail",
    "login", "signin", "user", "users", "account", "accounts", "member", "members", "portal", "dashboard",
    "manager", "management", "cms", "wp", "wordpress", "blog", "shop", "store", "cart", "order", "orders",
    "invoice", "invoices", "report", "reports", "archive", "archives", "include", "includes", "inc", "lib",
    "vendor", "node_modules", "assets", "static", "js", "css", "img", "images", "media", "cgi-bin", "scripts",
    "script", "shell", "cmd", "command", "exec", "system", "sys", "root", "home", "index", "default", "main",
    "readme", "license", "changelog", "composer", "package", "Dockerfile", "docker-compose", ".env",
    ".git", ".svn", ".htaccess", ".htpasswd", ".DS_Store", "web.config", "crossdomain", "sitemap", "robots",
    "phpmyadmin", "pma", "adminer", "xmlrpc", "wp-config", "wp-admin", "wp-content", "wp-includes",
]
SCAN_SUFFIXES = ["", "/", ".php", ".bak", ".old", ".zip", ".tar.gz", ".sql", ".txt", ".html", ".conf",
                 ".log", ".json", ".xml", ".inc", ".swp", "~", ".orig", ".save", ".1", ".gz"]
EXISTING = {  # what the scanner finds that is not a 404
    "/wp-admin": (301, 0), "/wp-admin/": (302, 0), "/wp-content": (301, 0), "/wp-content/": (200, 0),
    "/wp-includes": (301, 0), "/wp-includes/": (403, 199), "/robots.txt": (200, ROBOTS_SIZE),
    "/sitemap.xml": (200, 1304), "/xmlrpc.php": (405, 42), "/wp-login.php": (200, 7203),
    "/license.txt": (200, 19915), "/readme.html": (200, 7409), "/.htaccess": (403, 199),
    "/.htpasswd": (403, 199), "/server-status": (403, 199), "/server-info": (403, 199),
    "/index.php": (301, 0), "/blog": (301, 0), "/blog/": (301, 0), "/cgi-bin/": (403, 199),
    "/wp-config.php": (200, 0), "/feed": (301, 0), "/login": (302, 0), "/admin": (302, 0),
    "/dashboard": (302, 0),
}
PROBE_PATHS = ["/.env", "/.git/config", "/wp-config.php.bak", "/phpinfo.php", "/.aws/credentials",
               "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", "/config.json", "/.DS_Store"]


class Log:
    def __init__(self):
        self.lines = []  # (timestamp, sequence, text)

    def add(self, when, ip, method, target, status, size, referer="-", agent="-"):
        stamp = when.strftime("%d/%b/%Y:%H:%M:%S %z")
        size_text = "-" if size in (0, None) else str(size)
        text = f'{ip} - - [{stamp}] "{method} {target} HTTP/1.1" {status} {size_text} "{referer}" "{agent}"'
        self.lines.append((when, len(self.lines), text))

    def render(self):
        last = max(when for when, _, _ in self.lines)
        if last >= DAY + dt.timedelta(days=1):
            sys.exit(f"a line spills into the next day: {last}")
        return "".join(text + "\n" for _, _, text in sorted(self.lines))


def at(rng, start_hour, end_hour):
    return DAY + dt.timedelta(seconds=rng.randrange(int(start_hour * 3600), int(end_hour * 3600)))


def clock(hour, minute, second):
    return DAY + dt.timedelta(hours=hour, minutes=minute, seconds=second)


def page_size(page, rng):
    _, base, jitter = page
    return base + rng.randrange(-jitter, jitter + 1)


def reader_ips(rng, count, taken):
    ips = []
    while len(ips) < count:
        if rng.random() < 0.12:
            ip = "2001:db8:%x:%x::%x" % (rng.randrange(1, 0xffff), rng.randrange(0, 0xffff), rng.randrange(1, 0xffff))
        else:
            ip = f"{rng.choice(['192.0.2', '198.51.100', '203.0.113'])}.{rng.randrange(2, 254)}"
        if ip not in taken:
            taken.add(ip)
            ips.append(ip)
    return ips


def readers(rng, log, cast, taken):
    for ip in reader_ips(rng, cast["readers"], taken):
        agent = rng.choice(BROWSERS)
        cached = False
        for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
            when = at(rng, 0, 6.99) if rng.random() < 0.08 else at(rng, 7, 23.4)
            referer = rng.choice(REFERERS)
            if rng.random() < 0.06:
                log.add(when, ip, "GET", OLD_LINK, 404, NOT_FOUND_SIZE, referer, agent)
                when += dt.timedelta(seconds=rng.randrange(3, 20))
                referer = SITE + OLD_LINK
            for _ in range(rng.choice([1, 1, 2, 3, 4])):
                page = rng.choices(PAGES, PAGE_WEIGHTS)[0]
                log.add(when, ip, "GET", page[0], 200, page_size(page, rng), referer, agent)
                for asset, asset_size in ASSETS:
                    if rng.random() < 0.15:
                        continue
                    when += dt.timedelta(seconds=rng.choice([0, 0, 1]))
                    if cached:
                        log.add(when, ip, "GET", asset, 304, 0, SITE + page[0], agent)
                    else:
                        log.add(when, ip, "GET", asset, 200, asset_size, SITE + page[0], agent)
                if page[0] == "/2024/09/photos-from-the-street-party/":
                    log.add(when, ip, "GET", PHOTO, 200, 214377, SITE + page[0], agent)
                cached = True
                referer = SITE + page[0]
                when += dt.timedelta(seconds=rng.randrange(15, 240))


def crawler(rng, log, cast):
    paths = [p for p in PAGES] + [("/robots.txt", ROBOTS_SIZE, 0), ("/sitemap.xml", 1304, 0),
                                  ("/wp-sitemap-posts-post-1.xml", 5212, 0), ("/feed/", 22410, 300),
                                  ("/tag/repairs/", 30120, 600), ("/tag/rent/", 31502, 600),
                                  ("/author/maria/", 29877, 600), ("/page/2/", 39020, 900),
                                  (PHOTO, 214377, 0), ("/2022/11/removed-post/", NOT_FOUND_SIZE, 0)]
    ip = cast["crawler"]
    for _ in range(cast["crawler_requests"]):
        when = at(rng, 0, 23.99)
        page = rng.choice(paths)
        if page[0] == "/2022/11/removed-post/":
            log.add(when, ip, "GET", page[0], 404, NOT_FOUND_SIZE, "-", CRAWLER_AGENT)
        elif page[0].endswith("/") and page[0] != "/" and rng.random() < 0.03:
            log.add(when, ip, "GET", page[0].rstrip("/"), 301, 0, "-", CRAWLER_AGENT)
        else:
            log.add(when, ip, "GET", page[0], 200, page_size(page, rng), "-", CRAWLER_AGENT)


def monitor(rng, log, cast):
    for minute in range(0, 24 * 60, cast["monitor_every"]):
        when = DAY + dt.timedelta(minutes=minute, seconds=rng.randrange(0, 3))
        log.add(when, cast["monitor"], "HEAD", "/", 200, 0, "-", MONITOR_AGENT)


def feed(rng, log, cast):
    size = 22410
    for minute in range(7, 24 * 60, cast["feed_every"]):
        when = DAY + dt.timedelta(minutes=minute, seconds=rng.randrange(0, 20))
        if rng.random() < 0.1:
            size += rng.randrange(200, 900)       # a new post: the feed changes
            log.add(when, cast["feed"], "GET", "/feed/", 200, size, "-", FEED_AGENT)
        else:
            log.add(when, cast["feed"], "GET", "/feed/", 304, 0, "-", FEED_AGENT)


def cron(rng, log):
    minute = 2
    while minute < 24 * 60:
        when = DAY + dt.timedelta(minutes=minute, seconds=rng.randrange(60))
        stamp = f"{int(when.timestamp())}.{rng.randrange(10**6):06d}"
        log.add(when, SERVER, "POST", f"/wp-cron.php?doing_wp_cron={stamp}", 200, 0, "-", CRON_AGENT)
        minute += rng.randrange(12, 31)


def editor(rng, log, cast):
    ip, agent = cast["editor"], rng.choice(BROWSERS[:3])
    when = clock(*cast["editor_start"])
    log.add(when, ip, "GET", "/wp-login.php", 200, 7203, "-", agent)
    when += dt.timedelta(seconds=rng.randrange(8, 20))
    log.add(when, ip, "POST", "/wp-login.php", 302, 0, SITE + "/wp-login.php", agent)
    when += dt.timedelta(seconds=1)
    log.add(when, ip, "GET", "/wp-admin/", 200, 58872, SITE + "/wp-login.php", agent)
    when += dt.timedelta(seconds=rng.randrange(5, 30))
    log.add(when, ip, "GET", "/wp-admin/edit-comments.php?comment_status=moderated", 200, 88412,
            SITE + "/wp-admin/", agent)
    for _ in range(rng.randrange(8, 16)):  # deleting spam comments, one click each
        when += dt.timedelta(seconds=rng.randrange(3, 25))
        log.add(when, ip, "POST", "/wp-admin/admin-ajax.php", 200, rng.randrange(40, 400),
                SITE + "/wp-admin/edit-comments.php?comment_status=moderated", agent)
    when += dt.timedelta(seconds=rng.randrange(30, 90))
    log.add(when, ip, "GET", "/wp-admin/post-new.php", 200, 91533, SITE + "/wp-admin/", agent)
    when += dt.timedelta(seconds=rng.randrange(300, 900))
    log.add(when, ip, "POST", "/wp-admin/post.php", 302, 0, SITE + "/wp-admin/post-new.php", agent)


def spammer(rng, log, cast):
    ip = cast["spammer"]
    targets = [p for p, _, _ in PAGES if p.startswith("/20")]
    when = at(rng, 0, 2)
    for _ in range(cast["spam_comments"]):
        page = rng.choice(targets)
        log.add(when, ip, "GET", page, 200, 40000 + rng.randrange(8000), "-", SPAM_AGENT)
        when += dt.timedelta(seconds=rng.randrange(2, 6))
        status = 409 if rng.random() < 0.08 else 302   # 409: WordPress refuses a duplicate comment
        log.add(when, ip, "POST", "/wp-comments-post.php", status, 0 if status == 302 else 2410,
                SITE + page, SPAM_AGENT)
        when += dt.timedelta(seconds=rng.randrange(200, 500))


def brute(rng, log, cast):
    ip = cast["brute"]
    when = clock(*cast["brute_start"])
    log.add(when, ip, "GET", "/wp-login.php", 200, 7203, "-", BRUTE_AGENT)
    for _ in range(cast["brute_posts"]):
        when += dt.timedelta(seconds=rng.randrange(2, 9))
        log.add(when, ip, "POST", "/wp-login.php", 200, 7388, SITE + "/wp-login.php", BRUTE_AGENT)


def scanner(rng, log, cast):
    words = ["/" + word + suffix for word in SCAN_WORDS for suffix in SCAN_SUFFIXES]
    for path in EXISTING:
        if path not in words:
            words.append(path)
    rng.shuffle(words)
    wanted = cast["scanner_requests"]
    chosen = [p for p in words if p in EXISTING] + [p for p in words if p not in EXISTING]
    chosen = chosen[:wanted]
    rng.shuffle(chosen)
    when = clock(*cast["scanner_start"])
    for i, path in enumerate(chosen):
        status, size = EXISTING.get(path, (404, NOT_FOUND_SIZE))
        log.add(when, cast["scanner"], "GET", path, status, size, "-", SCANNER_AGENT)
        if i % 4 == 3:
            when += dt.timedelta(seconds=1)


def linkcheck(rng, log, cast):
    ip = cast["linkcheck"]
    when = at(rng, 8, 20)
    log.add(when, ip, "GET", "/robots.txt", 200, ROBOTS_SIZE, "-", LINKCHECK_AGENT)
    for page in rng.sample(PAGES, 4):
        when += dt.timedelta(seconds=rng.randrange(1, 4))
        log.add(when, ip, "HEAD", page[0], 200, 0, "-", LINKCHECK_AGENT)


def probers(rng, log, cast):
    for ip in cast["probers"]:
        when = at(rng, 0, 23.9)
        for path in rng.sample(PROBE_PATHS, rng.randrange(2, 6)):
            log.add(when, ip, "GET", path, 404, NOT_FOUND_SIZE, "-", PROBE_AGENT)
            when += dt.timedelta(seconds=rng.choice([0, 1]))


def build(cast):
    rng = random.Random(cast["seed"])
    log = Log()
    taken = {SERVER}
    for variant in VARIANTS.values():
        taken |= {variant[role] for role in ROLES} | set(variant["probers"])
    readers(rng, log, cast, taken)
    crawler(rng, log, cast)
    monitor(rng, log, cast)
    feed(rng, log, cast)
    cron(rng, log)
    editor(rng, log, cast)
    spammer(rng, log, cast)
    brute(rng, log, cast)
    scanner(rng, log, cast)
    linkcheck(rng, log, cast)
    probers(rng, log, cast)
    return log.render()


def facts(text):
    """What the lab's questions ask about, computed as a learner would."""
    rows = [line.split(" ") for line in text.splitlines()]
    clients = collections.Counter(row[0] for row in rows)
    posts = collections.Counter(row[6] for row in rows if row[5] == '"POST')
    posts_no_query = collections.Counter(row[6].split("?")[0] for row in rows if row[5] == '"POST')
    not_found = [row for row in rows if row[8] == "404"]
    return {
        "lines": len(rows),
        "top_clients": clients.most_common(7),
        "top_post_paths": posts.most_common(3),
        "top_post_paths_no_query": posts_no_query.most_common(3),
        "status_404": len(not_found),
        "grep_space_404_space": sum(1 for line in text.splitlines() if " 404 " in line),
        "grep_space_404": sum(1 for line in text.splitlines() if " 404" in line),
        "grep_404": sum(1 for line in text.splitlines() if "404" in line),
        "clients_404": len({row[0] for row in not_found}),
        "clients_grep_space_404_space": len({line.split(" ")[0] for line in text.splitlines() if " 404 " in line}),
    }


def check(name, f):
    """Stops when the data no longer has the properties the lab relies on."""
    counts = [n for _, n in f["top_clients"]]
    problems = []
    for i in range(5):  # the top five, and the cut after them, are clear
        if counts[i] - counts[i + 1] < 10:
            problems.append(f"clients {i + 1} and {i + 2} are too close ({counts[i]} and {counts[i + 1]})")
    if not (len(str(counts[0])) > len(str(counts[1])) and str(counts[1]) > str(counts[0])):
        problems.append("the busiest client's count must have more digits and sort lexically after the second's")
    for key in ("top_post_paths", "top_post_paths_no_query"):
        (first, a), (_, b) = f[key][:2]
        if first != "/wp-comments-post.php" or a - b < 10:
            problems.append(f"{key}: the top POST path is not clear: {f[key]}")
    for key in ("grep_space_404_space", "grep_space_404", "grep_404"):
        if f[key] <= f["status_404"]:
            problems.append(f"the trap {key} catches nothing")
    if f["clients_grep_space_404_space"] <= f["clients_404"]:
        problems.append("the robots.txt trap adds no client to the 404 clients")
    if problems:
        sys.exit(f"{name}: " + "; ".join(problems))


def main():
    root = pathlib.Path(__file__).resolve().parent.parent
    results = {}
    for name, cast in VARIANTS.items():
        text = build(cast)
        results[name] = (cast, text, facts(text))
        check(name, results[name][2])
    workspace, hidden = results["workspace"][2], results["hidden"][2]
    if {ip for ip, _ in workspace["top_clients"][:5]} & {ip for ip, _ in hidden["top_clients"][:5]}:
        sys.exit("the two files share a top-five address")
    if workspace["status_404"] == hidden["status_404"]:
        sys.exit("the two files have the same number of 404s")
    if "--stdout" in sys.argv[1:]:
        sys.stdout.write(results["workspace"][1])
        return
    for name, (cast, text, f) in results.items():
        out = root / cast["out"]
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="ascii", newline="\n")
        print(f"wrote {out}: {f['lines']} lines", file=sys.stderr)
        for key, value in f.items():
            if key != "lines":
                print(f"  {key}: {value}", file=sys.stderr)


if __name__ == "__main__":
    main()
