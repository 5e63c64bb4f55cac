#include "benchmarks/serving/concurrency_levels.h"

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace inferd::bench {

absl::StatusOr<std::vector<int>> ParseConcurrencyLevels(const std::vector<std::string>& texts,
                                                        int max_level) {
  std::vector<int> levels;
  for (const std::string& text : texts) {
    int level = 0;
    if (!absl::SimpleAtoi(text, &level) || level < 1 || level > max_level) {
      return absl::InvalidArgumentError(
          absl::StrCat("--concurrency '", text, "' is not a count in 1..", max_level));
    }
    levels.push_back(level);
  }
  if (levels.empty()) return absl::InvalidArgumentError("--concurrency names no level");
  return levels;
}

}  // namespace inferd::bench
