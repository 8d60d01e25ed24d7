// The engine's state: holds, remembered decisions, `latest` indexes and aggregate windows.
// Everything is keyed (by account, contract, ...) and what leaves its window is shed. Keys come
// from the stream, so every table hashes them with the process's secret key (keyed_hash.hpp).
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <vector>

#include "bylaw/core/bytes.hpp"
#include "bylaw/core/keyed_map.hpp"
#include "bylaw/core/time.hpp"
#include "bylaw/core/value.hpp"
#include "bylaw/plan/plan.hpp"
#include "bylaw/runtime/event.hpp"
#include "packed_event.hpp"
#include "ring.hpp"
#include "touch_order.hpp"

namespace bylaw::runtime {

// The latest time among `items` (entries or records, each with a `time`), `none` when empty. Not
// simply the last one: a timer fires at its due time, which a `postpone ... until` may have put
// before the clock, so a rule it triggers can add an item older than those already kept.
template <class Items>
Time latest_time(const Items& items, Time none) {
  Time latest = none;
  for (const auto& item : items) latest = std::max(latest, item.time);
  return latest;
}

// A composite key built from values, unambiguous whatever the strings hold.
void append_key(std::string& key, const Value& value);
// The same for text that is not in a Value (an envelope id): keyed like the string Value.
void append_key(std::string& key, std::string_view text);

struct HoldState {
  bool active = false;
  Time placed_at;
  std::optional<Time> appeal_at;   // none: not appealable
  std::optional<Time> expires_at;  // none: lasts until released
  std::optional<Time> released_at;
  std::uint64_t generation = 0;  // a new one per placement, so old timers can tell they are stale
  std::vector<Time>
      fired_dues;  // appeal timers already fired for this placement: at most once each
  // The rule and action that placed it: the release at its expiry is theirs. By name, so a
  // checkpoint restored under a changed policy still says who placed it.
  std::string placed_by;
  std::uint32_t placed_by_action = 0;
};

class Holds {
 public:
  // Null when this hold was never placed on this subject.
  const HoldState* find(const std::string& subject, const std::string& name) const;
  HoldState& get(const std::string& subject, const std::string& name);
  std::size_t size() const;
  // Checkpoints (snapshot.cpp).
  void save(std::string& out) const;
  void restore(ByteReader& in);

 private:
  // By hold name, then subject: looked up with the strings at hand, no key built per lookup.
  KeyedMap<KeyedMap<HoldState>> holds_;
};

// An author's timer pending for one subject: one per name and subject, so scheduling it again
// moves it, and `cancel` removes it.
struct Scheduled {
  Time due;
  Time set_at;
  std::uint64_t order = 0;  // the order of its Timer: an older Timer for it is stale
};

class Schedules {
 public:
  const Scheduled* find(const std::string& name, const std::string& subject) const;
  void set(const std::string& name, const std::string& subject, Scheduled scheduled);
  void erase(const std::string& name, const std::string& subject);
  std::size_t size() const;
  // Checkpoints (snapshot.cpp).
  void save(std::string& out) const;
  void restore(ByteReader& in);

 private:
  KeyedMap<KeyedMap<Scheduled>> pending_;
};

struct DecisionRecord {
  Time time;
  std::optional<bool> eligible;  // eligibility answers only
  std::string trigger;           // the event id; empty for a timer
};

// Decisions an `earlier` may ask about, per plan::HistoryNeed, per subject.
class History {
 public:
  explicit History(const plan::Plan& plan);
  // Adds a record; past `cap` records for this subject the oldest goes, and this returns true.
  bool record(std::size_t need, const std::string& subject, DecisionRecord record, std::size_t cap);
  // Records after `since` (exclusive; none: all) that match `eligible` when it is set, into
  // `out` (cleared first; the caller keeps it, so its capacity is reused).
  void query(std::size_t need, const std::string& subject, std::optional<Time> since,
             std::optional<bool> eligible, std::vector<const DecisionRecord*>& out) const;
  // Forgets, for each need with a horizon, the subjects whose records are all older than it,
  // from the least recently recorded, stopping at the first subject with a record inside it
  // (TouchOrder). A subject kept sheds its old records at its next record.
  void sweep(Time now);
  std::size_t subjects() const;  // subjects with records kept, over every need
  // Checkpoints (snapshot.cpp): needs are saved by kind and name, and a restore keeps those the
  // plan still has (a policy may have changed since the save).
  void save(std::string& out) const;
  void restore(ByteReader& in, std::vector<std::string>& dropped);

 private:
  const plan::Plan& plan_;
  struct Kept;
  using Node = std::pair<const std::string, Kept>;
  struct Kept {
    // Oldest first. A vector, not a deque: most subjects have one or two records, and a deque
    // takes over 500 bytes for its first.
    std::vector<DecisionRecord> records;
    Node* older = nullptr;  // TouchOrder: subjects by their last record
    Node* newer = nullptr;
  };
  struct Need {
    KeyedMap<Kept> subjects;
    TouchOrder<Node> order;
  };
  // The horizon of a need, as the lower bound of what is kept at `now`; none: everything.
  std::optional<Time> lower_bound(std::size_t need, Time now) const;

  std::vector<Need> records_;  // by need
};

// The latest event per key for one `latest` of one rule. Events are kept packed: these indexes
// hold one event per contract (for as long as the run lasts, without `within`), and decoded
// events would make them most of the engine's memory.
class CorrelationIndex {
 public:
  // For a `latest ... within`: keeps its keys in time order too, so a sweep finds what expired
  // without visiting every key.
  void expire_by_time() { timed_ = true; }
  CorrelationIndex() = default;
  CorrelationIndex(const CorrelationIndex&) = delete;  // the list points into latest_'s nodes
  CorrelationIndex(CorrelationIndex&& other) noexcept = default;
  CorrelationIndex& operator=(const CorrelationIndex&) = delete;
  CorrelationIndex& operator=(CorrelationIndex&&) = delete;
  // Copies the key only when it is new; a replaced event's bytes are reused when they fit.
  void put(const std::string& key, const Event& event);
  // Unpacks the event under `key` into `into` and returns it; null when there is none.
  const Event* find(const std::string& key, UnpackedEvent& into) const;
  // Forgets every event at or before `lower` (a `latest ... within`'s horizon). Events are put
  // in time order (the engine evaluates in time order), so the oldest puts come first.
  void sweep(Time lower);
  std::size_t size() const { return latest_.size(); }
  // Checkpoints (snapshot.cpp); `into` null reads past what was saved.
  void save(std::string& out) const;
  static void restore(ByteReader& in, CorrelationIndex* into);

 private:
  struct Kept;
  using Node = std::pair<const std::string, Kept>;
  struct Kept {
    Time time;           // the event's, so a sweep need not unpack it
    std::string packed;  // the event
    // Timed indexes: the keys in the order they were last put (TouchOrder).
    Node* older = nullptr;
    Node* newer = nullptr;
  };

  KeyedMap<Kept> latest_;  // by key
  std::string packing_;    // scratch: the event being put, packed
  bool timed_ = false;
  TouchOrder<Node> order_;
};

// What a window keeps of an event: not the event itself, so windows cost memory by what they
// count, not by the size of the events.
struct AggregateEntry {
  std::string id;
  Time time;
  Value value;  // what count distinct counts, or what sum adds
  // The reason of the exclusion that left it out (owned by the policy); null when counted.
  const std::string* left_out_by = nullptr;
  // The event's fields its rule's `where` and `exclude` read, for traces: a varint bit mask of
  // field slots, then each value in slot order (core/bytes.hpp). Reused with the ring's slot.
  std::string reads;
};

using AggregateEntries = Ring<AggregateEntry>;

// How many counted entries of one key's window hold each value: a count distinct without a
// recount of the window. Values that drop to zero keep their slot until they outnumber the rest,
// so a window whose values come and go does not allocate for each.
class DistinctCounts {
 public:
  void add(const Value& value);
  void remove(const Value& value);
  std::size_t distinct() const { return distinct_; }

 private:
  KeyedMap<std::uint32_t> counts_;  // by the value's key (append_key)
  std::size_t distinct_ = 0;        // values counted more than zero times
};

// One key of one window: its entries, oldest first.
class WindowKey {
 public:
  // A count distinct keeps DistinctCounts for a key from this many entries on: below it, a
  // recount costs less than keeping them.
  static constexpr std::size_t kCountsFrom = 32;

  const AggregateEntries& entries() const { return entries_; }
  // Drops the entries at or before `lower` from the front, or the oldest one.
  void drop_until(Time lower);
  void drop_oldest();
  // The slot of a new entry, newest; once filled in, added() counts it.
  AggregateEntry& add() { return entries_.push_back(); }
  void added(bool count_distinct);
  // Recounts what added() keeps, after a restore.
  void reindex(bool count_distinct);
  // The number of counted entries (`distinct`: of different values among them) after `lower`,
  // when kept without a recount; none: count them (entries out of time order, or for a count
  // distinct, few entries or not a count distinct window).
  std::optional<std::int64_t> count_after(Time lower, bool distinct) const;

  // TouchOrder: keys by their last slide.
  std::pair<const std::string, WindowKey>* older = nullptr;
  std::pair<const std::string, WindowKey>* newer = nullptr;

 private:
  void forget(const AggregateEntry& entry);

  AggregateEntries entries_;
  std::size_t counted_ = 0;  // entries not left out
  std::unique_ptr<DistinctCounts> distinct_;
  // False once an entry older than the one before it was added (a timer due before the clock,
  // which a `postpone` to a past date set until 2026-12-04 and a checkpoint from then may still
  // hold): an entry at or before `lower` may then sit behind the front, where only a recount
  // skips it.
  bool in_time_order_ = true;
};

// One aggregate of one rule: per key, its events in time order, oldest first.
class AggregateWindow {
 public:
  AggregateWindow() = default;
  AggregateWindow(const AggregateWindow&) = delete;  // the order points into entries_'s nodes
  AggregateWindow(AggregateWindow&& other) noexcept = default;
  AggregateWindow& operator=(const AggregateWindow&) = delete;
  AggregateWindow& operator=(AggregateWindow&&) = delete;
  // For a `count distinct`: keys keep DistinctCounts (WindowKey::kCountsFrom).
  void count_distinct() { count_distinct_ = true; }
  bool counts_distinct() const { return count_distinct_; }
  // This key, after dropping its entries at or before `lower` (out of the window). The caller
  // adds the new entry.
  WindowKey& slide(const std::string& key, Time lower);
  const AggregateEntries* find(const std::string& key) const;
  // Drops the keys whose every entry is at or before `lower`, from the least recently slid,
  // stopping at the first key with an entry after `lower` (TouchOrder). A key kept keeps its
  // older entries until its next slide: lookups skip them, and a slide drops them.
  void sweep(Time lower);
  std::size_t keys() const { return entries_.size(); }
  std::size_t entries() const;
  // Checkpoints (snapshot.cpp). An entry's left-out reason is saved as text; `reason_of` gives
  // the restored policy's copy of it. `into` null reads past what was saved.
  void save(std::string& out) const;
  using ReasonOf = std::function<const std::string*(std::string_view reason)>;
  static void restore(ByteReader& in, AggregateWindow* into, const ReasonOf& reason_of);

 private:
  using Node = std::pair<const std::string, WindowKey>;

  KeyedMap<WindowKey> entries_;
  TouchOrder<Node> order_;
  bool count_distinct_ = false;
};

// What a timer does when it comes due.
enum class TimerKind : std::uint8_t {
  appeal_due,  // raise hold.appeal_due for the rules: the hold's appeal window opens
  expiry,      // release the hold: it was placed to last a while
  scheduled,   // an author's timer (`schedule`): raise it for the rules `on timer` it
};

// A timer per hold placement and appeal_eligible_at value, per expiring placement, and per
// `schedule`.
struct Timer {
  Time due;
  std::uint64_t order = 0;  // creation order: ties in `due` fire in the order they were set
  std::string subject;
  std::string hold;              // the hold; for a scheduled timer, the timer's name
  std::uint64_t generation = 0;  // a scheduled timer: its `order` (Scheduled::order)
  TimerKind kind = TimerKind::appeal_due;
};

struct TimerLater {
  bool operator()(const Timer& a, const Timer& b) const {
    return a.due != b.due ? a.due > b.due : a.order > b.order;
  }
};

using TimerQueue = std::priority_queue<Timer, std::vector<Timer>, TimerLater>;

}  // namespace bylaw::runtime
