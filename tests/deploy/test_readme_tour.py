"""The README's five-minute tour, run as written against a fresh daemon: every `$ command` of its
first console block runs in the repository root, in order, and prints what the README shows under it.

Rewritten before running, so that the test owns its daemon: `build/client/inferctl` becomes the
built inferctl with `--url` of a daemon on ephemeral loopback ports, and `localhost:8002` that
daemon's metrics port. Compared as shown, except that a line `...` stands for any lines and a time
in milliseconds ("2.094 ms") for any time (console_blocks.py). The explicit-mode commands of the
paragraph after the block run too, and must succeed and leave the states the README names. The
tour's block over HTTP is test_http_tour's.
"""
import os
import re
import subprocess
import sys
import unittest

from console_blocks import console_blocks, console_steps, matches
from deploy_support import INFERCTL, SOURCE_DIR

sys.path.insert(0, os.path.join(SOURCE_DIR, "tests/integration/python"))
from inferd_daemon import Daemon  # noqa: E402

README = os.path.join(SOURCE_DIR, "README.md")


def tour_section():
    with open(README) as readme:
        text = readme.read()
    start = text.index("## Five-minute tour")
    return text[start:text.index("\n## ", start + 1)]


class ReadmeTourTest(unittest.TestCase):
    def rewrite(self, command, daemon):
        command = command.replace("build/client/inferctl",
                                  f"{INFERCTL} --url 127.0.0.1:{daemon.grpc_port}")
        return command.replace("localhost:8002", f"127.0.0.1:{daemon.metrics_port}")

    def run_command(self, command):
        return subprocess.run(command, shell=True, cwd=SOURCE_DIR, capture_output=True, text=True)

    def test_console_block_prints_what_the_readme_shows(self):
        steps = console_steps(console_blocks(tour_section())[0])
        self.assertGreaterEqual(len(steps), 6)
        daemon = Daemon()
        try:
            for command, expected in steps:
                with self.subTest(command=command):
                    result = self.run_command(self.rewrite(command, daemon))
                    self.assertEqual(result.returncode, 0, result.stderr)
                    actual = result.stdout.splitlines()
                    self.assertTrue(matches(expected, actual),
                                    "README shows:\n" + "\n".join(expected) +
                                    "\n\ninferctl printed:\n" + result.stdout)
        finally:
            self.assertEqual(daemon.stop(), 0, "".join(daemon.log))

    def test_explicit_mode_commands(self):
        section = tour_section()
        start = re.search(r"`build/server/inferd (--model-control-mode=explicit[^`]*)`", section)
        self.assertIsNotNone(start, "the tour no longer shows how to start in explicit mode")
        client_commands = re.findall(r"`inferctl ((?:load|unload|list)\b[^`]*)`", section)
        self.assertEqual([c.split()[0] for c in client_commands], ["load", "unload", "list"])
        daemon = Daemon(*start.group(1).split())
        try:
            for command in client_commands:
                result = self.run_command(f"{INFERCTL} --url 127.0.0.1:{daemon.grpc_port} {command}")
                self.assertEqual(result.returncode, 0, f"inferctl {command}: {result.stderr}")
            # The last command is `list`: NAME VERSION STATE [REASON] under a header.
            states = {line.split()[0]: line.split()[2] for line in result.stdout.splitlines()[1:]}
            self.assertEqual(states, {"digits_fp32": "READY", "digits_int8": "UNAVAILABLE",
                                      "digits_int8_gpu": "UNAVAILABLE"})
        finally:
            self.assertEqual(daemon.stop(), 0, "".join(daemon.log))


if __name__ == "__main__":
    unittest.main()
