// bylaw-gen-events: a deterministic stream of marketplace life, as CloudEvents JSON Lines.
//
//   bylaw-gen-events --events N [--freelancers F] [--clients C] [--seed S] [--bad-rate P]
//                    [--days D] [--mix default|rare] [--output FILE]
//
// Contracts start, get work, close (some cancelled unpaid), get feedback (some negative, some
// after a refund-for-review message), go to dispute and arbitration; held freelancers appeal too
// early, on time, and get denied or granted; some clients cancel in bursts. With --bad-rate P, a
// share P of lines is malformed, duplicated or of an undeclared type. The same arguments always
// give the same bytes: the generator has its own random numbers and no clock.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "bylaw/core/time.hpp"

#include "tool_cli.hpp"

namespace {

// splitmix64: small, fast, and the same everywhere.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : next() % n; }
  bool chance(double p) { return static_cast<double>(next() >> 11) * 0x1.0p-53 < p; }
  double uniform(double lo, double hi) {
    return lo + (hi - lo) * (static_cast<double>(next() >> 11) * 0x1.0p-53);
  }

 private:
  std::uint64_t state_;
};

struct Options {
  std::uint64_t events = 10000;
  std::uint64_t freelancers = 1000;
  std::uint64_t clients = 1000;
  std::uint64_t seed = 1;
  double bad_rate = 0;
  std::int64_t days = 730;
  bool rare = false;  // --mix rare: few events make a decision
  std::string output = "-";
};

struct Contract {
  std::string id;
  std::uint64_t client = 0;
  std::uint64_t freelancer = 0;
  bool hourly = false;
  bool worked = false;
  bool closed = false;
  bool paid = true;
  bool flagged = false;  // the client tied a refund to a review
  bylaw::Time started_at;
  bylaw::Time closed_at;
};

// Contracts end: one open this long is abandoned (nothing happens on it any more), one closed this
// long ago gets no more messages, feedback or disputes, and an arbitration follows a dispute by at
// most kDisputeLife. So the accounts' activity, and the state a bounded policy keeps, stay the
// same size over years of event time with a constant population.
constexpr std::int64_t kContractLife = 120 * bylaw::kMicrosPerDay;
constexpr std::int64_t kDisputeLife = 60 * bylaw::kMicrosPerDay;

// What the generator believes about holds, to aim appeals; the engine decides for real.
struct HoldGuess {
  bylaw::Time appealable;  // when an appeal would no longer be too early
};

class Generator {
 public:
  Generator(const Options& options, std::FILE* out)
      : options_(options), random_(options.seed), out_(out) {
    now_ = *bylaw::parse_rfc3339("2026-01-01T00:00:00Z");
    // The mean step spreads the stream over the requested number of days.
    mean_step_ = options.days * bylaw::kMicrosPerDay /
                 static_cast<std::int64_t>(std::max<std::uint64_t>(options.events, 1));
  }

  void run() {
    while (written_ < options_.events) {
      now_.micros +=
          static_cast<std::int64_t>(random_.below(static_cast<std::uint64_t>(2 * mean_step_) + 1));
      if (options_.bad_rate > 0 && random_.chance(options_.bad_rate)) {
        bad_line();
        continue;
      }
      step();
    }
  }

 private:
  std::string freelancer(std::uint64_t i) const { return fmt::format("f-{}", i); }
  std::string client(std::uint64_t i) const { return fmt::format("c-{}", i); }
  std::string time() const { return bylaw::format_rfc3339(now_); }

  void emit(std::string_view type, const std::string& data) {
    if (written_ >= options_.events) return;
    std::string line = fmt::format(
        R"({{"specversion":"1.0","id":"e-{}","source":"gen","type":"{}","time":"{}","data":{}}})",
        ++next_id_, type, time(), data);
    write(line);
    recent_.push_back(std::move(line));
    if (recent_.size() > 64) recent_.pop_front();
  }

  void write(const std::string& line) {
    std::fwrite(line.data(), 1, line.size(), out_);
    std::fputc('\n', out_);
    ++written_;
  }

  Contract* pick_open() {
    while (!open_.empty() &&
           now_.micros - contracts_[open_.front()].started_at.micros > kContractLife) {
      open_.pop_front();
    }
    for (int tries = 0; tries < 4 && !open_.empty(); ++tries) {
      Contract& c = contracts_[open_[random_.below(open_.size())]];
      if (!c.closed) return &c;
    }
    return nullptr;
  }

  // One of the `recent` contracts closed last.
  Contract* pick_closed(std::size_t recent = 2000) {
    if (closed_.empty()) return nullptr;
    Contract& c =
        contracts_[closed_[closed_.size() - 1 - random_.below(std::min(closed_.size(), recent))]];
    return now_.micros - c.closed_at.micros > kContractLife ? nullptr : &c;
  }

  // What each step does, in thousandths: the default mix answers an appeal, dispute or
  // arbitration request on about 12% of events; the rare one (--mix rare) on about 2%, the rest
  // being ordinary marketplace life that makes no decision.
  struct Mix {
    std::uint64_t start, work, close, feedback, message, dispute, arbitration, appeal, burst;
  };
  static constexpr Mix kDefaultMix{200, 180, 150, 200, 80, 60, 30, 60, 3};
  static constexpr Mix kRareMix{240, 260, 190, 200, 90, 8, 4, 6, 1};

  void step() {
    const Mix& mix = options_.rare ? kRareMix : kDefaultMix;
    std::uint64_t roll = random_.below(1000);
    auto within = [&roll](std::uint64_t share) {
      if (roll < share) return true;
      roll -= share;
      return false;
    };
    if (within(mix.start))
      return start_contract(random_.below(options_.clients), random_.below(options_.freelancers));
    if (within(mix.work)) return submit_work();
    if (within(mix.close)) return close_contract();
    if (within(mix.feedback)) return feedback();
    if (within(mix.message)) return message();
    if (within(mix.dispute)) return dispute();
    if (within(mix.arbitration)) return arbitration();
    if (within(mix.appeal)) return appeal();
    if (within(mix.burst)) return cancellation_burst();
    return start_contract(random_.below(options_.clients), random_.below(options_.freelancers));
  }

  void start_contract(std::uint64_t c, std::uint64_t f) {
    Contract contract;
    contract.id = fmt::format("k-{}", contracts_.size() + 1);
    contract.client = c;
    contract.freelancer = f;
    contract.hourly = random_.chance(0.4);
    contract.started_at = now_;
    emit("contract.started",
         fmt::format(
             R"({{"contract":"{}","client":"{}","freelancer":"{}","kind":"{}","amount":{}}})",
             contract.id, client(c), freelancer(f), contract.hourly ? "hourly" : "fixed",
             contract.hourly ? 20 + random_.below(80) : 50 + random_.below(2000)));
    open_.push_back(contracts_.size());
    contracts_.push_back(std::move(contract));
    if (open_.size() > 20000) open_.pop_front();
  }

  void submit_work() {
    Contract* c = pick_open();
    if (!c)
      return start_contract(random_.below(options_.clients), random_.below(options_.freelancers));
    c->worked = true;
    emit("work.submitted",
         fmt::format(R"({{"contract":"{}","amount":{}}})", c->id, 10 + random_.below(900)));
  }

  void close_contract() {
    Contract* c = pick_open();
    if (!c) return;
    bool cancelled = random_.chance(0.2);
    c->paid = !(cancelled && random_.chance(0.6)) && !random_.chance(0.03);
    close(*c, cancelled, cancelled && random_.chance(0.7));
  }

  void close(Contract& c, bool cancelled, bool by_client) {
    c.closed = true;
    c.closed_at = now_;
    closed_.push_back(static_cast<std::size_t>(&c - contracts_.data()));
    if (closed_.size() > 50000) closed_.erase(closed_.begin(), closed_.begin() + 10000);
    emit(
        "contract.closed",
        fmt::format(
            R"({{"contract":"{}","client":"{}","freelancer":"{}","outcome":"{}","closed_by":"{}","earned":{}}})",
            c.id, client(c.client), freelancer(c.freelancer), cancelled ? "cancelled" : "completed",
            by_client ? "client" : "freelancer", c.paid ? 20 + random_.below(3000) : 0));
  }

  void feedback() {
    // Feedback mostly follows a close within days; sometimes it comes late.
    Contract* c = pick_closed(random_.chance(0.9) ? 40 : 2000);
    if (!c) return;
    bool to_freelancer = random_.chance(0.8);
    bool negative = to_freelancer && random_.chance(0.22);
    std::string rating = random_.chance(0.1) ? "null"
                                             : std::to_string(negative ? 1 + random_.below(2)
                                                                       : 3 + random_.below(3));
    std::string score = random_.chance(0.2)
                            ? "null"
                            : std::to_string(negative ? random_.below(5) : 5 + random_.below(6));
    static const char* kReasons[] = {"skills",      "experience",    "availability",
                                     "performance", "communication", "quality"};
    std::string reasons;
    std::uint64_t count = negative ? 1 + random_.below(3) : random_.below(2);
    for (std::uint64_t i = 0; i < count; ++i) {
      if (!reasons.empty()) reasons += ',';
      reasons += fmt::format("\"{}\"", kReasons[random_.below(negative ? 4 : 6)]);
    }
    emit(
        "feedback.submitted",
        fmt::format(
            R"({{"contract":"{}","client":"{}","freelancer":"{}","direction":"{}","public_rating":{},"private_score":{},"reasons":[{}]}})",
            c->id, client(c->client), freelancer(c->freelancer),
            to_freelancer ? "client_to_freelancer" : "freelancer_to_client", rating, score,
            reasons));
    bool in_window = now_.micros - c->closed_at.micros <= 14 * bylaw::kMicrosPerDay;
    if (negative && c->paid && !c->flagged && in_window) note_negative(c->freelancer, c->client);
  }

  // A rough model of rule 1, so that appeals are aimed at accounts that are probably held.
  void note_negative(std::uint64_t f, std::uint64_t c) {
    auto& clients = negatives_[f];
    clients.push_back(c);
    if (clients.size() >= 3 && !guesses_.count(f)) {
      guesses_[f] = HoldGuess{bylaw::add(now_, bylaw::Duration{6, 0})};
    }
  }

  void message() {
    Contract* c = pick_closed();
    if (!c) c = pick_open();
    if (!c) return;
    bool from_client = random_.chance(0.7);
    std::string labels;
    if (from_client && random_.chance(0.04)) {
      labels = "\"refund_for_review\"";
      c->flagged = true;
    } else if (random_.chance(0.1)) {
      labels = "\"off_platform_payment\"";
    }
    emit(
        "message.sent",
        fmt::format(
            R"({{"contract":"{}","sender":"{}","recipient":"{}","sender_role":"{}","labels":[{}]}})",
            c->id, from_client ? client(c->client) : freelancer(c->freelancer),
            from_client ? freelancer(c->freelancer) : client(c->client),
            from_client ? "client" : "freelancer", labels));
  }

  void dispute() {
    Contract* c = random_.chance(0.5) ? pick_open() : pick_closed();
    if (!c) return;
    if (!c->worked && random_.chance(0.5)) return submit_work();
    disputed_.emplace_back(static_cast<std::size_t>(c - contracts_.data()), now_);
    if (disputed_.size() > 5000) disputed_.pop_front();
    emit("dispute.opened",
         fmt::format(R"({{"contract":"{}","opened_by":"{}","kind":"{}","amount":{}}})", c->id,
                     client(c->client), c->hourly ? "hourly" : "fixed", 10 + random_.below(1500)));
  }

  void arbitration() {
    const Contract* c = nullptr;
    while (!disputed_.empty() && now_.micros - disputed_.front().second.micros > kDisputeLife) {
      disputed_.pop_front();
    }
    if (!disputed_.empty() && random_.chance(0.8)) {
      c = &contracts_[disputed_[random_.below(disputed_.size())].first];
    } else {
      c = pick_closed();
    }
    if (!c) return;
    emit("arbitration.requested",
         fmt::format(R"({{"contract":"{}","requested_by":"{}","amount":{}}})", c->id,
                     client(c->client), 40 + random_.below(600)));
  }

  void appeal() {
    if (guesses_.empty() || random_.chance(0.1)) {
      // Someone appeals a hold they do not have.
      const char* hold = random_.chance(0.8) ? "proposals_blocked" : "feedback_suspended";
      emit("appeal.filed", fmt::format(R"({{"subject":"{}","hold":"{}"}})",
                                       freelancer(random_.below(options_.freelancers)), hold));
      return;
    }
    auto it = guesses_.begin();
    std::advance(it, static_cast<long>(random_.below(std::min<std::size_t>(guesses_.size(), 64))));
    std::uint64_t f = it->first;
    HoldGuess& guess = it->second;
    // Before the appeal window: mostly appeals filed too early, sometimes a denial (which moves
    // the window). After it: appeals, then a decision either way.
    bool open = now_ >= guess.appealable;
    std::uint64_t roll = random_.below(10);
    if (roll < (open ? 6u : 8u)) {
      emit("appeal.filed",
           fmt::format(R"({{"subject":"{}","hold":"proposals_blocked"}})", freelancer(f)));
      return;
    }
    bool granted = open && random_.chance(0.5);
    emit("appeal.resolved",
         fmt::format(R"({{"subject":"{}","hold":"proposals_blocked","outcome":"{}"}})",
                     freelancer(f), granted ? "granted" : "denied"));
    if (granted) {
      guesses_.erase(it);
      negatives_.erase(f);
    } else {
      guess.appealable = bylaw::add(now_, bylaw::Duration{6, 0});
    }
  }

  // A client hires several freelancers and cancels them all within hours, unpaid.
  void cancellation_burst() {
    std::uint64_t c = random_.below(options_.clients);
    std::size_t first = contracts_.size();
    int size = 5 + static_cast<int>(random_.below(4));
    for (int i = 0; i < size; ++i) {
      start_contract(c, random_.below(options_.freelancers));
      now_.micros += 60 * bylaw::kMicrosPerSecond;
    }
    for (int i = 0; i < size; ++i) {
      Contract& contract = contracts_[first + static_cast<std::size_t>(i)];
      contract.paid = false;
      now_.micros += 10 * bylaw::kMicrosPerMinute;
      close(contract, true, true);
    }
  }

  void bad_line() {
    switch (random_.below(6)) {
      case 0:  // cut short
        write(fmt::format(
            R"({{"specversion":"1.0","id":"bad-{}","type":"contract.started","time":"{}","data":{{"contract":)",
            ++bad_id_, time()));
        break;
      case 1:  // a required field missing
        write(fmt::format(
            R"({{"id":"bad-{}","type":"work.submitted","time":"{}","data":{{"amount":5}}}})",
            ++bad_id_, time()));
        break;
      case 2:  // a value outside its enum
        write(fmt::format(
            R"({{"id":"bad-{}","type":"dispute.opened","time":"{}","data":{{"contract":"k-1","opened_by":"c-1","kind":"weekly","amount":5}}}})",
            ++bad_id_, time()));
        break;
      case 3:  // a duplicate of a recent line
        if (!recent_.empty()) {
          write(recent_[random_.below(recent_.size())]);
          break;
        }
        [[fallthrough]];
      case 4:  // a type the schema does not declare
        write(fmt::format(
            R"({{"id":"other-{}","type":"profile.viewed","time":"{}","data":{{"viewer":"c-1"}}}})",
            ++bad_id_, time()));
        break;
      default:  // a time with no offset
        write(fmt::format(
            R"({{"id":"bad-{}","type":"work.submitted","time":"2026-01-01T00:00:00","data":{{"contract":"k-1","amount":5}}}})",
            ++bad_id_));
        break;
    }
  }

  Options options_;
  Random random_;
  std::FILE* out_;
  bylaw::Time now_;
  std::int64_t mean_step_;
  std::uint64_t written_ = 0;
  std::uint64_t next_id_ = 0;
  std::uint64_t bad_id_ = 0;
  std::vector<Contract> contracts_;
  std::deque<std::size_t> open_;
  std::vector<std::size_t> closed_;
  std::deque<std::pair<std::size_t, bylaw::Time>> disputed_;  // contract, when disputed
  std::deque<std::string> recent_;
  std::unordered_map<std::uint64_t, std::vector<std::uint64_t>> negatives_;
  std::unordered_map<std::uint64_t, HoldGuess> guesses_;
};

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"A deterministic stream of marketplace life, as CloudEvents JSON Lines",
               "bylaw-gen-events"};
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::Throw);
  app.add_option("--events", options.events, "Lines to write")->capture_default_str();
  app.add_option("--freelancers", options.freelancers, "Freelancers in the population")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--clients", options.clients, "Clients in the population")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--seed", options.seed, "The random numbers' seed")->capture_default_str();
  app.add_option("--bad-rate", options.bad_rate,
                 "Share of lines malformed, duplicated or of an undeclared type")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--days", options.days, "Days of event time the stream spans")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  std::string mix = "default";
  app.add_option("--mix", mix,
                 "default: about 12% of events make a decision; rare: about 2% (fewer appeals, "
                 "disputes and arbitrations)")
      ->check(CLI::IsMember({"default", "rare"}))
      ->capture_default_str();
  app.add_option("--output", options.output, "Where to write; - for standard output")
      ->capture_default_str();
  if (auto exit = parse_command_line(app, argc, argv)) return *exit;
  options.rare = mix == "rare";
  std::FILE* out = options.output == "-" ? stdout : std::fopen(options.output.c_str(), "wb");
  if (!out) {
    std::fprintf(stderr, "bylaw-gen-events: cannot open '%s'\n", options.output.c_str());
    return 1;
  }
  static char buffer[1 << 20];
  std::setvbuf(out, buffer, _IOFBF, sizeof buffer);
  Generator(options, out).run();
  if (std::fflush(out) != 0) {
    std::fprintf(stderr, "bylaw-gen-events: writing '%s' failed\n", options.output.c_str());
    return 1;
  }
  if (out != stdout) std::fclose(out);
  return 0;
}
