#include "bylaw/service/http_api.hpp"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api_queries.hpp"
#include "audit_web.hpp"
#include "bylaw/io/audit_store.hpp"

namespace bylaw::service {

using json = nlohmann::ordered_json;

struct HttpApi::Impl {
  HttpOptions options;
  const Metrics& metrics;
  std::function<Readiness()> readiness;
  httplib::Server server;
  std::thread thread;
  std::mutex store_mutex;  // one connection, one request at a time on it
  std::unique_ptr<io::AuditStore> store;

  Impl(HttpOptions o, const Metrics& m, std::function<Readiness()> r)
      : options(std::move(o)), metrics(m), readiness(std::move(r)) {}

  static void reply_json(httplib::Response& res, int status, const json& body) {
    res.status = status;
    res.set_content(body.dump() + "\n", "application/json");
  }

  // /v1/ and /audit need the token when one is set; the health endpoints stay open.
  httplib::Server::HandlerResponse authorize(const httplib::Request& req,
                                             httplib::Response& res) const {
    bool guarded = req.path.rfind("/v1/", 0) == 0 || req.path.rfind("/audit", 0) == 0;
    if (options.token.empty() || !guarded) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    // The scheme's name is case-insensitive (RFC 7235); the token is not.
    std::string given = req.get_header_value("Authorization");
    std::string scheme = given.substr(0, 7);
    std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (scheme == "bearer " && given.substr(7) == options.token) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    res.set_header("WWW-Authenticate", "Bearer");
    reply_json(res, 401, {{"error", "this endpoint needs Authorization: Bearer <token>"}});
    return httplib::Server::HandlerResponse::Handled;
  }

  // Runs `answer` on the store under its lock; a bad request (std::invalid_argument) is a 400.
  void with_store(httplib::Response& res, const std::function<ApiAnswer(io::AuditStore&)>& answer) {
    try {
      std::lock_guard lock(store_mutex);
      ApiAnswer a = answer(*store);
      res.status = a.status;
      res.set_content(a.body, a.content_type);
    } catch (const std::invalid_argument& e) {
      reply_json(res, 400, {{"error", e.what()}});
    } catch (const std::exception& e) {
      reply_json(res, 500, {{"error", e.what()}});
    }
  }

  void routes() {
    server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      return authorize(req, res);
    });
    server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
      reply_json(res, 200, {{"status", "ok"}});
    });
    server.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
      Readiness r = readiness();
      json body = {{"ready", r.ready}};
      if (!r.reason.empty()) body[r.ready ? "note" : "reason"] = r.reason;
      reply_json(res, r.ready ? 200 : 503, body);
    });
    server.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(metrics.text(), "text/plain; version=0.0.4");
    });
    server.Get(R"(/v1/decisions/([^/]+))",
               [this](const httplib::Request& req, httplib::Response& res) {
                 with_store(res, [&](io::AuditStore& s) {
                   return decision_answer(s, req.matches[1], req.params);
                 });
               });
    server.Get("/v1/decisions", [this](const httplib::Request& req, httplib::Response& res) {
      with_store(res, [&](io::AuditStore& s) { return search_answer(s, req.params); });
    });
    server.Get(R"(/v1/subjects/([^/]+))",
               [this](const httplib::Request& req, httplib::Response& res) {
                 with_store(res, [&](io::AuditStore& s) {
                   return subject_answer(s, req.matches[1], req.params);
                 });
               });
    // The auditors' pages.
    server.Get("/audit", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("/audit/search");
    });
    server.Get("/audit/search", [this](const httplib::Request& req, httplib::Response& res) {
      with_store(res, [&](io::AuditStore& s) { return search_page(s, req.params); });
    });
    server.Get(
        R"(/audit/decisions/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
          with_store(res, [&](io::AuditStore& s) { return decision_page(s, req.matches[1]); });
        });
    server.Get(
        R"(/audit/subjects/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
          with_store(res, [&](io::AuditStore& s) { return subject_page(s, req.matches[1]); });
        });
    // Read-only: every other method is refused as such.
    auto read_only = [](const httplib::Request&, httplib::Response& res) {
      res.set_header("Allow", "GET");
      reply_json(res, 405, {{"error", "read-only: only GET is served"}});
    };
    server.Post(".*", read_only);
    server.Put(".*", read_only);
    server.Delete(".*", read_only);
    server.Patch(".*", read_only);
    server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty()) return;
      reply_json(res, res.status,
                 {{"error",
                   res.status == 404 ? "no such endpoint" : "a request this server cannot read"}});
    });
  }
};

HttpApi::HttpApi(HttpOptions options, const Metrics& metrics, std::function<Readiness()> readiness)
    : impl_(std::make_unique<Impl>(std::move(options), metrics, std::move(readiness))) {}

HttpApi::~HttpApi() {
  stop();
}

int HttpApi::start() {
  Impl& i = *impl_;
  std::string error;
  i.store = io::AuditStore::open(i.options.store_path, false, error);
  if (!i.store) {
    throw std::runtime_error(
        fmt::format("the API cannot open the store '{}': {}", i.options.store_path, error));
  }
  i.routes();
  int port = i.options.port == 0
                 ? i.server.bind_to_any_port(i.options.host)
                 : (i.server.bind_to_port(i.options.host, i.options.port) ? i.options.port : -1);
  if (port <= 0) {
    throw std::runtime_error(fmt::format("cannot listen on {}:{} (in use, or not an address here)",
                                         i.options.host, i.options.port));
  }
  i.thread = std::thread([&i] { i.server.listen_after_bind(); });
  return port;
}

void HttpApi::stop() {
  if (!impl_->thread.joinable()) return;
  impl_->server.stop();
  impl_->thread.join();
}

}  // namespace bylaw::service
