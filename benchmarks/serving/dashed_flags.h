// NormalizeDashedFlags: lets the benchmark tools accept --warmup-requests as well as Abseil's
// --warmup_requests, matching the dashed flag style of inferd's own command line.
#pragma once

#include <string>
#include <vector>

namespace inferd::bench {

// Returns argv with '-' turned into '_' in every flag name ("--a-b=x-y" -> "--a_b=x-y"); values,
// positional arguments and everything after a bare "--" are left alone.
std::vector<std::string> NormalizeDashedFlags(int argc, char** argv);

// absl::ParseCommandLine over the normalised arguments; false (with a message on stderr) when a
// positional argument is left over, which the benchmark tools take none of.
bool ParseDashedCommandLine(int argc, char** argv);

}  // namespace inferd::bench
