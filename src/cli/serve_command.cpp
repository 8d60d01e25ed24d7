// bylaw serve --policy FILE --store FILE [--input FILE|-] [--output FILE|-] [--rejects FILE|-]
//             [--nats URL --events-stream NAME [--events-subject SUBJ] [--consumer NAME]
//              [--decisions-subject PREFIX] [--rejects-subject SUBJ]]
//             [--http HOST:PORT] [--api-token-file FILE] [--checkpoint-interval D] ...
#include <csignal>
#include <cstdio>

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
};

volatile std::sig_atomic_t g_reload = 0;

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
  CLI::Option* stream =
      serve->add_option("--events-stream", b.events_stream, "The JetStream stream of events")
          ->type_name("NAME")
          ->needs(nats);
  nats->needs(stream);
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

int run_serve(const ServeCommandOptions& args) {
  set_log_format(args.stream.log_format);
  std::optional<check::Policy> policy = load_pack(args.serve.policy_path, stderr);
  if (!policy) return kExitBadPolicy;
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
                                        "The audit store: state, checkpoints, the API's data")
                           ->required()
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
  run_when_chosen(serve, chosen, o, run_serve);
}

}  // namespace bylaw::cli
