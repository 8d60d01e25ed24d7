#include "signals.hpp"

namespace bylaw::cli {

namespace {

StopFlag g_stop{0};

extern "C" void request_stop(int) {
  g_stop = 1;
}

}  // namespace

const StopFlag* install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = request_stop;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  return &g_stop;
}

}  // namespace bylaw::cli
