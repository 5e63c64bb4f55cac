#include "backends/vulkan/program_lowering.h"

#include <initializer_list>
#include <optional>
#include <variant>

#include "absl/strings/str_cat.h"
#include "backends/vulkan/epilogue_fusion.h"

namespace inferd::vulkan {
namespace {

using graph::BlockId;
using graph::Op;
using graph::TensorId;
using Kind = HostInstruction::Kind;

// The validator refuses a block that calls itself; this only bounds the recursion below if a
// graph ever gets past it.
constexpr int kMaxNesting = 64;

class ProgramBuilder {
 public:
  ProgramBuilder(const graph::Graph& graph, OpLowering& lowering)
      : graph_(graph), lowering_(lowering), seen_(graph.tensors.size(), false) {}

  absl::StatusOr<LoweredProgram> Build() {
    const graph::Block& main = graph_.main_block();
    for (TensorId id : main.inputs) Touch(id);
    for (TensorId id : main.outputs) Touch(id);
    if (absl::Status status = LowerBlock(graph::Graph::kMainBlock, 0); !status.ok()) {
      return status;
    }
    program_.owners.resize(program_.steps.size(), StepOwner{});
    return std::move(program_);
  }

 private:
  void Touch(TensorId id) {
    if (seen_[id]) return;
    seen_[id] = true;
    program_.touched.push_back(id);
  }

  // Appends steps to the GPU run that ends the code, or starts one after host instructions.
  void AppendSteps(size_t first) {
    const size_t end = program_.steps.size();
    if (first == end) return;
    std::vector<HostInstruction>& code = program_.code;
    if (!code.empty() && code.back().kind == Kind::kRun && code.back().end_step == first) {
      code.back().end_step = end;
      return;
    }
    HostInstruction run;
    run.kind = Kind::kRun;
    run.first_step = first;
    run.end_step = end;
    code.push_back(run);
  }

  // Copies `from[i]` to `to[i]` (tensors of equal type and shape, as the validator ensures).
  void Copy(const std::vector<TensorId>& from, size_t from_offset,
            const std::vector<TensorId>& to) {
    const size_t first = program_.steps.size();
    for (size_t i = 0; i < to.size() && i + from_offset < from.size(); ++i) {
      const TensorId source = from[i + from_offset];
      Touch(source);
      Touch(to[i]);
      if (source != to[i]) program_.steps.push_back(CopyStep{source, to[i]});
    }
    AppendSteps(first);
  }

  size_t Emit(Kind kind) {
    HostInstruction instruction;
    instruction.kind = kind;
    program_.code.push_back(instruction);
    return program_.code.size() - 1;
  }

  // Reads `tensor` into a new flag and branches past the code emitted next when it is false;
  // returns the branch, whose target the caller sets.
  size_t BranchUnless(TensorId tensor) {
    Touch(tensor);
    const size_t read = Emit(Kind::kReadFlag);
    program_.code[read].tensor = tensor;
    program_.code[read].flag = program_.flags;
    const size_t branch = Emit(Kind::kBranchIfFalse);
    program_.code[branch].flag = program_.flags++;
    return branch;
  }

  absl::Status LowerBlock(BlockId block_id, int depth) {
    if (depth > kMaxNesting) {
      return absl::InvalidArgumentError(
          absl::StrCat("control flow nests deeper than ", kMaxNesting, " blocks"));
    }
    const graph::Block& block = graph_.blocks[block_id];
    for (TensorId id : block.inputs) Touch(id);
    const std::vector<EpilogueFusion> fusions = FindEpilogueFusions(graph_, block_id);
    std::vector<const EpilogueFusion*> fusion_at(block.operators.size(), nullptr);
    for (const EpilogueFusion& fusion : fusions) fusion_at[fusion.producer] = &fusion;
    std::vector<bool> fused(block.operators.size(), false);  // done by an earlier step
    // A quantised ADD's RESCALEs of its operands wait for the ADD, whose dispatch may take them
    // over (their outputs have no other reader, so nothing between needs them).
    const std::vector<RescaledAddFusion> adds = FindRescaledAdds(graph_, block_id);
    std::vector<const RescaledAddFusion*> add_at(block.operators.size(), nullptr);
    for (const RescaledAddFusion& add : adds) {
      add_at[add.add] = &add;
      fused[add.rescale_a] = fused[add.rescale_b] = true;
    }
    for (size_t index = 0; index < block.operators.size(); ++index) {
      if (fused[index]) continue;
      const graph::Operator& op = block.operators[index];
      if (op.op == Op::kCondIf || op.op == Op::kWhileLoop) {
        program_.control_flow = true;
        if (absl::Status status = LowerControl(op, depth); !status.ok()) return status;
        continue;
      }
      if (fusion_at[index] != nullptr && LowerFused(block_id, index, *fusion_at[index], fused)) {
        continue;
      }
      if (add_at[index] != nullptr) {
        const RescaledAddFusion& add = *add_at[index];
        if (LowerRescaledAdd(block_id, add, fused)) continue;
        // Declined: the RESCALEs that waited, then the ADD on its own.
        for (size_t waited : {add.rescale_a, add.rescale_b}) {
          if (absl::Status status = LowerOne(block_id, waited); !status.ok()) return status;
        }
      }
      if (absl::Status status = LowerOne(block_id, index); !status.ok()) return status;
    }
    for (TensorId id : block.outputs) Touch(id);
    return absl::OkStatus();
  }

  // Operator `index` of the block as the steps OpLowering gives it, owned by it.
  absl::Status LowerOne(BlockId block_id, size_t index) {
    const graph::Operator& op = graph_.blocks[block_id].operators[index];
    const size_t first = program_.steps.size();
    if (absl::Status status = lowering_.Lower(op, program_.steps); !status.ok()) return status;
    for (TensorId id : op.inputs) Touch(id);
    for (TensorId id : op.outputs) Touch(id);
    program_.owners.resize(first, StepOwner{});
    program_.owners.resize(program_.steps.size(), OwnerOf(block_id, index));
    AppendSteps(first);
    return absl::OkStatus();
  }

  // A quantised ADD with the RESCALEs and CLAMP around it (epilogue_fusion.h) as one step owned by
  // the ADD; false, with nothing emitted, where the lowering declines.
  bool LowerRescaledAdd(BlockId block_id, const RescaledAddFusion& add, std::vector<bool>& fused) {
    const graph::Block& block = graph_.blocks[block_id];
    const graph::Operator& rescale_a = block.operators[add.rescale_a];
    const graph::Operator& rescale_b = block.operators[add.rescale_b];
    const graph::Operator& rescale_out = block.operators[add.rescale_out];
    const graph::Operator* clamp = add.clamp ? &block.operators[*add.clamp] : nullptr;
    const size_t first = program_.steps.size();
    if (!lowering_.LowerRescaledAdd(rescale_a, rescale_b, block.operators[add.add], rescale_out,
                                    clamp, program_.steps)) {
      return false;
    }
    for (const graph::Operator* op : {&rescale_a, &rescale_b}) {
      for (TensorId id : op->inputs) Touch(id);
    }
    for (TensorId id : rescale_out.inputs) {
      if (id != block.operators[add.add].outputs[0]) Touch(id);
    }
    Touch(clamp != nullptr ? clamp->outputs[0] : rescale_out.outputs[0]);
    FinishFusedStep(block_id, add.add, {add.rescale_a, add.rescale_b, add.rescale_out, add.clamp},
                    first, fused);
    return true;
  }

  // The steps from `first` on as one fused step owned by operator `index`, which took over the
  // operators `others` (marked done).
  void FinishFusedStep(BlockId block_id, size_t index,
                       std::initializer_list<std::optional<size_t>> others, size_t first,
                       std::vector<bool>& fused) {
    StepOwner owner = OwnerOf(block_id, index);
    for (const std::optional<size_t>& other : others) {
      if (!other) continue;
      fused[*other] = true;
      owner.fused.push_back(static_cast<int32_t>(*other));
    }
    program_.owners.resize(first, StepOwner{});
    program_.owners.resize(program_.steps.size(), owner);
    AppendSteps(first);
  }

  static StepOwner OwnerOf(BlockId block_id, size_t index) {
    StepOwner owner;
    owner.block = block_id;
    owner.op_index = static_cast<int32_t>(index);
    return owner;
  }

  // A convolution and the operators after it that its dispatch takes over (epilogue_fusion.h), as
  // one step owned by the convolution; false, with nothing emitted, where the lowering declines.
  bool LowerFused(BlockId block_id, size_t index, const EpilogueFusion& fusion,
                  std::vector<bool>& fused) {
    const graph::Block& block = graph_.blocks[block_id];
    const graph::Operator& conv = block.operators[index];
    const graph::Operator* rescale = fusion.rescale ? &block.operators[*fusion.rescale] : nullptr;
    const graph::Operator* clamp = fusion.clamp ? &block.operators[*fusion.clamp] : nullptr;
    const size_t first = program_.steps.size();
    if (!lowering_.LowerFusedConvolution(conv, rescale, clamp, program_.steps)) return false;
    for (TensorId id : conv.inputs) Touch(id);
    Touch(clamp != nullptr ? clamp->outputs[0] : rescale->outputs[0]);
    FinishFusedStep(block_id, index, {fusion.rescale, fusion.clamp}, first, fused);
    return true;
  }

  // A COND_IF branch: the operator's operands after the condition in, the block, its results out.
  absl::Status Call(const graph::Operator& op, BlockId callee, int depth) {
    const graph::Block& block = graph_.blocks[callee];
    Copy(op.inputs, 1, block.inputs);
    if (absl::Status status = LowerBlock(callee, depth + 1); !status.ok()) return status;
    Copy(block.outputs, 0, op.outputs);
    return absl::OkStatus();
  }

  absl::Status LowerControl(const graph::Operator& op, int depth) {
    if (const auto* cond_if = std::get_if<graph::CondIfAttr>(&op.attribute)) {
      if (!cond_if->then_block || !cond_if->else_block) {
        return absl::InvalidArgumentError("COND_IF without resolved then/else blocks");
      }
      const size_t branch = BranchUnless(op.inputs[0]);
      if (absl::Status s = Call(op, *cond_if->then_block, depth); !s.ok()) return s;
      const size_t jump = Emit(Kind::kJump);
      program_.code[branch].target = program_.code.size();
      if (absl::Status s = Call(op, *cond_if->else_block, depth); !s.ok()) return s;
      program_.code[jump].target = program_.code.size();
      return absl::OkStatus();
    }
    const auto* loop = std::get_if<graph::WhileLoopAttr>(&op.attribute);
    if (loop == nullptr || !loop->cond_block || !loop->body_block) {
      return absl::InvalidArgumentError("WHILE_LOOP without resolved cond/body blocks");
    }
    // The operator's outputs hold the loop-carried values; each block gets copies, so a body that
    // returns its inputs in another order never reads what it is overwriting.
    Copy(op.inputs, 0, op.outputs);
    const size_t top = Emit(Kind::kLoopIteration);
    const graph::Block& cond = graph_.blocks[*loop->cond_block];
    Copy(op.outputs, 0, cond.inputs);
    if (absl::Status s = LowerBlock(*loop->cond_block, depth + 1); !s.ok()) return s;
    if (cond.outputs.empty()) return absl::InvalidArgumentError("WHILE_LOOP cond returns nothing");
    const size_t branch = BranchUnless(cond.outputs[0]);
    const graph::Block& body = graph_.blocks[*loop->body_block];
    Copy(op.outputs, 0, body.inputs);
    if (absl::Status s = LowerBlock(*loop->body_block, depth + 1); !s.ok()) return s;
    Copy(body.outputs, 0, op.outputs);
    const size_t jump = Emit(Kind::kJump);
    program_.code[jump].target = top;
    program_.code[branch].target = program_.code.size();
    return absl::OkStatus();
  }

  const graph::Graph& graph_;
  OpLowering& lowering_;
  std::vector<bool> seen_;
  LoweredProgram program_;
};

}  // namespace

absl::StatusOr<LoweredProgram> LowerProgram(const graph::Graph& graph, OpLowering& lowering) {
  return ProgramBuilder(graph, lowering).Build();
}

}  // namespace inferd::vulkan
