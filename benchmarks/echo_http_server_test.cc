// The bare HTTP echo answers KServe v2 infer as inferd_protocol_bench's HTTP subjects need: JSON
// data back as JSON data, binary tensor data back as binary data after the JSON header.
#include "benchmarks/echo_http_server.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace inferd::bench {
namespace {

size_t Append(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

struct Answer {
  long status = 0;
  std::string headers;
  std::string body;
};

// One request to the echo; an empty `body` makes it a GET.
Answer Request(int port, const std::string& path, const std::string& body = "",
               const std::string& header_length = "") {
  Answer answer;
  CURL* curl = curl_easy_init();
  const std::string url = absl::StrCat("http://127.0.0.1:", port, path);
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Expect:");
  if (!header_length.empty()) {
    headers = curl_slist_append(
        headers, absl::StrCat("Inference-Header-Content-Length: ", header_length).c_str());
  }
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  if (!body.empty()) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, Append);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &answer.headers);
  EXPECT_EQ(curl_easy_perform(curl), CURLE_OK);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return answer;
}

class EchoHttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = EchoHttpServer::Start("127.0.0.1", 0, 2);
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = *std::move(started);
  }

  std::unique_ptr<EchoHttpServer> server_;
};

TEST_F(EchoHttpServerTest, IsReady) {
  EXPECT_EQ(Request(server_->port(), "/v2/health/ready").status, 200);
}

TEST_F(EchoHttpServerTest, EchoesJsonDataAsJsonOutputs) {
  const Answer answer =
      Request(server_->port(), "/v2/models/digits/versions/3/infer",
              R"({"id":"r1","inputs":[{"name":"x","datatype":"INT8","shape":[1,3],)"
              R"("data":[1,-2,3]}]})");
  ASSERT_EQ(answer.status, 200) << answer.body;
  const nlohmann::json json = nlohmann::json::parse(answer.body);
  EXPECT_EQ(json["model_name"], "digits");
  EXPECT_EQ(json["model_version"], "3");
  EXPECT_EQ(json["id"], "r1");
  ASSERT_EQ(json["outputs"].size(), 1u);
  EXPECT_EQ(json["outputs"][0]["name"], "x");
  EXPECT_EQ(json["outputs"][0]["datatype"], "INT8");
  EXPECT_EQ(json["outputs"][0]["shape"], nlohmann::json::array({1, 3}));
  EXPECT_EQ(json["outputs"][0]["data"], nlohmann::json::array({1, -2, 3}));
}

TEST_F(EchoHttpServerTest, EchoesBinaryDataAsBinaryOutputs) {
  const std::string header =
      R"({"inputs":[{"name":"a","datatype":"UINT8","shape":[2],"parameters":{"binary_data_size":2}},)"
      R"({"name":"b","datatype":"UINT8","shape":[3],"parameters":{"binary_data_size":3}}],)"
      R"("parameters":{"binary_data_output":true}})";
  const Answer answer = Request(server_->port(), "/v2/models/m/infer", header + "ab" + "cde",
                                std::to_string(header.size()));
  ASSERT_EQ(answer.status, 200) << answer.body;
  const std::string marker = "Inference-Header-Content-Length: ";
  const size_t at = answer.headers.find(marker);
  ASSERT_NE(at, std::string::npos) << answer.headers;
  const size_t json_size = std::stoul(answer.headers.substr(at + marker.size()));
  ASSERT_EQ(answer.body.size(), json_size + 5);
  EXPECT_EQ(answer.body.substr(json_size), "abcde");
  const nlohmann::json json = nlohmann::json::parse(answer.body.substr(0, json_size));
  EXPECT_EQ(json["outputs"][0]["parameters"]["binary_data_size"], 2);
  EXPECT_EQ(json["outputs"][1]["parameters"]["binary_data_size"], 3);
}

TEST_F(EchoHttpServerTest, RefusesWhatItCannotParse) {
  EXPECT_EQ(Request(server_->port(), "/v2/models/m/infer", "{not json").status, 400);
  EXPECT_EQ(Request(server_->port(), "/v2/models/m/infer", R"({"inputs":[{"name":"x"}]})").status,
            400);
  // The binary tail is shorter than the header says.
  const std::string header =
      R"({"inputs":[{"name":"a","datatype":"UINT8","shape":[4],"parameters":{"binary_data_size":4}}]})";
  EXPECT_EQ(
      Request(server_->port(), "/v2/models/m/infer", header + "ab", std::to_string(header.size()))
          .status,
      400);
  EXPECT_EQ(Request(server_->port(), "/v2/models/m/metadata").status, 404);
}

}  // namespace
}  // namespace inferd::bench
