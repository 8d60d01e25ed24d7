// Fuzz target: a JSON Lines stream through the decoder, the deduplication, the engine under the
// marketplace policy and the decision encoder. Every line must be evaluated or rejected with a
// reason, and the counts must add up; never a crash, a hang or a sanitizer report. Each line is
// also decoded by the decoder's one-pass reader and by its reference reader, which must agree.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>

#include "bylaw/check/checker.hpp"
#include "bylaw/io/disk_files.hpp"
#include "bylaw/io/event_decoder.hpp"
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

bool same(const bylaw::io::DecodedLine& a, const bylaw::io::DecodedLine& b) {
  if (a.outcome != b.outcome || a.reason != b.reason || a.detail != b.detail || a.id != b.id ||
      a.type != b.type || bool(a.event) != bool(b.event)) {
    return false;
  }
  if (a.outcome != bylaw::io::LineOutcome::rejected && a.time != b.time) return false;
  if (a.duplicate_unchecked != b.duplicate_unchecked) return false;
  return !a.event || (a.event->fields == b.event->fields && a.event->time == b.event->time &&
                      a.event->id == b.event->id && a.event->type == b.event->type &&
                      a.event->sequence == b.event->sequence && a.event->line == b.event->line);
}

// The decoder's two readers of a parsed line agree on every line of the input: its id unused,
// used, and decoded ahead with the duplicate check left over.
void decode_both_ways(std::string_view input) {
  using bylaw::io::DecodePath;
  static bylaw::io::EventDecoder one_pass(marketplace().schema, false, DecodePath::one_pass);
  static bylaw::io::EventDecoder reference(marketplace().schema, false, DecodePath::reference);
  auto unused = [](const std::string&) { return false; };
  auto used = [](const std::string&) { return true; };
  while (!input.empty()) {
    std::size_t end = input.find('\n');
    std::string_view line = input.substr(0, end);
    if (!same(one_pass.decode(line, 7, 9, unused), reference.decode(line, 7, 9, unused)) ||
        !same(one_pass.decode(line, 7, 9, used), reference.decode(line, 7, 9, used)) ||
        !same(one_pass.decode_ahead(line, 7, 9), reference.decode_ahead(line, 7, 9))) {
      std::abort();  // the readers disagree on this line
    }
    input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  decode_both_ways(std::string_view(reinterpret_cast<const char*>(data), size));
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
