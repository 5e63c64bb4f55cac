// ArenaMessageAllocator: each call's messages live on an arena, an arena's first block is reused
// by the next call, and no more than the bound of idle holders is kept.
#include "server/arena_message_allocator.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "inference.pb.h"

namespace inferd {
namespace {

using InferMessages =
    ArenaMessageAllocator<inference::ModelInferRequest, inference::ModelInferResponse>;
using InferHolder =
    grpc::MessageHolder<inference::ModelInferRequest, inference::ModelInferResponse>;

TEST(ArenaMessageAllocatorTest, BothMessagesOfACallShareOneArena) {
  InferMessages allocator(4096, 4);
  InferHolder* holder = allocator.AllocateMessages();
  ASSERT_NE(holder->request()->GetArena(), nullptr);
  EXPECT_EQ(holder->request()->GetArena(), holder->response()->GetArena());
  holder->Release();
}

TEST(ArenaMessageAllocatorTest, AReleasedHolderIsReusedWithFreshMessages) {
  InferMessages allocator(4096, 4);
  InferHolder* first = allocator.AllocateMessages();
  first->request()->set_model_name("digits_fp32");
  first->request()->add_raw_input_contents(std::string(100000, 'x'));  // past the first block
  first->response()->set_id("42");
  first->Release();
  EXPECT_EQ(allocator.idle(), 1u);

  InferHolder* second = allocator.AllocateMessages();
  EXPECT_EQ(second, first);
  EXPECT_EQ(allocator.idle(), 0u);
  // New messages, not the last call's.
  EXPECT_TRUE(second->request()->model_name().empty());
  EXPECT_EQ(second->request()->raw_input_contents_size(), 0);
  EXPECT_TRUE(second->response()->id().empty());
  second->Release();
}

TEST(ArenaMessageAllocatorTest, KeepsNoMoreIdleHoldersThanItsBound) {
  InferMessages allocator(1024, 2);
  std::vector<InferHolder*> holders;
  for (int i = 0; i < 5; ++i) holders.push_back(allocator.AllocateMessages());
  for (InferHolder* holder : holders) holder->Release();
  EXPECT_EQ(allocator.idle(), 2u);
}

TEST(ArenaMessageAllocatorTest, ConcurrentCallsGetDistinctMessages) {
  InferMessages allocator(4096, 4);
  InferHolder* a = allocator.AllocateMessages();
  InferHolder* b = allocator.AllocateMessages();
  EXPECT_NE(a, b);
  EXPECT_NE(a->request(), b->request());
  EXPECT_NE(a->request()->GetArena(), b->request()->GetArena());
  a->Release();
  b->Release();
}

}  // namespace
}  // namespace inferd
