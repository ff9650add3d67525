#!/usr/bin/env python3
"""Writes data/auth.log for the lab logs/sshd-auth.

Nine hours (5 November 2024, 00:00-09:00 UTC) of /var/log/auth.log, in syslog format, of the VPS
newsroom-vps that hosts a small newsroom's site: a deployment job that logs in with a key every
30 minutes, an administrator who logs in with a key in the morning, cron sessions, a port scanner
that connects without ever authenticating (many lines, no password), a bot guessing root's password,
and a password-guessing attack over many usernames that ends with an accepted password for `backup`.

Everything is invented: addresses come from the documentation ranges and names from .example.

Python 3 standard library only, fixed seed: the output is byte-for-byte the same on every run.
    python3 tools/make_auth_log.py            # writes data/auth.log next to tools/
    python3 tools/make_auth_log.py --stdout   # prints it
If the output changes, update the sha256 in lab.yaml (sha256sum data/auth.log) and the answers.
"""
import datetime as dt
import pathlib
import random
import sys

SEED = 20241105
DAY = dt.datetime(2024, 11, 5, 0, 0, 0)          # the server's clock is UTC
HOST = "newsroom-vps"

ATTACKER = "203.0.113.51"
ATTACKER_FAILURES = 212
INVALID_NAMES = ["admin", "test", "user", "oracle", "postgres", "ubuntu", "git", "ftpuser", "guest", "pi",
                 "support", "mysql", "deploy1", "jenkins", "hadoop", "www", "webmaster", "dev", "tomcat",
                 "ansible", "nagios", "docker", "minecraft", "es", "kafka", "steam", "test1"]
VALID_NAMES = ["root", "amina", "backup"]             # accounts that exist on the server
COMPROMISED = "backup"
ROOT_BOT = "192.0.2.201"
ROOT_BOT_FAILURES = 164
SCANNER = "198.51.100.66"
DEPLOY = ("deploy", "192.0.2.10", "ED25519 SHA256:q9Xb2cW7mT0aZlS3vYk1dN8eR4uJhP6oF5iC2gL7sQw", 1001)
ADMIN = ("amina", "198.51.100.20", "ED25519 SHA256:Hk3pV0nL8yR2tB6wQ9sE1cJ5mA7dG4fZ0uX2iO8rTy", 1000)
UIDS = {"root": 0, "amina": 1000, "deploy": 1001, "backup": 1002}


class Log:
    def __init__(self, rng):
        self.rng = rng
        self.lines = []
        self.pid = 1800

    def next_pid(self):
        self.pid += self.rng.randrange(3, 40)
        return self.pid

    def add(self, when, program, text):
        stamp = when.strftime("%b ") + ("%2d" % when.day) + when.strftime(" %H:%M:%S")
        self.lines.append((when, len(self.lines), f"{stamp} {HOST} {program}: {text}"))

    def render(self):
        return "".join(text + "\n" for _, _, text in sorted(self.lines))


def port(rng):
    return rng.randrange(32768, 61000)


def failed_attempt(log, when, ip, user):
    """One connection, one wrong password, as OpenSSH 9 writes it."""
    rng = log.rng
    pid, p = log.next_pid(), port(rng)
    sshd = f"sshd[{pid}]"
    if user in UIDS:
        log.add(when + dt.timedelta(seconds=2), sshd, f"Failed password for {user} from {ip} port {p} ssh2")
        log.add(when + dt.timedelta(seconds=3), sshd, f"Connection closed by authenticating user {user} {ip} port {p} [preauth]")
    else:
        log.add(when, sshd, f"Invalid user {user} from {ip} port {p}")
        log.add(when + dt.timedelta(seconds=2), sshd, f"Failed password for invalid user {user} from {ip} port {p} ssh2")
        log.add(when + dt.timedelta(seconds=3), sshd, f"Connection closed by invalid user {user} {ip} port {p} [preauth]")


def key_session(log, when, user, ip, key, minutes):
    rng = log.rng
    pid, p = log.next_pid(), port(rng)
    sshd = f"sshd[{pid}]"
    log.add(when, sshd, f"Accepted publickey for {user} from {ip} port {p} ssh2: {key}")
    log.add(when, sshd, f"pam_unix(sshd:session): session opened for user {user}(uid={UIDS[user]}) by (uid=0)")
    end = when + dt.timedelta(seconds=int(minutes * 60) + rng.randrange(0, 20))
    log.add(end, sshd, f"Received disconnect from {ip} port {p}:11: disconnected by user")
    log.add(end, sshd, f"Disconnected from user {user} {ip} port {p}")
    log.add(end, sshd, f"pam_unix(sshd:session): session closed for user {user}")


def deploy(log):
    user, ip, key, _ = DEPLOY
    for minute in range(7, 9 * 60, 30):
        key_session(log, DAY + dt.timedelta(minutes=minute, seconds=log.rng.randrange(60)), user, ip, key, 0.4)


def admin(log):
    user, ip, key, _ = ADMIN
    key_session(log, DAY + dt.timedelta(hours=8, minutes=12, seconds=40), user, ip, key, 23)


def cron(log):
    for minute in range(17, 9 * 60, 60):
        when = DAY + dt.timedelta(minutes=minute, seconds=1)
        pid = log.next_pid()
        log.add(when, f"CRON[{pid}]", "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)")
        log.add(when + dt.timedelta(seconds=1), f"CRON[{pid}]", "pam_unix(cron:session): session closed for user root")


def scanner(log):
    # Connects, reads the banner, leaves: many lines, no password ever tried.
    rng = log.rng
    when = DAY + dt.timedelta(hours=1, minutes=4, seconds=12)
    for i in range(260):
        pid, p = log.next_pid(), port(rng)
        if i % 13 == 0:
            log.add(when, f"sshd[{pid}]", f"banner exchange: Connection from {SCANNER} port {p}: invalid format")
        else:
            log.add(when, f"sshd[{pid}]", f"Connection closed by {SCANNER} port {p} [preauth]")
        when += dt.timedelta(seconds=rng.randrange(2, 25))


def root_bot(log):
    rng = log.rng
    when = DAY + dt.timedelta(hours=5, minutes=30, seconds=3)
    for _ in range(ROOT_BOT_FAILURES):
        failed_attempt(log, when, ROOT_BOT, "root")
        when += dt.timedelta(seconds=rng.randrange(6, 14))


def attack(log):
    rng = log.rng
    when = DAY + dt.timedelta(hours=3, minutes=2, seconds=11)
    names = INVALID_NAMES + VALID_NAMES
    plan = list(names)                                   # every name at least once
    while len(plan) < ATTACKER_FAILURES - 6:
        plan.append(rng.choice(names))
    rng.shuffle(plan)
    plan = [n for n in plan if n != COMPROMISED] + [COMPROMISED] * (ATTACKER_FAILURES - len([n for n in plan if n != COMPROMISED]))
    for user in plan:
        failed_attempt(log, when, ATTACKER, user)
        when += dt.timedelta(seconds=rng.randrange(12, 30))
    # The guess that worked.
    pid, p = log.next_pid(), port(rng)
    sshd = f"sshd[{pid}]"
    login = when + dt.timedelta(seconds=2)
    log.add(login, sshd, f"Accepted password for {COMPROMISED} from {ATTACKER} port {p} ssh2")
    log.add(login, sshd, f"pam_unix(sshd:session): session opened for user {COMPROMISED}(uid={UIDS[COMPROMISED]}) by (uid=0)")
    end = login + dt.timedelta(minutes=14, seconds=27)
    log.add(end, sshd, f"Received disconnect from {ATTACKER} port {p}:11: disconnected by user")
    log.add(end, sshd, f"Disconnected from user {COMPROMISED} {ATTACKER} port {p}")
    log.add(end, sshd, f"pam_unix(sshd:session): session closed for user {COMPROMISED}")
    return plan, login


def main():
    rng = random.Random(SEED)
    log = Log(rng)
    deploy(log)
    cron(log)
    scanner(log)
    plan, login = attack(log)
    root_bot(log)
    admin(log)
    text = log.render()
    if "--stdout" in sys.argv[1:]:
        sys.stdout.write(text)
    else:
        out = pathlib.Path(__file__).resolve().parent.parent / "data" / "auth.log"
        out.write_text(text, encoding="ascii", newline="\n")
        print(f"wrote {out}: {len(log.lines)} lines; attacker failures {len(plan)}, "
              f"distinct users {len(set(plan))}, login {login.isoformat()}Z", file=sys.stderr)


if __name__ == "__main__":
    main()
