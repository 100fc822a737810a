#include "store/call_deadline.h"

namespace cuplane::store {
namespace {

thread_local std::optional<DeadlineClock::time_point> current_deadline;

}  // namespace

CallDeadline::CallDeadline(DeadlineClock::time_point deadline) : previous_(current_deadline) {
  current_deadline = deadline;
}

CallDeadline::~CallDeadline() { current_deadline = previous_; }

std::optional<DeadlineClock::time_point> CallDeadline::Current() { return current_deadline; }

bool CallDeadline::Expired() {
  return current_deadline && DeadlineClock::now() >= *current_deadline;
}

}  // namespace cuplane::store
