// A watch on a loop that must keep coming round (a cluster worker's): the loop says where it is
// with at(); a thread of the watch's own says so when the loop has stayed at one place longer
// than a limit, and again when it moves on. A call into the broker that never comes back stops
// every partition of a worker, and without this its log would say nothing.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace bylaw::service {

class LoopWatch {
 public:
  // `say` gets each report (on the watch's thread); `after`: how long at one place is too long.
  LoopWatch(std::function<void(const std::string&)> say, std::chrono::milliseconds after);
  ~LoopWatch();
  LoopWatch(const LoopWatch&) = delete;
  LoopWatch& operator=(const LoopWatch&) = delete;

  // The loop is at `place` (a string that lives as long as the watch) from now on.
  void at(const char* place);

 private:
  void watch();
  void tell(const std::string& what);
  static std::int64_t now_ms();

  std::function<void(const std::string&)> say_;
  std::chrono::milliseconds after_;
  std::mutex place_mutex_;  // place_ and since_ms_ change together
  const char* place_ = "starting";
  std::int64_t since_ms_;
  std::mutex mutex_;  // stopping_
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace bylaw::service
