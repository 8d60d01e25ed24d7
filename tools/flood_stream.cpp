// bylaw-flood-stream: a stream whose ids flood hash tables that use an unkeyed hash (issue 17).
//
//   bylaw-flood-stream --events N --ids colliding|ordinary [--output FILE]
//
// Contracts close and get negative feedback: every event id, contract and client is new, and each
// freelancer has three contracts, so each event adds keys to bylaw's table of used ids, its
// `latest` indexes and its windows, and every third feedback blocks a freelancer (rule 1).
// With --ids colliding they are ids whose std::hash agree in their low 10 bits
// (tools/flood_ids.hpp); with --ids ordinary, ids of the same form and length taken in order.
// tests/hash_flood.sh runs bylaw on both and compares the time per event.
#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "bylaw/core/time.hpp"
#include "flood_ids.hpp"
#include "tool_cli.hpp"

int main(int argc, char** argv) {
  std::size_t events = 200000;
  std::string kind = "colliding", output = "-";
  CLI::App app{"A stream of ids chosen to flood unkeyed hash tables", "bylaw-flood-stream"};
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::Throw);
  app.add_option("--events", events, "Lines to write (half closes, half feedback)")
      ->capture_default_str();
  app.add_option("--ids", kind, "colliding: one slot of an unkeyed table; ordinary: in order")
      ->check(CLI::IsMember({"colliding", "ordinary"}))
      ->capture_default_str();
  app.add_option("--output", output, "Where to write; - for standard output")
      ->capture_default_str();
  if (auto exit = parse_command_line(app, argc, argv)) return *exit;

  std::size_t pairs = (events + 1) / 2;
  auto ids = [&kind](std::size_t count, const std::string& prefix) {
    return kind == "colliding" ? flood_ids::colliding(count, prefix, 10)
                               : flood_ids::ordinary(count, prefix);
  };
  auto event_ids = ids(2 * pairs, "e-"), contracts = ids(pairs, "k-"), clients = ids(pairs, "c-"),
       freelancers = ids(pairs / 3 + 1, "f-");
  std::FILE* out = output == "-" ? stdout : std::fopen(output.c_str(), "w");
  if (!out) return std::fprintf(stderr, "bylaw-flood-stream: cannot open %s\n", output.c_str()), 1;
  bylaw::Time now = *bylaw::parse_rfc3339("2026-01-01T00:00:00Z");
  std::size_t written = 0;
  for (std::size_t i = 0; i < pairs && written < events; ++i) {
    now.micros += 1000000;
    fmt::print(
        out,
        R"({{"specversion":"1.0","id":"{}","source":"flood","type":"contract.closed","time":"{}","data":{{"contract":"{}","client":"{}","freelancer":"{}","outcome":"completed","closed_by":"client","earned":100}}}})"
        "\n",
        event_ids[2 * i], bylaw::format_rfc3339(now), contracts[i], clients[i], freelancers[i / 3]);
    if (++written == events) break;
    now.micros += 1000000;
    fmt::print(
        out,
        R"({{"specversion":"1.0","id":"{}","source":"flood","type":"feedback.submitted","time":"{}","data":{{"contract":"{}","client":"{}","freelancer":"{}","direction":"client_to_freelancer","public_rating":1,"private_score":1,"reasons":["skills"]}}}})"
        "\n",
        event_ids[2 * i + 1], bylaw::format_rfc3339(now), contracts[i], clients[i],
        freelancers[i / 3]);
    ++written;
  }
  if (out != stdout) std::fclose(out);
  return 0;
}
