// Fuzz target: a JSON Lines stream through the decoder, the deduplication, the engine under the
// marketplace policy and the decision encoder. Every line must be evaluated or rejected with a
// reason, and the counts must add up; never a crash, a hang or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "bylaw/check/checker.hpp"
#include "bylaw/io/disk_files.hpp"
#include "bylaw/io/stream_runner.hpp"

namespace {

const bylaw::check::Policy& marketplace() {
  static const bylaw::check::Policy policy = [] {
    bylaw::check::LoadResult loaded =
        bylaw::io::load_policy_file(std::string(BYLAW_SOURCE_DIR) + "/policies/marketplace.policy");
    if (!loaded.policy) std::abort();
    return std::move(*loaded.policy);
  }();
  return policy;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The first byte picks the allowed lateness, so that the buffered path is fuzzed too.
  bylaw::io::RunOptions options;
  if (size > 0 && (data[0] & 1)) options.max_lateness = bylaw::Duration{0, 3600LL * 1000 * 1000};
  std::istringstream input(std::string(reinterpret_cast<const char*>(data), size));
  std::ostringstream decisions;
  std::uint64_t rejected = 0;
  bylaw::io::RunCounts counts = bylaw::io::run_stream(
      marketplace(), input, decisions,
      [&rejected](std::uint64_t, std::string_view, std::string_view, std::string_view) {
        ++rejected;
      },
      options);
  if (counts.evaluated + counts.duplicates + counts.skipped + counts.late + counts.rejected !=
          counts.lines ||
      counts.late + counts.rejected != rejected) {
    std::abort();  // a line not accounted for
  }
  return 0;
}
