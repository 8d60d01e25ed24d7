// The hot path allocates nothing in the steady state: after warm-up, decoding, deduplicating and
// evaluating an event that makes no decision performs no heap allocation. Global operator new is
// replaced in this binary (and only here) to count them.
#include <execinfo.h>
#include <unistd.h>

#include <cstdlib>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "bylaw/check/checker.hpp"
#include "bylaw/io/disk_files.hpp"
#include "bylaw/io/internal/tuning.hpp"
#include "bylaw/io/stream_runner.hpp"

namespace {

bool counting = false;
std::uint64_t allocations = 0;
// BYLAW_ALLOC_BACKTRACE=1 prints where each counted allocation comes from (addr2line -f -C -e
// the binary turns the addresses into names).
const bool show_where = std::getenv("BYLAW_ALLOC_BACKTRACE") != nullptr;

void show_backtrace() {
  counting = false;  // backtrace() may allocate on its first call
  void* frames[16];
  int n = backtrace(frames, 16);
  backtrace_symbols_fd(frames, n, STDERR_FILENO);
  (void)!write(STDERR_FILENO, "--\n", 3);
  counting = true;
}

}  // namespace

void note_allocation() {
  if (!counting) return;
  ++allocations;
  if (show_where) show_backtrace();
}

#include "counting_new.hpp"

namespace {

using namespace bylaw;

constexpr std::uint64_t kContracts = 200;
constexpr std::uint64_t kPairs = 50;  // freelancer f-j only ever works with client c-j

// A marketplace over a fixed set of accounts and contracts, with times 10 minutes apart, so that
// after the warm-up every window slides at a steady size. Every kind of event that can pass
// without a decision occurs, and most rules get past their guards:
// - negative feedback is counted, but each freelancer only ever hears from one client;
// - refund-for-review messages are indexed under long keys (contract and sender); once each
//   client is held for them, the rules that react find nothing left to do;
// - client c-0 cancels so often that the mass-cancellation alert fires once a day and, the rest of
//   the time, is held back by its `earlier` lookup.
// Dispute and appeal requests, which are always answered, are mixed in: their decisions may
// allocate, but they must not leave work for later events that do not decide.
class Marketplace {
 public:
  std::string next() {
    std::uint64_t n = count_++;
    std::uint64_t contract = (n / kSteps) % kContracts;
    std::uint64_t pair = contract % kPairs;
    std::string head =
        fmt::format(R"({{"specversion":"1.0","id":"e-{}","source":"test","time":"{}",)", n,
                    format_rfc3339(Time{static_cast<std::int64_t>(n) * 600'000'000}));
    switch (n % kSteps) {
      case 0:
        return head + fmt::format(
                          R"("type":"contract.started","data":{{"contract":"k-{}","client":"c-{}",)"
                          R"("freelancer":"f-{}","kind":"fixed","amount":500}}}})",
                          contract, pair, pair);
      case 1:
        return head +
               fmt::format(R"("type":"message.sent","data":{{"contract":"k-{}","sender":"c-{}",)"
                           R"("recipient":"f-{}","sender_role":"client",)"
                           R"("labels":["scheduling_question","thanks_for_the_update"]}}}})",
                           contract, pair, pair);
      case 2:
        return head +
               fmt::format(R"("type":"work.submitted","data":{{"contract":"k-{}","amount":250}}}})",
                           contract);
      case 3:
        return head +
               fmt::format(R"("type":"contract.closed","data":{{"contract":"k-{}","client":"c-{}",)"
                           R"("freelancer":"f-{}","outcome":"completed","closed_by":"client",)"
                           R"("earned":500}}}})",
                           contract, pair, pair);
      case 4:  // negative: it enters the freelancer's window and is counted (one client only)
        return head +
               fmt::format(
                   R"("type":"feedback.submitted","data":{{"contract":"k-{}","client":"c-{}",)"
                   R"("freelancer":"f-{}","direction":"client_to_freelancer",)"
                   R"("public_rating":1,"private_score":2,)"
                   R"("reasons":["communication","availability"]}}}})",
                   contract, pair, pair);
      case 5:
        return head +
               fmt::format(
                   R"("type":"feedback.submitted","data":{{"contract":"k-{}","client":"c-{}",)"
                   R"("freelancer":"f-{}","direction":"freelancer_to_client",)"
                   R"("public_rating":5,"reasons":[]}}}})",
                   contract, pair, pair);
      case 6:
        return head + fmt::format(R"("type":"appeal.resolved","data":{{"subject":"f-{}",)"
                                  R"("hold":"proposals_blocked","outcome":"granted"}}}})",
                                  pair);
      case 7:  // always answered
        return head +
               fmt::format(
                   R"("type":"dispute.opened","data":{{"contract":"k-{}","opened_by":"c-{}",)"
                   R"("kind":"fixed","amount":250}}}})",
                   contract, pair);
      case 8:  // always answered
        return head +
               fmt::format(
                   R"("type":"appeal.filed","data":{{"subject":"f-{}","hold":"proposals_blocked"}}}})",
                   pair);
      case 9:
        return head +
               fmt::format(R"("type":"message.sent","data":{{"contract":"k-{}","sender":"c-{}",)"
                           R"("recipient":"f-{}","sender_role":"client",)"
                           R"("labels":["refund_for_review"]}}}})",
                           contract, pair, pair);
      default:
        return head +
               fmt::format(R"("type":"contract.closed","data":{{"contract":"k-{}","client":"c-0",)"
                           R"("freelancer":"f-{}","outcome":"cancelled","closed_by":"client",)"
                           R"("earned":0}}}})",
                           contract, pair);
    }
  }

 private:
  static constexpr std::uint64_t kSteps = 11;
  std::uint64_t count_ = 0;
};

struct CountingSink : runtime::DecisionSink {
  std::uint64_t decisions = 0;
  void on_decision(const runtime::Decision&) override { ++decisions; }
};

struct Measured {
  std::uint64_t quiet_events = 0;  // events that made no decision
  std::uint64_t allocations = 0;   // while those were decoded and evaluated
};

// `ahead`: lines are decoded as `run --threads` decodes them, by a decoder of their own whose
// events the evaluation gives back; only the evaluation (StreamRunner::decoded_line) is counted.
Measured measure(const check::Policy& policy, io::RunOptions options,
                 std::size_t room_for_ids = 0, bool ahead = false) {
  CountingSink sink;
  std::uint64_t rejects = 0;
  io::StreamRunner runner(
      policy, sink, [&rejects](auto...) { ++rejects; }, options);
  if (room_for_ids > 0) io::internal::reserve_ids(runner, room_for_ids, room_for_ids * 8);
  Marketplace market;
  std::string line;
  io::EventDecoder decoder(policy.schema, true);
  auto evaluate = [&](const std::string& text, bool count) {
    std::optional<io::DecodedLine> decoded;
    std::uint64_t number = runner.lines_so_far() + 1;
    if (ahead) decoded = decoder.decode_ahead(text, number, number);  // not counted
    allocations = 0;
    counting = count;
    if (ahead) {
      runner.decoded_line(text, std::move(*decoded));
    } else {
      runner.line(text);
    }
    counting = false;
  };
  for (int i = 0; i < 100'000; ++i) evaluate(market.next(), false);  // warm-up
  Measured measured;
  for (int i = 0; i < 100'000; ++i) {
    line = market.next();  // built outside the counted span
    std::uint64_t before = sink.decisions;
    evaluate(line, true);
    if (sink.decisions == before) {
      ++measured.quiet_events;
      measured.allocations += allocations;
    }
  }
  REQUIRE(rejects == 0);
  REQUIRE(runner.counts().evaluated == 200'000);
  return measured;
}

const check::Policy& marketplace() {
  static const check::Policy policy = [] {
    check::LoadResult loaded =
        io::load_policy_file(std::string(BYLAW_SOURCE_DIR) + "/policies/marketplace.policy");
    REQUIRE(loaded.policy.has_value());
    return std::move(*loaded.policy);
  }();
  return policy;
}

}  // namespace

TEST_CASE("the counter sees an allocation") {
  allocations = 0;
  counting = true;
  auto* p = new std::string(100, 'x');
  counting = false;
  delete p;
  CHECK(allocations >= 1);
}

TEST_CASE("events that make no decision allocate nothing after warm-up") {
  // Room for every id up front: the set of used ids does not grow during the measurement.
  Measured measured = measure(marketplace(), io::RunOptions{}, 250'000);
  INFO("events that made no decision: " << measured.quiet_events);
  CHECK(measured.quiet_events > 70'000);
  CHECK(measured.allocations == 0);
}

TEST_CASE("evaluating lines decoded ahead allocates nothing either") {
  Measured measured = measure(marketplace(), io::RunOptions{}, 250'000, true);
  INFO("events that made no decision: " << measured.quiet_events);
  CHECK(measured.quiet_events > 70'000);
  CHECK(measured.allocations == 0);
}

TEST_CASE("without room made up front only the set of used ids grows") {
  // It doubles its table and its arena as ids accumulate: a handful of allocations over 100k
  // events, amortised, never one per event.
  Measured measured = measure(marketplace(), io::RunOptions{});
  INFO("allocations: " << measured.allocations);
  CHECK(measured.allocations <= 4);
}
