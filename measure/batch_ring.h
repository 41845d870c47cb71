// The ring of an overlapped pipeline: `slots` batch slots that batches 0, 1, 2, ... pass through
// in order (batch j lives in slot j % slots), each through the same stages
//   free -> filling -> filled -> h2d -> compute -> d2h -> free (now for batch j + slots).
// Producers claim chunks of the oldest batch not yet fully claimed, so several producers split one
// batch's host staging copy between them (its fill time falls with the producer count), and move
// on to the next batch as soon as its slot is free. The stage threads (H2D, compute, D2H issuers
// and the completion thread) each wait for batch j to reach the stage before theirs, queue their
// work, then advance it: a stage is issued only after the previous one recorded its event, so a
// stream never waits on an event that was not recorded yet. Thread-safe; Stop wakes every waiter.
//
// Free of LibTorch: the pipeline probe (measure/pipeline_probe.cpp) drives it, and the tests drive
// it with plain threads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <vector>

namespace vitperf::measure {

class BatchRing {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Stage { free, filling, filled, h2d, compute, d2h };

  // A producer's share of one batch: images [first_image, end_image) of `batch`.
  struct Claim {
    long long batch = 0;
    int slot = 0;
    int chunk = 0;
    int chunks = 1;
    long long first_image = 0, end_image = 0;
  };

  // slots >= 1, images_per_batch >= 1, producers >= 1; throws std::invalid_argument otherwise.
  // A batch is split into min(images_per_batch, producers) chunks of whole images.
  BatchRing(int slots, long long images_per_batch, int producers);

  // Producer: the next chunk to fill, waiting until its slot is free; nullopt once stopped.
  std::optional<Claim> ClaimChunk();
  // Producer: the claimed chunk is written. Returns true when it was the batch's last chunk (the
  // batch is now filled and its fill time known).
  bool FinishChunk(const Claim& claim);

  // Waits until `batch` is at `stage`; false once stopped (the caller returns).
  bool WaitFor(long long batch, Stage stage);
  // Moves `batch` from the stage before `to` into `to` (filled -> h2d -> compute -> d2h).
  // Throws std::logic_error when the batch is not in its slot or not at the stage before.
  void Advance(long long batch, Stage to);
  // d2h -> free: the slot now waits for batch + slots. Throws std::logic_error as Advance.
  void Release(long long batch);

  void Stop();
  bool stopped() const;

  int slots() const { return static_cast<int>(slots_.size()); }
  int chunks_per_batch() const { return chunks_; }
  int SlotOf(long long batch) const { return static_cast<int>(batch % slots()); }
  // When the first chunk of `batch` was claimed, and [ms] from then to its last chunk's finish.
  // Valid for a batch from its filled stage until its release.
  Clock::time_point FillStart(long long batch) const;
  double FillMs(long long batch) const;

 private:
  struct Slot {
    long long batch = 0;
    Stage stage = Stage::free;
    int chunks_done = 0;
    Clock::time_point fill_start, fill_end;
  };
  const Slot& At(long long batch) const { return slots_[static_cast<std::size_t>(SlotOf(batch))]; }
  Slot& At(long long batch) { return slots_[static_cast<std::size_t>(SlotOf(batch))]; }
  void CheckHolds(const Slot& s, long long batch, Stage stage, const char* what) const;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Slot> slots_;
  long long images_ = 1;
  int chunks_ = 1;
  long long next_batch_ = 0;  // the batch whose next chunk is claimed next
  int next_chunk_ = 0;
  bool stop_ = false;
};

const char* ToString(BatchRing::Stage stage);

}  // namespace vitperf::measure
