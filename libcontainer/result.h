// Result<T>: the one fallible-call convention of berth. An Error carries the
// errno (0 when the failure is not a system call's) and a message that already
// reads like a sentence to the user: what failed, on what, and why.
#pragma once

#include <cerrno>
#include <cstring>
#include <expected>
#include <string>
#include <utility>

#include <fmt/core.h>

namespace berth {

struct Error {
  int code = 0;         // errno value, or 0
  std::string message;  // "mount /proc on /r/proc: Operation not permitted"

  // Prefixes context, keeping the cause at the end: "create c1: " + message.
  Error &context(std::string_view what) {
    message = fmt::format("{}: {}", what, message);
    return *this;
  }
};

template <typename T = void>
using Result = std::expected<T, Error>;

// An error from a failed system call: the message ends with errno's text.
template <typename... Args>
std::unexpected<Error> sys_error(int err, fmt::format_string<Args...> f, Args &&...args) {
  return std::unexpected(Error{err, fmt::format("{}: {}", fmt::format(f, std::forward<Args>(args)...),
                                                std::strerror(err))});
}

// An error that is not a system call's (bad input, broken precondition).
template <typename... Args>
std::unexpected<Error> make_error(fmt::format_string<Args...> f, Args &&...args) {
  return std::unexpected(Error{0, fmt::format(f, std::forward<Args>(args)...)});
}

namespace detail {
template <typename T>
T take_value(std::expected<T, Error> &r) {
  return std::move(*r);
}
inline void take_value(std::expected<void, Error> &) {}
}  // namespace detail

}  // namespace berth

// TRY(expr): evaluates a Result; on error returns it from the calling function,
// otherwise yields the value. GNU statement expression, as g++ supports.
#define TRY(expr)                                            \
  ({                                                         \
    auto &&berth_try_result_ = (expr);                       \
    if (!berth_try_result_)                                  \
      return std::unexpected(std::move(berth_try_result_.error())); \
    ::berth::detail::take_value(berth_try_result_);          \
  })

// TRY_CTX(expr, "context"): as TRY, prefixing the error with context.
#define TRY_CTX(expr, ctx)                                   \
  ({                                                         \
    auto &&berth_try_result_ = (expr);                       \
    if (!berth_try_result_)                                  \
      return std::unexpected(std::move(berth_try_result_.error().context(ctx))); \
    ::berth::detail::take_value(berth_try_result_);          \
  })
