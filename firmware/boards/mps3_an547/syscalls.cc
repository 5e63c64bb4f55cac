// The few C/C++ runtime hooks a freestanding image must supply: the agent never allocates, exits
// or throws, so these only stop the core where something unexpected happened.
#include "firmware/boards/mps3_an547/board.h"

extern "C" {

void __cxa_pure_virtual() {
  inferd::firmware::an547::DebugPrint("inferd agent: pure virtual call\n");
  for (;;) {
  }
}

void abort() {
  inferd::firmware::an547::DebugPrint("inferd agent: abort\n");
  for (;;) {
  }
}

}  // extern "C"
