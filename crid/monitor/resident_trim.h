// Gives back the monitor's start-up pages once the container is created.
#pragma once

namespace berth::crid::monitor {

// Unmaps the program's read-only segments (text, rodata, unwind tables) from
// this process; the kernel maps back, from the page cache, only the pages the
// monitor loop touches afterwards. Starting a container runs through JSON,
// fmt, posix_spawn and error paths the loop never needs again, and a node runs
// one monitor per container. Writable and RELRO pages are left alone (they
// hold relocated pointers and data). Best effort: failures change nothing.
void drop_startup_text();

}  // namespace berth::crid::monitor
