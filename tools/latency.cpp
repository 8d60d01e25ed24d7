// bylaw-latency: how long a decision takes to come out of `bylaw run` after its event went in,
// through a pipe, at a steady rate.
//
//   bylaw-latency --bylaw PATH --policy FILE --input STREAM --rate N [--events N] [--store]
//
// Writes the stream's lines into bylaw's standard input at N lines a second (in 1 ms slices),
// noting when each event id went in; reads the decisions from its standard output as they come,
// and for each decision with a trigger, the time from writing that event to reading the decision.
// Prints the count and the 50th, 99th percentile and the maximum, in milliseconds.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "tool_cli.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct LatencyOptions {
  std::string bylaw;
  std::string policy;
  std::string input;
  double rate = 2000;
  std::size_t events = 20000;
  bool store = false;
};

// The value of "key":"..." in a JSON line, or empty (also for "key":null).
std::string string_field(const std::string& line, const std::string& key) {
  std::string marker = "\"" + key + "\":\"";
  std::size_t at = line.find(marker);
  if (at == std::string::npos) return "";
  at += marker.size();
  return line.substr(at, line.find('"', at) - at);
}

std::vector<std::string> read_lines(const std::string& path, std::size_t most) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (lines.size() < most && std::getline(in, line)) lines.push_back(line);
  return lines;
}

struct Child {
  pid_t pid = -1;
  int to = -1;    // its standard input
  int from = -1;  // its standard output
};

Child spawn(const std::vector<std::string>& argv) {
  int in[2], out[2];
  if (pipe(in) != 0 || pipe(out) != 0) throw std::runtime_error("pipe failed");
  Child c;
  c.pid = fork();
  if (c.pid == 0) {
    dup2(in[0], STDIN_FILENO);
    dup2(out[1], STDOUT_FILENO);
    for (int fd : {in[0], in[1], out[0], out[1]}) close(fd);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  c.to = in[1];
  c.from = out[0];
  return c;
}

void write_all(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) throw std::runtime_error("writing to bylaw failed");
    done += static_cast<std::size_t>(n);
  }
}

// Feeds the lines at the rate, noting when each id went in.
void feed(const std::vector<std::string>& lines, double rate, int fd,
          std::unordered_map<std::string, Clock::time_point>& sent, std::mutex& mutex) {
  auto start = Clock::now();
  std::size_t next = 0;
  while (next < lines.size()) {
    auto now = Clock::now();
    auto due = static_cast<std::size_t>(std::chrono::duration<double>(now - start).count() * rate);
    std::string batch;
    std::vector<std::string> ids;
    for (; next < lines.size() && next <= due; ++next) {
      batch += lines[next];
      batch += '\n';
      ids.push_back(string_field(lines[next], "id"));
    }
    {
      std::lock_guard lock(mutex);
      for (auto& id : ids) sent.emplace(std::move(id), Clock::now());
    }
    if (!batch.empty()) write_all(fd, batch);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  close(fd);
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::size_t k =
      std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

int measure(const LatencyOptions& o) {
  std::vector<std::string> lines = read_lines(o.input, o.events);
  char dir[] = "/tmp/bylaw-latency-XXXXXX";
  if (!mkdtemp(dir)) return 1;
  std::vector<std::string> argv{o.bylaw,  "run",       "--policy",
                                o.policy, "--rejects", std::string(dir) + "/rejects.jsonl"};
  if (o.store) {
    argv.push_back("--store");
    argv.push_back(std::string(dir) + "/store.db");
  }
  Child child = spawn(argv);
  std::unordered_map<std::string, Clock::time_point> sent;
  std::mutex mutex;
  std::thread writer(feed, std::cref(lines), o.rate, child.to, std::ref(sent), std::ref(mutex));
  std::vector<double> latencies;
  FILE* out = fdopen(child.from, "r");
  char* line = nullptr;
  std::size_t size = 0;
  while (getline(&line, &size, out) > 0) {
    auto read_at = Clock::now();
    std::string trigger = string_field(line, "trigger");
    if (trigger.empty()) continue;  // a timer's decision
    std::lock_guard lock(mutex);
    auto it = sent.find(trigger);
    if (it != sent.end()) {
      latencies.push_back(std::chrono::duration<double, std::milli>(read_at - it->second).count());
    }
  }
  free(line);
  writer.join();
  int status = 0;
  waitpid(child.pid, &status, 0);
  std::filesystem::remove_all(dir);
  double p50 = percentile(latencies, 0.50), p99 = percentile(latencies, 0.99);
  double max = latencies.empty() ? 0 : *std::max_element(latencies.begin(), latencies.end());
  fmt::print(
      "{} events at {:.0f}/s through a pipe{}: {} decisions, latency p50 {:.2f} ms, p99 "
      "{:.2f} ms, max {:.2f} ms\n",
      lines.size(), o.rate, o.store ? " with a store" : "", latencies.size(), p50, p99, max);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  LatencyOptions options;
  CLI::App app{"Event-to-decision latency of bylaw run through a pipe", "bylaw-latency"};
  add_bylaw_run_inputs(app, options.bylaw, options.policy, options.input);
  app.add_option("--rate", options.rate, "Lines a second")->check(CLI::PositiveNumber);
  app.add_option("--events", options.events, "Lines to send (from the stream's start)");
  app.add_flag("--store", options.store, "Run with a store (checkpoints every 200ms)");
  if (auto exit = parse_command_line(app, argc, argv)) return *exit;
  return measure(options);
}
