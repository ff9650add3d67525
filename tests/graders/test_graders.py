#!/usr/bin/env python3
"""Tests of the bundled graders (graders/run-command, graders/log-aggregate) and of the hostile
grader fixtures' layout.

The graders are run as the runner runs them: a JSON request on stdin, a JSON result expected on
stdout. Temporary folders stand in for /lab and /workspace, passed in the request's "lab_dir" and
"workspace" fields. When bubblewrap works here, the graders are also run inside a sandbox shaped
like the runner's (read-only /usr, /lab and /graders, private /tmp, no network, rlimits).

Standard library only: python3 -m unittest tests/graders/test_graders.py (or tests/graders/run.sh).
"""

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
GRADERS = os.path.join(SOURCE, "graders")
RUN_COMMAND = os.path.join(GRADERS, "run-command")
LOG_AGGREGATE = os.path.join(GRADERS, "log-aggregate")
HOSTILE = os.path.join(SOURCE, "tests", "fixtures", "hostile")

# The hidden evidence: the attacker here is 203.0.113.77; the learner's own copy had 203.0.113.9.
HIDDEN_LOG = "".join(
    [f'198.51.100.10 - - [14/Mar/2024:00:0{i}:00 +0100] "GET / HTTP/1.1" 200 512 "-" "curl/7.88.1"\n' for i in range(3)]
    + [f'203.0.113.77 - - [14/Mar/2024:02:{i:02d}:10 +0100] "POST /wp-login.php HTTP/1.1" 200 1234 "-" "python-requests/2.31.0"\n' for i in range(5)]
    + ['203.0.113.77 - - [14/Mar/2024:02:10:00 +0100] "POST /wp-login.php HTTP/1.1" 302 - "-" "curl/8.5.0"\n']
    + ['192.0.2.44 - - [14/Mar/2024:03:00:00 +0100] "GET /about/ HTTP/1.1" 200 900 "-" "Mozilla/5.0 (compatible; Examplebot/2.1)"\n']
)
TOP_IP = "awk '{print $1}' access.log | sort | uniq -c | sort -rn | head -1 | awk '{print $2}'"


def run_grader(program, request, timeout=60, env=None):
    """Runs a grader; returns (exit status, parsed result or None, stderr text, seconds)."""
    started = time.monotonic()
    process = subprocess.run(
        [sys.executable, program],
        input=json.dumps(request).encode() if not isinstance(request, bytes) else request,
        capture_output=True,
        timeout=timeout,
        env=env,
    )
    elapsed = time.monotonic() - started
    result = None
    if process.returncode == 0:
        result = json.loads(process.stdout.decode("utf-8"))  # exactly one JSON document, or this raises
        assert isinstance(result, dict), result
        assert isinstance(result["score"], (int, float)) and 0 <= result["score"] <= 1, result
        assert isinstance(result["message"], str) and result["message"], result
    return process.returncode, result, process.stderr.decode("utf-8", "replace"), elapsed


def processes_with(marker):
    """Pids whose command line contains `marker` (to prove nothing was left running)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                if marker.encode() in handle.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found


class GraderTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="infuse-grader-test-")
        self.lab = os.path.join(self.tmp, "lab")
        self.workspace = os.path.join(self.tmp, "workspace")
        self.scratch = os.path.join(self.tmp, "scratch")  # the graders' TMPDIR
        for folder in (self.lab, self.workspace, self.scratch):
            os.makedirs(folder)
        self.env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": self.scratch, "LANG": "C.UTF-8",
                    "TMPDIR": self.scratch, "INFUSE_GRADER_PROTOCOL": "1"}

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write(self, root, relative, content):
        path = os.path.join(root, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(content)
        return path

    def request(self, answer, options, language="en", params=None):
        return {"protocol": 1, "lab": "logs/test", "question": "q", "answer": answer,
                "workspace": self.workspace, "lab_dir": self.lab, "params": params or {},
                "seed": "test", "language": language, "options": options}


class RunCommandTest(GraderTestCase):
    def setUp(self):
        super().setUp()
        self.write(self.lab, "data/hidden/access.log", HIDDEN_LOG)
        self.options = {"evidence": "data/hidden/access.log", "input_name": "access.log", "reference": TOP_IP}

    def grade(self, answer, options=None, **kwargs):
        status, result, stderr, elapsed = run_grader(RUN_COMMAND, self.request(answer, options or self.options, **kwargs),
                                                     env=self.env)
        self.assertEqual(status, 0, stderr)
        return result, elapsed

    def grade_lab_error(self, options, answer="cat access.log"):
        status, _, stderr, _ = run_grader(RUN_COMMAND, self.request(answer, options), env=self.env)
        self.assertEqual(status, 2, stderr)
        self.assertIn("run-command:", stderr)
        return stderr

    # --- right and wrong commands

    def test_the_reference_command_is_right(self):
        result, _ = self.grade(TOP_IP)
        self.assertEqual(result["score"], 1.0)
        self.assertNotIn("unusable", result)

    def test_another_command_with_the_same_output_is_right(self):
        result, _ = self.grade("cut -d' ' -f1 access.log | sort | uniq -c | sort -nr | awk 'NR==1{print $2}'")
        self.assertEqual(result["score"], 1.0, result)

    def test_a_hard_coded_answer_from_the_learners_own_file_is_wrong(self):
        result, _ = self.grade("echo 203.0.113.9")
        self.assertEqual(result["score"], 0.0)
        self.assertIn("does not read access.log", result["message"])
        self.assertNotIn("203.0.113.77", result["message"], "the message must not give the expected output away")
        self.assertEqual(result["details"]["expected_line"], "203.0.113.77")

    def test_a_wrong_command_names_the_first_differing_line_but_never_quotes_the_hidden_evidence(self):
        result, _ = self.grade("awk '{print $1}' access.log | head -1")
        self.assertEqual(result["score"], 0.0)
        self.assertIn("Line 1", result["message"])
        self.assertNotIn("198.51.100.10", result["message"], "output on the hidden evidence must not be quoted back")
        self.assertNotIn("does not read", result["message"])
        self.assertEqual(result["details"]["got_line"], "198.51.100.10")  # the author sees it (test --verbose)

    def test_error_output_shows_a_tools_complaint_but_not_the_evidence(self):
        result, _ = self.grade("awk '{print $1' access.log")
        self.assertIn("awk:", result["message"])
        result, _ = self.grade("head -1 access.log >&2; exit 1")
        self.assertNotIn("198.51.100", result["message"])
        self.assertNotIn("203.0.113", result["message"])

    def test_too_many_lines(self):
        result, _ = self.grade("awk '{print $1}' access.log | sort | uniq -c | sort -rn | awk '{print $2}'")
        self.assertEqual(result["score"], 0.0)
        self.assertIn("3 lines, 1 were expected", result["message"])

    def test_a_command_that_prints_nothing(self):
        result, _ = self.grade("grep nothing-matches access.log")
        self.assertEqual(result["score"], 0.0)
        self.assertIn("printed nothing", result["message"])

    def test_a_failing_command_shows_its_status_and_error(self):
        result, _ = self.grade("awk '{' access.log")
        self.assertEqual(result["score"], 0.0)
        self.assertIn("exited with status 2", result["message"])
        self.assertIn("awk", result["message"])

    def test_a_missing_file_points_at_the_right_name(self):
        result, _ = self.grade("grep POST /var/log/apache2/access.log.1")
        self.assertEqual(result["score"], 0.0)
        self.assertIn("exited with status 2", result["message"])
        self.assertIn("called access.log", result["message"])

    def test_a_crashing_command(self):
        result, _ = self.grade("kill -SEGV $$")
        self.assertEqual(result["score"], 0.0)
        self.assertIn("signal 11", result["message"])

    def test_a_prompt_pasted_with_the_command_is_ignored(self):
        result, _ = self.grade("$ " + TOP_IP)
        self.assertEqual(result["score"], 1.0, result)

    def test_french_messages(self):
        result, _ = self.grade("true", language="fr")
        self.assertIn("n'a rien affiché", result["message"])

    # --- commands that do not end, or say too much

    def test_a_command_that_loops_forever_is_stopped_at_its_timeout(self):
        options = dict(self.options, timeout="1s")
        result, elapsed = self.grade("sleep 31.4159 & while :; do :; done", options)
        self.assertEqual(result["score"], 0.0)
        self.assertIn("did not finish within 1 s", result["message"])
        self.assertTrue(result["details"]["timed_out"])
        self.assertLess(elapsed, 4.0)
        self.assertEqual(processes_with("31.4159"), [], "the command's process group must be killed")

    def test_a_command_that_waits_for_input_reads_an_empty_stdin(self):
        result, elapsed = self.grade("cat")
        self.assertIn("printed nothing", result["message"])
        self.assertLess(elapsed, 4.0)

    def test_a_background_child_holding_stdout_does_not_hold_the_grader(self):
        result, elapsed = self.grade("sleep 27.1828 & " + TOP_IP)
        self.assertEqual(result["score"], 1.0, result)
        self.assertLess(elapsed, 4.0)
        self.assertEqual(processes_with("27.1828"), [])

    def test_huge_output_is_cut_and_refused(self):
        result, elapsed = self.grade("yes 203.0.113.77")
        self.assertEqual(result["score"], 0.0)
        self.assertIn("too much output", result["message"])
        self.assertTrue(result["details"]["too_much_output"])
        self.assertLess(elapsed, 4.0)

    def test_huge_output_on_stderr_is_harmless(self):
        result, _ = self.grade("head -c 20000000 /dev/zero | tr '\\0' e >&2; " + TOP_IP)
        self.assertEqual(result["score"], 1.0, result)
        self.assertLessEqual(len(result["details"]["stderr"]), 200)

    # --- answers that are not commands

    def test_nul_bytes_are_unusable(self):
        result, _ = self.grade("cat access.log\0rm -rf /")
        self.assertTrue(result.get("unusable"))
        self.assertEqual(result["score"], 0.0)
        self.assertIn("NUL", result["message"])

    def test_answers_over_4_kib_are_unusable(self):
        result, _ = self.grade("echo " + "a" * 4092)  # 4097 bytes
        self.assertTrue(result.get("unusable"))
        self.assertIn("4097 bytes", result["message"])
        result, _ = self.grade(TOP_IP + " " * (4096 - len(TOP_IP) - 1) + "#")  # exactly 4 KiB is fine
        self.assertFalse(result.get("unusable"))

    def test_an_empty_answer_is_unusable(self):
        for answer in ("", "   \n", "$ "):
            result, _ = self.grade(answer)
            self.assertTrue(result.get("unusable"), answer)

    # --- isolation of each run

    def test_the_command_works_on_a_copy_in_a_fresh_folder_that_is_removed(self):
        evidence = os.path.join(self.lab, "data/hidden/access.log")
        result, _ = self.grade("rm -f access.log; touch left-over; echo 203.0.113.77")
        self.assertEqual(result["score"], 1.0)  # right output, even if hard-coded: the reference decides
        with open(evidence, encoding="utf-8") as handle:
            self.assertEqual(handle.read(), HIDDEN_LOG)
        self.assertEqual(os.listdir(self.scratch), [], "temporary folders must be removed")
        self.assertEqual(os.listdir(self.workspace), [])

    def test_input_name_with_a_folder(self):
        options = dict(self.options, input_name="logs/web.log", reference="grep -c POST logs/web.log")
        result, _ = self.grade("grep POST logs/web.log | wc -l", options)
        self.assertEqual(result["score"], 1.0, result)

    def test_input_name_defaults_to_the_evidence_base_name(self):
        options = {"evidence": "data/hidden/access.log", "reference": "wc -l < access.log"}
        result, _ = self.grade("cat access.log | wc -l", options)
        self.assertEqual(result["score"], 1.0, result)

    def test_evidence_in_the_workspace(self):
        self.write(self.workspace, "mine.log", "a\nb\n")
        options = {"evidence": "workspace:mine.log", "reference": "wc -l < mine.log", "compare": "number"}
        result, _ = self.grade("wc -l mine.log", options)
        self.assertEqual(result["score"], 1.0, result)

    # --- comparisons

    def test_expected_file_with_lines_ignores_trailing_whitespace_and_blank_lines(self):
        self.write(self.lab, "data/expected.txt", "203.0.113.77\n\n\n")
        options = {"evidence": "data/hidden/access.log", "expected": "data/expected.txt"}
        result, _ = self.grade("printf '203.0.113.77   \\n'; grep -c nothing access.log >/dev/null; true", options)
        self.assertEqual(result["score"], 1.0, result)
        result, _ = self.grade("printf ' 203.0.113.77\\n'", options)
        self.assertEqual(result["score"], 0.0, "leading whitespace matters in lines mode")

    def test_exact(self):
        self.write(self.lab, "data/expected.txt", "203.0.113.77\n")
        options = {"evidence": "data/hidden/access.log", "expected": "data/expected.txt", "compare": "exact"}
        self.assertEqual(self.grade("echo 203.0.113.77; : access.log", options)[0]["score"], 1.0)
        result, _ = self.grade("printf '203.0.113.77\\n\\n'; : access.log", options)
        self.assertEqual(result["score"], 0.0)
        self.assertIn("byte 14", result["message"])

    def test_lines_unordered(self):
        options = {"evidence": "data/hidden/access.log", "compare": "lines-unordered",
                   "reference": "awk '{print $1}' access.log | sort -u"}
        result, _ = self.grade("awk '!seen[$1]++ {print $1}' access.log", options)
        self.assertEqual(result["score"], 1.0, result)
        result, _ = self.grade("awk '{print $1}' access.log | sort -u | head -2", options)
        self.assertEqual(result["score"], 0.0)
        self.assertIn("2 lines, 3 were expected", result["message"])
        result, _ = self.grade("awk '{print $NF}' access.log | sort -u | head -3", options)
        self.assertEqual(result["score"], 0.0)
        self.assertIn("not the right ones", result["message"])

    def test_first_line_ignores_the_rest_and_the_padding(self):
        options = {"evidence": "data/hidden/access.log", "compare": "first-line",
                   "reference": "awk '{print $1}' access.log | sort | uniq -c | sort -rn | head -1"}
        result, _ = self.grade("awk '{print $1}' access.log | sort | uniq -c | sort -rn", options)
        self.assertEqual(result["score"], 1.0, result)
        result, _ = self.grade("awk '{print $1}' access.log | sort | uniq -c | sort -n", options)
        self.assertEqual(result["score"], 0.0)
        self.assertIn("first line", result["message"])

    def test_number(self):
        options = {"evidence": "data/hidden/access.log", "compare": "number", "reference": "grep -c POST access.log"}
        for answer in ("grep -c POST access.log", "grep POST access.log | wc -l", "grep POST access.log > p; wc -l p"):
            self.assertEqual(self.grade(answer, options)[0]["score"], 1.0, answer)
        result, _ = self.grade("grep -c . access.log", options)
        self.assertEqual(result["score"], 0.0)
        self.assertIn("not the expected one", result["message"])
        self.assertNotIn("10", result["message"])
        result, _ = self.grade("echo many; : access.log", options)
        self.assertIn("number was expected", result["message"])
        self.assertEqual(self.grade("grep -c . access.log", dict(options, tolerance=4))[0]["score"], 1.0)  # 10 for 6
        self.assertEqual(self.grade("grep -c . access.log", dict(options, tolerance=3))[0]["score"], 0.0)

    # --- lab bugs: exit status 2, reason on stderr

    def test_lab_errors(self):
        self.assertIn("'evidence' is required", self.grade_lab_error({"reference": "true"}))
        self.assertIn("is not a file", self.grade_lab_error({"evidence": "data/nope.log", "reference": "true"}))
        self.assertIn("leaves the lab folder", self.grade_lab_error({"evidence": "../lab/data/hidden/access.log/../../../../etc/passwd", "reference": "true"}))
        self.assertIn("relative", self.grade_lab_error({"evidence": "/etc/passwd", "reference": "true"}))
        self.assertIn("exactly one", self.grade_lab_error({"evidence": "data/hidden/access.log"}))
        self.assertIn("exactly one", self.grade_lab_error(dict(self.options, expected="data/hidden/access.log")))
        self.assertIn("unknown option 'comapre'", self.grade_lab_error(dict(self.options, comapre="lines")))
        self.assertIn("'compare'", self.grade_lab_error(dict(self.options, compare="fuzzy")))
        self.assertIn("'timeout'", self.grade_lab_error(dict(self.options, timeout="soon")))
        self.assertIn("'input_name'", self.grade_lab_error(dict(self.options, input_name="../access.log")))
        self.assertIn("reference command failed", self.grade_lab_error(dict(self.options, reference="awk '{' access.log")))
        self.assertIn("reference command failed", self.grade_lab_error(dict(self.options, reference="sleep 5", timeout="0.5s")))

    def test_a_reference_that_matches_nothing_is_not_a_lab_error(self):
        options = dict(self.options, reference="grep nothing-matches access.log")  # grep's status 1
        result, _ = self.grade("grep 'also nothing' access.log", options)
        self.assertEqual(result["score"], 1.0, result)

    def test_a_bad_request_is_a_lab_error(self):
        status, _, stderr, _ = run_grader(RUN_COMMAND, b"{not json", env=self.env)
        self.assertEqual(status, 2)
        self.assertIn("not JSON", stderr)
        status, _, stderr, _ = run_grader(RUN_COMMAND, dict(self.request("x", self.options), protocol=2), env=self.env)
        self.assertEqual(status, 2)
        self.assertIn("protocol", stderr)


ACCESS_LOG = "".join(
    ['198.51.100.10 - - [14/Mar/2024:00:00:02 +0100] "GET / HTTP/1.1" 200 4903 "-" "curl/7.88.1"\n'] * 3
    + [f'203.0.113.148 - - [14/Mar/2024:02:41:{i:02d} +0100] "POST /wp-login.php HTTP/1.1" 200 3120 "https://blog.example/wp-login.php" "python-requests/2.31.0"\n' for i in range(40)]
    + ['203.0.113.148 - - [14/Mar/2024:03:04:33 +0100] "POST /wp-login.php HTTP/1.1" 302 - "-" "Go-http-client/1.1"\n']
    + ['203.0.113.148 - - [14/Mar/2024:03:04:35 +0100] "GET /wp-admin/ HTTP/1.1" 200 51200 "-" "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0"\n']
    + ['2001:db8::7 - alice [14/Mar/2024:04:00:00 +0100] "GET /xmlrpc.php HTTP/1.1" 405 42 "-" "curl/8.5.0"\n'] * 2
    + ['this line is not in any log format\n', '\n', '192.0.2.1 - - [14/Mar/2024:05:00:00 +0100] "\\x16\\x03\\x01" 400 0 "-" "-"\n']
    + ['192.0.2.2 - - [14/Mar/2024:05:00:01 +0100] "GET /old HTTP/1.0" 404 209\n']  # common log format
    + ['192.0.2.3 - - [14/Mar/2024:05:00:02 +0100] "GET /q?x=\\"y\\" HTTP/1.1" 200 10 "-" "agent with \\"quotes\\""\n']
    + ['garbage "with" [brackets]\n']
)


class LogAggregateTest(GraderTestCase):
    def setUp(self):
        super().setUp()
        self.write(self.lab, "data/access.log", ACCESS_LOG)

    def grade(self, answer, options, **kwargs):
        options = dict({"log": "lab:data/access.log"}, **options)
        status, result, stderr, _ = run_grader(LOG_AGGREGATE, self.request(answer, options, **kwargs), env=self.env)
        self.assertEqual(status, 0, stderr)
        return result

    def lab_error(self, options):
        options = dict({"log": "lab:data/access.log"}, **options)
        status, _, stderr, _ = run_grader(LOG_AGGREGATE, self.request("1", options), env=self.env)
        self.assertEqual(status, 2, stderr)
        self.assertIn("log-aggregate:", stderr)
        return stderr

    def test_count_with_a_filter(self):
        options = {"filter": {"ip": r"203\.0\.113\.148", "method": "POST", "path": r"/wp-login\.php", "status": "200"},
                   "compute": "count"}
        for answer in ("40", " 40 ", "+40"):
            self.assertEqual(self.grade(answer, options)["score"], 1.0, answer)
        result = self.grade("41", options)
        self.assertEqual(result["score"], 0.0)
        self.assertNotIn("40", result["message"])
        self.assertEqual(result["details"]["expected"], 40)

    def test_integers_ignore_grouping(self):
        self.write(self.lab, "data/big.log", ACCESS_LOG.splitlines(True)[0] * 1234)
        options = {"log": "data/big.log", "compute": "count"}
        for answer in ("1234", "1,234", "1 234", "1_234", "1\u202f234"):
            self.assertEqual(self.grade(answer, options)["score"], 1.0, answer)

    def test_unusable_integer(self):
        result = self.grade("about forty", {"compute": "count"})
        self.assertTrue(result["unusable"])
        self.assertEqual(result["score"], 0.0)

    def test_malformed_lines_are_skipped_and_counted(self):
        result = self.grade("50", {"compute": "count"})
        self.assertEqual(result["score"], 1.0, result)
        details = result["details"]
        self.assertEqual(details["malformed"], 2)
        self.assertEqual(details["parsed"], 50)
        self.assertEqual(details["lines"], 52)  # blank lines are not counted
        self.assertEqual(details["first_malformed_lines"], [48, 53])

    def test_top_ip_accepts_defanged_and_padded_addresses(self):
        options = {"filter": {"method": "POST"}, "compute": "top:ip"}
        for answer in ("203.0.113.148", "203.0.113[.]148", "203[.]0[.]113[.]148", "203.000.113.148", "203(.)0(.)113(.)148"):
            self.assertEqual(self.grade(answer, options)["score"], 1.0, answer)
        self.assertEqual(self.grade("198.51.100.10", options)["score"], 0.0)
        result = self.grade("evil.example", options)
        self.assertTrue(result["unusable"])

    def test_ipv6_in_any_form(self):
        options = {"filter": {"path": r"/xmlrpc\.php"}, "compute": "top:ip"}
        for answer in ("2001:db8::7", "2001:0db8:0000:0000:0000:0000:0000:0007", "2001:DB8::7", "[2001:db8::7]", "2001:db8[:]:7"):
            self.assertEqual(self.grade(answer, options)["score"], 1.0, answer)

    def test_ties_for_the_top_accept_any_of_them(self):
        self.write(self.lab, "data/tie.log", ACCESS_LOG.splitlines(True)[0] + ACCESS_LOG.splitlines(True)[-2])
        options = {"log": "data/tie.log", "compute": "top:ip"}
        self.assertEqual(self.grade("198.51.100.10", options)["score"], 1.0)
        result = self.grade("192.0.2.3", options)
        self.assertEqual(result["score"], 1.0)
        self.assertIn("tie", result["details"]["warning"])

    def test_distinct_ips_as_a_set_with_partial_credit(self):
        options = {"filter": {"status": "2.."}, "compute": "distinct:ip"}  # 198.51.100.10, 203.0.113.148, 192.0.2.3
        self.assertEqual(self.grade("198.51.100.10, 203.0.113.148, 192.0.2.3", options)["score"], 1.0)
        self.assertEqual(self.grade("192.0.2.3\n203.0.113[.]148\n198.51.100.10\n", options)["score"], 1.0)
        result = self.grade("198.51.100.10 203.0.113.148", options)
        self.assertAlmostEqual(result["score"], 2 / 3, places=3)
        self.assertIn("2 of the 3", result["message"])
        result = self.grade("198.51.100.10, 203.0.113.148, 192.0.2.99", options)
        self.assertAlmostEqual(result["score"], 1 / 3, places=3)  # (2 right - 1 wrong) / 3
        self.assertIn("1 of yours", result["message"])
        self.assertEqual(self.grade("192.0.2.99, 192.0.2.98", options)["score"], 0.0)
        self.assertTrue(self.grade(" , ", options)["unusable"])

    def test_distinct_agents_with_commas_and_semicolons_are_given_one_per_line(self):
        options = {"filter": {"ip": r"203\.0\.113\.148"}, "compute": "distinct:agent"}
        answer = ("python-requests/2.31.0\nGo-http-client/1.1\n"
                  "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0\n")
        self.assertEqual(self.grade(answer, options)["score"], 1.0)
        self.assertEqual(self.grade(answer.upper(), options)["score"], 1.0, "text is case-insensitive")
        self.assertEqual(self.grade(answer.upper(), dict(options, case="sensitive"))["score"], 0.0)

    def test_first_time_as_a_date_and_time_in_any_form(self):
        options = {"filter": {"status": "302"}, "compute": "first:time"}
        for answer in ("14/Mar/2024:03:04:33 +0100", "[14/Mar/2024:03:04:33 +0100]", "2024-03-14T03:04:33+01:00",
                       "2024-03-14 02:04:33Z", "2024-03-14T02:04:33 UTC", "2024-03-14 02:04:33"):
            self.assertEqual(self.grade(answer, options)["score"], 1.0, answer)
        self.assertEqual(self.grade("2024-03-14 03:04:33", options)["score"], 0.0, "no zone means UTC")
        self.assertEqual(self.grade("2024-03-14 02:04:35Z", dict(options, tolerance=5))["score"], 1.0)
        self.assertTrue(self.grade("after lunch", options)["unusable"])

    def test_last_path_as_text(self):
        options = {"filter": {"ip": r"203\.0\.113\.148"}, "compute": "last:path"}
        self.assertEqual(self.grade("/WP-ADMIN/", options)["score"], 1.0)
        self.assertEqual(self.grade('"/wp-admin/"', options)["score"], 1.0)
        self.assertEqual(self.grade("/wp-login.php", options)["score"], 0.0)

    def test_sum_of_bytes_counts_dashes_as_zero(self):
        options = {"filter": {"ip": r"203\.0\.113\.148"}, "compute": "sum:bytes"}
        self.assertEqual(self.grade(str(40 * 3120 + 51200), options)["score"], 1.0)

    def test_distinct_count(self):
        self.assertEqual(self.grade("6", {"compute": "distinct-count"})["score"], 1.0)
        self.assertEqual(self.grade("4", {"compute": "distinct-count:agent", "filter": {"status": "200"}})["score"], 1.0)

    def test_exclude(self):
        options = {"compute": "count", "exclude": {"agent": "curl/.*"}}
        self.assertEqual(self.grade("45", options)["score"], 1.0)

    def test_derived_fields_and_odd_lines(self):
        self.assertEqual(self.grade("14/Mar/2024:02", {"compute": "top:hour"})["score"], 1.0)
        self.assertEqual(self.grade("1", {"compute": "count", "filter": {"request": r"\\x16.*"}})["score"], 1.0)
        self.assertEqual(self.grade("1", {"compute": "count", "filter": {"user": "alice", "status": "405", "bytes": "42"}})["score"], 0.0)
        self.assertEqual(self.grade("2", {"compute": "count", "filter": {"user": "alice"}})["score"], 1.0)
        self.assertEqual(self.grade("1", {"compute": "count", "filter": {"status": "404", "agent": ""}})["score"], 1.0)
        self.assertEqual(self.grade('agent with \\"quotes\\"', {"compute": "top:agent", "filter": {"ip": r"192\.0\.2\.3"}})["score"], 1.0)

    def test_params_in_filters_are_matched_literally(self):
        options = {"compute": "count", "filter": {"ip": "{{attacker_ip}}"}}
        result = self.grade("42", options, params={"attacker_ip": "203.0.113.148"})
        self.assertEqual(result["score"], 1.0, result)
        result = self.grade("0", options, params={"attacker_ip": "203.0.113.14."})  # the dot is not a wildcard
        self.assertEqual(result["score"], 1.0, result)

    def test_the_log_in_the_workspace(self):
        self.write(self.workspace, "logs/access.log", ACCESS_LOG.splitlines(True)[0] * 5)
        self.assertEqual(self.grade("5", {"log": "workspace:logs/access.log", "compute": "count"})["score"], 1.0)

    def test_french_messages(self):
        result = self.grade("1", {"compute": "count"}, language="fr")
        self.assertIn("journal", result["message"])

    def test_nul_bytes_are_unusable(self):
        result = self.grade("40\0", {"compute": "count"})
        self.assertTrue(result["unusable"])

    def test_lab_errors(self):
        self.assertIn("'compute' is required", self.lab_error({}))
        self.assertIn("unknown field 'ipaddr'", self.lab_error({"compute": "top:ipaddr"}))
        self.assertIn("needs a field", self.lab_error({"compute": "top"}))
        self.assertIn("is not one of", self.lab_error({"compute": "median:bytes"}))
        self.assertIn("unknown field 'host'", self.lab_error({"compute": "count", "filter": {"host": "x"}}))
        self.assertIn("not RE2", self.lab_error({"compute": "count", "filter": {"path": "(?!/admin).*"}}))
        self.assertIn("not RE2", self.lab_error({"compute": "count", "filter": {"path": r"(a)\1"}}))
        self.assertIn("not RE2", self.lab_error({"compute": "count", "filter": {"path": r"a*+"}}))
        self.assertIn("bad regular expression", self.lab_error({"compute": "count", "filter": {"path": "("}}))
        self.assertIn("leaves the lab folder", self.lab_error({"log": "lab:../../etc/passwd", "compute": "count"}))
        self.assertIn("is not a file", self.lab_error({"log": "workspace:access.log", "compute": "count"}))
        self.assertIn("no line of the log matches", self.lab_error({"compute": "top:ip", "filter": {"status": "999"}}))
        self.assertIn("does not fit", self.lab_error({"compute": "count", "answer_kind": "set"}))
        self.assertIn("'answer_kind'", self.lab_error({"compute": "count", "answer_kind": "float"}))
        self.assertIn("unknown option 'filters'", self.lab_error({"compute": "count", "filters": {}}))
        self.assertIn("names no param", self.lab_error({"compute": "count", "filter": {"ip": "{{nope}}"}}))


class FilesTest(unittest.TestCase):
    def test_graders_are_executable_python_with_an_env_shebang(self):
        for program in (RUN_COMMAND, LOG_AGGREGATE):
            self.assertTrue(os.access(program, os.X_OK), program)
            with open(program, encoding="utf-8") as handle:
                self.assertEqual(handle.readline(), "#!/usr/bin/env python3\n")

    def test_hostile_fixtures(self):
        names = {"endless-loop", "fork-bomb", "memory-hog", "gigabyte-output", "network-connection", "read-home",
                 "write-outside-workspace", "kill-parent", "bad-json", "crash-segv", "sleep-forever-child",
                 "huge-stderr", "chmod-lab", "env-leak", "many-children-memory", "fill-tmp", "fill-workspace",
                 "workspace-symlink", "deep-json-reply", "utf8-message-cut", "invalid-utf8-message", "setsid-daemon"}
        self.assertEqual(set(os.listdir(HOSTILE)), names)
        for name in names:
            folder = os.path.join(HOSTILE, name)
            with open(os.path.join(folder, "lab.yaml"), encoding="utf-8") as handle:
                lab = handle.read()
            self.assertIn(f"id: hostile/{name}\n", lab)
            self.assertIn("expect: {q: fail}", lab)
            program = lab.split("program: ./", 1)[1].split(",", 1)[0]
            self.assertTrue(os.access(os.path.join(folder, program), os.X_OK), f"{name}: {program}")
            self.assertTrue(os.path.isfile(os.path.join(folder, "brief.md")), name)
            with open(os.path.join(folder, "expect.txt"), encoding="utf-8") as handle:
                lines = handle.read().split("\n")
            self.assertEqual(len(lines), 3, f"{name}: two lines, each ending in a new line")
            self.assertIn(lines[0], ("timed out", "killed by signal", "bad grader output", "wrong",
                                     "more than its memory limit grader-memory (128 MiB)",
                                     "nested deeper than 64 levels"), name)


def bwrap_works():
    if not shutil.which("bwrap") or not os.path.exists("/usr/bin/python3"):
        return False
    probe = subprocess.run(["bwrap", "--unshare-all", "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin",
                            "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64", "--", "/bin/true"],
                           capture_output=True)
    return probe.returncode == 0


@unittest.skipUnless(bwrap_works(), "bubblewrap cannot create namespaces here")
class InSandboxTest(GraderTestCase):
    """The graders inside a sandbox shaped like the runner's: do they start and work there?"""

    def sandboxed(self, program, answer, options):
        argv = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL"]
        for folder in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
            if os.path.islink(folder):
                argv += ["--symlink", os.readlink(folder), folder]
            elif os.path.isdir(folder):
                argv += ["--ro-bind", folder, folder]
        for path in ("/etc/alternatives", "/etc/ld.so.cache", "/etc/localtime"):
            argv += ["--ro-bind-try", path, path]
        argv += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--ro-bind", self.lab, "/lab",
                 "--ro-bind", GRADERS, "/graders", "--bind", self.workspace, "/workspace", "--chdir", "/workspace",
                 "--remount-ro", "/", "--", "/graders/" + program]
        request = self.request(answer, options)
        request.update(lab_dir="/lab", workspace="/workspace")

        def limits():
            for limit, value in ((resource.RLIMIT_CPU, 10), (resource.RLIMIT_AS, 512 << 20),
                                 (resource.RLIMIT_FSIZE, 64 << 20), (resource.RLIMIT_NOFILE, 256)):
                resource.setrlimit(limit, (value, value))

        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8", "TMPDIR": "/tmp",
               "INFUSE_GRADER_PROTOCOL": "1"}
        process = subprocess.run(argv, input=json.dumps(request).encode(), capture_output=True, env=env,
                                 preexec_fn=limits, timeout=30)
        self.assertEqual(process.returncode, 0, process.stderr.decode())
        return json.loads(process.stdout)

    def test_run_command_in_the_sandbox(self):
        self.write(self.lab, "data/hidden/access.log", HIDDEN_LOG)
        options = {"evidence": "data/hidden/access.log", "reference": TOP_IP, "timeout": "2s"}
        self.assertEqual(self.sandboxed("run-command", TOP_IP, options)["score"], 1.0)
        result = self.sandboxed("run-command", "while :; do :; done", options)
        self.assertIn("did not finish within 2 s", result["message"])
        result = self.sandboxed("run-command", "sort access.log > /lab/x; cat /lab/x", options)
        self.assertIn("exited with status", result["message"])
        self.assertEqual(os.listdir(self.workspace), [])

    def test_log_aggregate_in_the_sandbox(self):
        self.write(self.lab, "data/access.log", ACCESS_LOG)
        options = {"log": "lab:data/access.log", "compute": "top:ip", "filter": {"method": "POST"}}
        self.assertEqual(self.sandboxed("log-aggregate", "203.0.113[.]148", options)["score"], 1.0)


if __name__ == "__main__":
    unittest.main()
