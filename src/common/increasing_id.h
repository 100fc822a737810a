// Identifiers that increase: a counter that starts at a random point, followed by random
// characters, all of [a-z0-9], so the ids keep the shape of random ones (`unit-` and 12
// characters, SPEC's id formats) while each one this process issues sorts after the last.
//
// Why: a unit's id is the key of about ten index entries written by its purchase and by the
// transitions after it (the unit, its deployment, order, usage segment, timed transitions). With
// random ids each entry landed on a different index page, so a batch of purchases committed
// together wrote (and fsynced) about ten 4 KiB pages per purchase; with ids that increase,
// the entries of one batch share the last page of each index. On the durable purchase
// benchmark that was 30 to 50% more purchases per second, and p99 from about 11 ms to 7 ms
// (docs/performance.md).
//
// Uniqueness: one process never issues an id twice (its counter only increases). Two
// processes sharing one database can only meet where their counters, each started at a random
// point of the first half of 36^counter_length, overlap, and then only when the random
// characters match as well: for units (7 + 5 characters) and a million ids from each of two
// processes, about 4 in 10^7, the odds of a repeat among a million fully random 12-character
// ids (about 1 in 10^7).
//
// What an id tells: the order in which this process issued its ids, and so, between two of a
// caller's own ids, how many ids the process issued in between. Nothing else: the start is
// random, and the random characters cannot be guessed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>

namespace cuplane {

class IncreasingId {
 public:
  // Ids of `counter_length` + `random_length` characters; counter_length 1 to 12.
  IncreasingId(std::size_t counter_length, std::size_t random_length);

  // The next id. Thread-safe. When the counter reaches its last value it starts again at a
  // new random point (for units, after tens of billions of ids): then, once, an id sorts
  // before the one issued just before it.
  std::string Next();

 private:
  std::uint64_t RandomStart() const;

  std::size_t counter_length_;
  std::size_t random_length_;
  std::uint64_t limit_;  // 36^counter_length_
  std::mutex mutex_;
  std::uint64_t next_;   // GUARDED_BY(mutex_)
};

}  // namespace cuplane
