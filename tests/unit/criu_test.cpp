#include <gtest/gtest.h>

#include "libcontainer/checkpoint.h"
#include "libcontainer/criu.h"

namespace berth {

TEST(CriuFirstError, PicksTheFirstErrorLine) {
  EXPECT_EQ(criu_first_error("Warn (x): a\nError (criu/cr-check.c:1): no kcmp\nError (y): z\n"),
            "Error (criu/cr-check.c:1): no kcmp");
}

TEST(CriuFirstError, FallsBackToTheLastLine) {
  EXPECT_EQ(criu_first_error("\nLooks bad\nsomething failed\n\n"), "something failed");
  EXPECT_EQ(criu_first_error(""), "");
}

TEST(CriuOptions, ValidatesModeAndNamespaces) {
  CriuOptions o;
  EXPECT_TRUE(validate_criu_options(o));
  o.manage_cgroups_mode = "strict";
  o.empty_ns = {"network"};
  EXPECT_TRUE(validate_criu_options(o));
  o.manage_cgroups_mode = "loose";
  EXPECT_FALSE(validate_criu_options(o));
  o.manage_cgroups_mode = "soft";
  o.empty_ns = {"pid"};
  EXPECT_FALSE(validate_criu_options(o));
}

}  // namespace berth
