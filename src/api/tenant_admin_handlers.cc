#include "api/tenant_admin_handlers.h"

#include "api/policy_fields.h"
#include "core/tenants.h"

namespace cuplane::api {
namespace {

Result<core::Policy> DecodePolicy(const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(std::string text, body.RequiredString("policy", 64));
  auto policy = core::ParsePolicy(text);
  if (!policy) return InvalidParameter("policy " + text + " is not a known policy");
  return *policy;
}

struct UserRef {
  std::string account_id;
  std::string user_name;
};

Result<UserRef> DecodeUserRef(const JsonFields& body) {
  UserRef ref;
  CUPLANE_ASSIGN_OR_RETURN(ref.account_id, body.RequiredString("accountId", kMaxIdentifierLength));
  CUPLANE_ASSIGN_OR_RETURN(ref.user_name, body.RequiredString("userName", kMaxIdentifierLength));
  return ref;
}

Result<boost::json::value> TrueOrError(const Status& status) {
  if (!status.ok()) return status.error();
  return boost::json::value(true);
}

}  // namespace

Result<boost::json::value> HandleCreateUser(CallContext& call, const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(std::string account_id,
                           body.RequiredString("accountId", kMaxIdentifierLength));
  CUPLANE_ASSIGN_OR_RETURN(std::string name, body.RequiredString("name", kMaxIdentifierLength));
  CUPLANE_ASSIGN_OR_RETURN(auto policies, DecodePolicies(body));
  auto created = call.server.store.Write<Ok>([&](store::Transaction& tx) {
    return core::CreateUser(tx, account_id, name, policies, call.now);
  });
  if (!created.ok()) return created.error();
  return boost::json::value(boost::json::object{{"name", name}});
}

Result<boost::json::value> HandleCreateAccessKey(CallContext& call, const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(UserRef user, DecodeUserRef(body));
  auto key = call.server.store.Write<core::NewAccessKey>([&](store::Transaction& tx) {
    return core::CreateAccessKey(tx, call.server.secrets, user.account_id, user.user_name,
                                 call.now);
  });
  if (!key.ok()) return key.error();
  // The only time the secret is ever shown.
  return boost::json::value(
      boost::json::object{{"accessKey", key->access_key}, {"secretKey", key->secret_key}});
}

Result<boost::json::value> HandleDisableAccessKey(CallContext& call, const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(std::string access_key,
                           body.RequiredString("accessKey", kMaxIdentifierLength));
  return TrueOrError(call.server.store.Write<Ok>(
      [&](store::Transaction& tx) { return core::DisableAccessKey(tx, access_key); }));
}

Result<boost::json::value> HandleAttachPolicy(CallContext& call, const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(UserRef user, DecodeUserRef(body));
  CUPLANE_ASSIGN_OR_RETURN(core::Policy policy, DecodePolicy(body));
  return TrueOrError(call.server.store.Write<Ok>([&](store::Transaction& tx) {
    return core::AttachPolicy(tx, user.account_id, user.user_name, policy);
  }));
}

Result<boost::json::value> HandleDetachPolicy(CallContext& call, const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(UserRef user, DecodeUserRef(body));
  CUPLANE_ASSIGN_OR_RETURN(core::Policy policy, DecodePolicy(body));
  return TrueOrError(call.server.store.Write<Ok>([&](store::Transaction& tx) {
    return core::DetachPolicy(tx, user.account_id, user.user_name, policy);
  }));
}

Result<boost::json::value> HandleOperatorCreateService(CallContext& call, const JsonFields& body) {
  core::Service service;
  CUPLANE_ASSIGN_OR_RETURN(service.account_id,
                           body.RequiredString("accountId", kMaxIdentifierLength));
  CUPLANE_ASSIGN_OR_RETURN(service.name, body.RequiredString("name", kMaxIdentifierLength));
  CUPLANE_ASSIGN_OR_RETURN(service.region, body.RequiredString("region", 16));
  CUPLANE_ASSIGN_OR_RETURN(service.type, body.RequiredString("type", 16));
  CUPLANE_ASSIGN_OR_RETURN(service.units_per_replica,
                           body.RequiredInt("unitsPerReplica", 1, 10000));
  CUPLANE_ASSIGN_OR_RETURN(auto service_id, body.OptionalString("serviceId", kMaxIdentifierLength));
  service.service_id = service_id.value_or("");
  service.creator = "operator";
  auto id = call.server.store.Write<std::string>(
      [&](store::Transaction& tx) { return core::CreateService(tx, service, call.now); });
  if (!id.ok()) return id.error();
  return boost::json::value(boost::json::object{{"serviceId", *id}});
}

Result<boost::json::value> HandleOperatorDescribeServices(CallContext& call,
                                                          const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(std::string account_id,
                           body.RequiredString("accountId", kMaxIdentifierLength));
  auto views = call.server.store.Read<std::vector<core::ServiceView>>(
      [&](store::Transaction& tx) { return core::DescribeServices(tx, account_id); });
  if (!views.ok()) return views.error();
  boost::json::array services;
  for (const core::ServiceView& v : *views) {
    services.push_back(boost::json::object{{"serviceId", v.service.service_id},
                                           {"name", v.service.name},
                                           {"region", v.service.region},
                                           {"type", v.service.type},
                                           {"unitsPerReplica", v.service.units_per_replica},
                                           {"runStatus", v.run_status}});
  }
  return boost::json::value(boost::json::object{{"services", std::move(services)}});
}

}  // namespace cuplane::api
