// Memory the process freed but the C library kept: handed back to the system after a large
// piece of work (a run over a million rows), so that the resident set of a daemon that runs
// for months reflects what it holds, not the largest run it ever made. Any thread.
#pragma once

namespace kokola {

void release_free_memory();

}  // namespace kokola
