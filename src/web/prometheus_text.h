// The Prometheus text exposition format (version 0.0.4), written by hand: no C++ client is
// packaged for Debian, and the format is small. Families are announced with HELP and TYPE,
// label values are escaped, numbers are written so they parse back exactly. promtool checks
// the result in the tests.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "common/latency_histogram.h"

namespace cuplane::web {

using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

class PrometheusText {
 public:
  // The HELP and TYPE lines of a family ("counter", "gauge", "histogram"); its samples follow.
  void Family(std::string_view name, std::string_view type, std::string_view help);
  void Sample(std::string_view name, Labels labels, double value);
  void Sample(std::string_view name, Labels labels, std::int64_t value);
  void Sample(std::string_view name, Labels labels, std::uint64_t value);
  // name_bucket{…,le="…"} (cumulative, ending with +Inf), name_sum and name_count.
  void Histogram(std::string_view name, Labels labels, const LatencyHistogram::Snapshot& snapshot);

  const std::string& text() const { return out_; }
  std::string Take() { return std::move(out_); }

  // The media type of the format.
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  void Series(std::string_view name, Labels labels, std::string_view extra_label,
              std::string_view extra_value);
  void Value(std::string_view text);

  std::string out_;
};

// A double as Prometheus reads it: shortest round-trip form, "+Inf", "-Inf", "NaN".
std::string FormatSampleValue(double value);

}  // namespace cuplane::web
