#include "platform/memory.hpp"

#include <malloc.h>

namespace kokola {

// glibc keeps freed blocks in its arenas (one per thread that allocated) for reuse;
// malloc_trim returns the whole free pages of every arena to the system.
void release_free_memory() { ::malloc_trim(0); }

}  // namespace kokola
