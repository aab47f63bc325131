// `berth checkpoint` and `berth restore`: a running container's processes
// saved to image files by criu, and a container made again from them. Every
// precondition (the container, the flags, a criu that passes `criu check`) is
// checked before criu runs, so a failure leaves nothing half done.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "libcontainer/container.h"
#include "libcontainer/result.h"

namespace berth {

// The criu flags runc exposes on both commands.
struct CriuOptions {
  std::string image_path;   // default: ./checkpoint
  std::string work_path;    // default: the image path
  bool tcp_established = false;
  bool ext_unix_sk = false;
  bool shell_job = false;
  bool file_locks = false;
  bool lazy_pages = false;
  bool auto_dedup = false;
  std::string manage_cgroups_mode;        // soft, full, strict, ignore; "" = criu's default
  std::vector<std::string> empty_ns;      // namespace names ("network")
};

// --page-server ADDRESS:PORT, split as runc (Go's net.SplitHostPort) does.
struct PageServer {
  std::string address;
  int port = 0;
};
Result<PageServer> parse_page_server(std::string_view text);

struct CheckpointOptions {
  std::string id;
  CriuOptions criu;
  std::string parent_path;  // previous (pre-dump) images, relative to the image path
  bool leave_running = false;
  bool pre_dump = false;
  std::optional<PageServer> page_server;  // pages sent to a criu page server instead of the image dir
  int status_fd = -1;                     // with lazy pages: criu writes \0 here once it serves them
};

struct RestoreOptions {
  std::string id;
  std::string bundle = ".";
  CriuOptions criu;
  std::string pid_file;
  std::string console_socket;
  bool detach = false;
  bool no_pivot = false;
  bool no_subreaper = false;
  std::string lsm_profile;        // TYPE:NAME (apparmor:..., selinux:...) for the restored processes
  std::string lsm_mount_context;  // SELinux context for the restored mounts
};

// Checks the flags alone (no container, no criu): the mode and namespace names.
Result<void> validate_criu_options(const CriuOptions &o);

Result<void> checkpoint_container(const RuntimeOptions &rt, const CheckpointOptions &o);

// Returns the restored init's pid.
Result<pid_t> restore_container(const RuntimeOptions &rt, const RestoreOptions &o);

// "true" when criu is found and passes `criu check` here (features' annotation).
bool checkpoint_supported();

}  // namespace berth
