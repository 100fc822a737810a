#include "api/usage_handlers.h"

#include "core/billing/usage.h"
#include "core/tenants.h"

namespace cuplane::api {
namespace {

Result<UnixSeconds> RequiredTime(const JsonFields& body, std::string_view key) {
  CUPLANE_ASSIGN_OR_RETURN(std::string text, body.RequiredString(key, 64));
  auto parsed = ParseRfc3339(text);
  if (!parsed) return InvalidParameter(std::string(key) + " must be an RFC 3339 time");
  return *parsed;
}

}  // namespace

Result<boost::json::value> HandleDescribeUsage(CallContext& call, const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(std::string account_id,
                           body.RequiredString("accountId", kMaxIdentifierLength));
  CUPLANE_ASSIGN_OR_RETURN(UnixSeconds from, RequiredTime(body, "from"));
  CUPLANE_ASSIGN_OR_RETURN(UnixSeconds to, RequiredTime(body, "to"));
  if (from >= to) return InvalidParameter("from must be before to");
  auto report = call.server.store.Read<core::billing::UsageReport>([&](store::Transaction& tx) {
    return core::billing::DescribeUsage(tx, account_id, from, to, call.now);
  });
  if (!report.ok()) return report.error();
  boost::json::array units;
  for (const auto& unit : report->units) {
    units.push_back(boost::json::object{
        {"instanceId", unit.instance_id}, {"type", unit.type}, {"amount", unit.amount}});
  }
  return boost::json::value(
      boost::json::object{{"total", report->total}, {"units", std::move(units)}});
}

}  // namespace cuplane::api
