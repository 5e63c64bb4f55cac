// VGF files of two segments, GRAPH and COMPUTE, for the tests of sequence assembly, of the Vulkan
// backend's compute segments and of serving them. Built from the graph writer's one-segment file,
// then extended by hand with a GLSL compute module, its segment and resources (what an exporter
// that emits compute segments, such as ExecuTorch's VGF backend, writes).
//
// With n elements, INT32 [1, n] throughout and c[i] = i - 3:
//   graph then compute: x -> GRAPH t = x + c -> COMPUTE y = 3 t + 1 + bias -> y
//   compute then graph: x -> COMPUTE t = 3 x + 1 + bias -> GRAPH y = t + c -> y
// where bias is the shader's push constant, which inferd pushes as 0.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/graph/vgf/vgf_file.h"

namespace inferd::graph::vgf::testing {

enum class SegmentOrder { kGraphThenCompute, kComputeThenGraph };

VgfFile TwoSegmentFile(SegmentOrder order, int n);

// The GLSL of the compute segment (set `set`, bindings 0 in and 1 out, one int push constant).
std::string ScaleShaderGlsl(uint32_t set);

// y for input x, computed here.
std::vector<int32_t> ExpectedTwoSegmentOutput(SegmentOrder order, const std::vector<int32_t>& x);

// One COMPUTE segment on images, [1, height, width, 1] throughout:
//   storage: x INT32 storage image -> y = 2 x + 1, an INT32 storage image;
//   sampled: x FP32 combined image sampler (nearest) -> y = x + 0.5, an FP32 storage buffer.
enum class ImageUse { kStorage, kSampled };
VgfFile ImageSegmentFile(ImageUse use, int height, int width);

// Index of the COMPUTE segment / module in TwoSegmentFile's result.
size_t ComputeSegmentIndex(const VgfFile& file);

}  // namespace inferd::graph::vgf::testing
