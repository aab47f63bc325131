// checkpoint and restore: runc's flags, handed to libcontainer/checkpoint.
#include <charconv>

#include "libcontainer/checkpoint.h"
#include "libcontainer/log.h"
#include "runtime/commands.h"
#include "runtime/foreground.h"

namespace berth::cmd {

namespace {

const std::vector<cli::Option> kCriuCommonOptions = {
    {"image-path", 0, true, "directory for the criu image files (default: ./checkpoint)", "DIR"},
    {"work-path", 0, true, "directory for criu's logs and work files (default: the image path)", "DIR"},
    {"tcp-established", 0, false, "allow open TCP connections"},
    {"ext-unix-sk", 0, false, "allow external unix sockets"},
    {"shell-job", 0, false, "allow shell jobs (a controlling terminal from outside)"},
    {"file-locks", 0, false, "handle file locks"},
    {"lazy-pages", 0, false, "use userfaultfd to restore memory lazily"},
    {"auto-dedup", 0, false, "deduplicate memory pages against the parent images"},
    {"manage-cgroups-mode", 0, true, "cgroups mode for criu: soft, full, strict or ignore", "MODE"},
    {"empty-ns", 0, true, "create this namespace empty instead of checkpointing it (network)", "NS"},
};

std::vector<cli::Option> with_common(std::vector<cli::Option> own) {
  own.insert(own.end(), kCriuCommonOptions.begin(), kCriuCommonOptions.end());
  return own;
}

CriuOptions criu_options(const cli::Parsed &p) {
  CriuOptions o;
  o.image_path = p.get("image-path");
  o.work_path = p.get("work-path");
  o.tcp_established = p.flag("tcp-established");
  o.ext_unix_sk = p.flag("ext-unix-sk");
  o.shell_job = p.flag("shell-job");
  o.file_locks = p.flag("file-locks");
  o.lazy_pages = p.flag("lazy-pages");
  o.auto_dedup = p.flag("auto-dedup");
  o.manage_cgroups_mode = p.get("manage-cgroups-mode");
  o.empty_ns = p.all("empty-ns");
  return o;
}

}  // namespace

const std::vector<cli::Option> kCheckpointOptions = with_common({
    {"leave-running", 0, false, "leave the container running after the checkpoint"},
    {"pre-dump", 0, false, "dump memory only, leaving the container running (for a later full dump)"},
    {"parent-path", 0, true, "previous (pre-dump) images, relative to --image-path", "DIR"},
    {"page-server", 0, true, "ADDRESS:PORT of a criu page server", "ADDR"},
    {"status-fd", 0, true, "with --lazy-pages: criu writes \\0 to this fd once its page server is ready", "FD"},
});

const std::vector<cli::Option> kRestoreOptions = with_common({
    {"bundle", 'b', true, "path to the root of the bundle directory (default: current directory)", "DIR"},
    {"console-socket", 0, true, "unix socket that receives the pty master", "PATH"},
    {"detach", 'd', false, "detach from the restored container's process"},
    {"pid-file", 0, true, "file to write the restored init's pid to", "FILE"},
    {"no-subreaper", 0, false, "do not make berth the subreaper of the restored process"},
    {"no-pivot", 0, false, "do not use pivot_root"},
    {"lsm-profile", 0, true, "LSM profile to restore the process with (TYPE:NAME)", "PROFILE"},
    {"lsm-mount-context", 0, true, "SELinux mount context for the restored mounts", "CONTEXT"},
});

int checkpoint(const Context &ctx, const cli::Parsed &p) {
  const std::string &id = p.positional[0];
  CheckpointOptions o;
  o.id = id;
  o.criu = criu_options(p);
  o.leave_running = p.flag("leave-running");
  o.pre_dump = p.flag("pre-dump");
  o.parent_path = p.get("parent-path");
  if (p.has("page-server")) {
    auto ps = parse_page_server(p.get("page-server"));
    if (!ps) return fail("checkpoint", id, ps.error());
    o.page_server = *ps;
  }
  if (p.has("status-fd")) {
    const std::string &v = p.get("status-fd");
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), o.status_fd);
    if (ec != std::errc{} || end != v.data() + v.size() || o.status_fd < 0)
      return fail("checkpoint", id, Error{0, fmt::format("--status-fd: invalid file descriptor \"{}\"", v)});
    if (!o.criu.lazy_pages) log::warning("checkpoint: --status-fd is only used with --lazy-pages (as in runc); ignored");
  }
  if (auto r = checkpoint_container(ctx.runtime, o); !r) return fail("checkpoint", id, r.error());
  return 0;
}

int restore(const Context &ctx, const cli::Parsed &p) {
  const std::string &id = p.positional[0];
  RestoreOptions o;
  o.id = id;
  o.bundle = p.get("bundle", ".");
  o.criu = criu_options(p);
  o.pid_file = p.get("pid-file");
  o.console_socket = p.get("console-socket");
  o.detach = p.flag("detach");
  o.no_pivot = p.flag("no-pivot");
  o.no_subreaper = p.flag("no-subreaper");
  o.lsm_profile = p.get("lsm-profile");
  o.lsm_mount_context = p.get("lsm-mount-context");
  auto pid = restore_container(ctx.runtime, o);
  if (!pid) return fail("restore", id, pid.error());
  if (o.detach) return 0;
  auto status = wait_foreground(*pid, -1);
  if (auto r = delete_container(ctx.runtime, id, true); !r) fail("restore", id, r.error());
  if (!status) return fail("restore", id, status.error());
  return *status;
}

}  // namespace berth::cmd
