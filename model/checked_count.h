// 64-bit counts that refuse to wrap: every product and sum is checked, and an overflow throws
// std::invalid_argument naming the quantity and the limit, instead of printing a negative or
// wrapped-around count. ViTConfig::IsValid bounds its fields so that valid configs never get
// here; this is the guard for whatever slips past.
#pragma once

#include <limits>
#include <stdexcept>
#include <string>

namespace vitperf {

class CheckedCount {
 public:
  constexpr CheckedCount(long long value = 0) : value_(value) {}  // NOLINT: implicit by design
  long long value() const { return value_; }

  friend CheckedCount operator*(CheckedCount a, CheckedCount b) {
    long long r = 0;
    if (__builtin_mul_overflow(a.value_, b.value_, &r)) Overflow();
    return r;
  }
  friend CheckedCount operator+(CheckedCount a, CheckedCount b) {
    long long r = 0;
    if (__builtin_add_overflow(a.value_, b.value_, &r)) Overflow();
    return r;
  }
  CheckedCount& operator+=(CheckedCount b) { return *this = *this + b; }

 private:
  [[noreturn]] static void Overflow() {
    throw std::invalid_argument("config: a count overflows the 64-bit limit of " +
                                std::to_string(std::numeric_limits<long long>::max()));
  }
  long long value_;
};

}  // namespace vitperf
