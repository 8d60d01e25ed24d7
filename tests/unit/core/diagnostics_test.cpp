#include <catch2/catch.hpp>

#include "bylaw/core/diagnostics.hpp"

using namespace bylaw;

TEST_CASE("a diagnostic shows file - line - column - the line - a caret and what was expected",
          "[core][diagnostics]") {
  SourceSet sources;
  FileId file = sources.add("rules/x.rules", "rule r {\n  on a.b ax e\n}\n");
  Diagnostics diagnostics;
  diagnostics.error(Span{file, 18, 20}, "unexpected 'ax'", "'as'");
  CHECK(diagnostics.render(sources) ==
        "rules/x.rules:2:10: error: unexpected 'ax'\n"
        " 2 |   on a.b ax e\n"
        "   |          ^~\n"
        "   = expected: 'as'\n");
}

TEST_CASE("columns count characters - not bytes - and tabs keep their place",
          "[core][diagnostics]") {
  SourceSet sources;
  FileId file = sources.add("x", "\tsay \"caf\xC3\xA9\" x\n");
  CHECK(sources.file(file).position(12).column == 12);  // after the two-byte é
  Diagnostics diagnostics;
  diagnostics.warning(Span{file, 12, 13}, "here");
  CHECK(diagnostics.render(sources) ==
        "x:1:12: warning: here\n"
        " 1 | \tsay \"caf\xC3\xA9\" x\n"
        "   | \t          ^\n");
}

TEST_CASE("diagnostics are ordered by position - notes stay with theirs", "[core][diagnostics]") {
  SourceSet sources;
  FileId file = sources.add("f", "a\nb\nc\n");
  Diagnostics diagnostics;
  diagnostics.error(Span{file, 4, 5}, "third line");
  diagnostics.note(Span{file, 0, 1}, "see first line");
  diagnostics.error(Span{file, 2, 3}, "second line");
  std::string out = diagnostics.render(sources);
  auto second = out.find("second line");
  auto third = out.find("third line");
  auto note = out.find("see first line");
  CHECK(second < third);
  CHECK(third < note);
  CHECK(diagnostics.error_count() == 2);
}

TEST_CASE("a long line is shown as a window around the caret - a long message is cut",
          "[core][diagnostics]") {
  std::string line = std::string(1000, 'a') + "XY" + std::string(1000, 'b');
  SourceSet sources;
  FileId file = sources.add("f", line + "\n");
  Diagnostics diagnostics;
  diagnostics.error(Span{file, 1000, 1500}, "bad " + std::string(10000, 'm'), "fewer");
  std::string out = diagnostics.render(sources);
  // 60 characters before the caret and 60 from it, each cut side marked.
  std::string shown =
      "\xE2\x80\xA6" + std::string(60, 'a') + "XY" + std::string(58, 'b') + "\xE2\x80\xA6";
  std::string message = "bad " + std::string(kMaxShownMessage - 4, 'm') + "\xE2\x80\xA6";
  CHECK(out == "f:1:1001: error: " + message + "\n" + " 1 | " + shown + "\n" + "   | " +
                   std::string(61, ' ') + "^" + std::string(59, '~') + "\n" +
                   "   = expected: fewer\n");
}

TEST_CASE("a caret near the start of a long line shows the start uncut", "[core][diagnostics]") {
  SourceSet sources;
  FileId file = sources.add("f", "ab" + std::string(500, 'c') + "\n");
  Diagnostics diagnostics;
  diagnostics.error(Span{file, 1, 2}, "here");
  CHECK(diagnostics.render(sources) ==
        "f:1:2: error: here\n"
        " 1 | ab" +
            std::string(118, 'c') + "\xE2\x80\xA6\n" + "   |  ^\n");
}
