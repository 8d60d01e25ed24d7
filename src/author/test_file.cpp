// The test file parser: one statement per line, words separated by blanks; a "quoted string" or
// a [bracketed list] is one word, `#` starts a comment.
#include <fmt/format.h>

#include "bylaw/author/policy_test.hpp"
#include "unquote.hpp"

namespace bylaw::author {

namespace {

// The words of a line. Quotes are kept on a quoted word, so a value can tell "42" from 42.
std::vector<std::string> words_of(const std::string& line, std::string& error) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < line.size()) {
    char c = line[i];
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    if (c == '#') break;
    std::string word;
    int depth = 0;
    bool quoted = false;
    while (i < line.size()) {
      char d = line[i];
      if (quoted) {
        word += d;
        ++i;
        if (d == '\\' && i < line.size()) {
          word += line[i++];
        } else if (d == '"') {
          quoted = false;
        }
        continue;
      }
      if (depth == 0 && (d == ' ' || d == '\t' || d == '\r' || d == '#')) break;
      if (d == '"') quoted = true;
      if (d == '[') ++depth;
      if (d == ']') --depth;
      word += d;
      ++i;
    }
    if (quoted) {
      error = "a string that does not end on its line";
      return {};
    }
    if (depth != 0) {
      error = "a [list] that does not close on its line";
      return {};
    }
    words.push_back(std::move(word));
  }
  return words;
}

bool split_pair(const std::string& word, std::string& key, std::string& value) {
  std::size_t eq = word.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  key = word.substr(0, eq);
  value = word.substr(eq + 1);
  return true;
}

}  // namespace

std::optional<TestFile> parse_test_file(const std::string& path, const std::string& text,
                                        std::vector<std::string>& errors) {
  TestFile file;
  file.path = path;
  std::size_t errors_before = errors.size();
  TestCase* open = nullptr;
  std::uint32_t number = 0;
  auto error = [&](const std::string& message) {
    errors.push_back(fmt::format("{}:{}: {}", path, number, message));
  };
  std::size_t begin = 0;
  while (begin <= text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(begin, end - begin);
    begin = end + 1;
    ++number;
    std::string problem;
    std::vector<std::string> words = words_of(line, problem);
    if (!problem.empty()) {
      error(problem);
      continue;
    }
    if (words.empty()) {
      if (end == text.size()) break;
      continue;
    }
    const std::string& verb = words[0];
    if (verb == "policy") {
      if (words.size() != 2 || words[1].front() != '"') {
        error("expected: policy \"PATH\"");
      } else if (!file.policy.empty()) {
        error("a second `policy` line: a test file tests one pack");
      } else {
        file.policy = unquoted(words[1]);
      }
    } else if (verb == "test") {
      if (open)
        error(fmt::format("`test` inside the test of line {}: close it with `end`", open->line));
      if (words.size() != 2 || words[1].front() != '"') {
        error("expected: test \"WHAT IT SHOWS\"");
        continue;
      }
      file.cases.emplace_back();
      open = &file.cases.back();
      open->line = number;
      open->name = unquoted(words[1]);
    } else if (verb == "end") {
      if (!open) error("`end` without a `test`");
      open = nullptr;
    } else if (!open) {
      error(fmt::format("`{}` outside a test: expected `policy` or `test`", verb));
    } else if (verb == "start") {
      if (words.size() != 2) {
        error("expected: start TIME (RFC 3339, e.g. 2026-01-01T00:00:00Z)");
      } else {
        open->start = WrittenTime{words[1], number};
      }
    } else if (verb == "set") {
      // set NAME = VALUE: the value is the rest of the line, as the pack would write it.
      std::size_t eq = line.find('=');
      std::size_t hash = line.find('#');
      if (words.size() < 4 || words[2] != "=" || eq == std::string::npos) {
        error("expected: set NAME = VALUE");
        continue;
      }
      std::string value =
          line.substr(eq + 1, hash == std::string::npos ? std::string::npos : hash - eq - 1);
      value.erase(0, value.find_first_not_of(" \t"));
      value.erase(value.find_last_not_of(" \t\r") + 1);
      open->params.emplace_back(words[1], value);
    } else if (verb == "event") {
      if (words.size() < 3) {
        error("expected: event TIME TYPE [id=ID] FIELD=VALUE ...");
        continue;
      }
      EventSpec event;
      event.line = number;
      event.time = WrittenTime{words[1], number};
      event.type = words[2];
      for (std::size_t i = 3; i < words.size(); ++i) {
        std::string key, value;
        if (!split_pair(words[i], key, value)) {
          error(fmt::format("expected FIELD=VALUE, not '{}'", words[i]));
          continue;
        }
        if (key == "id") {
          event.id = unquoted(value);
        } else {
          event.fields.emplace_back(key, value);
        }
      }
      open->events.push_back(std::move(event));
    } else if (verb == "expect") {
      // expect KIND NAME on SUBJECT [at TIME] [key=value ...]
      if (words.size() < 5 || words[3] != "on") {
        error("expected: expect KIND NAME on SUBJECT [at TIME] [eligible=...] [reason=...] ...");
        continue;
      }
      Expectation e;
      e.line = number;
      e.kind = words[1];
      if (e.kind != "hold" && e.kind != "release" && e.kind != "alert" && e.kind != "eligibility") {
        error(
            fmt::format("unknown decision kind '{}': hold, release, alert or eligibility", e.kind));
        continue;
      }
      e.name = words[2];
      e.subject = unquoted(words[4]);
      std::size_t i = 5;
      if (i < words.size() && words[i] == "at") {
        if (i + 1 >= words.size()) {
          error("`at` needs a time");
          continue;
        }
        e.time = WrittenTime{words[i + 1], number};
        i += 2;
      }
      for (; i < words.size(); ++i) {
        std::string key, value;
        if (!split_pair(words[i], key, value)) {
          error(fmt::format("expected KEY=VALUE, not '{}'", words[i]));
          continue;
        }
        if (key == "trigger") {
          e.trigger = unquoted(value);
        } else if (key == "eligible" && (value == "true" || value == "false")) {
          e.eligible = value == "true";
        } else if (key == "reason") {
          e.reason = unquoted(value);
        } else if (key == "eligible_at") {
          e.eligible_at = WrittenTime{value, number};
        } else if (key == "appeal_eligible_at") {
          e.appeal_eligible_at = WrittenTime{value, number};
        } else {
          error(
              fmt::format("unknown expectation '{}': trigger, eligible (true or false), reason, "
                          "eligible_at or appeal_eligible_at",
                          words[i]));
        }
      }
      open->expectations.push_back(std::move(e));
    } else if (verb == "allow" && words.size() == 2 && words[1] == "others") {
      open->allow_others = true;
    } else {
      error(fmt::format("unknown statement '{}': start, set, event, expect, allow others or end",
                        verb));
    }
  }
  if (open) {
    errors.push_back(
        fmt::format("{}:{}: the test \"{}\" has no `end`", path, open->line, open->name));
  }
  if (file.policy.empty()) errors.push_back(fmt::format("{}:1: no `policy \"PATH\"` line", path));
  if (errors.size() > errors_before) return std::nullopt;
  return file;
}

}  // namespace bylaw::author
