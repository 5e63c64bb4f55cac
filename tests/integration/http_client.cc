#include "tests/integration/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace inferd::testing {
namespace {

size_t AppendBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

size_t AppendHeader(char* data, size_t size, size_t count, void* out) {
  std::string line(data, size * count);
  const size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    value.erase(value.find_last_not_of(" \t\r\n") + 1);
    (*static_cast<std::map<std::string, std::string>*>(out))[name] = value;
  }
  return size * count;
}

absl::StatusOr<HttpResponse> Request(int port, const HttpsClientFiles* tls,
                                     const std::string& method, const std::string& path,
                                     const std::string& body,
                                     const std::vector<std::string>& headers) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
  HttpResponse response;
  const std::string url =
      absl::StrCat(tls != nullptr ? "https" : "http", "://127.0.0.1:", port, path);
  if (tls != nullptr) {
    curl_easy_setopt(curl.get(), CURLOPT_CAINFO, tls->ca.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_CAPATH, nullptr);  // only the test's CA
    if (!tls->cert.empty()) {
      curl_easy_setopt(curl.get(), CURLOPT_SSLCERT, tls->cert.c_str());
      curl_easy_setopt(curl.get(), CURLOPT_SSLKEY, tls->key.c_str());
    }
  }
  curl_slist* list = nullptr;
  for (const std::string& header : headers) list = curl_slist_append(list, header.c_str());
  // No "Expect: 100-continue" round trip for larger bodies.
  list = curl_slist_append(list, "Expect:");
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, list);
  if (method == "POST") {
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, AppendHeader);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERDATA, &response.headers);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 120L);
  const CURLcode code = curl_easy_perform(curl.get());
  curl_slist_free_all(list);
  if (code != CURLE_OK) {
    return absl::UnavailableError(absl::StrCat(method, " ", url, ": ", curl_easy_strerror(code)));
  }
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace

absl::StatusOr<HttpResponse> HttpRequest(int port, const std::string& method,
                                         const std::string& path, const std::string& body,
                                         const std::vector<std::string>& headers) {
  return Request(port, nullptr, method, path, body, headers);
}

absl::StatusOr<HttpResponse> HttpsRequest(int port, const HttpsClientFiles& files,
                                          const std::string& method, const std::string& path,
                                          const std::string& body) {
  return Request(port, &files, method, path, body, {});
}

HttpResponse Must(absl::StatusOr<HttpResponse> response) {
  EXPECT_TRUE(response.ok()) << response.status();
  return response.ok() ? *std::move(response) : HttpResponse{};
}

std::string ErrorOf(const HttpResponse& response) {
  const auto body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object() || !body.contains("error") || !body["error"].is_string()) {
    return "(no error in " + response.body + ")";
  }
  return body["error"].get<std::string>();
}

}  // namespace inferd::testing
