#include <string>

#include <catch2/catch.hpp>

#include "bylaw/runtime/event.hpp"

using bylaw::runtime::Event;
using bylaw::runtime::EventPool;
using bylaw::runtime::EventPtr;

TEST_CASE("an event goes back to its pool when its last reference goes", "[runtime][events]") {
  EventPool pool;
  Event* first = pool.acquire();
  first->id = "e-1";
  const Event* second = nullptr;
  {
    EventPtr a(first);
    EventPtr b = a;  // two references
    a.reset();
    // b still holds it: the pool hands out another event, not this one.
    EventPtr other(pool.acquire());
    second = other.get();
    CHECK(second != first);
    CHECK(b->id == "e-1");
  }
  // Both came back: the next acquires reuse them, with what the last events left in them.
  EventPtr x(pool.acquire());
  EventPtr y(pool.acquire());
  CHECK(((x.get() == first && y.get() == second) || (x.get() == second && y.get() == first)));
  CHECK(first->id == "e-1");
  CHECK(pool.allocated() == 2);
}

TEST_CASE("a copied event is a new, unshared event", "[runtime][events]") {
  EventPool pool;
  EventPtr pooled(pool.acquire());
  Event copy = *pooled;  // copies the data, not the reference count or the pool
  EventPtr shared = bylaw::runtime::share(std::move(copy));
  shared.reset();  // deleted, not given to the pool: the pool has nothing to hand out
  Event* fresh = pool.acquire();
  CHECK(pool.allocated() == 2);
  const Event* first = pooled.get();
  pooled.reset();  // back to the pool, which hands it out next
  CHECK(pool.acquire() == first);
  CHECK(pool.allocated() == 2);
  EventPtr release_fresh(fresh);
}

TEST_CASE("events may outlive their pool", "[runtime][events]") {
  EventPtr survivor;
  {
    EventPool pool;
    Event* event = pool.acquire();
    event->id = "kept";
    survivor = EventPtr(event);
    EventPtr idle(pool.acquire());  // back in the pool before it goes: the pool deletes it
  }
  CHECK(survivor->id == "kept");
  survivor.reset();  // deleted by its last reference (checked under valgrind/ASan)
}
