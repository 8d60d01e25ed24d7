// The answers of the /v1/ API, from the audit store: a decision, a search, an account's view.
// Independent of the HTTP library: parameters in, status and body out. A bad parameter is
// std::invalid_argument (a 400).
#pragma once

#include <map>
#include <string>

#include "bylaw/io/audit_store.hpp"

namespace bylaw::service {

struct ApiAnswer {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

using Params = std::multimap<std::string, std::string>;

// GET /v1/decisions/{id}[?format=json|html][&audience=auditor|subject]
ApiAnswer decision_answer(const io::AuditStore& store, const std::string& id, const Params& params);
// GET /v1/decisions?subject=&rule=&kind=&name=&from=&to=&event=&limit=&after=
ApiAnswer search_answer(const io::AuditStore& store, const Params& params);
// GET /v1/subjects/{id}[?limit=&after=]: active holds, and the history newest first, paged.
ApiAnswer subject_answer(const io::AuditStore& store, const std::string& subject,
                         const Params& params);

}  // namespace bylaw::service
