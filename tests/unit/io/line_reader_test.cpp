#include <sstream>

#include <catch2/catch.hpp>

#include "io/line_reader.hpp"

using bylaw::io::LineReader;

namespace {

std::vector<std::string> read_all(const std::string& text, std::size_t block) {
  std::istringstream in(text);
  LineReader reader(in, block);
  std::vector<std::string> lines;
  std::string_view line;
  while (reader.next(line)) lines.emplace_back(line);
  return lines;
}

}  // namespace

TEST_CASE("lines are split across block boundaries whatever the block size", "[io][lines]") {
  std::string text = "first line\nsecond\r\n\nfourth is longer than a block\nlast without newline";
  std::vector<std::string> expected = {"first line", "second", "", "fourth is longer than a block",
                                       "last without newline"};
  for (std::size_t block : {1u, 2u, 3u, 7u, 16u, 4096u}) {
    INFO("block " << block);
    CHECK(read_all(text, block) == expected);
  }
}

TEST_CASE("empty input has no lines - a lone newline has one empty line", "[io][lines]") {
  CHECK(read_all("", 4).empty());
  CHECK(read_all("\n", 4) == std::vector<std::string>{""});
  CHECK(read_all("a\n", 1) == std::vector<std::string>{"a"});
  CHECK(read_all("\r\n", 4) == std::vector<std::string>{""});
}
