// The overlapped pipeline's ring (measure/batch_ring.h) driven by plain threads: producers split
// each batch into chunks of whole images, batches keep their slot and their order through every
// stage, a slot is refilled only after its batch was released, and Stop wakes every waiter.
#include "measure/batch_ring.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace vitperf::measure {
namespace {

using Stage = BatchRing::Stage;

TEST(BatchRing, RejectsInvalidSizesNamingTheField) {
  auto message = [](int slots, long long images, int producers) -> std::string {
    try {
      BatchRing ring(slots, images, producers);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "(no error)";
  };
  EXPECT_EQ(message(0, 4, 1), "queue_depth: must be at least 1");
  EXPECT_EQ(message(2, 0, 1), "batch: must be at least 1");
  EXPECT_EQ(message(2, 4, 0), "producer_threads: must be at least 1");
}

TEST(BatchRing, ChunksSplitABatchIntoWholeImagesOnePerProducer) {
  BatchRing ring(2, 10, 3);
  EXPECT_EQ(ring.chunks_per_batch(), 3);
  std::vector<std::pair<long long, long long>> ranges;
  for (int k = 0; k < 3; ++k) {
    const auto c = ring.ClaimChunk();
    ASSERT_TRUE(c);
    EXPECT_EQ(c->batch, 0);
    EXPECT_EQ(c->slot, 0);
    EXPECT_EQ(c->chunk, k);
    ranges.emplace_back(c->first_image, c->end_image);
  }
  // [0, 3), [3, 6), [6, 10): every image once, in order.
  EXPECT_EQ(ranges, (std::vector<std::pair<long long, long long>>{{0, 3}, {3, 6}, {6, 10}}));
  // More producers than images: one image per chunk, never an empty chunk.
  BatchRing small(2, 2, 8);
  EXPECT_EQ(small.chunks_per_batch(), 2);
}

TEST(BatchRing, ABatchIsFilledWhenItsLastChunkFinishes) {
  BatchRing ring(2, 4, 2);
  const auto a = ring.ClaimChunk();
  const auto b = ring.ClaimChunk();
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(ring.FinishChunk(*b));  // chunks may finish out of order
  EXPECT_TRUE(ring.FinishChunk(*a));
  EXPECT_TRUE(ring.WaitFor(0, Stage::filled));
  EXPECT_GE(ring.FillMs(0), 0.0);
  // The next claim is batch 1 in slot 1.
  const auto c = ring.ClaimChunk();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->batch, 1);
  EXPECT_EQ(c->slot, 1);
}

TEST(BatchRing, StagesAdvanceInOrderOnlyAndMisuseIsALogicError) {
  BatchRing ring(2, 1, 1);
  EXPECT_THROW(ring.Advance(0, Stage::h2d), std::logic_error);  // not filled yet
  const auto c = ring.ClaimChunk();
  ring.FinishChunk(*c);
  EXPECT_THROW(ring.Advance(0, Stage::compute), std::logic_error);  // skips h2d
  EXPECT_THROW(ring.Advance(0, Stage::filled), std::logic_error);   // producers fill
  EXPECT_THROW(ring.Release(0), std::logic_error);                  // D2H not queued
  ring.Advance(0, Stage::h2d);
  ring.Advance(0, Stage::compute);
  ring.Advance(0, Stage::d2h);
  EXPECT_THROW(ring.Advance(2, Stage::h2d), std::logic_error);  // batch 2 is not in slot 0 yet
  ring.Release(0);
  // Slot 0 now waits for batch 2.
  EXPECT_THROW(ring.Release(0), std::logic_error);
}

TEST(BatchRing, ProducersWaitForAFreeSlotAndStopWakesThem) {
  BatchRing ring(1, 1, 1);
  const auto first = ring.ClaimChunk();
  ASSERT_TRUE(first);
  ring.FinishChunk(*first);
  std::atomic<bool> returned{false};
  std::optional<BatchRing::Claim> second;
  std::thread producer([&] {
    second = ring.ClaimChunk();  // batch 1 needs slot 0, which batch 0 still holds
    returned = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(returned.load());
  ring.Stop();
  producer.join();
  EXPECT_TRUE(returned.load());
  EXPECT_FALSE(second.has_value());
  EXPECT_FALSE(ring.WaitFor(0, Stage::d2h));  // a stopped ring answers every waiter at once
  EXPECT_TRUE(ring.stopped());
}

// The whole pipeline's threading on plain threads: P producers write their images' batch
// number into the slot's buffer, one thread per stage checks the slot still holds its batch's
// images when it gets there, and a completion thread checks order. A slot overwritten before
// its release, a batch out of order or a lost batch fails the test.
TEST(BatchRing, ThreadedPipelineKeepsEveryBatchInOrderAndIntact) {
  for (int slots : {1, 2, 3, 8}) {
    for (int producers : {1, 3, 8}) {
      constexpr long long kImages = 7;
      constexpr long long kBatches = 200;
      BatchRing ring(slots, kImages, producers);
      std::vector<std::vector<std::atomic<long long>>> buffers(static_cast<std::size_t>(slots));
      for (auto& b : buffers) {
        std::vector<std::atomic<long long>> images(kImages);
        for (auto& i : images) i = -1;
        b.swap(images);
      }
      std::atomic<int> errors{0};
      auto intact = [&](long long batch) {
        for (const auto& image : buffers[static_cast<std::size_t>(ring.SlotOf(batch))])
          if (image.load() != batch) return false;
        return true;
      };
      std::vector<std::thread> threads;
      for (int t = 0; t < producers; ++t)
        threads.emplace_back([&] {
          while (const auto c = ring.ClaimChunk()) {
            auto& buffer = buffers[static_cast<std::size_t>(c->slot)];
            for (long long i = c->first_image; i < c->end_image; ++i) buffer[i] = c->batch;
            ring.FinishChunk(*c);
          }
        });
      for (Stage wait : {Stage::filled, Stage::h2d, Stage::compute})
        threads.emplace_back([&, wait] {
          for (long long j = 0; ring.WaitFor(j, wait); ++j) {
            if (!intact(j)) ++errors;
            ring.Advance(j, static_cast<Stage>(static_cast<int>(wait) + 1));
          }
        });
      long long completed = 0;
      for (long long j = 0; j < kBatches && ring.WaitFor(j, Stage::d2h); ++j) {
        if (!intact(j)) ++errors;
        EXPECT_LE(ring.FillStart(j), BatchRing::Clock::now());
        ring.Release(j);
        ++completed;
      }
      ring.Stop();
      for (auto& t : threads) t.join();
      EXPECT_EQ(completed, kBatches) << "slots " << slots << " producers " << producers;
      EXPECT_EQ(errors.load(), 0) << "slots " << slots << " producers " << producers;
    }
  }
}

// With several producers, one batch's chunks are worked on at the same time by different
// threads (the staging copy is split, not handed to one thread per batch): each producer holds its
// chunk of batch 0 until all four chunks are claimed, which only other threads can do.
TEST(BatchRing, SeveralProducersShareOneBatch) {
  constexpr int kProducers = 4;
  BatchRing ring(1, 8, kProducers);
  std::mutex m;
  std::set<std::thread::id> workers_of_batch0;
  std::atomic<int> claimed0{0};
  std::atomic<bool> all_claimed{true};
  std::vector<std::thread> threads;
  for (int t = 0; t < kProducers; ++t)
    threads.emplace_back([&] {
      while (const auto c = ring.ClaimChunk()) {
        if (c->batch == 0) {
          {
            std::lock_guard<std::mutex> lock(m);
            workers_of_batch0.insert(std::this_thread::get_id());
          }
          ++claimed0;
          const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
          while (claimed0.load() < kProducers && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
          if (claimed0.load() < kProducers) all_claimed = false;
        }
        ring.FinishChunk(*c);
      }
    });
  ASSERT_TRUE(ring.WaitFor(0, Stage::filled));
  ring.Stop();
  for (auto& t : threads) t.join();
  EXPECT_TRUE(all_claimed.load());
  EXPECT_EQ(workers_of_batch0.size(), static_cast<std::size_t>(kProducers));
}

}  // namespace
}  // namespace vitperf::measure
