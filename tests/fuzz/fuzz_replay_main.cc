// A main() for fuzz targets built without libFuzzer (g++): replays the files and directories
// given on the command line through LLVMFuzzerTestOneInput, optionally with deterministic
// truncated and bit-flipped variants of each, so a fuzz target doubles as a regression test.
//
//   <target> [--mutations=N] [--skip-missing] PATH...
//
// Exit status: 0 when every input ran (a crash or sanitizer report ends the process), 1 on
// usage errors or unreadable paths, 77 when --skip-missing found none of the paths.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

// Runs one input from its own heap allocation, so that reads past the end are caught by
// sanitizers just as under libFuzzer.
void RunOne(const std::vector<uint8_t>& bytes, size_t length) {
  std::vector<uint8_t> copy(bytes.begin(), bytes.begin() + length);
  LLVMFuzzerTestOneInput(copy.empty() ? nullptr : copy.data(), copy.size());
}

// xorshift64*: deterministic, so a failure reproduces with the same arguments.
uint64_t Next(uint64_t& state) {
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 2685821657736338717ull;
}

size_t Replay(const std::vector<uint8_t>& bytes, int mutations, uint64_t seed) {
  size_t runs = 1;
  RunOne(bytes, bytes.size());
  if (bytes.empty() || mutations <= 0) return runs;
  // Truncations spread over the whole length, always including the very short prefixes.
  for (int i = 0; i < mutations; ++i) {
    const size_t length = i < 16 ? std::min<size_t>(i, bytes.size() - 1)
                                 : bytes.size() * static_cast<size_t>(i) / mutations;
    RunOne(bytes, length);
    ++runs;
  }
  // Single-bit flips and whole-byte overwrites at pseudo-random offsets.
  uint64_t state = seed * 0x9e3779b97f4a7c15ull + 1;
  for (int i = 0; i < mutations; ++i) {
    std::vector<uint8_t> mutated = bytes;
    const size_t offset = Next(state) % mutated.size();
    if (i % 2 == 0) {
      mutated[offset] ^= static_cast<uint8_t>(1u << (Next(state) % 8));
    } else {
      mutated[offset] = static_cast<uint8_t>(Next(state));
    }
    RunOne(mutated, mutated.size());
    ++runs;
  }
  return runs;
}

bool ReadFile(const std::filesystem::path& path, std::vector<uint8_t>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

}  // namespace

int main(int argc, char** argv) {
  int mutations = 0;
  bool skip_missing = false;
  std::vector<std::filesystem::path> paths;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--mutations=", 0) == 0) {
      mutations = std::atoi(arg.c_str() + std::strlen("--mutations="));
    } else if (arg == "--skip-missing") {
      skip_missing = true;
    } else if (arg.rfind("--", 0) == 0) {
      std::fprintf(stderr, "unknown flag %s\nusage: %s [--mutations=N] [--skip-missing] PATH...\n",
                   arg.c_str(), argv[0]);
      return 1;
    } else {
      paths.emplace_back(arg);
    }
  }
  if (paths.empty()) {
    std::fprintf(stderr, "usage: %s [--mutations=N] [--skip-missing] PATH...\n", argv[0]);
    return 1;
  }
  std::vector<std::filesystem::path> files;
  size_t missing = 0;
  for (const auto& path : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(path)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
    } else if (std::filesystem::is_regular_file(path, ec)) {
      files.push_back(path);
    } else if (skip_missing) {
      std::fprintf(stderr, "skipping %s: not found\n", path.c_str());
      ++missing;
    } else {
      std::fprintf(stderr, "cannot read %s\n", path.c_str());
      return 1;
    }
  }
  if (missing == paths.size()) return 77;
  std::sort(files.begin(), files.end());
  size_t runs = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    std::vector<uint8_t> bytes;
    if (!ReadFile(files[i], bytes)) {
      std::fprintf(stderr, "cannot read %s\n", files[i].c_str());
      return 1;
    }
    runs += Replay(bytes, mutations, i + 1);
  }
  std::printf("replayed %zu inputs from %zu files\n", runs, files.size());
  return 0;
}
