#include "benchmarks/protocol/twin_ratios.h"

#include <gtest/gtest.h>

namespace inferd::bench {
namespace {

ClosedLoopResult RunOf(int concurrency, double p50_us, double throughput_rps) {
  ClosedLoopResult run;
  run.concurrency = concurrency;
  run.requests = 100;
  run.throughput_rps = throughput_rps;
  run.latency.p50_us = p50_us;
  return run;
}

TEST(TwinRatiosTest, DividesEachSubjectByItsOwnTwin) {
  TwinRatios twins("m", {{"grpc", "echo_grpc"}, {"http_json", "echo_http_json"}}, {1});
  twins.Add("grpc", RunOf(1, 200, 1000));
  twins.Add("echo_grpc", RunOf(1, 100, 2000));
  twins.Add("http_json", RunOf(1, 300, 500));
  twins.Add("echo_http_json", RunOf(1, 100, 1500));
  twins.Add("grpc_shm", RunOf(1, 1, 1));  // in no pair: ignored
  const std::string json = twins.ToJson();
  EXPECT_NE(json.find(R"("target": "grpc", "twin": "echo_grpc", "concurrency": 1, )"
                      R"("p50_ratio": 2.0000, "throughput_ratio": 0.5000)"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("target": "http_json", "twin": "echo_http_json", "concurrency": 1, )"
                      R"("p50_ratio": 3.0000, "throughput_ratio": 0.3333)"),
            std::string::npos)
      << json;
  EXPECT_EQ(json.find("grpc_shm"), std::string::npos);
}

TEST(TwinRatiosTest, TakesTheMedianOfPerRoundRatios) {
  TwinRatios twins("m", {{"grpc", "echo_grpc"}}, {4});
  // Rounds 2x, 3x and 10x slower than their twin run: the median ratio is 3, where the ratio of
  // the medians (200 us / 100 us) would be 2.
  const double twin_p50[] = {100, 50, 1000}, ratio[] = {2, 3, 10};
  for (int round = 0; round < 3; ++round) {
    twins.Add("echo_grpc", RunOf(4, twin_p50[round], 1000));
    twins.Add("grpc", RunOf(4, twin_p50[round] * ratio[round], 1000 / ratio[round]));
  }
  EXPECT_NE(twins.ToJson().find(R"("p50_ratio": 3.0000)"), std::string::npos) << twins.ToJson();
  EXPECT_NE(twins.FormatTable().find("echo_grpc"), std::string::npos);
}

}  // namespace
}  // namespace inferd::bench
