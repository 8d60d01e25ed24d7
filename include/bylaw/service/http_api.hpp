// The HTTP side of `bylaw serve` (cpp-httplib): /healthz, /readyz, /metrics, and the read-only
// /v1/ API over the audit store, which it reads through a connection of its own (the store is in
// WAL mode: reading never holds up the run's commits). No endpoint changes anything.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "bylaw/service/metrics.hpp"

namespace bylaw::service {

// Whether the service can take traffic, and if not, why (for /readyz).
struct Readiness {
  bool ready = false;
  std::string reason;  // why not; or a note while ready (a refused reload)
};

struct HttpOptions {
  std::string host = "127.0.0.1";
  int port = 0;            // 0: any free port (the one taken is returned by start)
  std::string token;       // non-empty: /v1/ and /audit need `Authorization: Bearer <token>`
  std::string store_path;  // the audit store the API reads
};

class HttpApi {
 public:
  HttpApi(HttpOptions options, const Metrics& metrics, std::function<Readiness()> readiness);
  ~HttpApi();  // stops the server
  HttpApi(const HttpApi&) = delete;
  HttpApi& operator=(const HttpApi&) = delete;

  // Binds and serves from a thread of its own; returns the port. Throws std::runtime_error when
  // the address cannot be bound or the store cannot be opened.
  int start();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bylaw::service
