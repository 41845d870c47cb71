#include "measure/batch_ring.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace vitperf::measure {

const char* ToString(BatchRing::Stage stage) {
  switch (stage) {
    case BatchRing::Stage::free:
      return "free";
    case BatchRing::Stage::filling:
      return "filling";
    case BatchRing::Stage::filled:
      return "filled";
    case BatchRing::Stage::h2d:
      return "h2d";
    case BatchRing::Stage::compute:
      return "compute";
    case BatchRing::Stage::d2h:
      return "d2h";
  }
  return "?";
}

BatchRing::BatchRing(int slots, long long images_per_batch, int producers) {
  if (slots < 1) throw std::invalid_argument("queue_depth: must be at least 1");
  if (images_per_batch < 1) throw std::invalid_argument("batch: must be at least 1");
  if (producers < 1) throw std::invalid_argument("producer_threads: must be at least 1");
  images_ = images_per_batch;
  chunks_ = static_cast<int>(std::min<long long>(images_per_batch, producers));
  slots_.resize(static_cast<std::size_t>(slots));
  for (int s = 0; s < slots; ++s) slots_[static_cast<std::size_t>(s)].batch = s;
}

std::optional<BatchRing::Claim> BatchRing::ClaimChunk() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    if (stop_) return std::nullopt;
    const long long j = next_batch_;
    Slot& s = At(j);
    // Chunk 0 needs the slot free; later chunks of the same batch follow at once.
    if (s.batch == j && (next_chunk_ == 0 ? s.stage == Stage::free : s.stage == Stage::filling)) {
      Claim c;
      c.batch = j;
      c.slot = SlotOf(j);
      c.chunk = next_chunk_;
      c.chunks = chunks_;
      c.first_image = images_ * c.chunk / chunks_;
      c.end_image = images_ * (c.chunk + 1) / chunks_;
      if (c.chunk == 0) {
        s.stage = Stage::filling;
        s.chunks_done = 0;
        s.fill_start = Clock::now();
      }
      if (++next_chunk_ == chunks_) {
        next_chunk_ = 0;
        ++next_batch_;
      }
      return c;
    }
    changed_.wait(lock);
  }
}

bool BatchRing::FinishChunk(const Claim& claim) {
  bool filled = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    Slot& s = At(claim.batch);
    CheckHolds(s, claim.batch, Stage::filling, "FinishChunk");
    if (++s.chunks_done == chunks_) {
      s.fill_end = Clock::now();
      s.stage = Stage::filled;
      filled = true;
    }
  }
  if (filled) changed_.notify_all();
  return filled;
}

bool BatchRing::WaitFor(long long batch, Stage stage) {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] {
    const Slot& s = At(batch);
    return stop_ || (s.batch == batch && s.stage == stage);
  });
  return !stop_;
}

void BatchRing::Advance(long long batch, Stage to) {
  if (to != Stage::h2d && to != Stage::compute && to != Stage::d2h)
    throw std::logic_error(std::string("BatchRing::Advance: cannot advance into ") + ToString(to));
  const Stage from = static_cast<Stage>(static_cast<int>(to) - 1);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    Slot& s = At(batch);
    CheckHolds(s, batch, from, "Advance");
    s.stage = to;
  }
  changed_.notify_all();
}

void BatchRing::Release(long long batch) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    Slot& s = At(batch);
    CheckHolds(s, batch, Stage::d2h, "Release");
    s.stage = Stage::free;
    s.batch = batch + slots();
  }
  changed_.notify_all();
}

void BatchRing::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
}

bool BatchRing::stopped() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stop_;
}

BatchRing::Clock::time_point BatchRing::FillStart(long long batch) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return At(batch).fill_start;
}

double BatchRing::FillMs(long long batch) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const Slot& s = At(batch);
  return std::chrono::duration<double, std::milli>(s.fill_end - s.fill_start).count();
}

void BatchRing::CheckHolds(const Slot& s, long long batch, Stage stage, const char* what) const {
  if (s.batch != batch || s.stage != stage)
    throw std::logic_error(std::string("BatchRing::") + what + ": batch " + std::to_string(batch) +
                           " expected at " + ToString(stage) + ", its slot holds batch " +
                           std::to_string(s.batch) + " at " + ToString(s.stage));
}

}  // namespace vitperf::measure
