#include "benchmarks/serving/dashed_flags.h"

#include <iostream>

#include "absl/flags/parse.h"

namespace inferd::bench {

std::vector<std::string> NormalizeDashedFlags(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  for (size_t i = 1; i < args.size(); ++i) {
    std::string& arg = args[i];
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-') continue;
    const size_t name_begin = arg[1] == '-' ? 2 : 1;
    const size_t name_end = std::min(arg.find('='), arg.size());
    for (size_t c = name_begin; c < name_end; ++c) {
      if (arg[c] == '-') arg[c] = '_';
    }
  }
  return args;
}

bool ParseDashedCommandLine(int argc, char** argv) {
  std::vector<std::string> normalized = NormalizeDashedFlags(argc, argv);
  std::vector<char*> normalized_argv;
  for (std::string& arg : normalized) normalized_argv.push_back(arg.data());
  std::vector<char*> positional =
      absl::ParseCommandLine(static_cast<int>(normalized_argv.size()), normalized_argv.data());
  if (positional.size() > 1) {
    std::cerr << "unexpected argument '" << positional[1] << "'\n";
    return false;
  }
  return true;
}

}  // namespace inferd::bench
