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
  Need& n = records_[need];
  auto [it, fresh] = n.subjects.try_emplace(subject);
  n.order.touch(*it, fresh);  // records come in time order: this subject is now the newest
  auto& records = it->second.records;
  if (auto lower = lower_bound(need, record.time)) {
    auto kept = std::find_if(records.begin(), records.end(),
                             [lower](const DecisionRecord& r) { return r.time > *lower; });
    records.erase(records.begin(), kept);
  }
  bool capped = records.size() >= cap;
  // A vector's front erase moves the rest: at a cap of ~1000 short records, rare and cheap.
  if (capped) records.erase(records.begin());
  records.push_back(std::move(record));
  return capped;
}

void History::query(std::size_t need, const std::string& subject, std::optional<Time> since,
                    std::optional<bool> eligible, std::vector<const DecisionRecord*>& out) const {
  out.clear();
  const auto& subjects = records_[need].subjects;
  auto it = subjects.find(subject);
  if (it == subjects.end()) return;
  for (const auto& record : it->second.records) {
    if (since && record.time <= *since) continue;
    if (eligible && record.eligible != eligible) continue;
    out.push_back(&record);
  }
}

std::optional<Time> History::lower_bound(std::size_t need, Time now) const {
  const auto& horizon = plan_.histories[need].horizon;
  if (!horizon) return std::nullopt;  // some query looks at the whole history
  return subtract(now, *horizon);
}

void History::sweep(Time now) {
  for (std::size_t i = 0; i < records_.size(); ++i) {
    std::optional<Time> lower = lower_bound(i, now);
    if (!lower) continue;
    Need& need = records_[i];
    while (Node* oldest = need.order.oldest()) {
      if (latest_time(oldest->second.records, *lower) > *lower) break;
      need.order.unlink(*oldest);
      need.subjects.erase(oldest->first);
    }
  }
}

void CorrelationIndex::put(const std::string& key, const Event& event) {
  pack_event(event, packing_);
  auto [it, fresh] = latest_.try_emplace(key);  // one lookup; key copied if new
  Kept& kept = it->second;
  kept.time = event.time;
  // Put in time order (the engine evaluates in time order): it is now the newest.
  if (timed_) order_.touch(*it, fresh);
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
  for (const auto& need : records_) n += need.subjects.size();
  return n;
}

void CorrelationIndex::sweep(Time lower) {
  while (Node* oldest = order_.oldest()) {
    if (oldest->second.time > lower) break;
    order_.unlink(*oldest);
    latest_.erase(oldest->first);
  }
}

namespace {

// The key of a value in DistinctCounts; one buffer, reused (evaluation is single-threaded).
const std::string& value_key(const Value& value) {
  thread_local std::string key;
  key.clear();
  append_key(key, value);
  return key;
}

}  // namespace

void DistinctCounts::add(const Value& value) {
  auto [it, fresh] = counts_.try_emplace(value_key(value), 0);
  if (it->second++ == 0) ++distinct_;
}

void DistinctCounts::remove(const Value& value) {
  auto it = counts_.find(value_key(value));
  if (it == counts_.end() || it->second == 0) return;  // not counted: cannot happen
  if (--it->second > 0) return;
  --distinct_;
  if (counts_.size() <= 2 * distinct_ + 8) return;
  // Zeros outnumber the values counted: forget them, so memory follows what is in the window.
  // A new table, so that the slots and nodes of the zeros are given back too.
  KeyedMap<std::uint32_t> counted;
  for (const auto& [key, count] : counts_) {
    if (count > 0) counted.try_emplace(key, count);
  }
  counts_ = std::move(counted);
}

void WindowKey::forget(const AggregateEntry& entry) {
  if (entry.left_out_by) return;
  --counted_;
  if (distinct_) distinct_->remove(entry.value);
}

void WindowKey::drop_until(Time lower) {
  while (!entries_.empty() && entries_.front().time <= lower) drop_oldest();
}

void WindowKey::drop_oldest() {
  forget(entries_.front());
  entries_.pop_front();
  if (entries_.empty()) {
    distinct_.reset();
    in_time_order_ = true;
  }
}

void WindowKey::added(bool count_distinct) {
  const AggregateEntry& entry = entries_.back();
  if (entries_.size() >= 2 && entry.time < entries_[entries_.size() - 2].time) {
    in_time_order_ = false;
  }
  if (!entry.left_out_by) ++counted_;
  if (distinct_) {
    if (!entry.left_out_by) distinct_->add(entry.value);
  } else if (count_distinct && entries_.size() >= kCountsFrom) {
    reindex(count_distinct);
  }
}

void WindowKey::reindex(bool count_distinct) {
  distinct_.reset();
  in_time_order_ = true;
  counted_ = 0;
  const AggregateEntry* before = nullptr;
  for (const auto& entry : entries_) {
    if (before && entry.time < before->time) in_time_order_ = false;
    before = &entry;
    if (!entry.left_out_by) ++counted_;
  }
  if (!count_distinct || entries_.size() < kCountsFrom) return;
  distinct_ = std::make_unique<DistinctCounts>();
  for (const auto& entry : entries_) {
    if (!entry.left_out_by) distinct_->add(entry.value);
  }
}

std::optional<std::int64_t> WindowKey::count_after(Time lower, bool distinct) const {
  if (!in_time_order_ || (distinct && !distinct_)) return std::nullopt;
  // In time order, so the front is the oldest: nothing at or before `lower` is left behind it.
  if (!entries_.empty() && entries_.front().time <= lower) return std::nullopt;
  return static_cast<std::int64_t>(distinct ? distinct_->distinct() : counted_);
}

WindowKey& AggregateWindow::slide(const std::string& key, Time lower) {
  auto [it, fresh] = entries_.try_emplace(key);
  // The caller adds an entry at the event's time, the latest yet: the key is now the newest.
  order_.touch(*it, fresh);
  it->second.drop_until(lower);
  return it->second;
}

const AggregateEntries* AggregateWindow::find(const std::string& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second.entries();
}

std::size_t AggregateWindow::entries() const {
  std::size_t total = 0;
  for (const auto& [key, keyed] : entries_) total += keyed.entries().size();
  return total;
}

void AggregateWindow::sweep(Time lower) {
  while (Node* oldest = order_.oldest()) {
    if (latest_time(oldest->second.entries(), lower) > lower) break;
    order_.unlink(*oldest);
    entries_.erase(oldest->first);
  }
}

}  // namespace bylaw::runtime
