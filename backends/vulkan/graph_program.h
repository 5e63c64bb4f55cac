// A validated TOSA graph made ready to run on one Vulkan device, all at load: operators lowered to
// dispatches (op_lowering.h), one device-local arena holding its tensors (planned by their
// lifetimes), its constants in the device's constant store (uploaded once per device), host-visible
// staging for inputs and outputs, a descriptor set per dispatch, and per batch item a command
// buffer recorded once and replayed for every batch.
//
// A batch of N items is one submission of N command buffers; the completion arrives on the
// device's completion thread. One batch at a time per program (the Executable contract).
//
// A graph with COND_IF or WHILE_LOOP (program_lowering.h) is recorded instead as the runs of steps
// between the host's decisions, shared by all items, plus per item a load and a store command
// buffer; the host walks the code item by item, submitting what it queued whenever it needs a
// condition, and continues from the completion thread, so still no thread waits.
//
// GPU time comes from timestamp queries (where the device writes them on its compute queue): two
// around each batch item's steps, or with time_operators one before the steps and one after each;
// with control flow the same around each run's steps, inside the run's own command buffer, read
// back on the completion thread after every submission and before the walk goes on (and so before
// the run can be submitted again).
#pragma once

#include <vulkan/vulkan.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "backends/vulkan/module_kernel.h"
#include "backends/vulkan/op_lowering.h"
#include "backends/vulkan/program_lowering.h"
#include "backends/vulkan/vulkan_device.h"
#include "engine/graph/graph.h"
#include "engine/operator_profile.h"

namespace inferd::vulkan {

struct GraphProgramOptions {
  // Use the device's 64-bit integer shaders where it has shaderInt64; false runs the exact 32-bit
  // variants (shaders/wide_int.glsl) as a device without it would, which is how tests cover them.
  bool use_int64 = true;
  // Use the register-blocked CONV2D shader where the device has subgroup shuffle; false runs the
  // plain shader, as on a device without it.
  bool subgroup_shuffle = true;
  // Large MATMULs run the shared-memory tiled shader; false keeps the register-blocked and plain
  // shaders for every size, the baseline inferd_vulkan_peak_benchmark compares the tiled one with.
  bool tiled_matmul = true;
  // Where wide 1x1 CONV2Ds run the shared-memory tiled shader as a MATMUL (OpLowering::Options)
  // instead of the register-blocked one: never; on devices that are not CPU implementations (the
  // default: on lavapipe, where shared memory is ordinary memory and every shared-memory read a
  // per-invocation load, it was 2 to 5 times slower, benchmarks/vulkan/README.md); or on every
  // device (how tests run it on lavapipe). The results are the same.
  enum class TiledPointwiseConvolution { kOff, kExceptOnCpuDevices, kAlways };
  TiledPointwiseConvolution tiled_pointwise_convolution =
      TiledPointwiseConvolution::kExceptOnCpuDevices;
  // The tiled MATMUL's register block: 0 by size, 4 or 8 forced (OpLowering::Options).
  int matmul_register_block = 0;
  // Where the tiled INT8 MATMUL sums with int8 dot-product instructions: never, on devices that
  // report them accelerated (the default), or on every device that has shaderIntegerDotProduct
  // (how tests run that path on lavapipe, which has them unaccelerated). The results are the same.
  enum class IntegerDotProduct { kOff, kWhereAccelerated, kWhereSupported };
  IntegerDotProduct integer_dot_product = IntegerDotProduct::kWhereAccelerated;
  // The register-blocked CONV2D reads its input through a texel buffer where it fits the
  // device's maxTexelBufferElements (OpLowering::Options::max_texel_elements); false keeps
  // storage buffers, as the tests also run. The results are the same.
  bool texel_loads = true;
  // A timestamp after every operator's work, for OperatorProfile; else only around each batch item
  // (the device's busy time). Each timestamp costs tens of microseconds on lavapipe, so this is
  // the model's choice (config parameter gpu_operator_timing, docs/vulkan.md).
  bool time_operators = false;
  // Another program's arena (GraphProgram::arena()) to use instead of allocating one, where it is
  // large enough. Only for programs on the same device whose batches never run at the same time:
  // a batch submitted after another on the device's queue is, since every batch item's work
  // begins with a full barrier. The tosa_vulkan backend shares one among a model instance's batch
  // passes (one batch at a time per instance); its item-by-item program keeps its own.
  std::shared_ptr<const DeviceBuffer> arena;
};

class GraphProgram {
 public:
  // `max_items`: the most graph runs one batch may hold (1 for a model that does not batch).
  // UNIMPLEMENTED naming the operator or tensor the backend cannot run; RESOURCE_EXHAUSTED when
  // the device is out of memory; INVALID_ARGUMENT for a tensor beyond the device's storage
  // buffer range.
  static absl::StatusOr<std::unique_ptr<GraphProgram>> Create(
      std::shared_ptr<VulkanDevice> device, std::shared_ptr<const graph::Graph> graph,
      int max_items, GraphProgramOptions options = {});
  ~GraphProgram();

  // What Create would refuse for `graph` on any device, decided without one: an operator or type
  // without a shader (UNIMPLEMENTED naming it). Device limits (memory, buffer range) are not
  // checked. The support table in docs/tosa-support.md is built on it.
  static absl::Status CheckRunnable(const graph::Graph& graph);

  const graph::Graph& graph() const { return *graph_; }
  // Bytes of one item of main-block input / output `i` (in the block's order).
  size_t input_bytes(size_t i) const { return inputs_[i].bytes; }
  size_t output_bytes(size_t i) const { return outputs_[i].bytes; }
  size_t dispatch_count() const { return dispatches_; }
  // The most graph runs one batch may hold (Create's max_items).
  int max_items() const { return max_items_; }
  // What the program allocated for itself: its arena of tensors (unless it uses another program's,
  // GraphProgramOptions::arena), and its staging.
  uint64_t allocated_bytes() const {
    return (arena_shared_ ? 0 : arena_->size()) + staging_.size();
  }
  // Its arena, for GraphProgramOptions::arena.
  const std::shared_ptr<const DeviceBuffer>& arena() const { return arena_; }
  // The constants it reads (derived ones included), which the device's constant store holds once
  // for every program with the same bytes (constant_store.h).
  uint64_t constant_bytes() const { return constant_bytes_; }
  // COND_IF or WHILE_LOOP anywhere: batches are then walked by the host (see Start).
  bool has_control_flow() const { return control_flow_; }
  // Whether the 64-bit integer shaders run (else their 32-bit variants, where a shader has one).
  bool uses_int64() const { return use_int64_; }
  // Whether the tiled INT8 MATMUL (where a MATMUL takes it) sums with int8 dot products.
  bool uses_integer_dot_product() const { return integer_dot_product_; }

  // GPU time per operator since load, from timestamp queries around each step (one entry per
  // operator with GPU work, in step order; the operators of COND_IF and WHILE_LOOP blocks count
  // each time their block runs); empty unless the program was made with time_operators, and where
  // the device has no timestamps on its compute queue.
  std::vector<OperatorTiming> OperatorProfile() const;

  // Copies `items` runs' inputs (inputs[i]: items x input_bytes(i), main-block order) to staging
  // and submits. `done` runs on the device's completion thread; after an OK completion
  // ReadOutputs gives the results. Nothing else may start until then.
  // `interrupted`, when given, is asked before every WHILE_LOOP iteration; an error it returns
  // ends the batch with that error.
  absl::Status Start(std::span<const std::span<const uint8_t>> inputs, int items,
                     std::function<void(absl::Status)> done,
                     std::function<absl::Status()> interrupted = nullptr);
  // outputs[i]: items x output_bytes(i).
  void ReadOutputs(std::span<const std::span<uint8_t>> outputs, int items) const;

  // Submits the command buffers of `items` slots as recorded and waits: the work alone, without
  // staging copies or the completion thread (the floor benchmarks/vulkan compares against).
  absl::Status ReplayAndWait(int items);

  // Start, wait, ReadOutputs: for tests and the conformance runner.
  absl::Status RunAndWait(std::span<const std::span<const uint8_t>> inputs,
                          std::span<const std::span<uint8_t>> outputs, int items = 1);

 private:
  struct Region {
    VkDeviceSize offset = 0;
    VkDeviceSize bytes = 0;
    VkBuffer buffer = VK_NULL_HANDLE;  // the arena, or a chunk of the device's constant store
  };

 public:
  // An image a model's own shader binds, filled from (or copied back to) its tensor's region.
  struct ModuleImage {
    size_t binding = 0;  // index into the step's buffers and the segment's bindings
    DeviceImage image;
    uint32_t width = 0;
    uint32_t height = 0;
    Region region;
    bool output = false;
  };

 private:
  struct Port {
    graph::TensorId id = 0;
    size_t bytes = 0;
    VkDeviceSize staging_offset = 0;  // of item 0; item k adds k * staging_item_stride_
  };

  GraphProgram(std::shared_ptr<VulkanDevice> device, std::shared_ptr<const graph::Graph> graph)
      : device_(std::move(device)), graph_(std::move(graph)) {}
  // One batch of a graph with control flow, walked by Advance.
  struct ControlFlowRun {
    int items = 0;
    int item = 0;
    size_t pc = 0;                         // the next instruction of code_
    std::vector<VkCommandBuffer> pending;  // queued, not yet submitted
    std::vector<size_t> pending_runs;      // the kRun instructions among them, for their timings
    std::function<void(absl::Status)> done;
    std::function<absl::Status()> interrupted;
  };

  absl::Status Build(int max_items, std::shared_ptr<const DeviceBuffer> shared_arena);
  absl::Status Record(int slot);
  absl::StatusOr<VkCommandBuffer> Recorded(const std::function<void(VkCommandBuffer)>& record);
  void RecordLoad(VkCommandBuffer command_buffer, int slot) const;
  // With `first_query`, timestamps go to that query before the first step and after each step.
  void RecordSteps(VkCommandBuffer command_buffer, size_t first, size_t end,
                   std::optional<uint32_t> first_query = std::nullopt) const;
  // Steps [first, end) with the timestamps that time them from `first_query` on (QueriesFor of
  // them, reset here first); no timestamps without a query pool.
  void RecordTimedSteps(VkCommandBuffer command_buffer, size_t first, size_t end,
                        uint32_t first_query) const;
  // Timestamps that time `steps` steps: each step's end and the first one's start, or only the
  // first's start and the last's end when operators are not timed.
  uint32_t QueriesFor(size_t steps) const {
    return time_operators_ ? static_cast<uint32_t>(steps) + 1 : 2;
  }
  // Adds steps [first, end)'s times, read from their timestamps `t`, to step_timings_ (when
  // timing operators); returns their GPU time.
  uint64_t AddStepTimes(const uint64_t* t, size_t first, size_t end);
  // Adds a completed batch's step times to step_timings_ and its GPU time to the device's.
  void CollectTimestamps(int items);
  // The same for the runs (kRun instructions) of a completed submission of a graph with control
  // flow.
  void CollectRunTimestamps(const std::vector<size_t>& runs);
  void RecordStore(VkCommandBuffer command_buffer, int slot) const;
  // A model's own shader (a VGF COMPUTE segment): the images its image bindings need, and its
  // descriptor sets by set number, made once.
  absl::StatusOr<std::vector<ModuleImage>> ModuleImages(const DispatchStep& dispatch);
  // A view of `region` of the arena as texels of `texels` for a texel-buffer binding (the lowering
  // chose one only where the tensor fits maxTexelBufferElements); destroyed with the program.
  absl::StatusOr<VkBufferView> TexelView(const Region& region, BufferRef::Texels texels);
  absl::StatusOr<std::vector<std::pair<uint32_t, VkDescriptorSet>>> ModuleDescriptorSets(
      const DispatchStep& dispatch, const ModuleKernel& module,
      const std::vector<ModuleImage>& images);
  void RecordModuleDispatch(VkCommandBuffer command_buffer, const ModuleKernel& module,
                            const std::vector<std::pair<uint32_t, VkDescriptorSet>>& sets,
                            const std::vector<ModuleImage>& images) const;
  // Walks the code until it needs the GPU's answer or the batch is queued whole, then submits.
  // An error means nothing more was submitted and `done` has not run.
  absl::Status Advance(const std::shared_ptr<ControlFlowRun>& run);
  absl::Status EnsureRecorded(int items);  // records the slots below `items` not recorded yet
  const Region& RegionOf(const BufferRef& ref) const;

  std::shared_ptr<VulkanDevice> device_;
  std::shared_ptr<const graph::Graph> graph_;
  std::vector<Step> steps_;
  std::vector<int> step_kernel_;   // by step: its kernels_ / descriptor_sets_ index, -1 for copies
  std::vector<StepOwner> owners_;  // by step
  struct StepTiming {
    std::atomic<uint64_t> calls{0};
    std::atomic<uint64_t> nanoseconds{0};
  };
  // QueriesFor(steps) timestamps per item slot, or with control flow per kRun instruction.
  VkQueryPool query_pool_ = VK_NULL_HANDLE;
  std::unique_ptr<StepTiming[]> step_timings_;  // by step; null when not timed
  std::vector<uint64_t> timestamps_;            // read back on the completion thread
  std::vector<uint32_t> run_first_query_;       // with control flow: by instruction, for kRun
  std::vector<HostInstruction> code_;
  bool control_flow_ = false;
  bool use_int64_ = true;
  bool subgroup_shuffle_ = true;
  bool tiled_matmul_ = true;
  bool tiled_pointwise_convolution_ = true;
  int matmul_register_block_ = 0;
  bool integer_dot_product_ = false;
  bool texel_loads_ = true;
  bool time_operators_ = false;
  uint32_t queries_per_item_ = 0;
  // The uid of a variable with no initial value that a run reads before writing; until a batch
  // has completed, Start refuses with FAILED_PRECONDITION.
  std::string unwritten_variable_;
  std::atomic<bool> variables_written_ = false;
  size_t dispatches_ = 0;
  std::vector<Region> tensor_regions_;   // by TensorId; bytes 0 for tensors with no storage
  std::vector<Region> derived_regions_;  // by derived index
  std::vector<Port> inputs_;
  std::vector<Port> outputs_;
  VkDeviceSize staging_item_stride_ = 0;
  int max_items_ = 1;
  std::shared_ptr<const DeviceBuffer> arena_;
  bool arena_shared_ = false;  // another program's (GraphProgramOptions::arena)
  DeviceBuffer staging_;
  // The constant store's chunks holding this program's constants, kept while it lives.
  std::vector<std::shared_ptr<const DeviceBuffer>> constant_chunks_;
  uint64_t constant_bytes_ = 0;
  VkDescriptorPool descriptor_pool_ = VK_NULL_HANDLE;
  std::vector<VkBufferView> buffer_views_;        // for texel-buffer bindings (arena or constants)
  std::vector<VkDescriptorSet> descriptor_sets_;  // one per dispatch step, in step order
  std::vector<const ComputeKernel*> kernels_;     // likewise; null for a model's own shader
  // By kernel index: a model's own shader and its descriptor sets (null and empty otherwise).
  std::vector<std::unique_ptr<ModuleKernel>> module_kernels_;
  std::vector<std::vector<std::pair<uint32_t, VkDescriptorSet>>> module_sets_;
  std::vector<std::vector<ModuleImage>> module_images_;
  VkCommandPool command_pool_ = VK_NULL_HANDLE;
  std::vector<VkCommandBuffer> command_buffers_;  // by item slot; null until recorded
  // Graphs with control flow: by instruction (kRun and kReadFlag), and by item slot.
  std::vector<VkCommandBuffer> code_buffers_;
  std::vector<VkCommandBuffer> load_buffers_;
  std::vector<VkCommandBuffer> store_buffers_;
  DeviceBuffer flags_;  // host-visible, 4 bytes per kReadFlag
};

}  // namespace inferd::vulkan
