// bylaw-bench-r1: rule 1 of the marketplace policy (the negative feedback block) written by hand,
// the way a team would without a rules engine: simdjson On Demand and hash maps, nothing else.
//
//   bylaw-bench-r1 --input STREAM [--holds FILE]
//
// It is the baseline `tools/bench` holds `bylaw run --policy policies/bench/r1.policy` against:
// bylaw-bench checks that both make exactly the same holds (subject and triggering event, written
// one per line to --holds) and compares their times. The parameters are those of the pack.
//
// What it assumes of its input, as a hand-written program would: events come in time order (the
// generator writes them so), and a line is used only when it parses and has the fields the rule
// reads. It keeps no explanation, checkpoint or audit record: only the answer.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include "bylaw/core/time.hpp"
#include "tool_cli.hpp"

namespace {

namespace od = simdjson::ondemand;

constexpr std::int64_t kDay = 86400LL * 1000000LL;
constexpr std::int64_t kFeedbackWindow = 14 * kDay;
constexpr std::int64_t kNegativeWindow = 365 * kDay;
constexpr std::int64_t kContractMemory = 365 * kDay;
constexpr std::int64_t kFlagMemory = 365 * kDay;
constexpr std::int64_t kNegativePublicRating = 2;
constexpr std::int64_t kNegativePrivateScore = 4;
constexpr std::size_t kMinClients = 3;

struct Close {
  std::int64_t time = 0;
  double earned = 0;
};

struct Counted {
  std::int64_t time = 0;
  std::string client;
};

struct Hold {
  std::string subject;
  std::string trigger;
};

class RuleOne {
 public:
  void line(std::string_view text, std::size_t capacity) {
    auto doc = parser_.iterate(text.data(), text.size(), capacity);
    if (doc.error()) return;
    std::string_view id, type, time_text;
    if (doc["id"].get_string().get(id) || doc["type"].get_string().get(type) ||
        doc["time"].get_string().get(time_text)) {
      return;
    }
    bool feedback = type == "feedback.submitted";
    if (!feedback && type != "contract.closed" && type != "message.sent") return;
    auto time = bylaw::parse_rfc3339(time_text);
    if (!time) return;
    if (!seen_.emplace(id).second) return;  // a duplicate
    od::object data;
    if (doc["data"].get_object().get(data)) return;
    if (feedback) {
      on_feedback(id, time->micros, data);
    } else if (type == "contract.closed") {
      on_close(time->micros, data);
    } else {
      on_message(time->micros, data);
    }
  }

  const std::vector<Hold>& holds() const { return holds_; }

 private:
  void on_close(std::int64_t time, od::object data) {
    std::string_view contract;
    double earned = 0;
    if (data["contract"].get_string().get(contract) || data["earned"].get_double().get(earned)) {
      return;
    }
    closes_[std::string(contract)] = {time, earned};
  }

  // A client's message tying a refund to a review, by contract and sender.
  void on_message(std::int64_t time, od::object data) {
    std::string_view contract, sender, role;
    if (data["contract"].get_string().get(contract) || data["sender"].get_string().get(sender) ||
        data["sender_role"].get_string().get(role) || role != "client") {
      return;
    }
    od::array labels;
    if (data["labels"].get_array().get(labels)) return;
    for (auto label : labels) {
      std::string_view text;
      if (!label.get_string().get(text) && text == "refund_for_review") {
        flags_[flag_key(contract, sender)] = time;
        return;
      }
    }
  }

  void on_feedback(std::string_view id, std::int64_t time, od::object data) {
    std::string_view contract, client, freelancer, direction;
    if (data["contract"].get_string().get(contract) || data["client"].get_string().get(client) ||
        data["freelancer"].get_string().get(freelancer) ||
        data["direction"].get_string().get(direction)) {
      return;
    }
    if (direction != "client_to_freelancer") return;
    std::int64_t rating = 0, score = 0;
    bool low =
        (!data["public_rating"].get_int64().get(rating) && rating <= kNegativePublicRating) ||
        (!data["private_score"].get_int64().get(score) && score <= kNegativePrivateScore);
    if (!low || !has_negative_reason(data)) return;
    if (excluded(time, contract, client)) return;
    std::string freelancer_id(freelancer);
    if (held_.count(freelancer_id)) return;
    auto& window = windows_[freelancer_id];
    while (!window.empty() && window.front().time <= time - kNegativeWindow) window.pop_front();
    window.push_back({time, std::string(client)});
    if (distinct_clients(window) < kMinClients) return;
    held_.insert(freelancer_id);
    holds_.push_back({freelancer_id, std::string(id)});
  }

  static bool has_negative_reason(od::object data) {
    od::array reasons;
    if (data["reasons"].get_array().get(reasons)) return false;
    for (auto reason : reasons) {
      std::string_view text;
      if (reason.get_string().get(text)) continue;
      if (text == "skills" || text == "experience" || text == "availability" ||
          text == "performance") {
        return true;
      }
    }
    return false;
  }

  // Rule 1's exclusions: a zero-dollar contract, feedback after the window, a flagged client.
  bool excluded(std::int64_t time, std::string_view contract, std::string_view client) {
    key_.assign(contract);
    auto close = closes_.find(key_);
    if (close != closes_.end() && close->second.time > time - kContractMemory) {
      if (close->second.earned == 0) return true;
      if (time > close->second.time + kFeedbackWindow) return true;
    }
    auto flag = flags_.find(flag_key(contract, client));
    return flag != flags_.end() && flag->second > time - kFlagMemory;
  }

  const std::string& flag_key(std::string_view contract, std::string_view sender) {
    key_.assign(contract);
    key_ += '\0';
    key_ += sender;
    return key_;
  }

  static std::size_t distinct_clients(const std::deque<Counted>& window) {
    std::size_t distinct = 0;
    for (std::size_t i = 0; i < window.size(); ++i) {
      bool first = true;
      for (std::size_t j = 0; j < i && first; ++j) first = window[j].client != window[i].client;
      distinct += first ? 1 : 0;
    }
    return distinct;
  }

  od::parser parser_;
  std::unordered_set<std::string> seen_;  // event ids, for duplicates
  std::unordered_map<std::string, Close> closes_;
  std::unordered_map<std::string, std::int64_t> flags_;
  std::unordered_map<std::string, std::deque<Counted>> windows_;
  std::unordered_set<std::string> held_;
  std::vector<Hold> holds_;
  std::string key_;
};

}  // namespace

int main(int argc, char** argv) {
  std::string input, holds_path;
  CLI::App app{"Rule 1 of the marketplace policy, hand-written: the baseline for bylaw r1",
               "bylaw-bench-r1"};
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::Throw);
  app.add_option("--input", input, "The event stream (JSON Lines)")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--holds", holds_path, "Where to write the holds: subject and trigger per line");
  if (auto exit = parse_command_line(app, argc, argv)) return *exit;

  auto start = std::chrono::steady_clock::now();
  std::FILE* in = std::fopen(input.c_str(), "rb");
  if (!in) return std::fprintf(stderr, "bylaw-bench-r1: cannot read %s\n", input.c_str()), 1;
  RuleOne rule;
  // Blocks of 1 MiB read into one buffer with simdjson's padding after them; a line cut by the
  // block's end moves to the front for the next read.
  constexpr std::size_t kBlock = 1 << 20;
  std::vector<char> buffer(2 * kBlock + simdjson::SIMDJSON_PADDING);
  std::size_t held = 0;
  for (;;) {
    std::size_t got = std::fread(buffer.data() + held, 1, kBlock, in);
    std::size_t size = held + got;
    const char* data = buffer.data();
    std::size_t at = 0;
    while (at < size) {
      const void* found = std::memchr(data + at, '\n', size - at);
      if (!found && got != 0) break;  // the rest of this line comes with the next block
      std::size_t end =
          found ? static_cast<std::size_t>(static_cast<const char*>(found) - data) : size;
      rule.line({data + at, end - at}, buffer.size() - at);
      at = end + 1;
    }
    if (got == 0) break;
    held = at < size ? size - at : 0;
    std::memmove(buffer.data(), data + at, held);
  }
  std::fclose(in);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!holds_path.empty()) {
    std::FILE* out = std::fopen(holds_path.c_str(), "w");
    if (!out)
      return std::fprintf(stderr, "bylaw-bench-r1: cannot write %s\n", holds_path.c_str()), 1;
    for (const auto& hold : rule.holds()) fmt::print(out, "{} {}\n", hold.subject, hold.trigger);
    std::fclose(out);
  }
  fmt::print("{{\"seconds\":{:.4f},\"holds\":{}}}\n", seconds, rule.holds().size());
  return 0;
}
