// tosa_conformance: runs TOSA conformance test folders on the CPU or Vulkan backend, or prints /
// checks the generated support table (docs/tosa-support.md). Usage in docs/tosa-support.md.
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/conformance/conformance_runner.h"
#include "tests/conformance/support_table.h"
#include "tests/conformance/test_folder.h"

namespace {

namespace fs = std::filesystem;
using namespace inferd::conformance;

// ctest's SKIP_RETURN_CODE for a conformance set that is not there.
constexpr int kSkipExit = 77;

int Usage() {
  std::cerr
      << "usage: tosa_conformance [--backend cpu|vulkan] [--vulkan-no-int64] [--skip-unsupported]\n"
         "                        [--via-vgf]\n"
         "                        [--jobs N] [--verbose]\n"
         "                        [--skip-if-absent] [--from-env DEFAULT] [--part NAME] FOLDER...\n"
         "       tosa_conformance --support-table [--jobs N] [FOLDER]\n"
         "       tosa_conformance --check-support-table FILE\n"
         "--from-env DEFAULT adds $INFERD_TOSA_CONFORMANCE_DIR, or DEFAULT when unset.\n"
         "--part NAME runs only the NAME subfolder of each root (operators, extensions).\n"
         "--backend vulkan runs the graphs on the tosa_vulkan backend's default device;\n"
         "--vulkan-no-int64 with it runs the exact 32-bit variants of the shaders that use 64-bit\n"
         "integers, as on a device without shaderInt64.\n"
         "--via-vgf writes each graph as a VGF file and runs what the VGF reader reads back; "
         "graphs\n"
         "the VGF writer refuses are skipped, with their reasons counted.\n";
  return 2;
}

// --via-vgf: why graphs were skipped, one line per kind of reason with its count (names and
// numbers in the reasons folded, so "operator #3 (COND_IF)" and "operator #5 (COND_IF)" count
// together).
void PrintSkipReasons(const std::vector<FolderReport>& reports) {
  std::map<std::string, size_t> reasons;
  for (const FolderReport& r : reports) {
    if (r.outcome != Outcome::kSkipped || r.messages.empty()) continue;
    std::string key;
    bool quoted = false;
    for (char c : r.messages[0]) {
      if (c == '\'') {
        if (!quoted) key += "'...'";
        quoted = !quoted;
      } else if (!quoted) {
        // Numbers fold, digits inside names (FP8E4M3, INT4) stay.
        const bool number_start = key.empty() || key.back() == ' ' || key.back() == '#' ||
                                  key.back() == '.' || key.back() == 'N';
        if (std::isdigit(static_cast<unsigned char>(c)) && number_start) {
          if (key.empty() || key.back() != 'N') key += 'N';
        } else {
          key += c;
        }
      }
    }
    ++reasons[key];
  }
  for (const auto& [reason, count] : reasons)
    std::cout << "skipped " << count << ": " << reason << "\n";
}

int CheckSupportTable(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "cannot read " << path << "\n";
    return 1;
  }
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!SupportSectionCoversVulkan()) {
    std::cout << path
              << ": not checked: this build has no Vulkan backend, whose column the "
                 "committed table holds\n";
    return kSkipExit;
  }
  const std::optional<std::string> committed = ExtractSupportSection(doc);
  const std::string current = SupportSection();
  if (committed.has_value() && *committed == current) {
    std::cout << path << ": support table is up to date\n";
    return 0;
  }
  std::cerr << path
            << ": the support table no longer matches the CPU and Vulkan backends. Regenerate it "
               "from the "
               "repository root with\n"
               "  <build>/tests/conformance/tosa_conformance --support-table "
               "../shared/tosa-conformance > docs/tosa-support.md\n"
               "Expected section:\n"
            << current;
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  RunOptions options;
  options.max_reported = 1;  // the first failing element of each output; --verbose shows more
  options.jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  bool verbose = false, skip_if_absent = false, support_table = false;
  std::optional<std::string> check_file;
  std::vector<fs::path> roots;
  std::optional<std::string> part;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string(argv[++i]);
    };
    if (arg == "--backend") {
      std::optional<std::string> v = value();
      std::optional<Backend> backend = v.has_value() ? ParseBackend(*v) : std::nullopt;
      if (!backend.has_value()) {
        std::cerr << "--backend takes cpu or vulkan (vulkan only in a build with the Vulkan "
                     "backend)\n";
        return Usage();
      }
      options.backend = *backend;
    } else if (arg == "--skip-unsupported") {
      options.skip_unsupported = true;
    } else if (arg == "--via-vgf") {
      options.via_vgf = true;
    } else if (arg == "--vulkan-no-int64") {
      options.vulkan_no_int64 = true;
    } else if (arg == "--verbose") {
      verbose = true;
      options.max_reported = 10;
    } else if (arg == "--skip-if-absent") {
      skip_if_absent = true;
    } else if (arg == "--support-table") {
      support_table = true;
    } else if (arg == "--jobs") {
      std::optional<std::string> v = value();
      if (!v.has_value() || std::atoi(v->c_str()) < 1) return Usage();
      options.jobs = std::atoi(v->c_str());
    } else if (arg == "--check-support-table") {
      check_file = value();
      if (!check_file.has_value()) return Usage();
    } else if (arg == "--from-env") {
      std::optional<std::string> v = value();
      if (!v.has_value()) return Usage();
      const char* env = std::getenv("INFERD_TOSA_CONFORMANCE_DIR");
      roots.emplace_back(env != nullptr && *env ? std::string(env) : *v);
    } else if (arg == "--part") {
      part = value();
      if (!part.has_value()) return Usage();
    } else if (arg == "--help" || arg == "-h" || (!arg.empty() && arg[0] == '-')) {
      return Usage();
    } else {
      roots.emplace_back(arg);
    }
  }
  // The shared set holds the profiles (operators/) and the extensions (extensions/), which are
  // supported to different degrees; a test names the part it holds the backend to.
  if (part.has_value()) {
    for (fs::path& root : roots) root /= *part;
  }
  if (check_file.has_value()) return CheckSupportTable(*check_file);

  for (const fs::path& root : roots) {
    std::error_code ec;
    if (!fs::exists(root, ec)) {
      std::cout << "TOSA conformance folder " << root.string()
                << " is absent (set INFERD_TOSA_CONFORMANCE_DIR to its location)\n";
      return skip_if_absent ? kSkipExit : 1;
    }
  }
  if (support_table) {
    if (roots.size() > 1) return Usage();
    std::vector<BackendReports> runs;
    if (!roots.empty()) {
      options.skip_unsupported = true;
      const std::vector<fs::path> dirs = FindTestFolders(roots);
      options.backend = Backend::kCpu;
      runs.push_back({"tosa_cpu", RunFolders(dirs, options)});
      if (SupportSectionCoversVulkan()) {
        options.backend = Backend::kVulkan;
        runs.push_back({"tosa_vulkan", RunFolders(dirs, options)});
      }
    }
    std::cout << SupportDocument(runs, roots.empty() ? "" : roots[0].string());
    return 0;
  }
  if (roots.empty()) return Usage();

  const std::vector<fs::path> dirs = FindTestFolders(roots);
  if (dirs.empty()) {
    std::cout << "no test folders (holding desc.json) found\n" << Summary({}) << "\n";
    return 1;
  }
  const std::vector<FolderReport> reports = RunFolders(dirs, options);
  // One line per failing folder (and per skipped one with --verbose).
  for (const FolderReport& r : reports) {
    if (r.outcome == Outcome::kPassed || (r.outcome == Outcome::kSkipped && !verbose)) continue;
    std::cout << (r.outcome == Outcome::kFailed ? "FAIL " : "SKIP ") << r.dir.string() << ": ";
    for (size_t i = 0; i < r.messages.size(); ++i) {
      std::cout << (i == 0 ? "" : "; ") << r.messages[i];
    }
    std::cout << "\n";
  }
  const Totals totals = Count(reports);
  if (options.via_vgf) PrintSkipReasons(reports);
  std::cout << Summary(totals) << "\n";
  return totals.failed == 0 ? 0 : 1;
}
