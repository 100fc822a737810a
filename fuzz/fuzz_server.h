// A complete in-process API (real SQLite store in a temp directory, bootstrap with a tenant
// and an operator, virtual clock) for fuzz targets to throw requests at.
#pragma once

#include <memory>
#include <string>

#include "api/api_service.h"
#include "auth/bce_signer.h"
#include "scheduler/scheduler.h"

namespace cuplane::fuzz {

class FuzzServer {
 public:
  FuzzServer();
  api::ApiResponse Handle(const api::ApiRequest& request) { return service_->Handle(request); }
  // Signs `request` with the tenant key (operator key when `as_operator`).
  void Sign(api::ApiRequest& request, bool as_operator) const;

 private:
  std::string dir_;
  std::unique_ptr<store::Store> store_;
  VirtualClock clock_;
  SecretBox secrets_;
  std::unique_ptr<scheduler::Scheduler> scheduler_;
  std::unique_ptr<api::ApiService> service_;
};

}  // namespace cuplane::fuzz
