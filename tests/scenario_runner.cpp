// Runs `bylaw run` on one scenario folder and checks what it wrote against hand-written
// expectations:
//   input.jsonl             the event stream
//   expected.jsonl          the decisions, in order: each line lists the fields that must match
//                           (objects match by subset, arrays element by element, "$absent":
//                           the field must not be there); no other decision may appear
//   expected_rejects.jsonl  the rejected lines, the same way (absent: no line may be rejected)
//   expected_summary.json   fields of the run's --summary-json (optional)
//   args                    extra arguments for bylaw run, one per line (optional)
//   pack.policy             the policy to run (optional; default policies/marketplace.policy)
//
// usage: bylaw_scenario BYLAW REPO_ROOT SCENARIO_DIR
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::vector<json> read_lines(const fs::path& path) {
  std::vector<json> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    out.push_back(json::parse(line));
  }
  return out;
}

// Whether `actual` has every field of `expected` with the same value.
bool matches(const json& expected, const json& actual, std::string& where) {
  if (expected.is_object()) {
    if (!actual.is_object()) return false;
    for (const auto& [key, value] : expected.items()) {
      if (value == "$absent") {
        if (actual.contains(key)) {
          where = key + " should be absent";
          return false;
        }
        continue;
      }
      if (!actual.contains(key)) {
        where = "missing field " + key;
        return false;
      }
      if (!matches(value, actual.at(key), where)) {
        where = key + (where.empty() ? "" : "." + where);
        return false;
      }
    }
    return true;
  }
  if (expected.is_array()) {
    if (!actual.is_array() || actual.size() != expected.size()) return false;
    for (std::size_t i = 0; i < expected.size(); ++i) {
      if (!matches(expected[i], actual[i], where)) {
        where = "[" + std::to_string(i) + "]" + where;
        return false;
      }
    }
    return true;
  }
  return expected == actual;
}

// Compares two lists in order; prints each difference.
bool compare(const std::string& what, const std::vector<json>& expected,
             const std::vector<json>& actual) {
  bool ok = true;
  std::size_t n = std::max(expected.size(), actual.size());
  for (std::size_t i = 0; i < n; ++i) {
    std::string where;
    if (i < expected.size() && i < actual.size() && matches(expected[i], actual[i], where))
      continue;
    ok = false;
    std::cerr << what << " #" << i + 1 << " differs" << (where.empty() ? "" : " at " + where)
              << "\n  expected: " << (i < expected.size() ? expected[i].dump() : "(nothing)")
              << "\n  actual:   ";
    if (i < actual.size()) {
      json shown = actual[i];
      shown.erase("explanation");
      std::cerr << shown.dump();
    } else {
      std::cerr << "(nothing)";
    }
    std::cerr << "\n";
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: bylaw_scenario BYLAW REPO_ROOT SCENARIO_DIR\n";
    return 2;
  }
  fs::path bylaw = argv[1];
  fs::path root = argv[2];
  fs::path dir = argv[3];
  fs::path work = fs::temp_directory_path() /
                  ("bylaw-scenario-" + dir.filename().string() + "-" + std::to_string(::getpid()));
  fs::create_directories(work);
  fs::path policy = fs::exists(dir / "pack.policy") ? dir / "pack.policy"
                                                    : root / "policies" / "marketplace.policy";
  std::ostringstream command;
  command << bylaw << " run --policy " << policy << " --input " << dir / "input.jsonl"
          << " --output " << work / "out.jsonl"
          << " --rejects " << work / "rejects.jsonl"
          << " --summary-json " << work / "summary.json";
  if (fs::exists(dir / "args")) {
    std::ifstream args(dir / "args");
    std::string arg;
    while (std::getline(args, arg)) {
      if (!arg.empty()) command << " " << arg;
    }
  }
  command << " 2> " << work / "stderr.txt";
  int status = std::system(command.str().c_str());
  if (status != 0) {
    std::cerr << "bylaw run failed (" << status << "): " << command.str() << "\n";
    std::ifstream err(work / "stderr.txt");
    std::cerr << err.rdbuf();
    return 1;
  }
  bool ok = compare("decision", read_lines(dir / "expected.jsonl"), read_lines(work / "out.jsonl"));
  std::vector<json> no_rejects;
  ok = compare("reject",
               fs::exists(dir / "expected_rejects.jsonl")
                   ? read_lines(dir / "expected_rejects.jsonl")
                   : no_rejects,
               read_lines(work / "rejects.jsonl")) &&
       ok;
  if (fs::exists(dir / "expected_summary.json")) {
    std::ifstream in(dir / "expected_summary.json");
    json expected = json::parse(in);
    std::ifstream actual_in(work / "summary.json");
    json actual = json::parse(actual_in);
    std::string where;
    if (!matches(expected, actual, where)) {
      std::cerr << "summary differs at " << where << "\n  expected: " << expected.dump()
                << "\n  actual:   " << actual.dump() << "\n";
      ok = false;
    }
  }
  if (ok) fs::remove_all(work);
  return ok ? 0 : 1;
}
