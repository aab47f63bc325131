// The undo of a half-done create: each step done pushes how to take it back;
// unless the create commits, the steps are undone last first when the stack
// goes out of scope, so a failing RPC leaves nothing behind.
#pragma once

#include <functional>
#include <utility>
#include <vector>

namespace berth::crid {

class UndoStack {
 public:
  UndoStack() = default;
  UndoStack(const UndoStack &) = delete;
  UndoStack &operator=(const UndoStack &) = delete;
  ~UndoStack() {
    if (committed_) return;
    for (auto it = steps_.rbegin(); it != steps_.rend(); ++it) (*it)();
  }
  void push(std::function<void()> undo) { steps_.push_back(std::move(undo)); }
  void commit() { committed_ = true; }

 private:
  std::vector<std::function<void()>> steps_;
  bool committed_ = false;
};

}  // namespace berth::crid
