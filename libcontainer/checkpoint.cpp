#include "libcontainer/checkpoint.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>

#include "libcontainer/criu.h"
#include "libcontainer/file_util.h"
#include "libcontainer/proc_info.h"
#include "libcontainer/spec_parser.h"
#include "libcontainer/state.h"

namespace berth {

namespace {

constexpr std::string_view kCgroupModes[] = {"soft", "full", "strict", "ignore"};

// runc's --empty-ns takes runtime-spec names; criu wants its own.
std::optional<std::string_view> criu_ns_name(std::string_view spec_name) {
  if (spec_name == "network") return "net";
  return std::nullopt;
}

std::string absolute(const std::string &p) {
  if (!p.empty() && p[0] == '/') return p;
  char cwd[4096];
  if (!::getcwd(cwd, sizeof cwd)) return p;
  return std::string(cwd) + "/" + p;
}

std::string image_dir(const CriuOptions &o) { return absolute(o.image_path.empty() ? "checkpoint" : o.image_path); }
std::string work_dir(const CriuOptions &o) { return o.work_path.empty() ? image_dir(o) : absolute(o.work_path); }

void add_common_flags(std::vector<std::string> &args, const CriuOptions &o) {
  args.insert(args.end(), {"--images-dir", image_dir(o), "--work-dir", work_dir(o), "-v4"});
  if (o.tcp_established) args.push_back("--tcp-established");
  if (o.ext_unix_sk) args.push_back("--ext-unix-sk");
  if (o.shell_job) args.push_back("--shell-job");
  if (o.file_locks) args.push_back("--file-locks");
  if (o.lazy_pages) args.push_back("--lazy-pages");
  if (o.auto_dedup) args.push_back("--auto-dedup");
  if (!o.manage_cgroups_mode.empty()) args.push_back("--manage-cgroups=" + o.manage_cgroups_mode);
  for (const auto &ns : o.empty_ns) args.insert(args.end(), {"--empty-ns", std::string(*criu_ns_name(ns))});
}

// Bind mounts come from the host: criu records them by destination and is
// told on restore where each one's source is.
std::vector<const Mount *> bind_mounts(const Spec &spec) {
  std::vector<const Mount *> out;
  for (const auto &m : spec.mounts) {
    bool bind = m.type == "bind" ||
                std::ranges::any_of(m.options, [](const std::string &x) { return x == "bind" || x == "rbind"; });
    if (bind) out.push_back(&m);
  }
  return out;
}

}  // namespace

Result<void> validate_criu_options(const CriuOptions &o) {
  if (!o.manage_cgroups_mode.empty() &&
      std::ranges::find(kCgroupModes, std::string_view(o.manage_cgroups_mode)) == std::end(kCgroupModes))
    return make_error("--manage-cgroups-mode: expected soft, full, strict or ignore, got \"{}\"",
                      o.manage_cgroups_mode);
  for (const auto &ns : o.empty_ns)
    if (!criu_ns_name(ns)) return make_error("--empty-ns: only \"network\" can be left empty, got \"{}\"", ns);
  return {};
}

Result<PageServer> parse_page_server(std::string_view text) {
  // runc's own message for anything that is not HOST:PORT.
  auto bad = [&] { return make_error("--page-server \"{}\": use --page-server ADDRESS:PORT to specify page server", text); };
  std::string_view host, port;
  if (text.starts_with('[')) {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') return bad();
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad();
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    // An unbracketed IPv6 address is ambiguous: Go refuses it too.
    if (host.find(':') != std::string_view::npos) return bad();
  }
  if (host.empty() || port.empty()) return bad();
  int n = 0;
  auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
  if (ec != std::errc{} || p != port.data() + port.size() || n < 0 || n > 65535)
    return make_error("--page-server \"{}\": invalid port number \"{}\"", text, port);
  return PageServer{std::string(host), n};
}

bool checkpoint_supported() { return usable_criu().has_value(); }

Result<void> checkpoint_container(const RuntimeOptions &rt, const CheckpointOptions &o) {
  TRY(validate_criu_options(o.criu));
  if (o.status_fd >= 0) {
    // Checked here, as runc does, so a wrong fd is not criu's obscure failure.
    int fl = ::fcntl(o.status_fd, F_GETFL);
    if (fl < 0) return sys_error(errno, "--status-fd {}", o.status_fd);
    if ((fl & O_ACCMODE) == O_RDONLY) return make_error("--status-fd {}: not open for writing", o.status_fd);
  }
  ContainerState st;
  {
    auto dir = TRY(StateDir::open(rt.root, o.id));
    st = TRY(dir.load());
    Status s = container_status(st, dir);
    if (s != Status::Running)
      return make_error("container is {}: only a running container can be checkpointed", status_name(s));
  }
  auto criu = TRY_CTX(usable_criu(rt.criu), "checkpoint");
  auto spec = TRY_CTX(load_spec(st.bundle + "/config.json"), st.bundle + "/config.json");

  std::string images = image_dir(o.criu);
  TRY(mkdir_all(images, 0700));
  TRY(mkdir_all(work_dir(o.criu), 0700));
  std::vector<std::string> args = {criu, o.pre_dump ? "pre-dump" : "dump", "--tree", std::to_string(st.pid),
                                   "--root", st.rootfs, "--log-file", o.pre_dump ? "pre-dump.log" : "dump.log"};
  add_common_flags(args, o.criu);
  if (o.pre_dump) args.push_back("--track-mem");
  else if (o.leave_running) args.push_back("--leave-running");
  if (!o.parent_path.empty()) args.insert(args.end(), {"--prev-images-dir", o.parent_path, "--track-mem"});
  if (o.page_server)
    args.insert(args.end(), {"--page-server", "--address", o.page_server->address, "--port",
                             std::to_string(o.page_server->port)});
  // runc hands the fd to criu only for lazy pages: that is when criu has
  // something to announce (its page server being ready). criu inherits it.
  if (o.status_fd >= 0 && o.criu.lazy_pages) args.insert(args.end(), {"--status-fd", std::to_string(o.status_fd)});
  for (const Mount *m : bind_mounts(spec)) args.insert(args.end(), {"--ext-mount-map", m->destination + ":" + m->destination});
  TRY(run_criu(args, work_dir(o.criu) + "/" + args[7], "checkpoint " + o.id));

  // criu killed the processes it saved: the container is gone, as with runc.
  if (!o.pre_dump && !o.leave_running) TRY(delete_container(rt, o.id, true));
  return {};
}

Result<pid_t> restore_container(const RuntimeOptions &rt, const RestoreOptions &o) {
  TRY(validate_criu_options(o.criu));
  TRY(validate_id(o.id));
  std::string bundle = absolute(o.bundle.empty() ? "." : o.bundle);
  auto spec = TRY_CTX(load_spec(bundle + "/config.json"), bundle + "/config.json");
  if (!spec.root) return make_error("{}/config.json: root.path is required", bundle);
  if (auto existing = StateDir::open(rt.root, o.id); existing)
    return make_error("container with id \"{}\" already exists", o.id);
  auto criu = TRY_CTX(usable_criu(rt.criu), "restore");
  std::string images = image_dir(o.criu);
  struct stat sb;
  if (::stat((images + "/inventory.img").c_str(), &sb) != 0)
    return sys_error(errno, "{}: not a checkpoint (no inventory.img)", images);
  // criu changes into the work dir before anything else, so a --work-path
  // that does not exist yet is made here, as checkpoint (and runc) do.
  TRY(mkdir_all(work_dir(o.criu), 0700));

  std::string rootfs = spec.root->path[0] == '/' ? spec.root->path : bundle + "/" + spec.root->path;
  auto dir = TRY(StateDir::create(rt.root, o.id));
  auto undo = [&](Error e) -> Result<pid_t> {
    (void)dir.remove();
    return std::unexpected(std::move(e));
  };
  std::string pidfile = dir.file("criu-restore.pid");
  std::vector<std::string> args = {criu, "restore", "--root", rootfs, "--restore-detached", "--restore-sibling",
                                   "--pidfile", pidfile, "--log-file", "restore.log"};
  add_common_flags(args, o.criu);
  if (!o.lsm_profile.empty()) args.insert(args.end(), {"--lsm-profile", o.lsm_profile});
  if (!o.lsm_mount_context.empty()) args.insert(args.end(), {"--lsm-mount-context", o.lsm_mount_context});
  for (const Mount *m : bind_mounts(spec)) args.insert(args.end(), {"--ext-mount-map", m->destination + ":" + m->source});
  if (auto r = run_criu(args, work_dir(o.criu) + "/restore.log", "restore " + o.id); !r) return undo(r.error());

  auto text = read_file(pidfile);
  if (!text) return undo(text.error());
  pid_t pid = 0;
  std::from_chars(text->data(), text->data() + text->size(), pid);
  auto stat = read_proc_stat(pid);
  if (pid <= 0 || !stat) return undo(make_error("criu restored no process (pid file {} holds \"{}\")", pidfile, *text).error());

  ContainerState st;
  st.id = o.id;
  st.oci_version = spec.oci_version;
  st.pid = pid;
  st.pid_start_time = stat->start_time;
  st.bundle = bundle;
  st.rootfs = rootfs;
  st.created = now_rfc3339();
  st.owner = "root";
  st.annotations = spec.annotations;
  if (auto r = dir.save(st); !r) return undo(r.error());
  if (!o.pid_file.empty())
    if (auto r = write_file_atomic(absolute(o.pid_file), std::to_string(pid), 0644); !r) return undo(r.error());
  return pid;
}

}  // namespace berth
