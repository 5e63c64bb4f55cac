// Every RPC of every service in the protos inferd serves has a protocol group, so that a new RPC
// cannot be added without deciding which restriction covers it.
#include <set>
#include <string>

#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "health.pb.h"
#include "inferd_admin.pb.h"
#include "inference.pb.h"
#include "server/grpc_access_control.h"

namespace inferd {
namespace {

std::vector<const google::protobuf::FileDescriptor*> ServedProtoFiles() {
  return {inference::ModelInferRequest::descriptor()->file(),
          grpc::health::v1::HealthCheckRequest::descriptor()->file(),
          admin::ListTargetsRequest::descriptor()->file()};
}

TEST(GrpcMethodGroupsTest, EveryMethodOfEveryServedServiceHasAGroup) {
  int methods = 0;
  for (const google::protobuf::FileDescriptor* file : ServedProtoFiles()) {
    for (int s = 0; s < file->service_count(); ++s) {
      const google::protobuf::ServiceDescriptor* service = file->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        ++methods;
        EXPECT_TRUE(FindGrpcMethodGroup(service->full_name(), service->method(m)->name()))
            << service->full_name() << "/" << service->method(m)->name()
            << " has no protocol group: add it to GrpcMethodGroups (server/grpc_access_control.cc)";
      }
    }
  }
  EXPECT_EQ(static_cast<size_t>(methods), GrpcMethodGroups().size());
}

TEST(GrpcMethodGroupsTest, EveryEntryNamesARealMethodOnce) {
  std::set<std::string> seen;
  for (const GrpcMethodGroup& entry : GrpcMethodGroups()) {
    const std::string name = std::string(entry.service) + "/" + std::string(entry.method);
    EXPECT_TRUE(seen.insert(name).second) << name << " is listed twice";
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            std::string(entry.service));
    ASSERT_NE(service, nullptr) << entry.service;
    EXPECT_NE(service->FindMethodByName(std::string(entry.method)), nullptr) << name;
  }
}

TEST(GrpcMethodGroupsTest, TritonsClassification) {
  EXPECT_EQ(FindGrpcMethodGroup("inference.GRPCInferenceService", "RepositoryModelLoad"),
            ProtocolGroup::kModelRepository);
  EXPECT_EQ(FindGrpcMethodGroup("inference.GRPCInferenceService", "ModelStreamInfer"),
            ProtocolGroup::kInference);
  EXPECT_EQ(FindGrpcMethodGroup("inference.GRPCInferenceService", "SystemSharedMemoryRegister"),
            ProtocolGroup::kSharedMemory);
  EXPECT_EQ(FindGrpcMethodGroup("grpc.health.v1.Health", "Check"), ProtocolGroup::kHealth);
  EXPECT_EQ(FindGrpcMethodGroup("inferd.admin.TargetAdmin", "AddTarget"), ProtocolGroup::kAdmin);
  EXPECT_FALSE(FindGrpcMethodGroup("inference.GRPCInferenceService", "NoSuchMethod"));
}

}  // namespace
}  // namespace inferd
