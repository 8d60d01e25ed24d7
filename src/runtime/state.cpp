#include "state.hpp"

#include <algorithm>

#include <cmath>
#include <utility>

#include <fmt/format.h>

namespace bylaw::runtime {

namespace {

// The tag of a string in a key: the same whether the text came as a Value or as a view.
const char kTextTag = static_cast<char>('a' + Value(std::string()).index());

void append_text(std::string& key, std::string_view text) {
  key += std::to_string(text.size());
  key += ':';
  key += text;
}

}  // namespace

void append_key(std::string& key, std::string_view text) {
  key += kTextTag;
  append_text(key, text);
  key += ';';
}

void append_key(std::string& key, const Value& value) {
  // An integral number is keyed like the int it equals, so 3 and 3.0 find each other.
  if (const auto* d = std::get_if<double>(&value);
      d && std::trunc(*d) == *d && std::fabs(*d) < 9.0e18) {
    append_key(key, Value(static_cast<std::int64_t>(*d)));
    return;
  }
  // A tag per alternative, then the value; strings are length-prefixed.
  key += static_cast<char>('a' + value.index());
  std::visit(
      [&key](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          append_text(key, v);
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          key += std::to_string(v);
        } else if constexpr (std::is_same_v<T, bool>) {
          key += v ? '1' : '0';
        } else if constexpr (std::is_same_v<T, double>) {
          key += fmt::format("{}", v);
        } else if constexpr (std::is_same_v<T, Time>) {
          key += std::to_string(v.micros);
        } else if constexpr (std::is_same_v<T, Duration>) {
          key += fmt::format("{}/{}", v.months, v.micros);
        } else if constexpr (std::is_same_v<T, EnumValue>) {
          key += std::to_string(v.index);
        } else if constexpr (std::is_same_v<T, StringSet>) {
          for (const auto& item : v.items) append_text(key, item);
        }
      },
      value);
  key += ';';
}

const HoldState* Holds::find(const std::string& subject, const std::string& name) const {
  auto by_subject = holds_.find(name);
  if (by_subject == holds_.end()) return nullptr;
  auto it = by_subject->second.find(subject);
  return it == by_subject->second.end() ? nullptr : &it->second;
}

HoldState& Holds::get(const std::string& subject, const std::string& name) {
  return holds_[name][subject];
}

std::size_t Holds::size() const {
  std::size_t total = 0;
  for (const auto& [name, by_subject] : holds_) total += by_subject.size();
  return total;
}

const Scheduled* Schedules::find(const std::string& name, const std::string& subject) const {
  auto by_subject = pending_.find(name);
  if (by_subject == pending_.end()) return nullptr;
  auto it = by_subject->second.find(subject);
  return it == by_subject->second.end() ? nullptr : &it->second;
}

void Schedules::set(const std::string& name, const std::string& subject, Scheduled scheduled) {
  pending_[name][subject] = scheduled;
}

void Schedules::erase(const std::string& name, const std::string& subject) {
  auto by_subject = pending_.find(name);
  if (by_subject == pending_.end()) return;
  by_subject->second.erase(subject);
  if (by_subject->second.empty()) pending_.erase(by_subject);
}

std::size_t Schedules::size() const {
  std::size_t total = 0;
  for (const auto& [name, by_subject] : pending_) total += by_subject.size();
  return total;
}

History::History(const plan::Plan& plan) : plan_(plan), records_(plan.histories.size()) {}

bool History::record(std::size_t need, const std::string& subject, DecisionRecord record,
                     std::size_t cap) {
  auto& records = records_[need][subject];
  bool capped = records.size() >= cap;
  // A vector's front erase moves the rest: at a cap of ~1000 short records, rare and cheap.
  if (capped) records.erase(records.begin());
  records.push_back(std::move(record));
  return capped;
}

void History::query(std::size_t need, const std::string& subject, std::optional<Time> since,
                    std::optional<bool> eligible, std::vector<const DecisionRecord*>& out) const {
  out.clear();
  const auto& by_subject = records_[need];
  auto it = by_subject.find(subject);
  if (it == by_subject.end()) return;
  for (const auto& record : it->second) {
    if (since && record.time <= *since) continue;
    if (eligible && record.eligible != eligible) continue;
    out.push_back(&record);
  }
}

void History::sweep(Time now) {
  for (std::size_t i = 0; i < records_.size(); ++i) {
    const auto& horizon = plan_.histories[i].horizon;
    if (!horizon) continue;  // some query looks at the whole history
    Time lower = subtract(now, *horizon);
    auto& by_subject = records_[i];
    for (auto it = by_subject.begin(); it != by_subject.end();) {
      auto& records = it->second;
      auto kept = std::find_if(records.begin(), records.end(),
                               [lower](const DecisionRecord& r) { return r.time > lower; });
      records.erase(records.begin(), kept);
      it = records.empty() ? by_subject.erase(it) : std::next(it);
    }
  }
}

void CorrelationIndex::put(const std::string& key, const Event& event) {
  pack_event(event, packing_);
  auto [it, fresh] = latest_.try_emplace(key);  // one lookup; key copied if new
  Kept& kept = it->second;
  kept.time = event.time;
  if (timed_) {  // put in time order (the engine evaluates in time order): it is now the newest
    if (!fresh) unlink(*it);
    append(*it);
  }
  std::string& stored = kept.packed;
  if (stored.capacity() < packing_.size()) {
    // Sized to fit with some room, as later events under this key are about as long: ids,
    // sequence and line numbers grow a byte now and then. Growing in place would double it.
    constexpr std::size_t kRoom = 16;
    std::string fitted;
    fitted.reserve(packing_.size() + kRoom);
    stored.swap(fitted);
  }
  stored.assign(packing_);
}

const Event* CorrelationIndex::find(const std::string& key, UnpackedEvent& into) const {
  auto it = latest_.find(key);
  if (it == latest_.end()) return nullptr;
  unpack_event(it->second.packed, into);
  return &into.event;
}

std::size_t History::subjects() const {
  std::size_t n = 0;
  for (const auto& need : records_) n += need.size();
  return n;
}

CorrelationIndex::CorrelationIndex(CorrelationIndex&& other) noexcept
    : latest_(std::move(other.latest_)),
      packing_(std::move(other.packing_)),
      timed_(other.timed_),
      oldest_(std::exchange(other.oldest_, nullptr)),
      newest_(std::exchange(other.newest_, nullptr)) {}  // nodes move with the map

void CorrelationIndex::unlink(Node& node) {
  Kept& kept = node.second;
  (kept.older ? kept.older->second.newer : oldest_) = kept.newer;
  (kept.newer ? kept.newer->second.older : newest_) = kept.older;
  kept.older = kept.newer = nullptr;
}

void CorrelationIndex::append(Node& node) {
  node.second.older = newest_;
  node.second.newer = nullptr;
  (newest_ ? newest_->second.newer : oldest_) = &node;
  newest_ = &node;
}

void CorrelationIndex::sweep(Time lower) {
  while (oldest_ && oldest_->second.time <= lower) {
    Node& node = *oldest_;
    unlink(node);
    latest_.erase(node.first);
  }
}

AggregateEntries& AggregateWindow::slide(const std::string& key, Time lower) {
  auto& entries = entries_[key];
  while (!entries.empty() && entries.front().time <= lower) entries.pop_front();
  return entries;
}

const AggregateEntries* AggregateWindow::find(const std::string& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

std::size_t AggregateWindow::entries() const {
  std::size_t total = 0;
  for (const auto& [key, entries] : entries_) total += entries.size();
  return total;
}

void AggregateWindow::sweep(Time lower) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    auto& entries = it->second;
    while (!entries.empty() && entries.front().time <= lower) entries.pop_front();
    it = entries.empty() ? entries_.erase(it) : std::next(it);
  }
}

}  // namespace bylaw::runtime
