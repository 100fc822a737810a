#include "common/increasing_id.h"

#include <stdexcept>

#include "common/random_id.h"

namespace cuplane {
namespace {

constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
constexpr std::uint64_t kBase = 36;

}  // namespace

IncreasingId::IncreasingId(std::size_t counter_length, std::size_t random_length)
    : counter_length_(counter_length), random_length_(random_length), limit_(1) {
  if (counter_length < 1 || counter_length > 12) {
    throw std::invalid_argument("IncreasingId: counter_length must be 1 to 12");
  }
  for (std::size_t i = 0; i < counter_length; ++i) limit_ *= kBase;
  next_ = RandomStart();
}

std::uint64_t IncreasingId::RandomStart() const {
  // In the first half of the range, so that the counter runs for at least half of it before
  // it has to start again.
  // (limit_ is at least 36.)
  return RandomUint64() % (limit_ / 2);
}

std::string IncreasingId::Next() {
  std::uint64_t value;
  {
    std::lock_guard lock(mutex_);
    if (next_ >= limit_) next_ = RandomStart();
    value = next_++;
  }
  std::string id(counter_length_, '0');
  for (std::size_t i = counter_length_; i-- > 0; value /= kBase) id[i] = kDigits[value % kBase];
  id += RandomLowerAlnum(random_length_);
  return id;
}

}  // namespace cuplane
