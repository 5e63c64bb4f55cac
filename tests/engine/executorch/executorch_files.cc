#include "tests/engine/executorch/executorch_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace inferd::executorch::testing {
namespace {

namespace fs = std::filesystem;

fs::path ScratchFolder() {
  static int counter = 0;
  const fs::path dir =
      fs::path(::testing::TempDir()) / absl::StrCat("executorch_", ::getpid(), "_", ++counter);
  fs::create_directories(dir);
  return dir;
}

void Write(const fs::path& path, const void* data, size_t size) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
}

std::vector<uint8_t> RunTool(const fs::path& dir, const std::string& command) {
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  std::ifstream in(dir / "out", std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  fs::remove_all(dir);
  return bytes;
}

}  // namespace

std::vector<uint8_t> GenerateProgram(const std::vector<uint8_t>& payload,
                                     std::vector<std::string> args) {
  const fs::path dir = ScratchFolder();
  Write(dir / "payload", payload.data(), payload.size());
  if (std::find(args.begin(), args.end(), "--input") == args.end()) {
    args.insert(args.end(), {"--input", "Char:1,8,8,1", "--output", "Char:1,10"});
  }
  return RunTool(dir,
                 absl::StrCat("/usr/bin/python3 ", INFERD_SOURCE_DIR,
                              "/tools/executorch_pte.py --payload ", (dir / "payload").string(),
                              " --out ", (dir / "out").string(), " ", absl::StrJoin(args, " ")));
}

std::vector<uint8_t> GenerateBundle(const std::vector<uint8_t>& program,
                                    const std::string& cases_json) {
  const fs::path dir = ScratchFolder();
  Write(dir / "program.pte", program.data(), program.size());
  Write(dir / "cases.json", cases_json.data(), cases_json.size());
  return RunTool(
      dir,
      absl::StrCat("/usr/bin/python3 ", INFERD_SOURCE_DIR, "/tools/executorch_bpte.py --program ",
                   (dir / "program.pte").string(), " --cases ", (dir / "cases.json").string(),
                   " --out ", (dir / "out").string()));
}

std::string TensorJson(const std::string& scalar_type, const std::vector<int64_t>& sizes,
                       const std::vector<double>& values) {
  return absl::StrCat(R"({"type":")", scalar_type, R"(","sizes":[)", absl::StrJoin(sizes, ","),
                      R"(],"values":[)",
                      absl::StrJoin(values, ",",
                                    [](std::string* out, double value) {
                                      // NaN and the infinities are Python's JSON spellings.
                                      if (std::isnan(value)) {
                                        out->append("NaN");
                                      } else if (std::isinf(value)) {
                                        out->append(value > 0 ? "Infinity" : "-Infinity");
                                      } else {
                                        absl::StrAppend(out, absl::StrFormat("%.17g", value));
                                      }
                                    }),
                      "]}");
}

}  // namespace inferd::executorch::testing
