// One thread that watches the directories where monitors write their exit
// files (inotify, no polling) and reports each new exit file, so crid records
// a container's exit when it happens, not only when a client asks.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "libcontainer/fd.h"
#include "libcontainer/result.h"

namespace berth::crid {

class ExitWatcher {
 public:
  // Called on the watcher's thread with the key given to watch().
  using Callback = std::function<void(const std::string &key)>;

  static Result<std::unique_ptr<ExitWatcher>> start(Callback callback, std::string file_name = "exit.json");
  ~ExitWatcher();  // stops and joins the thread
  ExitWatcher(const ExitWatcher &) = delete;
  ExitWatcher &operator=(const ExitWatcher &) = delete;

  // Reports key when <dir>/<file_name> appears. A watch ends by itself when dir is removed.
  Result<void> watch(const std::string &dir, const std::string &key);
  void stop();

 private:
  ExitWatcher(Fd inotify, Fd wake, Callback callback, std::string file_name);
  void run();

  Fd inotify_;
  Fd wake_;  // eventfd: tells the thread to stop
  Callback callback_;
  std::string file_name_;
  std::mutex mu_;
  std::map<int, std::string> keys_;  // watch descriptor -> key
  std::thread thread_;
};

}  // namespace berth::crid
