#include "api/operator_handlers.h"

#include "common/random_id.h"
#include "core/accounts.h"
#include "core/tenants.h"
#include "scheduler/scheduler.h"

namespace cuplane::api {
namespace {

constexpr std::int64_t kMaxMoney = 1'000'000'000'000'000LL;       // 10^13 yuan in fen
constexpr std::int64_t kMaxAdvanceSeconds = 100LL * 366 * 86400;  // a century

boost::json::object EncodeLedgerEntry(const core::LedgerEntry& e) {
  boost::json::object entry{
      {"time", FormatUtc(e.time)}, {"amount", e.amount}, {"kind", core::ToString(e.kind)}};
  if (!e.instance_id.empty()) entry["instanceId"] = e.instance_id;
  if (!e.order_id.empty()) entry["orderId"] = e.order_id;
  if (!e.note.empty()) entry["note"] = e.note;
  return entry;
}

}  // namespace

Result<boost::json::value> HandleAdvanceClock(CallContext& call, const JsonFields& body) {
  if (!call.server.clock.IsVirtual()) {
    return MakeError(ErrorCode::kOperationNotAllowed,
                     "AdvanceClock needs a server started with --clock virtual");
  }
  CUPLANE_ASSIGN_OR_RETURN(auto seconds, body.OptionalInt("seconds", 1, kMaxAdvanceSeconds));
  CUPLANE_ASSIGN_OR_RETURN(auto to_text, body.OptionalString("to", 64));
  if (seconds.has_value() == (to_text.has_value() && !to_text->empty())) {
    return InvalidParameter("give exactly one of seconds (> 0) or to (RFC 3339)");
  }
  UnixSeconds now = call.server.clock.Now();
  UnixSeconds target = now;
  if (seconds) {
    target = now + *seconds;
  } else {
    auto parsed = ParseRfc3339(*to_text);
    if (!parsed) return InvalidParameter("to must be an RFC 3339 time");
    // `to` = now is allowed: it runs whatever is overdue (after a crash mid-advance, the same
    // `to` again finishes the work).
    if (*parsed < now) return InvalidParameter("to must not be before the current virtual time");
    if (*parsed - now > kMaxAdvanceSeconds) return InvalidParameter("to is too far in the future");
    target = *parsed;
  }
  CUPLANE_ASSIGN_OR_RETURN(UnixSeconds reached, call.server.scheduler.AdvanceVirtualClock(target));
  return boost::json::value(boost::json::object{{"now", FormatUtc(reached)}});
}

Result<boost::json::value> HandleDescribeClock(CallContext& call, const JsonFields& body) {
  return boost::json::value(
      boost::json::object{{"now", FormatUtc(call.server.clock.Now())},
                          {"mode", call.server.clock.IsVirtual() ? "virtual" : "system"}});
}

Result<boost::json::value> HandleCreateAccount(CallContext& call, const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(std::string name, body.RequiredString("name", kMaxIdentifierLength));
  CUPLANE_ASSIGN_OR_RETURN(auto account_id, body.OptionalString("accountId", kMaxIdentifierLength));
  CUPLANE_ASSIGN_OR_RETURN(auto balance, body.OptionalInt("balance", 0, kMaxMoney));
  std::string id =
      account_id && !account_id->empty() ? *account_id : "acct-" + RandomLowerAlnum(12);
  CUPLANE_TRY(core::ValidateIdentifier(id, "accountId"));
  auto created = call.server.store.Write<Ok>([&](store::Transaction& tx) {
    return core::CreateAccount(tx, id, name, balance.value_or(0), call.now);
  });
  if (!created.ok()) return created.error();
  return boost::json::value(boost::json::object{{"accountId", id}});
}

Result<boost::json::value> HandleTopUpBalance(CallContext& call, const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(std::string account_id,
                           body.RequiredString("accountId", kMaxIdentifierLength));
  CUPLANE_ASSIGN_OR_RETURN(std::int64_t amount, body.RequiredInt("amount", 1, kMaxMoney));
  auto balance = call.server.store.Write<core::Money>(
      [&](store::Transaction& tx) { return core::TopUpBalance(tx, account_id, amount, call.now); });
  if (!balance.ok()) return balance.error();
  return boost::json::value(boost::json::object{{"balance", *balance}});
}

namespace {

// A DescribeAccounts marker: "<creation time>.<account id>" of the last account of the page, so
// that it stays valid while accounts are added.
std::string EncodeAccountMarker(const store::AccountCursor& cursor) {
  return std::to_string(cursor.created_at) + "." + cursor.account_id;
}

Result<std::optional<store::AccountCursor>> DecodeAccountMarker(
    const std::optional<std::string>& text) {
  if (!text || text->empty()) return std::optional<store::AccountCursor>();
  auto dot = text->find('.');
  Error invalid = InvalidParameter("marker must be a value returned as nextMarker");
  if (dot == std::string::npos || dot == 0 || dot > 19) return invalid;
  store::AccountCursor cursor;
  for (char c : text->substr(0, dot)) {
    if (c < '0' || c > '9') return invalid;
    cursor.created_at = cursor.created_at * 10 + (c - '0');
  }
  cursor.account_id = text->substr(dot + 1);
  if (!core::ValidateIdentifier(cursor.account_id, "marker").ok()) return invalid;
  return std::optional<store::AccountCursor>(std::move(cursor));
}

}  // namespace

Result<boost::json::value> HandleDescribeAccounts(CallContext& call, const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(auto marker_text, body.OptionalString("marker", 100));
  CUPLANE_ASSIGN_OR_RETURN(auto max_keys, body.OptionalInt("maxKeys", 1, 1000));
  CUPLANE_ASSIGN_OR_RETURN(auto after, DecodeAccountMarker(marker_text));
  auto page = call.server.store.Read<core::AccountPage>([&](store::Transaction& tx) {
    return core::ListAccounts(tx, after, static_cast<int>(max_keys.value_or(100)));
  });
  if (!page.ok()) return page.error();
  boost::json::array accounts;
  for (const auto& summary : page->accounts) {
    accounts.push_back(boost::json::object{{"accountId", summary.account.account_id},
                                           {"name", summary.account.name},
                                           {"balance", summary.account.balance},
                                           {"inArrears", summary.account.in_arrears_since.has_value()},
                                           {"liveUnits", summary.live_units}});
  }
  boost::json::object result{{"accounts", std::move(accounts)},
                             {"isTruncated", page->next.has_value()}};
  if (page->next) result["nextMarker"] = EncodeAccountMarker(*page->next);
  return boost::json::value(std::move(result));
}

Result<boost::json::value> HandleDescribeAccount(CallContext& call, const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(std::string account_id,
                           body.RequiredString("accountId", kMaxIdentifierLength));
  CUPLANE_ASSIGN_OR_RETURN(auto marker_text, body.OptionalString("marker", 32));
  CUPLANE_ASSIGN_OR_RETURN(auto max_keys, body.OptionalInt("maxKeys", 1, 1000));
  std::int64_t marker = 0;
  if (marker_text && !marker_text->empty()) {
    try {
      size_t used = 0;
      marker = std::stoll(*marker_text, &used);
      if (used != marker_text->size() || marker <= 0) throw std::invalid_argument("marker");
    } catch (const std::exception&) {
      return InvalidParameter("marker must be a value returned as nextMarker");
    }
  }
  auto page = call.server.store.Write<core::AccountStatement>([&](store::Transaction& tx) {
    return core::DescribeAccount(tx, account_id, marker, static_cast<int>(max_keys.value_or(100)),
                                 call.server.lifecycle, call.now);
  });
  if (!page.ok()) return page.error();
  boost::json::array ledger;
  for (const auto& e : page->entries) ledger.push_back(EncodeLedgerEntry(e));
  boost::json::object result{{"accountId", page->account.account_id},
                             {"name", page->account.name},
                             {"balance", page->account.balance},
                             {"inArrears", page->account.in_arrears_since.has_value()},
                             {"ledger", std::move(ledger)}};
  if (page->next_marker > 0) result["nextMarker"] = std::to_string(page->next_marker);
  return boost::json::value(std::move(result));
}

}  // namespace cuplane::api
