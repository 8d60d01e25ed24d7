// bylaw-nats: what the NATS tests, the benchmark and an operator without the `nats` CLI need
// around bylaw serve (Debian has nats-server but not the CLI):
//   bylaw-nats --server URL add-stream NAME SUBJECT... [--duplicate-window SECONDS] [--replicas N]
//   bylaw-nats --server URL delete-stream NAME
//   bylaw-nats --server URL publish SUBJECT < events.jsonl     (a line a message, acked)
//   bylaw-nats --server URL read STREAM [--headers]           (payloads in sequence order)
//   bylaw-nats --server URL consumer STREAM NAME               (pending and unacked counts)
//   bylaw-nats --server URL count STREAM                       (how many messages it holds)
#include <nats/nats.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "tool_cli.hpp"

namespace {

struct Failure {
  std::string what;
};

void check(natsStatus s, const std::string& what, jsErrCode code = static_cast<jsErrCode>(0)) {
  if (s == NATS_OK) return;
  throw Failure{fmt::format(
      "{}: {} (JetStream error {}){}", what, natsStatus_GetText(s), static_cast<int>(code),
      nats_GetLastError(nullptr) ? fmt::format(": {}", nats_GetLastError(nullptr)) : "")};
}

struct Connection {
  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  explicit Connection(const std::string& url) {
    check(natsConnection_ConnectTo(&nc, url.c_str()), "connecting to " + url);
    jsOptions o;
    jsOptions_Init(&o);
    o.Wait = 10000;
    o.PublishAsync.MaxPending = 4096;
    o.PublishAsync.StallWait = 10000;  // a busy server (under the sanitizers) is waited for
    check(natsConnection_JetStream(&js, nc, &o), "JetStream");
  }
  ~Connection() {
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    nats_CloseAndWait(10000);  // the library's threads and memory (a leak check's business)
  }
};

void add_stream(Connection& c, const std::string& name, std::vector<std::string> subjects,
                int duplicate_window_s, int replicas) {
  std::vector<const char*> list;
  for (const auto& s : subjects) list.push_back(s.c_str());
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = name.c_str();
  config.Subjects = list.data();
  config.SubjectsLen = static_cast<int>(list.size());
  config.Storage = js_FileStorage;
  config.Duplicates = static_cast<int64_t>(duplicate_window_s) * 1000 * 1000 * 1000;
  config.Replicas = replicas;
  jsStreamInfo* info = nullptr;
  jsErrCode code{};
  check(js_AddStream(&info, c.js, &config, nullptr, &code), "adding stream " + name, code);
  jsStreamInfo_Destroy(info);
}

void delete_stream(Connection& c, const std::string& name) {
  jsErrCode code{};
  check(js_DeleteStream(c.js, name.c_str(), nullptr, &code), "deleting stream " + name, code);
}

// Every line of standard input, a message each, published asynchronously and all acked.
void publish(Connection& c, const std::string& subject) {
  std::string line;
  std::uint64_t n = 0;
  while (std::getline(std::cin, line)) {
    check(
        js_PublishAsync(c.js, subject.c_str(), line.data(), static_cast<int>(line.size()), nullptr),
        "publishing");
    ++n;
  }
  jsPubOptions wait;
  jsPubOptions_Init(&wait);
  wait.MaxWait = 30000;
  check(js_PublishAsyncComplete(c.js, &wait), "waiting for the acks");
  std::cerr << fmt::format("bylaw-nats: published {} messages to {}\n", n, subject);
}

// The stream's messages in order: payloads, or subject TAB Nats-Msg-Id TAB payload.
void read(Connection& c, const std::string& stream, bool headers) {
  jsStreamInfo* info = nullptr;
  jsErrCode code{};
  check(js_GetStreamInfo(&info, c.js, stream.c_str(), nullptr, &code), "stream " + stream, code);
  std::uint64_t first = info->State.FirstSeq, last = info->State.LastSeq;
  jsStreamInfo_Destroy(info);
  for (std::uint64_t seq = first; seq >= 1 && seq <= last; ++seq) {
    natsMsg* msg = nullptr;
    natsStatus s = js_GetMsg(&msg, c.js, stream.c_str(), seq, nullptr, &code);
    if (s == NATS_NOT_FOUND) continue;  // deleted
    check(s, fmt::format("message {} of {}", seq, stream), code);
    if (headers) {
      const char* id = nullptr;
      natsMsgHeader_Get(msg, "Nats-Msg-Id", &id);
      std::cout << natsMsg_GetSubject(msg) << '\t' << (id ? id : "") << '\t';
    }
    std::cout.write(natsMsg_GetData(msg), natsMsg_GetDataLength(msg)) << '\n';
    natsMsg_Destroy(msg);
  }
}

void count(Connection& c, const std::string& stream) {
  jsStreamInfo* info = nullptr;
  jsErrCode code{};
  check(js_GetStreamInfo(&info, c.js, stream.c_str(), nullptr, &code), "stream " + stream, code);
  std::cout << info->State.Msgs << '\n';
  jsStreamInfo_Destroy(info);
}

void consumer(Connection& c, const std::string& stream, const std::string& name) {
  jsConsumerInfo* info = nullptr;
  jsErrCode code{};
  check(js_GetConsumerInfo(&info, c.js, stream.c_str(), name.c_str(), nullptr, &code),
        "consumer " + name, code);
  std::cout << fmt::format("pending {} unacked {} acked_through {}\n", info->NumPending,
                           info->NumAckPending, info->AckFloor.Stream);
  jsConsumerInfo_Destroy(info);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Streams, messages and consumers of NATS JetStream, for bylaw serve"};
  app.name("bylaw-nats");
  app.require_subcommand(1);
  std::string url = "nats://127.0.0.1:4222";
  app.add_option("--server", url, "The NATS server")->capture_default_str();
  std::string name, subject, stream;
  std::vector<std::string> subjects;
  int window_s = 120;
  int replicas = 1;
  bool headers = false;
  auto* add = app.add_subcommand("add-stream", "Create a stream (file storage)");
  add->add_option("name", name)->required();
  add->add_option("subjects", subjects)->required();
  add->add_option("--duplicate-window", window_s, "Seconds (default 120)");
  add->add_option("--replicas", replicas, "Copies in a cluster (default 1)");
  auto* del = app.add_subcommand("delete-stream", "Delete a stream and its messages");
  del->add_option("name", name)->required();
  auto* pub = app.add_subcommand("publish", "Publish standard input's lines");
  pub->add_option("subject", subject)->required();
  auto* rd = app.add_subcommand("read", "Print a stream's messages in order");
  rd->add_option("stream", stream)->required();
  rd->add_flag("--headers", headers, "subject TAB Nats-Msg-Id TAB payload");
  auto* con = app.add_subcommand("consumer", "A consumer's pending and unacked counts");
  con->add_option("stream", stream)->required();
  con->add_option("name", name)->required();
  auto* cnt = app.add_subcommand("count", "How many messages a stream holds");
  cnt->add_option("stream", stream)->required();
  if (auto exit = parse_command_line(app, argc, argv)) return *exit;
  try {
    Connection c(url);
    if (*add) add_stream(c, name, subjects, window_s, replicas);
    if (*del) delete_stream(c, name);
    if (*pub) publish(c, subject);
    if (*rd) read(c, stream, headers);
    if (*con) consumer(c, stream, name);
    if (*cnt) count(c, stream);
  } catch (const Failure& f) {
    std::cerr << "bylaw-nats: " << f.what << "\n";
    return 1;
  }
  return 0;
}
