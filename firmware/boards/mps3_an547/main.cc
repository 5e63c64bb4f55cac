// The agent image for MPS3 AN547: the agent core speaking over UART0, running networks with the
// 'cpu' executor and, in images built with the Ethos-U driver (INFERD_WITH_ETHOS_U), the 'ethos-u'
// executor. Memory is all static: receive buffer and stack in DTCM, activations and the NPU's
// scratch in ISRAM, the network cache (command streams and weights, which the NPU reads in place)
// in DDR.
#include <stdint.h>

#include "firmware/agent/agent.h"
#include "firmware/boards/mps3_an547/board.h"
#include "firmware/boards/mps3_an547/cmsdk_uart.h"
#include "firmware/boards/mps3_an547/cycle_counter.h"
#include "firmware/executors/cpu_job/cpu_job_executor.h"
#ifdef INFERD_WITH_ETHOS_U
#include "firmware/boards/mps3_an547/npu.h"
#include "firmware/executors/ethos_u/ethos_u_executor.h"
#endif

namespace inferd::firmware::an547 {
namespace {

constexpr uint32_t kRxCapacity = 16u * 1024u;
constexpr uint32_t kScratchSize = 1u * 1024u * 1024u;
constexpr uint32_t kNetworkArenaSize = 8u * 1024u * 1024u;

alignas(8) uint8_t g_rx_buffer[kRxCapacity];
alignas(8) __attribute__((section(".isram"))) uint8_t g_scratch[kScratchSize];
alignas(16) __attribute__((section(".ddr"))) uint8_t g_network_arena[kNetworkArenaSize];
#ifdef INFERD_WITH_ETHOS_U
// The NPU's scratch (inputs, outputs, intermediate tensors): ISRAM, which the NPU reaches and the
// TCMs are not. Ethos-U55 has no separate fast scratch.
constexpr uint32_t kNpuArenaSize = 2u * 1024u * 1024u;
alignas(16) __attribute__((section(".isram"))) uint8_t g_npu_arena[kNpuArenaSize];
#endif

constexpr CmsdkUart kProtocolUart(kUart0Base);
constexpr CmsdkUart kDebugUart(kUart1Base);

// Bytes the UART0 receive interrupt has taken but the agent has not read yet. The CMSDK UART holds
// a single byte, so without this a byte arriving while an operator runs (a CANCEL) would be lost.
constexpr uint32_t kRxRingSize = 1024;  // a power of two
uint8_t g_rx_ring[kRxRingSize];
volatile uint32_t g_rx_head = 0;  // written by the interrupt handler only
volatile uint32_t g_rx_tail = 0;  // written by UartRead only
volatile uint32_t g_rx_overflows = 0;

uint32_t DrainRing(uint8_t* buffer, uint32_t capacity) {
  uint32_t count = 0;
  uint32_t tail = g_rx_tail;
  const uint32_t head = g_rx_head;
  while (count < capacity && tail != head) {
    buffer[count++] = g_rx_ring[tail % kRxRingSize];
    ++tail;
  }
  g_rx_tail = tail;
  return count;
}

int32_t UartRead(void* /*context*/, uint8_t* buffer, uint32_t capacity, bool wait) {
  uint32_t count = DrainRing(buffer, capacity);
  while (count == 0 && wait) {
    // Sleep until the receive interrupt. Interrupts are masked between the check and WFI so a
    // byte arriving in between still wakes the core (WFI wakes on a pending interrupt even when
    // masked); the handler runs once they are unmasked.
    __asm volatile("cpsid i" ::: "memory");
    if (g_rx_head == g_rx_tail) __asm volatile("dsb\n wfi" ::: "memory");
    __asm volatile("cpsie i" ::: "memory");
    count = DrainRing(buffer, capacity);
  }
  return static_cast<int32_t>(count);
}

bool UartWrite(void* /*context*/, const uint8_t* data, uint32_t size) {
  for (uint32_t i = 0; i < size; ++i) kProtocolUart.Write(data[i]);
  return true;
}

uint64_t Cycles(void* /*context*/) { return CycleCount(); }

}  // namespace

extern "C" void Uart0_IRQHandler() {
  // Acknowledge first: a byte that lands after the last read below raises the interrupt again.
  kProtocolUart.ClearInterrupts();
  uint8_t byte;
  while (kProtocolUart.TryRead(&byte)) {
    const uint32_t head = g_rx_head;
    if (head - g_rx_tail == kRxRingSize) {
      g_rx_overflows = g_rx_overflows + 1;  // the host's timeout and retry recover the frame
      continue;
    }
    g_rx_ring[head % kRxRingSize] = byte;
    g_rx_head = head + 1;
  }
}

void DebugPrint(const char* text) {
  for (; *text != '\0'; ++text) kDebugUart.Write(static_cast<uint8_t>(*text));
}

}  // namespace inferd::firmware::an547

int main() {
  using namespace inferd::firmware;
  using namespace inferd::firmware::an547;
  kProtocolUart.Init(kPeripheralClockHz, kBaudRate);
  kDebugUart.Init(kPeripheralClockHz, kBaudRate);
  kProtocolUart.EnableReceiveInterrupt();
  EnableNvicIrq(kUart0RxIrq);
  EnableNvicIrq(kUart0TxIrq);
  EnableNvicIrq(kUart0CombinedIrq);
  StartCycleCounter();

  static CpuJobExecutor cpu_executor(g_scratch, kScratchSize);
  AgentConfig config;
  static Executor* executors[2] = {&cpu_executor, nullptr};
  uint32_t executor_count = 1;
  config.executors_not_built = "ethos-u";
  config.target.sram_size = kScratchSize;
#ifdef INFERD_WITH_ETHOS_U
  // An NPU that does not come up is left out: reserving its driver would wait forever.
  static EthosUExecutor npu_executor(NpuMemory{g_npu_arena, kNpuArenaSize, nullptr, 0});
  if (StartNpu(&config.target)) {
    executors[executor_count++] = &npu_executor;
    config.executors_not_built = nullptr;
    config.target.sram_size = kNpuArenaSize;
  }
#endif

  config.stream.read = UartRead;
  config.stream.write = UartWrite;
  config.cycles.now = Cycles;
  config.target.target_name = "mps3-an547";
  config.target.cpu_clock_hz = kCpuClockHz;
  config.target.dram_size = kNetworkArenaSize;
  config.rx_buffer = g_rx_buffer;
  config.rx_capacity = kRxCapacity;
  config.network_arena = g_network_arena;
  config.network_arena_size = kNetworkArenaSize;
  config.executors = executors;
  config.executor_count = executor_count;

  static Agent agent(config);
  DebugPrint("inferd agent: serving on UART0\n");
  agent.Serve();
  DebugPrint("inferd agent: stream closed\n");
  for (;;) {
  }
}
