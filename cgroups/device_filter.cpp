#include "cgroups/device_filter.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "libcontainer/fd.h"

namespace berth::cgroups {

namespace {

constexpr bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  return bpf_insn{code, dst, src, off, imm};
}
// Registers: r1 = context on entry; r2 = device type, r3 = access bits,
// r4 = major, r5 = minor once the prologue has loaded them.
constexpr bpf_insn load_u32(uint8_t dst, int16_t off) { return insn(BPF_LDX | BPF_MEM | BPF_W, dst, 1, off, 0); }
constexpr bpf_insn alu32_imm(uint8_t op, uint8_t dst, int32_t imm) { return insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm); }
constexpr bpf_insn mov32_reg(uint8_t dst, uint8_t src) { return insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0); }
constexpr bpf_insn jne_imm(uint8_t dst, int32_t imm, int16_t off) { return insn(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm); }
constexpr bpf_insn jne_reg(uint8_t dst, uint8_t src, int16_t off) { return insn(BPF_JMP | BPF_JNE | BPF_X, dst, src, off, 0); }
constexpr bpf_insn mov64_imm(uint8_t dst, int32_t imm) { return insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm); }
constexpr bpf_insn exit_insn() { return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

int32_t access_bits(const std::string &access) {
  int32_t bits = 0;
  for (char c : access.empty() ? std::string("rwm") : access) {
    if (c == 'r') bits |= BPF_DEVCG_ACC_READ;
    if (c == 'w') bits |= BPF_DEVCG_ACC_WRITE;
    if (c == 'm') bits |= BPF_DEVCG_ACC_MKNOD;
  }
  return bits;
}

long bpf(int cmd, bpf_attr &attr) { return ::syscall(SYS_bpf, cmd, &attr, sizeof attr); }

}  // namespace

std::vector<bpf_insn> compile_device_filter(const std::vector<DeviceCgroupRule> &rules) {
  std::vector<bpf_insn> prog = {
      load_u32(2, offsetof(bpf_cgroup_dev_ctx, access_type)), alu32_imm(BPF_AND, 2, 0xffff),
      load_u32(3, offsetof(bpf_cgroup_dev_ctx, access_type)), alu32_imm(BPF_RSH, 3, 16),
      load_u32(4, offsetof(bpf_cgroup_dev_ctx, major)),       load_u32(5, offsetof(bpf_cgroup_dev_ctx, minor)),
  };
  // Last rule first, so the first match the program meets is the one that decides.
  for (auto it = rules.rbegin(); it != rules.rend(); ++it) {
    const auto &r = *it;
    std::vector<bpf_insn> block;  // jumps hold -1 until the block's length is known
    if (r.type == "c" || r.type == "b") block.push_back(jne_imm(2, r.type == "c" ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK, -1));
    int32_t bits = access_bits(r.access);
    if (bits != (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD)) {
      // Matches when every access asked for is among the rule's.
      block.push_back(mov32_reg(1, 3));
      block.push_back(alu32_imm(BPF_AND, 1, bits));
      block.push_back(jne_reg(1, 3, -1));
    }
    if (r.major && *r.major >= 0) block.push_back(jne_imm(4, static_cast<int32_t>(*r.major), -1));
    if (r.minor && *r.minor >= 0) block.push_back(jne_imm(5, static_cast<int32_t>(*r.minor), -1));
    bool unconditional = block.empty();
    block.push_back(mov64_imm(0, r.allow ? 1 : 0));
    block.push_back(exit_insn());
    for (size_t i = 0; i < block.size(); ++i)
      if (block[i].off == -1) block[i].off = static_cast<int16_t>(block.size() - i - 1);
    prog.insert(prog.end(), block.begin(), block.end());
    // Nothing after a rule that matches everything can run, and the verifier
    // refuses unreachable instructions.
    if (unconditional) return prog;
  }
  prog.push_back(mov64_imm(0, 0));
  prog.push_back(exit_insn());
  return prog;
}

Result<void> attach_device_filter(const std::string &dir, const std::vector<DeviceCgroupRule> &rules) {
  auto prog = compile_device_filter(rules);
  static const char license[] = "Apache-2.0";
  char log[4096] = {};
  bpf_attr load;
  std::memset(&load, 0, sizeof load);
  load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  load.insns = reinterpret_cast<uint64_t>(prog.data());
  load.insn_cnt = static_cast<uint32_t>(prog.size());
  load.license = reinterpret_cast<uint64_t>(license);
  // No verifier log on the first try: a valid program whose log outgrows the
  // buffer fails with ENOSPC on current kernels. The log is only wanted to
  // explain a refusal, so it is asked for when the plain load fails.
  Fd prog_fd(static_cast<int>(bpf(BPF_PROG_LOAD, load)));
  if (!prog_fd) {
    load.log_buf = reinterpret_cast<uint64_t>(log);
    load.log_size = sizeof log - 1;
    load.log_level = 1;
    int err = errno;
    Fd again(static_cast<int>(bpf(BPF_PROG_LOAD, load)));  // only for the log
    std::string_view why(log);
    if (!why.empty()) return make_error("load device filter for {}: {}: {}", dir, std::strerror(err), why);
    return sys_error(err, "load device filter for {}", dir);
  }

  Fd cg(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!cg) return sys_error(errno, "open cgroup {}", dir);

  // What was attached before (a previous update's filter), to detach once the new one is in.
  uint32_t old_ids[64] = {};
  bpf_attr query;
  std::memset(&query, 0, sizeof query);
  query.query.target_fd = static_cast<uint32_t>(cg.get());
  query.query.attach_type = BPF_CGROUP_DEVICE;
  query.query.prog_ids = reinterpret_cast<uint64_t>(old_ids);
  query.query.prog_cnt = 64;
  uint32_t old_count = bpf(BPF_PROG_QUERY, query) == 0 ? query.query.prog_cnt : 0;

  bpf_attr attach;
  std::memset(&attach, 0, sizeof attach);
  attach.target_fd = static_cast<uint32_t>(cg.get());
  attach.attach_bpf_fd = static_cast<uint32_t>(prog_fd.get());
  attach.attach_type = BPF_CGROUP_DEVICE;
  attach.attach_flags = BPF_F_ALLOW_MULTI;
  if (bpf(BPF_PROG_ATTACH, attach) != 0) return sys_error(errno, "attach device filter to cgroup {}", dir);

  for (uint32_t i = 0; i < old_count && i < 64; ++i) {
    bpf_attr get;
    std::memset(&get, 0, sizeof get);
    get.prog_id = old_ids[i];
    Fd old(static_cast<int>(bpf(BPF_PROG_GET_FD_BY_ID, get)));
    if (!old) continue;
    bpf_attr detach;
    std::memset(&detach, 0, sizeof detach);
    detach.target_fd = static_cast<uint32_t>(cg.get());
    detach.attach_bpf_fd = static_cast<uint32_t>(old.get());
    detach.attach_type = BPF_CGROUP_DEVICE;
    if (bpf(BPF_PROG_DETACH, detach) != 0) return sys_error(errno, "detach the previous device filter of cgroup {}", dir);
  }
  return {};
}

}  // namespace berth::cgroups
