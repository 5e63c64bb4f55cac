// inferd_target_agent: the target agent as a host program. Speaks the inferd target protocol on a
// TCP port (or a serial line) and runs TOSA INT8 graphs on the CPU reference path: a stand-in
// target for tests, benchmarks and trying inferd's ethosu backend without a board or an emulator.
//
//   inferd_target_agent [--address=127.0.0.1] [--port=0] [--name=NAME] [--npu=ethos-u55-128]
//                       [--delay-ms=N] [--max-payload=BYTES] [--core=host|firmware]
//                       [--serial=DEVICE[@BAUD]]
//
// --serial serves the protocol on a serial device instead of TCP (raw 8N1, default 115200 baud):
// a UART cabled to the inferd host, or one end of a pseudo-terminal pair such as
// `socat -d -d pty,raw,echo=0 pty,raw,echo=0` makes, the other end given to inferd as a
// `kind = serial` target. Prints "serving on DEVICE" once it reads.
//
// --core=firmware serves the firmware's own agent core (firmware/agent, with its 'cpu' executor,
// which takes pre-lowered cpu jobs) instead of the host agent: the exact code the Cortex-M55 image
// runs, over TCP.
//
// Prints "listening on <address>:<port>" on stdout once it accepts connections; runs until
// SIGINT or SIGTERM.
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "backends/ethosu/host_agent/agent_core.h"
#include "backends/ethosu/host_agent/agent_server.h"
#include "backends/ethosu/transport/serial_transport.h"
#ifdef INFERD_HAVE_FIRMWARE_AGENT
#include "backends/ethosu/host_agent/firmware_agent_server.h"
#endif

namespace {

bool Flag(const std::string& arg, const char* name, std::string& value) {
  const std::string prefix = std::string("--") + name + "=";
  if (!absl::StartsWith(arg, prefix)) return false;
  value = arg.substr(prefix.size());
  return true;
}

int Usage() {
  std::fputs(
      "usage: inferd_target_agent [--address=127.0.0.1] [--port=0] [--name=NAME]\n"
      "                           [--npu=ethos-u55-128] [--delay-ms=N] [--max-payload=BYTES]\n"
      "                           [--core=host|firmware] [--serial=DEVICE[@BAUD]]\n",
      stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  inferd::ethosu::AgentOptions options;
  std::string address = "127.0.0.1";
  int port = 0;
  std::string core = "host";
  std::string serial;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    std::string value;
    if (Flag(arg, "address", value)) {
      address = value;
    } else if (Flag(arg, "port", value)) {
      if (!absl::SimpleAtoi(value, &port) || port < 0 || port > 65535) return Usage();
    } else if (Flag(arg, "serial", value)) {
      serial = value;
    } else if (Flag(arg, "core", value)) {
      if (value != "host" && value != "firmware") return Usage();
      core = value;
    } else if (Flag(arg, "name", value)) {
      options.name = value;
    } else if (Flag(arg, "npu", value)) {
      // "ethos-u55-128": product 55 with 128 MACs per cycle (simulated: see agent_core.h).
      std::vector<std::string> parts = absl::StrSplit(value, '-');
      if (parts.size() != 3 || !absl::StartsWith(parts[1], "u") ||
          !absl::SimpleAtoi(parts[1].substr(1), &options.simulated_npu_product) ||
          !absl::SimpleAtoi(parts[2], &options.simulated_npu_macs)) {
        return Usage();
      }
    } else if (Flag(arg, "delay-ms", value)) {
      int ms = 0;
      if (!absl::SimpleAtoi(value, &ms) || ms < 0) return Usage();
      options.inference_delay = absl::Milliseconds(ms);
    } else if (Flag(arg, "max-payload", value)) {
      if (!absl::SimpleAtoi(value, &options.max_payload) || options.max_payload < 1024 ||
          options.max_payload > INFERD_TP_MAX_PAYLOAD) {
        return Usage();
      }
    } else {
      return Usage();
    }
  }
  if (core == "firmware" && !serial.empty()) {
    std::fputs("inferd_target_agent: --serial serves the host core only\n", stderr);
    return 2;
  }
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto fail = [](const absl::Status& status) {
    std::fprintf(stderr, "inferd_target_agent: %s\n", std::string(status.message()).c_str());
    return 1;
  };
  int signal_number = 0;
  if (core == "firmware") {
#ifdef INFERD_HAVE_FIRMWARE_AGENT
    inferd::ethosu::FirmwareAgentServer server;
    if (auto status = server.Start(address, port); !status.ok()) return fail(status);
    std::printf("listening on %s:%d\n", address.c_str(), server.port());
    std::fflush(stdout);
    sigwait(&stop_signals, &signal_number);
    server.Stop();
    return 0;
#else
    std::fputs("inferd_target_agent: built without firmware/; --core=firmware unavailable\n",
               stderr);
    return 2;
#endif
  }
  inferd::ethosu::AgentServer server(std::make_shared<inferd::ethosu::AgentCore>(options));
  if (!serial.empty()) {
    auto line = inferd::ethosu::ParseSerialAddress(serial);
    if (!line.ok()) return fail(line.status());
    if (auto status = server.StartSerial(line->device, line->baud); !status.ok()) {
      return fail(status);
    }
    std::printf("serving on %s\n", line->device.c_str());
  } else {
    if (auto status = server.Start(address, port); !status.ok()) return fail(status);
    std::printf("listening on %s:%d\n", address.c_str(), server.port());
  }
  std::fflush(stdout);
  sigwait(&stop_signals, &signal_number);
  server.Stop();
  return 0;
}
