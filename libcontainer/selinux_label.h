// linux.mountLabel and process.selinuxLabel beyond the exec transition, as
// runc applies them (go-selinux's label package): a context= mount option
// for the filesystems that take one, the label set on the mqueue mount
// point, the label of the session keyring, and a check of a label against
// the loaded policy before anything is made. Every function here does
// nothing for an empty label: check_lsm_labels already refused a label on a
// host without SELinux.
#pragma once

#include <string>
#include <string_view>

#include "libcontainer/result.h"

namespace berth {

// data with context="label" appended ("" label: data unchanged). The quotes
// keep the commas of an MCS category list ("s0:c1,c2") inside the option.
std::string mount_data_with_label(std::string_view data, std::string_view label);

// Which mounts get the context option: not procfs and sysfs (the kernel
// labels them itself), not mqueue (its superblock is the IPC namespace's,
// shared, so a context option would clash: labelled afterwards instead), and
// not binds (mount(2) ignores their data).
bool takes_context_option(std::string_view type, bool bind);

// Sets path's security.selinux attribute (runc's SetFileLabel); field names
// the config field for the error.
Result<void> set_file_label(const std::string &path, std::string_view label, std::string_view field);

// Asks the kernel whether label is a valid context in the loaded policy
// (/sys/fs/selinux/context), so a bad label fails before anything is made.
Result<void> check_selinux_context(std::string_view label, std::string_view field);

// The label of keys this thread creates from now on (/proc/self/attr/keycreate),
// for the session keyring the init makes; reset_key_label goes back to the
// default, best effort, as runc does once the keyring exists.
Result<void> set_key_label(std::string_view label, std::string_view field);
void reset_key_label();

}  // namespace berth
