#include "fuzz_server.h"

#include <cstdlib>
#include <stdexcept>

#include "core/bootstrap.h"
#include "store/sqlite/sqlite_store.h"

namespace cuplane::fuzz {
namespace {

constexpr UnixSeconds kStart = 1893456000;  // 2030-01-01T00:00:00Z

core::BootstrapSpec Spec() {
  core::BootstrapSpec spec;
  spec.operators.push_back({"op-ak", "op-sk"});
  spec.prices.push_back({"gpu-1", 300000, 500});
  spec.inventory.push_back({"bj", "gpu-1", 1000000, 0});
  core::BootstrapAccount account;
  account.account_id = "acct-fuzz";
  account.name = "fuzz";
  account.balance = 1'000'000'000'000;
  account.users.push_back({"admin", {core::Policy::kFullControl}, {{"fuzz-ak", "fuzz-sk"}}});
  core::Service service;
  service.service_id = "svc-fuzz";
  service.name = "fuzz";
  service.region = "bj";
  service.type = "gpu-1";
  service.units_per_replica = 1;
  account.services.push_back(service);
  spec.accounts.push_back(account);
  return spec;
}

}  // namespace

FuzzServer::FuzzServer()
    : clock_(kStart), secrets_(std::array<unsigned char, SecretBox::kKeyBytes>{}) {
  char pattern[] = "/tmp/cuplane-fuzz-XXXXXX";
  if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp");
  dir_ = pattern;
  store_ = std::make_unique<store::sqlite::SqliteStore>(dir_ + "/fuzz.db");
  scheduler_ =
      std::make_unique<scheduler::Scheduler>(*store_, clock_, &clock_, core::LifecycleConfig{});
  auto applied = store_->Write<Ok>(
      [&](store::Transaction& tx) { return core::ApplyBootstrap(tx, secrets_, Spec(), kStart); });
  if (!applied.ok()) throw std::runtime_error(applied.error().message);
  // The wall clock is the virtual one too: signatures made with kStart stay valid.
  service_ = std::make_unique<api::ApiService>(
      api::ServerContext{*store_, clock_, clock_, secrets_, *scheduler_, {}, 8 * 3600, {}},
      api::ThrottleConfig{0, 0, 0, 0});
}

void FuzzServer::Sign(api::ApiRequest& request, bool as_operator) const {
  auth::SignableRequest signable;
  signable.method = request.method;
  auto question = request.target.find('?');
  signable.path = request.target.substr(0, question);
  if (question != std::string::npos) {
    signable.query.emplace_back("Action", request.target.substr(question + 8));
  }
  request.headers.emplace_back("Host", "127.0.0.1:8866");
  request.headers.emplace_back("Content-Type", "application/json");
  signable.headers = request.headers;
  auth::SigningInput input{as_operator ? "op-ak" : "fuzz-ak",
                           as_operator ? "op-sk" : "fuzz-sk",
                           FormatUtc(kStart),
                           1800,
                           {"host", "content-type"}};
  request.headers.emplace_back("Authorization", auth::SignRequest(signable, input));
}

}  // namespace cuplane::fuzz
