#include "web/request_metrics.h"

#include <gtest/gtest.h>

#include <set>

namespace cuplane::web {
namespace {

api::RequestOutcome Outcome(int route, std::optional<ErrorCode> error = std::nullopt) {
  api::RequestOutcome o;
  o.route = route;
  o.error = error;
  return o;
}

int RouteIndex(std::string_view path, std::string_view action) {
  const api::Route* route = api::FindRoute(path, action);
  EXPECT_NE(route, nullptr) << path << " " << action;
  return static_cast<int>(route - api::Routes().data());
}

TEST(RequestMetricsTest, CountsByActionAndCodeMergingPathsThatShareAnAction) {
  RequestMetrics metrics;
  int on_service = RouteIndex("/v2/serviceresources", "PurchaseComputeUnit");
  int on_charge = RouteIndex("/v2/charge", "PurchaseComputeUnit");
  metrics.Record(Outcome(on_service), std::chrono::milliseconds(2));
  metrics.Record(Outcome(on_charge), std::chrono::milliseconds(2));
  metrics.Record(Outcome(on_charge, ErrorCode::kInsufficientBalance), std::chrono::milliseconds(1));
  PrometheusText out;
  metrics.Write(out);
  EXPECT_NE(out.text().find("cuplane_requests_total{action=\"PurchaseComputeUnit\",code=\"OK\"} 2\n"),
            std::string::npos)
      << out.text();
  EXPECT_NE(out.text().find("cuplane_requests_total{action=\"PurchaseComputeUnit\",code="
                            "\"InsufficientBalance\"} 1\n"),
            std::string::npos);
  EXPECT_NE(out.text().find(
                "cuplane_request_duration_seconds_count{action=\"PurchaseComputeUnit\"} 3\n"),
            std::string::npos);
}

TEST(RequestMetricsTest, RequestsWithoutARouteShareOneLabelWhateverTheySent) {
  RequestMetrics metrics;
  metrics.Record(Outcome(-1, ErrorCode::kInvalidAction), std::chrono::milliseconds(1));
  metrics.Record(Outcome(100000, ErrorCode::kInvalidURI), std::chrono::milliseconds(1));
  EXPECT_EQ(metrics.ActionOf(Outcome(-1)), RequestMetrics::kUnknownAction);
  EXPECT_EQ(metrics.ActionOf(Outcome(100000)), RequestMetrics::kUnknownAction);
  PrometheusText out;
  metrics.Write(out);
  EXPECT_NE(out.text().find("cuplane_requests_total{action=\"unknown\",code=\"InvalidAction\"} 1"),
            std::string::npos);
  EXPECT_NE(out.text().find("cuplane_requests_total{action=\"unknown\",code=\"InvalidURI\"} 1"),
            std::string::npos);
}

TEST(RequestMetricsTest, EveryErrorCodeHasASlot) {
  // The code table is sized for 64 slots; a new code past that would be folded away.
  EXPECT_LT(static_cast<int>(ErrorCode::kServiceUnavailable) + 1, 64);
}

TEST(RequestMetricsTest, ActionLabelsAreTheDistinctActionsOfTheRouteTable) {
  RequestMetrics metrics;
  std::set<std::string_view> expected{RequestMetrics::kUnknownAction};
  for (const api::Route& r : api::Routes()) expected.insert(r.action);
  for (std::size_t i = 0; i < api::Routes().size(); ++i) {
    metrics.Record(Outcome(static_cast<int>(i)), std::chrono::milliseconds(1));
  }
  metrics.Record(Outcome(-1), std::chrono::milliseconds(1));
  PrometheusText out;
  metrics.Write(out);
  std::set<std::string> seen;
  const std::string& text = out.text();
  const std::string prefix = "cuplane_requests_total{action=\"";
  for (auto at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at + 1)) {
    auto start = at + prefix.size();
    seen.insert(text.substr(start, text.find('"', start) - start));
  }
  EXPECT_EQ(seen, std::set<std::string>(expected.begin(), expected.end()));
}

}  // namespace
}  // namespace cuplane::web
