#include "engine/lifecycle_executor.h"

#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace inferd {
namespace {

using ::testing::HasSubstr;

// Work that blocks until the test opens it, and says when it started.
class Gate {
 public:
  std::function<absl::Status()> Work(absl::Status outcome = absl::OkStatus()) {
    return [this, outcome] {
      std::unique_lock lock(mutex_);
      ++started_;
      changed_.notify_all();
      changed_.wait(lock, [&] { return open_; });
      return outcome;
    };
  }
  void Open() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    changed_.notify_all();
  }
  void WaitForStarted(int count) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return started_ >= count; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int started_ = 0;
  bool open_ = false;
};

// Collects outcomes; Wait blocks until `count` arrived.
class Outcomes {
 public:
  LifecycleCallback Callback(std::string tag) {
    return [this, tag](absl::Status status) {
      std::lock_guard lock(mutex_);
      received_.emplace_back(tag, std::move(status));
      changed_.notify_all();
    };
  }
  std::vector<std::pair<std::string, absl::Status>> Wait(size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return received_.size() >= count; });
    return received_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::pair<std::string, absl::Status>> received_;
};

int ThreadsInThisProcess() {
  int count = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator("/proc/self/task")) {
    ++count;
  }
  return count;
}

TEST(LifecycleExecutorTest, OperationsOnOneKeyRunInOrderOneAtATime) {
  LifecycleExecutor executor({.threads = 3, .max_pending = 16});
  Gate gate;
  Outcomes outcomes;
  std::mutex order_mutex;
  std::vector<int> order;
  executor.Submit("m", "load of model 'm'", gate.Work(), outcomes.Callback("first"));
  gate.WaitForStarted(1);
  for (int i = 0; i < 5; ++i) {
    executor.Submit(
        "m", "load of model 'm'",
        [&, i] {
          std::lock_guard lock(order_mutex);
          order.push_back(i);
          return absl::OkStatus();
        },
        outcomes.Callback("later"));
  }
  gate.Open();
  outcomes.Wait(6);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_TRUE(executor.Shutdown(absl::InfiniteFuture()));
}

TEST(LifecycleExecutorTest, AStuckOperationDoesNotHoldUpOtherKeys) {
  LifecycleExecutor executor({.threads = 2, .max_pending = 16});
  Gate stuck;
  Outcomes outcomes;
  executor.Submit("stuck", "load of model 'stuck'", stuck.Work(), outcomes.Callback("stuck"));
  stuck.WaitForStarted(1);
  for (int i = 0; i < 4; ++i) {
    executor.Submit(
        "other", "load of model 'other'", [] { return absl::OkStatus(); },
        outcomes.Callback("other"));
  }
  const auto received = outcomes.Wait(4);
  for (const auto& [tag, status] : received) {
    EXPECT_EQ(tag, "other");
    EXPECT_TRUE(status.ok());
  }
  stuck.Open();
  outcomes.Wait(5);
  EXPECT_TRUE(executor.Shutdown(absl::InfiniteFuture()));
}

TEST(LifecycleExecutorTest, QueueBeyondItsBoundIsRefusedAndThePoolNeverGrows) {
  // A sanitizer runtime starts a helper thread of its own at the first thread creation: let that
  // happen before counting.
  std::thread([] {}).join();
  const int threads_before = ThreadsInThisProcess();
  LifecycleExecutor executor({.threads = 2, .max_pending = 3});
  EXPECT_EQ(executor.thread_count(), 2);
  EXPECT_EQ(ThreadsInThisProcess(), threads_before + 2);
  Gate gate;
  Outcomes outcomes;
  executor.Submit("a", "load of model 'a'", gate.Work(), outcomes.Callback("a"));
  executor.Submit("b", "load of model 'b'", gate.Work(), outcomes.Callback("b"));
  gate.WaitForStarted(2);
  for (int i = 0; i < 50; ++i) {
    const std::string key = "queued" + std::to_string(i);
    executor.Submit(key, "load of model '" + key + "'", gate.Work(), outcomes.Callback(key));
  }
  // Two running, three queued, 47 refused at once, and not one thread more.
  const auto refused = outcomes.Wait(47);
  EXPECT_EQ(refused.size(), 47u);
  for (const auto& [tag, status] : refused) {
    EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted) << tag;
    EXPECT_THAT(std::string(status.message()), HasSubstr(tag));
  }
  EXPECT_EQ(ThreadsInThisProcess(), threads_before + 2);

  // A bypassing submission (the daemon's start-up) is still accepted.
  executor.Submit("startup", "load of model 'startup'", gate.Work(), outcomes.Callback("startup"),
                  /*bypass_limit=*/true);
  gate.Open();
  const auto all = outcomes.Wait(53);
  int succeeded = 0;
  for (const auto& [tag, status] : all) succeeded += status.ok();
  EXPECT_EQ(succeeded, 6);
  EXPECT_TRUE(executor.Shutdown(absl::InfiniteFuture()));
  // join() returns when a worker's exit clears its thread id, a moment before the kernel drops the
  // task from /proc/self/task: on a busy machine the count can lag the join. Wait for the kernel
  // (bounded), then require that every worker is gone.
  const absl::Time limit = absl::Now() + absl::Seconds(30);
  while (ThreadsInThisProcess() != threads_before && absl::Now() < limit) {
    std::this_thread::yield();
  }
  EXPECT_EQ(ThreadsInThisProcess(), threads_before);
}

TEST(LifecycleExecutorTest, ShutdownAnswersQueuedWorkAndAbandonsStuckWorkAtTheDeadline) {
  LifecycleExecutor executor({.threads = 1, .max_pending = 8});
  Gate stuck;
  Outcomes outcomes;
  executor.Submit("stuck", "load of model 'stuck'", stuck.Work(), outcomes.Callback("stuck"));
  stuck.WaitForStarted(1);
  executor.Submit(
      "queued", "unload of model 'queued'", [] { return absl::OkStatus(); },
      outcomes.Callback("queued"));

  // Returns although the stuck work is still running; the deadline bounds it.
  EXPECT_FALSE(executor.Shutdown(absl::Now() + absl::Milliseconds(50)));
  const auto received = outcomes.Wait(2);
  ASSERT_EQ(received.size(), 2u);
  for (const auto& [tag, status] : received) {
    EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << tag;
    EXPECT_THAT(std::string(status.message()), HasSubstr("the server is shutting down"));
    EXPECT_THAT(std::string(status.message()), HasSubstr("model '" + tag + "'"));
  }
  // New work is refused at once.
  executor.Submit(
      "late", "load of model 'late'", [] { return absl::OkStatus(); }, outcomes.Callback("late"));
  EXPECT_EQ(outcomes.Wait(3)[2].second.code(), absl::StatusCode::kUnavailable);

  // The abandoned work's late outcome is dropped (each callback runs exactly once), and a second
  // Shutdown then finds every thread done.
  stuck.Open();
  EXPECT_TRUE(executor.Shutdown(absl::Now() + absl::Seconds(60)));
  EXPECT_EQ(outcomes.Wait(3).size(), 3u);
}

TEST(LifecycleExecutorTest, DestroyingWithAnAbandonedOperationLeavesItSafe) {
  auto gate = std::make_shared<Gate>();
  auto finished = std::make_shared<std::promise<void>>();
  {
    LifecycleExecutor executor({.threads = 1, .max_pending = 8});
    executor.Submit(
        "stuck", "load of model 'stuck'",
        [gate, finished, work = gate->Work()] {
          absl::Status status = work();
          finished->set_value();
          return status;
        },
        [](absl::Status) {});
    gate->WaitForStarted(1);
    EXPECT_FALSE(executor.Shutdown(absl::Now()));
  }  // the executor is gone; its worker still runs the operation
  gate->Open();
  finished->get_future().wait();
}

}  // namespace
}  // namespace inferd
