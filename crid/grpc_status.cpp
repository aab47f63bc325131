#include "crid/grpc_status.h"

#include <cerrno>

namespace berth::crid {

rpc::Status to_status(const Error &error) {
  rpc::StatusCode code;
  switch (error.code) {
    case ENOENT: code = rpc::StatusCode::NOT_FOUND; break;
    case EINVAL: code = rpc::StatusCode::INVALID_ARGUMENT; break;
    case EEXIST: code = rpc::StatusCode::ALREADY_EXISTS; break;
    case EACCES:
    case EPERM: code = rpc::StatusCode::PERMISSION_DENIED; break;
    case EBUSY: code = rpc::StatusCode::FAILED_PRECONDITION; break;
    case EBADMSG: code = rpc::StatusCode::DATA_LOSS; break;
    case ETIMEDOUT: code = rpc::StatusCode::DEADLINE_EXCEEDED; break;
    case ECONNREFUSED:
    case EHOSTUNREACH:
    case ENETUNREACH:
    case EAGAIN: code = rpc::StatusCode::UNAVAILABLE; break;
    default: code = rpc::StatusCode::INTERNAL; break;
  }
  return rpc::Status(code, error.message);
}

}  // namespace berth::crid
