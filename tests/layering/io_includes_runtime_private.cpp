// A stage's private headers (src/<stage>/) are its own: io may not include runtime's.
#include "runtime/state.hpp"
