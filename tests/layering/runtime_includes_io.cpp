// runtime may not use io (to its right): this must not build.
#include "bylaw/io/stream_runner.hpp"
