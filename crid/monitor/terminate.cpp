// The monitor's own std::terminate handler. Defining libstdc++'s
// __gnu_cxx::__verbose_terminate_handler here keeps the archive's version,
// and the C++ demangler it calls (~50 KiB of text), out of the static
// binary; the message loses only the exception's demangled type name.
#include <unistd.h>

#include <cstdlib>

namespace __gnu_cxx {

void __verbose_terminate_handler() {
  static const char msg[] = "crid-monitor: terminate called (uncaught exception or broken invariant)\n";
  (void)!::write(2, msg, sizeof msg - 1);
  std::abort();
}

}  // namespace __gnu_cxx
