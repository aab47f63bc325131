// The metav1.Status object the remote-command protocol (v4 and later) sends on
// the error stream when the command ends, exactly as the kubelet writes it, and
// the client-side reading of it back into an exit code.
#pragma once

#include <string>
#include <string_view>

#include "libcontainer/result.h"

namespace berth::crid::streaming {

// exit_code 0: {"metadata":{},"status":"Success"}; otherwise Failure with
// reason NonZeroExitCode and an ExitCode cause holding the code.
std::string exit_status_json(int exit_code);

// Failure with reason InternalError: the command could not be run at all.
std::string internal_error_status_json(std::string_view message);

// Reads a Status: Success -> 0, NonZeroExitCode -> its code; any other
// failure is an error carrying the Status's message.
Result<int> exit_code_from_status(std::string_view json);

}  // namespace berth::crid::streaming
