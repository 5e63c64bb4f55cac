"""What the deploy tests share: where the repository, the build and Debian's tools are, and what the
daemon itself says about its flags (`inferd --help`), which every manifest is checked against.
"""
import os
import re
import shutil
import socket
import subprocess
import urllib.request

SOURCE_DIR = os.path.abspath(
    os.environ.get("INFERD_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "../..")))
BUILD_DIR = os.path.abspath(os.environ.get("INFERD_BUILD_DIR", os.path.join(SOURCE_DIR, "build")))
BINARY = os.environ.get("INFERD_BINARY", os.path.join(BUILD_DIR, "server/inferd"))
INFERCTL = os.environ.get("INFERCTL_BINARY", os.path.join(BUILD_DIR, "client/inferctl"))
TARGET_AGENT = os.path.join(BUILD_DIR, "backends/ethosu/inferd_target_agent")
DEPLOY_DIR = os.path.join(SOURCE_DIR, "deploy")


def inferd_flags():
    """Every flag name `inferd --help` lists, without the dashes."""
    usage = subprocess.run([BINARY, "--help"], check=True, capture_output=True, text=True).stdout
    return set(re.findall(r"^\s+--([a-z0-9-]+)", usage, re.M))


def inferd_default(flag):
    """The default `inferd --help` gives for `flag`, from its '(default N' text."""
    usage = subprocess.run([BINARY, "--help"], check=True, capture_output=True, text=True).stdout
    match = re.search(r"^\s+--" + re.escape(flag) + r"=\S+\s.*?\(default (\w+)", usage, re.M | re.S)
    if not match:
        raise AssertionError(f"inferd --help gives no default for --{flag}")
    return match.group(1)


def flag_values(args):
    """{'grpc-port': '8001', ...} from a container's args; repeated flags keep their last value."""
    values = {}
    for arg in args:
        if not arg.startswith("--") or "=" not in arg:
            raise AssertionError(f"argument {arg!r} is not of the form --flag=value")
        name, value = arg[2:].split("=", 1)
        values[name] = value
    return values


def tool(name, package):
    """The path of a tool scripts/setup.sh installs; fails (it should be there) rather than skips."""
    path = shutil.which(name)
    if path is None:
        raise AssertionError(f"{name} is not on PATH: scripts/setup.sh installs it (Debian's {package})")
    return path


def free_loopback_port():
    """A port nobody listens on right now (the kernel's pick for an ephemeral bind)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_get(port, path, timeout=10):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as response:
        return response.read().decode()
