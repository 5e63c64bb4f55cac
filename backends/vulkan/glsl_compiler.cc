#include "backends/vulkan/glsl_compiler.h"

#include <string>

#include "absl/strings/str_cat.h"

#if INFERD_HAVE_GLSLANG
#include <glslang/Include/glslang_c_interface.h>
#include <glslang/Public/resource_limits_c.h>

#include <memory>

#include "absl/synchronization/mutex.h"
#endif

namespace inferd::vulkan {

#if INFERD_HAVE_GLSLANG

namespace {

// glslang's process-wide state is set up once; compiles are rare (model loads) and glslang's
// per-thread pools are simplest to reason about one compile at a time.
absl::Mutex& CompilerMutex() {
  static absl::Mutex* const mutex = [] {
    glslang_initialize_process();
    return new absl::Mutex;
  }();
  return *mutex;
}

struct ShaderDeleter {
  void operator()(glslang_shader_t* shader) const { glslang_shader_delete(shader); }
};
struct ProgramDeleter {
  void operator()(glslang_program_t* program) const { glslang_program_delete(program); }
};

}  // namespace

bool HaveGlslCompiler() { return true; }

absl::StatusOr<std::vector<uint32_t>> CompileComputeGlsl(std::string_view source,
                                                         std::string_view name) {
  const std::string text(source);  // glslang reads a NUL-terminated string
  const std::string label(name);
  absl::MutexLock lock(&CompilerMutex());
  glslang_input_t input{};
  input.language = GLSLANG_SOURCE_GLSL;
  input.stage = GLSLANG_STAGE_COMPUTE;
  input.client = GLSLANG_CLIENT_VULKAN;
  input.client_version = GLSLANG_TARGET_VULKAN_1_3;
  input.target_language = GLSLANG_TARGET_SPV;
  input.target_language_version = GLSLANG_TARGET_SPV_1_6;
  input.code = text.c_str();
  input.default_version = 450;
  input.default_profile = GLSLANG_NO_PROFILE;
  input.messages =
      static_cast<glslang_messages_t>(GLSLANG_MSG_SPV_RULES_BIT | GLSLANG_MSG_VULKAN_RULES_BIT);
  input.resource = glslang_default_resource();
  // No include callbacks are given, so every #include fails: no path is ever opened.
  std::unique_ptr<glslang_shader_t, ShaderDeleter> shader(glslang_shader_create(&input));
  if (shader == nullptr) return absl::InternalError("glslang could not create a shader");
  if (!glslang_shader_preprocess(shader.get(), &input) ||
      !glslang_shader_parse(shader.get(), &input)) {
    return absl::InvalidArgumentError(
        absl::StrCat("GLSL compute shader '", label,
                     "' does not compile: ", glslang_shader_get_info_log(shader.get())));
  }
  std::unique_ptr<glslang_program_t, ProgramDeleter> program(glslang_program_create());
  if (program == nullptr) return absl::InternalError("glslang could not create a program");
  glslang_program_add_shader(program.get(), shader.get());
  if (!glslang_program_link(program.get(), input.messages)) {
    return absl::InvalidArgumentError(
        absl::StrCat("GLSL compute shader '", label,
                     "' does not link: ", glslang_program_get_info_log(program.get())));
  }
  glslang_program_SPIRV_generate(program.get(), GLSLANG_STAGE_COMPUTE);
  std::vector<uint32_t> words(glslang_program_SPIRV_get_size(program.get()));
  glslang_program_SPIRV_get(program.get(), words.data());
  return words;
}

#else

bool HaveGlslCompiler() { return false; }

absl::StatusOr<std::vector<uint32_t>> CompileComputeGlsl(std::string_view, std::string_view name) {
  return absl::UnimplementedError(absl::StrCat(
      "GLSL compute shader '", std::string(name),
      "' needs glslang, which this build of inferd lacks (apt-get install glslang-dev)"));
}

#endif

}  // namespace inferd::vulkan
