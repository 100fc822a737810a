// The JSON decoders of every action: the first byte picks the action, the rest is the body of
// a correctly signed request, so the fuzzer gets past authentication into each decoder.
#include <array>
#include <cstdint>
#include <string>

#include "fuzz_server.h"

namespace {

struct Target {
  const char* path;
  const char* action;
  bool as_operator;
};

constexpr std::array kTargets{
    Target{"/v2/serviceresources", "PurchaseComputeUnit", false},
    Target{"/v2/serviceresources", "DescribeComputeUnits", false},
    Target{"/v2/computeunit", "AutoReleaseComputeUnit", false},
    Target{"/v2/computeunit", "DescribeComputeUnit", false},
    Target{"/v1/operator", "CreateAccount", true},
    Target{"/v1/operator", "DescribeAccount", true},
    Target{"/v1/operator", "TopUpBalance", true},
    Target{"/v1/operator", "CreateUser", true},
    Target{"/v1/operator", "CreateAccessKey", true},
    Target{"/v1/operator", "DisableAccessKey", true},
    Target{"/v1/operator", "AttachPolicy", true},
    Target{"/v1/operator", "DetachPolicy", true},
    Target{"/v1/operator", "CreateService", true},
    Target{"/v1/operator", "DescribeServices", true},
    Target{"/v1/operator", "SetInventory", true},
    Target{"/v1/operator", "DescribeInventory", true},
    Target{"/v1/operator", "SetPrice", true},
    Target{"/v1/operator", "DescribePrices", true},
    Target{"/v1/operator", "DescribeClock", true},
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static cuplane::fuzz::FuzzServer server;
  if (size == 0) return 0;
  // AdvanceClock is left out: a fuzzer moving time by a century per input only measures
  // the scheduler.
  const Target& target = kTargets[data[0] % kTargets.size()];
  cuplane::api::ApiRequest request;
  request.method = "POST";
  request.target = std::string(target.path) + "?Action=" + target.action;
  request.body.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  server.Sign(request, target.as_operator);
  server.Handle(request);
  return 0;
}
