// Fuzz target: policy text through the whole front end (parser, checker, planner), and a policy
// that checks through the engine on a few events. Any input must end in diagnostics or a policy;
// never a crash, a hang or a sanitizer report.
//
// The input is a rule file, used by a fixed pack beside the real event schema; an input that
// starts with `policy` is the pack itself, which may use any shipped rule file.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "bylaw/check/checker.hpp"
#include "bylaw/io/stream_runner.hpp"
#include "bylaw/plan/plan.hpp"

namespace {

std::string read_source_file(const std::string& relative) {
  std::ifstream in(std::string(BYLAW_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

const std::map<std::string, std::string>& shipped_rules() {
  static const std::map<std::string, std::string> files = [] {
    std::map<std::string, std::string> out;
    for (const char* name :
         {"events", "holds", "feedback", "manipulation", "cancellations", "disputes"}) {
      out[std::string(name) + ".rules"] = read_source_file(std::string("rules/") + name + ".rules");
    }
    return out;
  }();
  return files;
}

// The first lines of the sample stream: enough for most rules to see an event of their type.
const std::string& sample_events() {
  static const std::string events = [] {
    std::ifstream in(std::string(BYLAW_SOURCE_DIR) + "/examples/marketplace.jsonl");
    std::string out, line;
    for (int i = 0; i < 60 && std::getline(in, line); ++i) out += line + "\n";
    return out;
  }();
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  std::map<std::string, std::string> files = shipped_rules();
  bool is_pack = input.rfind("policy", 0) == 0;
  files["fuzz.policy"] = is_pack ? input
                                 : "policy fuzz version \"1\" {\n  use \"events.rules\", "
                                   "\"fuzz.rules\"\n}\n";
  if (!is_pack) files["fuzz.rules"] = input;
  auto reader = [&files](const std::string& path,
                         std::string& error) -> std::optional<std::string> {
    // By file name: the shipped pack uses "../rules/x.rules".
    auto it = files.find(path.substr(path.find_last_of('/') + 1));
    if (it == files.end()) {
      error = "No such file or directory";
      return std::nullopt;
    }
    return it->second;
  };
  bylaw::check::LoadResult loaded =
      bylaw::check::load_policy("fuzz.policy", bylaw::check::FileFunction(reader));
  std::string rendered = loaded.render();  // rendering must hold up as well
  if (!loaded.policy) return 0;

  std::istringstream events(sample_events());
  std::ostringstream decisions;
  bylaw::io::RunOptions options;
  bylaw::io::run_stream(
      *loaded.policy, events, decisions,
      [](std::uint64_t, std::string_view, std::string_view, std::string_view) {}, options);
  return 0;
}
