// The auditors' web pages, server-rendered from the audit store by the explain stage's renderer:
// a search form and its results, a decision's page, an account's page. Read-only, no scripts.
// Served by `bylaw audit serve` and by `bylaw serve --http`, under /audit/.
#pragma once

#include <string>

#include "api_queries.hpp"

namespace bylaw::service {

// GET /audit/search?subject=&rule=&kind=&name=&from=&to=&event=&active_holds=&after=
ApiAnswer search_page(const io::AuditStore& store, const Params& params);
// GET /audit/decisions/{id}
ApiAnswer decision_page(const io::AuditStore& store, const std::string& id);
// GET /audit/subjects/{id}: active holds and every decision, linked
ApiAnswer subject_page(const io::AuditStore& store, const std::string& subject);

}  // namespace bylaw::service
