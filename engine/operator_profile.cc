#include "engine/operator_profile.h"

namespace inferd {

void AccumulateOperatorTimings(std::vector<OperatorTiming>& into,
                               const std::vector<OperatorTiming>& more) {
  for (const OperatorTiming& timing : more) {
    bool merged = false;
    for (OperatorTiming& existing : into) {
      if (existing.block == timing.block && existing.index == timing.index) {
        existing.calls += timing.calls;
        existing.total_ns += timing.total_ns;
        merged = true;
        break;
      }
    }
    if (!merged) into.push_back(timing);
  }
}

}  // namespace inferd
