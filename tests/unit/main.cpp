// The unit tests' main. Every run hashes with a key made from a seed it prints: drawn at random
// unless BYLAW_HASH_SEED is set. Tables take a key's slot from its keyed hash, so a failure that
// depends on where keys fall can be repeated with the seed the failing run printed:
//   BYLAW_HASH_SEED=N build/test/tests/bylaw_unit_tests "name of the test"
// The key is made when the process starts (core/keyed_hash.cpp), before main: a run without a
// seed draws one and starts itself again with it in its environment.
#define CATCH_CONFIG_RUNNER
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include <catch2/catch.hpp>

int main(int argc, char** argv) {
  const char* given = std::getenv("BYLAW_HASH_SEED");
  if (given == nullptr || *given == '\0') {
    std::random_device source;
    std::string seed = std::to_string((std::uint64_t{source()} << 32) | source());
    setenv("BYLAW_HASH_SEED", seed.c_str(), 1);
    execv("/proc/self/exe", argv);
    std::perror("bylaw_unit_tests: cannot start again with BYLAW_HASH_SEED");  // then go on
  }
  std::fprintf(stderr, "unit tests: BYLAW_HASH_SEED=%s\n", std::getenv("BYLAW_HASH_SEED"));
  return Catch::Session().run(argc, argv);
}
