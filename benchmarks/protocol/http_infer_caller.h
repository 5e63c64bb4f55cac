// HTTP/REST infer callers for the closed loop: one libcurl handle per client thread, kept alive
// across requests (one connection per client, as the gRPC subjects have one channel per client),
// posting bodies encoded once before timing.
#pragma once

#include <curl/curl.h>

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "benchmarks/protocol/http_infer_body.h"
#include "benchmarks/serving/request_caller.h"

namespace inferd::bench {

// The bodies a subject cycles through, with the header lists curl sends with each. Shared
// read-only by the subject's client threads; must outlive its callers.
class HttpRequestPool {
 public:
  HttpRequestPool(std::string address, std::vector<HttpInferBody> bodies);
  ~HttpRequestPool();
  HttpRequestPool(const HttpRequestPool&) = delete;
  HttpRequestPool& operator=(const HttpRequestPool&) = delete;

  const std::string& address() const { return address_; }
  size_t size() const { return bodies_.size(); }
  const HttpInferBody& body(size_t i) const { return bodies_[i % bodies_.size()]; }
  const std::string& url(size_t i) const { return urls_[i % urls_.size()]; }
  curl_slist* headers(size_t i) const { return headers_[i % headers_.size()]; }

 private:
  std::string address_;
  std::vector<HttpInferBody> bodies_;
  std::vector<std::string> urls_;
  std::vector<curl_slist*> headers_;
};

// Callers that POST `pool`'s bodies to its address, each answer bounded by `timeout`.
// curl_global_init must have been called before the first caller is made.
CallerFactory HttpInferCallers(const HttpRequestPool& pool, absl::Duration timeout);

}  // namespace inferd::bench
