#include "crid/grpc_status.h"

#include <cerrno>

namespace berth::crid {

grpc::Status to_status(const Error &error) {
  grpc::StatusCode code;
  switch (error.code) {
    case ENOENT: code = grpc::StatusCode::NOT_FOUND; break;
    case EINVAL: code = grpc::StatusCode::INVALID_ARGUMENT; break;
    case EEXIST: code = grpc::StatusCode::ALREADY_EXISTS; break;
    case EACCES:
    case EPERM: code = grpc::StatusCode::PERMISSION_DENIED; break;
    case EBUSY: code = grpc::StatusCode::FAILED_PRECONDITION; break;
    case EBADMSG: code = grpc::StatusCode::DATA_LOSS; break;
    case ETIMEDOUT: code = grpc::StatusCode::DEADLINE_EXCEEDED; break;
    case ECONNREFUSED:
    case EHOSTUNREACH:
    case ENETUNREACH:
    case EAGAIN: code = grpc::StatusCode::UNAVAILABLE; break;
    default: code = grpc::StatusCode::INTERNAL; break;
  }
  return grpc::Status(code, error.message);
}

}  // namespace berth::crid
