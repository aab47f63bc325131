// berth errors as gRPC statuses the kubelet understands.
#pragma once

#include "crid/rpc/status.h"

#include "libcontainer/result.h"

namespace berth::crid {

// The code follows the errno the error carries (see images/image_service.h):
// ENOENT NotFound, EINVAL InvalidArgument, EEXIST AlreadyExists, EACCES/EPERM
// PermissionDenied, EBUSY FailedPrecondition, EBADMSG DataLoss, ETIMEDOUT
// DeadlineExceeded, ECONNREFUSED/EHOSTUNREACH/ENETUNREACH/EAGAIN Unavailable,
// anything else Internal. The message is the error's own sentence.
rpc::Status to_status(const Error &error);

}  // namespace berth::crid
