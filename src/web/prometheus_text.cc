#include "web/prometheus_text.h"

#include <charconv>
#include <cmath>

namespace cuplane::web {
namespace {

// HELP text escapes \ and newline; label values also escape ".
void AppendEscaped(std::string& out, std::string_view text, bool quote) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quote && c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

// "0.0005", not "5e-04": `le` is a label, matched as a string by queries.
std::string BucketBound(double bound) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, bound, std::chars_format::fixed);
  return std::string(buffer, end);
}

}  // namespace

std::string FormatSampleValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, end);
}

void PrometheusText::Family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  AppendEscaped(out_, help, false);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void PrometheusText::Series(std::string_view name, Labels labels, std::string_view extra_label,
                            std::string_view extra_value) {
  out_ += name;
  if (labels.size() == 0 && extra_label.empty()) return;
  out_ += '{';
  bool first = true;
  auto label = [&](std::string_view key, std::string_view value) {
    if (!first) out_ += ',';
    first = false;
    out_ += key;
    out_ += "=\"";
    AppendEscaped(out_, value, true);
    out_ += '"';
  };
  for (const auto& [key, value] : labels) label(key, value);
  if (!extra_label.empty()) label(extra_label, extra_value);
  out_ += '}';
}

void PrometheusText::Value(std::string_view text) {
  out_ += ' ';
  out_ += text;
  out_ += '\n';
}

void PrometheusText::Sample(std::string_view name, Labels labels, double value) {
  Series(name, labels, {}, {});
  Value(FormatSampleValue(value));
}

void PrometheusText::Sample(std::string_view name, Labels labels, std::int64_t value) {
  Series(name, labels, {}, {});
  Value(std::to_string(value));
}

void PrometheusText::Sample(std::string_view name, Labels labels, std::uint64_t value) {
  Series(name, labels, {}, {});
  Value(std::to_string(value));
}

void PrometheusText::Histogram(std::string_view name, Labels labels,
                               const LatencyHistogram::Snapshot& snapshot) {
  const std::string bucket = std::string(name) + "_bucket";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < snapshot.counts.size(); ++i) {
    cumulative += snapshot.counts[i];
    bool last = i == LatencyHistogram::kBounds.size();
    Series(bucket, labels, "le", last ? "+Inf" : BucketBound(LatencyHistogram::kBounds[i]));
    Value(std::to_string(cumulative));
  }
  Series(std::string(name) + "_sum", labels, {}, {});
  Value(FormatSampleValue(snapshot.sum_seconds));
  Series(std::string(name) + "_count", labels, {}, {});
  Value(std::to_string(cumulative));
}

}  // namespace cuplane::web
