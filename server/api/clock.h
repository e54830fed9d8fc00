// The emulator's clock: the system clock plus an offset that only moves
// forward, set through the control API (POST /_emu/clock), so that tests can
// expire shard iterators, trim stream records and expire TTL items without
// waiting. Every part of the emulator reads time from one Clock (the API
// through ApiOptions::clock, storage through StorageOptions::clock), so they
// agree on what "now" is.
//
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>

namespace dynamo::server {

class Clock {
 public:
  // Seconds since the epoch, to the millisecond.
  double Now() const {
    auto now = std::chrono::system_clock::now().time_since_epoch();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now).count();
    return static_cast<double>(ms) / 1000.0 + offset_.load(std::memory_order_relaxed);
  }
  // Moves the clock forward; seconds must be positive.
  void Advance(double seconds) { offset_.fetch_add(seconds, std::memory_order_relaxed); }
  double offset() const { return offset_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> offset_{0};
};

}  // namespace dynamo::server
