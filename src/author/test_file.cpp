// The test file parser: one statement per line, words separated by blanks; a "quoted string" or
// a [bracketed list] is one word, `#` starts a comment.
#include <algorithm>

#include <fmt/format.h>

#include "bylaw/author/policy_test.hpp"
#include "bylaw/core/suggest.hpp"
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

// Reads a test file line by line; one method per statement.
class TestFileParser {
 public:
  TestFileParser(const std::string& path, std::vector<std::string>& errors)
      : path_(path), errors_(errors) {
    file_.path = path;
  }

  std::optional<TestFile> parse(const std::string& text) {
    std::size_t errors_before = errors_.size();
    std::size_t begin = 0;
    while (begin <= text.size()) {
      std::size_t end = text.find('\n', begin);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(begin, end - begin);
      begin = end + 1;
      ++number_;
      std::string problem;
      std::vector<std::string> words = words_of(line, problem);
      if (!problem.empty()) {
        error(problem);
      } else if (!words.empty()) {
        statement(line, words);
      } else if (end == text.size()) {
        break;
      }
    }
    if (open_) {
      errors_.push_back(
          fmt::format("{}:{}: the test \"{}\" has no `end`", path_, open_->line, open_->name));
    }
    if (file_.policies.empty())
      errors_.push_back(fmt::format("{}:1: no `policy \"PATH\"` line", path_));
    if (errors_.size() > errors_before) return std::nullopt;
    return std::move(file_);
  }

 private:
  // Inside a test, a mistake fails that test alone; outside, the file.
  void error(const std::string& message) {
    std::string located = fmt::format("{}:{}: {}", path_, number_, message);
    if (open_) {
      open_->errors.push_back(std::move(located));
    } else {
      errors_.push_back(std::move(located));
    }
  }

  void statement(const std::string& line, const std::vector<std::string>& words) {
    const std::string& verb = words[0];
    if (verb == "policy") return policy(words);
    if (verb == "test") return test(words);
    if (verb == "end") return end();
    if (!open_) return error(fmt::format("`{}` outside a test: expected `policy` or `test`", verb));
    if (verb == "start") return start(words);
    if (verb == "set") return set(line, words);
    if (verb == "event") return event(words);
    if (verb == "expect") return expect(words);
    if (verb == "allow" && words.size() == 2 && words[1] == "others") {
      open_->allow_others = true;
      return;
    }
    error(fmt::format("unknown statement '{}': start, set, event, expect, allow others or end",
                      verb));
  }

  void policy(const std::vector<std::string>& words) {
    bool quoted = words.size() >= 2;
    for (std::size_t i = 1; i < words.size(); ++i) quoted = quoted && words[i].front() == '"';
    if (!quoted) {
      error("expected: policy \"PATH\" [\"PATH\" ...]");
    } else if (!file_.policies.empty()) {
      error("a second `policy` line: name every pack the tests run against on one line");
    } else {
      for (std::size_t i = 1; i < words.size(); ++i) file_.policies.push_back(unquoted(words[i]));
    }
  }

  void test(const std::vector<std::string>& words) {
    if (open_) {
      error(fmt::format("`test` inside the test of line {}: close it with `end`", open_->line));
    }
    if (words.size() != 2 || words[1].front() != '"')
      return error("expected: test \"WHAT IT SHOWS\"");
    file_.cases.emplace_back();
    open_ = &file_.cases.back();
    open_->line = number_;
    open_->name = unquoted(words[1]);
  }

  void end() {
    if (!open_) error("`end` without a `test`");
    open_ = nullptr;
  }

  void start(const std::vector<std::string>& words) {
    if (words.size() != 2)
      return error("expected: start TIME (RFC 3339, e.g. 2026-01-01T00:00:00Z)");
    open_->start = WrittenTime{words[1], number_};
  }

  // set NAME = VALUE: the value is the rest of the line, as the pack would write it.
  void set(const std::string& line, const std::vector<std::string>& words) {
    std::size_t eq = line.find('=');
    std::size_t hash = line.find('#');
    if (words.size() < 4 || words[2] != "=" || eq == std::string::npos) {
      return error("expected: set NAME = VALUE");
    }
    std::string value =
        line.substr(eq + 1, hash == std::string::npos ? std::string::npos : hash - eq - 1);
    value.erase(0, value.find_first_not_of(" \t"));
    value.erase(value.find_last_not_of(" \t\r") + 1);
    open_->params.push_back({words[1], value, number_});
  }

  void event(const std::vector<std::string>& words) {
    if (words.size() < 3) return error("expected: event TIME TYPE [id=ID] FIELD=VALUE ...");
    EventSpec event;
    event.line = number_;
    event.time = WrittenTime{words[1], number_};
    event.type = words[2];
    for (std::size_t i = 3; i < words.size(); ++i) {
      std::string key, value;
      if (!split_pair(words[i], key, value)) {
        error(fmt::format("expected FIELD=VALUE, not '{}'", words[i]));
      } else if (key == "id") {
        event.id = unquoted(value);
      } else {
        event.fields.emplace_back(key, value);
      }
    }
    open_->events.push_back(std::move(event));
  }

  // expect KIND NAME on SUBJECT [at TIME] [key=value ...]
  void expect(const std::vector<std::string>& words) {
    if (words.size() < 5 || words[3] != "on") {
      return error(
          "expected: expect KIND NAME on SUBJECT [at TIME] [eligible=...] [reason=...] ...");
    }
    Expectation e;
    e.line = number_;
    e.kind = words[1];
    if (e.kind != "hold" && e.kind != "release" && e.kind != "alert" && e.kind != "eligibility") {
      return error(
          fmt::format("unknown decision kind '{}': hold, release, alert or eligibility", e.kind));
    }
    e.name = words[2];
    e.subject = unquoted(words[4]);
    std::size_t i = 5;
    if (i < words.size() && words[i] == "at") {
      if (i + 1 >= words.size()) return error("`at` needs a time");
      e.time = WrittenTime{words[i + 1], number_};
      i += 2;
    }
    for (; i < words.size(); ++i) expectation_field(words[i], e);
    open_->expectations.push_back(std::move(e));
  }

  void expectation_field(const std::string& word, Expectation& e) {
    std::string key, value;
    if (!split_pair(word, key, value))
      return error(fmt::format("expected KEY=VALUE, not '{}'", word));
    if (key == "trigger") {
      e.trigger = unquoted(value);
    } else if (key == "eligible" && (value == "true" || value == "false")) {
      e.eligible = value == "true";
    } else if (key == "reason") {
      e.reason = unquoted(value);
    } else if (key == "eligible_at") {
      e.eligible_at = WrittenTime{value, number_};
    } else if (key == "appeal_eligible_at" && value == "none") {
      e.not_appealable = true;
    } else if (key == "appeal_eligible_at") {
      e.appeal_eligible_at = WrittenTime{value, number_};
    } else if (key == "expires_at") {
      e.expires_at = WrittenTime{value, number_};
    } else if (key == "severity" && (value == "low" || value == "medium" || value == "high")) {
      e.severity = value;
    } else if (key == "scope" || key == "evidence") {
      if (value.size() < 2 || value.front() != '[' || value.back() != ']') {
        return error(fmt::format("{}= takes a list such as [a,b] or []", key));
      }
      (key == "scope" ? e.scope : e.evidence) = list_items(value);
    } else if (key == "message" && value.size() >= 2 && value.front() == '"') {
      e.message = unquoted(value);
    } else {
      static const std::vector<std::string> kKeys = {
          "trigger",    "eligible", "reason", "eligible_at", "appeal_eligible_at",
          "expires_at", "severity", "scope",  "evidence",    "message"};
      if (std::find(kKeys.begin(), kKeys.end(), key) != kKeys.end()) {
        return error(fmt::format(
            "bad value in '{}': eligible takes true or false, appeal_eligible_at a time or none, "
            "severity low, medium or high, scope and evidence a [list], message a \"quoted "
            "string\"",
            word));
      }
      std::string hint = suggestion(key, kKeys);
      error(fmt::format(
          "unknown expectation '{}': {}trigger, eligible (true or false), reason, eligible_at, "
          "appeal_eligible_at (a time or none), expires_at, severity (low, medium or high), "
          "scope=[...], evidence=[...] or message=\"...\"",
          word, hint.empty() ? "" : hint + " Expected "));
    }
  }

  const std::string& path_;
  std::vector<std::string>& errors_;
  TestFile file_;
  TestCase* open_ = nullptr;  // the test being read, until its `end`
  std::uint32_t number_ = 0;  // the line being read
};

}  // namespace

std::optional<TestFile> parse_test_file(const std::string& path, const std::string& text,
                                        std::vector<std::string>& errors) {
  return TestFileParser(path, errors).parse(text);
}

}  // namespace bylaw::author
