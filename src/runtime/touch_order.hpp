// The keys of a node-based map in the order they were last touched, oldest first, linked through
// the map's own nodes (which stay where they are as the map grows): no allocation of its own.
// State touched in event time order is then also in time order, so a sweep finds what expired
// by looking at the oldest keys only, at a cost that grows with what expired, not with every key
// the map holds: the cost per event does not grow with the population.
#pragma once

#include <algorithm>
#include <tuple>
#include <utility>
#include <vector>

namespace bylaw::runtime {

// `Node` is the map's value_type; its `second` has `Node* older` and `Node* newer`.
template <class Node>
class TouchOrder {
 public:
  TouchOrder() = default;
  TouchOrder(const TouchOrder&) = delete;
  TouchOrder& operator=(const TouchOrder&) = delete;
  // With the map it links: nodes stay where they are when a KeyedMap moves.
  TouchOrder(TouchOrder&& other) noexcept
      : oldest_(std::exchange(other.oldest_, nullptr)),
        newest_(std::exchange(other.newest_, nullptr)) {}
  TouchOrder& operator=(TouchOrder&&) = delete;

  Node* oldest() const { return oldest_; }
  // `node` becomes the newest; `fresh`: it was not linked yet.
  void touch(Node& node, bool fresh) {
    if (!fresh) unlink(node);
    append(node);
  }
  // Before the node leaves the map.
  void unlink(Node& node) {
    auto& links = node.second;
    (links.older ? links.older->second.newer : oldest_) = links.newer;
    (links.newer ? links.newer->second.older : newest_) = links.older;
    links.older = links.newer = nullptr;
  }
  void append(Node& node) {
    node.second.older = newest_;
    node.second.newer = nullptr;
    (newest_ ? newest_->second.newer : oldest_) = &node;
    newest_ = &node;
  }
  void clear() { oldest_ = newest_ = nullptr; }

  // Relinks every node of `map` (after a restore): by `newest(node)`, the time each was last
  // touched at, ties by key, so a restored run sweeps as the unbroken one did.
  template <class Map, class NewestOf>
  void rebuild(Map& map, const NewestOf& newest) {
    std::vector<Node*> nodes;
    nodes.reserve(map.size());
    for (auto& node : map) nodes.push_back(&node);
    std::sort(nodes.begin(), nodes.end(), [&newest](const Node* a, const Node* b) {
      auto at = newest(*a), bt = newest(*b);
      return std::tie(at, a->first) < std::tie(bt, b->first);
    });
    clear();
    for (Node* node : nodes) append(*node);
  }

 private:
  Node* oldest_ = nullptr;
  Node* newest_ = nullptr;
};

}  // namespace bylaw::runtime
