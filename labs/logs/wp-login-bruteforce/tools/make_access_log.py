#!/usr/bin/env python3
"""Writes data/access.log for the lab logs/wp-login-bruteforce.

One day (14 March 2024, +0100) of the Apache access log, in combined format, of the WordPress site
www.civicvoice.example: ordinary readers, a search-engine crawler, an uptime monitor, WordPress's own
wp-cron calls, two editors who log in (each mistypes their password once), a scanner looking for
forgotten files, a client brute-forcing passwords through xmlrpc.php, and a password-guessing attack
on wp-login.php that ends with a successful login and a plugin upload.

Everything is invented: addresses come from the documentation ranges (192.0.2.0/24,
198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) and names from reserved domains (.example).

Python 3 standard library only, fixed seed: the output is byte-for-byte the same on every run.
    python3 tools/make_access_log.py            # writes data/access.log next to tools/
    python3 tools/make_access_log.py --stdout   # prints it
The lab's answers (lab.yaml) and the sha256 of data/access.log must be updated whenever this
script's output changes: run `infuse-lab hash --file data/access.log` and `infuse-lab test`.
"""
import datetime as dt
import pathlib
import random
import sys

SEED = 20240314
ZONE = dt.timezone(dt.timedelta(hours=1))
DAY = dt.datetime(2024, 3, 14, 0, 0, 0, tzinfo=ZONE)
SITE = "https://www.civicvoice.example"

ATTACKER = "203.0.113.148"
ATTACKER_AGENTS = [("python-requests/2.31.0", 5), ("Go-http-client/1.1", 3), ("curl/8.5.0", 2)]
FAILED_LOGINS = 437                      # POST /wp-login.php answered 200 (login form shown again)
XMLRPC_PROBER = "198.51.100.23"
CRAWLER = "192.0.2.44"
MONITOR = "198.51.100.10"
SERVER = "203.0.113.10"
SCANNER = "203.0.113.201"
EDITORS = [("198.51.100.61", dt.time(9, 4, 12)), ("192.0.2.131", dt.time(14, 21, 37))]

BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:123.0) Gecko/20100101 Firefox/123.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.6261.105 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0",
    "Mozilla/5.0 (Linux; Android 13; SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.6167.178 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.2365.80",
]
CRAWLER_AGENT = "Mozilla/5.0 (compatible; Examplebot/2.1; +https://search.example/bot.html)"
MONITOR_AGENT = "curl/7.88.1"
CRON_AGENT = "WordPress/6.4.3; " + SITE
SCANNER_AGENT = "Mozilla/5.0 (compatible; FileHunter/0.9)"
XMLRPC_AGENT = "Mozilla/5.0 (Windows NT 6.1; rv:34.0) Gecko/20100101 Firefox/34.0"

PAGES = [
    ("/", 48211), ("/2024/03/press-freedom-report-2024/", 61873), ("/2024/03/digital-safety-clinic-dates/", 39544),
    ("/2024/02/community-radio-training/", 42710), ("/2024/02/open-letter-on-internet-shutdowns/", 45388),
    ("/2024/01/annual-report-2023/", 52096), ("/about/", 31877), ("/team/", 35002), ("/contact/", 27415),
    ("/donate/", 29931), ("/category/news/", 44150), ("/category/publications/", 40988), ("/events/", 33761),
    ("/2023/12/grants-for-local-media/", 41220), ("/fr/", 47903), ("/fr/a-propos/", 30544),
]
PAGE_WEIGHTS = [30, 22, 12, 6, 8, 5, 6, 3, 5, 4, 6, 3, 4, 2, 4, 2]
ASSETS = [
    ("/wp-content/themes/civic/style.css?ver=1.4.2", 38411),
    ("/wp-includes/js/jquery/jquery.min.js?ver=3.7.1", 87533),
    ("/wp-content/themes/civic/js/navigation.js?ver=1.4.2", 4120),
    ("/wp-content/uploads/2024/03/report-cover-800x450.jpg", 71804),
    ("/wp-content/themes/civic/images/logo.svg", 6233),
    ("/favicon.ico", 1150),
]
REFERERS = ["-", "-", "-", "https://search.example/", "https://search.example/?q=civicvoice+report",
            "https://social.example/", "https://news.example.org/digest", "https://mail.example.net/"]


class Log:
    def __init__(self):
        self.lines = []  # (timestamp, sequence, text)

    def add(self, when, ip, method, target, status, size, referer="-", agent="-"):
        stamp = when.strftime("%d/%b/%Y:%H:%M:%S %z")
        size_text = "-" if size in (0, None) else str(size)
        text = f'{ip} - - [{stamp}] "{method} {target} HTTP/1.1" {status} {size_text} "{referer}" "{agent}"'
        self.lines.append((when, len(self.lines), text))

    def render(self):
        return "".join(text + "\n" for _, _, text in sorted(self.lines))


def at(rng, start_hour, end_hour):
    seconds = rng.randrange(int(start_hour * 3600), int(end_hour * 3600))
    return DAY + dt.timedelta(seconds=seconds)


def daytime(rng):
    # Readers come mostly between 7:00 and 23:00.
    if rng.random() < 0.08:
        return at(rng, 0, 7)
    return at(rng, 7, 23.99)


def reader_ips(rng, count):
    taken = {ATTACKER, XMLRPC_PROBER, CRAWLER, MONITOR, SERVER, SCANNER} | {ip for ip, _ in EDITORS}
    ips = []
    while len(ips) < count:
        kind = rng.random()
        if kind < 0.12:
            ip = "2001:db8:%x:%x::%x" % (rng.randrange(1, 0xffff), rng.randrange(0, 0xffff), rng.randrange(1, 0xffff))
        else:
            net = rng.choice(["192.0.2", "198.51.100", "203.0.113"])
            ip = f"{net}.{rng.randrange(2, 254)}"
        if ip not in taken:
            taken.add(ip)
            ips.append(ip)
    return ips


def readers(rng, log):
    for ip in reader_ips(rng, 110):
        agent = rng.choice(BROWSERS)
        visits = rng.choice([1, 1, 1, 2, 2, 3])
        cached = False
        for _ in range(visits):
            when = daytime(rng)
            referer = rng.choice(REFERERS)
            for _ in range(rng.choice([1, 1, 2, 3, 4])):
                page, size = rng.choices(PAGES, PAGE_WEIGHTS)[0]
                log.add(when, ip, "GET", page, 200, size + rng.randrange(-900, 900), referer, agent)
                for asset, asset_size in ASSETS:
                    if rng.random() < 0.15:
                        continue
                    when += dt.timedelta(seconds=rng.choice([0, 0, 1]))
                    if cached:
                        log.add(when, ip, "GET", asset, 304, 0, SITE + page, agent)
                    else:
                        log.add(when, ip, "GET", asset, 200, asset_size, SITE + page, agent)
                cached = True
                referer = SITE + page
                when += dt.timedelta(seconds=rng.randrange(15, 240))
            if rng.random() < 0.1:
                log.add(when, ip, "GET", "/?s=" + rng.choice(["safety", "radio", "report", "grant", "shutdown"]), 200,
                        36000 + rng.randrange(4000), referer, agent)
            if rng.random() < 0.05:
                log.add(when, ip, "GET", "/2023/11/old-event-page/", 404, 15882, referer, agent)


def crawler(rng, log):
    paths = [p for p, _ in PAGES] + ["/robots.txt", "/sitemap.xml", "/wp-sitemap-posts-post-1.xml", "/feed/",
                                     "/tag/training/", "/tag/press-freedom/", "/author/editor-amal/", "/page/2/",
                                     "/2023/10/workshop-photos/", "/2022/05/removed-post/"]
    for _ in range(640):
        when = at(rng, 0, 23.99)
        path = rng.choice(paths)
        if path == "/2022/05/removed-post/":
            log.add(when, CRAWLER, "GET", path, 404, 15882, "-", CRAWLER_AGENT)
        elif path == "/robots.txt":
            log.add(when, CRAWLER, "GET", path, 200, 112, "-", CRAWLER_AGENT)
        elif rng.random() < 0.03:
            log.add(when, CRAWLER, "GET", path.rstrip("/"), 301, 0, "-", CRAWLER_AGENT)
        else:
            log.add(when, CRAWLER, "GET", path, 200, 20000 + rng.randrange(40000), "-", CRAWLER_AGENT)


def monitor(rng, log):
    for minute in range(0, 24 * 60, 5):
        when = DAY + dt.timedelta(minutes=minute, seconds=rng.randrange(0, 3))
        log.add(when, MONITOR, "GET", "/", 200, 48211 + rng.randrange(-900, 900), "-", MONITOR_AGENT)


def cron(rng, log):
    minute = 3
    while minute < 24 * 60:
        when = DAY + dt.timedelta(minutes=minute, seconds=rng.randrange(60))
        stamp = f"{int(when.timestamp())}.{rng.randrange(10**6):06d}"
        log.add(when, SERVER, "POST", f"/wp-cron.php?doing_wp_cron={stamp}", 200, 0, "-", CRON_AGENT)
        minute += rng.randrange(12, 31)


def editors(rng, log):
    for ip, start in EDITORS:
        agent = rng.choice(BROWSERS[:3])
        when = dt.datetime.combine(DAY.date(), start, tzinfo=ZONE)
        log.add(when, ip, "GET", "/wp-login.php", 200, 6843, "-", agent)
        when += dt.timedelta(seconds=rng.randrange(8, 20))
        log.add(when, ip, "POST", "/wp-login.php", 200, 7012, SITE + "/wp-login.php", agent)   # mistyped
        when += dt.timedelta(seconds=rng.randrange(8, 20))
        log.add(when, ip, "POST", "/wp-login.php", 302, 0, SITE + "/wp-login.php", agent)     # logged in
        when += dt.timedelta(seconds=1)
        log.add(when, ip, "GET", "/wp-admin/", 200, 58872, SITE + "/wp-login.php", agent)
        when += dt.timedelta(seconds=rng.randrange(5, 30))
        log.add(when, ip, "GET", "/wp-admin/post-new.php", 200, 91533, SITE + "/wp-admin/", agent)
        for _ in range(rng.randrange(6, 14)):
            when += dt.timedelta(seconds=rng.randrange(15, 120))
            log.add(when, ip, "POST", "/wp-admin/admin-ajax.php", 200, rng.randrange(40, 400),
                    SITE + "/wp-admin/post-new.php", agent)
        when += dt.timedelta(seconds=rng.randrange(30, 90))
        log.add(when, ip, "POST", "/wp-admin/post.php", 302, 0, SITE + "/wp-admin/post-new.php", agent)
        log.add(when + dt.timedelta(seconds=1), ip, "GET", "/wp-admin/post.php?post=%d&action=edit" % rng.randrange(900, 990),
                200, 93011, SITE + "/wp-admin/post-new.php", agent)


def scanner(rng, log):
    when = DAY + dt.timedelta(hours=5, minutes=12, seconds=40)
    for path in ["/.env", "/.git/config", "/wp-config.php.bak", "/wp-config.php~", "/backup.zip", "/db.sql",
                 "/phpmyadmin/", "/admin/", "/.aws/credentials", "/server-status", "/wp-content/debug.log",
                 "/.DS_Store", "/config.json", "/old/", "/test.php", "/info.php"]:
        status, size = (403, 199) if path == "/server-status" else (404, 15882)
        log.add(when, SCANNER, "GET", path, status, size, "-", SCANNER_AGENT)
        when += dt.timedelta(seconds=rng.choice([0, 1, 1, 2]))


def xmlrpc(rng, log):
    when = DAY + dt.timedelta(hours=11, minutes=38, seconds=5)
    log.add(when, XMLRPC_PROBER, "GET", "/?author=1", 301, 0, "-", XMLRPC_AGENT)
    when += dt.timedelta(seconds=2)
    log.add(when, XMLRPC_PROBER, "GET", "/xmlrpc.php", 405, 42, "-", XMLRPC_AGENT)
    for _ in range(96):
        when += dt.timedelta(seconds=rng.randrange(12, 45))
        log.add(when, XMLRPC_PROBER, "POST", "/xmlrpc.php", 200, rng.choice([403, 403, 411, 13388, 13402]), "-", XMLRPC_AGENT)


def attack(rng, log):
    names = [a for a, _ in ATTACKER_AGENTS]
    weights = [w for _, w in ATTACKER_AGENTS]
    def agent():
        return rng.choices(names, weights)[0]
    when = DAY + dt.timedelta(hours=2, minutes=41, seconds=3)
    log.add(when, ATTACKER, "GET", "/wp-login.php", 200, 6843, "-", names[0])
    for target, status, size in [("/?author=1", 301, 0), ("/author/editor-amal/", 200, 38120),
                                 ("/?author=2", 301, 0), ("/author/admin-civic/", 200, 30877),
                                 ("/wp-json/wp/v2/users", 200, 1873), ("/xmlrpc.php", 405, 42)]:
        when += dt.timedelta(seconds=rng.randrange(1, 3))
        log.add(when, ATTACKER, "GET", target, status, size, "-", names[0])
    when += dt.timedelta(seconds=41)
    for attempt in range(FAILED_LOGINS):
        if attempt == 260:  # the attack tool restarts and fetches the form again
            when += dt.timedelta(seconds=74)
            log.add(when, ATTACKER, "GET", "/wp-login.php", 200, 6843, "-", names[0])
            when += dt.timedelta(seconds=2)
        log.add(when, ATTACKER, "POST", "/wp-login.php", 200, 7012 + rng.choice([0, 0, 0, 16, 23]),
                SITE + "/wp-login.php", agent())
        when += dt.timedelta(seconds=rng.randrange(1, 6))
    log.add(when, ATTACKER, "POST", "/wp-login.php", 302, 0, SITE + "/wp-login.php", names[0])
    login_time = when
    # What the attacker did with the account.
    for delay, method, target, status, size in [
            (2, "GET", "/wp-admin/", 200, 58872),
            (9, "GET", "/wp-admin/plugin-install.php?tab=upload", 200, 64017),
            (14, "POST", "/wp-admin/update.php?action=upload-plugin", 200, 8711),
            (6, "GET", "/wp-content/plugins/civic-cache-tools/cct.php", 200, 31),
            (11, "GET", "/wp-content/plugins/civic-cache-tools/cct.php?c=id", 200, 54),
            (23, "GET", "/wp-content/plugins/civic-cache-tools/cct.php?c=cat+..%2Fwp-config.php", 200, 3290)]:
        when += dt.timedelta(seconds=delay)
        referer = SITE + ("/wp-login.php" if target == "/wp-admin/" else "/wp-admin/") if target.startswith("/wp-admin/") else "-"
        log.add(when, ATTACKER, method, target, status, size, referer, names[0])
    return login_time


def main():
    rng = random.Random(SEED)
    log = Log()
    readers(rng, log)
    crawler(rng, log)
    monitor(rng, log)
    cron(rng, log)
    editors(rng, log)
    scanner(rng, log)
    xmlrpc(rng, log)
    login_time = attack(rng, log)
    text = log.render()
    if "--stdout" in sys.argv[1:]:
        sys.stdout.write(text)
    else:
        out = pathlib.Path(__file__).resolve().parent.parent / "data" / "access.log"
        out.write_text(text, encoding="ascii", newline="\n")
        print(f"wrote {out}: {len(log.lines)} lines; successful login at {login_time.strftime('%d/%b/%Y:%H:%M:%S %z')}",
              file=sys.stderr)


if __name__ == "__main__":
    main()
