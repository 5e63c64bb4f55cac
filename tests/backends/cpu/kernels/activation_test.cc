#include "backends/cpu/kernels/activation.h"

#include <cmath>
#include <cstdint>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace inferd::cpu::kernels {
namespace {

using ::testing::ElementsAre;

std::vector<float> Apply(ActivationOp op, std::vector<float> in) {
  std::vector<float> out(in.size());
  Activation<float>(op, in.data(), out.data(), static_cast<int64_t>(in.size()));
  return out;
}

TEST(ActivationTest, LimitsAndCentre) {
  EXPECT_THAT(Apply(ActivationOp::kSigmoid, {0.0f, -1000.0f, 1000.0f, -INFINITY, INFINITY}),
              ElementsAre(0.5f, 0.0f, 1.0f, 0.0f, 1.0f));
  EXPECT_THAT(Apply(ActivationOp::kTanh, {0.0f, -50.0f, 50.0f}), ElementsAre(0.0f, -1.0f, 1.0f));
  EXPECT_THAT(Apply(ActivationOp::kErf, {0.0f, -10.0f, 10.0f}), ElementsAre(0.0f, -1.0f, 1.0f));
  EXPECT_TRUE(std::isnan(Apply(ActivationOp::kTanh, {NAN})[0]));
}

TEST(ActivationTest, MatchesTheRoundedFp64Functions) {
  for (float x : {-4.5f, -0.75f, 0.001f, 0.3f, 2.0f, 7.25f}) {
    const double d = x;
    EXPECT_EQ(Apply(ActivationOp::kSigmoid, {x})[0],
              static_cast<float>(1.0 / (1.0 + std::exp(-d))));
    EXPECT_EQ(Apply(ActivationOp::kTanh, {x})[0], static_cast<float>(std::tanh(d)));
    EXPECT_EQ(Apply(ActivationOp::kErf, {x})[0], static_cast<float>(std::erf(d)));
  }
}

TEST(ActivationTest, Fp16) {
  const std::vector<Fp16> in = {Narrow<Fp16>(1.0)};
  std::vector<Fp16> out(1);
  Activation<Fp16>(ActivationOp::kSigmoid, in.data(), out.data(), 1);
  EXPECT_EQ(out[0].bits, Narrow<Fp16>(1.0 / (1.0 + std::exp(-1.0))).bits);
}

}  // namespace
}  // namespace inferd::cpu::kernels
