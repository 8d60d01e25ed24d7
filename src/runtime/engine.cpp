#include "bylaw/runtime/engine.hpp"

#include "engine_impl.hpp"

namespace bylaw::runtime {

Engine::Engine(const check::Policy& policy, EngineOptions options, DecisionSink& sink)
    : impl_(std::make_unique<Impl>(policy, options, sink)) {}

Engine::~Engine() = default;

bool Engine::is_late(Time time) const {
  return impl_->clock && time < subtract(*impl_->clock, impl_->options.max_lateness);
}

void Engine::push(EventPtr event) {
  if (!impl_->clock || event->time > *impl_->clock) impl_->clock = event->time;
  impl_->buffer.push(std::move(event));
  impl_->release(subtract(*impl_->clock, impl_->options.max_lateness));
}

void Engine::finish() {
  while (!impl_->buffer.empty()) {
    EventPtr event = impl_->buffer.top();
    impl_->buffer.pop();
    impl_->evaluate(event);
  }
}

const EngineStats& Engine::stats() const {
  return impl_->state.stats;
}

std::optional<Time> Engine::clock() const {
  return impl_->clock;
}

StateSize Engine::state_size() const {
  StateSize size;
  for (const auto& windows : impl_->state.aggregates) {
    for (const auto& window : windows) {
      size.aggregate_keys += window.keys();
      size.aggregate_entries += window.entries();
    }
  }
  for (const auto& indexes : impl_->state.correlations) {
    for (const auto& index : indexes) size.correlation_keys += index.size();
  }
  size.history_subjects = impl_->state.history.subjects();
  size.holds = impl_->state.holds.size();
  size.timers = impl_->state.timers.size();
  size.buffered = impl_->buffer.size();
  return size;
}

}  // namespace bylaw::runtime
