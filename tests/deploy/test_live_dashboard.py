"""The Grafana dashboard and the alert rules on live data: Debian's Prometheus scrapes a real inferd
(CPU models, the GPU model on the machine's Vulkan device (lavapipe in CI), an Ethos-U model on a
real host agent, a target that never answers, a model that fails to load) while a client sends
traffic, good and bad, and every panel query and alert expression is evaluated through Prometheus's
query API. The queries are read from the dashboard and rules files.
"""
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

import numpy as np
import yaml

from deploy_support import DEPLOY_DIR, SOURCE_DIR, TARGET_AGENT, free_loopback_port, http_get, tool

sys.path.insert(0, os.path.join(SOURCE_DIR, "tests/integration/python"))
import inferd_pyclient  # noqa: E402
from inferd_daemon import Daemon  # noqa: E402

DASHBOARD = os.path.join(DEPLOY_DIR, "docker/grafana/dashboards/inferd.json")
ALERTS = os.path.join(DEPLOY_DIR, "prometheus/alerts.yml")
# How long Prometheus gets to scrape and evaluate enough samples (1 s apart) for every query.
PATIENCE_SECONDS = 120
# "<quantity> <comparison> <number>" at the end of an alert expression.
THRESHOLD = re.compile(r"^(?P<quantity>.*\S)\s*(==|!=|>=|<=|>|<)\s*[0-9.]+\s*$", re.S)

NPU_CONFIG = """name: "digits_npu"
backend: "ethosu"
max_batch_size: 16
input [ { name: "images" data_type: TYPE_INT8 dims: [ 8, 8, 1 ] } ]
output [ { name: "scores" data_type: TYPE_INT8 dims: [ 10 ] } ]
parameters { key: "target_selector" value: { string_value: "npu=ethos-u55-128" } }
"""


def dashboard_queries():
    with open(DASHBOARD) as dashboard:
        panels = json.load(dashboard)["panels"]
    return [(panel["title"], target["expr"]) for panel in panels for target in panel["targets"]]


def alert_rules():
    with open(ALERTS) as rules:
        return [rule for group in yaml.safe_load(rules)["groups"] for rule in group["rules"]
                if "alert" in rule]


def make_repository(root):
    """The examples, an ethosu copy of digits_int8, and a model whose file is not a model."""
    shutil.copytree(os.path.join(SOURCE_DIR, "examples/models"), root)
    os.makedirs(os.path.join(root, "digits_npu/1"))
    shutil.copy(os.path.join(root, "digits_int8/1/model.tosa"), os.path.join(root, "digits_npu/1"))
    with open(os.path.join(root, "digits_npu/config.pbtxt"), "w") as config:
        config.write(NPU_CONFIG)
    os.makedirs(os.path.join(root, "broken/1"))
    with open(os.path.join(root, "broken/1/model.tosa"), "wb") as model:
        model.write(b"this is not a TOSA flatbuffer")


class Traffic(threading.Thread):
    """Requests until stopped: the CPU, GPU and NPU models, and one bad request (wrong input name)
    and one for an unknown model in every ten, so that failures and their ratio have data too. A
    failing digits_int8_gpu (no Vulkan device, so no inferd_gpu_* series) is an unexpected error."""

    def __init__(self, grpc_port):
        super().__init__(daemon=True)
        self.client = inferd_pyclient.connect(f"127.0.0.1:{grpc_port}", timeout=30)
        self.stopping = threading.Event()
        self.sent = 0
        self.unexpected = []

    def run(self):
        images_fp32 = np.zeros((4, 8, 8, 1), np.float32)
        images_int8 = np.zeros((4, 8, 8, 1), np.int8)
        while not self.stopping.is_set():
            try:
                self.client.infer("digits_fp32", {"images": images_fp32})
                self.client.infer("digits_int8", {"images": images_int8})
                self.client.infer("digits_int8_gpu", {"images": images_int8})
                self.client.infer("digits_npu", {"images": images_int8})
            except Exception as error:  # the test reports these; the traffic goes on
                self.unexpected.append(repr(error))
            self.sent += 1
            if self.sent % 10 == 0:
                for model, name in (("digits_fp32", "not_an_input"), ("no_such_model", "images")):
                    try:
                        self.client.infer(model, {name: images_fp32})
                        self.unexpected.append(f"{model} with input {name} succeeded")
                    except inferd_pyclient.grpc.RpcError:
                        pass

    def stop(self):
        self.stopping.set()
        self.join(timeout=60)
        self.client.close()


class LiveDashboardTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        prometheus = tool("prometheus", "prometheus")
        cls.dir = tempfile.mkdtemp(prefix="inferd-live-dashboard-")
        repository = os.path.join(cls.dir, "models")
        make_repository(repository)

        cls.agent = subprocess.Popen([TARGET_AGENT, "--port=0", "--npu=ethos-u55-128"],
                                     stdout=subprocess.PIPE, text=True)
        listening = cls.agent.stdout.readline()
        agent_address = re.search(r"listening on (\S+)", listening).group(1)
        targets = os.path.join(cls.dir, "targets.ini")
        with open(targets, "w") as config:
            config.write(f"[target agent0]\nkind = tcp\naddress = {agent_address}\n\n"
                         f"[target ghost]\nkind = tcp\naddress = 127.0.0.1:{free_loopback_port()}\n"
                         "labels = npu=ghost\nconnect_timeout_ms = 200\n")
        cls.daemon = Daemon("--model-repository=" + repository, "--targets-config=" + targets)

        cls.prometheus_port = free_loopback_port()
        with open(os.path.join(cls.dir, "prometheus.yml"), "w") as config:
            yaml.safe_dump({
                "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                "rule_files": [ALERTS],
                "scrape_configs": [{"job_name": "inferd", "static_configs": [
                    {"targets": [f"127.0.0.1:{cls.daemon.metrics_port}"]}]}],
            }, config)
        cls.prometheus_log = open(os.path.join(cls.dir, "prometheus.log"), "w")
        cls.prometheus = subprocess.Popen(
            [prometheus, "--config.file=" + os.path.join(cls.dir, "prometheus.yml"),
             "--storage.tsdb.path=" + os.path.join(cls.dir, "data"),
             f"--web.listen-address=127.0.0.1:{cls.prometheus_port}"],
            stdout=cls.prometheus_log, stderr=subprocess.STDOUT)
        cls.traffic = Traffic(cls.daemon.grpc_port)
        cls.traffic.start()
        give_up = time.monotonic() + PATIENCE_SECONDS
        while not cls.prometheus_ready():
            if time.monotonic() > give_up or cls.prometheus.poll() is not None:
                raise RuntimeError(f"Prometheus did not become ready; its log is in {cls.dir}")
            time.sleep(0.2)  # poll interval

    @classmethod
    def prometheus_ready(cls):
        try:
            http_get(cls.prometheus_port, "/-/ready")
            return True
        except OSError:
            return False

    @classmethod
    def tearDownClass(cls):
        cls.traffic.stop()
        cls.prometheus.terminate()
        cls.prometheus.wait(timeout=60)
        cls.prometheus_log.close()
        code = cls.daemon.stop()
        cls.agent.terminate()
        cls.agent.wait(timeout=60)
        shutil.rmtree(cls.dir)
        assert code == 0, "".join(cls.daemon.log)

    def query(self, expression):
        """Prometheus's answer for `expression` now: (status, [samples]); status 'error' when the
        server is not up yet or refuses the expression."""
        path = "/api/v1/query?" + urllib.parse.urlencode({"query": expression})
        try:
            answer = json.loads(http_get(self.prometheus_port, path))
        except (OSError, ValueError) as error:
            return "error", str(error)
        return answer["status"], answer.get("data", {}).get("result", answer.get("error"))

    def wait_for_data(self, expressions):
        """Polls Prometheus (it scrapes and evaluates on its own 1 s clock) until every expression
        returns at least one finite sample, or the patience runs out; returns those that did not."""
        waiting = dict(expressions)
        give_up = time.monotonic() + PATIENCE_SECONDS
        while waiting and time.monotonic() < give_up:
            for name, expression in list(waiting.items()):
                status, samples = self.query(expression)
                if status == "success" and any(math.isfinite(float(s["value"][1])) for s in samples):
                    del waiting[name]
            if waiting:
                time.sleep(0.5)  # poll interval, not a guess at how long anything takes
        return {name: (expression, self.query(expression)) for name, expression in waiting.items()}

    def test_every_panel_query_returns_data(self):
        queries = dashboard_queries()
        self.assertGreaterEqual(len(queries), 19)
        self.assertTrue(any("inferd_gpu_device_lost" in query for _, query in queries))
        missing = self.wait_for_data(queries)
        self.assertEqual(missing, {}, "panels without data")
        self.assertEqual(self.traffic.unexpected, [])

    def test_every_alert_expression_evaluates_with_data(self):
        # An alert that is not firing has no samples; its quantity (the expression before the final
        # comparison) must have them. Expressions without such a comparison must fire here.
        quantities = {}
        for rule in alert_rules():
            status, result = self.query(rule["expr"])
            self.assertNotEqual(status, "error", f"{rule['alert']}: {result}")
            match = THRESHOLD.match(rule["expr"])
            quantities[rule["alert"]] = match.group("quantity") if match else rule["expr"]
        self.assertEqual(self.wait_for_data(quantities.items()), {}, "alert quantities without data")

    def test_induced_faults_raise_their_alerts(self):
        # The ghost target never answers, 'broken' cannot load, and one digits_fp32 request in eleven
        # is refused: those alerts must be pending (or firing) in Prometheus itself.
        expected = {("InferdTargetDown", "target", "ghost"), ("InferdModelLoadFailed", "model", "broken"),
                    ("InferdRequestFailureRatioHigh", "model", "digits_fp32")}
        give_up = time.monotonic() + PATIENCE_SECONDS
        active = set()
        while time.monotonic() < give_up and not expected <= active:
            try:
                alerts = json.loads(http_get(self.prometheus_port, "/api/v1/alerts"))["data"]["alerts"]
            except (OSError, ValueError):
                alerts = []
            active = {(a["labels"]["alertname"], key, a["labels"].get(key)) for a in alerts
                      for key in ("target", "model") if a["state"] in ("pending", "firing")}
            if not expected <= active:
                time.sleep(0.5)  # poll interval
        self.assertLessEqual(expected, active)


if __name__ == "__main__":
    unittest.main()
