// The generated classes of crid's PullProgress extension. Through cri_api.h
// first, so api.pb.h (which they include) is read with the signal macros set aside.
#pragma once

#include "crid/cri_api.h"
#include "crid/proto/pull_progress.pb.h"
