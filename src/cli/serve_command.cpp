// bylaw serve --policy FILE --store FILE [--input FILE|-] [--output FILE|-] [--rejects FILE|-]
//             [--nats URL --events-stream NAME [--events-subject SUBJ] [--consumer NAME]
//              [--decisions-subject PREFIX] [--rejects-subject SUBJ]]
//             [--http HOST:PORT] [--api-token-file FILE] [--checkpoint-interval D] ...
#include <csignal>
#include <cstdio>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "bylaw/io/disk_files.hpp"
#include "bylaw/io/durable_run.hpp"
#include "bylaw/service/serve.hpp"
#include "commands.hpp"
#include "files.hpp"
#include "http_options.hpp"
#include "logging.hpp"
#include "options.hpp"
#include "signals.hpp"
#include "stream_options.hpp"

namespace bylaw::cli {

namespace {

struct ServeCommandOptions {
  service::ServeOptions serve;
  StreamOptions stream;
  std::string http;  // HOST:PORT
  std::string token_file;
  Duration checkpoint_interval{0, 200'000};
  std::string role = "single";
  service::ClusterOptions cluster;
  std::string worker_id;
  Duration lease_time{0, 10'000'000};
  // Options that only a router or a worker reads: given to a single serve, they are refused
  // rather than ignored.
  std::vector<const CLI::Option*> cluster_only;
};

StopFlag g_reload{0};

extern "C" void request_reload(int) {
  g_reload = 1;
}

void install_reload_handler() {
  struct sigaction action {};
  action.sa_handler = request_reload;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // a reload waits for the next line or the next idle turn
  sigaction(SIGHUP, &action, nullptr);
}

// --nats and what goes with it; with --nats, --input, --output and --rejects are refused.
void add_broker_options(CLI::App* serve, service::BrokerOptions& b) {
  CLI::Option* nats =
      serve
          ->add_option("--nats", b.url,
                       "Read events from NATS JetStream and publish decisions and rejects there")
          ->type_name("URL");
  for (const char* file_option : {"--input", "--output", "--rejects"}) {
    serve->get_option(file_option)->excludes(nats);
  }
  serve->add_option("--events-stream", b.events_stream, "The JetStream stream of events")
      ->type_name("NAME")
      ->needs(nats);
  serve->add_option("--events-subject", b.events_subject, "Only the stream's events on SUBJ")
      ->type_name("SUBJ")
      ->needs(nats);
  serve->add_option("--consumer", b.consumer, "bylaw's durable consumer on the events stream")
      ->type_name("NAME")
      ->capture_default_str()
      ->needs(nats);
  serve
      ->add_option("--decisions-subject", b.decisions_prefix,
                   "Decisions are published to PREFIX.<kind>")
      ->type_name("PREFIX")
      ->capture_default_str()
      ->needs(nats);
  serve->add_option("--rejects-subject", b.rejects_subject, "Rejects are published here")
      ->type_name("SUBJ")
      ->capture_default_str()
      ->needs(nats);
}

// --cluster, --partitions and what a router or a worker needs.
void add_cluster_options(CLI::App* serve, ServeCommandOptions& o) {
  add_choice(serve, "--role", o.role, {"single", "router", "worker"},
             "single: evaluate everything here (the default); router: admit events and send them "
             "to a cluster's partitions; worker: evaluate the partitions this process holds by "
             "lease (docs/scaling.md)");
  auto& only = o.cluster_only;
  only.push_back(serve
                     ->add_option("--partitions", o.cluster.partitions,
                                  "Partitions of the cluster (router, worker)")
                     ->check(CLI::Range(1, 4096))
                     ->capture_default_str());
  only.push_back(
      serve
          ->add_option("--cluster", o.cluster.prefix,
                       "The cluster's subjects (PREFIX.p.<n>) and buckets (PREFIX_leases, ...)")
          ->type_name("PREFIX")
          ->capture_default_str());
  only.push_back(
      serve
          ->add_option("--replicas", o.cluster.replicas,
                       "Copies of the cluster's stream and buckets, when this member makes them")
          ->check(CLI::Range(1, 5))
          ->capture_default_str());
  only.push_back(serve
                     ->add_option("--worker-id", o.worker_id,
                                  "This worker's name in the leases (default: host-pid)")
                     ->type_name("ID"));
  only.push_back(add_duration(
      serve, "--lease-time", o.lease_time,
      "A worker's lease on a partition lasts this long unless renewed (default 10s)", "10s, 3s"));
}

// The first cluster option given to a single serve, or null.
const CLI::Option* cluster_option_given(const ServeCommandOptions& args) {
  if (args.role != "single") return nullptr;
  for (const CLI::Option* option : args.cluster_only) {
    if (option->count() > 0) return option;
  }
  return nullptr;
}

// A worker: no store (its state goes to JetStream), no events stream (its partitions come from
// the router).
int run_worker_role(const ServeCommandOptions& args, const check::Policy& policy) {
  if (args.serve.broker.url.empty()) {
    spdlog::error("--role worker needs --nats: a worker reads its partitions from JetStream");
    return kExitFailure;
  }
  if (!args.stream.files.store.empty()) {
    spdlog::error("--role worker takes no --store: its checkpoints go to JetStream");
    return kExitFailure;
  }
  service::WorkerOptions options;
  options.url = args.serve.broker.url;
  options.cluster = args.cluster;
  options.decisions_prefix = args.serve.broker.decisions_prefix;
  options.worker_id = args.worker_id;
  options.lease_time = std::chrono::milliseconds(
      std::max<std::int64_t>(300, args.lease_time.approximate_micros() / 1000));
  options.checkpoint_interval = std::chrono::milliseconds(
      std::max<std::int64_t>(1, args.checkpoint_interval.approximate_micros() / 1000));
  options.run = run_options(args.stream);
  options.stop = install_stop_handlers();
  try {
    service::run_worker(policy, options);
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return kExitFailure;
  }
  return kExitOk;
}

int run_serve(const ServeCommandOptions& args) {
  set_log_format(args.stream.log_format);
  std::optional<check::Policy> policy = load_pack(args.serve.policy_path, stderr);
  if (!policy) return kExitBadPolicy;
  if (const CLI::Option* given = cluster_option_given(args)) {
    spdlog::error("{} is for --role router or worker; a single serve evaluates everything itself",
                  given->get_name());
    return kExitFailure;
  }
  if (args.role == "worker") return run_worker_role(args, *policy);
  if (args.stream.files.store.empty()) {
    spdlog::error("--store is required (but with --role worker)");
    return kExitFailure;
  }
  if (!args.serve.broker.url.empty() && args.serve.broker.events_stream.empty()) {
    spdlog::error("--nats requires --events-stream (but with --role worker)");
    return kExitFailure;
  }
  service::ServeOptions options = args.serve;
  options.files = args.stream.files;
  if (!options.broker.url.empty()) {  // events, decisions and rejects: all through the broker
    options.files.input.clear();
    options.files.output.clear();
  }
  options.run = run_options(args.stream);
  options.stop = install_stop_handlers();
  install_reload_handler();
  options.reload = &g_reload;
  if (args.role == "router") {
    if (options.broker.url.empty()) {
      spdlog::error("--role router needs --nats: it publishes to the cluster's partitions there");
      return kExitFailure;
    }
    options.router = args.cluster;
    // The workers route by the pack they started with: a router's pack changes with theirs,
    // by restarting them all, not by a reload of its own.
    options.reload = nullptr;
  }
  options.checkpoint_interval = std::chrono::milliseconds(
      std::max<std::int64_t>(1, args.checkpoint_interval.approximate_micros() / 1000));
  options.listening = [](int port) { spdlog::info("HTTP listening on port {}", port); };
  try {
    if (!args.http.empty()) {
      options.serve_http = true;
      parse_listen_address(args.http, options.http);
    }
    if (!args.token_file.empty()) options.http.token = read_token(args.token_file);
    io::RunCounts counts = service::serve(*policy, options);
    log_text(io::summary_text(counts));
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

void add_serve_command(CLI::App& bylaw, Run& chosen) {
  auto o = std::make_shared<ServeCommandOptions>();
  CLI::App* serve = bylaw.add_subcommand("serve", "Run as a service: live decisions, HTTP, reload");
  serve->footer(
      "`bylaw run --store` that does not end: decisions go out as their checkpoints commit\n"
      "(exactly once), the input's end does not stop it, HTTP serves /healthz, /readyz,\n"
      "/metrics and the read-only /v1/ API, and SIGHUP reloads the policy (a pack that does not\n"
      "check is refused, the old one going on). SIGTERM or SIGINT: what was read is evaluated,\n"
      "written and checkpointed, then exit 0. With --nats, events come from a JetStream stream\n"
      "and decisions and rejects go back to JetStream, exactly once. See docs/operations.md.");
  service::ServeOptions& s = o->serve;
  serve->add_option("--policy", s.policy_path, "The policy pack (*.policy)")
      ->required()
      ->type_name("FILE");
  CLI::Option* store = serve
                           ->add_option("--store", o->stream.files.store,
                                        "The audit store: state, checkpoints, the API's data "
                                        "(required, but with --role worker)")
                           ->type_name("FILE");
  add_signing_key(serve, o->stream.files, store);
  add_stream_files(serve, o->stream);
  add_broker_options(serve, s.broker);
  add_switch(serve, "--restart", s.restart, "Start from empty state (the audit chain is kept)");
  serve->add_option("--http", o->http, "Serve HTTP here (port 0: any free one)")
      ->type_name("HOST:PORT");
  serve
      ->add_option("--api-token-file", o->token_file,
                   "/v1/ requests must carry `Authorization: Bearer <the file's first line>`")
      ->type_name("FILE");
  add_duration(serve, "--checkpoint-interval", o->checkpoint_interval,
               "A checkpoint this long after the last when decisions wait (default 200ms)",
               "200ms, 1s");
  add_positive_count(serve, "--checkpoint-every", s.checkpoint_every, "Lines between checkpoints");
  add_engine_options(serve, o->stream);
  add_cluster_options(serve, *o);
  run_when_chosen(serve, chosen, o, run_serve);
}

}  // namespace bylaw::cli
