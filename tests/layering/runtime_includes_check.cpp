// runtime may use check (to its left): this must build.
#include "bylaw/check/policy.hpp"
