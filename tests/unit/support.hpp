// Helpers for tests that need a checked policy: load one from in-memory files, or one of the
// packs the project ships.
#pragma once

#include <map>
#include <string>

#include <catch2/catch.hpp>

#include "bylaw/check/checker.hpp"
#include "bylaw/io/disk_files.hpp"

namespace bylaw::testing {

inline check::LoadResult load_pack(const std::map<std::string, std::string>& files) {
  auto reader = [files](const std::string& path, std::string& error) -> std::optional<std::string> {
    auto it = files.find(path);
    if (it == files.end()) {
      error = "No such file or directory";
      return std::nullopt;
    }
    return it->second;
  };
  return check::load_policy("pack.policy", check::FileFunction(reader));
}

// A policy of one rule file under a minimal pack; fails the test when it does not check.
inline check::Policy policy_of(const std::string& rules, const std::string& pack_body = "") {
  check::LoadResult result =
      load_pack({{"pack.policy",
                  "policy test version \"1\" {\n  use \"rules.rules\"\n" + pack_body + "\n}\n"},
                 {"rules.rules", rules}});
  INFO(result.render());
  REQUIRE(result.policy.has_value());
  return std::move(*result.policy);
}

// A pack under policies/ ("marketplace.policy"), loaded once per test process; fails the test
// when it does not check.
inline const check::Policy& shipped_policy(const std::string& file) {
  static std::map<std::string, check::Policy> loaded;
  auto it = loaded.find(file);
  if (it != loaded.end()) return it->second;
  check::LoadResult result =
      io::load_policy_file(std::string(BYLAW_SOURCE_DIR) + "/policies/" + file);
  INFO(result.render());
  REQUIRE(result.policy.has_value());
  return loaded.emplace(file, std::move(*result.policy)).first->second;
}

}  // namespace bylaw::testing
