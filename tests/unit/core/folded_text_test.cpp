#include <catch2/catch.hpp>

#include "bylaw/core/folded_text.hpp"

using bylaw::fold_blanks;

TEST_CASE("blanks fold to one space - none at either end", "[core][text]") {
  CHECK(fold_blanks("count per t.who over 10d") == "count per t.who over 10d");
  CHECK(fold_blanks("  count\tper\n\n   t.who \r\n over 10d  ") == "count per t.who over 10d");
  CHECK(fold_blanks("") == "");
  CHECK(fold_blanks(" \t\n") == "");
  CHECK(fold_blanks("a") == "a");
}
