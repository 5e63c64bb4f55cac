// A small libcurl client for the HTTP/REST tests: one request at a time, the status, the headers
// (names lower-cased) and the body back. A real HTTP client, independent of the server's library.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace inferd::testing {

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // lower-cased names
  std::string body;
};

// `method` to http://127.0.0.1:port`path` with `body` and extra "Name: value" headers.
absl::StatusOr<HttpResponse> HttpRequest(int port, const std::string& method,
                                         const std::string& path, const std::string& body = "",
                                         const std::vector<std::string>& headers = {});

// What an HTTPS request trusts and shows (PEM file paths).
struct HttpsClientFiles {
  std::string ca;    // the server's certificate must chain to these
  std::string cert;  // empty: no client certificate
  std::string key;
};

// The same over HTTPS to https://127.0.0.1:port`path`; a failed handshake is an error.
absl::StatusOr<HttpResponse> HttpsRequest(int port, const HttpsClientFiles& files,
                                          const std::string& method, const std::string& path,
                                          const std::string& body = "");

// The response of a request that must succeed; a failed one fails the test and gives an empty
// response.
HttpResponse Must(absl::StatusOr<HttpResponse> response);

// The "error" string of a KServe v2 JSON error body, or a note quoting the body when it has none.
std::string ErrorOf(const HttpResponse& response);

}  // namespace inferd::testing
