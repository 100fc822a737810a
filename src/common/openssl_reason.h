// OpenSSL reports why a call failed on a per-thread error queue; messages to operators want
// the reason in words ("no start line", "wrong version number"), not the queue's raw codes.
#pragma once

#include <string>

namespace cuplane {

// The reason of the last error on OpenSSL's queue, or "unknown reason"; the queue is cleared
// so that a later failure does not report this one.
std::string OpenSslReason();

}  // namespace cuplane
