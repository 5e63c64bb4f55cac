// NormalizeDashedFlags: lets the benchmark tools accept --warmup-requests as well as Abseil's
// --warmup_requests, matching the dashed flag style of inferd's own command line.
#pragma once

#include <string>
#include <vector>

namespace inferd::bench {

// Returns argv with '-' turned into '_' in every flag name ("--a-b=x-y" -> "--a_b=x-y"); values,
// positional arguments and everything after a bare "--" are left alone.
std::vector<std::string> NormalizeDashedFlags(int argc, char** argv);

}  // namespace inferd::bench
