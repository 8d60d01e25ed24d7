// check may not use author (far to its right): this must not build.
#include "bylaw/author/format.hpp"
