// Serialises a VgfFile (vgf_file.h) as a VGF file of format 0.4.3: the 128-byte header, the three
// FlatBuffers sections and a CONST00 constants section, each section 8-byte aligned. The graph
// writer (vgf_writer.h) builds its one-segment files with it; tests and tools build files of any
// shape with it (several segments, COMPUTE modules, GLSL sources). It writes what it is given:
// ReadVgfFile is the check.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/graph/vgf/vgf_file.h"

namespace inferd::graph::vgf {

std::vector<uint8_t> SerializeVgfFile(const VgfFile& file);

}  // namespace inferd::graph::vgf
