#include "backends/vulkan/graph_program.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/notification.h"
#include "backends/vulkan/constant_store.h"
#include "backends/vulkan/program_lowering.h"
#include "backends/vulkan/shader_library.h"
#include "backends/vulkan/stored_form.h"
#include "backends/vulkan/vulkan_status.h"
#include "engine/graph/graph_variables.h"
#include "engine/graph/memory_plan.h"

namespace inferd::vulkan {
namespace {

using graph::DType;
using graph::TensorId;

constexpr uint32_t kWorkgroupSize = 64;  // shaders/common.glsl's WORKGROUP_SIZE
constexpr uint32_t kMaxGroupsPerDimension = 65535;

VkDeviceSize AlignUp(VkDeviceSize value, VkDeviceSize alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

bool StorableOnTheGpu(DType dtype) {
  switch (dtype) {
    case DType::kBool:
    case DType::kInt4:  // held unpacked, one int8 an element (stored_form.h)
    case DType::kInt8:
    case DType::kInt16:
    case DType::kInt32:
    case DType::kInt48:  // held as int64 (stored_form.h)
    case DType::kFp32:
    case DType::kFp16:
    case DType::kBf16:
    case DType::kFp8E4M3:
    case DType::kFp8E5M2:
      return true;
    default:
      return false;
  }
}

absl::Status CheckStorable(const graph::Tensor& tensor) {
  if (tensor.dtype == DType::kShape || StorableOnTheGpu(tensor.dtype)) return absl::OkStatus();
  return absl::UnimplementedError(
      absl::StrCat("tensor '", tensor.name, "' is ", std::string(graph::DTypeName(tensor.dtype)),
                   "; the tosa_vulkan backend runs BOOL, INT4, INT8, INT16, INT32, INT48, FP16, "
                   "BF16, FP32 and FP8 tensors"));
}

// Makes every earlier write (shader or transfer) visible to every later read or write, whatever
// the stage: between steps, and between the command buffers of one batch.
// A whole image and the tensor region that holds its texels, packed row after row.
VkBufferImageCopy ImageCopy(const GraphProgram::ModuleImage& image) {
  VkBufferImageCopy copy{};
  copy.bufferOffset = image.region.offset;
  copy.imageSubresource = VkImageSubresourceLayers{VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
  copy.imageExtent = VkExtent3D{image.width, image.height, 1};
  return copy;
}

void FullBarrier(VkCommandBuffer command_buffer) {
  auto barrier = VkStruct<VkMemoryBarrier2>(VK_STRUCTURE_TYPE_MEMORY_BARRIER_2);
  barrier.srcStageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
  barrier.srcAccessMask = VK_ACCESS_2_MEMORY_WRITE_BIT;
  barrier.dstStageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
  barrier.dstAccessMask = VK_ACCESS_2_MEMORY_READ_BIT | VK_ACCESS_2_MEMORY_WRITE_BIT;
  auto dependency = VkStruct<VkDependencyInfo>(VK_STRUCTURE_TYPE_DEPENDENCY_INFO);
  dependency.memoryBarrierCount = 1;
  dependency.pMemoryBarriers = &barrier;
  vkCmdPipelineBarrier2(command_buffer, &dependency);
}

// Results copied to staging become visible to the host once the submission completes.
void HostReadBarrier(VkCommandBuffer command_buffer) {
  auto barrier = VkStruct<VkMemoryBarrier2>(VK_STRUCTURE_TYPE_MEMORY_BARRIER_2);
  barrier.srcStageMask = VK_PIPELINE_STAGE_2_ALL_TRANSFER_BIT;
  barrier.srcAccessMask = VK_ACCESS_2_TRANSFER_WRITE_BIT;
  barrier.dstStageMask = VK_PIPELINE_STAGE_2_HOST_BIT;
  barrier.dstAccessMask = VK_ACCESS_2_HOST_READ_BIT;
  auto dependency = VkStruct<VkDependencyInfo>(VK_STRUCTURE_TYPE_DEPENDENCY_INFO);
  dependency.memoryBarrierCount = 1;
  dependency.pMemoryBarriers = &barrier;
  vkCmdPipelineBarrier2(command_buffer, &dependency);
}

}  // namespace

absl::StatusOr<std::unique_ptr<GraphProgram>> GraphProgram::Create(
    std::shared_ptr<VulkanDevice> device, std::shared_ptr<const graph::Graph> graph, int max_items,
    GraphProgramOptions options) {
  std::unique_ptr<GraphProgram> program(new GraphProgram(std::move(device), std::move(graph)));
  program->use_int64_ = options.use_int64 && program->device_->info().shader_int64;
  program->subgroup_shuffle_ =
      options.subgroup_shuffle && program->device_->info().subgroup_shuffle;
  program->time_operators_ = options.time_operators;
  program->tiled_matmul_ = options.tiled_matmul;
  program->matmul_register_block_ = options.matmul_register_block;
  program->texel_loads_ = options.texel_loads;
  const PhysicalDeviceInfo& info = program->device_->info();
  using TiledPointwiseConvolution = GraphProgramOptions::TiledPointwiseConvolution;
  program->tiled_pointwise_convolution_ =
      options.tiled_pointwise_convolution == TiledPointwiseConvolution::kAlways ||
      (options.tiled_pointwise_convolution == TiledPointwiseConvolution::kExceptOnCpuDevices &&
       !info.is_cpu);
  using IntegerDotProduct = GraphProgramOptions::IntegerDotProduct;
  program->integer_dot_product_ =
      options.integer_dot_product == IntegerDotProduct::kWhereSupported
          ? info.integer_dot_product
          : options.integer_dot_product == IntegerDotProduct::kWhereAccelerated &&
                info.integer_dot_product_accelerated;
  if (absl::Status status = program->Build(std::max(max_items, 1), std::move(options.arena));
      !status.ok()) {
    return status;
  }
  return program;
}

GraphProgram::~GraphProgram() {
  const VkDevice device = device_->handle();
  // A program is destroyed only when no batch of it is in flight (the Executable contract).
  if (command_pool_ != VK_NULL_HANDLE) vkDestroyCommandPool(device, command_pool_, nullptr);
  if (descriptor_pool_ != VK_NULL_HANDLE)
    vkDestroyDescriptorPool(device, descriptor_pool_, nullptr);
  for (VkBufferView view : buffer_views_) vkDestroyBufferView(device, view, nullptr);
  if (query_pool_ != VK_NULL_HANDLE) vkDestroyQueryPool(device, query_pool_, nullptr);
}

const GraphProgram::Region& GraphProgram::RegionOf(const BufferRef& ref) const {
  return ref.kind == BufferRef::Kind::kTensor ? tensor_regions_[ref.index]
                                              : derived_regions_[ref.index];
}

absl::Status GraphProgram::CheckRunnable(const graph::Graph& graph) {
  OpLowering lowering(graph);
  absl::StatusOr<LoweredProgram> lowered = LowerProgram(graph, lowering);
  if (!lowered.ok()) return lowered.status();
  for (TensorId id : lowered->touched) {
    if (auto status = CheckStorable(graph.tensor(id)); !status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status GraphProgram::Build(int max_items, std::shared_ptr<const DeviceBuffer> shared_arena) {
  max_items_ = max_items;
  const graph::Graph& g = *graph_;
  const graph::Block& main = g.main_block();
  OpLowering lowering(
      g, {.subgroup_shuffle = subgroup_shuffle_,
          .tiled_matmul = tiled_matmul_,
          .tiled_pointwise_convolution = tiled_pointwise_convolution_,
          .matmul_register_block = matmul_register_block_,
          .integer_dot_product = integer_dot_product_,
          .max_texel_elements = texel_loads_ ? device_->limits().maxTexelBufferElements : 0u,
          .max_subgroup_size = device_->info().max_subgroup_size});
  absl::StatusOr<LoweredProgram> lowered = LowerProgram(g, lowering);
  if (!lowered.ok()) return lowered.status();
  steps_ = std::move(lowered->steps);
  owners_ = std::move(lowered->owners);
  code_ = std::move(lowered->code);
  control_flow_ = lowered->control_flow;
  // A variable without an initial value that the program reads before it writes has no value
  // until a run has written it, as the CPU backend's VariableStore says.
  {
    std::set<std::string, std::less<>> accessed;
    for (const Step& step : steps_) {
      const auto* copy = std::get_if<CopyStep>(&step);
      if (copy == nullptr) continue;
      for (const TensorId id : {copy->from, copy->to}) {
        const graph::Tensor& tensor = g.tensor(id);
        if (!tensor.variable) continue;
        const std::string uid(graph::VariableUid(tensor));
        if (!accessed.insert(uid).second) continue;
        if (id == copy->from && tensor.data.empty() && unwritten_variable_.empty()) {
          unwritten_variable_ = uid;
        }
      }
    }
  }

  // Every tensor an operator or the caller touches gets a region. Constants and derived constants
  // live in the device's constant store, each distinct blob once for every program on the device
  // (constant_store.h); the rest in this program's arena. Variables (kept across batches) and, in a
  // graph with control flow, every tensor (a loop runs its blocks' steps again, so step order is
  // not time order) keep their regions for the program's life, first in the arena. Any other
  // tensor lives from the first step that touches it to the last (a main-block input from the load
  // before the steps, an output to the store after them), and tensors whose lifetimes do not
  // overlap share bytes, as on the CPU (engine/graph/memory_plan.h). Every step ends with a full
  // barrier, and each batch item's load begins with one, so a step that writes shared bytes comes
  // after every use of them before.
  const VkDeviceSize alignment = device_->storage_alignment();
  const uint64_t max_range = device_->info().max_storage_buffer_range;
  tensor_regions_.assign(g.tensors.size(), Region{});
  const int32_t end = static_cast<int32_t>(steps_.size());
  std::vector<std::pair<int32_t, int32_t>> lifetimes(g.tensors.size(), {end, -1});
  auto touch = [&](TensorId id, int32_t step) {
    lifetimes[id] = {std::min(lifetimes[id].first, step), std::max(lifetimes[id].second, step)};
  };
  for (int32_t i = 0; i < end; ++i) {
    if (const auto* copy = std::get_if<CopyStep>(&steps_[static_cast<size_t>(i)])) {
      touch(copy->from, i);
      touch(copy->to, i);
      continue;
    }
    for (const BufferRef& ref : std::get<DispatchStep>(steps_[static_cast<size_t>(i)]).buffers) {
      if (ref.kind == BufferRef::Kind::kTensor) touch(ref.index, i);
    }
  }
  for (TensorId id : main.inputs) touch(id, -1);
  for (TensorId id : main.outputs) touch(id, end);
  VkDeviceSize arena_bytes = 0;
  // Tensors of one variable uid (a block reaching its caller's variable declares its own tensor)
  // share the region of the first one placed.
  std::map<std::string, TensorId, std::less<>> variable_regions;
  std::vector<TensorId> planned;
  std::vector<graph::BufferRequest> requests;
  std::vector<std::span<const uint8_t>> constant_blobs;
  std::vector<Region*> constant_owners;  // tensor_regions_ is not resized from here on
  for (TensorId id : lowered->touched) {
    Region& region = tensor_regions_[id];
    const graph::Tensor& tensor = g.tensor(id);
    if (region.bytes != 0 || tensor.dtype == DType::kShape) continue;
    if (auto status = CheckStorable(tensor); !status.ok()) return status;
    if (tensor.variable) {
      auto [it, first] = variable_regions.emplace(std::string(graph::VariableUid(tensor)), id);
      if (!first) {
        region = tensor_regions_[it->second];
        continue;
      }
    }
    const std::optional<int64_t> elements = graph::ElementCount(tensor);
    const std::optional<int64_t> bytes =
        elements ? StoredDataSize(tensor.dtype, *elements) : std::nullopt;
    if (!bytes.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat("tensor '", tensor.name, "' has no size"));
    }
    if (static_cast<uint64_t>(*bytes) > max_range) {
      return absl::InvalidArgumentError(
          absl::StrCat("tensor '", tensor.name, "' is ", *bytes, " bytes, more than the device's ",
                       max_range, "-byte storage buffer range (maxStorageBufferRange)"));
    }
    region.bytes = std::max<VkDeviceSize>(static_cast<VkDeviceSize>(*bytes), 1);
    const auto [first_use, last_use] = lifetimes[id];
    if (std::optional<std::span<const uint8_t>> data = lowering.ConstantData(id)) {
      constant_blobs.push_back(*data);
      constant_owners.push_back(&region);
    } else if (control_flow_ || tensor.variable || first_use > last_use) {
      region.offset = arena_bytes;
      arena_bytes = AlignUp(arena_bytes + region.bytes, alignment);
    } else {
      planned.push_back(id);
      requests.push_back({static_cast<size_t>(region.bytes), first_use, last_use});
    }
  }
  const graph::MemoryPlan plan = graph::PlanMemory(requests, static_cast<size_t>(alignment));
  for (size_t i = 0; i < planned.size(); ++i) {
    tensor_regions_[planned[i]].offset = arena_bytes + plan.offsets[i];
  }
  arena_bytes = AlignUp(arena_bytes + plan.arena_bytes, alignment);

  // Variables keep their values across batches, so a program with any keeps an arena of its own.
  if (shared_arena != nullptr && shared_arena->size() >= arena_bytes && variable_regions.empty()) {
    arena_ = std::move(shared_arena);
    arena_shared_ = true;
  } else {
    auto arena = device_->CreateBuffer(arena_bytes, /*host_visible=*/false, "the model's tensors");
    if (!arena.ok()) return arena.status();
    arena_ = std::make_shared<const DeviceBuffer>(*std::move(arena));
  }
  for (Region& region : tensor_regions_) {
    if (region.bytes != 0) region.buffer = arena_->handle();  // constants are placed below
  }

  // Constants and derived parameters: the device's constant store uploads those it does not hold
  // yet.
  derived_regions_.resize(lowering.derived().size());
  for (size_t i = 0; i < lowering.derived().size(); ++i) {
    derived_regions_[i].bytes = std::max<VkDeviceSize>(lowering.derived()[i].size(), 1);
    constant_blobs.push_back(lowering.derived()[i]);
    constant_owners.push_back(&derived_regions_[i]);
  }
  absl::StatusOr<std::vector<ConstantStore::Placement>> placements =
      device_->constants().Place(*device_, constant_blobs);
  if (!placements.ok()) return placements.status();
  for (size_t i = 0; i < placements->size(); ++i) {
    const ConstantStore::Placement& placement = (*placements)[i];
    constant_owners[i]->buffer = placement.chunk->handle();
    constant_owners[i]->offset = placement.offset;
    constant_bytes_ += constant_owners[i]->bytes;
    if (std::find(constant_chunks_.begin(), constant_chunks_.end(), placement.chunk) ==
        constant_chunks_.end()) {
      constant_chunks_.push_back(placement.chunk);
    }
  }

  // Variables' initial values go up once.
  std::vector<VulkanDevice::Upload> initial_values;
  for (TensorId id = 0; id < g.tensors.size(); ++id) {
    const graph::Tensor& tensor = g.tensor(id);
    if (tensor_regions_[id].bytes != 0 && tensor.variable && !tensor.data.empty() &&
        variable_regions.at(std::string(graph::VariableUid(tensor))) == id) {
      initial_values.push_back({lowering.StoredData(id), tensor_regions_[id].offset});
    }
  }
  if (absl::Status status =
          device_->UploadNow(arena_->handle(), initial_values, "variables' initial values");
      !status.ok()) {
    return status;
  }

  // Staging: per item, every input then every output.
  VkDeviceSize item_bytes = 0;
  for (TensorId id : main.inputs) {
    inputs_.push_back(Port{id, static_cast<size_t>(tensor_regions_[id].bytes), item_bytes});
    item_bytes = AlignUp(item_bytes + tensor_regions_[id].bytes, 16);
  }
  for (TensorId id : main.outputs) {
    outputs_.push_back(Port{id, static_cast<size_t>(tensor_regions_[id].bytes), item_bytes});
    item_bytes = AlignUp(item_bytes + tensor_regions_[id].bytes, 16);
  }
  staging_item_stride_ = item_bytes;
  auto staging = device_->CreateBuffer(item_bytes * static_cast<VkDeviceSize>(max_items),
                                       /*host_visible=*/true, "input and output staging");
  if (!staging.ok()) return staging.status();
  staging_ = *std::move(staging);

  // Pipelines and descriptor sets, once.
  uint32_t descriptor_count = 0;
  uint32_t set_count = 0;
  // Descriptors of models' own shaders, by type (storage buffers among them).
  std::map<VkDescriptorType, uint32_t> image_descriptor_counts;
  step_kernel_.assign(steps_.size(), -1);
  for (size_t i = 0; i < steps_.size(); ++i) {
    const auto* dispatch = std::get_if<DispatchStep>(&steps_[i]);
    if (dispatch == nullptr) continue;
    step_kernel_[i] = static_cast<int>(kernels_.size());
    if (dispatch->module != nullptr) {
      auto module = ModuleKernel::Create(device_, *dispatch->module);
      if (!module.ok()) return module.status();
      kernels_.push_back(nullptr);
      module_kernels_.resize(kernels_.size());
      module_kernels_.back() = *std::move(module);
      module_images_.resize(kernels_.size());
      auto images = ModuleImages(*dispatch);
      if (!images.ok()) return images.status();
      module_images_.back() = *std::move(images);
      for (const graph::vgf::ComputeSegmentBinding& binding : dispatch->module->bindings) {
        ++image_descriptor_counts[DescriptorTypeOf(binding.kind)];
      }
      set_count += static_cast<uint32_t>(module_kernels_.back()->bound_sets().size());
      continue;
    }
    std::string shader = dispatch->shader;
    if (!use_int64_ && !FindShader(shader + "_noi64").empty()) shader += "_noi64";
    std::vector<VkDescriptorType> types;
    for (const BufferRef& ref : dispatch->buffers) {
      const VkDescriptorType type = ref.texels == BufferRef::Texels::kNone
                                        ? VK_DESCRIPTOR_TYPE_STORAGE_BUFFER
                                        : VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER;
      types.push_back(type);
      if (type == VK_DESCRIPTOR_TYPE_STORAGE_BUFFER) {
        ++descriptor_count;
      } else {
        ++image_descriptor_counts[type];
      }
    }
    auto kernel =
        device_->Kernel(shader, types, static_cast<uint32_t>(dispatch->push_constants.size()));
    if (!kernel.ok()) return kernel.status();
    kernels_.push_back(*kernel);
    ++set_count;
  }
  module_kernels_.resize(kernels_.size());
  module_images_.resize(kernels_.size());
  dispatches_ = kernels_.size();
  const VkDevice device = device_->handle();
  if (set_count > 0) {
    image_descriptor_counts[VK_DESCRIPTOR_TYPE_STORAGE_BUFFER] += descriptor_count;
    std::vector<VkDescriptorPoolSize> sizes;
    for (const auto& [type, count] : image_descriptor_counts) {
      if (count > 0) sizes.push_back(VkDescriptorPoolSize{type, count});
    }
    auto pool = VkStruct<VkDescriptorPoolCreateInfo>(VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO);
    pool.maxSets = set_count;
    pool.poolSizeCount = static_cast<uint32_t>(sizes.size());
    pool.pPoolSizes = sizes.data();
    if (auto status = VkStatus(vkCreateDescriptorPool(device, &pool, nullptr, &descriptor_pool_),
                               "vkCreateDescriptorPool");
        !status.ok()) {
      return status;
    }
    size_t kernel_index = 0;
    for (const Step& step : steps_) {
      const auto* dispatch = std::get_if<DispatchStep>(&step);
      if (dispatch == nullptr) continue;
      if (const ModuleKernel* module = module_kernels_[kernel_index++].get(); module != nullptr) {
        auto sets = ModuleDescriptorSets(*dispatch, *module, module_images_[kernel_index - 1]);
        if (!sets.ok()) return sets.status();
        module_sets_.resize(kernel_index);
        module_sets_.back() = *std::move(sets);
        descriptor_sets_.push_back(VK_NULL_HANDLE);
        continue;
      }
      const ComputeKernel* kernel = kernels_[kernel_index - 1];
      auto allocate =
          VkStruct<VkDescriptorSetAllocateInfo>(VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO);
      allocate.descriptorPool = descriptor_pool_;
      allocate.descriptorSetCount = 1;
      allocate.pSetLayouts = &kernel->set_layout;
      VkDescriptorSet set = VK_NULL_HANDLE;
      if (auto status = VkStatus(vkAllocateDescriptorSets(device, &allocate, &set),
                                 "vkAllocateDescriptorSets");
          !status.ok()) {
        return status;
      }
      const size_t count = dispatch->buffers.size();
      std::vector<VkDescriptorBufferInfo> infos(count);
      std::vector<VkBufferView> views(count, VK_NULL_HANDLE);
      std::vector<VkWriteDescriptorSet> writes(count);
      for (size_t i = 0; i < count; ++i) {
        const BufferRef& ref = dispatch->buffers[i];
        const Region& region = RegionOf(ref);
        writes[i] = VkStruct<VkWriteDescriptorSet>(VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET);
        writes[i].dstSet = set;
        writes[i].dstBinding = static_cast<uint32_t>(i);
        writes[i].descriptorCount = 1;
        if (ref.texels == BufferRef::Texels::kNone) {
          infos[i] = VkDescriptorBufferInfo{region.buffer, region.offset, region.bytes};
          writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
          writes[i].pBufferInfo = &infos[i];
          continue;
        }
        auto view = TexelView(region, ref.texels);
        if (!view.ok()) return view.status();
        views[i] = *view;
        writes[i].descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER;
        writes[i].pTexelBufferView = &views[i];
      }
      vkUpdateDescriptorSets(device, static_cast<uint32_t>(writes.size()), writes.data(), 0,
                             nullptr);
      descriptor_sets_.push_back(set);
    }
    module_sets_.resize(kernels_.size());
  }

  auto pool = VkStruct<VkCommandPoolCreateInfo>(VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO);
  pool.queueFamilyIndex = device_->queue_family();
  if (auto status = VkStatus(vkCreateCommandPool(device, &pool, nullptr, &command_pool_),
                             "vkCreateCommandPool");
      !status.ok()) {
    return status;
  }
  command_buffers_.assign(static_cast<size_t>(max_items), VK_NULL_HANDLE);
  // GPU time from a timestamp before the first step and one after the last, and with operator
  // timing one after every step: per batch item, or for a graph with control flow per run of
  // steps, which the host may submit several times per item (a loop's) and reads back after each
  // submission.
  if (device_->has_timestamps() && !steps_.empty()) {
    auto info = VkStruct<VkQueryPoolCreateInfo>(VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO);
    info.queryType = VK_QUERY_TYPE_TIMESTAMP;
    if (control_flow_) {
      run_first_query_.assign(code_.size(), 0);
      uint32_t most = 0;
      for (size_t i = 0; i < code_.size(); ++i) {
        if (code_[i].kind != HostInstruction::Kind::kRun) continue;
        run_first_query_[i] = info.queryCount;
        const uint32_t queries = QueriesFor(code_[i].end_step - code_[i].first_step);
        info.queryCount += queries;
        most = std::max(most, queries);
      }
      timestamps_.resize(most);
    } else {
      queries_per_item_ = QueriesFor(steps_.size());
      info.queryCount = queries_per_item_ * static_cast<uint32_t>(max_items);
      timestamps_.resize(info.queryCount);
    }
    if (auto status =
            VkStatus(vkCreateQueryPool(device, &info, nullptr, &query_pool_), "vkCreateQueryPool");
        !status.ok()) {
      return status;
    }
    if (time_operators_) step_timings_ = std::make_unique<StepTiming[]>(steps_.size());
  }
  if (control_flow_) {
    load_buffers_.assign(static_cast<size_t>(max_items), VK_NULL_HANDLE);
    store_buffers_.assign(static_cast<size_t>(max_items), VK_NULL_HANDLE);
    if (lowered->flags > 0) {
      auto flags = device_->CreateBuffer(4 * static_cast<VkDeviceSize>(lowered->flags),
                                         /*host_visible=*/true, "control-flow conditions");
      if (!flags.ok()) return flags.status();
      flags_ = *std::move(flags);
    }
    // The GPU runs between the host's decisions, each recorded once and shared by every item.
    code_buffers_.assign(code_.size(), VK_NULL_HANDLE);
    for (size_t i = 0; i < code_.size(); ++i) {
      const HostInstruction& instruction = code_[i];
      if (instruction.kind == HostInstruction::Kind::kRun) {
        auto recorded = Recorded([&](VkCommandBuffer command_buffer) {
          FullBarrier(command_buffer);
          RecordTimedSteps(command_buffer, instruction.first_step, instruction.end_step,
                           query_pool_ != VK_NULL_HANDLE ? run_first_query_[i] : 0);
        });
        if (!recorded.ok()) return recorded.status();
        code_buffers_[i] = *recorded;
      } else if (instruction.kind == HostInstruction::Kind::kReadFlag) {
        const Region& region = tensor_regions_[instruction.tensor];
        const VkBuffer arena = region.buffer;
        const VkBuffer flags = flags_.handle();
        auto recorded = Recorded([&](VkCommandBuffer command_buffer) {
          FullBarrier(command_buffer);
          const VkBufferCopy copy{region.offset, 4 * VkDeviceSize{instruction.flag}, 1};
          vkCmdCopyBuffer(command_buffer, arena, flags, 1, &copy);
          HostReadBarrier(command_buffer);
        });
        if (!recorded.ok()) return recorded.status();
        code_buffers_[i] = *recorded;
      }
    }
  }
  // The first slot now, so that a model that cannot be recorded fails its load.
  return EnsureRecorded(1);
}

absl::StatusOr<VkCommandBuffer> GraphProgram::Recorded(
    const std::function<void(VkCommandBuffer)>& record) {
  auto allocated = AllocateCommandBuffer(device_->handle(), command_pool_);
  if (!allocated.ok()) return allocated.status();
  VkCommandBuffer command_buffer = *allocated;
  auto begin = VkStruct<VkCommandBufferBeginInfo>(VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO);
  vkBeginCommandBuffer(command_buffer, &begin);
  record(command_buffer);
  if (auto status = VkStatus(vkEndCommandBuffer(command_buffer), "vkEndCommandBuffer");
      !status.ok()) {
    return status;
  }
  return command_buffer;
}

void GraphProgram::RecordLoad(VkCommandBuffer command_buffer, int slot) const {
  // Orders this item after the previous one (same arena) and after the host's staging writes.
  FullBarrier(command_buffer);
  const VkDeviceSize item_offset = staging_item_stride_ * static_cast<VkDeviceSize>(slot);
  for (const Port& port : inputs_) {
    if (port.bytes == 0) continue;
    const Region& region = tensor_regions_[port.id];
    const VkBufferCopy copy{item_offset + port.staging_offset, region.offset, port.bytes};
    vkCmdCopyBuffer(command_buffer, staging_.handle(), region.buffer, 1, &copy);
  }
  FullBarrier(command_buffer);
}

void GraphProgram::RecordSteps(VkCommandBuffer command_buffer, size_t first, size_t end,
                               std::optional<uint32_t> first_query) const {
  if (first_query.has_value()) {
    vkCmdWriteTimestamp2(command_buffer, VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT, query_pool_,
                         *first_query);
  }
  for (size_t i = first; i < end; ++i) {
    const Step& step = steps_[i];
    if (const auto* copy_step = std::get_if<CopyStep>(&step)) {
      const Region& from = tensor_regions_[copy_step->from];
      const Region& to = tensor_regions_[copy_step->to];
      const VkBufferCopy copy{from.offset, to.offset, std::min(from.bytes, to.bytes)};
      vkCmdCopyBuffer(command_buffer, from.buffer, to.buffer, 1, &copy);
    } else {
      const auto& dispatch = std::get<DispatchStep>(step);
      const int index = step_kernel_[i];
      if (const ModuleKernel* module = module_kernels_[index].get(); module != nullptr) {
        RecordModuleDispatch(command_buffer, *module, module_sets_[index], module_images_[index]);
        FullBarrier(command_buffer);
        if (first_query.has_value()) {
          vkCmdWriteTimestamp2(command_buffer, VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT, query_pool_,
                               *first_query + static_cast<uint32_t>(i - first + 1));
        }
        continue;
      }
      const ComputeKernel* kernel = kernels_[index];
      vkCmdBindPipeline(command_buffer, VK_PIPELINE_BIND_POINT_COMPUTE, kernel->pipeline);
      vkCmdBindDescriptorSets(command_buffer, VK_PIPELINE_BIND_POINT_COMPUTE, kernel->layout, 0, 1,
                              &descriptor_sets_[index], 0, nullptr);
      if (!dispatch.push_constants.empty()) {
        vkCmdPushConstants(command_buffer, kernel->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0,
                           static_cast<uint32_t>(dispatch.push_constants.size()),
                           dispatch.push_constants.data());
      }
      const uint64_t groups = (dispatch.invocations + kWorkgroupSize - 1) / kWorkgroupSize;
      const uint32_t x = static_cast<uint32_t>(std::min<uint64_t>(groups, kMaxGroupsPerDimension));
      const uint32_t y = static_cast<uint32_t>((groups + x - 1) / std::max<uint32_t>(x, 1));
      if (groups > 0) vkCmdDispatch(command_buffer, x, y, 1);
    }
    FullBarrier(command_buffer);
    if (first_query.has_value()) {
      vkCmdWriteTimestamp2(command_buffer, VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT, query_pool_,
                           *first_query + static_cast<uint32_t>(i - first + 1));
    }
  }
}

void GraphProgram::RecordTimedSteps(VkCommandBuffer command_buffer, size_t first, size_t end,
                                    uint32_t first_query) const {
  if (query_pool_ == VK_NULL_HANDLE) {
    RecordSteps(command_buffer, first, end);
    return;
  }
  // Reset by the command buffer itself, so that every replay of it (a loop's runs are replayed
  // within one batch) writes fresh timestamps; the host reads them before the next replay.
  vkCmdResetQueryPool(command_buffer, query_pool_, first_query, QueriesFor(end - first));
  if (step_timings_ != nullptr) {
    RecordSteps(command_buffer, first, end, first_query);
    return;
  }
  // Only the start and the end: on lavapipe each timestamp costs tens of microseconds.
  vkCmdWriteTimestamp2(command_buffer, VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT, query_pool_,
                       first_query);
  RecordSteps(command_buffer, first, end);
  vkCmdWriteTimestamp2(command_buffer, VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT, query_pool_,
                       first_query + 1);
}

absl::StatusOr<std::vector<std::pair<uint32_t, VkDescriptorSet>>>
GraphProgram::ModuleDescriptorSets(const DispatchStep& dispatch, const ModuleKernel& module,
                                   const std::vector<ModuleImage>& images) {
  const VkDevice device = device_->handle();
  std::vector<std::pair<uint32_t, VkDescriptorSet>> sets;
  for (uint32_t set_number : module.bound_sets()) {
    auto allocate =
        VkStruct<VkDescriptorSetAllocateInfo>(VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO);
    allocate.descriptorPool = descriptor_pool_;
    allocate.descriptorSetCount = 1;
    const VkDescriptorSetLayout layout = module.set_layout(set_number);
    allocate.pSetLayouts = &layout;
    VkDescriptorSet set = VK_NULL_HANDLE;
    if (auto status =
            VkStatus(vkAllocateDescriptorSets(device, &allocate, &set), "vkAllocateDescriptorSets");
        !status.ok()) {
      return status;
    }
    sets.emplace_back(set_number, set);
  }
  std::vector<VkDescriptorBufferInfo> infos;
  infos.reserve(dispatch.buffers.size());
  std::vector<VkDescriptorImageInfo> image_infos;
  image_infos.reserve(images.size());
  std::vector<VkWriteDescriptorSet> writes;
  for (size_t i = 0; i < dispatch.buffers.size(); ++i) {
    const graph::vgf::ComputeSegmentBinding& binding = dispatch.module->bindings[i];
    auto write = VkStruct<VkWriteDescriptorSet>(VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET);
    for (const auto& [number, set] : sets) {
      if (number == binding.set) write.dstSet = set;
    }
    write.dstBinding = binding.binding;
    write.descriptorCount = 1;
    write.descriptorType = DescriptorTypeOf(binding.kind);
    if (binding.kind == graph::vgf::ComputeSegmentBinding::Kind::kStorageBuffer) {
      const Region& region = RegionOf(dispatch.buffers[i]);
      infos.push_back(VkDescriptorBufferInfo{region.buffer, region.offset, region.bytes});
      write.pBufferInfo = &infos.back();
    } else {
      // The sampler of a combined image sampler is immutable, in the set layout.
      for (const ModuleImage& image : images) {
        if (image.binding != i) continue;
        image_infos.push_back(
            VkDescriptorImageInfo{VK_NULL_HANDLE, image.image.view(), VK_IMAGE_LAYOUT_GENERAL});
      }
      write.pImageInfo = &image_infos.back();
    }
    writes.push_back(write);
  }
  vkUpdateDescriptorSets(device, static_cast<uint32_t>(writes.size()), writes.data(), 0, nullptr);
  return sets;
}

absl::StatusOr<VkBufferView> GraphProgram::TexelView(const Region& region,
                                                     BufferRef::Texels texels) {
  const bool four = texels == BufferRef::Texels::kUint32x4;
  const VkDeviceSize texel_bytes = four ? 16 : 4;
  auto info = VkStruct<VkBufferViewCreateInfo>(VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO);
  info.buffer = region.buffer;
  // Both formats are ones every Vulkan device must offer for uniform texel buffers.
  info.format = four ? VK_FORMAT_R32G32B32A32_UINT : VK_FORMAT_R32_UINT;
  info.offset = region.offset;
  info.range = std::max<VkDeviceSize>(region.bytes / texel_bytes, 1) * texel_bytes;
  VkBufferView view = VK_NULL_HANDLE;
  if (auto status = VkStatus(vkCreateBufferView(device_->handle(), &info, nullptr, &view),
                             "vkCreateBufferView");
      !status.ok()) {
    return status;
  }
  buffer_views_.push_back(view);
  return view;
}

absl::StatusOr<std::vector<GraphProgram::ModuleImage>> GraphProgram::ModuleImages(
    const DispatchStep& dispatch) {
  std::vector<ModuleImage> images;
  for (size_t i = 0; i < dispatch.buffers.size(); ++i) {
    const graph::vgf::ComputeSegmentBinding& binding = dispatch.module->bindings[i];
    if (binding.kind == graph::vgf::ComputeSegmentBinding::Kind::kStorageBuffer) continue;
    // [1,] H, W, C (the sequence assembler checked it): W x H texels of C components.
    const graph::Tensor& tensor = graph_->tensor(dispatch.buffers[i].index);
    const size_t rank = tensor.shape.size();
    const auto height = static_cast<uint32_t>(tensor.shape[rank - 3]);
    const auto width = static_cast<uint32_t>(tensor.shape[rank - 2]);
    const VkPhysicalDeviceLimits& limits = device_->limits();
    if (width == 0 || height == 0 || width > limits.maxImageDimension2D ||
        height > limits.maxImageDimension2D) {
      return absl::InvalidArgumentError(absl::StrCat(
          dispatch.shader, ": image '", tensor.name, "' is ", width, " x ", height,
          "; the device's images are 1 to ", limits.maxImageDimension2D, " texels across"));
    }
    auto image = device_->CreateImage(static_cast<VkFormat>(binding.vk_format), width, height,
                                      absl::StrCat("image '", tensor.name, "'"));
    if (!image.ok()) return image.status();
    ModuleImage module_image;
    module_image.binding = i;
    module_image.image = *std::move(image);
    module_image.width = width;
    module_image.height = height;
    module_image.region = RegionOf(dispatch.buffers[i]);
    module_image.output = binding.output;
    images.push_back(std::move(module_image));
  }
  return images;
}

void GraphProgram::RecordModuleDispatch(
    VkCommandBuffer command_buffer, const ModuleKernel& module,
    const std::vector<std::pair<uint32_t, VkDescriptorSet>>& sets,
    const std::vector<ModuleImage>& images) const {
  // Images hold nothing between runs: each run starts them undefined, fills the inputs from the
  // tensors' bytes (packed rows of texels) and copies the outputs back after the dispatch.
  if (!images.empty()) {
    std::vector<VkImageMemoryBarrier2> barriers;
    for (const ModuleImage& image : images) {
      auto barrier = VkStruct<VkImageMemoryBarrier2>(VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER_2);
      barrier.srcStageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
      barrier.srcAccessMask = VK_ACCESS_2_MEMORY_WRITE_BIT;
      barrier.dstStageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
      barrier.dstAccessMask = VK_ACCESS_2_MEMORY_READ_BIT | VK_ACCESS_2_MEMORY_WRITE_BIT;
      barrier.oldLayout = VK_IMAGE_LAYOUT_UNDEFINED;
      barrier.newLayout = VK_IMAGE_LAYOUT_GENERAL;
      barrier.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
      barrier.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
      barrier.image = image.image.handle();
      barrier.subresourceRange = VkImageSubresourceRange{VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
      barriers.push_back(barrier);
    }
    auto dependency = VkStruct<VkDependencyInfo>(VK_STRUCTURE_TYPE_DEPENDENCY_INFO);
    dependency.imageMemoryBarrierCount = static_cast<uint32_t>(barriers.size());
    dependency.pImageMemoryBarriers = barriers.data();
    vkCmdPipelineBarrier2(command_buffer, &dependency);
    for (const ModuleImage& image : images) {
      if (image.output) continue;
      const VkBufferImageCopy copy = ImageCopy(image);
      vkCmdCopyBufferToImage(command_buffer, image.region.buffer, image.image.handle(),
                             VK_IMAGE_LAYOUT_GENERAL, 1, &copy);
    }
    FullBarrier(command_buffer);
  }
  vkCmdBindPipeline(command_buffer, VK_PIPELINE_BIND_POINT_COMPUTE, module.pipeline());
  for (const auto& [number, set] : sets) {
    vkCmdBindDescriptorSets(command_buffer, VK_PIPELINE_BIND_POINT_COMPUTE, module.layout(), number,
                            1, &set, 0, nullptr);
  }
  if (module.push_constant_bytes() > 0) {
    // The file declares push constants but holds no values for them: zeros, every run.
    const std::vector<uint8_t> zeros(module.push_constant_bytes(), 0);
    vkCmdPushConstants(command_buffer, module.layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0,
                       module.push_constant_bytes(), zeros.data());
  }
  const std::array<uint32_t, 3>& groups = module.workgroups();
  vkCmdDispatch(command_buffer, groups[0], groups[1], groups[2]);
  bool written = false;
  for (const ModuleImage& image : images) {
    if (!image.output) continue;
    if (!written) FullBarrier(command_buffer);
    written = true;
    const VkBufferImageCopy copy = ImageCopy(image);
    vkCmdCopyImageToBuffer(command_buffer, image.image.handle(), VK_IMAGE_LAYOUT_GENERAL,
                           image.region.buffer, 1, &copy);
  }
}

void GraphProgram::RecordStore(VkCommandBuffer command_buffer, int slot) const {
  const VkDeviceSize item_offset = staging_item_stride_ * static_cast<VkDeviceSize>(slot);
  for (const Port& port : outputs_) {
    if (port.bytes == 0) continue;
    const Region& region = tensor_regions_[port.id];
    const VkBufferCopy copy{region.offset, item_offset + port.staging_offset, port.bytes};
    vkCmdCopyBuffer(command_buffer, region.buffer, staging_.handle(), 1, &copy);
  }
  HostReadBarrier(command_buffer);
}

absl::Status GraphProgram::Record(int slot) {
  if (control_flow_) {
    auto load = Recorded([&](VkCommandBuffer command_buffer) { RecordLoad(command_buffer, slot); });
    if (!load.ok()) return load.status();
    load_buffers_[static_cast<size_t>(slot)] = *load;
    auto store = Recorded([&](VkCommandBuffer command_buffer) {
      FullBarrier(command_buffer);
      RecordStore(command_buffer, slot);
    });
    if (!store.ok()) return store.status();
    store_buffers_[static_cast<size_t>(slot)] = *store;
  }
  if (control_flow_) return absl::OkStatus();
  // A graph without control flow runs each item as one command buffer: inputs in, every step,
  // outputs out.
  auto recorded = Recorded([&](VkCommandBuffer command_buffer) {
    RecordLoad(command_buffer, slot);
    RecordTimedSteps(command_buffer, 0, steps_.size(),
                     queries_per_item_ * static_cast<uint32_t>(slot));
    RecordStore(command_buffer, slot);
  });
  if (!recorded.ok()) return recorded.status();
  command_buffers_[static_cast<size_t>(slot)] = *recorded;
  return absl::OkStatus();
}

absl::Status GraphProgram::EnsureRecorded(int items) {
  const std::vector<VkCommandBuffer>& recorded = control_flow_ ? load_buffers_ : command_buffers_;
  for (int slot = 0; slot < items; ++slot) {
    if (recorded[static_cast<size_t>(slot)] != VK_NULL_HANDLE) continue;
    if (absl::Status status = Record(slot); !status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status GraphProgram::Start(std::span<const std::span<const uint8_t>> inputs, int items,
                                 std::function<void(absl::Status)> done,
                                 std::function<absl::Status()> interrupted) {
  if (items < 1 || items > max_items_) {
    return absl::InvalidArgumentError(
        absl::StrCat("a batch of ", items, " runs; this program takes 1 to ", max_items_));
  }
  if (inputs.size() != inputs_.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected ", inputs_.size(), " inputs, got ", inputs.size()));
  }
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const Port& port = inputs_[i];
    if (inputs[i].size() != port.bytes * static_cast<size_t>(items)) {
      return absl::InvalidArgumentError(
          absl::StrCat("input '", graph_->tensor(port.id).name, "' needs ",
                       port.bytes * static_cast<size_t>(items), " bytes, got ", inputs[i].size()));
    }
    for (int item = 0; item < items; ++item) {
      std::memcpy(staging_.mapped() + staging_item_stride_ * item + port.staging_offset,
                  inputs[i].data() + port.bytes * item, port.bytes);
    }
  }
  if (absl::Status status = EnsureRecorded(items); !status.ok()) return status;
  if (!unwritten_variable_.empty() && !variables_written_.load()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "variable '", unwritten_variable_, "' is read before any write and has no initial value"));
  }
  if (!unwritten_variable_.empty() || (query_pool_ != VK_NULL_HANDLE && !control_flow_)) {
    // What a completed batch leaves behind: its timestamps to add up (a graph with control flow
    // adds them after each of its submissions), and its variables written.
    done = [this, items, done = std::move(done)](absl::Status status) {
      if (status.ok()) {
        if (query_pool_ != VK_NULL_HANDLE && !control_flow_) CollectTimestamps(items);
        variables_written_ = true;
      }
      done(std::move(status));
    };
  }
  if (control_flow_) {
    auto run = std::make_shared<ControlFlowRun>();
    run->items = items;
    run->done = std::move(done);
    run->interrupted = std::move(interrupted);
    run->pending.push_back(load_buffers_[0]);
    return Advance(run);
  }
  return device_->Submit(
      std::span<const VkCommandBuffer>(command_buffers_.data(), static_cast<size_t>(items)),
      std::move(done));
}

absl::Status GraphProgram::Advance(const std::shared_ptr<ControlFlowRun>& run) {
  using Kind = HostInstruction::Kind;
  while (true) {
    if (run->pc == code_.size()) {
      run->pending.push_back(store_buffers_[static_cast<size_t>(run->item)]);
      if (++run->item == run->items) {
        return device_->Submit(
            run->pending, [this, run, timed = std::move(run->pending_runs)](absl::Status status) {
              if (status.ok()) CollectRunTimestamps(timed);
              run->done(std::move(status));
            });
      }
      run->pending.push_back(load_buffers_[static_cast<size_t>(run->item)]);
      run->pc = 0;
      continue;
    }
    const HostInstruction& instruction = code_[run->pc];
    switch (instruction.kind) {
      case Kind::kRun:
      case Kind::kReadFlag:
        // Never twice in one submission, so each submission's timestamps are read once: between
        // two waits the walk goes only forward but for a loop's jump back to its condition, which
        // ends in a wait, and an item's code after its last wait and the next item's before its
        // first are disjoint.
        run->pending.push_back(code_buffers_[run->pc]);
        if (instruction.kind == Kind::kRun) run->pending_runs.push_back(run->pc);
        ++run->pc;
        break;
      case Kind::kJump:
        run->pc = instruction.target;
        break;
      case Kind::kLoopIteration:
        // Nothing queued since the last wait has run yet; dropping it loses nothing.
        if (run->interrupted) {
          if (absl::Status status = run->interrupted(); !status.ok()) return status;
        }
        ++run->pc;
        break;
      case Kind::kBranchIfFalse:
        if (!run->pending.empty()) {
          // The flag is read once what was queued, its copy included, has completed.
          std::vector<VkCommandBuffer> batch;
          batch.swap(run->pending);
          std::vector<size_t> timed;
          timed.swap(run->pending_runs);
          return device_->Submit(batch, [this, run, timed = std::move(timed)](absl::Status status) {
            if (status.ok()) {
              // Before the walk goes on and may submit these runs again.
              CollectRunTimestamps(timed);
              status = Advance(run);
            }
            if (!status.ok()) run->done(std::move(status));
          });
        }
        run->pc = flags_.mapped()[4 * static_cast<size_t>(instruction.flag)] != 0
                      ? run->pc + 1
                      : instruction.target;
        break;
    }
  }
}

absl::Status GraphProgram::ReplayAndWait(int items) {
  if (items < 1 || items > max_items_) {
    return absl::InvalidArgumentError(absl::StrCat("1 to ", max_items_, " items"));
  }
  if (control_flow_) {
    return absl::FailedPreconditionError(
        "a graph with control flow has no single recorded command buffer to replay");
  }
  if (absl::Status status = EnsureRecorded(items); !status.ok()) return status;
  return device_->SubmitAndWait(
      std::span<const VkCommandBuffer>(command_buffers_.data(), static_cast<size_t>(items)));
}

uint64_t GraphProgram::AddStepTimes(const uint64_t* t, size_t first, size_t end) {
  if (step_timings_ != nullptr) {
    for (size_t i = first; i < end; ++i) {
      StepTiming& timing = step_timings_[i];
      timing.nanoseconds.fetch_add(device_->TimestampNanoseconds(t[i - first], t[i - first + 1]),
                                   std::memory_order_relaxed);
      timing.calls.fetch_add(1, std::memory_order_relaxed);
    }
  }
  return device_->TimestampNanoseconds(t[0], t[QueriesFor(end - first) - 1]);
}

void GraphProgram::CollectTimestamps(int items) {
  const uint32_t per_item = queries_per_item_;
  const uint32_t count = per_item * static_cast<uint32_t>(items);
  if (vkGetQueryPoolResults(device_->handle(), query_pool_, 0, count, count * sizeof(uint64_t),
                            timestamps_.data(), sizeof(uint64_t),
                            VK_QUERY_RESULT_64_BIT) != VK_SUCCESS) {
    return;  // not ready or lost: this batch goes untimed
  }
  uint64_t busy = 0;
  for (int item = 0; item < items; ++item) {
    busy +=
        AddStepTimes(timestamps_.data() + per_item * static_cast<size_t>(item), 0, steps_.size());
  }
  device_->AddBusyTime(busy);
}

void GraphProgram::CollectRunTimestamps(const std::vector<size_t>& runs) {
  if (query_pool_ == VK_NULL_HANDLE) return;
  uint64_t busy = 0;
  for (const size_t pc : runs) {
    const HostInstruction& run = code_[pc];
    const uint32_t count = QueriesFor(run.end_step - run.first_step);
    // The submission completed: its timestamps are available.
    if (vkGetQueryPoolResults(device_->handle(), query_pool_, run_first_query_[pc], count,
                              count * sizeof(uint64_t), timestamps_.data(), sizeof(uint64_t),
                              VK_QUERY_RESULT_64_BIT) != VK_SUCCESS) {
      continue;  // not ready or lost: this run goes untimed
    }
    busy += AddStepTimes(timestamps_.data(), run.first_step, run.end_step);
  }
  device_->AddBusyTime(busy);
}

std::vector<OperatorTiming> GraphProgram::OperatorProfile() const {
  std::vector<OperatorTiming> timings;
  if (step_timings_ == nullptr) return timings;
  const graph::Graph& g = *graph_;
  for (size_t i = 0; i < steps_.size(); ++i) {
    const StepOwner& owner = owners_[i];
    if (owner.op_index < 0) continue;
    // An operator's steps are consecutive: they add up to one entry.
    const bool continues = !timings.empty() && i > 0 && owners_[i - 1].block == owner.block &&
                           owners_[i - 1].op_index == owner.op_index;
    const uint64_t nanoseconds = step_timings_[i].nanoseconds.load(std::memory_order_relaxed);
    if (continues) {
      timings.back().total_ns += nanoseconds;
      continue;
    }
    const graph::Block& block = g.blocks[owner.block];
    const graph::Operator& op = block.operators[static_cast<size_t>(owner.op_index)];
    OperatorTiming timing;
    timing.block =
        block.name.empty() && owner.block == graph::Graph::kMainBlock ? "main" : block.name;
    timing.index = owner.op_index;
    timing.op = std::string(graph::OpName(op.op));
    // A fused step is named after all its operators and shows the tensor it finally writes, as
    // the CPU backend's profile does.
    const graph::Operator* last = &op;
    for (const int32_t fused : owner.fused) {
      last = &block.operators[static_cast<size_t>(fused)];
      absl::StrAppend(&timing.op, "+", std::string(graph::OpName(last->op)));
    }
    if (!last->outputs.empty()) {
      const graph::Tensor& output = g.tensor(last->outputs[0]);
      timing.output = output.name;
      timing.shape = output.shape.empty() ? "scalar" : absl::StrJoin(output.shape, "x");
    }
    timing.calls = step_timings_[i].calls.load(std::memory_order_relaxed);
    timing.total_ns = nanoseconds;
    timings.push_back(std::move(timing));
  }
  return timings;
}

void GraphProgram::ReadOutputs(std::span<const std::span<uint8_t>> outputs, int items) const {
  for (size_t i = 0; i < outputs_.size() && i < outputs.size(); ++i) {
    const Port& port = outputs_[i];
    for (int item = 0; item < items; ++item) {
      std::memcpy(outputs[i].data() + port.bytes * item,
                  staging_.mapped() + staging_item_stride_ * item + port.staging_offset,
                  port.bytes);
    }
  }
}

absl::Status GraphProgram::RunAndWait(std::span<const std::span<const uint8_t>> inputs,
                                      std::span<const std::span<uint8_t>> outputs, int items) {
  for (size_t i = 0; i < outputs_.size(); ++i) {
    if (i >= outputs.size() ||
        outputs[i].size() != outputs_[i].bytes * static_cast<size_t>(items)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "output ", i, " needs ", outputs_[i].bytes * static_cast<size_t>(items), " bytes"));
    }
  }
  absl::Notification finished;
  absl::Status result;
  if (absl::Status status = Start(inputs, items,
                                  [&](absl::Status status) {
                                    result = std::move(status);
                                    finished.Notify();
                                  });
      !status.ok()) {
    return status;
  }
  finished.WaitForNotification();
  if (!result.ok()) return result;
  ReadOutputs(outputs, items);
  return absl::OkStatus();
}

}  // namespace inferd::vulkan
