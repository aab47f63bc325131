// The `berth` subcommands: each parses its own flags and calls libcontainer.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/container.h"
#include "runtime/cli.h"

namespace berth::cmd {

struct Context {
  RuntimeOptions runtime;
  std::string rootless = "auto";
};

struct Command {
  std::string_view name;
  std::string_view args_usage;  // "<container-id>"
  std::string_view summary;
  std::vector<cli::Option> options;
  size_t min_args, max_args;
  int (*run)(const Context &, const cli::Parsed &);
  bool stop_at_positional = false;  // the arguments after the first are a command line (exec)
};

const std::vector<Command> &commands();

// Reports a failed command the way all subcommands do, and returns exit code 1.
int fail(std::string_view command, std::string_view id, const Error &e);

int spec(const Context &, const cli::Parsed &);
int create(const Context &, const cli::Parsed &);
int start(const Context &, const cli::Parsed &);
int run(const Context &, const cli::Parsed &);
int state(const Context &, const cli::Parsed &);
int list(const Context &, const cli::Parsed &);
int kill(const Context &, const cli::Parsed &);
int del(const Context &, const cli::Parsed &);
int pause(const Context &, const cli::Parsed &);
int resume(const Context &, const cli::Parsed &);
int update(const Context &, const cli::Parsed &);
int events(const Context &, const cli::Parsed &);
int ps(const Context &, const cli::Parsed &);
int exec(const Context &, const cli::Parsed &);
int features(const Context &, const cli::Parsed &);
extern const std::vector<cli::Option> kExecOptions;
int checkpoint(const Context &, const cli::Parsed &);
int restore(const Context &, const cli::Parsed &);
extern const std::vector<cli::Option> kCheckpointOptions;
extern const std::vector<cli::Option> kRestoreOptions;

}  // namespace berth::cmd
