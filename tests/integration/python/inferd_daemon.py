"""The real inferd daemon on ephemeral loopback ports, for the Python tests (interop, deploy).

INFERD_BINARY and INFERD_SOURCE_DIR come from ctest's environment; without them the paths of a
default checkout and build are used.
"""
import os
import re
import subprocess

SOURCE_DIR = os.environ.get("INFERD_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "../../.."))
BINARY = os.environ.get("INFERD_BINARY", os.path.join(SOURCE_DIR, "build/server/inferd"))


class Daemon:
    """Started with `args` after the loopback defaults; ready once it logs 'inferd ready'."""

    def __init__(self, *args, binary=BINARY):
        self.process = subprocess.Popen(
            [binary, "--grpc-address=127.0.0.1", "--grpc-port=0", "--metrics-address=127.0.0.1",
             "--metrics-port=0", "--http-address=127.0.0.1", "--http-port=0",
             "--model-repository=" + os.path.join(SOURCE_DIR, "examples/models"),
             *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.log = []
        self.grpc_port = self.metrics_port = self.http_port = None
        for line in self.process.stdout:
            self.log.append(line)
            if m := re.search(r"gRPC listening on \S*:(\d+)", line):
                self.grpc_port = int(m.group(1))
            if m := re.search(r"metrics listening on \S*:(\d+)", line):
                self.metrics_port = int(m.group(1))
            if m := re.search(r"HTTP listening on \S*:(\d+)", line):
                self.http_port = int(m.group(1))
            if "inferd ready" in line:
                break
        else:
            raise RuntimeError("inferd exited before it was ready:\n" + "".join(self.log))

    def stop(self):
        """SIGTERM, then the exit status once the daemon has drained and exited."""
        self.process.terminate()
        rest, _ = self.process.communicate(timeout=60)
        self.log.append(rest)
        return self.process.returncode
