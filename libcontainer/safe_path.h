// Resolving and creating paths inside a root directory (the container's rootfs)
// so that no symlink, "..", or magic link can lead out of it. Callers act on
// the returned O_PATH fd, e.g. mount onto fd_path(fd), never on a joined path
// string that a container process could swap for a symlink (CVE-2021-30465).
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "libcontainer/fd.h"
#include "libcontainer/result.h"

namespace berth {

// "/proc/self/fd/N": names exactly the object fd holds, for path-only syscalls.
std::string fd_path(int fd);

// Lexically cleans path as if it were rooted: "/a/./b/../c/" -> "a/c",
// "../../x" -> "x", "/" -> "". The result is relative and never climbs above the root.
std::string clean_relative(std::string_view path);

// Opens path inside the root directory root_fd, resolving every symlink as if
// root_fd were "/" (openat2 RESOLVE_IN_ROOT) and refusing magic links.
// Returns an O_PATH|O_CLOEXEC fd (plus extra_flags, e.g. O_DIRECTORY).
Result<Fd> open_in_root(int root_fd, std::string_view path, int extra_flags = 0);

enum class PathKind { Directory, File };

// As open_in_root, creating what is missing: every missing parent as a
// directory (dir_mode), the last component as a directory or an empty file.
// An existing last component is returned as it is, whatever its type.
Result<Fd> create_in_root(int root_fd, std::string_view path, PathKind kind, mode_t dir_mode = 0755);

}  // namespace berth
