#include "engine/scheduler.h"

#include <future>
#include <memory>
#include <vector>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/engine/test_backend.h"

namespace inferd {
namespace {

using testing::MakeEchoExecutable;
using testing::TestBackendControl;

struct Submitted {
  std::future<absl::StatusOr<InferenceResponse>> result;
  std::shared_ptr<CancellationToken> cancellation;
};

class SchedulerTest : public ::testing::Test {
 protected:
  void Start(SchedulerOptions options, int instances = 1) {
    options.model_name = "m";
    options.version = 1;
    // The echo executables return each [rows, 2] FP32 input as the output.
    options.outputs = {
        TensorSpec{"out", DataType::kFp32, options.max_batch_size > 0 ? Shape{2} : Shape{-1, 2}}};
    std::vector<std::unique_ptr<Executable>> executables;
    for (int i = 0; i < instances; ++i) executables.push_back(MakeEchoExecutable(control_));
    statistics_ = std::make_shared<ModelStatistics>(ModelMetrics{});
    scheduler_ = std::make_unique<Scheduler>(options, std::move(executables), statistics_);
  }

  // A request of `rows` rows whose single input holds `value` in every element.
  std::pair<std::unique_ptr<InferenceRequest>, Submitted> MakeRequest(int64_t rows, float value) {
    auto request = std::make_unique<InferenceRequest>();
    Tensor input = Tensor::Allocate(DataType::kFp32, {rows, 2});
    for (float& v : input.mutable_values<float>()) v = value;
    request->inputs.push_back(std::move(input));
    request->batch_size = rows;
    auto promise = std::make_shared<std::promise<absl::StatusOr<InferenceResponse>>>();
    Submitted submitted{promise->get_future(), request->cancellation};
    request->on_complete = [promise](absl::StatusOr<InferenceResponse> result) {
      promise->set_value(std::move(result));
    };
    return {std::move(request), std::move(submitted)};
  }

  Submitted Submit(int64_t rows, float value, absl::Status expected = absl::OkStatus()) {
    auto [request, submitted] = MakeRequest(rows, value);
    EXPECT_EQ(scheduler_->Enqueue(std::move(request)).code(), expected.code());
    return std::move(submitted);
  }

  std::shared_ptr<TestBackendControl> control_ = std::make_shared<TestBackendControl>();
  std::shared_ptr<ModelStatistics> statistics_;
  std::unique_ptr<Scheduler> scheduler_;
};

TEST_F(SchedulerTest, RunsARequestAndReturnsItsOutputs) {
  Start({});
  Submitted submitted = Submit(1, 3.5f);
  auto result = submitted.result.get();
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->outputs.size(), 1u);
  EXPECT_EQ(result->outputs[0].values<float>()[1], 3.5f);
  EXPECT_EQ(result->parameters.at("executed_by"), "test");
  EXPECT_EQ(statistics_->Snapshot().execution_count, 1u);
  EXPECT_EQ(statistics_->Snapshot().success.count, 1u);
}

// A backend that answers with less than the declared output fails the request with INTERNAL
// naming the output; nothing short reaches a client, and the scheduler keeps serving.
TEST_F(SchedulerTest, AShortOutputFromTheBackendFailsTheRequest) {
  SchedulerOptions options;
  options.max_batch_size = 4;
  Start(options);
  {
    std::lock_guard lock(control_->mutex);
    control_->answer_short = true;
  }
  auto result = Submit(1, 3.5f).result.get();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInternal);
  EXPECT_NE(result.status().message().find("output 'out'"), std::string::npos) << result.status();
  EXPECT_NE(result.status().message().find("shape [0,2], declared [1,2]"), std::string::npos)
      << result.status();
  {
    std::lock_guard lock(control_->mutex);
    control_->answer_short = false;
  }
  EXPECT_TRUE(Submit(1, 1.0f).result.get().ok());
}

TEST_F(SchedulerTest, RefusesRequestsBeyondTheQueueBound) {
  SchedulerOptions options;
  options.max_queue_size = 2;
  Start(options);
  control_->CloseGate();
  Submitted running = Submit(1, 1);
  control_->WaitForBatchesStarted(1);  // the worker holds it; the queue is empty again
  Submitted queued1 = Submit(1, 2);
  Submitted queued2 = Submit(1, 3);
  Submitted refused = Submit(1, 4, absl::ResourceExhaustedError(""));
  control_->OpenGate();
  EXPECT_TRUE(running.result.get().ok());
  EXPECT_TRUE(queued1.result.get().ok());
  EXPECT_TRUE(queued2.result.get().ok());
}

TEST_F(SchedulerTest, DynamicBatchingJoinsQueuedRequestsAndSplitsTheirOutputs) {
  SchedulerOptions options;
  options.max_batch_size = 8;
  options.dynamic_batching = true;
  options.preferred_batch_sizes = {4};
  options.max_queue_delay = absl::ZeroDuration();
  Start(options);
  control_->CloseGate();
  Submitted first = Submit(1, 0);
  control_->WaitForBatchesStarted(1);
  // These three wait together while the first batch is held, and then run as one batch of 4 rows.
  Submitted a = Submit(1, 10);
  Submitted b = Submit(2, 20);
  Submitted c = Submit(1, 30);
  control_->OpenGate();
  ASSERT_TRUE(first.result.get().ok());
  auto ra = a.result.get();
  auto rb = b.result.get();
  auto rc = c.result.get();
  ASSERT_TRUE(ra.ok() && rb.ok() && rc.ok());
  EXPECT_EQ(ra->outputs[0].shape(), (Shape{1, 2}));
  EXPECT_EQ(rb->outputs[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(rb->outputs[0].values<float>()[3], 20.0f);
  EXPECT_EQ(rc->outputs[0].values<float>()[0], 30.0f);
  EXPECT_EQ(control_->batch_sizes, (std::vector<int64_t>{1, 4}));
  const StatisticsSnapshot stats = statistics_->Snapshot();
  EXPECT_EQ(stats.execution_count, 2u);
  EXPECT_EQ(stats.inference_count, 5u);
}

TEST_F(SchedulerTest, BatchesNeverExceedMaxBatchSize) {
  SchedulerOptions options;
  options.max_batch_size = 4;
  options.dynamic_batching = true;
  Start(options);
  control_->CloseGate();
  Submitted first = Submit(1, 0);
  control_->WaitForBatchesStarted(1);
  Submitted a = Submit(3, 1);
  Submitted b = Submit(3, 2);
  control_->OpenGate();
  EXPECT_TRUE(first.result.get().ok());
  EXPECT_TRUE(a.result.get().ok());
  EXPECT_TRUE(b.result.get().ok());
  EXPECT_EQ(control_->batch_sizes, (std::vector<int64_t>{1, 3, 3}));
}

TEST_F(SchedulerTest, CancelledRequestIsDroppedBeforeRunning) {
  Start({});
  control_->CloseGate();
  Submitted running = Submit(1, 0);
  control_->WaitForBatchesStarted(1);
  Submitted cancelled = Submit(1, 1);
  cancelled.cancellation->Cancel();
  control_->OpenGate();
  EXPECT_TRUE(running.result.get().ok());
  EXPECT_EQ(cancelled.result.get().status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(control_->batches_started, 1);
}

TEST_F(SchedulerTest, ExpiredRequestFailsWithDeadlineExceeded) {
  Start({});
  auto [request, submitted] = MakeRequest(1, 0);
  request->deadline = absl::Now() - absl::Seconds(1);
  ASSERT_TRUE(scheduler_->Enqueue(std::move(request)).ok());
  EXPECT_EQ(submitted.result.get().status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(statistics_->Snapshot().fail.count, 1u);
}

TEST_F(SchedulerTest, DrainCompletesQueuedWorkThenRefusesNewWork) {
  Start({});
  control_->CloseGate();
  Submitted running = Submit(1, 0);
  control_->WaitForBatchesStarted(1);
  Submitted queued = Submit(1, 1);
  std::thread drainer([&] { scheduler_->Drain(); });
  control_->OpenGate();
  drainer.join();
  EXPECT_TRUE(running.result.get().ok());
  EXPECT_TRUE(queued.result.get().ok());
  Submit(1, 2, absl::UnavailableError(""));
}

TEST_F(SchedulerTest, AbortQueuedAnswersWaitingRequestsAndLetsTheRunningOneFinish) {
  Start({});
  control_->CloseGate();
  Submitted running = Submit(1, 0);
  control_->WaitForBatchesStarted(1);
  Submitted queued1 = Submit(1, 1);
  Submitted queued2 = Submit(1, 2);
  EXPECT_EQ(scheduler_->AbortQueued(absl::UnavailableError("the server is shutting down")), 2u);
  for (Submitted* aborted : {&queued1, &queued2}) {
    auto result = aborted->result.get();
    EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
    EXPECT_EQ(result.status().message(), "the server is shutting down");
  }
  control_->OpenGate();
  EXPECT_TRUE(running.result.get().ok());
  EXPECT_EQ(control_->batches_started, 1);
  EXPECT_EQ(statistics_->Snapshot().fail.count, 2u);
}

TEST_F(SchedulerTest, SeveralInstancesRunBatchesConcurrently) {
  Start({}, /*instances=*/2);
  control_->CloseGate();
  Submitted a = Submit(1, 0);
  Submitted b = Submit(1, 1);
  // Both start although the gate holds the first: only two instances make that possible.
  control_->WaitForBatchesStarted(2);
  control_->OpenGate();
  EXPECT_TRUE(a.result.get().ok());
  EXPECT_TRUE(b.result.get().ok());
}

TEST_F(SchedulerTest, InlineBackendRunsOnTheSubmittingThreadWhenAnInstanceIsIdle) {
  control_->completes_inline = true;
  Start({});
  Submitted submitted = Submit(1, 2);
  // Complete before Enqueue returned, on this very thread: no hand-off to a worker.
  ASSERT_EQ(submitted.result.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  EXPECT_TRUE(submitted.result.get().ok());
  ASSERT_EQ(control_->executing_threads.size(), 1u);
  EXPECT_EQ(control_->executing_threads[0], std::this_thread::get_id());
}

TEST_F(SchedulerTest, InlineBackendQueuesWhenEveryInstanceIsBusy) {
  control_->completes_inline = true;
  Start({});
  control_->CloseGate();
  std::thread first([&] { EXPECT_TRUE(Submit(1, 0).result.get().ok()); });
  control_->WaitForBatchesStarted(1);  // the only instance is held inline by `first`
  Submitted queued = Submit(1, 1);
  EXPECT_EQ(queued.result.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
  control_->OpenGate();
  first.join();
  EXPECT_TRUE(queued.result.get().ok());
  EXPECT_NE(control_->executing_threads[1], std::this_thread::get_id());
}

TEST_F(SchedulerTest, BatchingWithADelayNeverRunsInline) {
  control_->completes_inline = true;
  SchedulerOptions options;
  options.max_batch_size = 4;
  options.dynamic_batching = true;
  options.max_queue_delay = absl::Microseconds(50);
  Start(options);
  Submitted submitted = Submit(1, 0);
  EXPECT_TRUE(submitted.result.get().ok());
  EXPECT_NE(control_->executing_threads[0], std::this_thread::get_id());
}

}  // namespace
}  // namespace inferd
