// bylaw audit serve --store FILE [--http HOST:PORT] [--api-token-file FILE]
// The auditors' web pages (and the read-only /v1/ API) over a store, without running a policy:
// the same HTTP side `bylaw serve --http` has. Stops on SIGTERM or SIGINT.
#include <chrono>
#include <cstdio>
#include <thread>

#include <fmt/format.h>

#include "bylaw/io/durable_run.hpp"
#include "bylaw/service/http_api.hpp"
#include "bylaw/service/metrics.hpp"
#include "commands.hpp"
#include "http_options.hpp"
#include "signals.hpp"

namespace bylaw::cli {

namespace {

struct AuditServeOptions {
  std::string store;
  std::string http = "127.0.0.1:8080";
  std::string token_file;
};

int run_audit_serve(const AuditServeOptions& options) {
  const StopFlag* stop = install_stop_handlers();
  service::HttpOptions http;
  http.store_path = options.store;
  service::Metrics metrics;
  try {
    parse_listen_address(options.http, http);
    if (!options.token_file.empty()) http.token = read_token(options.token_file);
    service::HttpApi api(http, metrics, [] {
      return service::Readiness{true, "audit pages only: no policy runs here"};
    });
    int port = api.start();
    fmt::print(stderr, "bylaw audit serve: http://{}:{}/audit/search (the store {}, read-only)\n",
               http.host, port, options.store);
    std::fflush(stderr);
    while (!*stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    api.stop();
  } catch (const std::exception& e) {
    fmt::print(stderr, "bylaw audit serve: {}\n", e.what());
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

void add_audit_serve_command(CLI::App& audit, Run& chosen) {
  auto o = std::make_shared<AuditServeOptions>();
  CLI::App* serve = audit.add_subcommand(
      "serve", "Serve the auditors' pages: search, decisions, accounts (read-only HTML)");
  serve->footer(
      "Pages: /audit/search (a form over `bylaw audit query`), /audit/decisions/ID (the auditor's\n"
      "page), /audit/subjects/ACCOUNT (active holds and history). The /v1/ API is served too.\n"
      "Loopback by default. With --api-token-file, /audit and /v1/ need\n"
      "`Authorization: Bearer <token>` (put a proxy that adds it in front of browsers).");
  serve->add_option("--store", o->store, "The audit store (SQLite)")->required()->type_name("FILE");
  serve->add_option("--http", o->http, "Where to listen (port 0: any free one)")
      ->type_name("HOST:PORT")
      ->capture_default_str();
  serve->add_option("--api-token-file", o->token_file, "A file holding the bearer token")
      ->type_name("FILE");
  run_when_chosen(serve, chosen, o, run_audit_serve);
}

}  // namespace bylaw::cli
