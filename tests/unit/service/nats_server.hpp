// A nats-server with JetStream of a test's own, for the unit tests that need a real broker: on a
// free loopback port (the server picks it), its data in a temporary folder, stopped and removed
// when the test ends.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace bylaw::testing {

class NatsServer {
 public:
  NatsServer() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "bylaw-nats-test-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    dir_ = pattern;
    std::string log = dir_ + "/nats.log", store = dir_ + "/js";
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      // Gone with the test, however it ends (killed for its time, say).
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      // Not the test's output: a runner waiting for its end would wait for the server too.
      int null = open("/dev/null", O_RDWR);
      dup2(null, 0);
      dup2(null, 1);
      dup2(null, 2);
      execlp("nats-server", "nats-server", "-js", "-a", "127.0.0.1", "-p", "-1", "-sd",
             store.c_str(), "-l", log.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    // The log names the port once the server is ready (no <regex>: GCC 12 warns inside it at -O2).
    const std::string listening = "client connections on 127.0.0.1:";
    for (int tries = 0; tries < 200 && url_.empty(); ++tries) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      std::ifstream in(log);
      std::stringstream text;
      text << in.rdbuf();
      std::string s = text.str();
      std::size_t at = s.find(listening);
      if (s.find("Server is ready") == std::string::npos || at == std::string::npos) continue;
      at += listening.size();
      url_ = "nats://127.0.0.1:" + s.substr(at, s.find_first_not_of("0123456789", at) - at);
    }
    if (url_.empty()) {  // no destructor runs for a constructor that fails
      stop();
      FAIL("nats-server did not start (is it installed? tools/setup --test installs it)");
    }
  }
  ~NatsServer() { stop(); }
  NatsServer(const NatsServer&) = delete;
  NatsServer& operator=(const NatsServer&) = delete;
  const std::string& url() const { return url_; }

 private:
  void stop() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    std::filesystem::remove_all(dir_);
  }

  std::string dir_;
  std::string url_;
  pid_t pid_ = -1;
};

}  // namespace bylaw::testing
