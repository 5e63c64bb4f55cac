"""deploy/prometheus/alerts.yml passes Debian's `promtool check rules`, and its unit tests
(alerts_test.yml: every alert fires on the series that should fire it, and only then) pass
`promtool test rules`.
"""
import os
import subprocess
import unittest

import yaml

from deploy_support import DEPLOY_DIR, tool

RULES_DIR = os.path.join(DEPLOY_DIR, "prometheus")


class PrometheusRulesTest(unittest.TestCase):
    def promtool(self, *args):
        result = subprocess.run([tool("promtool", "prometheus"), *args], cwd=RULES_DIR,
                                capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_rules_are_valid(self):
        self.promtool("check", "rules", "alerts.yml")

    def test_rules_unit_tests_pass(self):
        self.promtool("test", "rules", "alerts_test.yml")

    def test_every_alert_has_a_unit_test(self):
        with open(os.path.join(RULES_DIR, "alerts.yml")) as rules:
            alerts = {rule["alert"] for group in yaml.safe_load(rules)["groups"]
                      for rule in group["rules"] if "alert" in rule}
        with open(os.path.join(RULES_DIR, "alerts_test.yml")) as tests:
            tested = {case["alertname"] for test in yaml.safe_load(tests)["tests"]
                      for case in test.get("alert_rule_test", []) if case.get("exp_alerts")}
        self.assertEqual(alerts - tested, set(), "alerts no unit test sees firing")


if __name__ == "__main__":
    unittest.main()
