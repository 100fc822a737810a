#include "web/prometheus_text.h"

#include <gtest/gtest.h>

#include <chrono>
#include <limits>

namespace cuplane::web {
namespace {

using std::chrono::milliseconds;

TEST(PrometheusTextTest, FamilyThenSamplesWithEscapedLabelValues) {
  PrometheusText out;
  out.Family("x_total", "counter", "Help with a \\ and a\nnewline.");
  out.Sample("x_total", {{"a", "quote\" back\\slash\nline"}, {"b", "plain"}}, std::uint64_t{3});
  out.Sample("x_total", {}, std::int64_t{-2});
  EXPECT_EQ(out.text(),
            "# HELP x_total Help with a \\\\ and a\\nnewline.\n"
            "# TYPE x_total counter\n"
            "x_total{a=\"quote\\\" back\\\\slash\\nline\",b=\"plain\"} 3\n"
            "x_total -2\n");
}

TEST(PrometheusTextTest, DoublesRoundTripAndSpecialValuesUsePrometheusSpelling) {
  EXPECT_EQ(FormatSampleValue(0.25), "0.25");
  EXPECT_EQ(FormatSampleValue(1e-9), "1e-09");
  EXPECT_EQ(FormatSampleValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatSampleValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatSampleValue(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

TEST(PrometheusTextTest, HistogramBucketsAreCumulativeAndEndWithInfEqualToCount) {
  LatencyHistogram h;
  h.Observe(milliseconds(0));      // first bucket
  h.Observe(milliseconds(3));      // le=0.005
  h.Observe(milliseconds(3));      // le=0.005
  h.Observe(std::chrono::hours(1)); // +Inf only
  PrometheusText out;
  out.Histogram("t_seconds", {{"mode", "read"}}, h.Read());
  const std::string& text = out.text();
  EXPECT_NE(text.find("t_seconds_bucket{mode=\"read\",le=\"0.0005\"} 1\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("t_seconds_bucket{mode=\"read\",le=\"0.0025\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("t_seconds_bucket{mode=\"read\",le=\"0.005\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("t_seconds_bucket{mode=\"read\",le=\"30\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("t_seconds_bucket{mode=\"read\",le=\"+Inf\"} 4\n"), std::string::npos);
  EXPECT_NE(text.find("t_seconds_count{mode=\"read\"} 4\n"), std::string::npos);
  EXPECT_NE(text.find("t_seconds_sum{mode=\"read\"} 3600.006\n"), std::string::npos) << text;
}

TEST(LatencyHistogramTest, AnObservationOnABoundCountsInThatBucket) {
  LatencyHistogram h;
  h.Observe(milliseconds(1));  // exactly le=0.001
  auto s = h.Read();
  EXPECT_EQ(s.counts[0], 0u);
  EXPECT_EQ(s.counts[1], 1u);
  EXPECT_EQ(s.count(), 1u);
  h.Observe(std::chrono::nanoseconds(-5));  // a clock oddity counts as zero, not as a huge value
  EXPECT_EQ(h.Read().counts[0], 1u);
}

}  // namespace
}  // namespace cuplane::web
