#include <csignal>

#include <gtest/gtest.h>

int main(int argc, char **argv) {
  // As crid and crid-monitor do: code under test writes to pipes of helper
  // programs (CNI plugins, runtimes) that may exit before reading; that must
  // be an EPIPE the code reports, not a signal that ends the test binary.
  std::signal(SIGPIPE, SIG_IGN);
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
