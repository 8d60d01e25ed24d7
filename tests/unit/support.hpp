// Helpers for tests that need a checked policy: load one from in-memory files.
#pragma once

#include <map>
#include <string>

#include <catch2/catch.hpp>

#include "bylaw/check/checker.hpp"

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

}  // namespace bylaw::testing
