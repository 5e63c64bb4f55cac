#!/usr/bin/python3
"""Soak: the real inferd under mixed abuse, bounded in time and requests, loopback only.

Starts inferd (explicit model control) on a temporary repository that holds the two example digits
models and digits_npu (the INT8 model served by the ethosu backend on a host target agent), then for
--duration seconds, or until --max-requests requests were sent, runs at once:

  * --clients threads of valid inferences spread over the three models;
  * load/unload churn of digits_fp32 (so its requests also meet LOADING / UNAVAILABLE);
  * malformed requests interleaved (wrong shape, wrong datatype, unknown model, a 1 MB name, raw bytes
    of the wrong size, duplicate outputs, out-of-range typed contents, a bad version), each of which
    must be refused with the status it deserves;
  * the target agent killed (SIGKILL) mid-job, then started again on the same port.

Then it sends SIGTERM while the clients are still sending and checks that no response was lost:
every request either succeeded or was refused with UNAVAILABLE saying that the server is shutting
down. It prints requests sent, succeeded and failed by status; the daemon's RSS, threads and file
descriptors before (after warm-up) and after the churn; and the shutdown's figures.

    /usr/bin/python3 benchmarks/soak/soak.py [--build-dir build] [--duration 60] [--max-requests 200000]

Runs on Debian's interpreter with python3-grpcio, python3-protobuf and python3-numpy (the client
stubs come from tests/integration/python/inferd_pyclient.py). Exit status: 0 when every check held,
1 when one did not (the report says which).
"""

import argparse
import collections
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import grpc
import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests/integration/python"))
import inferd_pyclient  # noqa: E402  (needs the path above)

pb = inferd_pyclient.pb

NPU_CONFIG = """name: "digits_npu"
backend: "ethosu"
max_batch_size: 16
input [ { name: "images" data_type: TYPE_INT8 dims: [ 8, 8, 1 ] } ]
output [ { name: "scores" data_type: TYPE_INT8 dims: [ 10 ] } ]
"""


def process_figures(pid):
    """RSS (MiB), threads and open descriptors of a running process, from /proc."""
    rss_kib = threads = 0
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                rss_kib = int(line.split()[1])
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    descriptors = len(os.listdir(f"/proc/{pid}/fd"))
    return {"rss_mib": rss_kib / 1024.0, "threads": threads, "fds": descriptors}


class Agent:
    """inferd_target_agent on a loopback port; restartable on the same port."""

    def __init__(self, binary, port=0):
        self.binary = binary
        self.process = subprocess.Popen([binary, "--address=127.0.0.1", f"--port={port}"],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        line = self.process.stdout.readline()
        match = re.search(r"listening on \S+:(\d+)", line)
        if not match:
            raise RuntimeError(f"target agent did not start: {line!r}")
        self.port = int(match.group(1))
        threading.Thread(target=self.process.stdout.read, daemon=True).start()

    def kill(self):
        self.process.kill()
        self.process.wait()


class Daemon:
    def __init__(self, binary, repository, targets):
        self.process = subprocess.Popen(
            [binary, "--grpc-address=127.0.0.1", "--grpc-port=0", "--metrics-address=127.0.0.1",
             "--metrics-port=0", "--allow-http=false", f"--model-repository={repository}", f"--targets-config={targets}",
             "--model-control-mode=explicit", "--load-model=*", "--exit-timeout-secs=20"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.log = []
        self.port = None
        for line in self.process.stdout:
            self.log.append(line)
            if match := re.search(r"gRPC listening on \S*:(\d+)", line):
                self.port = int(match.group(1))
            if "inferd ready" in line:
                break
        else:
            raise RuntimeError("inferd exited before it was ready:\n" + "".join(self.log))
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.process.stdout:
            self.log.append(line)


class Tally:
    """Outcomes by kind of traffic and status code name, thread-safe."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts = collections.Counter()
        self.problems = []

    def add(self, kind, code, detail=""):
        with self.lock:
            self.counts[(kind, code)] += 1

    def problem(self, text):
        with self.lock:
            if len(self.problems) < 20:
                self.problems.append(text)

    def total(self, kind=None):
        with self.lock:
            return sum(n for (k, _), n in self.counts.items() if kind is None or k == kind)


def call(stub, request, timeout=30):
    try:
        return stub.ModelInfer(request, timeout=timeout), grpc.StatusCode.OK, ""
    except grpc.RpcError as error:
        return None, error.code(), error.details() or ""


def malformed_requests(images_int8):
    """(name, request, acceptable status codes) for each kind of bad input."""
    good = inferd_pyclient.make_infer_request("digits_int8", {"images": images_int8})
    cases = []
    wrong_shape = inferd_pyclient.make_infer_request("digits_int8", {"images": images_int8[:, :4]})
    cases.append(("wrong shape", wrong_shape, {grpc.StatusCode.INVALID_ARGUMENT}))
    wrong_type = inferd_pyclient.make_infer_request("digits_int8",
                                                    {"images": images_int8.astype(np.float32)})
    cases.append(("wrong datatype", wrong_type, {grpc.StatusCode.INVALID_ARGUMENT}))
    unknown = pb.ModelInferRequest()
    unknown.CopyFrom(good)
    unknown.model_name = "no_such_model"
    cases.append(("unknown model", unknown, {grpc.StatusCode.NOT_FOUND}))
    huge_name = pb.ModelInferRequest()
    huge_name.CopyFrom(good)
    huge_name.model_name = "m" * (1 << 20)
    cases.append(("1 MB model name", huge_name,
                  {grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND}))
    short_raw = pb.ModelInferRequest()
    short_raw.CopyFrom(good)
    short_raw.raw_input_contents[0] = short_raw.raw_input_contents[0][:-1]
    cases.append(("raw bytes of the wrong size", short_raw, {grpc.StatusCode.INVALID_ARGUMENT}))
    duplicates = pb.ModelInferRequest()
    duplicates.CopyFrom(good)
    for _ in range(1000):
        duplicates.outputs.add(name="scores")
    cases.append(("duplicate requested outputs", duplicates, {grpc.StatusCode.INVALID_ARGUMENT}))
    out_of_range = inferd_pyclient.make_infer_request("digits_int8", {"images": images_int8[:1]},
                                                      raw=False)
    out_of_range.inputs[0].contents.int_contents[0] = 300
    cases.append(("INT8 contents of 300", out_of_range, {grpc.StatusCode.INVALID_ARGUMENT}))
    bad_version = pb.ModelInferRequest()
    bad_version.CopyFrom(good)
    bad_version.model_version = "-1"
    cases.append(("version -1", bad_version, {grpc.StatusCode.INVALID_ARGUMENT}))
    return cases


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build-dir", default=str(REPO / "build"))
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of traffic (bound)")
    parser.add_argument("--max-requests", type=int, default=200000, help="request bound")
    parser.add_argument("--clients", type=int, default=4, help="threads of valid traffic")
    parser.add_argument("--kill-target-at", type=float, default=0.5,
                        help="fraction of --duration at which the target agent is killed")
    args = parser.parse_args()

    build = pathlib.Path(args.build_dir)
    inferd = build / "server/inferd"
    agent_binary = build / "backends/ethosu/inferd_target_agent"
    for binary in (inferd, agent_binary):
        if not binary.exists():
            sys.exit(f"soak: {binary} is missing; build first (scripts/setup.sh)")

    work = pathlib.Path(tempfile.mkdtemp(prefix="inferd-soak-"))
    repository = work / "models"
    for model in ("digits_int8", "digits_fp32"):
        shutil.copytree(REPO / "examples/models" / model, repository / model)
    (repository / "digits_npu/1").mkdir(parents=True)
    shutil.copy(REPO / "examples/models/digits_int8/1/model.tosa", repository / "digits_npu/1")
    (repository / "digits_npu/config.pbtxt").write_text(NPU_CONFIG)

    agent = Agent(str(agent_binary))
    targets = work / "targets.ini"
    targets.write_text(f"[target agent0]\nkind = tcp\naddress = 127.0.0.1:{agent.port}\n"
                       "job_timeout_ms = 10000\n")
    daemon = Daemon(str(inferd), repository, targets)
    pid = daemon.process.pid

    images = np.load(REPO / "examples/data/digits_test_images_int8.npy")
    images_int8 = images[:8].astype(np.int8)
    images_fp32 = images[:8].astype(np.float32)
    valid = [
        inferd_pyclient.make_infer_request("digits_int8", {"images": images_int8}),
        inferd_pyclient.make_infer_request("digits_fp32", {"images": images_fp32}),
        inferd_pyclient.make_infer_request("digits_npu", {"images": images_int8}),
    ]
    cases = malformed_requests(images_int8)

    channel = grpc.insecure_channel(f"127.0.0.1:{daemon.port}",
                                    options=[("grpc.max_send_message_length", 64 << 20),
                                             ("grpc.max_receive_message_length", 64 << 20)])
    stub = inferd_pyclient.pb_grpc.GRPCInferenceServiceStub(channel)
    for request in valid:  # warm-up: every model answers once before "before" is measured
        _, code, details = call(stub, request)
        if code != grpc.StatusCode.OK:
            sys.exit(f"soak: warm-up request to {request.model_name} failed: {code} {details}")
    before = process_figures(pid)

    tally = Tally()
    stop = threading.Event()
    sent = [0]
    sent_lock = threading.Lock()

    def take_ticket():
        with sent_lock:
            if sent[0] >= args.max_requests:
                stop.set()
                return False
            sent[0] += 1
            return True

    def valid_traffic(index):
        i = index
        while not stop.is_set() and take_ticket():
            request = valid[i % len(valid)]
            i += 1
            _, code, details = call(stub, request)
            tally.add("valid", code.name)
            model = request.model_name
            if code == grpc.StatusCode.OK:
                continue
            expected = (model == "digits_fp32" and code in (grpc.StatusCode.UNAVAILABLE,
                                                           grpc.StatusCode.NOT_FOUND)) or \
                       (model == "digits_npu" and code in (grpc.StatusCode.UNAVAILABLE,
                                                          grpc.StatusCode.DEADLINE_EXCEEDED))
            if not expected:
                tally.problem(f"valid request to {model}: {code.name}: {details[:200]}")

    def malformed_traffic():
        i = 0
        while not stop.is_set() and take_ticket():
            name, request, acceptable = cases[i % len(cases)]
            i += 1
            _, code, details = call(stub, request)
            tally.add("malformed", code.name)
            if code not in acceptable:
                tally.problem(f"malformed ({name}): {code.name}: {details[:200]}")
            if len(details) > 4096:
                tally.problem(f"malformed ({name}): a {len(details)}-byte error message")

    def churn():
        admin = inferd_pyclient.pb_grpc.GRPCInferenceServiceStub(channel)
        loads = 0
        while not stop.is_set() and take_ticket():
            for rpc, message in ((admin.RepositoryModelUnload, pb.RepositoryModelUnloadRequest),
                                 (admin.RepositoryModelLoad, pb.RepositoryModelLoadRequest)):
                try:
                    rpc(message(model_name="digits_fp32"), timeout=60)
                    tally.add("churn", "OK")
                except grpc.RpcError as error:
                    tally.add("churn", error.code().name)
                    tally.problem(f"churn: {error.code().name}: {error.details()[:200]}")
            loads += 1

    agent_restarts = []

    def kill_target():
        if stop.wait(args.duration * args.kill_target_at):
            return
        port = agent.port
        agent.kill()
        agent_restarts.append(Agent(str(agent_binary), port))

    workers = [threading.Thread(target=valid_traffic, args=(i,)) for i in range(args.clients)]
    workers += [threading.Thread(target=malformed_traffic), threading.Thread(target=churn),
                threading.Thread(target=kill_target)]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    stop.wait(args.duration)
    stop.set()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    # The churn may have left digits_fp32 unloaded; the "after" figures are taken with it loaded.
    try:
        stub.RepositoryModelLoad(pb.RepositoryModelLoadRequest(model_name="digits_fp32"), timeout=60)
    except grpc.RpcError as error:
        tally.problem(f"final load: {error.code().name}: {error.details()[:200]}")
    for request in valid:
        _, code, details = call(stub, request)
        if code != grpc.StatusCode.OK:
            tally.problem(f"after the soak, {request.model_name} answered {code.name}: {details[:200]}")
    after = process_figures(pid)

    # SIGTERM under load: clients keep sending until the daemon is gone.
    shutdown = Tally()
    stop_clients = threading.Event()

    def until_gone(index):
        i = index
        while not stop_clients.is_set():
            request = valid[i % 2]  # the CPU models: the agent may still be reconnecting
            i += 1
            _, code, details = call(stub, request, timeout=30)
            if code == grpc.StatusCode.UNAVAILABLE and "failed to connect" in details:
                # Sent after the listener closed: never accepted, so nothing was lost.
                shutdown.add("sigterm", "not connected (gone)")
                return
            shutdown.add("sigterm", code.name)
            if code == grpc.StatusCode.OK:
                continue
            if code == grpc.StatusCode.CANCELLED:
                # gRPC cancels calls that reached the connection but no handler before the listener
                # closed: no work was done for them (a response that was computed but not written
                # shows in the daemon's log, checked below).
                continue
            if code != grpc.StatusCode.UNAVAILABLE or "shutting down" not in details:
                shutdown.problem(f"during shutdown: {code.name}: {details[:200]}")

    clients = [threading.Thread(target=until_gone, args=(i,)) for i in range(args.clients)]
    for client in clients:
        client.start()
    # Let every client have a request in flight before the signal.
    deadline = time.monotonic() + 10
    while shutdown.total() < 4 * args.clients and time.monotonic() < deadline:
        time.sleep(0.01)
    signalled = time.monotonic()
    daemon.process.send_signal(signal.SIGTERM)
    exit_code = daemon.process.wait(timeout=60)
    exited = time.monotonic() - signalled
    stop_clients.set()
    for client in clients:
        client.join()
    channel.close()
    for running in [agent] + agent_restarts:
        if running.process.poll() is None:
            running.kill()
    daemon.reader.join(timeout=10)
    log = "".join(daemon.log)

    print(f"soak: {elapsed:.1f} s of traffic, {sent[0]} requests sent "
          f"({args.clients} valid clients, malformed, load/unload churn, target killed at "
          f"{args.kill_target_at * 100:.0f} %)")
    print(f"{'traffic':<10} {'status':<22} {'count':>8}")
    for (kind, code), count in sorted(tally.counts.items()):
        print(f"{kind:<10} {code:<22} {count:>8}")
    for (kind, code), count in sorted(shutdown.counts.items()):
        print(f"{kind:<10} {code:<22} {count:>8}")
    print(f"{'':<10} {'before':>10} {'after':>10}")
    for key in ("rss_mib", "threads", "fds"):
        print(f"{key:<10} {before[key]:>10.1f} {after[key]:>10.1f}")
    print(f"SIGTERM: exit code {exit_code} after {exited:.2f} s")

    problems = tally.problems + shutdown.problems
    if exit_code != 0:
        problems.append(f"inferd exited with {exit_code}")
    if "were not written" in log:
        problems.append("the daemon could not write every computed response before it stopped")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    shutil.rmtree(work, ignore_errors=True)
    print("soak: all checks held" if not problems else f"soak: {len(problems)} problem(s)")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
