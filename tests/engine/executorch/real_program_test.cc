// A real ExecuTorch-written .pte, when one is given: INFERD_EXECUTORCH_PTE names the file (none is
// committed: the public ones found carry no licence that allows it; docs/executorch.md). The
// reader must get through the file's real layout (identifier, extended header, the FlatBuffer
// verifier over ExecuTorch's full schema read through our subset) and either read it or refuse it
// for what the program is (its delegate, an operator outside it), never as malformed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "engine/executorch/executorch_program.h"

namespace inferd::executorch {
namespace {

TEST(RealExecuTorchProgramTest, IsReadOrRefusedForWhatItIsNeverAsMalformed) {
  const char* path = std::getenv("INFERD_EXECUTORCH_PTE");
  if (path == nullptr || *path == '\0') {
    GTEST_SKIP() << "INFERD_EXECUTORCH_PTE is not set: no real ExecuTorch-written .pte to read";
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in.good()) << "INFERD_EXECUTORCH_PTE names " << path << ", which cannot be read";
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
  ASSERT_TRUE(LooksLikeExecuTorchProgram(bytes));
  auto program = ParseExecuTorchProgram(bytes);
  if (program.ok()) {
    EXPECT_FALSE(program->delegate_id.empty());
    EXPECT_FALSE(program->payload.empty());
    return;
  }
  const std::string message(program.status().message());
  std::cout << "refused as expected for what it is: " << message << "\n";
  for (const char* malformed :
       {"malformed", "extended header", "runs past", "does not exist", "is not supported"}) {
    EXPECT_EQ(message.find(malformed), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace inferd::executorch
