// Ids chosen to flood a hash table that uses an unkeyed hash: what someone who controls the ids a
// marketplace sends could do (issue 17). A table of 2^k slots indexed by the low k bits of
// std::hash (as bylaw's table of used ids was) puts every one of these ids in the same slot, so
// each insertion probes past all those before it.
//
// Found by trying ids in turn (std::hash has no secret), 2^bits tries per id on average: 10 bits
// take about a second for 200k ids.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace flood_ids {

// `count` ids "PREFIX<n>" whose std::hash agree in their low `bits` bits.
inline std::vector<std::string> colliding(std::size_t count, const std::string& prefix, int bits) {
  const std::uint64_t mask = (std::uint64_t{1} << bits) - 1;
  std::vector<std::string> ids;
  ids.reserve(count);
  std::string id = prefix + "0";
  while (ids.size() < count) {
    if ((std::hash<std::string_view>{}(id)&mask) == 0) ids.push_back(id);
    // The next number, in place: cheaper than formatting each.
    std::size_t at = id.size();
    while (at > prefix.size() && id[at - 1] == '9') id[--at] = '0';
    if (at == prefix.size()) {
      id.insert(at, 1, '1');
    } else {
      ++id[at - 1];
    }
  }
  return ids;
}

// `count` ids of the same form taken in order: what an honest stream looks like.
inline std::vector<std::string> ordinary(std::size_t count, const std::string& prefix) {
  std::vector<std::string> ids;
  ids.reserve(count);
  // Spaced out, so they are as long as the colliding ones.
  for (std::size_t n = 0; n < count; ++n) ids.push_back(prefix + std::to_string(n * 1021));
  return ids;
}

}  // namespace flood_ids
