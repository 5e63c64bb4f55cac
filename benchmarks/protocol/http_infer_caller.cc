#include "benchmarks/protocol/http_infer_caller.h"

#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace inferd::bench {
namespace {

size_t AppendToString(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

class HttpInferCaller : public RequestCaller {
 public:
  HttpInferCaller(const HttpRequestPool& pool, absl::Duration timeout, CURL* curl)
      : pool_(pool), curl_(curl) {
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM: threads
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(absl::ToInt64Milliseconds(timeout)));
    curl_easy_setopt(curl_, CURLOPT_POST, 1L);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, AppendToString);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &response_);
  }
  ~HttpInferCaller() override { curl_easy_cleanup(curl_); }

  absl::Status Call(size_t index) override {
    const HttpInferBody& body = pool_.body(index);
    curl_easy_setopt(curl_, CURLOPT_URL, pool_.url(index).c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, pool_.headers(index));
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.body.data());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.body.size()));
    response_.clear();
    const CURLcode code = curl_easy_perform(curl_);
    if (code != CURLE_OK) {
      return absl::UnavailableError(absl::StrCat("curl: ", curl_easy_strerror(code)));
    }
    long status = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) {
      return absl::UnknownError(absl::StrCat("HTTP ", status, ": ", response_.substr(0, 500)));
    }
    return absl::OkStatus();
  }

  absl::Status CheckLastAnswer() override {
    // JSON answers and binary ones both start with a JSON header that lists the outputs.
    if (response_.find("\"outputs\"") == std::string::npos) {
      return absl::FailedPreconditionError(
          absl::StrCat("a warm-up answer lists no outputs: ", response_.substr(0, 200)));
    }
    return absl::OkStatus();
  }

 private:
  const HttpRequestPool& pool_;
  CURL* curl_;
  std::string response_;
};

}  // namespace

HttpRequestPool::HttpRequestPool(std::string address, std::vector<HttpInferBody> bodies)
    : address_(std::move(address)), bodies_(std::move(bodies)) {
  for (const HttpInferBody& body : bodies_) {
    urls_.push_back(absl::StrCat("http://", address_, body.path));
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, body.json_header_bytes > 0
                                             ? "Content-Type: application/octet-stream"
                                             : "Content-Type: application/json");
    // curl asks "Expect: 100-continue" before bodies over 1 MiB and waits for the answer: a round
    // trip no other subject pays. An empty value turns it off.
    headers = curl_slist_append(headers, "Expect:");
    if (body.json_header_bytes > 0) {
      headers = curl_slist_append(
          headers,
          absl::StrCat("Inference-Header-Content-Length: ", body.json_header_bytes).c_str());
    }
    headers_.push_back(headers);
  }
}

HttpRequestPool::~HttpRequestPool() {
  for (curl_slist* headers : headers_) curl_slist_free_all(headers);
}

CallerFactory HttpInferCallers(const HttpRequestPool& pool, absl::Duration timeout) {
  return [&pool, timeout](int) -> absl::StatusOr<std::unique_ptr<RequestCaller>> {
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return absl::ResourceExhaustedError("curl_easy_init failed");
    return std::make_unique<HttpInferCaller>(pool, timeout, curl);
  };
}

}  // namespace inferd::bench
