#include "bylaw/service/serve.hpp"

#include <atomic>
#include <deque>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "bylaw/io/audit_store.hpp"
#include "bylaw/io/disk_files.hpp"
#include "bylaw/io/durable_run.hpp"
#include "cluster_router.hpp"
#include "nats_link.hpp"
#include "nats_publisher.hpp"
#include "nats_source.hpp"

namespace bylaw::service {

namespace {

// The first error of a pack that does not load, as `file:line:col: message`.
std::string first_error(const check::LoadResult& loaded) {
  std::string text = loaded.render();
  std::size_t at = text.find(": error: ");
  if (at == std::string::npos) return "it does not check";
  std::size_t start = text.rfind('\n', at);
  start = start == std::string::npos ? 0 : start + 1;
  return text.substr(start, text.find('\n', at) - start);
}

// How the run tells the service what happens, and how a reload reaches the run: between lines
// and while the input is quiet, the run asks (tick) and gets the new policy when there is one.
class ServiceObserver : public io::RunObserver {
 public:
  ServiceObserver(const ServeOptions& options, Metrics& metrics)
      : options_(options), metrics_(metrics) {}

  const check::Policy* tick(const io::RunCounts& counts) override {
    metrics_.counted(counts);
    if (!options_.reload || !*options_.reload) return nullptr;
    *options_.reload = 0;
    return reload();
  }
  void decided(const runtime::Decision& decision) override { metrics_.decided(decision); }
  void rejected(std::string_view reason) override { metrics_.rejected(reason); }
  void evaluated(double seconds) override { metrics_.evaluated(seconds); }
  void checkpointed(const io::Checkpoint&, const io::RunCounts& counts) override {
    metrics_.checkpointed(counts);
  }
  void swapped(const check::Policy& policy, const std::vector<std::string>& dropped) override {
    metrics_.policy(policy);
    spdlog::info("policy reloaded: now {} (sha256 {})", policy.versioned_name(), policy.hash);
    for (const auto& d : dropped) spdlog::info("policy reloaded: left behind {}", d);
    set_note("");
  }

  void swap_refused(const std::string& why) override {
    spdlog::error("the reloaded policy cannot take the state over ({}); the running one goes on",
                  why);
    set_note(fmt::format("the last reload was refused: {}", why));
  }

  std::string note() const {
    std::lock_guard lock(mutex_);
    return note_;
  }

 private:
  // The pack as it is on disk now; nothing (and the old one goes on) when it does not check.
  const check::Policy* reload() {
    spdlog::info("reloading the policy {}", options_.policy_path);
    check::LoadResult loaded = io::load_policy_file(options_.policy_path);
    if (!loaded.policy) {
      std::string why = loaded.fatal.empty() ? first_error(loaded) : loaded.fatal;
      spdlog::error("the reloaded policy does not load ({}); the running one goes on:\n{}", why,
                    loaded.render());
      set_note(fmt::format("the last reload was refused: {} does not load ({})",
                           options_.policy_path, why));
      return nullptr;
    }
    loaded_.push_back(std::move(*loaded.policy));  // kept: decisions and state may point in it
    return &loaded_.back();
  }

  void set_note(std::string note) {
    std::lock_guard lock(mutex_);
    note_ = std::move(note);
  }

  const ServeOptions& options_;
  Metrics& metrics_;
  std::deque<check::Policy> loaded_;
  mutable std::mutex mutex_;
  std::string note_;  // why the last reload was refused, for /readyz
};

// The broker's side of a serve: the connection, the events and the two publishers.
struct Broker {
  Broker(const BrokerOptions& options, const StopFlag* stop)
      : link(options.url),
        events(link, {options.events_stream, options.events_subject, options.consumer}, stop),
        decisions(link, NatsPublisher::Kind::kDecisions, options.decisions_prefix, stop,
                  NatsPublisher::Writers::alone),
        rejects(link, NatsPublisher::Kind::kRejects, options.rejects_subject, stop,
                NatsPublisher::Writers::alone) {}
  NatsLink link;
  NatsEventSource events;
  NatsPublisher decisions;
  NatsPublisher rejects;
};

// A router's way out: its own connection, so that its acks are its own.
struct RouterOut {
  RouterOut(const check::Policy& policy, const std::string& url, const ClusterOptions& cluster,
            const StopFlag* stop)
      : link(url), router(policy, link, cluster, stop) {}
  NatsLink link;
  ClusterRouter router;
};

// Ready: the policy loaded, the input there (the broker connected), and no work waiting much
// longer than the checkpoint interval without a checkpoint.
Readiness readiness(const ServeOptions& options, const Metrics& metrics,
                    const ServiceObserver& observer, const std::atomic<bool>& input_open,
                    const Broker* broker) {
  Readiness r;
  double limit =
      std::max(5.0, 10.0 * std::chrono::duration<double>(options.checkpoint_interval).count());
  double age = metrics.checkpoint_age();
  if (!input_open) {
    r.reason = "the input has ended";
  } else if (broker && !broker->link.connected()) {
    r.reason = fmt::format("not connected to NATS at {} (reconnecting)", broker->link.url());
  } else if (metrics.waiting() && age > limit) {
    r.reason = fmt::format("the last checkpoint was {:.1f} s ago, with input waiting", age);
  } else {
    r.ready = true;
    r.reason = observer.note();
  }
  return r;
}

}  // namespace

io::RunCounts serve(const check::Policy& policy, const ServeOptions& options) {
  io::check_run_files(options.files);
  // The broker first: a stream that is missing refuses the start before anything is written.
  std::unique_ptr<Broker> broker;
  if (!options.broker.url.empty()) broker = std::make_unique<Broker>(options.broker, options.stop);
  std::unique_ptr<RouterOut> router;
  if (options.router) {
    if (!broker) throw io::RunRefused("--role router needs --nats");
    router = std::make_unique<RouterOut>(policy, options.broker.url, *options.router, options.stop);
  }
  std::unique_ptr<io::AuditStore> store = io::open_run_store(options.files, policy);
  store->commit();  // the API's connection sees the tables from the start
  Metrics metrics;
  metrics.policy(policy);
  ServiceObserver observer(options, metrics);
  std::atomic<bool> input_open{true};

  std::unique_ptr<HttpApi> http;
  if (options.serve_http) {
    HttpOptions http_options = options.http;
    http_options.store_path = options.files.store;
    http = std::make_unique<HttpApi>(http_options, metrics, [&] {
      return readiness(options, metrics, observer, input_open, broker.get());
    });
    int port = http->start();
    if (options.listening) options.listening(port);
  }
  io::DurableRunOptions durable;
  durable.run = options.run;
  durable.input = options.files.input;
  durable.output = options.files.output;
  durable.rejects = options.files.rejects;
  durable.shadow_output = options.files.shadow_output;
  durable.restart = options.restart;
  if (broker) {
    durable.source = &broker->events;
    durable.decisions_to = &broker->decisions;
    durable.rejects_to = &broker->rejects;
  }
  if (router) {  // the partitions evaluate; the router's checkpoints wait for them to be stored
    durable.run.handoff = &router->router;
    durable.decisions_to = &router->router;
  }
  durable.log_reject = [](std::uint64_t line, std::string_view reason, std::string_view detail,
                          std::string_view) {
    spdlog::warn("rejected line {}: {}: {}", line, reason, detail);
  };
  durable.checkpoint_every = options.checkpoint_every;
  durable.checkpoint_interval = options.checkpoint_interval;
  durable.allow_policy_change = true;  // a service restarted with a changed pack carries on
  durable.stop = options.stop;
  durable.observer = &observer;
  durable.notice = [](const std::string& text) { spdlog::info("{}", text); };
  io::DurableRunResult result;
  try {
    result = io::run_durable(policy, *store, durable);
  } catch (const io::DeliveryStopped& e) {
    spdlog::warn("{}", e.what());
    result.stopped = true;
  }
  input_open = false;
  if (!result.stopped) {
    spdlog::info("the input ended after line {}; serving until SIGTERM", result.counts.lines);
    while (!*options.stop) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (options.reload && *options.reload) {
        *options.reload = 0;
        spdlog::info("SIGHUP: the input has ended, so no policy is reloaded");
      }
    }
  }
  if (http) http->stop();
  return result.counts;
}

}  // namespace bylaw::service
