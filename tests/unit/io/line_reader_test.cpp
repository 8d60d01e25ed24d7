#include <sstream>

#include <catch2/catch.hpp>

#include "bylaw/io/line_reader.hpp"

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

TEST_CASE("the reader counts the bytes it consumed - line ends included", "[io][lines]") {
  std::string text = "ab\ncd\r\n\nlast";
  for (std::size_t block : {1u, 3u, 4096u}) {
    std::size_t at = 0;
    LineReader reader(
        [&](char* buffer, std::size_t size) {
          std::size_t n = std::min<std::size_t>({size, text.size() - at, 2});  // short reads
          text.copy(buffer, n, at);
          at += n;
          return n;
        },
        block);
    std::string_view line;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> spans;
    while (reader.next(line)) spans.emplace_back(reader.line_start(), reader.consumed());
    INFO("block " << block);
    CHECK(spans ==
          std::vector<std::pair<std::uint64_t, std::uint64_t>>{{0, 3}, {3, 7}, {7, 8}, {8, 12}});
  }
}
