// TRY for Result<void>: result.h's TRY dereferences the value, which a
// Result<void> does not have. Once TRY handles void itself, these can go.
#pragma once

#include "libcontainer/result.h"

#define TRY_VOID(expr)                                                      \
  do {                                                                      \
    if (auto berth_try_void_ = (expr); !berth_try_void_)                    \
      return std::unexpected(std::move(berth_try_void_.error()));           \
  } while (0)

#define TRY_VOID_CTX(expr, ctx)                                             \
  do {                                                                      \
    if (auto berth_try_void_ = (expr); !berth_try_void_)                    \
      return std::unexpected(std::move(berth_try_void_.error().context(ctx))); \
  } while (0)
