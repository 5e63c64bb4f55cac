#include "tests/engine/test_backend.h"

#include <cstring>

#include "absl/status/status.h"

namespace inferd::testing {
namespace {

class EchoExecutable : public Executable {
 public:
  explicit EchoExecutable(std::shared_ptr<TestBackendControl> control)
      : control_(std::move(control)) {}

  void Execute(Batch batch, BatchCallback done) override {
    {
      std::unique_lock lock(control_->mutex);
      ++control_->batches_started;
      control_->batch_sizes.push_back(batch.batch_size);
      control_->executing_threads.push_back(std::this_thread::get_id());
      control_->changed.notify_all();
      control_->changed.wait(lock, [&] { return control_->gate_open; });
    }
    if (batch.cancellation->IsCancelled()) {
      done(absl::CancelledError("cancelled while executing"));
      return;
    }
    bool answer_short;
    {
      std::lock_guard lock(control_->mutex);
      answer_short = control_->answer_short;
    }
    BatchResult result;
    for (const Tensor& input : batch.inputs) {
      if (answer_short) {
        Shape no_rows = input.shape();
        no_rows[0] = 0;
        result.outputs.push_back(Tensor::Allocate(input.dtype(), std::move(no_rows)));
        continue;
      }
      Tensor output = Tensor::Allocate(input.dtype(), input.shape());
      std::memcpy(output.mutable_bytes().data(), input.bytes().data(), input.byte_size());
      result.outputs.push_back(std::move(output));
    }
    result.parameters["executed_by"] = "test";
    done(std::move(result));
  }

  absl::Status Health() const override {
    std::lock_guard lock(control_->mutex);
    if (control_->unhealthy_reason.empty()) return absl::OkStatus();
    return absl::UnavailableError(control_->unhealthy_reason);
  }

  bool CompletesInline() const override {
    std::lock_guard lock(control_->mutex);
    return control_->completes_inline;
  }

 private:
  std::shared_ptr<TestBackendControl> control_;
};

}  // namespace

void TestBackendControl::CloseGate() {
  std::lock_guard lock(mutex);
  gate_open = false;
}

void TestBackendControl::OpenGate() {
  {
    std::lock_guard lock(mutex);
    gate_open = true;
  }
  changed.notify_all();
}

void TestBackendControl::WaitForBatchesStarted(int count) {
  std::unique_lock lock(mutex);
  changed.wait(lock, [&] { return batches_started >= count; });
}

void TestBackendControl::HoldLoadsOf(const std::string& model) {
  std::lock_guard lock(mutex);
  held_models.insert(model);
}

void TestBackendControl::HoldAllLoads() {
  std::lock_guard lock(mutex);
  hold_all_loads = true;
}

void TestBackendControl::ReleaseLoads() {
  {
    std::lock_guard lock(mutex);
    hold_all_loads = false;
    held_models.clear();
  }
  changed.notify_all();
}

void TestBackendControl::WaitForLoadsStarted(int count) {
  std::unique_lock lock(mutex);
  changed.wait(lock, [&] { return loads_started >= count; });
}

absl::StatusOr<std::unique_ptr<Executable>> TestBackend::Load(const BackendLoadRequest& request) {
  {
    std::unique_lock lock(control_->mutex);
    ++control_->loads_started;
    control_->last_max_batch_size = request.max_batch_size;
    control_->last_preferred_batch_sizes = request.preferred_batch_sizes;
    control_->changed.notify_all();
    control_->changed.wait(lock, [&] {
      return !control_->hold_all_loads && !control_->held_models.contains(request.model_name);
    });
    if (!control_->fail_load_message.empty()) {
      return absl::InvalidArgumentError(control_->fail_load_message);
    }
  }
  return MakeEchoExecutable(control_);
}

std::unique_ptr<Executable> MakeEchoExecutable(std::shared_ptr<TestBackendControl> control) {
  return std::make_unique<EchoExecutable>(std::move(control));
}

}  // namespace inferd::testing
