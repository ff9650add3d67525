#!/usr/bin/env python3
"""Writes data/access.log for the lab logs/request-flood.

One hour and a half (12 February 2025, 14:00-15:30, +0100) of the nginx access log, in combined
format, of www.openrights.example: readers, a search-engine crawler, an uptime monitor, a request
flood from one address against the search page (14:31-14:34, peak in the minute 14:32), and two
clients asking for /.git/config: the first gets it (200, the repository was exposed), the second,
after the admin blocked dot-files, gets 403.

Everything is invented: addresses come from the documentation ranges and names from .example.

Python 3 standard library only, fixed seed: the output is byte-for-byte the same on every run.
    python3 tools/make_access_log.py            # writes data/access.log next to tools/
    python3 tools/make_access_log.py --stdout   # prints it
If the output changes, update the sha256 in lab.yaml (sha256sum data/access.log) and the answers.
"""
import collections
import datetime as dt
import pathlib
import random
import sys

SEED = 20250212
ZONE = dt.timezone(dt.timedelta(hours=1))
START = dt.datetime(2025, 2, 12, 14, 0, 0, tzinfo=ZONE)
SITE = "https://www.openrights.example"

FLOODER = "198.51.100.77"
FLOOD_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
FLOOD_PER_MINUTE = {31: 840, 32: 2370, 33: 1460, 34: 290}   # minute of 14:xx -> requests
CRAWLER = "192.0.2.44"
MONITOR = "198.51.100.10"
GIT_LEAK = "203.0.113.199"
GIT_BLOCKED = "192.0.2.88"

BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/132.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:135.0) Gecko/20100101 Firefox/135.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.2 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/132.0.0.0 Mobile Safari/537.36",
]
CRAWLER_AGENT = "Mozilla/5.0 (compatible; Examplebot/2.1; +https://search.example/bot.html)"
PAGES = [("/", 35120), ("/campaigns/", 28711), ("/campaigns/stop-shutdowns/", 41932), ("/about/", 19820),
         ("/press/", 24410), ("/donate/", 17033), ("/search?q=surveillance", 21877)]
SEARCH_TERMS = ["surveillance", "shutdown", "vpn", "report", "privacy", "spyware", "censorship", "encryption"]


class Log:
    def __init__(self):
        self.lines = []

    def add(self, when, ip, method, target, status, size, referer="-", agent="-"):
        stamp = when.strftime("%d/%b/%Y:%H:%M:%S %z")
        text = f'{ip} - - [{stamp}] "{method} {target} HTTP/1.1" {status} {size} "{referer}" "{agent}"'
        self.lines.append((when, len(self.lines), text))

    def render(self):
        return "".join(text + "\n" for _, _, text in sorted(self.lines))


def readers(rng, log):
    for _ in range(140):
        ip = f"{rng.choice(['192.0.2', '198.51.100', '203.0.113'])}.{rng.randrange(2, 254)}"
        if ip in (FLOODER, CRAWLER, MONITOR, GIT_LEAK, GIT_BLOCKED):
            continue
        agent = rng.choice(BROWSERS)
        when = START + dt.timedelta(seconds=rng.randrange(0, 90 * 60 - 600))
        for _ in range(rng.choice([1, 2, 3])):
            page, size = rng.choice(PAGES)
            log.add(when, ip, "GET", page, 200, size + rng.randrange(-300, 300), "-", agent)
            log.add(when + dt.timedelta(seconds=1), ip, "GET", "/static/app.css", 200, 18230, SITE + page, agent)
            when += dt.timedelta(seconds=rng.randrange(20, 200))


def crawler(rng, log):
    for _ in range(420):
        page, size = rng.choice(PAGES + [("/robots.txt", 67), ("/sitemap.xml", 3120)])
        log.add(START + dt.timedelta(seconds=rng.randrange(0, 90 * 60)), CRAWLER, "GET", page, 200, size, "-", CRAWLER_AGENT)


def monitor(rng, log):
    for minute in range(0, 90):
        log.add(START + dt.timedelta(minutes=minute, seconds=rng.randrange(0, 2)), MONITOR, "HEAD", "/", 200, 0,
                "-", "Uptime-Check/1.3 (+https://status.example.net)")


def flood(rng, log):
    for minute, count in FLOOD_PER_MINUTE.items():
        base = START + dt.timedelta(minutes=minute)
        for _ in range(count):
            when = base + dt.timedelta(seconds=rng.randrange(60))
            term = rng.choice(SEARCH_TERMS) + str(rng.randrange(100000))
            # The site slows down, then nginx's limit starts answering 503 for part of the flood.
            status, size = (503, 197) if minute >= 32 and rng.random() < 0.35 else (200, 21000 + rng.randrange(2000))
            log.add(when, FLOODER, "GET", f"/search?q={term}", status, size, "-", FLOOD_AGENT)


def git_probes(log):
    leak = START + dt.timedelta(minutes=7, seconds=31)
    agent = "Mozilla/5.0 (compatible; GitScout/1.2)"
    log.add(leak, GIT_LEAK, "GET", "/.git/HEAD", 200, 23, "-", agent)
    log.add(leak + dt.timedelta(seconds=1), GIT_LEAK, "GET", "/.git/config", 200, 312, "-", agent)
    log.add(leak + dt.timedelta(seconds=2), GIT_LEAK, "GET", "/.git/index", 200, 48211, "-", agent)
    log.add(leak + dt.timedelta(seconds=3), GIT_LEAK, "GET", "/.git/logs/HEAD", 200, 1740, "-", agent)
    blocked = START + dt.timedelta(minutes=51, seconds=10)
    agent2 = "python-requests/2.32.3"
    log.add(blocked, GIT_BLOCKED, "GET", "/.env", 403, 153, "-", agent2)
    log.add(blocked + dt.timedelta(seconds=1), GIT_BLOCKED, "GET", "/.git/config", 403, 153, "-", agent2)
    log.add(blocked + dt.timedelta(seconds=1), GIT_BLOCKED, "GET", "/wp-config.php.bak", 404, 162, "-", agent2)


def main():
    rng = random.Random(SEED)
    log = Log()
    readers(rng, log)
    crawler(rng, log)
    monitor(rng, log)
    flood(rng, log)
    git_probes(log)
    text = log.render()
    per_minute = collections.Counter(w.strftime("%H:%M") for w, _, _ in log.lines)
    peak, total = per_minute.most_common(1)[0]
    if "--stdout" in sys.argv[1:]:
        sys.stdout.write(text)
    else:
        out = pathlib.Path(__file__).resolve().parent.parent / "data" / "access.log"
        out.write_text(text, encoding="ascii", newline="\n")
        print(f"wrote {out}: {len(log.lines)} lines; peak minute {peak} with {total} requests "
              f"({total / 60:.2f}/s)", file=sys.stderr)


if __name__ == "__main__":
    main()
