// Request and response messages of a unary gRPC method on a protobuf Arena, for gRPC's callback
// API (SetMessageAllocatorFor_<Method>). Each call's messages, and every string and repeated
// field in them, come from one arena whose first block is reused from call to call, so a small
// request (the common case: a few hundred bytes of tensors) makes no heap allocation for its
// messages, and all of them are freed at once when gRPC releases the call. Larger messages grow
// the arena from the heap as usual; those blocks go back when the call ends.
//
// Idle holders (arena + first block) are kept for reuse up to a bound, so the memory this keeps
// is at most max_idle x first_block_bytes; beyond that a released holder is freed.
#ifndef INFERD_SERVER_ARENA_MESSAGE_ALLOCATOR_H_
#define INFERD_SERVER_ARENA_MESSAGE_ALLOCATOR_H_

#include <google/protobuf/arena.h>
#include <grpcpp/support/message_allocator.h>

#include <cstddef>
#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace inferd {

template <typename Request, typename Response>
class ArenaMessageAllocator final : public grpc::MessageAllocator<Request, Response> {
 public:
  ArenaMessageAllocator(size_t first_block_bytes, size_t max_idle)
      : first_block_bytes_(first_block_bytes), max_idle_(max_idle) {}

  ~ArenaMessageAllocator() override {
    for (Holder* holder : idle_) delete holder;
  }

  grpc::MessageHolder<Request, Response>* AllocateMessages() override {
    Holder* holder = nullptr;
    {
      absl::MutexLock lock(&mutex_);
      if (!idle_.empty()) {
        holder = idle_.back();
        idle_.pop_back();
      }
    }
    if (holder == nullptr) holder = new Holder(this, first_block_bytes_);
    holder->Start();
    return holder;
  }

  // Holders kept for reuse now (for tests and metrics).
  size_t idle() const {
    absl::MutexLock lock(&mutex_);
    return idle_.size();
  }

 private:
  class Holder final : public grpc::MessageHolder<Request, Response> {
   public:
    Holder(ArenaMessageAllocator* owner, size_t first_block_bytes)
        : owner_(owner),
          first_block_(new char[first_block_bytes]),
          arena_(ArenaOptions(first_block_.get(), first_block_bytes)) {}

    void Start() {
      this->set_request(google::protobuf::Arena::CreateMessage<Request>(&arena_));
      this->set_response(google::protobuf::Arena::CreateMessage<Response>(&arena_));
    }

    // gRPC is done with both messages: free them and everything in them (the arena's own blocks
    // but the first), then park the holder or free it.
    void Release() override {
      arena_.Reset();
      owner_->Park(this);
    }

   private:
    static google::protobuf::ArenaOptions ArenaOptions(char* block, size_t bytes) {
      google::protobuf::ArenaOptions options;
      options.initial_block = block;
      options.initial_block_size = bytes;
      return options;
    }

    ArenaMessageAllocator* owner_;
    std::unique_ptr<char[]> first_block_;  // outlives arena_ (declared before it)
    google::protobuf::Arena arena_;
  };

  void Park(Holder* holder) {
    {
      absl::MutexLock lock(&mutex_);
      if (idle_.size() < max_idle_) {
        idle_.push_back(holder);
        return;
      }
    }
    delete holder;
  }

  const size_t first_block_bytes_;
  const size_t max_idle_;
  mutable absl::Mutex mutex_;
  std::vector<Holder*> idle_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace inferd

#endif  // INFERD_SERVER_ARENA_MESSAGE_ALLOCATOR_H_
