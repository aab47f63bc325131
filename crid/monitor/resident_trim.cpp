#include "crid/monitor/resident_trim.h"

#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

namespace berth::crid::monitor {

namespace {

int drop_readonly_segments(struct dl_phdr_info *info, size_t, void *) {
  // Only the program itself (the first entry; a static binary has no other).
  if (info->dlpi_name && info->dlpi_name[0] != '\0') return 1;
  const uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  uintptr_t relro_start = 0, relro_end = 0;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) &ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_GNU_RELRO) continue;
    relro_start = (info->dlpi_addr + ph.p_vaddr) & ~(page - 1);
    relro_end = (info->dlpi_addr + ph.p_vaddr + ph.p_memsz + page - 1) & ~(page - 1);
  }
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) &ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD || (ph.p_flags & PF_W)) continue;
    // Whole pages only, rounded inwards: a page shared with a writable
    // neighbour keeps its (possibly written) content.
    uintptr_t start = (info->dlpi_addr + ph.p_vaddr + page - 1) & ~(page - 1);
    uintptr_t end = (info->dlpi_addr + ph.p_vaddr + ph.p_filesz) & ~(page - 1);
    if (relro_end > relro_start && start < relro_end && relro_start < end) end = relro_start > start ? relro_start : start;
    if (end > start) ::madvise(reinterpret_cast<void *>(start), end - start, MADV_DONTNEED);
  }
  return 1;
}

}  // namespace

void drop_startup_text() { ::dl_iterate_phdr(drop_readonly_segments, nullptr); }

}  // namespace berth::crid::monitor
