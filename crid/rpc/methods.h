// Binds a service's member functions to gRPC method paths: the request is
// parsed before the function runs, its response serialized after.
#pragma once

#include <functional>
#include <string>

#include "crid/rpc/call.h"
#include "crid/rpc/status.h"

namespace berth::crid::rpc {

using Handler = std::function<Status(ServerCall &)>;

// "/runtime.v1.RuntimeService/Version"
inline std::string method_path(std::string_view service, std::string_view method) {
  std::string p;
  p.reserve(service.size() + method.size() + 2);
  p.append("/").append(service).append("/").append(method);
  return p;
}

// The call's request bytes as a Request; INTERNAL naming the type when they are not one.
template <class Request>
Status parse_request(const ServerCall &call, Request &request) {
  if (request.ParseFromString(call.request())) return Status::OK;
  return Status(StatusCode::INTERNAL, "the request message does not parse as " + Request::default_instance().GetTypeName());
}

template <class Service, class Request, class Response>
Handler unary(Service *service, Status (Service::*fn)(CallContext *, const Request *, Response *)) {
  return [service, fn](ServerCall &call) -> Status {
    Request request;
    if (Status bad = parse_request(call, request); !bad.ok()) return bad;
    Response response;
    Status status = (service->*fn)(&call, &request, &response);
    if (!status.ok()) return status;
    // Past its deadline the client no longer waits for the answer (gRPC ends such a call with DEADLINE_EXCEEDED).
    if (call.is_cancelled() || !call.write(response.SerializeAsString()))
      return Status(StatusCode::CANCELLED, "the call was cancelled");
    return status;
  };
}

template <class Service, class Request, class Response>
Handler server_streaming(Service *service, Status (Service::*fn)(CallContext *, const Request *, Writer<Response> *)) {
  return [service, fn](ServerCall &call) -> Status {
    Request request;
    if (Status bad = parse_request(call, request); !bad.ok()) return bad;
    Writer<Response> writer(&call);
    return (service->*fn)(&call, &request, &writer);
  };
}

}  // namespace berth::crid::rpc
