"""deploy/systemd: the unit as the package installs it (`cmake --install` into a scratch root) passes
`systemd-analyze verify` without a warning and `systemd-analyze security` at a low exposure, its
ExecReload sends SIGHUP to the daemon (which rereads its TLS files and keeps serving), and the flags
in /etc/default/inferd are flags the daemon accepts, with a drain shorter than the stop timeout.
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import unittest

from deploy_support import BINARY, BUILD_DIR, SOURCE_DIR, flag_values, inferd_default, inferd_flags, tool

sys.path.insert(0, os.path.join(SOURCE_DIR, "tests/integration/python"))
from inferd_daemon import Daemon  # noqa: E402

UNIT = "/usr/lib/systemd/system/inferd.service"
# systemd-analyze's exposure score times ten: 1.2 today; a unit weakened past 2.0 fails.
EXPOSURE_THRESHOLD = 20


def unit_setting(text, key):
    values = re.findall(r"^" + key + r"=(.*)$", text, re.M)
    if len(values) != 1:
        raise AssertionError(f"expected one {key}= in the unit, found {values}")
    return values[0].strip()


class SystemdUnitTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.systemd_analyze = tool("systemd-analyze", "systemd")
        cls.root = tempfile.mkdtemp(prefix="inferd-systemd-root-")
        subprocess.run(["cmake", "--install", BUILD_DIR, "--prefix", "/usr"], check=True,
                       capture_output=True, env=dict(os.environ, DESTDIR=cls.root))
        # The units the package's unit refers to (multi-user.target, sysinit.target, ...) come from
        # the host's systemd, as they would on the machine the package is installed on.
        shutil.copytree("/lib/systemd/system", cls.root + "/usr/lib/systemd/system",
                        dirs_exist_ok=True, symlinks=True)
        # ExecReload's /bin/sh is Debian's (dash, Essential: on every machine the package goes on).
        os.makedirs(cls.root + "/bin")
        shutil.copy("/bin/sh", cls.root + "/bin/sh")
        with open(cls.root + UNIT) as unit:
            cls.unit = unit.read()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.root)

    def analyze(self, *args):
        return subprocess.run([self.systemd_analyze, "--root=" + self.root, *args],
                              capture_output=True, text=True)

    def test_verify_passes_without_a_warning(self):
        # verify exits 0 on unknown keys and unparsable values; its output is where they show.
        result = self.analyze("verify", UNIT)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout + result.stderr, "")

    def test_exposure_stays_low(self):
        result = self.analyze("security", "--offline=yes", f"--threshold={EXPOSURE_THRESHOLD}", UNIT)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_runs_the_installed_daemon_without_privileges(self):
        command = shlex.split(unit_setting(self.unit, "ExecStart"))
        self.assertEqual(command, ["/usr/bin/inferd", "$INFERD_OPTS"])
        self.assertTrue(os.access(self.root + command[0], os.X_OK))
        self.assertEqual(unit_setting(self.unit, "DynamicUser"), "yes")
        self.assertEqual(unit_setting(self.unit, "CapabilityBoundingSet"), "")
        self.assertEqual(unit_setting(self.unit, "NoNewPrivileges"), "yes")
        self.assertEqual(unit_setting(self.unit, "ProtectSystem"), "strict")
        self.assertEqual(unit_setting(self.unit, "KillSignal"), "SIGTERM")

    def test_reload_sends_sighup_to_the_daemon_which_keeps_serving(self):
        # ExecReload as systemd runs it: $MAINPID is in its environment (and substituted by systemd).
        command = shlex.split(unit_setting(self.unit, "ExecReload"))
        self.assertEqual(command[:2], ["/bin/sh", "-c"])
        daemon = Daemon()
        try:
            reload = subprocess.run(command, env=dict(os.environ, MAINPID=str(daemon.process.pid)),
                                    capture_output=True, text=True)
            self.assertEqual(reload.returncode, 0, reload.stderr)
            for line in daemon.process.stdout:
                daemon.log.append(line)
                if "received SIGHUP" in line:
                    break
            self.assertIn("received SIGHUP", "".join(daemon.log))
            self.assertIsNone(daemon.process.poll(), "inferd exited on SIGHUP")
        finally:
            code = daemon.stop()
        self.assertEqual(code, 0, "".join(daemon.log))

    def test_default_flags_are_the_daemons_and_drain_within_the_stop_timeout(self):
        self.assertEqual(unit_setting(self.unit, "EnvironmentFile"), "-/etc/default/inferd")
        with open(self.root + "/etc/default/inferd") as defaults:
            options = re.search(r'^INFERD_OPTS="(.*)"$', defaults.read(), re.M).group(1)
        args = shlex.split(options)
        values = flag_values(args)
        listed = inferd_flags()
        for name in values:
            if name not in listed:
                self.fail(f"/etc/default/inferd: --{name} is not a flag `inferd --help` lists")
        parsed = subprocess.run([BINARY, *args, "--help"], capture_output=True, text=True)
        self.assertEqual(parsed.returncode, 0, parsed.stderr)
        self.assertTrue(os.path.isdir(self.root + values["model-repository"]))
        exit_timeout = int(values.get("exit-timeout-secs", inferd_default("exit-timeout-secs")))
        stop_timeout = int(unit_setting(self.unit, "TimeoutStopSec"))
        self.assertGreater(stop_timeout, exit_timeout, "systemd would SIGKILL inferd while it drains")


if __name__ == "__main__":
    unittest.main()
