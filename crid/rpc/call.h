// What a method's code sees of a call: whether it still matters (the
// client may cancel, go away or pass its deadline), who made it, and how
// to answer with one message or a stream of them.
#pragma once

#include <string>

namespace berth::crid::rpc {

class CallContext {
 public:
  virtual ~CallContext() = default;
  // True once the client cancelled or went away, its grpc-timeout passed, or
  // the server is shutting down and the call outlived the grace time.
  virtual bool is_cancelled() const = 0;
  // The client, for logs: "unix:pid=N,uid=U" on a unix socket.
  virtual const std::string &peer() const = 0;
};

// The server's side of one call, as a method handler (crid/rpc/methods.h) sees it.
class ServerCall : public CallContext {
 public:
  // The request message's bytes.
  virtual const std::string &request() const = 0;
  // Queues one response message. Blocks while the client has much unread;
  // false once the stream is gone or the message is over the size limit.
  virtual bool write(std::string message) = 0;
};

// A typed stream of response messages, for server-streaming methods.
template <class Message>
class Writer {
 public:
  explicit Writer(ServerCall *call) : call_(call) {}
  bool write(const Message &message) { return call_->write(message.SerializeAsString()); }

 private:
  ServerCall *call_;
};

}  // namespace berth::crid::rpc
