// bylaw fmt: canonical spacing and indentation, comments in place, idempotence, and every
// shipped file coming back unchanged from a mangled copy of itself.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "bylaw/author/format.hpp"

using namespace bylaw::author;

namespace {

std::string formatted(const std::string& text) {
  std::string error;
  auto out = format_source(text, error);
  INFO(error);
  REQUIRE(out);
  return *out;
}

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The same file with every indent tripled, blanks doubled between tokens (outside strings and
// comments), and blanks left at line ends: only whitespace differs.
std::string mangled(const std::string& text) {
  std::string out;
  bool in_string = false, in_comment = false, at_start = true;
  for (char c : text) {
    if (c == '\n') {
      if (!in_comment) out += "  ";
      out += '\n';
      in_comment = false;
      at_start = true;
      continue;
    }
    if (!in_string && !in_comment && c == ' ') {
      out += at_start ? "   " : "  ";
      continue;
    }
    at_start = false;
    if (!in_comment && c == '"') in_string = !in_string;
    if (!in_string && c == '#') in_comment = true;
    out += c;
  }
  return "\n\n" + out + "\n\n";
}

}  // namespace

TEST_CASE("spacing within a line is canonical", "[author][fmt]") {
  CHECK(formatted("param  x :int=  2\n") == "param x: int = 2\n");
  CHECK(formatted("param r: set<string> = { a ,b }\n") == "param r: set<string> = {a, b}\n");
  CHECK(formatted("  score: int ? in - 3 .. 10\n") == "score: int? in -3..10\n");
  CHECK(formatted("where not held( f.freelancer , x ) and ( a.b<=2 or c-1>d )\n") ==
        "where not held(f.freelancer, x) and (a.b <= 2 or c - 1 > d)\n");
  CHECK(formatted("kind: enum ( fixed,hourly )\n") == "kind: enum(fixed, hourly)\n");
  CHECK(formatted("then hold x on f . y scope[ a, b ]  say \"keep   this\"\n") ==
        "then hold x on f.y scope [a, b] say \"keep   this\"\n");
  // A field named like a keyword is a name: what follows it is a subtraction, not a sign.
  CHECK(formatted("when x.version-1 > 2 and x.hold -1 < 0\n") ==
        "when x.version - 1 > 2 and x.hold - 1 < 0\n");
  CHECK(formatted("when n > -1 and sum -2 < 0\n") == "when n > -1 and sum -2 < 0\n");
}

TEST_CASE("indentation follows blocks and the author's outline in two-space steps",
          "[author][fmt]") {
  CHECK(formatted("rule r {\n"
                  "     on a.b as e\n"
                  "     let x = latest c.d as c\n"
                  "          where c.k == e.k\n"
                  "                and c.z > 0\n"
                  "     where e.q == 1\n"
                  "     then eligibility z on e.w\n"
                  "        deny n when e.v == 1\n"
                  "             say \"no\"\n"
                  "        allow say \"yes\"\n"
                  "}\n") ==
        "rule r {\n"
        "  on a.b as e\n"
        "  let x = latest c.d as c\n"
        "    where c.k == e.k\n"
        "      and c.z > 0\n"
        "  where e.q == 1\n"
        "  then eligibility z on e.w\n"
        "    deny n when e.v == 1\n"
        "      say \"no\"\n"
        "    allow say \"yes\"\n"
        "}\n");
}

TEST_CASE("comments stay in place - trailing ones line up - blank lines are tidied",
          "[author][fmt]") {
  CHECK(formatted("\n\n# head\n\n\n\nevent e {   # the event\n"
                  "      a: id # first\n"
                  "      long_name: string      # second\n"
                  "   # inside, before the end\n"
                  "}\n\n\n") ==
        "# head\n\n"
        "event e {            # the event\n"
        "  a: id              # first\n"
        "  long_name: string  # second\n"
        "  # inside, before the end\n"
        "}\n");
}

TEST_CASE("a string that does not end is an error and nothing is formatted", "[author][fmt]") {
  std::string error;
  CHECK_FALSE(format_source("param x: string = \"open\n", error));
  CHECK(error == "line 1: a string that does not end on its line");
}

TEST_CASE("every shipped rule and policy file is formatted and comes back from a mangled copy",
          "[author][fmt]") {
  int files = 0;
  for (const char* folder : {"rules", "policies"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(
             std::string(BYLAW_SOURCE_DIR) + "/" + folder)) {
      auto ext = entry.path().extension();
      if (ext != ".rules" && ext != ".policy") continue;
      ++files;
      std::string text = read(entry.path());
      INFO(entry.path().string());
      CHECK(formatted(text) == text);                      // kept formatted
      CHECK(formatted(formatted(mangled(text))) == text);  // idempotent, and canonical
      CHECK(formatted(mangled(text)) == text);
    }
  }
  CHECK(files == 12);  // with rules/extended and policies/bench
}

TEST_CASE("the diff shows removed and added lines in hunks with context", "[author][fmt]") {
  std::string before = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
  std::string after = "a\nb\nc\nD\ne\nf\ng\nh\ni\nJ\n";
  CHECK(unified_diff("x.rules", before, after, 1) ==
        "--- x.rules\n+++ x.rules (formatted)\n"
        "@@ -3,3 +3,3 @@\n c\n-d\n+D\n e\n"
        "@@ -9,2 +9,2 @@\n i\n-j\n+J\n");
  CHECK(unified_diff("x.rules", before, before) == "");
}
