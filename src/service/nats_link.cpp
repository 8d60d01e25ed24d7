#include "nats_link.hpp"

#include <algorithm>
#include <atomic>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "bylaw/io/durable_run.hpp"

namespace bylaw::service {

namespace {

constexpr int kReconnectWaitMs = 250;
// Links open in this process: the library is closed with the last.
std::atomic<int> g_links{0};
constexpr int kRequestTimeoutMs = 5000;
// Asynchronous publishes in flight at once: a publish beyond this waits for acks.
constexpr int kMaxPublishesInFlight = 4096;

// Frees a natsOptions however the constructor leaves.
struct OptionsHolder {
  natsOptions* options = nullptr;
  ~OptionsHolder() { natsOptions_Destroy(options); }
};

}  // namespace

std::string nats_error(natsStatus status, jsErrCode code) {
  std::string text = natsStatus_GetText(status);
  const char* last = nats_GetLastError(nullptr);
  if (last && *last && text != last) text += fmt::format(" ({})", last);
  if (code != 0) text += fmt::format(" [JetStream error {}]", static_cast<int>(code));
  return text;
}

NatsLink::NatsLink(const std::string& url) : url_(url) {
  OptionsHolder holder;
  natsStatus s = natsOptions_Create(&holder.options);
  natsOptions* o = holder.options;
  // A cluster is given as a comma-separated list of its servers: any of them will do.
  std::vector<std::string> servers;
  for (std::size_t start = 0; start <= url.size();) {
    std::size_t end = std::min(url.find(',', start), url.size());
    if (end > start) servers.push_back(url.substr(start, end - start));
    start = end + 1;
  }
  std::vector<const char*> list;
  for (const auto& server : servers) list.push_back(server.c_str());
  if (s == NATS_OK) s = natsOptions_SetServers(o, list.data(), static_cast<int>(list.size()));
  if (s == NATS_OK) s = natsOptions_SetName(o, "bylaw serve");
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(o, -1);  // a broker restart is waited out
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(o, kReconnectWaitMs);
  // No publishing into a buffer while disconnected (0 would mean the 8 MB default): what was
  // lost in the cut connection would otherwise be published again after what followed it, and
  // the decisions stream would be out of order.
  if (s == NATS_OK) s = natsOptions_SetReconnectBufSize(o, 1);
  if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(o, on_disconnected, this);
  if (s == NATS_OK) s = natsOptions_SetReconnectedCB(o, on_reconnected, this);
  if (s == NATS_OK) s = natsConnection_Connect(&connection_, o);
  if (s != NATS_OK) {
    std::string why = nats_error(s);
    natsOptions_Destroy(std::exchange(holder.options, nullptr));
    if (g_links == 0) nats_CloseAndWait(kRequestTimeoutMs);
    throw io::RunRefused(fmt::format("cannot connect to NATS at {}: {}", url, why));
  }
  connected_ = true;
  ++g_links;
  jsOptions js;
  jsOptions_Init(&js);
  js.Wait = kRequestTimeoutMs;
  js.PublishAsync.MaxPending = kMaxPublishesInFlight;
  js.PublishAsync.StallWait = kRequestTimeoutMs;  // a slow broker is waited for, not failed
  js.PublishAsync.ErrHandler = on_publish_error;
  js.PublishAsync.ErrHandlerClosure = this;
  s = natsConnection_JetStream(&jetstream_, connection_, &js);
  if (s != NATS_OK) {
    natsConnection_Destroy(connection_);
    if (--g_links == 0) nats_CloseAndWait(kRequestTimeoutMs);
    throw io::RunRefused(fmt::format("NATS at {}: no JetStream context: {}", url, nats_error(s)));
  }
}

NatsLink::~NatsLink() {
  closing_ = true;  // the close is no loss to warn of
  jsCtx_Destroy(jetstream_);
  natsConnection_Destroy(connection_);
  // The library's own threads and memory go with the last link (a router and a worker keep
  // several); closed earlier, the others' messages would be left behind.
  if (--g_links == 0) nats_CloseAndWait(kRequestTimeoutMs);
}

natsStatus NatsLink::publish_async(const std::string& subject, const std::string& id,
                                   std::string_view body, const std::string& after) {
  natsMsg* msg = nullptr;
  natsStatus s =
      natsMsg_Create(&msg, subject.c_str(), nullptr, body.data(), static_cast<int>(body.size()));
  if (s == NATS_OK) s = natsMsgHeader_Set(msg, "Nats-Msg-Id", id.c_str());
  if (s == NATS_OK && !after.empty()) {
    s = natsMsgHeader_Set(msg, "Nats-Expected-Last-Msg-Id", after.c_str());
  }
  if (s == NATS_OK) s = js_PublishMsgAsync(jetstream_, &msg, nullptr);
  natsMsg_Destroy(msg);  // null once the library owns it
  return s;
}

bool NatsLink::all_acked(int max_wait_ms) {
  jsPubOptions wait;
  jsPubOptions_Init(&wait);
  wait.MaxWait = max_wait_ms;
  natsStatus s = js_PublishAsyncComplete(jetstream_, &wait);
  if (s != NATS_OK) {
    natsMsgList unacked{};
    js_PublishAsyncGetPendingList(&unacked, jetstream_);  // given up: published again
    natsMsgList_Destroy(&unacked);
  }
  bool failed = take_publish_failed();  // read whatever the wait says: it is for this batch
  return s == NATS_OK && !failed;
}

std::vector<std::string> NatsLink::streams_for(const std::string& subject) const {
  natsMsg* reply = nullptr;
  std::string request = nlohmann::json{{"subject", subject}}.dump();
  natsStatus s = natsConnection_RequestString(&reply, connection_, "$JS.API.STREAM.NAMES",
                                              request.c_str(), kRequestTimeoutMs);
  if (s != NATS_OK) {
    throw io::RunRefused(
        fmt::format("NATS at {}: cannot list the JetStream streams: {}", url_, nats_error(s)));
  }
  auto answer = nlohmann::json::parse(
      std::string_view(natsMsg_GetData(reply),
                       static_cast<std::size_t>(natsMsg_GetDataLength(reply))),
      nullptr, false);
  natsMsg_Destroy(reply);
  std::vector<std::string> names;
  if (answer.is_object() && answer.contains("streams") && answer["streams"].is_array()) {
    for (const auto& name : answer["streams"]) names.push_back(name.get<std::string>());
  }
  return names;
}

int NatsLink::replicas_of(const std::string& stream) const {
  jsStreamInfo* info = nullptr;
  jsErrCode code{};
  if (js_GetStreamInfo(&info, jetstream_, stream.c_str(), nullptr, &code) != NATS_OK) return 0;
  int replicas = info->Config ? static_cast<int>(info->Config->Replicas) : 0;
  jsStreamInfo_Destroy(info);
  return replicas;
}

void NatsLink::on_disconnected(natsConnection*, void* self) {
  auto* link = static_cast<NatsLink*>(self);
  link->connected_ = false;
  ++link->disconnects_;
  if (!link->closing_) spdlog::warn("NATS: disconnected from {}; reconnecting", link->url_);
}

void NatsLink::on_reconnected(natsConnection*, void* self) {
  auto* link = static_cast<NatsLink*>(self);
  link->connected_ = true;
  link->reconnected_ = true;
  spdlog::info("NATS: reconnected to {}", link->url_);
}

void NatsLink::on_publish_error(jsCtx*, jsPubAckErr* error, void* self) {
  // Told once per batch: a broker restart fails every publish in flight.
  if (static_cast<NatsLink*>(self)->publish_failed_.exchange(true)) return;
  spdlog::warn("NATS: publishing failed ({}); the batch is published again",
               error->ErrText ? error->ErrText : natsStatus_GetText(error->Err));
}

}  // namespace bylaw::service
